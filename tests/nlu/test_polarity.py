"""Layer 3: negation and tense — what the promise rules are allowed to see."""

from __future__ import annotations

import pytest

from bot.nlu.normalize import normalize
from bot.nlu.polarity import analyse

TABLE = [
    # text, intents the polarity layer itself reports, whether the payment verb survives for the promise rules
    ("I can't pay on Friday", {"hardship"}, False),
    ("I won't be able to pay this month", {"hardship"}, False),
    ("I can't pay today but I will pay Friday", {"hardship"}, True),
    ("周五之前还不了", {"hardship"}, False),
    ("还不上", {"hardship"}, False),
    ("I already paid yesterday", {"already_paid"}, False),
    ("I paid it off", {"already_paid"}, False),
    ("我已经还了", {"already_paid"}, False),
    ("昨天已经转账了", {"already_paid"}, False),
    ("I haven't paid yet", set(), False),
    ("我还没还，明天还", set(), True),
    ("I get paid on the 10th, will pay then", set(), True),
    ("I'll have it paid off by friday", set(), True),
    ("明天就还了", set(), True),
    ("how much do I need to pay", set(), False),
    ("how can I pay", set(), False),
    ("几号还款", set(), False),
    ("这期要还多少", set(), False),
    ("I will pay tomorrow", set(), True),
    ("明天还500", set(), True),
]


@pytest.mark.parametrize(("text", "intents", "promise_visible"), TABLE, ids=[t for t, _, _ in TABLE])
def test_polarity(text: str, intents: set[str], promise_visible: bool) -> None:
    found = analyse(normalize(text))
    assert {cue.intent for cue in found.hits} == intents
    view = found.promise_view
    assert len(view) == len(normalize(text))  # positions stay valid
    assert any(word in view for word in ("pay", "paid", "还")) == promise_visible
