"""Promise follow-up: was the promise kept? Checked on each scheduler pass.

A promise is compared with the payments made on its loan since it was given (total paid now, up
to the promised date, minus ``paid_before``). It is settled:

- ``kept`` as soon as that covers the promised amount, or when the loan is paid off;
- otherwise, once the whole grace period has passed — the borrower's local date is past the
  promised date + ``posting_grace_days`` (payments take a while to be posted; a promise for Friday
  with a grace of 1 day is checked once Saturday has ended in the borrower's zone) —
  ``partly_kept`` when something was paid, else ``broken``, which opens a ``broken_promise`` case.

``promise_outcome`` is the decision (pure); ``PromiseCheck`` reads, settles and records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from config.policy import Policy
from storage.cases import CaseNotifier, open_case
from storage.interaction_log import InteractionLog, LogEvent
from storage.models import Borrower, Loan, Payment, Promise

Outcome = Literal["kept", "partly_kept", "broken"]


@dataclass(frozen=True, slots=True)
class PromiseFacts:
    promise_id: int
    promised_date: date
    amount: Decimal
    paid_since: Decimal  # paid on the loan since the promise, up to the promised date
    loan_paid_off: bool
    today: date  # the borrower's local date now


def promise_outcome(facts: PromiseFacts, grace_days: int) -> Outcome | None:
    """How the promise ended, or None while it is still open."""
    if facts.loan_paid_off or facts.paid_since >= facts.amount:
        return "kept"
    if facts.today <= facts.promised_date + timedelta(days=grace_days):
        return None  # the last grace day is not over yet
    return "partly_kept" if facts.paid_since > 0 else "broken"


@dataclass
class PromiseCheck:
    """A follow-up step for ``ServicingPass`` (``follow_ups=[("promises", PromiseCheck(...))]``)."""

    policy: Policy
    log: InteractionLog
    notify: CaseNotifier | None = None

    async def __call__(self, now: datetime) -> dict[str, int]:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        counts = {"kept": 0, "partly_kept": 0, "broken": 0}
        promises = await Promise.filter(status="open").order_by("id").prefetch_related("borrower", "loan")
        for promise in promises:
            outcome = promise_outcome(await self._facts(promise, now), self.policy.promises.posting_grace_days)
            if outcome is not None and await self._settle(promise, outcome, now):
                counts[outcome] += 1
        return counts

    async def _facts(self, promise: Promise, now: datetime) -> PromiseFacts:
        borrower: Borrower = promise.borrower
        zone = ZoneInfo(borrower.timezone)
        loan: Loan | None = promise.loan
        paid_since = Decimal(0)
        if loan is not None:
            rows: Sequence[tuple[Decimal, datetime]] = await Payment.filter(loan_id=loan.id).values_list(
                "amount", "paid_at"
            )
            by_date = sum(
                (
                    Decimal(amount)
                    for amount, paid_at in rows
                    if paid_at.astimezone(zone).date() <= promise.promised_date
                ),
                Decimal(0),
            )
            paid_since = max(Decimal(0), by_date - Decimal(promise.paid_before))
        return PromiseFacts(
            promise_id=promise.id,
            promised_date=promise.promised_date,
            amount=Decimal(promise.amount),
            paid_since=paid_since,
            loan_paid_off=loan is not None and loan.status == "paid_off",
            today=now.astimezone(zone).date(),
        )

    async def _settle(self, promise: Promise, outcome: Outcome, now: datetime) -> bool:
        # Conditional: of two passes racing on one promise, one settles it and records it.
        won = await Promise.filter(id=promise.id, status="open").update(status=outcome, settled_at=now)
        if not won:
            return False
        borrower: Borrower = promise.borrower
        facts = await self._facts(promise, now)
        await self.log.append(
            LogEvent(
                f"promise.{outcome}",
                now,
                borrower.borrower_id,
                data={
                    "promise_id": promise.id,
                    "loan_id": promise.loan.loan_id if promise.loan else None,
                    "promised_date": promise.promised_date.isoformat(),
                    "amount": f"{Decimal(promise.amount):.2f}",
                    "paid": f"{facts.paid_since:.2f}",
                    "loan_paid_off": facts.loan_paid_off,
                },
            )
        )
        if outcome == "broken":
            await open_case(
                borrower=borrower,
                kind="broken_promise",
                now=now,
                policy=self.policy,
                log=self.log,
                loan_pk=promise.loan_id,
                summary=f"promised {Decimal(promise.amount):.2f} by {promise.promised_date.isoformat()}; nothing paid",
                details={"promise_id": promise.id},
                notify=self.notify,
            )
        return True
