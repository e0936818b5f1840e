"""An experiment's figures per arm and its verdict (pure, given what each arm's borrowers did).

The primary metric is a proportion of the arm's borrowers; its 95% interval is Wilson's, the
difference from control has a Wald interval and a two-sided two-proportion z-test (statsmodels).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from config.policy import Experiment
from scheduler.experiments import CONTROL
from storage.experiments import ExperimentReach

SIGNIFICANCE = 0.05


@dataclass(frozen=True, slots=True)
class ArmCounts:
    """What an arm's borrowers (those the experiment reached, not excluded) did."""

    arm: str
    borrowers: int
    messages: int
    successes: int  # borrowers meeting the experiment's metric
    opted_out: int  # borrowers who opted out of a channel after the experiment first reached them
    complained: int  # borrowers who complained after it first reached them
    stopped: bool = False


def _rate(part: int, whole: int) -> float | None:
    return None if not whole else round(part / whole, 4)


def _interval(successes: int, borrowers: int) -> dict[str, float | None]:
    if not borrowers:
        return {"rate": None, "low": None, "high": None}
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(successes, borrowers, alpha=SIGNIFICANCE, method="wilson")
    return {"rate": round(successes / borrowers, 4), "low": round(float(low), 4), "high": round(float(high), 4)}


def _difference(arm: ArmCounts, control: ArmCounts) -> dict[str, float | None]:
    empty: dict[str, float | None] = {"value": None, "low": None, "high": None, "p": None}
    if arm.arm == CONTROL or not arm.borrowers or not control.borrowers:
        return empty
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

    value = arm.successes / arm.borrowers - control.successes / control.borrowers
    low, high = confint_proportions_2indep(
        arm.successes, arm.borrowers, control.successes, control.borrowers, method="wald", alpha=SIGNIFICANCE
    )
    both = arm.successes + control.successes
    if both in (0, arm.borrowers + control.borrowers):  # all or nothing on both sides: no evidence either way
        p = 1.0
    else:
        _, p_value = proportions_ztest([arm.successes, control.successes], [arm.borrowers, control.borrowers])
        p = float(p_value)
    return {"value": round(value, 4), "low": round(float(low), 4), "high": round(float(high), 4), "p": round(p, 4)}


def guardrail_breach(arm: ArmCounts, control: ArmCounts, experiment: Experiment) -> str | None:
    """Why ``arm`` must stop (its opt-out or complaint rate exceeds control's by more than the
    bound, both arms having ``min_borrowers``), or None."""
    if arm.arm == CONTROL or arm.stopped:
        return None
    if min(arm.borrowers, control.borrowers) < experiment.min_borrowers:
        return None
    for name, bound, mine, theirs in (
        ("opt-out rate", experiment.guardrails.opt_out_rate, arm.opted_out, control.opted_out),
        ("complaint rate", experiment.guardrails.complaint_rate, arm.complained, control.complained),
    ):
        if bound is None:
            continue
        excess = mine / arm.borrowers - theirs / control.borrowers
        if excess > bound:
            return (
                f"{name} {mine / arm.borrowers:.2%} against control's {theirs / control.borrowers:.2%}: "
                f"{excess:.2%} above, more than the {bound:.2%} allowed"
            )
    return None


def experiment_status(name: str, experiment: Experiment, arms: list[ArmCounts]) -> dict[str, Any]:
    by_arm = {a.arm: a for a in arms}
    ordered = [by_arm.get(arm, ArmCounts(arm, 0, 0, 0, 0, 0)) for arm in experiment.arms]
    control = by_arm.get(CONTROL, ArmCounts(CONTROL, 0, 0, 0, 0, 0))
    out_arms = []
    for arm in ordered:
        out_arms.append(
            {
                "arm": arm.arm,
                "borrowers": arm.borrowers,
                "messages": arm.messages,
                "metric": _interval(arm.successes, arm.borrowers),
                "diff": _difference(arm, control),
                "opt_out_rate": _rate(arm.opted_out, arm.borrowers),
                "complaint_rate": _rate(arm.complained, arm.borrowers),
                "state": "stopped" if arm.stopped else ("control" if arm.arm == CONTROL else "running"),
            }
        )
    return {"experiment": name, "metric": experiment.metric, "arms": out_arms, "verdict": _verdict(ordered, experiment)}


def _verdict(arms: list[ArmCounts], experiment: Experiment) -> str:
    stopped = [a.arm for a in arms if a.stopped]
    if stopped:
        return f"arm {stopped[0]} stopped by guardrail"
    if any(a.borrowers < experiment.min_borrowers for a in arms):
        return "collecting"
    control = next(a for a in arms if a.arm == CONTROL)
    best: tuple[float, str] | None = None
    for arm in arms:
        diff = _difference(arm, control)
        if diff["p"] is not None and diff["p"] < SIGNIFICANCE and diff["value"] is not None:
            value = float(diff["value"])
            winner = arm.arm if value > 0 else CONTROL
            if best is None or abs(value) > best[0]:
                best = (abs(value), winner)
    return f"arm {best[1]} better" if best else "no difference yet"


def met_metric(metric: str, reach: ExperimentReach) -> bool:
    """Whether a borrower the experiment reached did what its metric counts: every installment its
    messages were about paid by its due date (or within 7 days after, in the borrower's calendar),
    or a promise to pay within 3 days of the first message."""
    if metric == "promise_within_3_days":
        return any(at - reach.first_sent <= timedelta(days=3) for at in reach.promised_at)
    grace = 7 if metric == "paid_within_7_days" else 0
    if not reach.installments:
        return False
    zone = ZoneInfo(reach.timezone)
    return all(
        paid_at is not None and paid_at.astimezone(zone).date() <= due + timedelta(days=grace)
        for due, paid_at in reach.installments
    )


def count_arms(
    experiment: Experiment, reaches: Iterable[ExperimentReach], stopped: Collection[str] = ()
) -> list[ArmCounts]:
    """Per arm, the borrowers the experiment reached (those left out, excluded) and what they did."""
    totals: dict[str, list[int]] = {arm: [0, 0, 0, 0, 0] for arm in experiment.arms}
    for reach in reaches:
        if reach.excluded or reach.arm not in totals:
            continue
        counts = totals[reach.arm]
        counts[0] += 1
        counts[1] += reach.messages
        counts[2] += met_metric(experiment.metric, reach)
        counts[3] += reach.opted_out
        counts[4] += reach.complained
    return [
        ArmCounts(
            arm, borrowers=c[0], messages=c[1], successes=c[2], opted_out=c[3], complained=c[4], stopped=arm in stopped
        )
        for arm, c in totals.items()
    ]
