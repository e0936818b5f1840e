"""Read models behind the staff console: queue listings, a case with its borrower, the timeline,
the complaints register and the evidence bundle. Plain data out; no formatting decisions here."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from storage.chain import chain_for
from storage.interaction_log import InteractionLog
from storage.models import (
    Borrower,
    Case,
    ContactPause,
    Installment,
    Loan,
    LogEntry,
    Message,
    Payment,
    Promise,
    StaffUser,
)
from storage.views import active_restrictions, borrower_view, installment_status, plain_text

# The log repeats what the messages table shows (planned, sent, deferred…); the timeline takes
# messages from the table, where the delivery status is current, and every other event from the log.
_MESSAGE_EVENTS = "message."


@dataclass(frozen=True, slots=True)
class QueueFilter:
    queue: str | None = None
    kind: str | None = None
    status: str | None = None  # open, assigned, waiting, resolved, or "active" (anything but resolved)
    assignee: str | None = None  # a username, or "none" for unassigned


@dataclass(frozen=True, slots=True)
class InstallmentRow:
    installment_no: int
    due_date: date
    amount_due: Decimal
    amount_paid: Decimal
    state: str
    days_past_due: int  # 0 unless unpaid and past its due date in the borrower's calendar


@dataclass(frozen=True, slots=True)
class LoanRow:
    loan_id: str
    product: str
    currency: str
    status: str
    installments: tuple[InstallmentRow, ...]

    @property
    def days_past_due(self) -> int:
        return max((i.days_past_due for i in self.installments), default=0)

    @property
    def outstanding(self) -> Decimal:
        return sum((max(i.amount_due - i.amount_paid, Decimal(0)) for i in self.installments), Decimal(0))


async def borrower_loans(borrower: Borrower, now: datetime) -> list[LoanRow]:
    today = now.astimezone(ZoneInfo(borrower.timezone)).date()
    rows = []
    for loan in await Loan.filter(borrower_id=borrower.id).order_by("loan_id"):
        installments = await Installment.filter(loan_id=loan.id).order_by("installment_no")
        rows.append(
            LoanRow(
                loan_id=loan.loan_id,
                product=loan.product,
                currency=loan.currency,
                status=loan.status,
                installments=tuple(
                    InstallmentRow(
                        installment_no=i.installment_no,
                        due_date=i.due_date,
                        amount_due=Decimal(i.amount_due),
                        amount_paid=Decimal(i.amount_paid),
                        state=installment_status(i.state, i.due_date, today),  # as the API says it
                        days_past_due=(today - i.due_date).days
                        if i.state in ("open", "partially_paid") and i.due_date < today
                        else 0,
                    )
                    for i in installments
                ),
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class TimelineItem:
    at: datetime
    type: str  # "message" or "event"
    kind: str
    actor: str = ""
    direction: str | None = None
    channel: str | None = None
    status: str | None = None
    text: str = ""
    intent: str | None = None
    guard_rule: str | None = None
    guard_reason: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    seq: int | None = None


async def timeline(borrower: Borrower) -> list[TimelineItem]:
    """Every message in and out (delivery status, intent, guard decision) and every other logged
    event of the borrower (cases, notes, staff actions, payments…), oldest first.

    Events at the same instant keep the log's order; an outbound message takes the place of the
    log entry that recorded its sending, and a borrower's message comes before what it set off.
    """
    entries = await LogEntry.filter(chain=chain_for(borrower.borrower_id)).order_by("seq")
    message_seq: dict[str, int] = {}
    for entry in entries:
        if entry.kind.startswith(_MESSAGE_EVENTS):
            key = json.loads(entry.data).get("key")
            if isinstance(key, str):
                message_seq.setdefault(key, entry.seq)
    items: list[TimelineItem] = []
    for m in await Message.filter(borrower_id=borrower.id).order_by("created_at", "id"):
        items.append(
            TimelineItem(
                at=m.sent_at or m.created_at,
                type="message",
                kind=m.kind,
                actor=m.actor,
                direction=m.direction,
                channel=m.channel,
                status=m.status,
                text=plain_text(m.body, m.channel) if m.direction == "out" else m.body,
                intent=m.intent,
                guard_rule=m.guard_rule,
                guard_reason=m.guard_reason,
                data={
                    "key": m.idempotency_key,
                    "error": m.error_code,
                    "attempt_of": m.attempt_of,
                    **{k: m.payload[k] for k in ("risk_tier", "variant", "experiment", "arm") if m.payload.get(k)},
                },
                seq=message_seq.get((m.idempotency_key or "").split("#", 1)[0]),
            )
        )
    for entry in entries:
        if entry.kind.startswith(_MESSAGE_EVENTS):
            continue
        items.append(
            TimelineItem(
                at=entry.at,
                type="event",
                kind=entry.kind,
                actor=entry.actor,
                data=json.loads(entry.data),
                seq=entry.seq,
            )
        )
    return sorted(items, key=lambda i: (i.at, i.seq if i.seq is not None else -1))


@dataclass(frozen=True, slots=True)
class CaseDetail:
    """A borrower's record (for a case page: with the case, and their other cases)."""

    case: Case | None
    borrower: Borrower | None
    restrictions: list[Any]
    pauses: list[ContactPause]
    loans: list[LoanRow]
    promises: list[Promise]
    other_cases: list[Case]
    timeline: list[TimelineItem]
    payments: list[Payment]


async def case_detail(case: Case, now: datetime) -> CaseDetail:
    borrower: Borrower | None = case.borrower
    if borrower is None:
        return CaseDetail(case, None, [], [], [], [], [], [], [])
    return await borrower_detail(borrower, now, case)


