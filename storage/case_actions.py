"""What staff do to cases and borrowers: one function per action, each appending its log event.

The actor is named in every event (``staff:<username>``, or ``api`` for a lender system acting
without a person). Permission checks belong to the callers (console, API, staff chat), through
``storage.permissions``; these functions check only what the data itself forbids (a resolved case
cannot be assigned, a borrower keeps at most one open case per kind, …).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, cast
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError

from config.policy import PRIORITIES
from storage.interaction_log import InteractionLog, LogEvent
from storage.models import Borrower, Case, ContactPause, Loan, Payment, Promise, Restriction, StaffUser
from storage.permissions import takes_new_work
from storage.views import RESTRICTION_KINDS

OUTCOMES = (
    "paid",
    "plan_agreed",
    "restructured",
    "complaint_upheld",
    "complaint_rejected",
    "dispute_upheld",
    "dispute_rejected",
    "referred_to_legal",
    "no_action",
)
# Which outcomes end which kind of case: a complaint is upheld or rejected, a dispute likewise;
# neither of those words means anything on a collections or hardship case.
_COMPLAINT_OUTCOMES = ("complaint_upheld", "complaint_rejected", "no_action")
_DISPUTE_OUTCOMES = ("dispute_upheld", "dispute_rejected", "no_action")
_SERVICING_OUTCOMES = ("paid", "plan_agreed", "restructured", "referred_to_legal", "no_action")
OUTCOMES_BY_KIND: dict[str, tuple[str, ...]] = {"complaint": _COMPLAINT_OUTCOMES, "dispute": _DISPUTE_OUTCOMES}


def outcomes_for(kind: str) -> tuple[str, ...]:
    return OUTCOMES_BY_KIND.get(kind, _SERVICING_OUTCOMES)


CONTACT_FIELDS = ("phone", "telegram_chat_id")
_PRIORITY_RANK = {name: rank for rank, name in enumerate(PRIORITIES)}
MAX_NOTE = 4000


class CaseActionError(Exception):
    """The action cannot be done on this data; ``code`` is the API error code, the message says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def actor_for(staff: StaffUser) -> str:
    return f"staff:{staff.username}"


async def load_case(case_id: int) -> Case | None:
    return await Case.get_or_none(id=case_id).prefetch_related("borrower", "loan", "assignee")


def _borrower_id(case: Case) -> str | None:
    borrower: Borrower | None = case.borrower
    return borrower.borrower_id if borrower is not None else None


def _case_event(kind: str, case: Case, now: datetime, actor: str, **data: Any) -> LogEvent:
    return LogEvent(kind, now, _borrower_id(case), actor, {"case_id": case.id, "reference": case.reference, **data})


async def _reload(case: Case) -> Case:
    fresh = await load_case(case.id)
    assert fresh is not None
    return fresh


def _require_open(case: Case) -> None:
    if case.status == "resolved":
        raise CaseActionError("case_resolved", f"case {case.reference} is resolved; reopen it first")


# --- assignment ----------------------------------------------------------------------------------


async def assign(case: Case, to: StaffUser, *, now: datetime, log: InteractionLog, actor: str) -> Case:
    """Give the case to ``to`` (a supervisor's choice, or anyone taking it)."""
    _require_open(case)
    if to.disabled:
        raise CaseActionError("staff_disabled", f"{to.username}'s account is disabled")
    previous = case.assignee.username if case.assignee is not None else None
    await Case.filter(id=case.id).exclude(status="resolved").update(assignee_id=to.id, status="assigned")
    await log.append(_case_event("case.assigned", case, now, actor, to=to.username, previous=previous))
    return await _reload(case)


async def take(case: Case, staff: StaffUser, *, now: datetime, log: InteractionLog) -> Case:
    """The member takes an unassigned case (or one already theirs). Two racing takers: one wins."""
    _require_open(case)
    if case.assignee_id == staff.id:
        return case
    won = (
        await Case.filter(id=case.id, assignee_id__isnull=True)
        .exclude(status="resolved")
        .update(assignee_id=staff.id, status="assigned")
    )
    if not won:
        fresh = await _reload(case)
        holder = fresh.assignee.username if fresh.assignee is not None else "someone"
        raise CaseActionError("already_assigned", f"case {case.reference} is already assigned to {holder}")
    await log.append(_case_event("case.assigned", case, now, actor_for(staff), to=staff.username, previous=None))
    return await _reload(case)


def next_case_order(case: Case) -> tuple[int, datetime, datetime, int]:
    """Take-next order: highest priority, then the nearest first-response deadline, then the oldest."""
    far = datetime.max.replace(tzinfo=ZoneInfo("UTC"))
    return (-_PRIORITY_RANK.get(case.priority, 0), case.first_response_due or far, case.opened_at, case.id)


