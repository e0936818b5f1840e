"""Layer 6: the amount of money a reply names, as a Decimal.

The hard part is not reading numbers but refusing the ones that are not money: dates
("the 15th", "12/18", "15号"), durations ("3 days", "两个月"), times ("5pm", "3点"),
counts, percentages, phone and account numbers. Those are blanked out first; what is
left is read as digits (1,200.50), with multipliers (1.5k, 3千, 1万), currency marks
($ ¥ 元 块 dollars usd rmb), Chinese numerals (两千五百) or English words (one hundred).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Final

from .lazyre import lazy
from .numerals import EN_NUMBER, ZH_NUMBER, ZH_SMALL, parse_en_number, parse_zh_number

_NUM: Final = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CURRENCY_BEFORE: Final = r"us\$|\$|¥|€|£|\busd|\brmb|\bcny"
_CURRENCY_AFTER: Final = r"dollars?\b|bucks?\b|usd\b|rmb\b|cny\b|yuan\b|元|块钱|块|¥"
_MULTIPLIERS: Final[dict[str, int]] = {
    "k": 1000,
    "grand": 1000,
    "thousand": 1000,
    "hundred": 100,
    "千": 1000,
    "万": 10000,
    "百": 100,
}
_MULT: Final = r"k(?![a-z])|grand\b|thousand\b|hundred\b|千|万|百"

# Spans that contain digits but are never money. Applied after the date spans.
_NOT_MONEY: Final = tuple(
    lazy(p)
    for p in (
        # times of day
        r"\b\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.|o'?clock)\b",
        r"\b\d{1,2}:\d{2}\b",
        r"\b(?:at|around|after|before|till|until|past)\s+\d{1,2}\b(?!\s*(?:dollars?|bucks|usd|rmb|k\b|%|元|块|[,.]\d))",
        rf"(?:[上下]午|晚上|早上|中午|凌晨|傍晚)?\s*{ZH_SMALL}\s*(?:点|时)(?:半|钟|\s*{ZH_SMALL}\s*分)?",
        # durations, counts, percentages, ordinals
        # ("300 day after tomorrow" is an amount and a date, not a duration)
        r"\b\d+(?:\.\d+)?\s*(?:days?(?!\s+after\s+tomorrow)|weeks?|months?|years?|yrs?|hours?|hrs?|minutes?|mins?|times|"
        r"installments?|instalments?|payments|kids|children|people|persons|percent|%)(?![a-z])",
        # counts of contacts and charges: "11 calls", "my 4 emails", "3 late fees", "10x a day"
        r"\b\d+\s*(?:x\b|(?:late\s+|extra\s+|more\s+|separate\s+)?(?:calls?|texts?|sms|e?mails?|messages?|"
        r"letters?|voicemails?|reminders?|fees|charges|penalties)\b)",
        r"(?<![\d.])\d+(?:\.\d+)?\s*%",
        r"\b\d+(?:st|nd|rd|th)\b",
        rf"{ZH_NUMBER}\s*几?\s*(?:个)?\s*(?:天|日|周|星期|礼拜|月|年|小时|分钟|次|期|岁|号|个|人|口|家|份|笔|倍|成|折|遍|"
        r"条|封|通(?!过))",
        # consumer hotlines: 打12378 / 向12315 is a number to call, not money
        r"(?:打|拨打?|致电|向|到|和)\s*(?:12378|12315|12363|12345|12358)",
        # idioms that look like numerals: 十分 (very), 百分之 (per cent)
        r"十分|百分之\S*",
        # phone, account and reference numbers
        r"\+?\d{0,3}[\s-]?\(?\d{3}\)?[\s-]?\d{3}[\s-]?\d{4}\b",  # +1 (555) 123 4567
        r"\b1\d{2}[\s-]?\d{4}[\s-]?\d{4}\b",  # Chinese mobile 138 1234 5678
        r"\b\d{3}-\d{4}\b",  # 555-0123
        r"\d{8,}",
        r"(?:#|\bno\.?|\bnumber|\baccount|\bacct|\bref(?:erence)?|\bid|\bconf(?:irmation)?|\btransaction|"
        r"\border|\binvoice|\breceipt|\btracking|尾号|编号|账号|卡号|单号|流水号)\s*(?:#|no\.?|number|id)?\s*"
        r"(?:is\s+|:\s*)?[a-z]{0,3}\d+",
    )
)

_DIGIT_AMOUNT: Final = lazy(
    rf"(?P<cur1>{_CURRENCY_BEFORE})?\s*(?<![\d.,])(?P<num>{_NUM})(?![\d])\s*(?P<mult>{_MULT})?\s*(?P<cur2>{_CURRENCY_AFTER})?"
)
_ZH_AMOUNT: Final = lazy(rf"(?P<cur1>{_CURRENCY_BEFORE})?\s*(?P<num>{ZH_NUMBER})\s*(?P<cur2>{_CURRENCY_AFTER})?")
_EN_AMOUNT: Final = lazy(rf"(?P<cur1>\$)?\s*(?P<num>{EN_NUMBER})\s*(?P<cur2>dollars?\b|bucks?\b|usd\b)?")
_ZH_CHARS: Final = lazy(r"[零〇一二两俩三四五六七八九十百千万]")
_ZH_MAGNITUDE: Final = lazy(r"[十百千万]")
_MAX_PLAIN_DIGITS: Final = 7  # longer bare digit runs are phone / account numbers


def extract_amount(text: str, not_money: Iterable[tuple[int, int]] = ()) -> Decimal | None:
    """The amount named in a normalised reply, or None.

    ``not_money`` are spans (typically the date expressions) to ignore. When several
    amounts appear, the first one carrying a currency mark or multiplier wins, else the
    first one.
    """
    masked = _mask(text, not_money)
    candidates: list[tuple[int, bool, Decimal]] = []  # (position, marked, value)
    taken: list[tuple[int, int]] = []
    for m in _ZH_AMOUNT.finditer(masked):
        num = m.group("num")
        if not _ZH_CHARS.search(num):
            continue  # plain digits: read by the digit pattern below
        marked = bool(m.group("cur1") or m.group("cur2"))
        if not (marked or _ZH_MAGNITUDE.search(num)):
            continue  # a bare 一 / 两 is "one time", "a bit", never money
        value = parse_zh_number(num)
        if value is not None and value > 0:
            candidates.append((m.start("num"), marked, value))
            taken.append(m.span("num"))
    for m in _DIGIT_AMOUNT.finditer(masked):
        if any(s <= m.start("num") < e for s, e in taken):
            continue
        value = _digit_value(m)
        if value is not None:
            marked = bool(m.group("cur1") or m.group("cur2") or m.group("mult"))
            candidates.append((m.start("num"), marked, value))
    for m in _EN_AMOUNT.finditer(masked):
        marked = bool(m.group("cur1") or m.group("cur2"))
        words = m.group("num")
        if not (marked or re.search(r"hundred|thousand", words)):
            continue  # "three" alone is a count, not money
        number = parse_en_number(words)
        if number:
            candidates.append((m.start("num"), marked, Decimal(number)))
    if not candidates:
        return None
    candidates.sort(key=lambda c: (not c[1], c[0]))
    return _tidy(candidates[0][2])


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    # The not-money patterns look at the original text: blanking the date "月底" first
    # would hide the "月" that tells us the 12 in "12月底" is a month.
    blank = list(spans)
    for pattern in _NOT_MONEY:
        blank.extend(m.span() for m in pattern.finditer(text))
    chars = list(text)
    for start, end in blank:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _digit_value(m: re.Match[str]) -> Decimal | None:
    raw = m.group("num").replace(",", "")
    if "." not in raw and len(raw) > _MAX_PLAIN_DIGITS:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    mult = m.group("mult")
    if mult:
        value *= _MULTIPLIERS[mult]
    return value if value > 0 else None


def _tidy(value: Decimal) -> Decimal:
    # 1500 rather than 1.5E+3 or 1500.0; 1200.5 rather than 1200.50.
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()
