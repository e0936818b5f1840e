"""Queue pages: open cases of the member's queues with their SLA countdown, filters, "take next"."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from aiohttp import web

from bot.console.auth import redirect
from bot.console.common import NOTES, current, form_of
from bot.console.deps import services_of
from bot.console.render import render
from scheduler.sla import clock_of
from storage.case_actions import next_case_order, take_next
from storage.case_views import QueueFilter, assignable_staff, queue_cases
from storage.cases import CASE_KINDS, STATUSES
from storage.permissions import workable_queues

_FAR = timedelta(days=100_000)


def _filters(request: web.Request) -> QueueFilter:
    q = request.query
    return QueueFilter(
        queue=q.get("queue") or None,
        kind=q.get("kind") if q.get("kind") in CASE_KINDS else None,
        status=q.get("status") if q.get("status") in (*STATUSES, "active") else "active",
        assignee=q.get("assignee") or None,
    )


async def queue_page(request: web.Request) -> web.StreamResponse:
    staff = current(request)
    now = services_of(request).clock()
    workable = workable_queues(staff.role, staff.queues)
    filters = _filters(request)
    cases = await queue_cases(filters, workable)
    rows = [(case, clock_of(case, now)) for case in cases]
    # Most urgent first: the nearest deadline (overdue ones lead), then priority, then age.
    rows.sort(key=lambda row: (row[1].left if row[1] else _FAR, next_case_order(row[0])))
    return render(
        request,
        "queues.html",
        rows=rows,
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
