"""Layer 5: date expressions, resolved against the borrower's "today" per the README.

Conventions (README "Promise dates"): a weekday or a day of the month means its next
occurrence on or after today; "next <weekday>" / 下周X means that weekday in the next
Monday-start calendar week; a period (this week, next week, weekend, end of month,
next month) means its last day; "by X" / "before X" / "X之前" mean X. A resolved
date is never in the past.

``find_dates`` also reports expressions that resolve to nothing (past or vague ones
such as "yesterday", "3 days ago", "early next month") so that the amount layer can
tell that the numbers inside them are not money.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from .lazyre import lazy
from .numerals import EN_NUMBER, ORDINAL_WORDS, ZH_SMALL, parse_small


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression found in the text; ``date`` is None when it names no future day."""

    start: int
    end: int
    date: dt.date | None
    # "Next occurrence" expressions (the 15th, Friday, Dec 20) depend on the day they are
    # counted from; relative ones (tomorrow, in 3 days, next week) do not float.
    floating: bool = False


Resolver = Callable[["re.Match[str]", dt.date], "dt.date | None"]

_WEEKDAYS: Final[dict[str, int]] = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    # Ambiguous abbreviations ("I sat", "the sun", "wed") are only read after a cue word.
    "mon": 0,
    "wed": 2,
    "sat": 5,
    "sun": 6,
}
_ZH_WEEKDAYS: Final[dict[str, int]] = {
    "一": 0,
    "二": 1,
    "三": 2,
    "四": 3,
    "五": 4,
    "六": 5,
    "日": 6,
    "天": 6,
    # Typed with digits too: 周5, 星期6, 周7 (= Sunday).
    "1": 0,
    "2": 1,
    "3": 2,
    "4": 3,
    "5": 4,
    "6": 5,
    "7": 6,
}
_MONTHS: Final[dict[str, int]] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}

_WD: Final = r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_WD_ABBR: Final = r"(mon|wed|sat|sun)"
_MONTH: Final = r"(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")"
_ORD: Final = r"(?:st|nd|rd|th)"
_ZH_WEEK: Final = r"(?:周|星期|礼拜)"
# Fractions that people write when they mean "half" / "a third", not January 2nd.
_FRACTIONS: Final = frozenset({"1/2", "1/3", "1/4", "2/3", "3/4"})
_DATE_CUE_BEFORE: Final = lazy(r"\b(?:on|by|before|until|till|due)\s*$")
_SALARY: Final = lazy(
    r"\b(?:get|got|gets|getting)\s+paid\b|\bpay\s*(?:day|check|cheque)\b|\bsalary\b|\bwages?\b|发工资|工资|发薪|薪水"
)
# Clause and conjunction boundaries: the salary clause "I get paid on the 10th" ends here.
_SEGMENT_BREAK: Final = lazy(r"[,.;!?，。；！？]|\b(?:and|but|so|then)\b|就|再|然后")


# --- calendar arithmetic -----------------------------------------------------------


def _monday(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=today.weekday())


def _end_of_month(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def _weekday_on_or_after(today: dt.date, weekday: int) -> dt.date:
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7)


def _weekday_in_week(today: dt.date, weekday: int, weeks_ahead: int) -> dt.date:
    return _monday(today) + dt.timedelta(days=7 * weeks_ahead + weekday)


def _day_on_or_after(today: dt.date, day: int) -> dt.date | None:
    """Next date with this day of month on or after today, skipping months without it."""
    if not 1 <= day <= 31:
        return None
    year, month = today.year, today.month
    for _ in range(13):
        if day <= calendar.monthrange(year, month)[1]:
            candidate = dt.date(year, month, day)
            if candidate >= today:
                return candidate
        year, month = _add_months(year, month, 1)
    return None


def _month_day_on_or_after(today: dt.date, month: int, day: int) -> dt.date | None:
    """Next occurrence of month/day on or after today (Feb 29 waits for a leap year)."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    for year in range(today.year, today.year + 9):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _explicit(today: dt.date, year: int, month: int, day: int) -> dt.date | None:
    if year < 100:
        year += 2000
    try:
        candidate = dt.date(year, month, day)
    except ValueError:
        return None
    return candidate if candidate >= today else None


def _day_of_month(today: dt.date, months_ahead: int, day: int) -> dt.date | None:
    """Day ``day`` of the month ``months_ahead`` from now, clamped to that month's length."""
    year, month = _add_months(today.year, today.month, months_ahead)
    if not 1 <= day <= 31:
        return None
    candidate = dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))
    return candidate if candidate >= today else None


