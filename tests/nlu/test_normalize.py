"""Layer 1: the canonical form every rule table is written against."""

from __future__ import annotations

import pytest

from bot.nlu.normalize import MAX_CHARS, normalize

TABLE = [
    ("STOP", "stop"),
    ("stpo", "stop"),
    ("Ｓｔｏｐ", "stop"),
    ("will pay tmrw", "will pay tomorrow"),
    ("tmr", "tomorrow"),
    ("2moro I pay", "tomorrow i pay"),
    ("tomoro", "tomorrow"),
    ("pls call", "please call"),
    ("plz", "please"),
    ("thank u", "thank you"),
    ("ur agent", "your agent"),
    ("im broke", "i'm broke"),
    ("I cant pay", "i can't pay"),
    ("i wont be able", "i won't be able"),
    ("I can’t pay", "i can't pay"),
    ("ill pay tomorrow", "i'll pay tomorrow"),
    ("I am ill", "i am ill"),  # the adjective stays
    ("I payed", "i paid"),
    ("nxt wk", "next week"),
    ("fri", "friday"),
    ("when's it due", "when is it due"),
    ("stoppp", "stop"),
    ("sooo sorry", "so sorry"),
    ("  lots   of\n\tspace  ", "lots of space"),
    ("ＯＫ，１２３", "ok,123"),
    ("￥800", "¥800"),
    ("friday还款", "friday 还款"),
    ("tmr还钱", "tomorrow 还钱"),
    ("明天还500", "明天还500"),
    ("1.5k", "1.5k"),
    ("k", "k"),
    ("kk", "ok"),
    ("Tom", "tom"),  # names are not typos
    ("Reported to BBB", "reported to bbb"),  # a word that is only the run is an acronym
    ("hmmm ok", "hm ok"),
    # Traditional characters and written Cantonese read as Simplified Mandarin
    ("聽日還三千", "明天还三千"),
    ("我已經還清了", "我已经还清了"),
    ("呢筆錢唔係我借嘅", "这笔钱不是我借的"),
    ("你哋打俾我阿媽做乜嘢", "你们打给我妈妈做什么"),
    ("已經過數咗", "已经转账了"),
    ("冇錢還", "没有钱还"),
    ("沒關係", "没关系"),  # 係 in 關係 is "relation", not "to be"
    ("仲裁", "仲裁"),  # 仲 "still" is 还, but not in 仲裁 (arbitration)
    ("我仲爭幾多錢", "我还争多少钱"),
]


@pytest.mark.parametrize(("raw", "expected"), TABLE, ids=[r for r, _ in TABLE])
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("👍", "👍"),
        ("👍🏽", "👍"),
        ("ok 👌", "ok 👌"),
        ("🙏🙏", "🙏 🙏"),
        ("🙂", ""),
        ("pay 😂 friday", "pay friday"),
        ("✅", "✅"),
        ("🆗", "🆗"),
    ],
)
def test_emoji(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_control_and_zero_width_characters() -> None:
    assert normalize("st\u200bop") == "stop"
    assert normalize("pay\x00tomorrow") == "pay tomorrow"
    assert normalize("\x00\xff" * 3) == "ÿ ÿ ÿ"


def test_truncates_very_long_input() -> None:
    assert len(normalize("a " * 100_000)) <= MAX_CHARS
    assert len(normalize("ｗ" * 100_000)) <= MAX_CHARS


def test_lone_surrogates_are_dropped() -> None:
    out = normalize("pay \ud800 now")
    assert out == "pay now"
    out.encode("utf-8")  # would raise if a surrogate survived


@pytest.mark.parametrize(
    ("text", "view"),
    [
        ("别再text我了", "别再发短信我了"),
        ("转agent", "转人工"),
        ("amount不对 我只欠500", "金额不对我只欠500"),
        ("i will还 by 月底", "i会还by月底"),
        ("能不能extend一下 最近很tight", "能不能延期一下最近很紧张"),
    ],
)
def test_the_chinese_view_of_a_code_switched_reply(text: str, view: str) -> None:
    from bot.nlu.codeswitch import chinese_view

    assert chinese_view(normalize(text)) == view
