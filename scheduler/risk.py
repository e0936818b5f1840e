"""Risk tiers A (good), B (watch), C (high risk): a borrower's signals → score, tier, reasons (pure).

An explainable points scorecard: each signal that holds adds the policy's points
(``risk.points``), and the score's band (``risk.bands``) is the tier. The reasons are every signal
that scored, with its points, in the scorecard's order, so staff see why a borrower is where they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.policy import Policy
from scheduler.early_warnings import EarlyWarning


@dataclass(frozen=True, slots=True)
class BorrowerSignals:
    dpd: int = 0  # days past due now: the most overdue unpaid installment (0: nothing overdue)
    worst_dpd: int = 0  # the worst days past due reached in the last ``risk.worst_dpd_days``
    late_payments: int = 0  # installments paid after their due date in the last ``risk.late_payments_days``
    broken_promises: int = 0  # promises broken in the last ``risk.broken_promises_days``
    promises_checked: int = 0  # promises settled (kept, partly kept, broken) in ``risk.kept_rate_days``
    promises_kept: int = 0  # ... of which kept
    open_hardship: bool = False
    open_dispute: bool = False
    open_complaint: bool = False
    contact_lost: bool = False  # no channel can reach the borrower
    wrong_number: bool = False  # the number on file reached someone else
    warnings: tuple[EarlyWarning, ...] = ()


@dataclass(frozen=True, slots=True)
class Reason:
    signal: str
    points: int

    def as_json(self) -> dict[str, object]:
        return {"signal": self.signal, "points": self.points}


@dataclass(frozen=True, slots=True)
class RiskAssessment:
    tier: str
    score: int
    reasons: tuple[Reason, ...]


def _kept_rate_low(s: BorrowerSignals, policy: Policy) -> bool:
    risk = policy.risk
    if s.promises_checked < risk.kept_rate_min_promises:
        return False
    return s.promises_kept / s.promises_checked < risk.kept_rate_below


def _overdue_signal(dpd: int, policy: Policy) -> str | None:
    if dpd >= policy.stages.late_from_dpd:
        return "overdue_late"
    if dpd >= policy.stages.middle_from_dpd:
        return "overdue_middle"
    return "overdue_early" if dpd >= 1 else None


def assess(s: BorrowerSignals, policy: Policy) -> RiskAssessment:
    points = policy.risk.points
    risk = policy.risk
    levels = [w.level for w in s.warnings]
    # (signal, how many times it counts); the scorecard's points multiply the count.
    counted: list[tuple[str, int]] = [
        ("overdue_early", int(_overdue_signal(s.dpd, policy) == "overdue_early")),
        ("overdue_middle", int(_overdue_signal(s.dpd, policy) == "overdue_middle")),
        ("overdue_late", int(_overdue_signal(s.dpd, policy) == "overdue_late")),
        ("worst_overdue_middle", int(max(s.worst_dpd, s.dpd) >= policy.stages.middle_from_dpd)),
        ("late_payments", min(s.late_payments, risk.late_payments_cap)),
        ("broken_promises", min(s.broken_promises, risk.broken_promises_cap)),
        ("promise_kept_rate_low", int(_kept_rate_low(s, policy))),
        ("open_hardship", int(s.open_hardship)),
        ("open_dispute", int(s.open_dispute)),
        ("open_complaint", int(s.open_complaint)),
        ("contact_lost", int(s.contact_lost)),
        ("wrong_number", int(s.wrong_number)),
        ("warning_yellow", levels.count("yellow")),
        ("warning_orange", levels.count("orange")),
        ("warning_red", levels.count("red")),
    ]
    reasons = tuple(
        Reason(signal, count * getattr(points, signal))
        for signal, count in counted
        if count and getattr(points, signal)
    )
    score = sum(r.points for r in reasons)
    return RiskAssessment(risk.tier_for(score), score, reasons)
