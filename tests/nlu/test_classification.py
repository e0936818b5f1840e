"""The public contract: API shape, precedence, safety rules and robustness."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal

import pytest

import bot.nlu
from bot.nlu import INTENTS, PRECEDENCE, Classification, classify
from tests.nlu.support import load

WED = dt.date(2026, 12, 2)
ALL_LABELLED = load("sample.jsonl") + load("cases.jsonl")


def test_exports() -> None:
    assert set(bot.nlu.__all__) >= {"classify", "Classification", "INTENTS", "PRECEDENCE"}
    assert INTENTS == (
        "complaint",
        "dispute",
        "opt_out",
        "wrong_number",
        "hardship",
        "already_paid",
        "promise_to_pay",
        "human_request",
        "balance_inquiry",
        "help",
        "opt_in",
        "acknowledge",
        "other",
    )
    assert [intent for intent, _ in sorted(PRECEDENCE.items(), key=lambda kv: kv[1])] == list(INTENTS)


def test_classification_is_a_frozen_slotted_dataclass() -> None:
    got = classify("I will pay tomorrow", WED)
    assert dataclasses.is_dataclass(got)
    assert [f.name for f in dataclasses.fields(Classification)] == [
        "text",
        "intent",
        "confidence",
        "promise_date",
        "amount",
        "language",
        "also",
    ]
    assert not hasattr(got, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.intent = "other"  # type: ignore[misc]


def test_as_json_shape_for_a_promise() -> None:
    out = classify("I will pay 1,200.50 on 12/18", WED).as_json()
    assert list(out) == ["text", "intent", "confidence", "promise_date", "amount", "language", "also"]
    assert out["intent"] == "promise_to_pay"
    assert out["promise_date"] == "2026-12-18"
    assert out["amount"] == 1200.5 and isinstance(out["amount"], float)
    assert out["language"] == "en"
    assert out["also"] == []
    assert json.loads(json.dumps(out)) == out


def test_as_json_whole_amounts_are_ints_and_confidence_is_rounded() -> None:
    out = classify("明天还500", WED).as_json()
    assert out["amount"] == 500 and isinstance(out["amount"], int)
    assert isinstance(out["confidence"], float)
    assert out["confidence"] == round(out["confidence"], 2)
    assert 0.0 <= out["confidence"] <= 1.0


def test_as_json_nulls_and_also_list() -> None:
    out = classify("stop texting me, I'm reporting you", WED).as_json()
    assert out["promise_date"] is None and out["amount"] is None
    assert out["also"] == ["opt_out"]
    assert isinstance(out["also"], list)


def test_as_json_rounds_confidence() -> None:
    made = Classification("x", "other", 0.123456, None, None, "en", ())
    assert made.as_json()["confidence"] == 0.12
    whole = Classification("x", "promise_to_pay", 0.9, dt.date(2027, 1, 1), Decimal("200.00"), "en", ("acknowledge",))
    assert whole.as_json()["amount"] == 200 and isinstance(whole.as_json()["amount"], int)
    assert whole.as_json()["promise_date"] == "2027-01-01"
    assert whole.as_json()["also"] == ["acknowledge"]


BRIEF_EXAMPLES = [
    # text, intent, promise_date, amount, also must contain
    ("I can't pay on Friday", "hardship", None, None, ()),
    ("周五之前还不了", "hardship", None, None, ()),
    ("I already paid on Friday, please check", "already_paid", None, None, ()),
    (
        "I'll pay tomorrow but your collector was very rude and I want to complain",
        "complaint",
        None,
        None,
        ("promise_to_pay",),
    ),
    ("stop texting me, I'm reporting you", "complaint", None, None, ("opt_out",)),
    ("Yes I will pay it", "promise_to_pay", None, None, ()),
    ("YES", "acknowledge", None, None, ()),
    ("hello?", "other", None, None, ()),
    ("你好", "other", None, None, ()),
    ("🙂", "other", None, None, ()),
    ("what is the weather tomorrow", "other", None, None, ()),
    ("stpo", "opt_out", None, None, ()),
    ("will pay tmrw", "promise_to_pay", dt.date(2026, 12, 3), None, ()),
    ("2moro I pay 500", "promise_to_pay", dt.date(2026, 12, 3), Decimal(500), ()),
]


@pytest.mark.parametrize(
    ("text", "intent", "date", "amount", "also"), BRIEF_EXAMPLES, ids=[e[0] for e in BRIEF_EXAMPLES]
)
def test_brief_examples(
    text: str, intent: str, date: dt.date | None, amount: Decimal | None, also: tuple[str, ...]
) -> None:
    got = classify(text, WED)
    assert (got.intent, got.promise_date, got.amount) == (intent, date, amount)
    assert set(also) <= set(got.also)


def test_stop_reporting_carries_exactly_opt_out() -> None:
    assert classify("stop texting me, I'm reporting you", WED).also == ("opt_out",)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("STOP", "opt_out"),
        ("stop.", "opt_out"),
        ("Ｓｔｏｐ！", "opt_out"),
        ("STOPALL", "opt_out"),
        ("UNSUBSCRIBE", "opt_out"),
        ("cancel", "opt_out"),
        ("END", "opt_out"),
        ("quit", "opt_out"),
        ("OPTOUT", "opt_out"),
        ("revoke", "opt_out"),
        ("退订", "opt_out"),
        ("TD", "opt_out"),
        ("START", "opt_in"),
        ("unstop", "opt_in"),
        ("订阅", "opt_in"),
        ("HELP", "help"),
        ("info", "help"),
        ("帮助", "help"),
        ("yes", "acknowledge"),
    ],
)
def test_carrier_keywords_are_exact(text: str, intent: str) -> None:
    got = classify(text, WED)
    assert got.intent == intent
    assert got.confidence >= 0.9
    assert got.also == ()


@pytest.mark.parametrize(
    "text",
    [
        "I can't pay tomorrow",
        "I cannot pay $500 on Friday",
        "I won't be able to pay next week",
        "unable to pay by the 15th",
        "I just can't afford to pay this",
        "明天还不了",
        "下周还不上500",
        "我没钱还",
        "这个月付不起",
        "stop texting me, I will pay tomorrow",
        "I'll pay friday but this is harassment",
        "this is not my loan, won't pay it",
        "wrong number, I'll never pay",
        "I already paid yesterday",
        "昨天已经转账了",
        "I paid 200, will pay the rest friday",
    ],
)
def test_safety_and_negation_never_yield_a_promise(text: str) -> None:
    got = classify(text, WED)
    assert got.intent != "promise_to_pay"
    assert got.promise_date is None and got.amount is None


@pytest.mark.parametrize("case", ALL_LABELLED[::3], ids=[c.id for c in ALL_LABELLED[::3]])
def test_dates_and_amounts_only_for_promises(case: object) -> None:
    got = classify(case.text, case.today)  # type: ignore[attr-defined]
    assert 0.0 <= got.confidence <= 1.0
    if got.intent != "promise_to_pay":
        assert got.promise_date is None and got.amount is None


def test_confidence_reflects_match_strength() -> None:
    exact = classify("STOP", WED).confidence
    strong = classify("I lost my job", WED).confidence
    hedged = classify("maybe I can pay friday", WED).confidence
    nothing = classify("hello?", WED).confidence
    assert exact == pytest.approx(0.99)
    assert 0.8 <= strong < exact
    assert nothing < 0.5
    assert hedged < classify("I can pay friday", WED).confidence


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I will pay tomorrow", "en"),
        ("明天还500", "zh"),
        ("明天pay 500", "mixed"),
        ("OK 收到", "mixed"),
        ("500", "en"),
        ("还500rmb", "zh"),
        ("👍", "en"),
        ("ＳＴＯＰ", "en"),
        ("退订", "zh"),
    ],
)
def test_language(text: str, language: str) -> None:
    assert classify(text, WED).language == language


def test_today_only_moves_dates() -> None:
    a = classify("I'll pay tomorrow", dt.date(2026, 12, 31))
    b = classify("I'll pay tomorrow", dt.date(2028, 2, 28))
    assert (a.intent, a.promise_date) == ("promise_to_pay", dt.date(2027, 1, 1))
    assert (b.intent, b.promise_date) == ("promise_to_pay", dt.date(2028, 2, 29))


def test_deterministic() -> None:
    assert classify("下个月5号还一千五", WED) == classify("下个月5号还一千五", WED)


def test_empty_string() -> None:
    got = classify("", WED)
    assert (got.intent, got.promise_date, got.amount, got.also) == ("other", None, None, ())
    assert got.confidence < 0.5
    assert got.text == ""


@pytest.mark.parametrize("text", [" ", "\n\t", "????", "...", "🙂🙂🙂", "\u200b"])
def test_blank_or_symbol_only(text: str) -> None:
    assert classify(text, WED).intent == "other"


def test_long_input_is_read_and_keeps_the_text() -> None:
    text = "I will pay tomorrow " + "blah " * 20_000  # 100k characters
    assert len(text) > 100_000
    got = classify(text, WED)
    assert (got.intent, got.promise_date) == ("promise_to_pay", dt.date(2026, 12, 3))
    assert got.text == text


@pytest.mark.parametrize(
    "text",
    [
        "\x00\xff" * 1000,
        "\x00" * 100_000,
        "1" * 100_000,
        "还" * 100_000,
        "$1," * 40_000,
        "\ud800\udfff broken surrogates \ud800",
        "\x1b[31mred\x1b[0m pay",
        "".join(map(chr, range(0, 0x3000, 7))),
    ],
    ids=["nul-ff", "nul", "digits", "huan", "dollars", "surrogates", "ansi", "codepoints"],
)
def test_binary_junk_does_not_crash_and_serialises(text: str) -> None:
    got = classify(text, WED)
    assert got.intent in INTENTS
    assert got.language in ("en", "zh", "mixed")
    json.dumps(got.as_json())  # must be serialisable, even with lone surrogates


def test_junk_is_other() -> None:
    assert classify("\x00\xff" * 1000, WED).intent == "other"


_IMPORT_PROBE = """
import sys
import bot.nlu
heavy = sorted({m.split('.')[0] for m in sys.modules} & {'aiohttp', 'aiogram', 'twilio', 'tortoise', 'dateparser'})
print('heavy:' + ','.join(heavy))
"""


def test_import_is_light() -> None:
    out = subprocess.run([sys.executable, "-c", _IMPORT_PROBE], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "heavy:", f"bot.nlu pulled in heavy modules: {out}"
