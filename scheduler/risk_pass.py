"""The daily risk review, a follow-up step of the scheduler pass.

Once per new date in ``sla.timezone`` (and whenever it never ran) it reads the whole book
set-based (``storage.risk.read_book``), computes every borrower's early warnings and risk tier,
writes the ``borrower_risk`` rows that changed, and:

- logs ``risk.tier_changed`` in the borrower's chain when the tier changes from one the review
  stored before. A borrower's first tier is the baseline, not a change, and is not logged: the
  first review over a book of 200,000 would otherwise append an entry for each of them (over a
  minute of signing and chaining), and the baseline is in ``borrower_risk`` with its reasons;
- opens an ``early_warning`` case for a warning that turned ``red`` since the last review (the
  routing table's queue; one open case per borrower, as for every kind).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from config.policy import Policy
from scheduler.buckets import bucket_for
from scheduler.early_warnings import (
    EarlyWarning,
    LoanFacts,
    LoanWatch,
    Payment,
    WarningFacts,
    early_warnings,
    watch_next,
)
from scheduler.risk import BorrowerSignals, RiskAssessment, assess
from storage.cases import CaseNotifier, open_case_for
from storage.interaction_log import InteractionLog, LogEvent
from storage.risk import (
    BookFacts,
    BorrowerRow,
    LoanRow,
    WatchRow,
    Windows,
    by_borrower,
    read_book,
)
from storage.risk_rows import RiskRow, write_risk, write_watches
from storage.servicing import set_watermark, watermark

RISK_WATERMARK = "risk:daily"
ACTOR = "system"


@dataclass(frozen=True, slots=True)
class Review:
    """One borrower's outcome of a review."""

    borrower: BorrowerRow
    assessment: RiskAssessment
    warnings: tuple[EarlyWarning, ...]
    watches: dict[int, LoanWatch]


def _watch(row: WatchRow | None) -> LoanWatch | None:
    return None if row is None else LoanWatch(row.bucket, row.jump_from, row.jump_to, row.jumped_at)


def _known_since(facts: BookFacts, borrower_pk: int) -> dict[str, datetime]:
    previous = facts.previous.get(borrower_pk)
    return {w["signal"]: datetime.fromisoformat(w["since"]) for w in previous.warnings} if previous else {}


def review_borrower(
    borrower: BorrowerRow, loans: list[LoanRow], facts: BookFacts, now: datetime, policy: Policy
) -> Review:
    """Warnings, signals and tier of one borrower from the book's facts (no database)."""
    today = now.astimezone(ZoneInfo(borrower.timezone)).date()
    pk = borrower.borrower_pk
    loan_facts, watches, dpd = [], {}, 0
    for loan in loans:
        loan_dpd = max(0, (today - loan.oldest_unpaid_due).days) if loan.oldest_unpaid_due else 0
        dpd = max(dpd, loan_dpd)
        previous = _watch(facts.watches.get(loan.loan_pk))
        watch = watch_next(previous, bucket_for(loan_dpd), now, policy.warnings.dpd_jump.buckets)
        watches[loan.loan_pk] = watch
        payments = tuple(Payment(at, amount) for at, amount in facts.payments.get(loan.loan_pk, ()))
        loan_facts.append(LoanFacts(loan.loan_id, loan.smallest_installment, payments, loan.first_unpaid_due, watch))
    hardship, last_reply, last_paid = facts.hardship.get(pk, (None, None, None))
    warnings = early_warnings(
        WarningFacts(
            now=now,
            timezone=borrower.timezone,
            loans=tuple(loan_facts),
            broken_promises_at=tuple(facts.broken_promises_at.get(pk, ())),
            contact_lost=borrower.unreachable,
            last_hardship_at=hardship,
            last_reply_at=last_reply,
            last_payment_at=last_paid,
            known_since=_known_since(facts, pk),
        ),
        policy.warnings,
    )
    window_start = now.timestamp() - policy.risk.broken_promises_days * 86400
    checked, kept = facts.promises_checked.get(pk, (0, 0))
    kinds = facts.open_case_kinds.get(pk, set())
    signals = BorrowerSignals(
        dpd=dpd,
        worst_dpd=max(dpd, facts.worst_days_late.get(pk, 0)),
        late_payments=facts.late_payments.get(pk, 0),
        broken_promises=sum(1 for at in facts.broken_promises_at.get(pk, ()) if at.timestamp() >= window_start),
        promises_checked=checked,
        promises_kept=kept,
        open_hardship="hardship" in kinds,
        open_dispute="dispute" in kinds,
        open_complaint="complaint" in kinds,
        contact_lost=borrower.unreachable,
        wrong_number=borrower.phone_wrong,
        warnings=warnings,
    )
    return Review(borrower, assess(signals, policy), warnings, watches)


