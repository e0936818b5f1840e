"""Early-warning signals: a borrower's history facts → the warnings in force (pure).

Each warning is ``EarlyWarning(signal, level, since, detail)``; at most one per signal and borrower (a
signal seen on several loans is one warning whose detail names them). Levels and thresholds come
from the policy's ``[warnings]`` rules. ``since`` is an instant: when the signal started to hold
(the payment that completed a pattern, the day a threshold was crossed), or, for a state whose
start duebot does not record (contact lost), the first pass that saw it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from config.risk_policy import LEVELS, WARNING_SIGNALS, Warnings
from scheduler.buckets import bucket_rank


@dataclass(frozen=True, slots=True)
class EarlyWarning:
    signal: str
    level: str
    since: datetime
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"signal": self.signal, "level": self.level, "since": self.since.isoformat(), "detail": self.detail}


@dataclass(frozen=True, slots=True)
class LoanWatch:
    """What the risk pass remembers of a loan: its bucket when last seen, and a jump still in force."""

    bucket: str
    jump_from: str | None = None
    jump_to: str | None = None
    jumped_at: datetime | None = None


def watch_next(previous: LoanWatch | None, bucket: str, now: datetime, min_buckets: int) -> LoanWatch:
    """The loan's watch after this pass: a move up of ``min_buckets`` or more records a jump, which
    stays in force until the loan falls back below the bucket it jumped to."""
    if previous is None:  # first sight: nothing to compare with
        return LoanWatch(bucket)
    if bucket_rank(bucket) - bucket_rank(previous.bucket) >= min_buckets:
        return LoanWatch(bucket, previous.bucket, bucket, now)
    if previous.jump_to is not None and bucket_rank(bucket) >= bucket_rank(previous.jump_to):
        return LoanWatch(bucket, previous.jump_from, previous.jump_to, previous.jumped_at)
    return LoanWatch(bucket)


@dataclass(frozen=True, slots=True)
class Payment:
    at: datetime
    amount: Decimal


@dataclass(frozen=True, slots=True)
class LoanFacts:
    loan_id: str
    installment_amount: Decimal  # the loan's smallest installment amount due
    payments: tuple[Payment, ...] = ()  # the loan's latest payments, newest first
    first_unpaid_due: date | None = None  # the first installment's due date, while it is unpaid
    watch: LoanWatch | None = None  # after this pass (``watch_next``)


@dataclass(frozen=True, slots=True)
class WarningFacts:
    now: datetime
    timezone: str
    loans: tuple[LoanFacts, ...] = ()  # active loans
    broken_promises_at: tuple[datetime, ...] = ()  # when each recent broken promise was found broken
    contact_lost: bool = False
    last_hardship_at: datetime | None = None  # the borrower's latest hardship reply
    last_reply_at: datetime | None = None  # the borrower's latest message of any kind
    last_payment_at: datetime | None = None  # the latest payment on any of the borrower's loans
    known_since: Mapping[str, datetime] = field(default_factory=dict)  # the last pass's ``since`` per signal


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _local_midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))


def _declining(loan: LoanFacts, count: int) -> tuple[datetime, str] | None:
    last = loan.payments[:count]
    if len(last) < count or not all(last[i].amount < last[i + 1].amount for i in range(count - 1)):
        return None
    amounts = ", ".join(_money(p.amount) for p in reversed(last))
    return last[0].at, f"loan {loan.loan_id}: the last {count} payments each smaller than the one before ({amounts})"


def _partial(loan: LoanFacts, count: int) -> tuple[datetime, str] | None:
    last = loan.payments[:count]
    if len(last) < count or not all(p.amount < loan.installment_amount for p in last):
        return None
    amounts = ", ".join(_money(p.amount) for p in reversed(last))
    return (
        last[0].at,
        f"loan {loan.loan_id}: the last {count} payment(s) ({amounts}) each below one installment "
        f"({_money(loan.installment_amount)})",
    )


def _first_default(loan: LoanFacts, facts: WarningFacts, dpd: int) -> tuple[datetime, str] | None:
    due = loan.first_unpaid_due
    today = facts.now.astimezone(ZoneInfo(facts.timezone)).date()
    if due is None or (today - due).days < dpd:
        return None
    return (
        _local_midnight(due + timedelta(days=dpd), facts.timezone),
        f"loan {loan.loan_id}: first installment (due {due.isoformat()}) still unpaid, "
        f"{(today - due).days} days past due",
    )


def _jump(loan: LoanFacts) -> tuple[datetime, str] | None:
    watch = loan.watch
    if watch is None or watch.jumped_at is None:
        return None
    return watch.jumped_at, f"loan {loan.loan_id}: moved from {watch.jump_from} to {watch.jump_to} days past due"


def _per_loan(signal: str, level: str, found: list[tuple[datetime, str]]) -> EarlyWarning | None:
    if not found:
        return None
    return EarlyWarning(signal, level, min(at for at, _ in found), "; ".join(detail for _, detail in sorted(found)))


def early_warnings(facts: WarningFacts, rules: Warnings) -> tuple[EarlyWarning, ...]:
    """The warnings in force at ``facts.now``, in ``WARNING_SIGNALS`` order."""
    if facts.now.tzinfo is None:
        raise ValueError("warnings need a timezone-aware instant")
    found: dict[str, EarlyWarning | None] = {}
    r = rules
    if r.declining_payments.enabled:
        hits = [h for loan in facts.loans if (h := _declining(loan, r.declining_payments.count))]
        found["declining_payments"] = _per_loan("declining_payments", r.declining_payments.level, hits)
    if r.partial_payments.enabled:
        hits = [h for loan in facts.loans if (h := _partial(loan, r.partial_payments.count))]
        found["partial_payments"] = _per_loan("partial_payments", r.partial_payments.level, hits)
    if r.broken_promises.enabled:
        found["broken_promises"] = _broken(facts, rules)
    if r.first_payment_default.enabled:
        hits = [h for loan in facts.loans if (h := _first_default(loan, facts, r.first_payment_default.dpd))]
        found["first_payment_default"] = _per_loan("first_payment_default", r.first_payment_default.level, hits)
    if r.dpd_jump.enabled:
        hits = [h for loan in facts.loans if (h := _jump(loan))]
        found["dpd_jump"] = _per_loan("dpd_jump", r.dpd_jump.level, hits)
    if r.contact_lost.enabled and facts.contact_lost:
        since = facts.known_since.get("contact_lost", facts.now)
        found["contact_lost"] = EarlyWarning(
            "contact_lost", r.contact_lost.level, since, "no channel can reach the borrower (phone wrong or missing, "
            "no usable Telegram chat)"
        )  # fmt: skip
    if r.hardship_then_silence.enabled:
        found["hardship_then_silence"] = _silence(facts, rules)
    return tuple(w for s in WARNING_SIGNALS if (w := found.get(s)) is not None)


def _broken(facts: WarningFacts, rules: Warnings) -> EarlyWarning | None:
    rule = rules.broken_promises
    start = facts.now - timedelta(days=rule.days)
    recent = sorted(at for at in facts.broken_promises_at if start <= at <= facts.now)
    level = rule.level_for(len(recent))
    if level is None:
        return None
    # Since the broken promise that brought the count to this level.
    since = recent[rule.threshold(level) - 1]
    return EarlyWarning("broken_promises", level, since, f"{len(recent)} promises broken in the last {rule.days} days")


def _silence(facts: WarningFacts, rules: Warnings) -> EarlyWarning | None:
    rule = rules.hardship_then_silence
    hardship = facts.last_hardship_at
    if hardship is None:
        return None
    replied = facts.last_reply_at is not None and facts.last_reply_at > hardship
    paid = facts.last_payment_at is not None and facts.last_payment_at > hardship
    since = hardship + timedelta(days=rule.days)
    if replied or paid or facts.now < since:
        return None
    return EarlyWarning(
        "hardship_then_silence",
        rule.level,
        since,
        f"hardship reported on {hardship.astimezone(ZoneInfo(facts.timezone)).date().isoformat()}; "
        f"no payment and no reply for {(facts.now - hardship).days} days",
    )


def highest_level(warnings: tuple[EarlyWarning, ...]) -> str | None:
    levels = [LEVELS.index(w.level) for w in warnings]
    return LEVELS[max(levels)] if levels else None
