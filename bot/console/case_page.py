"""The case page: the case and its SLA, the borrower's profile, loans (days past due and the
five-level classification), promises, the full timeline, and the action forms."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.console.common import NOTES, case_for, current
from bot.console.deps import channels_of, services_of
from bot.console.render import render
from bot.console.risk_panel import risk_panel
from scheduler.sla import clock_of
from scheduler.staff_reply import reply_verdict
from scheduler.tiers import loan_classification
from storage.case_actions import CONTACT_FIELDS, outcomes_for
from storage.case_views import assignable_staff, case_detail
from storage.linking import open_code
from storage.models import Case
from storage.permissions import can_act, may
from storage.views import RESTRICTION_KINDS, risk_view

# Timeline events worth a word instead of their raw kind.
EVENT_LABELS = {
    "case.opened": "Case opened",
    "case.event": "Added to case",
    "case.assigned": "Assigned",
    "case.unassigned": "Returned to the queue",
    "case.note": "Note",
    "case.reply": "Staff reply",
    "case.reply_refused": "Reply refused by the contact guard",
    "case.resolved": "Resolved",
    "case.reopened": "Reopened",
    "case.priority_raised": "Priority raised",
    "promise.recorded": "Promise recorded",
    "contact.paused": "Contact paused",
    "contact.resumed": "Contact resumed",
    "restriction.set": "Restriction set",
    "restriction.lifted": "Restriction lifted",
    "borrower.contact_corrected": "Contact data corrected",
    "borrower.contact_changed": "Contact state changed",
    "payment.recorded": "Payment",
    "evidence.exported": "Evidence exported",
    "risk.tier_changed": "Risk tier changed",
}


async def render_case(request: web.Request, case: Case, *, status: int = 200, error: str | None = None) -> web.Response:
    services = services_of(request)
    staff = current(request)
    now: datetime = services.clock()
    detail = await case_detail(case, now)
    channel, verdict = await reply_verdict(
        case, now=now, policy=services.policy, sending_enabled=services.settings.sending_enabled,
        channels=channels_of(request),
    )  # fmt: skip
    borrower = detail.borrower
    link_code = await open_code(case.borrower, now) if case.borrower is not None else None
    members = [
        s for s in await assignable_staff() if can_act(s.role, s.queues, case.queue)
    ] if may(staff.role, "assign_others") else []  # fmt: skip
    return render(
        request,
        "case.html",
        status=status,
        case=case,
        d=detail,
        clock=clock_of(case, now),
        classifications={
            loan.loan_id: loan_classification(loan.days_past_due, services.policy) for loan in detail.loans
        },
        borrower_now=now.astimezone(ZoneInfo(borrower.timezone)) if borrower else None,
        reply_channel=channel,
        reply_verdict=verdict,
        members=members,
        outcomes=outcomes_for(case.kind),
        link_code=link_code,
        restriction_kinds=RESTRICTION_KINDS,
        active_restrictions={r.kind for r in detail.restrictions},
        contact_fields=CONTACT_FIELDS,
        event_labels=EVENT_LABELS,
        risk=risk_panel(await risk_view(case.borrower_id)) if case.borrower_id is not None else None,
        note=NOTES.get(request.query.get("note", "")),
        error=error,
    )


async def case_page(request: web.Request) -> web.StreamResponse:
    return await render_case(request, await case_for(request))
