"""Amount extraction, table-driven: what is money, and — harder — what is not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bot.nlu.amounts import extract_amount
from bot.nlu.dates import find_dates
from bot.nlu.normalize import normalize
from bot.nlu.numerals import parse_en_number, parse_zh_number

WED = dt.date(2026, 12, 2)


def amount(text: str) -> Decimal | None:
    normalized = normalize(text)
    spans = [(m.start, m.end) for m in find_dates(normalized, WED)]
    return extract_amount(normalized, spans)


MONEY: list[tuple[str, str]] = [
    ("pay 200", "200"),
    ("will pay 300 day after tomorrow", "300"),  # "300 day" is not a duration here
    ("order #123, i'll pay 50", "50"),
    ("pay 1,200.50", "1200.5"),
    ("$350", "350"),
    ("us$ 40", "40"),
    ("¥500", "500"),
    ("￥800", "800"),
    ("500元", "500"),
    ("800块", "800"),
    ("300块钱", "300"),
    ("50 dollars", "50"),
    ("600 bucks", "600"),
    ("1200 usd", "1200"),
    ("500 rmb", "500"),
    ("usd 300", "300"),
    ("1.5k", "1500"),
    ("2K", "2000"),
    ("3 grand", "3000"),
    ("5 hundred", "500"),
    ("75.50", "75.5"),
    ("99.99", "99.99"),
    ("五百", "500"),
    ("一千五", "1500"),
    ("两千", "2000"),
    ("3千", "3000"),
    ("1万", "10000"),
    ("1.5万", "15000"),
    ("1万5", "15000"),
    ("一万二", "12000"),
    ("三百五十", "350"),
    ("三百五", "350"),
    ("两千五百块", "2500"),
    ("一千零五十", "1050"),
    ("五块", "5"),
    ("one hundred dollars", "100"),
    ("two hundred fifty dollars", "250"),
    ("２００", "200"),
    # the marked amount wins over an earlier bare number
    ("2 of us will pay $100", "100"),
]

NOT_MONEY: list[str] = [
    "will pay today, my account # is 4410923",
    "transfer done, transaction id 99812734",
    "payment went through, conf #A77312",
    "pls call me back after 5",
    "the 15th",
    "on the 1st",
    "15号",
    "十五号",
    "12/18",
    "Dec 20",
    "20 December",
    "2026-12-20",
    "in 3 days",
    "3 days",
    "三天后",
    "两个月",
    "下个月5号",
    "at 5pm",
    "5:30",
    "3点",
    "下午三点",
    "13812345678",
    "555-0123",
    "+1 555 123 4567",
    "call 138 1234 5678",
    "50%",
    "一定",
    "少还一点",
    "十分感谢",
    "千万别打了",
    "分两期",
    "2 kids",
    "account 12345",
    "#4521",
    # counts of calls, messages and fees; hotlines
    "I got 11 calls yesterday",
    "answer my 4 emails",
    "charging 3 late fees",
    "calling 10x a day",
    "打了十几次电话",
    "发了五封邮件",
    "我已经打12378了",
    "向12315举报",
    "three",
    "",
]


@pytest.mark.parametrize(("text", "expected"), MONEY, ids=[t for t, _ in MONEY])
def test_money(text: str, expected: str) -> None:
    assert amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", NOT_MONEY)
def test_not_money(text: str) -> None:
    assert amount(text) is None


def test_amounts_are_tidy_decimals() -> None:
    value = amount("1.5k")
    assert isinstance(value, Decimal)
    assert str(value) == "1500"  # not 1.5E+3 or 1500.0
    assert str(amount("1,200.50")) == "1200.5"


ZH_NUMERALS = [
    ("五百", 500),
    ("一千五", 1500),
    ("两千", 2000),
    ("一万二", 12000),
    ("三百五十", 350),
    ("十五", 15),
    ("二十", 20),
    ("一千零五", 1005),
    ("3千", 3000),
    ("2千5", 2500),
    ("1.5万", 15000),
    ("一万五千", 15000),
]


@pytest.mark.parametrize(("text", "expected"), ZH_NUMERALS, ids=[t for t, _ in ZH_NUMERALS])
def test_parse_zh_number(text: str, expected: int) -> None:
    assert parse_zh_number(text) == expected


@pytest.mark.parametrize("text", ["", "一二", "万", "abc", "5块"])
def test_parse_zh_number_rejects(text: str) -> None:
    assert parse_zh_number(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("three", 3), ("twenty five", 25), ("one hundred", 100), ("two thousand five hundred", 2500), ("a", 1)],
)
def test_parse_en_number(text: str, expected: int) -> None:
    assert parse_en_number(text) == expected
