"""The risk policy: the A/B/C points scorecard (``[risk]``) and the early-warning rules (``[warnings]``).

Every signal is a named field, so an unknown signal in a policy file is an unknown key and stops
start-up naming it (``key 'risk.points.foo' is not a policy key; allowed here: ...``).
"""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

LEVELS: Final = ("yellow", "orange", "red")
TIERS: Final = ("A", "B", "C")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class RiskPoints(_Section):
    """Points per signal. The three ``overdue_*`` follow the collection stages (``stages.*``) and
    are exclusive; ``late_payments`` and ``broken_promises`` count per item (capped); each warning
    in force adds its level's points."""

    overdue_early: int = Field(20, ge=0)
    overdue_middle: int = Field(40, ge=0)
    overdue_late: int = Field(100, ge=0)
    worst_overdue_middle: int = Field(15, ge=0)
    late_payments: int = Field(5, ge=0)
    broken_promises: int = Field(10, ge=0)
    promise_kept_rate_low: int = Field(10, ge=0)
    open_hardship: int = Field(15, ge=0)
    open_dispute: int = Field(10, ge=0)
    open_complaint: int = Field(5, ge=0)
    contact_lost: int = Field(10, ge=0)
    wrong_number: int = Field(10, ge=0)
    warning_yellow: int = Field(5, ge=0)
    warning_orange: int = Field(30, ge=0)
    warning_red: int = Field(60, ge=0)


# Early-warning signals, in the order they are shown.
WARNING_SIGNALS: Final = (
    "declining_payments",
    "partial_payments",
    "broken_promises",
    "first_payment_default",
    "dpd_jump",
    "contact_lost",
    "hardship_then_silence",
)


def _level(value: str) -> str:
    if value not in LEVELS:
        raise ValueError(f"unknown level {value!r}; allowed: {', '.join(LEVELS)}")
    return value


class _Rule(_Section):
    enabled: bool = True
    level: str = "yellow"

    _known_level = field_validator("level")(lambda cls, v: _level(v))


class DecliningPayments(_Rule):
    level: str = "yellow"
    count: int = Field(3, ge=2)  # the last N payments on a loan, each smaller than the one before


class PartialPayments(_Rule):
    level: str = "yellow"
    count: int = Field(2, ge=1)  # the last N payments on a loan, each below one installment's amount


class BrokenPromises(_Section):
    """Broken promises within ``days``: the count that reaches each level (a level left out is skipped)."""

    enabled: bool = True
    yellow: int | None = Field(None, ge=1)
    orange: int | None = Field(2, ge=1)
    red: int | None = Field(3, ge=1)
    days: int = Field(90, ge=1)

    @model_validator(mode="after")
    def _increasing(self) -> BrokenPromises:
        counts = [c for c in (self.yellow, self.orange, self.red) if c is not None]
        if not counts:
            raise ValueError("set the count of at least one level (yellow, orange, red)")
        if counts != sorted(set(counts)):
            raise ValueError("counts must grow from yellow to orange to red")
        return self

    def level_for(self, count: int) -> str | None:
        reached = [lvl for lvl, c in zip(LEVELS, (self.yellow, self.orange, self.red), strict=True) if c and count >= c]
        return reached[-1] if reached else None

    def threshold(self, level: str) -> int:
        value = {"yellow": self.yellow, "orange": self.orange, "red": self.red}[level]
        assert value is not None
        return value


class FirstPaymentDefault(_Rule):
    level: str = "orange"
    dpd: int = Field(7, ge=1)  # a loan's first installment unpaid at this many days past due


class DpdJump(_Rule):
    level: str = "orange"
    buckets: int = Field(2, ge=1, le=4)  # buckets moved up since the last pass (current, 1-30, 31-60, 61-90, 91+)


class ContactLost(_Rule):
    level: str = "orange"


class HardshipThenSilence(_Rule):
    level: str = "red"
    days: int = Field(14, ge=1)  # after a hardship reply, no payment and no reply for this many days


