"""Date resolution, table-driven, against the README conventions.

Calendar used below: 2026-12-02 is a Wednesday; Monday-start weeks, so "this week"
ends Sunday 2026-12-06 and "next week" is 2026-12-07..13.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from bot.nlu.dates import find_dates, promise_date
from bot.nlu.normalize import normalize

WED = dt.date(2026, 12, 2)
D = dt.date


def resolve(text: str, today: dt.date) -> dt.date | None:
    normalized = normalize(text)
    return promise_date(find_dates(normalized, today), normalized)


TABLE: list[tuple[str, dt.date, dt.date | None]] = [
    # today / tomorrow / day after
    ("today", WED, WED),
    ("tonight", WED, WED),
    ("今天", WED, WED),
    ("今晚", WED, WED),
    ("tomorrow", WED, D(2026, 12, 3)),
    ("tmrw", WED, D(2026, 12, 3)),
    ("明天", WED, D(2026, 12, 3)),
    ("the day after tomorrow", WED, D(2026, 12, 4)),
    ("后天", WED, D(2026, 12, 4)),
    ("大后天", WED, D(2026, 12, 5)),
    ("tomorrow", D(2026, 12, 31), D(2027, 1, 1)),
    ("tomorrow", D(2028, 2, 28), D(2028, 2, 29)),
    # in N days
    ("in 3 days", WED, D(2026, 12, 5)),
    ("in three days", WED, D(2026, 12, 5)),
    ("within 10 days", WED, D(2026, 12, 12)),
    ("in a week", WED, D(2026, 12, 9)),
    ("in 2 weeks", WED, D(2026, 12, 16)),
    ("3天后", WED, D(2026, 12, 5)),
    ("三天后", WED, D(2026, 12, 5)),
    ("十天之内", WED, D(2026, 12, 12)),
    ("过两天", WED, D(2026, 12, 4)),
    ("in 5 days", D(2026, 12, 31), D(2027, 1, 5)),
    # weekday alone / this weekday: next occurrence on or after today
    ("friday", WED, D(2026, 12, 4)),
    ("this friday", WED, D(2026, 12, 4)),
    ("on wednesday", WED, WED),
    ("tuesday", WED, D(2026, 12, 8)),
    ("fri", WED, D(2026, 12, 4)),
    ("on sat", WED, D(2026, 12, 5)),
    ("周五", WED, D(2026, 12, 4)),
    ("星期五", WED, D(2026, 12, 4)),
    ("礼拜五", WED, D(2026, 12, 4)),
    ("这周五", WED, D(2026, 12, 4)),
    ("周日", WED, D(2026, 12, 6)),
    ("星期天", WED, D(2026, 12, 6)),
    ("周5", WED, D(2026, 12, 4)),
    ("sunday", D(2027, 2, 28), D(2027, 2, 28)),
    ("friday", D(2026, 12, 31), D(2027, 1, 1)),
    # next <weekday>: that weekday in the next Monday-start calendar week
    ("next friday", WED, D(2026, 12, 11)),
    ("next monday", WED, D(2026, 12, 7)),
    ("next tuesday", WED, D(2026, 12, 8)),
    ("friday next week", WED, D(2026, 12, 11)),
    ("下周五", WED, D(2026, 12, 11)),
    ("下星期二", WED, D(2026, 12, 8)),
    ("下礼拜一", WED, D(2026, 12, 7)),
    ("下下周一", WED, D(2026, 12, 14)),
    ("next sunday", D(2027, 2, 28), D(2027, 3, 7)),
    ("下周一", D(2027, 2, 28), D(2027, 3, 1)),
    ("next friday", D(2026, 12, 31), D(2027, 1, 8)),
    # periods mean their last day
    ("this week", WED, D(2026, 12, 6)),
    ("本周", WED, D(2026, 12, 6)),
    ("end of the week", WED, D(2026, 12, 6)),
    ("next week", WED, D(2026, 12, 13)),
    ("下周", WED, D(2026, 12, 13)),
    ("the week after next", WED, D(2026, 12, 20)),
    ("weekend", WED, D(2026, 12, 6)),
    ("周末", WED, D(2026, 12, 6)),
    ("this weekend", D(2026, 12, 5), D(2026, 12, 6)),
    ("this weekend", D(2026, 12, 6), D(2026, 12, 6)),
    ("next weekend", WED, D(2026, 12, 13)),
    ("this week", D(2027, 2, 28), D(2027, 2, 28)),
    ("next week", D(2026, 12, 31), D(2027, 1, 10)),
    ("end of the month", WED, D(2026, 12, 31)),
    ("by end of month", WED, D(2026, 12, 31)),
    ("月底", WED, D(2026, 12, 31)),
    ("月底前", WED, D(2026, 12, 31)),
    ("this month", WED, D(2026, 12, 31)),
    ("next month", WED, D(2027, 1, 31)),
    ("下个月", WED, D(2027, 1, 31)),
    ("end of the month", D(2028, 2, 10), D(2028, 2, 29)),
    ("next month", D(2028, 1, 15), D(2028, 2, 29)),
    ("next month", D(2026, 1, 31), D(2026, 2, 28)),
    ("12月底", WED, D(2026, 12, 31)),
    ("end of the year", WED, D(2026, 12, 31)),
    # day of month alone: next occurrence on or after today
    ("the 15th", WED, D(2026, 12, 15)),
    ("on the 1st", WED, D(2027, 1, 1)),
    ("the 2nd", WED, WED),
    ("on the 15", WED, D(2026, 12, 15)),
    ("15号", WED, D(2026, 12, 15)),
    ("15日", WED, D(2026, 12, 15)),
    ("十五号", WED, D(2026, 12, 15)),
    ("on the first", WED, D(2027, 1, 1)),
    ("the 31st", D(2026, 11, 30), D(2026, 12, 31)),  # November has no 31st
    ("the 30th", D(2026, 1, 31), D(2026, 3, 30)),  # February has no 30th
    ("the 29th", D(2027, 2, 28), D(2027, 3, 29)),
    ("the 29th", D(2028, 2, 29), D(2028, 2, 29)),
    ("下个月5号", WED, D(2027, 1, 5)),
    ("the 5th of next month", WED, D(2027, 1, 5)),
    ("下个月31号", D(2027, 1, 10), D(2027, 2, 28)),  # clamped to the month's last day
    ("这个月25号", WED, D(2026, 12, 25)),
    # explicit dates: next occurrence on or after today
    ("dec 20", WED, D(2026, 12, 20)),
    ("December 18th", WED, D(2026, 12, 18)),
    ("20 dec", WED, D(2026, 12, 20)),
    ("the 20th of December", WED, D(2026, 12, 20)),
    ("nov 30", WED, D(2027, 11, 30)),
    ("12/24", WED, D(2026, 12, 24)),
    ("1/15", WED, D(2027, 1, 15)),
    ("24/12", WED, D(2026, 12, 24)),  # day/month when month/day is impossible
    ("12月20日", WED, D(2026, 12, 20)),
    ("1月5号", WED, D(2027, 1, 5)),
    ("十二月二十号", WED, D(2026, 12, 20)),
    ("2026-12-20", WED, D(2026, 12, 20)),
    ("2027年1月10日", WED, D(2027, 1, 10)),
    ("12/31/2026", WED, D(2026, 12, 31)),
    ("feb 29", D(2027, 1, 10), D(2028, 2, 29)),  # waits for the leap year
    # by X / before X / X之前 mean X
    ("by friday", WED, D(2026, 12, 4)),
    ("before the 10th", WED, D(2026, 12, 10)),
    ("周五之前", WED, D(2026, 12, 4)),
    ("周四前", WED, D(2026, 12, 3)),
    # never a past date; past and vague expressions resolve to nothing
    ("yesterday", WED, None),
    ("last friday", WED, None),
    ("3 days ago", WED, None),
    ("昨天", WED, None),
    ("三天前", WED, None),
    ("上周五", WED, None),
    ("2025-12-20", WED, None),
    ("12/31/2025", WED, None),
    ("early next month", WED, None),
    ("下个月初", WED, None),
    ("payday", WED, None),
    ("at 5pm", WED, None),
    ("pay 1/2 now", WED, None),  # a fraction, not January 2nd
    ("", WED, None),
    # several dates: the latest one is the promise date ...
    ("half now and the rest on Dec 20", WED, D(2026, 12, 20)),
    ("200 today and the rest on friday", WED, D(2026, 12, 4)),
    # ... except a salary date, which is a reason; a payment after it counts from payday
    ("I get paid on the 10th, will pay then", WED, D(2026, 12, 10)),
    ("15号发工资就还", WED, D(2026, 12, 15)),
    ("I get paid on the 20th, but I'll pay tomorrow", WED, D(2026, 12, 3)),
    ("I get paid on the 10th and will pay on the 12th", WED, D(2026, 12, 12)),
    ("1号发工资，2号还", WED, D(2027, 1, 2)),
    ("我下个月8号发工资，8号当天就还", WED, D(2027, 1, 8)),
    ("I'll pay on the 5th, I get paid on the 20th", WED, D(2027, 1, 5)),
]


@pytest.mark.parametrize(("text", "today", "expected"), TABLE, ids=[f"{t}@{d}" for t, d, _ in TABLE])
def test_resolves(text: str, today: dt.date, expected: dt.date | None) -> None:
    assert resolve(text, today) == expected


EXPRESSIONS = [
    "today",
    "tomorrow",
    "friday",
    "next friday",
    "sunday",
    "next sunday",
    "this week",
    "next week",
    "weekend",
    "end of the month",
    "next month",
    "the 1st",
    "the 29th",
    "the 30th",
    "the 31st",
    "dec 31",
    "feb 29",
    "1/1",
    "周一",
    "下周日",
    "月底",
    "下个月5号",
    "下个月31号",
    "15号",
    "12月1日",
    "in 0 days",
    "大后天",
]
TODAYS = [WED, D(2026, 12, 31), D(2027, 1, 1), D(2027, 2, 28), D(2028, 2, 29), D(2028, 12, 31), D(2026, 12, 6)]


@pytest.mark.parametrize("today", TODAYS, ids=str)
def test_never_a_past_date(today: dt.date) -> None:
    for text, start in itertools.product(EXPRESSIONS, [today, today + dt.timedelta(days=1)]):
        got = resolve(text, start)
        assert got is None or got >= start, (text, start, got)


def test_mentions_report_their_span() -> None:
    text = normalize("I will pay 500 on the 15th")
    (mention,) = find_dates(text, WED)
    assert text[mention.start : mention.end] == "the 15th"
    assert mention.date == D(2026, 12, 15)