async def borrower_detail(borrower: Borrower, now: datetime, case: Case | None = None) -> CaseDetail:
    """Everything the console shows of a borrower; ``case``: the one being worked (left out of the cases)."""
    pauses = await ContactPause.filter(borrower_id=borrower.id, cancelled_at__isnull=True).order_by("start_date")
    today = now.astimezone(ZoneInfo(borrower.timezone)).date()
    cases = Case.filter(borrower_id=borrower.id)
    return CaseDetail(
        case=case,
        borrower=borrower,
        restrictions=await active_restrictions(borrower),
        pauses=[p for p in pauses if p.end_date >= today],
        loans=await borrower_loans(borrower, now),
        promises=await Promise.filter(borrower_id=borrower.id).prefetch_related("loan").order_by("-created_at"),
        other_cases=await (cases.exclude(id=case.id) if case is not None else cases).order_by("-opened_at"),
        timeline=await timeline(borrower),
        payments=await Payment.filter(loan__borrower_id=borrower.id).prefetch_related("loan").order_by("-paid_at"),
    )


async def complaints_register() -> list[Case]:
    return await Case.filter(kind="complaint").prefetch_related("borrower", "assignee").order_by("-opened_at")


async def staff_loads() -> dict[int, int]:
    """Open cases per assignee."""
    loads: dict[int, int] = {}
    query = Case.filter(assignee_id__isnull=False).exclude(status="resolved")
    assigned = cast(list[int], await query.values_list("assignee_id", flat=True))
    for assignee_id in assigned:
        loads[assignee_id] = loads.get(assignee_id, 0) + 1
    return loads


async def assignable_staff() -> list[StaffUser]:
    return await StaffUser.filter(disabled=False).order_by("username")


# --- evidence ------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


async def evidence_bundle(borrower: Borrower, log: InteractionLog, now: datetime) -> dict[str, Any]:
    """A borrower's complete record with the hash-chain proof, for disputes and regulators.

    ``chain`` lists every log entry with its ``prev_hash`` and ``hash``: each hash is an
    HMAC-SHA256 sealing the entry and the one before, so the list links from the genesis hash
    (64 zeros) to ``head``. ``verification`` is duebot's check of the seals at export time.
    """
    verifier = await log.verify(borrower.borrower_id)
    entries = await LogEntry.filter(chain=chain_for(borrower.borrower_id)).order_by("seq")
    messages = await Message.filter(borrower_id=borrower.id).order_by("created_at", "id")
    cases = await Case.filter(borrower_id=borrower.id).prefetch_related("assignee", "loan").order_by("opened_at")
    promises = await Promise.filter(borrower_id=borrower.id).prefetch_related("loan").order_by("created_at")
    loans = await borrower_loans(borrower, now)
    return {
        "format": "duebot-evidence/1",
        "exported_at": now.isoformat(),
        "borrower": await borrower_view(borrower.borrower_id, now),
        "loans": [
            {
                "loan_id": loan.loan_id,
                "product": loan.product,
                "currency": loan.currency,
                "status": loan.status,
                "installments": [
                    {k: _plain(getattr(i, k)) for k in InstallmentRow.__dataclass_fields__} for i in loan.installments
                ],
            }
            for loan in loans
        ],
        "cases": [
            {
                "reference": c.reference,
                "kind": c.kind,
                "queue": c.queue,
                "status": c.status,
                "priority": c.priority,
                "category": c.category,
                "loan_id": c.loan.loan_id if c.loan else None,
                "opened_at": _plain(c.opened_at),
                "first_response_due": _plain(c.first_response_due),
                "first_response_at": _plain(c.first_response_at),
                "resolve_due": _plain(c.resolve_due),
                "resolved_at": _plain(c.resolved_at),
                "outcome": c.outcome,
                "assignee": c.assignee.username if c.assignee else None,
            }
            for c in cases
        ],
        "promises": [
            {
                "loan_id": p.loan.loan_id if p.loan else None,
                "promised_date": _plain(p.promised_date),
                "amount": _plain(Decimal(p.amount)),
                "status": p.status,
                "source": p.source,
                "created_at": _plain(p.created_at),
                "settled_at": _plain(p.settled_at),
            }
            for p in promises
        ],
        "messages": [
            {
                "direction": m.direction,
                "channel": m.channel,
                "kind": m.kind,
                "status": m.status,
                "address": m.address,
                "text": m.body,
                "intent": m.intent,
                "guard_rule": m.guard_rule,
                "guard_reason": m.guard_reason,
                "created_at": _plain(m.created_at),
                "sent_at": _plain(m.sent_at),
                "provider_message_id": m.provider_message_id,
                "key": m.idempotency_key,
            }
            for m in messages
        ],
        "chain": {
            "name": chain_for(borrower.borrower_id),
            "genesis": "0" * 64,
            "head": entries[-1].hash if entries else "0" * 64,
            "entries": [
                {
                    "seq": e.seq,
                    "at": _plain(e.at),
                    "kind": e.kind,
                    "actor": e.actor,
                    "data": json.loads(e.data),
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                }
                for e in entries
            ],
        },
        "verification": {
            "algorithm": "HMAC-SHA256 over (chain, seq, at, kind, actor, canonical data, prev_hash)",
            "checked": verifier.checked,
            "intact": verifier.first_break is None,
            "first_break": verifier.first_break.describe() if verifier.first_break else None,
        },
    }