# --- resolvers -------------------------------------------------------------------------


def _none(_m: re.Match[str], _today: dt.date) -> dt.date | None:
    return None


def _offset(days: int) -> Resolver:
    return lambda _m, today: today + dt.timedelta(days=days)


def _in_n(m: re.Match[str], today: dt.date) -> dt.date | None:
    count = parse_small(m.group("n"))
    if count is None:
        return None
    unit = m.group("unit")
    days = count * 7 if unit.startswith(("week", "周", "星期", "礼拜")) else count
    return today + dt.timedelta(days=days)


def _iso(m: re.Match[str], today: dt.date) -> dt.date | None:
    return _explicit(today, int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _us_full(m: re.Match[str], today: dt.date) -> dt.date | None:
    return _explicit(today, int(m.group(3)), int(m.group(1)), int(m.group(2)))


def _slash(m: re.Match[str], today: dt.date) -> dt.date | None:
    if m.group(0) in _FRACTIONS and not _DATE_CUE_BEFORE.search(m.string, 0, m.start()):
        return None  # "pay 1/2 now" is half, not January 2nd
    first, second = int(m.group(1)), int(m.group(2))
    if first > 12 >= second:  # "24/12" can only be day/month
        first, second = second, first
    return _month_day_on_or_after(today, first, second)


def _month_name_day(m: re.Match[str], today: dt.date) -> dt.date | None:
    month, day, year = _MONTHS[m.group("month")], int(m.group("day")), m.group("year")
    if year:
        return _explicit(today, int(year), month, day)
    return _month_day_on_or_after(today, month, day)


def _zh_month_day(m: re.Match[str], today: dt.date) -> dt.date | None:
    month, day = parse_small(m.group(1)), parse_small(m.group(2))
    if month is None or day is None:
        return None
    return _month_day_on_or_after(today, month, day)


def _named_month_end(m: re.Match[str], today: dt.date) -> dt.date | None:
    """ "12月底", "end of December": the last day of that month, next occurrence."""
    name = m.group("month")
    month = _MONTHS.get(name) or parse_small(name)
    if month is None or not 1 <= month <= 12:
        return None
    year = today.year if month >= today.month else today.year + 1
    return _end_of_month(year, month)


def _fixed_day(month: int, day: int) -> Resolver:
    """A named day of the year (Christmas, New Year's Day): its next occurrence on or after today."""

    def resolve(_m: re.Match[str], today: dt.date) -> dt.date | None:
        return _month_day_on_or_after(today, month, day)

    return resolve


_CHRISTMAS_EVE: Final = _fixed_day(12, 24)
_CHRISTMAS: Final = _fixed_day(12, 25)
_NEW_YEARS_EVE: Final = _fixed_day(12, 31)
_NEW_YEARS_DAY: Final = _fixed_day(1, 1)


def _month_offset_day(months_ahead: int) -> Resolver:
    def resolve(m: re.Match[str], today: dt.date) -> dt.date | None:
        day = parse_small(m.group("day"))
        return None if day is None else _day_of_month(today, months_ahead, day)

    return resolve


def _day_alone(m: re.Match[str], today: dt.date) -> dt.date | None:
    text = m.group("day")
    day = ORDINAL_WORDS.get(text) if text in ORDINAL_WORDS else parse_small(text)
    return None if day is None else _day_on_or_after(today, day)


def _weekday(weeks_ahead: int | None) -> Resolver:
    """weeks_ahead None: next occurrence on/after today; N: that weekday N calendar weeks on."""

    def resolve(m: re.Match[str], today: dt.date) -> dt.date | None:
        name = m.group("wd")
        weekday = _ZH_WEEKDAYS[name] if name in _ZH_WEEKDAYS else _WEEKDAYS[name]
        if weeks_ahead is None:
            return _weekday_on_or_after(today, weekday)
        return _weekday_in_week(today, weekday, weeks_ahead)

    return resolve


_ON_OR_AFTER_WEEKDAY: Final = _weekday(None)


def _zh_next_weekday(m: re.Match[str], today: dt.date) -> dt.date | None:
    weeks = 2 if m.group("twice") else 1
    return _weekday_in_week(today, _ZH_WEEKDAYS[m.group("wd")], weeks)


def _week_end(weeks_ahead: int) -> Resolver:
    return lambda _m, today: _monday(today) + dt.timedelta(days=7 * weeks_ahead + 6)


def _month_end(months_ahead: int) -> Resolver:
    def resolve(_m: re.Match[str], today: dt.date) -> dt.date | None:
        return _end_of_month(*_add_months(today.year, today.month, months_ahead))

    return resolve


def _year_end(_m: re.Match[str], today: dt.date) -> dt.date | None:
    return dt.date(today.year, 12, 31)


# --- the table ---------------------------------------------------------------------------
# Order matters: longer / more specific expressions come first and claim their span, so
# "下周五" is a weekday and not "下周" + "五", and "大后天" is not "后天".
_N_EN: Final = rf"(?P<n>\d{{1,3}}|{EN_NUMBER})"
_N_ZH: Final = rf"(?P<n>{ZH_SMALL})"
_DAY_EN: Final = r"(?P<day>\d{1,2})"

_RULES: Final[tuple[tuple[str, Resolver], ...]] = (
    # Past: worth finding only so that they resolve to nothing.
    (
        rf"\b(?:yesterday|last\s+(?:night|week(?:end)?|month|year|{_WD}|{_WD_ABBR})|"
        rf"(?:\d+|{EN_NUMBER})\s+(?:days?|weeks?|months?|years?)\s+ago)\b",
        _none,
    ),
    (
        rf"昨天|昨晚|昨日|前天|上上?(?:个)?(?:{_ZH_WEEK}|月)[一二三四五六日天末底]?|"
        rf"{ZH_SMALL}\s*(?:个)?\s*(?:天|{_ZH_WEEK}|月)\s*(?:之|以)?前(?![还付转打])",
        _none,
    ),
    # Explicit dates with a year.
    (r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*(?:日|号)?(?!\d)", _iso),
    (r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\d/])", _us_full),
    # Day of next / this month: "下个月5号", "the 5th of next month".
    (rf"下个?月\s*的?\s*(?P<day>{ZH_SMALL})\s*(?:号|日)", _month_offset_day(1)),
    (rf"\bnext\s+month\s+(?:on\s+)?(?:the\s+)?{_DAY_EN}{_ORD}?\b", _month_offset_day(1)),
    (rf"\b(?:the\s+)?{_DAY_EN}{_ORD}?\s+(?:of\s+)?next\s+month\b", _month_offset_day(1)),
    (rf"(?:本|这个?)月\s*的?\s*(?P<day>{ZH_SMALL})\s*(?:号|日)", _month_offset_day(0)),
    (rf"\b(?:the\s+)?{_DAY_EN}{_ORD}?\s+(?:of\s+)?this\s+month\b", _month_offset_day(0)),
    # Month names: "Dec 20", "December 18th, 2026", "20 Dec", "the 20th of December".
    (
        rf"\b(?P<month>{_MONTH[1:-1]})\.?\s+(?:the\s+)?(?P<day>\d{{1,2}}){_ORD}?\b(?:,?\s*(?P<year>\d{{4}})\b)?",
        _month_name_day,
    ),
    (
        rf"\b(?:the\s+)?(?P<day>\d{{1,2}}){_ORD}?\s+(?:of\s+)?(?P<month>{_MONTH[1:-1]})\b\.?"
        rf"(?:,?\s*(?P<year>\d{{4}})\b)?",
        _month_name_day,
    ),
    (rf"(?<![\d个])({ZH_SMALL})\s*月\s*({ZH_SMALL})\s*(?:日|号)?", _zh_month_day),
    (rf"(?<![\d个])(?P<month>{ZH_SMALL})\s*月\s*(?:份)?\s*[底末]", _named_month_end),
    (rf"\bend\s+of\s+(?P<month>{_MONTH[1:-1]})\b", _named_month_end),
    (r"(?<![\d/.$¥])(\d{1,2})/(\d{1,2})(?![\d/])", _slash),
    # Named days of the year; "after Christmas", "in the new year" name none.
    (
        r"\b(?:after|in)\s+(?:the\s+)?(?:christmas|xmas|new\s+year(?:'s)?|holidays?)\b|(?:圣诞(?:节)?|元旦)(?:之|以)?后",
        _none,
    ),
    (r"\b(?:christmas|xmas)\s+eve\b|平安夜", _CHRISTMAS_EVE),
    (r"\b(?:christmas|xmas)(?:\s+day)?\b|圣诞(?:节)?", _CHRISTMAS),
    (r"\bnew\s+year'?s\s+eve\b", _NEW_YEARS_EVE),
    (r"\bnew\s+year'?s(?:\s+day)?\b|元旦", _NEW_YEARS_DAY),
    # Relative days.
    (r"大后天", _offset(3)),
    (r"\b(?:the\s+)?day\s+after\s+tomorrow\b|后天", _offset(2)),
    (r"\btomorrow\b|明天|明日|明儿|明早|明晚", _offset(1)),
    (
        r"\b(?:today|tonight|this\s+(?:evening|afternoon|morning)|later\s+today|"
        r"end\s+of\s+(?:the\s+)?day|eod|close\s+of\s+business)\b|今天|今日|今晚|今儿|今早|今夜|当天",
        _offset(0),
    ),
    # "paying now", "I'll send it right now": today (only the word "now", so an amount before it stays one).
    (
        r"(?:(?<=\bpay\s)|(?<=\bpaying\s)|(?<=\bsend\s)|(?<=\bsending\s)|(?<=\bpay\sit\s)|(?<=\bsend\sit\s)|"
        r"(?<=\bpaying\sit\s)|(?<=\bsending\sit\s)|(?<=\btransfer\s)|(?<=\btransferring\s))(?:right\s+)?now\b",
        _offset(0),
    ),
    (rf"\b(?:in|within|after|inside)\s+(?:(?:the\s+)?next\s+)?{_N_EN}\s+(?P<unit>days?|weeks?)\b", _in_n),
    (rf"\b{_N_EN}\s+(?P<unit>days?|weeks?)\s+(?:from\s+(?:now|today)|later|time)\b", _in_n),
    (rf"{_N_ZH}\s*(?:个)?\s*(?P<unit>天|日|周|星期|礼拜)\s*(?:之后|以后|后|之内|以内|内)", _in_n),
    (rf"过\s*{_N_ZH}\s*(?:个)?\s*(?P<unit>天|日|周|星期|礼拜)", _in_n),
    # Weekdays.
    (rf"\bnext\s+(?P<wd>{_WD[1:-1]}|{_WD_ABBR[1:-1]})\b", _weekday(1)),
    (rf"\b(?P<wd>{_WD[1:-1]})\s+(?:of\s+)?next\s+week\b", _weekday(1)),
    (rf"下(?P<twice>下)?(?:个)?{_ZH_WEEK}(?P<wd>[一二三四五六日天1-7])(?!\d)", _zh_next_weekday),
    (rf"\b(?P<wd>{_WD[1:-1]})\b", _ON_OR_AFTER_WEEKDAY),
    (rf"\b(?:on|this|by|before|until|till|coming|next)\s+(?P<wd>{_WD_ABBR[1:-1]})\b", _ON_OR_AFTER_WEEKDAY),
    (rf"(?:这个?|本)?{_ZH_WEEK}(?P<wd>[一二三四五六日天1-7])(?!\d)", _ON_OR_AFTER_WEEKDAY),
    # Weeks: a period means its last day (Sunday).
    (r"\bnext\s+weekend\b|下个?周末", _week_end(1)),
    (r"\b(?:the\s+)?week\s+after\s+next\b|下下个?(?:周|星期|礼拜)", _week_end(2)),
    (r"\b(?:end\s+of\s+)?next\s+week\b|下个?(?:周|星期|礼拜)", _week_end(1)),
    # Not a weekend that is over: "all weekend", "last weekend", "the whole weekend".
    (r"(?<!\ball )(?<!\blast )(?<!whole )(?<!\bpast )\bweekend\b|周末", _week_end(0)),
    (
        r"\b(?:end\s+of\s+(?:the\s+|this\s+)?week|(?:this|the|current)\s+week)\b|本周|这个?(?:周|星期|"
        r"礼拜)",
        _week_end(0),
    ),
    # Months and the year.
    (r"\b(?:beginning|start|early|middle|mid)[\s-]*(?:of\s+)?(?:the\s+)?next\s+month\b|下个?月[初中]|月[初中]", _none),
    (r"\b(?:end\s+of\s+)?(?:the\s+)?next\s+month\b|下个?月[底末]?", _month_end(1)),
    (
        r"\b(?:end\s+of\s+(?:the\s+|this\s+)?month|month[\s-]?end|this\s+month)\b|(?:本|这个?)?月[底末]|本月|这个月|月内",
        _month_end(0),
    ),
    (r"\b(?:end\s+of\s+(?:the\s+|this\s+)?year|year[\s-]?end)\b|年[底末]", _year_end),
    (r"\bnext\s+year\b|明年", _none),
    # A day of the month alone: "the 15th", "on the 1st", "15号", "十五日".
    (rf"(?<![\d.,$¥])(?:\bthe\s+)?\b{_DAY_EN}{_ORD}\b", _day_alone),
    (
        rf"\bthe\s+{_DAY_EN}\b(?!\s*(?:days?|weeks?|months?|years?|hours?|dollars?|bucks|usd|rmb|%|k\b|am\b|pm\b|[:.,]\d))",
        _day_alone,
    ),
    (rf"\b(?:on|by|before|until|till)\s+the\s+(?P<day>{'|'.join(ORDINAL_WORDS)})\b", _day_alone),
    (rf"(?<![\d.])(?P<day>{ZH_SMALL})\s*(?:号|日)(?!元)", _day_alone),
)
_FLOATING: Final[frozenset[Resolver]] = frozenset(
    {_day_alone, _month_name_day, _zh_month_day, _slash, _ON_OR_AFTER_WEEKDAY, _CHRISTMAS_EVE, _CHRISTMAS}
    | {_NEW_YEARS_EVE, _NEW_YEARS_DAY}
)
_COMPILED: Final = tuple((lazy(pattern), resolve) for pattern, resolve in _RULES)


def find_dates(text: str, today: dt.date) -> list[DateMention]:
    """Every date expression in a normalised reply, in text order, non-overlapping."""
    found: list[DateMention] = []
    for pattern, resolve in _COMPILED:
        for m in pattern.finditer(text):
            start, end = m.span()
            if start == end or any(start < f.end and f.start < end for f in found):
                continue
            found.append(DateMention(start, end, resolve(m, today), resolve in _FLOATING))
    found.sort(key=lambda f: f.start)
    return found


def promise_date(mentions: list[DateMention], text: str) -> dt.date | None:
    """The date a promise is for: the latest future date mentioned.

    "half now and the rest on Dec 20", "200 today and the rest on Friday": a promise is
    kept when its last instalment is, so the latest date is the one to follow up on.

    A date that only says when the salary arrives is the reason, not the promise. Alone
    ("15号发工资就还") it is the best date there is; next to a payment date it anchors it:
    "1号发工资，2号还" on Dec 2 pays on Jan 2 (the 2nd after payday), not today.
    """
    dated = [m for m in mentions if m.date is not None]
    breaks = sorted({0, len(text), *(m.end() for m in _SEGMENT_BREAK.finditer(text))})
    salary = [m.date for m in dated if m.date is not None and _about_salary(text, breaks, m)]
    payment = [m for m in dated if not _about_salary(text, breaks, m)]
    if not payment:
        return max(salary) if salary else None
    if salary:
        payday = max(salary)
        again = {(m.start, m.end): m.date for m in find_dates(text, payday)}
        payment = [
            DateMention(m.start, m.end, again.get((m.start, m.end)) or m.date, m.floating)
            if m.floating and m.date is not None and m.date < payday
            else m
            for m in payment
        ]
    return max(m.date for m in payment if m.date is not None)


def _about_salary(text: str, breaks: list[int], mention: DateMention) -> bool:
    """Whether the clause segment holding ``mention`` talks about getting paid."""
    start = max((b for b in breaks if b <= mention.start), default=0)
    end = min((b for b in breaks if b >= mention.end), default=len(text))
    return bool(_SALARY.search(text, start, end))
