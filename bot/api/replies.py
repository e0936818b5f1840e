"""Read API for what replies lead to: promises, cases, and a borrower's whole timeline.

GET /api/v1/promises?borrower_id=X, GET /api/v1/cases?borrower_id=X&queue=Q&status=S,
GET /api/v1/borrowers/{borrower_id}/timeline. Amounts are strings with two decimals, times
ISO-8601 with offset, an unknown borrower is a 404 ``{"error", "message"}``.
"""

from __future__ import annotations

import re
from typing import Any, Final

from aiohttp import web

from bot.api.common import error, json_response, money
from bot.conversation.timeline import borrower_timeline
from bot.inputs import reference, shorten
from storage.cases import QUEUES, STATUSES, case_json
from storage.models import Borrower, Case, Promise

PROMISE_STATUSES: Final = ("open", "kept", "partly_kept", "broken", "cancelled")
MAX_ITEMS: Final = 1000


async def _borrower(request: web.Request) -> Borrower | web.Response | None:
    """The ``borrower_id`` query filter: None when absent, a 404 response when unknown."""
    wanted = request.query.get("borrower_id")
    if wanted is None:
        return None
    borrower_id = reference(wanted)
    borrower = await Borrower.get_or_none(borrower_id=borrower_id) if borrower_id else None
    if borrower is None:
        return error(404, "not_found", f"no borrower {shorten(wanted)}")
    return borrower


def _limit(request: web.Request) -> int | web.Response:
    raw = request.query.get("limit", str(MAX_ITEMS))
    # ASCII digits only: str.isdigit() also takes "²" and "٣", which int() then refuses.
    if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= MAX_ITEMS:
        return error(400, "bad_request", f"limit must be a whole number from 1 to {MAX_ITEMS}")
    return int(raw)


async def get_promises(request: web.Request) -> web.Response:
    borrower = await _borrower(request)
    if isinstance(borrower, web.Response):
        return borrower
    limit = _limit(request)
    if isinstance(limit, web.Response):
        return limit
    status = request.query.get("status")
    if status is not None and status not in PROMISE_STATUSES:
        return error(400, "bad_request", f"status must be one of {', '.join(PROMISE_STATUSES)}")
    query = Promise.all()
    if borrower is not None:
        query = query.filter(borrower_id=borrower.id)
    if status is not None:
        query = query.filter(status=status)
    rows = (
        await query.order_by("created_at", "id")
        .limit(limit)
        .values_list("id", "borrower__borrower_id", "loan__loan_id", "promised_date", "amount", "status", "created_at")
    )
    items = [
        {
            "id": pk,
            "borrower_id": borrower_id,
            "loan_id": loan_id,
            "promised_date": promised.isoformat(),
            "amount": money(amount),
            "status": state,
            "created_at": created.isoformat(),
        }
        for pk, borrower_id, loan_id, promised, amount, state, created in rows
    ]
    return json_response({"items": items})


async def get_cases(request: web.Request) -> web.Response:
    borrower = await _borrower(request)
    if isinstance(borrower, web.Response):
        return borrower
    limit = _limit(request)
    if isinstance(limit, web.Response):
        return limit
    filters: dict[str, Any] = {}
    for name, allowed in (("queue", QUEUES), ("status", STATUSES)):
        value = request.query.get(name)
        if value is None:
            continue
        if value not in allowed:
            return error(400, "bad_request", f"{name} must be one of {', '.join(allowed)}")
        filters[name] = value
    query = Case.filter(**filters)
    if borrower is not None:
        query = query.filter(borrower_id=borrower.id)
    cases = await query.order_by("opened_at", "id").limit(limit).prefetch_related("borrower", "loan", "assignee")
    items = [
        case_json(
            case,
            assignee=case.assignee.username if case.assignee else None,
            borrower_id=case.borrower.borrower_id if case.borrower else None,
            loan_id=case.loan.loan_id if case.loan else None,
        )
        for case in cases
    ]
    return json_response({"items": items})


async def get_timeline(request: web.Request) -> web.Response:
    wanted = request.match_info["borrower_id"]
    borrower_id = reference(wanted)
    borrower = await Borrower.get_or_none(borrower_id=borrower_id) if borrower_id else None
    if borrower is None:
        return error(404, "not_found", f"no borrower {shorten(wanted)}")
    return json_response({"borrower_id": borrower.borrower_id, "items": await borrower_timeline(borrower)})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/promises", get_promises)
    app.router.add_get("/api/v1/cases", get_cases)
    app.router.add_get("/api/v1/borrowers/{borrower_id}/timeline", get_timeline)
