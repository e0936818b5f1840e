"""``/console/borrowers/{id}``: a borrower's whole record without a case; ``/console/search``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.console.case_page import EVENT_LABELS
from bot.console.common import PageError, current
from bot.console.deps import services_of
from bot.console.render import render
from bot.console.risk_panel import risk_panel
from bot.inputs import reference
from scheduler.tiers import loan_classification
from storage.case_views import borrower_detail
from storage.search import find_borrowers
from storage.views import borrower_by_id, risk_view


async def borrower_page(request: web.Request) -> web.StreamResponse:
    current(request)  # any member of staff: finding a borrower is where work on them starts
    services = services_of(request)
    wanted = reference(request.match_info["borrower_id"])
    borrower = await borrower_by_id(wanted) if wanted else None
    if borrower is None:
        raise PageError(404, "Not found", "There is no such borrower.")
    now: datetime = services.clock()
    detail = await borrower_detail(borrower, now)
    return render(
        request,
        "borrower.html",
        d=detail,
        classifications={
            loan.loan_id: loan_classification(loan.days_past_due, services.policy) for loan in detail.loans
        },
        borrower_now=now.astimezone(ZoneInfo(borrower.timezone)),
        link_code=None,
        event_labels=EVENT_LABELS,
        risk=risk_panel(await risk_view(borrower.id)),
    )


async def search_page(request: web.Request) -> web.StreamResponse:
    current(request)
    query = request.rel_url.query.get("q", "")
    found = await find_borrowers(query) if query.strip() else []
    return render(request, "search.html", query=query, found=found)
