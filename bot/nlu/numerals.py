"""Number words: Chinese numerals (五百, 一千五, 1万2) and English words (three, one hundred).

Shared by the date layer ("三天后", "in three days") and the amount layer ("两千",
"one hundred dollars"), so both read numbers the same way.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Final

from .lazyre import lazy

ZH_DIGITS: Final[dict[str, int]] = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
ZH_UNITS: Final[dict[str, int]] = {"十": 10, "百": 100, "千": 1000, "万": 10000}

# One Chinese-or-mixed number: Arabic digits and/or Chinese numerals and units.
# It must start with a digit, a Chinese digit or 十 — never with 百/千/万 — so that
# idioms such as 千万 ("by all means"), 万一 ("in case") and 百分之 are not numbers.
# The look-behind anchors a match at the start of a run, which also keeps scanning long
# digit runs linear instead of quadratic.
ZH_NUMBER: Final = (
    r"(?:(?<![0-9.一二两俩三四五六七八九十百千万零〇])"
    r"[0-9一二两俩三四五六七八九十][0-9.一二两俩三四五六七八九十百千万零〇]*)"
)
ZH_SMALL: Final = r"(?:[0-9]{1,2}|[一二两三四五六七八九十]{1,3})"

_TOKEN_RE: Final = lazy(r"\d+(?:\.\d+)?|[零〇一二两俩三四五六七八九十百千万]")

EN_UNITS: Final[dict[str, int]] = {
    "zero": 0,
    "one": 1,
    "a": 1,
    "an": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
EN_SCALES: Final[dict[str, int]] = {"hundred": 100, "thousand": 1000}
EN_WORD: Final = r"(?:" + "|".join(sorted(set(EN_UNITS) | set(EN_SCALES), key=len, reverse=True)) + r")"
# A run of number words, e.g. "one hundred", "twenty five", "two thousand five hundred".
EN_NUMBER: Final = rf"\b{EN_WORD}(?:[\s-]+(?:and\s+)?{EN_WORD})*\b"

ORDINAL_WORDS: Final[dict[str, int]] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
}


def parse_zh_number(text: str) -> Decimal | None:
    """Value of a Chinese / mixed numeral, or None when it is not a well-formed number.

    Handles the colloquial elision of the last unit: 一千五 = 1500, 一万二 = 12000,
    三百五 = 350, 2千5 = 2500; and 零 as a place holder: 一千零五十 = 1050.
    """
    tokens = _TOKEN_RE.findall(text)
    if not tokens or "".join(tokens) != text:
        return None
    total = Decimal(0)  # everything already multiplied by 万
    section = Decimal(0)  # the part below 万
    pending: Decimal | None = None  # a number not yet attached to a unit
    last_unit = 0
    zero_seen = False
    try:
        for token in tokens:
            if token in ZH_UNITS:
                unit = ZH_UNITS[token]
                if unit == 10000:
                    section += pending if pending is not None else Decimal(0)
                    if section == 0:
                        return None
                    total += section * unit
                    section = Decimal(0)
                else:
                    section += (pending if pending is not None else Decimal(1)) * unit
                pending, last_unit, zero_seen = None, unit, False
            elif token in ("零", "〇"):
                zero_seen = True
            else:
                if pending is not None:
                    return None  # two numbers in a row ("一二") is not a numeral
                pending = Decimal(ZH_DIGITS[token]) if token in ZH_DIGITS else Decimal(token)
        if pending is not None:
            # A trailing digit right after a unit counts in the next lower place.
            scale = last_unit // 10 if last_unit and not zero_seen else 1
            section += pending * scale
    except InvalidOperation:
        return None
    return total + section


def parse_en_number(text: str) -> int | None:
    """Value of English number words ("three", "twenty five", "one hundred"), else None."""
    total = 0
    current = 0
    seen = False
    for word in re.split(r"[\s-]+", text.strip()):
        if word == "and":
            continue
        if word in EN_UNITS:
            current += EN_UNITS[word]
            seen = True
        elif word in EN_SCALES:
            scale = EN_SCALES[word]
            if scale == 1000:
                total += max(current, 1) * scale
                current = 0
            else:
                current = max(current, 1) * scale
            seen = True
        else:
            return None
    return total + current if seen else None


def parse_small(text: str) -> int | None:
    """A day count or day of month written in digits, English words or Chinese numerals."""
    if text.isdigit():
        return int(text)
    value = parse_zh_number(text)
    if value is not None:
        return int(value) if value == value.to_integral_value() else None
    return parse_en_number(text)
