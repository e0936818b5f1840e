"""Which words a reminder uses: the borrower's risk strategy, and the arm of an experiment (pure).

Assignment is deterministic so an analyst can recompute it in SQL: the first 8 hexadecimal digits
of ``sha256("<experiment>:<borrower_id>")`` as an integer, modulo 10000; arms take consecutive
ranges in the order the policy writes them, sized by weight (50/50: 0-4999, 5000-9999). A borrower
keeps the arm for the whole experiment; outside ``start``-``end`` everyone gets control.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date

from config.policy import Experiment, Policy

CONTROL = "control"
# (kind, channel, locale, variant) -> whether a template exists for it
HasVariant = Callable[[str, str, str, str], bool]


def bucket_of(experiment: str, borrower_id: str) -> int:
    digest = hashlib.sha256(f"{experiment}:{borrower_id}".encode()).hexdigest()
    return int(digest[:8], 16) % 10_000


def arm_for(experiment_name: str, experiment: Experiment, borrower_id: str) -> str:
    bucket = bucket_of(experiment_name, borrower_id)
    edge = 0
    for arm, weight in experiment.arms.items():
        edge += weight * 100
        if bucket < edge:
            return arm
    raise AssertionError("unreachable: weights sum to 100 (the policy validates it)")


def experiment_for(policy: Policy, kind: str, day: date) -> tuple[str, Experiment] | None:
    """The experiment covering ``kind`` on ``day`` (the policy allows at most one)."""
    for name, experiment in policy.experiments.items():
        if kind in experiment.kinds and experiment.running_on(day):
            return name, experiment
    return None


@dataclass(frozen=True, slots=True)
class Wording:
    """What a planned reminder records about its words: the risk tier it was planned under, the
    template variant (None: the template itself), and the experiment and arm when one covers it.
    ``excluded``: the arm's variant does not exist for the borrower's channel and locale, so the
    borrower got control and is left out of the experiment's figures."""

    risk_tier: str
    variant: str | None = None
    experiment: str | None = None
    arm: str | None = None
    excluded: bool = False

    def payload(self) -> dict[str, object]:
        out: dict[str, object] = {"risk_tier": self.risk_tier}
        if self.variant is not None:
            out["variant"] = self.variant
        if self.experiment is not None:
            out.update(experiment=self.experiment, arm=self.arm)
            if self.excluded:
                out["excluded"] = True
        return out


def choose_wording(
    *,
    policy: Policy,
    kind: str,
    day: date,
    borrower_id: str,
    risk_tier: str | None,
    channel: str,
    locale: str,
    has_variant: HasVariant,
    stopped: Collection[tuple[str, str]] = (),
) -> Wording:
    """The strategy's variant for the borrower's tier, unless an experiment's arm says otherwise.
    ``stopped`` holds the (experiment, arm) pairs a guardrail stopped: their borrowers get control."""
    tier = risk_tier if risk_tier in ("A", "B", "C") else "B"
    base = policy.strategies.for_tier(tier).variants.get(kind)
    if base is not None and not has_variant(kind, channel, locale, base):
        base = None
    found = experiment_for(policy, kind, day)
    if found is None:
        return Wording(tier, base)
    name, experiment = found
    arm = arm_for(name, experiment, borrower_id)
    if arm == CONTROL or (name, arm) in stopped:
        return Wording(tier, base, name, arm)
    if not has_variant(kind, channel, locale, arm):
        return Wording(tier, base, name, arm, excluded=True)
    return Wording(tier, arm, name, arm)


def missing_variants(policy: Policy, variants_of: Callable[[str], Collection[str]]) -> list[str]:
    """Every strategy or experiment arm naming a template variant no file offers, as "key: why"."""
    problems = []
    for tier in ("A", "B", "C"):
        for kind, variant in policy.strategies.for_tier(tier).variants.items():
            if variant not in variants_of(kind):
                problems.append(
                    f"key 'strategies.{tier}.variants.{kind}': no template variant {variant!r} "
                    f"(a file such as {kind}.sms.en@{variant}.j2 in DUEBOT_TEMPLATES_DIR)"
                )
    for name, experiment in policy.experiments.items():
        for arm in experiment.arms:
            if arm != CONTROL and not any(arm in variants_of(kind) for kind in experiment.kinds):
                problems.append(
                    f"key 'experiments.{name}.arms.{arm}': no template variant {arm!r} for "
                    f"{', '.join(experiment.kinds)} (a file such as {experiment.kinds[0]}.sms.en@{arm}.j2)"
                )
    return problems
