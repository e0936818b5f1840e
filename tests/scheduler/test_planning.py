from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from config.policy import load_policy, parse_policy
from scheduler.planning import (
    STALE_REASON,
    Amount,
    DueInstallment,
    Plan,
    local_instant,
    plan_reminders,
    window_capacity,
)

POLICY = load_policy()


def utc(text: str) -> datetime:
    """'2026-12-01T16:30' read as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str, zone: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def row(
    due: str,
    zone: str = "Europe/London",
    borrower: str = "B1",
    loan: str = "L1",
    no: int = 1,
    installment_id: int = 1,
    amount: str = "100.00",
    currency: str = "GBP",
    paid: bool = False,
    locale: str | None = None,
) -> DueInstallment:
    return DueInstallment(
        installment_id=installment_id,
        borrower_id=borrower,
        loan_id=loan,
        installment_no=no,
        timezone=zone,
        due_date=date.fromisoformat(due),
        amount_outstanding=Decimal(amount),
        currency=currency,
        paid=paid,
        locale=locale,
    )


def summary(plan: Plan) -> list[tuple[str, str, str]]:
    return [(r.borrower_id, r.tier.name, r.local_date.isoformat()) for r in plan.due]


# One instant, 2026-12-01 16:30 UTC, is a different local date and hour in each zone.
NOW = utc("2026-12-01T16:30")


@pytest.mark.parametrize(
    "zone,due,tier,local_date,opens,closes",
    [
        pytest.param(
            "Asia/Shanghai",
            "2026-12-02",
            "T0",
            "2026-12-02",
            "2026-12-02T01:00",
            "2026-12-02T12:00",
            id="Shanghai already on Dec 2",
        ),
        pytest.param(
            "Asia/Shanghai",
            "2026-12-01",
            "D+1",
            "2026-12-02",
            "2026-12-02T01:00",
            "2026-12-02T12:00",
            id="Shanghai due Dec 1 is a day past due",
        ),
        pytest.param(
            "Pacific/Auckland",
            "2026-12-02",
            "T0",
            "2026-12-02",
            "2026-12-01T20:00",
            "2026-12-02T07:00",
            id="Auckland NZDT +13",
        ),
        pytest.param(
            "Asia/Kolkata",
            "2026-12-02",
            "T-1",
            "2026-12-01",
            "2026-12-01T03:30",
            "2026-12-01T14:30",
            id="Kolkata half-hour offset",
        ),
        pytest.param(
            "Europe/London",
            "2026-12-04",
            "T-3",
            "2026-12-01",
            "2026-12-01T09:00",
            "2026-12-01T20:00",
            id="London GMT",
        ),
        pytest.param(
            "America/New_York",
            "2026-11-30",
            "D+1",
            "2026-12-01",
            "2026-12-01T14:00",
            "2026-12-02T01:00",
            id="New York EST, window closes after UTC midnight",
        ),
        pytest.param(
            "America/Los_Angeles",
            "2026-11-28",
            "D+3",
            "2026-12-01",
            "2026-12-01T17:00",
            "2026-12-02T04:00",
            id="Los Angeles PST",
        ),
    ],
)
def test_tier_day_is_the_borrowers_local_date(
    zone: str, due: str, tier: str, local_date: str, opens: str, closes: str
) -> None:
    plan = plan_reminders([row(due, zone=zone)], NOW, POLICY)
    assert summary(plan) == [("B1", tier, local_date)]
    (reminder,) = plan.due
    assert (reminder.not_before, reminder.not_after) == (utc(opens), utc(closes))
    assert reminder.not_before.tzinfo is UTC


@pytest.mark.parametrize(
    "zone,due",
    [
        pytest.param("Asia/Shanghai", "2026-12-04", id="Shanghai 2 days before local Dec 2"),
        pytest.param("Europe/London", "2026-12-03", id="London 2 days before is no tier"),
        pytest.param("America/New_York", "2026-12-03", id="New York 2 days before local Dec 1"),
        pytest.param("Pacific/Auckland", "2026-11-30", id="Auckland D+2 is no tier"),
    ],
)
def test_no_tier_that_local_day(zone: str, due: str) -> None:
    assert plan_reminders([row(due, zone=zone)], NOW, POLICY).due == ()


@pytest.mark.parametrize(
    "zone,day,opens,closes",
    [
        pytest.param("Europe/London", "2026-03-28", "2026-03-28T09:00", "2026-03-28T20:00", id="London GMT before"),
        pytest.param("Europe/London", "2026-03-29", "2026-03-29T08:00", "2026-03-29T19:00", id="London BST from"),
        pytest.param("Europe/London", "2026-10-24", "2026-10-24T08:00", "2026-10-24T19:00", id="London BST last"),
        pytest.param("Europe/London", "2026-10-25", "2026-10-25T09:00", "2026-10-25T20:00", id="London GMT again"),
        pytest.param("America/New_York", "2026-03-07", "2026-03-07T14:00", "2026-03-08T01:00", id="NY EST before"),
        pytest.param("America/New_York", "2026-03-08", "2026-03-08T13:00", "2026-03-09T00:00", id="NY EDT from"),
        pytest.param("America/New_York", "2026-10-31", "2026-10-31T13:00", "2026-11-01T00:00", id="NY EDT last"),
        pytest.param("America/New_York", "2026-11-01", "2026-11-01T14:00", "2026-11-02T01:00", id="NY EST again"),
    ],
)
def test_window_instants_shift_with_dst(zone: str, day: str, opens: str, closes: str) -> None:
    now = local(f"{day}T12:00", zone)
    plan = plan_reminders([row(day, zone=zone)], now, POLICY)
    (reminder,) = plan.due
    assert reminder.tier.name == "T0"
    assert (reminder.not_before, reminder.not_after) == (utc(opens), utc(closes))
    assert reminder.not_after - reminder.not_before == timedelta(hours=11)


@pytest.mark.parametrize(
    "zone,day,wall,expected",
    [
        pytest.param("America/New_York", "2026-03-08", "02:30", "2026-03-08T07:00", id="NY gap: opens at the jump"),
        pytest.param("America/New_York", "2026-03-08", "02:00", "2026-03-08T07:00", id="NY gap start"),
        pytest.param("America/New_York", "2026-03-08", "03:00", "2026-03-08T07:00", id="NY first real time"),
        pytest.param("Europe/London", "2026-03-29", "01:30", "2026-03-29T01:00", id="London gap"),
        pytest.param("Pacific/Auckland", "2026-09-27", "02:30", "2026-09-26T14:00", id="Auckland gap"),
        pytest.param("America/New_York", "2026-11-01", "01:30", "2026-11-01T05:30", id="NY fold: first occurrence"),
        pytest.param("Europe/London", "2026-10-25", "01:30", "2026-10-25T00:30", id="London fold: BST occurrence"),
        pytest.param("Asia/Kolkata", "2026-03-08", "09:00", "2026-03-08T03:30", id="no transition"),
    ],
)
def test_local_instant_in_gaps_and_folds(zone: str, day: str, wall: str, expected: str) -> None:
    assert local_instant(date.fromisoformat(day), time.fromisoformat(wall), ZoneInfo(zone)) == utc(expected)


def test_planned_window_opening_inside_spring_forward_gap() -> None:
    policy = parse_policy({"windows": {"hard_start": "00:00", "send_start": "02:30"}})
    now = utc("2026-03-08T15:00")
    (reminder,) = plan_reminders([row("2026-03-08", zone="America/New_York")], now, policy).due
    # 02:30 never happens on that night: the window opens when the clock jumps to 03:00 EDT.
    assert reminder.not_before == utc("2026-03-08T07:00")
    assert reminder.not_after == utc("2026-03-09T00:00")


@pytest.mark.parametrize(
    "due,today,tier",
    [
        pytest.param("2026-03-01", "2026-02-26", "T-3", id="T-3 across a 28-day February"),
        pytest.param("2026-01-31", "2026-02-01", "D+1", id="D+1 across a month end"),
        pytest.param("2026-04-30", "2026-05-30", "D+30", id="D+30 from a 30-day month"),
        pytest.param("2026-12-31", "2027-01-01", "D+1", id="D+1 across the year end"),
        pytest.param("2026-12-31", "2027-01-30", "D+30", id="D+30 across the year end"),
        pytest.param("2028-02-29", "2028-02-26", "T-3", id="leap day T-3"),
        pytest.param("2028-02-29", "2028-02-28", "T-1", id="leap day T-1"),
        pytest.param("2028-02-29", "2028-02-29", "T0", id="leap day T0"),
        pytest.param("2028-02-29", "2028-03-01", "D+1", id="leap day D+1"),
        pytest.param("2028-02-29", "2028-03-07", "D+7", id="leap day D+7"),
        pytest.param("2028-03-01", "2028-02-27", "T-3", id="March 1 T-3 counts Feb 29"),
        pytest.param("2028-03-01", "2028-02-29", "T-1", id="March 1 T-1 is the leap day"),
        pytest.param("2028-03-01", "2028-02-26", None, id="March 1 four days ahead is no tier"),
        pytest.param("2028-02-28", "2028-03-01", None, id="Feb 28 two days past due is no tier"),
    ],
)
def test_month_ends_and_leap_day(due: str, today: str, tier: str | None) -> None:
    now = local(f"{today}T12:00", "Europe/London")
    plan = plan_reminders([row(due)], now, POLICY)
    assert [r.tier.name for r in plan.due] == ([tier] if tier else [])
    if tier:
        assert plan.due[0].local_date == date.fromisoformat(today)


def test_installments_reaching_a_tier_together_make_one_message() -> None:
    rows = [
        row("2026-12-04", loan="L2", no=3, installment_id=23, amount="50.00"),
        row("2026-12-04", loan="L1", no=7, installment_id=17, amount="120.50"),
        row("2026-12-04", loan="L1", no=6, installment_id=16, amount="10.00"),
        row("2026-12-04", borrower="B2", installment_id=99),
    ]
    plan = plan_reminders(rows, NOW, POLICY)
    assert summary(plan) == [("B1", "T-3", "2026-12-01"), ("B2", "T-3", "2026-12-01")]
    first = plan.due[0]
    assert first.key == "reminder:B1:T-3:2026-12-01"
    assert [(i.loan_id, i.installment_no) for i in first.items] == [("L1", 6), ("L1", 7), ("L2", 3)]
    assert first.item_keys == ("16:2026-12-04:T-3", "17:2026-12-04:T-3", "23:2026-12-04:T-3")
    assert first.total_outstanding == (Amount("GBP", Decimal("180.50")),)
    assert first.loan_ids == frozenset({"L1", "L2"})


def test_different_tiers_the_same_day_are_separate_messages() -> None:
    rows = [row("2026-12-02", installment_id=1), row("2026-11-30", loan="L2", installment_id=2)]
    plan = plan_reminders(rows, NOW, POLICY)
    assert sorted(r.key for r in plan.due) == ["reminder:B1:D+1:2026-12-01", "reminder:B1:T-1:2026-12-01"]


def test_totals_are_kept_per_currency() -> None:
    rows = [
        row("2026-12-04", installment_id=1, amount="10.00", currency="USD"),
        row("2026-12-04", loan="L2", installment_id=2, amount="5.50", currency="GBP"),
        row("2026-12-04", loan="L3", installment_id=3, amount="1.25", currency="USD"),
    ]
    (reminder,) = plan_reminders(rows, NOW, POLICY).due
    assert reminder.total_outstanding == (Amount("GBP", Decimal("5.50")), Amount("USD", Decimal("11.25")))


@pytest.mark.parametrize(
    "rows,expected_ids",
    [
        pytest.param([row("2026-11-30", paid=True)], [], id="paid row"),
        pytest.param([row("2026-11-30", amount="0.00")], [], id="nothing outstanding"),
        pytest.param(
            [row("2026-11-30", installment_id=1, paid=True), row("2026-11-30", loan="L2", installment_id=2)],
            [2],
            id="paid installment left out of the group",
        ),
    ],
)
def test_paid_rows_produce_nothing(rows: list[DueInstallment], expected_ids: list[int]) -> None:
    # Due Nov 30, planned on Dec 1 (D+1) after a pass on Nov 26: T-3, T-1 and T0 were missed.
    plan = plan_reminders(rows, NOW, POLICY, since=utc("2026-11-26T12:00"))
    assert [item.installment_id for r in plan.due for item in r.items] == expected_ids
    assert [m.item.installment_id for m in plan.missed] == expected_ids * 3
    assert [r.tier.name for r in plan.due] == ["D+1"] * len(expected_ids)


@pytest.mark.parametrize(
    "since,now,missed,due",
    [
        pytest.param(None, "2026-11-30T10:00", [], ["T-1"], id="no previous pass: nothing missed"),
        pytest.param("2026-11-30T08:00", "2026-11-30T10:00", [], ["T-1"], id="previous pass the same day"),
        pytest.param("2026-11-27T21:00", "2026-11-30T10:00", ["T-3@2026-11-28"], ["T-1"], id="down on T-3, up on T-1"),
        pytest.param(
            "2026-11-28T07:00",
            "2026-11-30T10:00",
            ["T-3@2026-11-28"],
            ["T-1"],
            id="last pass on T-3 before the window opened",
        ),
        pytest.param(
            "2026-11-27T12:00",
            "2026-12-01T10:00",
            ["T-3@2026-11-28", "T-1@2026-11-30"],
            ["T0"],
            id="down from T-4 to T0",
        ),
        pytest.param(
            "2026-11-29T12:00",
            "2026-12-04T10:00",
            ["T-1@2026-11-30", "T0@2026-12-01", "D+1@2026-12-02"],
            ["D+3"],
            id="down across the due date",
        ),
        pytest.param("2026-11-28T12:00", "2026-11-29T12:00", ["T-3@2026-11-28"], [], id="up on a day with no tier"),
    ],
)
def test_missed_tiers_are_reported_not_sent(since: str | None, now: str, missed: list[str], due: list[str]) -> None:
    zone = "Europe/London"
    plan = plan_reminders([row("2026-12-01")], utc(now), POLICY, since=utc(since) if since else None)
    assert [f"{m.tier.name}@{m.local_date}" for m in plan.missed] == missed
    assert [r.tier.name for r in plan.due] == due
    for m in plan.missed:
        assert m.reason == STALE_REASON
        assert m.item_key == f"1:2026-12-01:{m.tier.name}"
        assert m.item.timezone == zone


def test_missed_uses_local_dates_of_since() -> None:
    # 17:00 UTC on Nov 30 is already Dec 1 in Shanghai: the previous pass was on the same local date.
    plan = plan_reminders(
        [row("2026-12-02", zone="Asia/Shanghai")],
        utc("2026-12-01T02:00"),
        POLICY,
        since=utc("2026-11-30T17:00"),
    )
    assert plan.missed == ()
    assert summary(plan) == [("B1", "T-1", "2026-12-01")]


def test_locale_window_applies() -> None:
    policy = parse_policy({"windows": {"by_locale": {"zh": {"send_start": "10:00", "send_end": "19:00"}}}})
    rows = [row("2026-12-04", locale="zh"), row("2026-12-04", borrower="B2", installment_id=2, locale="en")]
    by_borrower = {r.borrower_id: r for r in plan_reminders(rows, NOW, policy).due}
    assert (by_borrower["B1"].not_before, by_borrower["B1"].not_after) == (
        utc("2026-12-01T10:00"),
        utc("2026-12-01T19:00"),
    )
    assert by_borrower["B2"].not_before == utc("2026-12-01T09:00")


def test_due_is_ordered_by_window_opening() -> None:
    rows = [
        row("2026-12-02", zone="America/Los_Angeles", borrower="LA", installment_id=1),
        row("2026-12-02", zone="Asia/Shanghai", borrower="SH", installment_id=2),
        row("2026-12-02", zone="Europe/London", borrower="LN", installment_id=3),
    ]
    plan = plan_reminders(rows, utc("2026-12-01T23:00"), POLICY)
    # London and Los Angeles are still on Dec 1 (T-1); Shanghai is on Dec 2 (T0), its window opens last.
    assert [r.borrower_id for r in plan.due] == ["LN", "LA", "SH"]
    assert [r.tier.name for r in plan.due] == ["T-1", "T-1", "T0"]
    assert [r.not_before for r in plan.due] == [
        utc("2026-12-01T09:00"),
        utc("2026-12-01T17:00"),
        utc("2026-12-02T01:00"),
    ]


@pytest.mark.parametrize(
    "now,since",
    [
        pytest.param(datetime(2026, 12, 1, 12), None, id="naive now"),
        pytest.param(NOW, datetime(2026, 11, 30, 12), id="naive since"),
        pytest.param(NOW, NOW + timedelta(seconds=1), id="since after now"),
    ],
)
def test_bad_clocks_are_rejected(now: datetime, since: datetime | None) -> None:
    with pytest.raises(ValueError):
        plan_reminders([row("2026-12-04")], now, POLICY, since=since)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"timezone": "Mars/Olympus"}, id="unknown zone"),
        pytest.param({"due_date": datetime(2026, 12, 1, 9)}, id="datetime as due date"),
        pytest.param({"amount_outstanding": Decimal("-1")}, id="negative amount"),
        pytest.param({"amount_outstanding": 1.5}, id="float amount"),
        pytest.param({"amount_outstanding": Decimal("NaN")}, id="NaN amount"),
        pytest.param({"currency": "gbp"}, id="lower-case currency"),
        pytest.param({"installment_no": 0}, id="installment number 0"),
        pytest.param({"borrower_id": ""}, id="empty borrower"),
        pytest.param({"paid": 0}, id="paid not a bool"),
    ],
)
def test_due_installment_validation(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        replace(row("2026-12-04"), **changes)


@pytest.mark.parametrize(
    "count,minutes_left,per_second,expected",
    [
        pytest.param(0, 10, 1.0, None, id="nothing due"),
        pytest.param(600, 10, 1.0, None, id="exactly fits"),
        pytest.param(601, 10, 1.0, (timedelta(seconds=601), timedelta(minutes=10), 600), id="one too many"),
        pytest.param(3600, 30, 1.0, (timedelta(hours=1), timedelta(minutes=30), 1800), id="twice too many"),
        pytest.param(3600, 30, 30.0, None, id="telegram pace fits"),
        pytest.param(5, -1, 1.0, (timedelta(seconds=5), timedelta(0), 0), id="window already closed"),
    ],
)
def test_window_capacity(
    count: int, minutes_left: int, per_second: float, expected: tuple[timedelta, timedelta, int] | None
) -> None:
    warning = window_capacity(count, NOW, NOW + timedelta(minutes=minutes_left), per_second)
    if expected is None:
        assert warning is None
        return
    assert warning is not None
    assert (warning.needed, warning.time_left, warning.sendable) == expected
    assert warning.due_count == count
    assert f"{count} messages due" in warning.message


@pytest.mark.parametrize(
    "count,now,per_second",
    [
        pytest.param(1, datetime(2026, 12, 1), 1.0, id="naive now"),
        pytest.param(1, NOW, 0.0, id="zero pace"),
        pytest.param(-1, NOW, 1.0, id="negative count"),
    ],
)
def test_window_capacity_rejects_bad_input(count: int, now: datetime, per_second: float) -> None:
    with pytest.raises(ValueError):
        window_capacity(count, now, NOW + timedelta(hours=1), per_second)


def test_one_borrowers_tiers_on_one_day_are_ordered_most_overdue_first() -> None:
    # On 7 Dec in London: L1 is due in 3 days (T-3), L2 tomorrow (T-1), L3 was due a day ago (D+1).
    rows = [
        row("2026-12-10", loan="L1", installment_id=1),
        row("2026-12-08", loan="L2", installment_id=2),
        row("2026-12-06", loan="L3", installment_id=3),
    ]
    plan = plan_reminders(rows, utc("2026-12-07T06:00"), POLICY)
    # The daily cap lets one go: the order they are stored and claimed in decides which.
    assert [r.tier.name for r in plan.due] == ["D+1", "T-1", "T-3"]
