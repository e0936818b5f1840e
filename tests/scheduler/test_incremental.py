"""What a pass looks at, as tables: new local dates per zone, and the due dates that reach a tier."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from scheduler.incremental import DueDateScan, due_date_scans, local_days_since, must_look_again, new_local_days

D = date(2026, 12, 1)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "previous", "now", "days"),
    [
        # A minute later, the same local date: nothing new.
        ("America/New_York", "2026-12-01 15:00", "2026-12-01 15:01", ()),
        # New York's midnight (05:00 UTC in December) passed between the two passes.
        ("America/New_York", "2026-12-01 04:59", "2026-12-01 05:00", (D,)),
        ("America/New_York", "2026-12-01 05:00", "2026-12-01 05:01", ()),
        # Kathmandu is 5:45 ahead: its midnight falls at 18:15 UTC.
        ("Asia/Kathmandu", "2026-11-30 18:14", "2026-11-30 18:16", (D,)),
        ("Asia/Kathmandu", "2026-11-30 18:16", "2026-11-30 18:30", ()),
        # Three days down: every day that began is new, today included.
        ("Europe/London", "2026-11-28 12:00", "2026-12-01 00:30", (D - timedelta(days=2), D - timedelta(days=1), D)),
        # No previous pass: today.
        ("Pacific/Kiritimati", None, "2026-12-01 09:00", (D,)),
        ("Pacific/Pago_Pago", None, "2026-12-01 09:00", (D - timedelta(days=1),)),
    ],
)
def test_new_local_days(zone: str, previous: str | None, now: str, days: tuple[date, ...]) -> None:
    found = new_local_days([zone], at(previous) if previous else None, at(now))
    assert found.get(zone, ()) == days


def test_new_local_days_needs_aware_instants() -> None:
    with pytest.raises(ValueError, match="time-zone aware"):
        new_local_days(["Europe/London"], None, datetime(2026, 12, 1, 9, 0))


def test_a_day_boundary_in_one_zone_leaves_the_others_alone() -> None:
    found = new_local_days(["America/New_York", "Asia/Shanghai"], at("2026-12-01 04:30"), at("2026-12-01 05:30"))
    assert found == {"America/New_York": (D,)}


def test_local_days_since_spans_every_zone() -> None:
    days = local_days_since(["Pacific/Kiritimati", "Pacific/Pago_Pago"], at("2026-12-01 12:00"), at("2026-12-01 12:05"))
    # Pago Pago is still on 1 Dec, Kiritimati already on 2 Dec.
    assert days == (D, D + timedelta(days=1))
    assert local_days_since([], None, at("2026-12-01 12:00")) == ()


@pytest.mark.parametrize(
    ("new_days", "offsets", "marked_days", "scans"),
    [
        ({}, (-3, 0, 7), (), []),
        (
            {"UTC": (D,)},
            (-3, 0, 7),
            (),
            [
                DueDateScan(D - timedelta(days=7), frozenset({"UTC"})),
                DueDateScan(D, frozenset({"UTC"})),
                DueDateScan(D + timedelta(days=3), frozenset({"UTC"})),
            ],
        ),
        # Two zones needing the same due date share one scan.
        (
            {"UTC": (D,), "Asia/Tokyo": (D,)},
            (0,),
            (),
            [DueDateScan(D, frozenset({"UTC", "Asia/Tokyo"}))],
        ),
        # Marked borrowers' due dates are read whatever the zone.
        (
            {},
            (0, 1),
            (D,),
            [
                DueDateScan(D - timedelta(days=1), frozenset(), marked=True),
                DueDateScan(D, frozenset(), marked=True),
            ],
        ),
    ],
)
def test_due_date_scans(
    new_days: dict[str, tuple[date, ...]],
    offsets: tuple[int, ...],
    marked_days: tuple[date, ...],
    scans: list[DueDateScan],
) -> None:
    assert due_date_scans(new_days, offsets, marked_days) == scans


@pytest.mark.parametrize(
    ("previous", "now", "seen", "version", "again"),
    [
        (None, "2026-12-01 15:00", None, 0, True),  # never looked
        ("2026-12-01 15:00", "2026-12-01 15:01", 4, 4, False),  # a minute, nothing changed
        ("2026-12-01 15:00", "2026-12-01 15:01", 4, 5, True),  # the book changed
        ("2026-12-01 15:00", "2026-12-01 15:01", None, 5, True),  # never recorded what it saw
        ("2026-12-01 04:59", "2026-12-01 05:00", 4, 4, True),  # New York's new day
        ("2026-12-01 15:00", "2026-12-01 14:00", 4, 4, True),  # the clock went back
    ],
)
def test_must_look_again(previous: str | None, now: str, seen: int | None, version: int, again: bool) -> None:
    found = must_look_again(["America/New_York"], at(previous) if previous else None, at(now), seen, version)
    assert found is again