async def take_next(staff: StaffUser, queues: frozenset[str], *, now: datetime, log: InteractionLog) -> Case | None:
    """Assign the member the most urgent unassigned case of ``queues``; None when there is none."""
    candidates = await Case.filter(queue__in=sorted(queues), assignee_id__isnull=True).exclude(status="resolved")
    for case in sorted(candidates, key=next_case_order):
        try:
            return await take(await _reload(case), staff, now=now, log=log)
        except CaseActionError:
            continue  # somebody else took it a moment ago: try the next one
    return None


async def least_loaded(queue: str, *, exclude: int | None = None) -> StaffUser | None:
    """The available member of ``queue`` with the fewest open cases (ties: username order)."""
    members = [
        s
        for s in await StaffUser.filter(disabled=False, available=True).order_by("username")
        if takes_new_work(s.role, s.queues, queue) and s.id != exclude
    ]
    if not members:
        return None
    loads: dict[int, int] = {s.id: 0 for s in members}
    query = Case.filter(assignee_id__in=list(loads)).exclude(status="resolved")
    assigned = cast(list[int], await query.values_list("assignee_id", flat=True))
    for assignee_id in assigned:
        loads[assignee_id] += 1
    return min(members, key=lambda s: (loads[s.id], s.username))


async def auto_assign(case: Case, *, now: datetime, log: InteractionLog, actor: str) -> Case:
    _require_open(case)
    member = await least_loaded(case.queue)
    if member is None:
        raise CaseActionError("nobody_available", f"no available member of the {case.queue} queue")
    return await assign(case, member, now=now, log=log, actor=actor)


# --- notes, promises, first response -------------------------------------------------------------


