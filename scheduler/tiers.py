"""Reminder tiers, collection stages and the five-level loan classification.

A tier is a day relative to an installment's due date on which the borrower hears from us:
``T-3`` and ``T-1`` before the due date, ``T0`` on it, ``D+1`` … ``D+30`` after it. Every
number comes from the policy; this module only turns the policy's lists into ordered values.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Literal, get_args

from config.policy import Policy

Stage = Literal["before_due", "due_today", "overdue_early", "overdue_middle", "overdue_late"]
STAGES: tuple[Stage, ...] = get_args(Stage)

Classification = Literal["normal", "special_mention", "substandard", "doubtful", "loss"]
CLASSIFICATIONS: tuple[Classification, ...] = get_args(Classification)

TierKind = Literal["reminder", "followup"]

_OVERDUE_STAGES: frozenset[Stage] = frozenset({"overdue_early", "overdue_middle", "overdue_late"})


def tier_name(offset_days: int) -> str:
    """``T-3``, ``T-1``, ``T0`` up to the due date; ``D+1``, ``D+3`` … after it."""
    if offset_days > 0:
        return f"D+{offset_days}"
    return f"T{offset_days}"  # -3 formats as "T-3", 0 as "T0"


def _stage_fits_offset(stage: Stage, offset_days: int) -> bool:
    if offset_days < 0:
        return stage == "before_due"
    if offset_days == 0:
        return stage == "due_today"
    return stage in _OVERDUE_STAGES


@dataclass(frozen=True, slots=True)
class Tier:
    """One reminder day: ``offset_days`` relative to the due date (negative = before it)."""

    name: str
    offset_days: int
    stage: Stage

    def __post_init__(self) -> None:
        if not isinstance(self.offset_days, int) or isinstance(self.offset_days, bool):
            raise ValueError(f"offset_days must be an int, got {self.offset_days!r}")
        # The name is part of idempotency keys stored in the database: only the canonical
        # spelling is allowed, so one tier can never be recorded under two names.
        if self.name != tier_name(self.offset_days):
            raise ValueError(
                f"tier name {self.name!r} does not match offset {self.offset_days}; "
                f"expected {tier_name(self.offset_days)!r}"
            )
        if self.stage not in STAGES:
            raise ValueError(f"unknown stage {self.stage!r}; allowed: {', '.join(STAGES)}")
        if not _stage_fits_offset(self.stage, self.offset_days):
            raise ValueError(f"stage {self.stage!r} does not fit offset {self.offset_days}")

    @property
    def kind(self) -> TierKind:
        """Before and on the due date we remind; after it we follow up."""
        return "followup" if self.offset_days > 0 else "reminder"


def _stage_floors(policy: Policy) -> tuple[tuple[int, Stage], ...]:
    """Lowest days past due of each stage, highest first (the first floor reached wins)."""
    return (
        (policy.stages.late_from_dpd, "overdue_late"),
        (policy.stages.middle_from_dpd, "overdue_middle"),
        (1, "overdue_early"),
        (0, "due_today"),
    )


def stage_for_dpd(dpd: int, policy: Policy) -> Stage:
    """Collection stage for ``dpd`` days past due (negative = days before the due date)."""
    for floor, stage in _stage_floors(policy):
        if dpd >= floor:
            return stage
    return "before_due"


def tiers_from_policy(policy: Policy, risk_tier: str | None = None) -> tuple[Tier, ...]:
    """The cadence of a borrower of ``risk_tier`` (None, not scored yet: ``B``): the policy's
    ``reminders`` days as that tier's strategy overrides them, ordered by offset."""
    strategy = policy.strategies.for_tier(risk_tier)
    before = strategy.days_before_due if strategy.days_before_due is not None else policy.reminders.days_before_due
    after = strategy.days_past_due if strategy.days_past_due is not None else policy.reminders.days_past_due
    return _tiers(policy, {-days for days in before} | set(after))


def all_tiers(policy: Policy) -> tuple[Tier, ...]:
    """Every tier any risk tier's cadence uses (what planning reads and templates must cover)."""
    return _tiers(policy, {t.offset_days for risk in ("A", "B", "C") for t in tiers_from_policy(policy, risk)})


def _tiers(policy: Policy, offsets: set[int]) -> tuple[Tier, ...]:
    return tuple(
        Tier(name=tier_name(offset), offset_days=offset, stage=stage_for_dpd(offset, policy))
        for offset in sorted(offsets)
    )


def _classification_floors(policy: Policy) -> tuple[int, ...]:
    bounds = policy.classification
    return (
        bounds.special_mention_from_dpd,
        bounds.substandard_from_dpd,
        bounds.doubtful_from_dpd,
        bounds.loss_from_dpd,
    )


def loan_classification(dpd: int, policy: Policy) -> Classification:
    """Five-level classification: normal below the special-mention floor, then each level from its floor."""
    # Floors are strictly increasing (the policy validates it), so the number of floors
    # reached is the index of the level in CLASSIFICATIONS.
    return CLASSIFICATIONS[bisect_right(_classification_floors(policy), dpd)]