def windows_of(policy: Policy) -> Windows:
    """How far back the review reads, from the policy."""
    risk, rules = policy.risk, policy.warnings
    return Windows(
        worst_dpd_days=risk.worst_dpd_days,
        late_payments_days=risk.late_payments_days,
        broken_promises_days=max(risk.broken_promises_days, rules.broken_promises.days),
        kept_rate_days=risk.kept_rate_days,
        payments_per_loan=max(rules.declining_payments.count, rules.partial_payments.count),
    )


class RiskReview:
    """``build_follow_ups`` registers it: ``("risk", RiskReview(policy, log, notify))``."""

    def __init__(self, policy: Policy, log: InteractionLog, notify: CaseNotifier | None = None) -> None:
        self.policy = policy
        self.log = log
        self.notify = notify

    async def due(self, now: datetime) -> bool:
        """Never ran, or a new date began in the servicing team's calendar since it last did."""
        last = await watermark(RISK_WATERMARK)
        if last is None:
            return True
        zone = ZoneInfo(self.policy.sla.timezone)
        return now.astimezone(zone).date() > last.astimezone(zone).date()

    async def __call__(self, now: datetime) -> dict[str, int]:
        if now.tzinfo is None:
            raise ValueError("the risk review needs a timezone-aware instant")
        if not await self.due(now):
            return {}
        return await self.run(now)

    async def run(self, now: datetime) -> dict[str, int]:
        """Review every borrower now, whether or not a review already ran today."""
        facts = await read_book(now, windows_of(self.policy))
        loans = by_borrower(facts.loans.values())
        counts: Counter[str] = Counter()
        changed: list[RiskRow] = []
        watches: dict[int, WatchRow] = {}
        events: list[LogEvent] = []
        red: list[tuple[BorrowerRow, list[EarlyWarning]]] = []
        for borrower in facts.borrowers.values():
            review = review_borrower(borrower, loans.get(borrower.borrower_pk, []), facts, now, self.policy)
            counts["reviewed"] += 1
            row = _row(review)
            previous = facts.previous.get(borrower.borrower_pk)
            if previous is None or (previous.tier, previous.score, list(previous.reasons), list(previous.warnings)) != (
                row.tier, row.score, row.reasons, row.warnings
            ):  # fmt: skip
                changed.append(row)
            event = _tier_event(review, previous.tier if previous else None, now)
            if event is not None:
                events.append(event)
            was_red = {w["signal"] for w in previous.warnings if w["level"] == "red"} if previous else set()
            new_red = [w for w in review.warnings if w.level == "red" and w.signal not in was_red]
            if new_red:
                red.append((borrower, new_red))
            for loan_pk, watch in review.watches.items():
                if _watch(facts.watches.get(loan_pk)) != watch:
                    watches[loan_pk] = WatchRow(watch.bucket, watch.jump_from, watch.jump_to, watch.jumped_at)
        await write_watches(watches, now)
        await write_risk(changed, now)
        await self.log.append_many(events)
        counts["tier_changed"] = len(events)
        for borrower, warnings in red:
            counts[await self._open_case(borrower, warnings, now)] += 1
        await set_watermark(RISK_WATERMARK, now)
        return dict(counts)

    async def _open_case(self, borrower: BorrowerRow, warnings: list[EarlyWarning], now: datetime) -> str:
        _case, created = await open_case_for(
            borrower.borrower_pk,
            kind="early_warning",
            now=now,
            policy=self.policy,
            log=self.log,
            summary="red early warning: " + "; ".join(w.detail for w in warnings),
            actor=ACTOR,
            details={"warnings": [w.as_json() for w in warnings]},
            notify=self.notify,
        )
        return f"early_warning.{'opened' if created else 'added'}"


def _row(review: Review) -> RiskRow:
    a = review.assessment
    return RiskRow(
        review.borrower.borrower_pk,
        a.tier,
        a.score,
        [r.as_json() for r in a.reasons],
        [w.as_json() for w in review.warnings],
    )


def _tier_event(review: Review, previous: str | None, now: datetime) -> LogEvent | None:
    a = review.assessment
    if previous is None or a.tier == previous:
        return None
    data: dict[str, Any] = {
        "from": previous,
        "to": a.tier,
        "score": a.score,
        "reasons": [r.as_json() for r in a.reasons],
    }
    return LogEvent("risk.tier_changed", now, review.borrower.borrower_id, ACTOR, data)
