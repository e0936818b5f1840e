"""Experiment assignment and the choice of a reminder's words (pure: no server, no database)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from config.errors import ConfigError
from config.policy import parse_policy
from scheduler.experiments import Wording, arm_for, bucket_of, choose_wording
from tests.dispatch.support import policy_data

EXPERIMENT: dict[str, Any] = {
    "kinds": ["before_due"],
    "arms": {"control": 50, "firm": 50},
    "start": date(2026, 12, 1),
    "end": date(2027, 1, 31),
}


def policy(**experiments: dict[str, Any]) -> Any:
    data = policy_data()
    data["experiments"] = experiments or {"t1-tone": EXPERIMENT}
    data["strategies"] = {"C": {"days_past_due": [1, 2, 3], "variants": {"before_due": "stern"}}}
    return parse_policy(data)


# Worked out by hand: sha256("t1-tone:B001") starts 99471504; 0x99471504 = 2571572484; mod 10000 = 2484.
@pytest.mark.parametrize(
    ("borrower", "digits", "bucket", "arm"),
    [
        ("B001", "99471504", 2484, "control"),
        ("B002", "a66f8a38", 7736, "firm"),
        ("B003", "5c718329", 3017, "control"),
        ("B004", "7c6d18d4", 4564, "control"),
        ("B005", "4b2d178a", 6346, "firm"),
        ("B006", "3bf990f5", 1317, "control"),
    ],
)
def test_assignment_follows_the_documented_formula(borrower: str, digits: str, bucket: int, arm: str) -> None:
    assert int(digits, 16) % 10_000 == bucket
    assert bucket_of("t1-tone", borrower) == bucket
    assert arm_for("t1-tone", policy().experiments["t1-tone"], borrower) == arm


@pytest.mark.parametrize(
    ("arms", "bucket", "arm"),
    [
        ({"control": 50, "firm": 50}, 4999, "control"),
        ({"control": 50, "firm": 50}, 5000, "firm"),
        ({"control": 20, "firm": 30, "soft": 50}, 1999, "control"),
        ({"control": 20, "firm": 30, "soft": 50}, 2000, "firm"),
        ({"control": 20, "firm": 30, "soft": 50}, 4999, "firm"),
        ({"control": 20, "firm": 30, "soft": 50}, 5000, "soft"),
        ({"firm": 10, "control": 90}, 999, "firm"),  # the order written, not alphabetical
        ({"firm": 10, "control": 90}, 1000, "control"),
    ],
)
def test_arms_take_consecutive_ranges_in_the_order_written(
    arms: dict[str, int], bucket: int, arm: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    experiment = policy(x={**EXPERIMENT, "arms": arms}).experiments["x"]
    monkeypatch.setattr("scheduler.experiments.bucket_of", lambda name, borrower: bucket)
    assert arm_for("x", experiment, "anyone") == arm


def everything(kind: str, channel: str, locale: str, variant: str) -> bool:
    return True


def words(**changes: Any) -> Wording:
    args: dict[str, Any] = {
        "policy": policy(),
        "kind": "before_due",
        "day": date(2026, 12, 10),
        "borrower_id": "B002",  # firm
        "risk_tier": "B",
        "channel": "sms",
        "locale": "en",
        "has_variant": everything,
    }
    args.update(changes)
    return choose_wording(**args)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, Wording("B", "firm", "t1-tone", "firm")),
        ({"borrower_id": "B001"}, Wording("B", None, "t1-tone", "control")),
        # Control gets the template otherwise used: tier C's strategy variant.
        ({"borrower_id": "B001", "risk_tier": "C"}, Wording("C", "stern", "t1-tone", "control")),
        ({"risk_tier": None}, Wording("B", "firm", "t1-tone", "firm")),  # not scored yet: B
        ({"day": date(2026, 11, 30)}, Wording("B")),  # before the start: everyone control, no experiment
        ({"day": date(2027, 2, 1), "risk_tier": "C"}, Wording("C", "stern")),
        ({"kind": "due_today"}, Wording("B")),  # a kind the experiment does not cover
        ({"stopped": {("t1-tone", "firm")}}, Wording("B", None, "t1-tone", "firm")),  # stopped: control's words
        (
            {"has_variant": lambda kind, channel, locale, variant: locale == "zh"},
            Wording("B", None, "t1-tone", "firm", excluded=True),
        ),
    ],
)
def test_the_words_of_a_reminder(changes: dict[str, Any], expected: Wording) -> None:
    assert words(**changes) == expected


def test_an_arm_keeps_its_borrowers_across_tiers_and_processes() -> None:
    # The same borrower, on every covered day of the experiment, lands in the same arm.
    arms = {words(borrower_id="B005", day=date(2026, 12, d)).arm for d in range(1, 32)}
    assert arms == {"firm"}


@pytest.mark.parametrize(
    ("experiments", "key", "why"),
    [
        ({"x": {**EXPERIMENT, "arms": {"control": 50, "firm": 40}}}, "experiments.x.arms", "sum to 100, got 90"),
        ({"x": {**EXPERIMENT, "arms": {"firm": 100}}}, "experiments.x.arms", "needs a 'control' arm"),
        ({"x": {**EXPERIMENT, "kinds": ["reminder"]}}, "experiments.x.kinds", "unknown kind 'reminder'"),
        ({"x": {**EXPERIMENT, "metric": "paid"}}, "experiments.x.metric", "unknown metric 'paid'"),
        ({"x": {**EXPERIMENT, "arms": {"control": 50, "Firm!": 50}}}, "experiments.x.arms", "bad variant name"),
        ({"x": EXPERIMENT, "y": {**EXPERIMENT, "start": date(2027, 1, 31)}}, "experiments", "both cover before_due"),
    ],
)
def test_a_bad_experiment_names_its_key(experiments: dict[str, Any], key: str, why: str) -> None:
    with pytest.raises(ConfigError) as info:
        policy(**experiments)
    assert f"key '{key}'" in str(info.value) and why in str(info.value)