def _clean_text(text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise CaseActionError("invalid", f"the {what} is empty")
    if len(text) > MAX_NOTE:
        raise CaseActionError("invalid", f"the {what} is longer than {MAX_NOTE} characters")
    return text


async def add_note(case: Case, text: str, *, now: datetime, log: InteractionLog, actor: str) -> Case:
    _require_open(case)
    text = _clean_text(text, "note")
    await log.append(_case_event("case.note", case, now, actor, text=text))
    return case


async def mark_first_response(case: Case, now: datetime) -> None:
    """The first contact with the borrower about the case (a reply, a promise taken, a resolution)."""
    await Case.filter(id=case.id, first_response_at__isnull=True).update(first_response_at=now)


def borrower_today(borrower: Borrower, now: datetime) -> date:
    return now.astimezone(ZoneInfo(borrower.timezone)).date()


def parse_amount(text: str) -> Decimal:
    try:
        amount = Decimal(text.strip())
        exact = amount.is_finite() and amount > 0 and amount == amount.quantize(Decimal("0.01"))
    except (InvalidOperation, AttributeError):  # not a number, or too many digits to quantize (1E+99)
        raise CaseActionError("invalid", f"{text!r} is not an amount") from None
    if not exact:
        raise CaseActionError("invalid", "an amount is positive with at most two decimals")
    return amount


async def record_promise(
    case: Case,
    loan: Loan,
    promised_date: date,
    amount: Decimal,
    *,
    now: datetime,
    log: InteractionLog,
    actor: str,
) -> Promise:
    """A promise taken by staff (any date from today on: staff may agree dates beyond the horizon).

    Reminders pause from today through the promised date, as for a promise the borrower makes.
    """
    borrower: Borrower | None = case.borrower
    if borrower is None or loan.borrower_id != borrower.id:
        raise CaseActionError("invalid", "the loan is not this case's borrower's")
    today = borrower_today(borrower, now)
    if promised_date < today:
        raise CaseActionError("invalid", f"the promised date {promised_date} is in the past (today is {today})")
    paid = sum((Decimal(v) for v in await Payment.filter(loan_id=loan.id).values_list("amount", flat=True)), Decimal(0))
    promise = await Promise.create(
        borrower=borrower,
        loan=loan,
        promised_date=promised_date,
        amount=amount,
        paid_before=paid,
        source="staff",
        created_at=now,
    )
    await ContactPause.create(
        borrower=borrower, loan_id=loan.loan_id, reason="promise", start_date=today, end_date=promised_date,
        note=f"promise {promise.id}", created_at=now,
    )  # fmt: skip
    await mark_first_response(case, now)
    await log.append(
        _case_event(
            "promise.recorded",
            case,
            now,
            actor,
            promise_id=promise.id,
            loan_id=loan.loan_id,
            promised_date=promised_date.isoformat(),
            amount=f"{amount:.2f}",
            currency=loan.currency,
        )
    )
    return promise


# --- contact pauses, restrictions, contact data ---------------------------------------------------


async def pause_contact(
    borrower: Borrower, until: date, reason: str, *, now: datetime, log: InteractionLog, actor: str
) -> ContactPause:
    today = borrower_today(borrower, now)
    if until < today:
        raise CaseActionError("invalid", f"the pause would end ({until}) before today ({today})")
    reason = _clean_text(reason, "reason")
    pause = await ContactPause.create(
        borrower=borrower, reason="manual", start_date=today, end_date=until, note=reason, created_at=now
    )
    await log.append(
        LogEvent(
            "contact.paused",
            now,
            borrower.borrower_id,
            actor,
            # The same keys as a pause a borrower's reply sets (start, end, reason).
            {"pause_id": pause.id, "start": today.isoformat(), "end": until.isoformat(), "reason": reason},
        )
    )
    return pause


async def resume_contact(
    borrower: Borrower, pause_id: int, reason: str, *, now: datetime, log: InteractionLog, actor: str
) -> None:
    reason = _clean_text(reason, "reason")
    pause = await ContactPause.get_or_none(id=pause_id, borrower_id=borrower.id, cancelled_at__isnull=True)
    if pause is None:
        raise CaseActionError("not_found", "no such pause in force")
    await ContactPause.filter(id=pause.id).update(cancelled_at=now)
    await log.append(
        LogEvent(
            "contact.resumed",
            now,
            borrower.borrower_id,
            actor,
            {"pause_id": pause.id, "pause_reason": pause.reason, "reason": reason},
        )
    )


def check_restriction_kind(kind: str) -> str:
    if kind not in RESTRICTION_KINDS:
        raise CaseActionError("invalid", f"unknown restriction {kind!r}; allowed: {', '.join(RESTRICTION_KINDS)}")
    return kind


async def set_restriction(
    borrower: Borrower, kind: str, note: str, *, now: datetime, log: InteractionLog, actor: str
) -> tuple[Restriction, bool]:
    """Set a restriction; (row, created). One already in force is left as it is (idempotent)."""
    check_restriction_kind(kind)
    existing = await Restriction.get_or_none(borrower_id=borrower.id, kind=kind, lifted_at__isnull=True)
    if existing is not None:
        return existing, False
    restriction = await Restriction.create(
        borrower=borrower, kind=kind, note=note.strip()[:MAX_NOTE], created_at=now, created_by=actor
    )
    await log.append(
        LogEvent("restriction.set", now, borrower.borrower_id, actor, {"kind": kind, "note": restriction.note})
    )
    return restriction, True


async def lift_restriction(
    borrower: Borrower, kind: str, note: str = "", *, now: datetime, log: InteractionLog, actor: str
) -> bool:
    """Lift a restriction in force; False when there was none."""
    check_restriction_kind(kind)
    lifted = await Restriction.filter(borrower_id=borrower.id, kind=kind, lifted_at__isnull=True).update(
        lifted_at=now, lifted_by=actor
    )
    if lifted:
        await log.append(
            LogEvent("restriction.lifted", now, borrower.borrower_id, actor, {"kind": kind, "note": note.strip()})
        )
    return bool(lifted)


async def correct_contact(
    borrower: Borrower, field: str, value: str, reason: str, *, now: datetime, log: InteractionLog, actor: str
) -> Borrower:
    """Correct the phone or the Telegram chat; the old value stays in the log.

    A corrected phone is no longer marked wrong and a corrected chat is usable again; opt-outs are
    the borrower's choice and stay as they are.
    """
    from storage.loanbook import check_chat_id, check_phone

    reason = _clean_text(reason, "reason")
    changes: dict[str, Any]
    if field == "phone":
        try:
            new_value: Any = check_phone(value.strip(), borrower.timezone)
        except ValueError as exc:
            raise CaseActionError("invalid", f"phone: {exc}") from None
        old = borrower.phone
        changes = {"phone": new_value, "phone_wrong": False}
    elif field == "telegram_chat_id":
        text = value.strip()
        try:
            new_value = check_chat_id(text)  # None when empty; a whole number the database can hold
        except ValueError as exc:
            raise CaseActionError("invalid", f"telegram_chat_id: {exc}") from None
        old = borrower.telegram_chat_id
        changes = {"telegram_chat_id": new_value, "telegram_usable": True}
    else:
        raise CaseActionError("invalid", f"unknown contact field {field!r}; allowed: {', '.join(CONTACT_FIELDS)}")
    if old == new_value:
        raise CaseActionError("invalid", f"{field} is already {value.strip()!r}")
    if new_value is not None:
        # Another borrower's phone or chat would carry this borrower's debt to them.
        holder = await Borrower.filter(**{field: new_value}).exclude(id=borrower.id).first()
        if holder is not None:
            raise CaseActionError(
                "invalid", f"{field}: {value.strip()!r} is borrower {holder.borrower_id}'s; correct that one first"
            )
    await Borrower.filter(id=borrower.id).update(**changes)
    for name, change in changes.items():
        setattr(borrower, name, change)
    await log.append(
        LogEvent(
            "borrower.contact_corrected",
            now,
            borrower.borrower_id,
            actor,
            {"field": field, "old": old, "new": new_value, "reason": reason},
        )
    )
    return borrower


# --- resolution ----------------------------------------------------------------------------------


def check_outcome(outcome: str, kind: str | None = None) -> str:
    if outcome not in OUTCOMES:
        raise CaseActionError("invalid", f"unknown outcome {outcome!r}; allowed: {', '.join(OUTCOMES)}")
    if kind is not None and outcome not in outcomes_for(kind):
        allowed = ", ".join(outcomes_for(kind))
        raise CaseActionError("invalid", f"outcome {outcome!r} does not end a {kind} case; allowed: {allowed}")
    return outcome


async def resolve(case: Case, outcome: str, note: str = "", *, now: datetime, log: InteractionLog, actor: str) -> Case:
    check_outcome(outcome, case.kind)
    _require_open(case)
    done = (
        await Case.filter(id=case.id)
        .exclude(status="resolved")
        .update(status="resolved", outcome=outcome, resolved_at=now, open_key=None)
    )
    if not done:
        raise CaseActionError("case_resolved", f"case {case.reference} is already resolved")
    await mark_first_response(case, now)
    await log.append(_case_event("case.resolved", case, now, actor, outcome=outcome, note=note.strip()))
    if case.kind == "payment_check" and case.borrower_id is not None:
        await _lift_claim_pause(case, now, log, actor)
    return await _reload(case)


async def borrower_has_loan(borrower: Borrower, loan_id: str) -> bool:
    return await Loan.filter(borrower_id=borrower.id, loan_id=loan_id).exists()


async def _lift_claim_pause(case: Case, now: datetime, log: InteractionLog, actor: str) -> None:
    """The claim to have paid is settled: collection contact about the loan may resume."""
    lifted = await ContactPause.filter(
        borrower_id=case.borrower_id, reason="payment_claim", cancelled_at__isnull=True
    ).update(cancelled_at=now)
    if lifted:
        borrower = await Borrower.get(id=case.borrower_id)
        await log.append(
            LogEvent(
                "contact.pause_lifted",
                now,
                borrower.borrower_id,
                actor,
                {"reason": "payment_claim", "because": f"case {case.reference} resolved"},
            )
        )


async def reopen(case: Case, reason: str, *, now: datetime, log: InteractionLog, actor: str) -> Case:
    """Reopen a resolved case, unless the borrower has since got another open case of its kind."""
    if case.status != "resolved":
        raise CaseActionError("case_open", f"case {case.reference} is not resolved")
    reason = _clean_text(reason, "reason")
    borrower: Borrower | None = case.borrower
    open_key = f"{borrower.id}:{case.kind}" if borrower is not None else None
    try:
        await Case.filter(id=case.id, status="resolved").update(
            status="assigned" if case.assignee_id else "open", outcome=None, resolved_at=None, open_key=open_key
        )
    except IntegrityError:
        other = await Case.get_or_none(open_key=open_key)
        ref = other.reference if other else "another case"
        raise CaseActionError(
            "conflict", f"the borrower already has an open {case.kind} case ({ref}); add to that one"
        ) from None
    await log.append(_case_event("case.reopened", case, now, actor, reason=reason, previous_outcome=case.outcome))
    return await _reload(case)


@dataclass(frozen=True, slots=True)
class RaisedPriority:
    case_id: int
    old: str
    new: str


def raised(priority: str) -> str:
    """One step up, stopping at the top."""
    rank = min(_PRIORITY_RANK.get(priority, 1) + 1, len(PRIORITIES) - 1)
    return PRIORITIES[rank]


async def raise_priority(case: Case, why: str, *, now: datetime, log: InteractionLog, actor: str) -> RaisedPriority:
    new = raised(case.priority)
    if new != case.priority:
        await Case.filter(id=case.id).update(priority=new)
    await log.append(_case_event("case.priority_raised", case, now, actor, old=case.priority, new=new, why=why))
    result = RaisedPriority(case.id, case.priority, new)
    case.priority = new
    return result