class Warnings(_Section):
    declining_payments: DecliningPayments = DecliningPayments()
    partial_payments: PartialPayments = PartialPayments()
    broken_promises: BrokenPromises = BrokenPromises()
    first_payment_default: FirstPaymentDefault = FirstPaymentDefault()
    dpd_jump: DpdJump = DpdJump()
    contact_lost: ContactLost = ContactLost()
    hardship_then_silence: HardshipThenSilence = HardshipThenSilence()


def max_score(p: RiskPoints, late_cap: int, broken_cap: int) -> int:
    """The highest score the scorecard can give."""
    return (
        max(p.overdue_early, p.overdue_middle, p.overdue_late)
        + p.worst_overdue_middle
        + p.late_payments * late_cap
        + p.broken_promises * broken_cap
        + p.promise_kept_rate_low
        + p.open_hardship
        + p.open_dispute
        + p.open_complaint
        + p.contact_lost
        + p.wrong_number
        # One warning per signal and borrower, at most at the dearest level.
        + len(WARNING_SIGNALS) * max(p.warning_yellow, p.warning_orange, p.warning_red)
    )


def _default_bands() -> dict[str, tuple[int, ...]]:
    return {"A": (0, 29), "B": (30, 59), "C": (60,)}


class Risk(_Section):
    points: RiskPoints = RiskPoints()
    late_payments_cap: int = Field(4, ge=0)  # late installments counted at most
    broken_promises_cap: int = Field(3, ge=0)  # broken promises counted at most
    worst_dpd_days: int = Field(180, ge=1)  # worst_overdue_middle looks back this many days
    late_payments_days: int = Field(365, ge=1)  # late_payments: installments paid late in this many days
    broken_promises_days: int = Field(90, ge=1)  # broken_promises: promises broken in this many days
    kept_rate_days: int = Field(365, ge=1)  # promise_kept_rate_low: promises checked in this many days
    kept_rate_below: float = Field(0.5, ge=0, le=1)  # ... scores when kept ÷ checked is below this
    kept_rate_min_promises: int = Field(2, ge=1)  # ... and at least this many were checked
    # Score bands: A and B as [lowest, highest]; C as [lowest] (and above). No gap, no overlap.
    # Last, so its check sees the points and caps (the highest score they can give).
    bands: dict[str, tuple[int, ...]] = Field(default_factory=_default_bands)

    @field_validator("bands")
    @classmethod
    def _contiguous(cls, v: dict[str, tuple[int, ...]], info: ValidationInfo) -> dict[str, tuple[int, ...]]:
        if sorted(v) != list(TIERS):
            raise ValueError(f"expected exactly the bands {', '.join(TIERS)}")
        expected = 0
        for tier in TIERS:
            band = v[tier]
            last = tier == TIERS[-1]
            if len(band) not in ((1, 2) if last else (2,)):
                shape = "[lowest] or [lowest, highest]" if last else "[lowest, highest]"
                raise ValueError(f"band {tier} must be {shape}, got {list(band)}")
            low = band[0]
            if low != expected:
                what = "leaves a gap" if low > expected else "overlaps the band before"
                raise ValueError(f"band {tier} starts at {low}: it {what}; it must start at {expected}")
            if len(band) == 2 and band[1] < low:
                raise ValueError(f"band {tier} ends ({band[1]}) before it starts ({low})")
            if len(band) == 2:
                expected = band[1] + 1
        top = v[TIERS[-1]]
        points, late, broken = (info.data.get(k) for k in ("points", "late_payments_cap", "broken_promises_cap"))
        if len(top) == 2 and isinstance(points, RiskPoints) and isinstance(late, int) and isinstance(broken, int):
            highest = max_score(points, late, broken)
            if top[1] < highest:
                raise ValueError(
                    f"band C ends at {top[1]} but the scorecard can give up to {highest}: a gap above it; "
                    f"end it at {highest} or later, or write C = [{top[0]}] (and above)"
                )
        return v

    def max_score(self) -> int:
        return max_score(self.points, self.late_payments_cap, self.broken_promises_cap)

    def tier_for(self, score: int) -> str:
        for tier in reversed(TIERS):
            if score >= self.bands[tier][0]:
                return tier
        return TIERS[0]
