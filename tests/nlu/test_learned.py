"""The learned complaint net (bot/nlu/learned.py): shipped, loaded once, fast, and only an upgrade.

The phrasings are our own, written for this file, in none of the labelled sets.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.nlu import classify
from bot.nlu.learned import MODEL_PATH, features, model
from bot.nlu.normalize import normalize

WED = dt.date(2026, 12, 2)
ROOT = Path(__file__).resolve().parents[2]


def test_the_model_ships_inside_the_package() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert data["format"] == 1
    assert 0.5 <= data["threshold"] < 1
    assert data["weights"]
    assert MODEL_PATH.parent == ROOT / "bot" / "nlu"
    assert '"bot.nlu" = ["complaint_model.json"]' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_features_are_words_bigrams_and_chinese_character_ngrams() -> None:
    got = features(normalize("You charged me 3 times! 太黑了"))
    assert {"w:you", "w:#", "b:charged me", "w:!", "c:太", "c:太黑", "c:太黑了"} <= got


@pytest.mark.parametrize(
    "text",
    [
        "this is the fourth reminder today, leave me alone, I'm reporting this",
        "your interest is daylight robbery and I'm telling the ombudsman",
        "I've emailed support five times and not one reply",
        "stop ringing my mother about my loan, it's harassment",
        "你们天天打电话骚扰我家人，我要投诉",
        "你們收費太黑了，我要搵律師",
    ],
)
def test_complaints_in_our_own_words_are_complaints(text: str) -> None:
    assert classify(text, WED).intent == "complaint"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("thanks for the reminder, I'll pay on Friday", "promise_to_pay"),
        ("my neighbour's dog keeps me up at night, will pay tomorrow", "promise_to_pay"),
        ("how much are the late fees?", "balance_inquiry"),
        ("can someone call me back please", "human_request"),
        ("工作太累了，周五还", "promise_to_pay"),
        ("谢谢提醒，明天还", "promise_to_pay"),
        ("ok", "acknowledge"),
    ],
)
def test_hard_negatives_stay_what_they_are(text: str, intent: str) -> None:
    assert classify(text, WED).intent == intent


def test_the_layer_only_upgrades_and_can_be_left_out() -> None:
    m = model()
    for text in ("please stop", "I can't pay this month", "paid yesterday", "明天还500"):
        with_layer = classify(text, WED)
        without = classify(text, WED, learned_net=False)
        assert with_layer.intent in (without.intent, "complaint")
        if m.probability(normalize(text)) < m.threshold:
            assert with_layer == without


def test_the_model_loads_in_a_fresh_process() -> None:
    # Speed is the benchmarks' business (bench/), not a test's: here, that the shipped file loads.
    code = "from bot.nlu.learned import model; print(model().probability('you charge daylight robbery fees'))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert 0.0 <= float(out.stdout) <= 1.0
