from __future__ import annotations

import pytest

from config.policy import Policy, load_policy, parse_policy
from scheduler.tiers import (
    CLASSIFICATIONS,
    STAGES,
    Tier,
    loan_classification,
    stage_for_dpd,
    tier_name,
    tiers_from_policy,
)

POLICY = load_policy()


def test_stages_and_classifications_are_ordered() -> None:
    assert STAGES == ("before_due", "due_today", "overdue_early", "overdue_middle", "overdue_late")
    assert CLASSIFICATIONS == ("normal", "special_mention", "substandard", "doubtful", "loss")


def test_default_tiers() -> None:
    tiers = tiers_from_policy(POLICY)
    assert [(t.name, t.offset_days, t.stage) for t in tiers] == [
        ("T-3", -3, "before_due"),
        ("T-1", -1, "before_due"),
        ("T0", 0, "due_today"),
        ("D+1", 1, "overdue_early"),
        ("D+3", 3, "overdue_early"),
        ("D+7", 7, "overdue_early"),
        ("D+15", 15, "overdue_early"),
        ("D+30", 30, "overdue_early"),
    ]
    assert [t.kind for t in tiers] == ["reminder"] * 3 + ["followup"] * 5


def test_custom_tiers_reach_later_stages() -> None:
    policy = parse_policy(
        {
            "reminders": {"days_before_due": [0, 7], "days_past_due": [120, 1, 45]},
            "stages": {"middle_from_dpd": 31, "late_from_dpd": 91},
        }
    )
    assert [(t.name, t.stage) for t in tiers_from_policy(policy)] == [
        ("T-7", "before_due"),
        ("T0", "due_today"),
        ("D+1", "overdue_early"),
        ("D+45", "overdue_middle"),
        ("D+120", "overdue_late"),
    ]


@pytest.mark.parametrize("offset,name", [(-3, "T-3"), (-1, "T-1"), (0, "T0"), (1, "D+1"), (30, "D+30")])
def test_tier_name(offset: int, name: str) -> None:
    assert tier_name(offset) == name


@pytest.mark.parametrize(
    "dpd,stage",
    [
        pytest.param(-3, "before_due", id="3 days before"),
        pytest.param(-1, "before_due", id="1 day before"),
        pytest.param(0, "due_today", id="due date"),
        pytest.param(1, "overdue_early", id="dpd 1 early"),
        pytest.param(30, "overdue_early", id="dpd 30 last early"),
        pytest.param(31, "overdue_middle", id="dpd 31 first middle"),
        pytest.param(90, "overdue_middle", id="dpd 90 last middle"),
        pytest.param(91, "overdue_late", id="dpd 91 first late"),
        pytest.param(1000, "overdue_late", id="dpd 1000 late"),
    ],
)
def test_stage_for_dpd(dpd: int, stage: str) -> None:
    assert stage_for_dpd(dpd, POLICY) == stage


@pytest.mark.parametrize(
    "dpd,level",
    [
        pytest.param(-10, "normal", id="before due"),
        pytest.param(0, "normal", id="due today"),
        pytest.param(1, "special_mention", id="dpd 1"),
        pytest.param(90, "special_mention", id="dpd 90"),
        pytest.param(91, "substandard", id="dpd 91"),
        pytest.param(180, "substandard", id="dpd 180"),
        pytest.param(181, "doubtful", id="dpd 181"),
        pytest.param(360, "doubtful", id="dpd 360"),
        pytest.param(361, "loss", id="dpd 361"),
        pytest.param(5000, "loss", id="dpd 5000"),
    ],
)
def test_loan_classification(dpd: int, level: str) -> None:
    assert loan_classification(dpd, POLICY) == level


def test_loan_classification_follows_policy() -> None:
    policy: Policy = parse_policy({"classification": {"special_mention_from_dpd": 5, "substandard_from_dpd": 60}})
    assert loan_classification(4, policy) == "normal"
    assert loan_classification(5, policy) == "special_mention"
    assert loan_classification(60, policy) == "substandard"


@pytest.mark.parametrize(
    "name,offset,stage",
    [
        pytest.param("T-2", -3, "before_due", id="name does not match offset"),
        pytest.param("T-3", -3, "due_today", id="stage does not match offset"),
        pytest.param("D+1", 1, "before_due", id="overdue offset with before_due"),
        pytest.param("T0", 0, "overdue", id="unknown stage"),
    ],
)
def test_tier_rejects_inconsistent_values(name: str, offset: int, stage: str) -> None:
    with pytest.raises(ValueError):
        Tier(name=name, offset_days=offset, stage=stage)  # type: ignore[arg-type]
