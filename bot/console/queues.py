"""Queue pages: open cases of the member's queues with their SLA countdown, filters, "take next"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.console.auth import redirect
from bot.console.common import NOTES, current, form_of
from bot.console.deps import services_of
from bot.console.render import render
from scheduler.sla import SlaClock, clock_of
from storage.case_actions import take_next
from storage.case_views import QueueFilter, assignable_staff
from storage.cases import CASE_KINDS, STATUSES
from storage.permissions import workable_queues
from storage.queue_views import QUEUE_SORTS, RowFacts
from storage.queue_views import queue_page as queue_page_of

if TYPE_CHECKING:
    from storage.models import Case


def _filters(request: web.Request) -> QueueFilter:
    q = request.query
    return QueueFilter(
        queue=q.get("queue") or None,
        kind=q.get("kind") if q.get("kind") in CASE_KINDS else None,
        status=q.get("status") if q.get("status") in (*STATUSES, "active") else "active",
        assignee=q.get("assignee") or None,
    )


@dataclass(frozen=True, slots=True)
class QueueRow:
    case: Case
    clock: SlaClock | None
    days_past_due: int  # the borrower's most overdue unpaid installment, in their own calendar
    overdue: dict[str, Decimal]
    last_in: datetime | None
    last_out: datetime | None
    local_time: str  # the borrower's wall clock now


def _row(case: Case, facts: RowFacts | None, now: datetime) -> QueueRow:
    borrower = case.borrower
    if borrower is None or facts is None:
        return QueueRow(case, clock_of(case, now), 0, {}, None, None, "")
    local = now.astimezone(ZoneInfo(borrower.timezone))
    dpd = max((local.date() - facts.oldest_unpaid_due).days, 0) if facts.oldest_unpaid_due else 0
    return QueueRow(
        case, clock_of(case, now), dpd, facts.overdue, facts.last_in, facts.last_out, local.strftime("%a %H:%M")
    )


def _page_number(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) < 7 else 1


async def queue_page(request: web.Request) -> web.StreamResponse:
    staff = current(request)
    now = services_of(request).clock()
    workable = workable_queues(staff.role, staff.queues)
    filters = _filters(request)
    sort = request.query.get("sort", "deadline")
    sort = sort if sort in QUEUE_SORTS else "deadline"
    listing = await queue_page_of(filters, workable, sort=sort, page=_page_number(request.query.get("page")))
    rows = [_row(case, listing.facts.get(case.borrower_id or 0), now) for case in listing.cases]
    kept = {k: v for k, v in request.query.items() if k in ("queue", "kind", "status", "assignee", "sort") and v}
    return render(
        request,
        "queues.html",
        rows=rows,
        listing=listing,
        sort=sort,
        sorts=QUEUE_SORTS,
        page_link=lambda n: "/console/?" + urlencode({**kept, "page": n}),
        mine="/console/?" + urlencode({"assignee": staff.username}),
        filters=filters,
        queues=sorted(workable),
        kinds=CASE_KINDS,
        statuses=(*STATUSES, "active"),
        members=[s.username for s in await assignable_staff()],
        note=NOTES.get(request.query.get("note", "")),
        now=now,
    )


async def take_next_submit(request: web.Request) -> web.StreamResponse:
    staff = current(request)
    services = services_of(request)
    form = await form_of(request)
    workable = workable_queues(staff.role, staff.queues)
    wanted = form.get("queue", "")
    queues = workable & {wanted} if wanted else workable
    case = await take_next(staff, frozenset(queues), now=services.clock(), log=services.log)
    if case is None:
        back = {"note": "nothing_to_take", **({"queue": wanted} if wanted in workable else {})}
        return redirect(f"/console/?{urlencode(back)}")
    return redirect(f"/console/cases/{case.id}?note=taken")
