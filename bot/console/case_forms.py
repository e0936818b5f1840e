"""The case page's forms: one POST handler per action, each calling the one storage (or scheduler)
function that changes state and logs it with the member as actor. Success redirects back to the
case (303, so a reload does not repeat the action); a refusal re-renders the page saying why."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.console.auth import redirect
from bot.console.case_page import render_case
from bot.console.common import PageError, case_for, current, form_of
from bot.console.deps import reply_as, services_of
from bot.inputs import reference, row_id
from storage import case_actions as actions
from storage.case_actions import CaseActionError, actor_for
from storage.importer import import_payment_rows
from storage.linking import current_code
from storage.loanbook import RowsRefused, validate_payment_row
from storage.models import Borrower, Case, Loan, StaffUser
from storage.permissions import can_act, may

Action = Callable[[web.Request, Case, StaffUser, dict[str, str]], Awaitable[str]]
_STATUS = {"invalid": 422, "not_found": 404, "forbidden": 403}


def _date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CaseActionError("invalid", f"the {what} is not a date (YYYY-MM-DD)") from None


def _borrower(case: Case) -> Borrower:
    if case.borrower is None:
        raise CaseActionError("invalid", "the case has no borrower")
    return case.borrower


async def _take(request: web.Request, case: Case, staff: StaffUser, form: dict[str, str]) -> str:
    services = services_of(request)
    await actions.take(case, staff, now=services.clock(), log=services.log)
    return "taken"


async def _assign(request: web.Request, case: Case, staff: StaffUser, form: dict[str, str]) -> str:
    services = services_of(request)
    if not may(staff.role, "assign_others"):
        raise CaseActionError("forbidden", "only supervisors assign cases to others; use Take")
    target = form.get("to", "")
    if target == "auto":
        await actions.auto_assign(case, now=services.clock(), log=services.log, actor=actor_for(staff))
        return "assigned"
    member = await StaffUser.get_or_none(username=target) if len(target) <= 64 else None
    if member is None or not can_act(member.role, member.queues, case.queue):
        raise CaseActionError("invalid", f"{target!r} may not work the {case.queue} queue")
    await actions.assign(case, member, now=services.clock(), log=services.log, actor=actor_for(staff))
    return "assigned"


async def _note(request: web.Request, case: Case, staff: StaffUser, form: dict[str, str]) -> str:
    services = services_of(request)
    await actions.add_note(case, form.get("text", ""), now=services.clock(), log=services.log, actor=actor_for(staff))
    return "noted"


async def _reply(request: web.Request, case: Case, staff: StaffUser, form: dict[str, str]) -> str:
    outcome = await reply_as(request, case, staff, form.get("text", ""))
    if not outcome.accepted:
        raise CaseActionError("contact_not_allowed", f"Not sent: {outcome.verdict.reason} ({outcome.verdict.rule}).")
    return "replied"


async def _promise(request: web.Request, case: Case, staff: StaffUser, form: dict[str, str]) -> str:
    services = services_of(request)
    borrower = _borrower(case)
    loan_id = reference(form.get("loan_id", ""))
    loan = await Loan.get_or_none(loan_id=loan_id, borrower_id=borrower.id) if loan_id else None
    if loan is None:
        raise CaseActionError("invalid", "choose one of the borrower's loans")
    await actions.record_promise(
        case,
        loan,
        _date(form.get("promised_date", ""), "promised date"),
        actions.parse_amount(form.get("amount", "")),
        now=services.clock(),
        log=services.log,
        actor=actor_for(staff),
    )
    return "promise"


async def _pause(request: web.Request, case: Case, staff: StaffUser, form: dict[str, str]) -> str:
    services = services_of(request)
    until = _date(form.get("until", ""), "end date")
    await actions.pause_contact(
        _borrower(case), until, form.get("reason", ""), now=services.clock(), log=services.log, actor=actor_for(staff)
    )
    return "paused"


async def _resume(request: web.Request, case: Case, staff: StaffUser, form: dict[str, str]) -> str:
    services = services_of(request)
    pause_id = row_id(form.get("pause_id", ""))
    if pause_id is None:
        raise CaseActionError("invalid", "no pause chosen")
    await actions.resume_contact(
        _borrower(case), pause_id, form.get("reason", ""), now=services.clock(), log=services.log,
        actor=actor_for(staff),
    )  # fmt: skip
    return "resumed"


async def _restrict(request: web.Request, case: Case, staff: StaffUser, form: dict[str, str]) -> str:
    services = services_of(request)
    await actions.set_restriction(
        _borrower(case), form.get("kind", ""), form.get("note", ""), now=services.clock(), log=services.log,
        actor=actor_for(staff),
    )  # fmt: skip
    return "restricted"


async def _lift(request: web.Request, case: Case, staff: StaffUser, form: dict[str, str]) -> str:
    services = services_of(request)
    lifted = await actions.lift_restriction(
        _borrower(case), form.get("kind", ""), form.get("note", ""), now=services.clock(), log=services.log,
        actor=actor_for(staff),
    )  # fmt: skip
    if not lifted:
        raise CaseActionError("not_found", "that restriction is not in force")
    return "lifted"


async def _contact(request: web.Request, case: Case, staff: StaffUser, form: dict[str, str]) -> str:
    services = services_of(request)
    await actions.correct_contact(
        _borrower(case), form.get("field", ""), form.get("value", ""), form.get("reason", ""),
        now=services.clock(), log=services.log, actor=actor_for(staff),
    )  # fmt: skip
    return "contact"


async def _link(request: web.Request, case: Case, staff: StaffUser, form: dict[str, str]) -> str:
    """A Telegram link code for the borrower to send the bot (read out on a call, or in a reply)."""
    services = services_of(request)
    await current_code(_borrower(case), services.clock(), log=services.log, issued_by=actor_for(staff))
    return "link"


async def _resolve(request: web.Request, case: Case, staff: StaffUser, form: dict[str, str]) -> str:
    services = services_of(request)
    await actions.resolve(
        case, form.get("outcome", ""), form.get("note", ""), now=services.clock(), log=services.log,
        actor=actor_for(staff),
    )  # fmt: skip
    return "resolved"


async def _reopen(request: web.Request, case: Case, staff: StaffUser, form: dict[str, str]) -> str:
    services = services_of(request)
    await actions.reopen(case, form.get("reason", ""), now=services.clock(), log=services.log, actor=actor_for(staff))
    return "reopened"


async def _payment(request: web.Request, case: Case, staff: StaffUser, form: dict[str, str]) -> str:
    """A payment the borrower made, recorded by staff: the rules of ``POST /api/v1/payments``
    (idempotent by reference), logged with the member as actor, settling installments oldest first."""
    borrower = _borrower(case)
    services = services_of(request)
    paid_on = _date(form.get("paid_on", ""), "payment date")
    # Noon in the borrower's zone: a payment dated D falls on D there, whatever the staff's zone.
    paid_at = datetime.combine(paid_on, time(12), tzinfo=ZoneInfo(borrower.timezone))
    if paid_at > services.clock():
        raise CaseActionError("invalid", "the payment date is in the future")
    raw = {
        "payment_id": form.get("reference", "").strip(),
        "loan_id": form.get("loan_id", ""),
        "amount": form.get("amount", "").strip(),
        "paid_at": paid_at.isoformat(),
    }
    row, errors = validate_payment_row(raw, 0)
    if row is None:
        raise CaseActionError("invalid", "; ".join(f"{e.field}: {e.message}" for e in errors))
    if not await actions.borrower_has_loan(borrower, row.loan_id):
        raise CaseActionError("invalid", f"loan {row.loan_id} is not this borrower's")
    try:
        await import_payment_rows([row], now=services.clock(), log=services.log, actor=actor_for(staff))
    except RowsRefused as refused:
        raise CaseActionError("conflict", refused.errors[0].message) from None
    return "payment"


ACTIONS: dict[str, Action] = {
    "payment": _payment,
    "take": _take,
    "assign": _assign,
    "note": _note,
    "reply": _reply,
    "promise": _promise,
    "pause": _pause,
    "resume": _resume,
    "restrict": _restrict,
    "lift": _lift,
    "contact": _contact,
    "link": _link,
    "resolve": _resolve,
    "reopen": _reopen,
}


async def case_action(request: web.Request) -> web.StreamResponse:
    handler = ACTIONS.get(request.match_info["action"])
    if handler is None:
        raise PageError(404, "Not found", "There is no such action.")
    case = await case_for(request)
    try:
        note = await handler(request, case, current(request), await form_of(request))
    except CaseActionError as exc:
        fresh = await actions.load_case(case.id)
        return await render_case(request, fresh or case, status=_STATUS.get(exc.code, 409), error=str(exc))
    return redirect(f"/console/cases/{case.id}?note={note}")
