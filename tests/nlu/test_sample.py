"""The shared labelled sample: every line must be classified exactly as labelled.

The sample is copied into tests/nlu/data so the suite runs on machines without the
shared folder; a drift check compares the copy when the original is present.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu import INTENTS, classify
from tests.nlu.support import DATA, SAMPLE_TODAY, Labelled, load

SAMPLE = load("sample.jsonl")
SHARED_SAMPLE = Path("/work/shared/nlu/sample.jsonl")


@pytest.mark.parametrize("case", SAMPLE, ids=[c.id for c in SAMPLE])
def test_sample_line(case: Labelled) -> None:
    got = classify(case.text, case.today)
    assert (got.intent, got.promise_date, got.amount) == (case.intent, case.promise_date, case.amount)


def test_sample_is_complete_and_dated_2026_12_02() -> None:
    assert len(SAMPLE) == 87
    assert {c.today for c in SAMPLE} == {SAMPLE_TODAY}
    assert {c.intent for c in SAMPLE} == set(INTENTS)


@pytest.mark.skipif(not SHARED_SAMPLE.exists(), reason="shared folder not mounted on this machine")
def test_copy_matches_shared_sample() -> None:
    assert (DATA / "sample.jsonl").read_text(encoding="utf-8") == SHARED_SAMPLE.read_text(encoding="utf-8")
