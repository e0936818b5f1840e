"""What a pass has to look at, given what happened since the last one (pure).

A pass plans the borrowers whose loans changed since the last pass (marked by the writers) and,
for each zone whose local date moved on, the installments that reach a tier on one of the new
days. Everything else was planned by an earlier pass and is stored under its key: planning it
again would store nothing. So a pass a minute after the last one, over a book that did not
change, looks at nothing, whatever the book's size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from scheduler.planning import require_aware, zone_for


def new_local_days(zones: Iterable[str], previous: datetime | None, now: datetime) -> dict[str, tuple[date, ...]]:
    """Per zone, the borrower-local dates that began after ``previous``, up to today at ``now``.

    With no previous pass, every zone's today. The day of ``previous`` itself is not new: the pass
    at ``previous`` planned all of it (a tier whose window had closed was stored as stale then).
    """
    require_aware(now, "now")
    days: dict[str, tuple[date, ...]] = {}
    for name in zones:
        zone = zone_for(name)
        today = now.astimezone(zone).date()
        if previous is None:
            days[name] = (today,)
            continue
        require_aware(previous, "previous")
        first = previous.astimezone(zone).date() + timedelta(days=1)
        if first <= today:
            days[name] = tuple(first + timedelta(days=n) for n in range((today - first).days + 1))
    return days


def local_days_since(zones: Iterable[str], previous: datetime | None, now: datetime) -> tuple[date, ...]:
    """Every local date, in any of ``zones``, from the day of ``previous`` to today at ``now``: the
    days on which a changed borrower's installments may reach a tier a full pass would report."""
    require_aware(now, "now")
    firsts, lasts = [], []
    for name in zones:
        zone = zone_for(name)
        lasts.append(now.astimezone(zone).date())
        firsts.append((previous or now).astimezone(zone).date())
    if not lasts:
        return ()
    first, last = min(firsts), max(lasts)
    return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))


@dataclass(frozen=True, slots=True)
class DueDateScan:
    """One due date to read, and whose installments on it the pass plans: those of borrowers in
    ``zones`` and, when ``marked`` is set, those of the marked borrowers in any zone."""

    due: date
    zones: frozenset[str]
    marked: bool = False


def due_date_scans(
    new_days: dict[str, tuple[date, ...]], offsets: Iterable[int], marked_days: Iterable[date] = ()
) -> list[DueDateScan]:
    """The due dates whose installments reach a tier (``offset`` days from due) on a new day, in
    date order. An installment reaching a tier on day ``d`` at offset ``o`` fell due on ``d - o``,
    so each due date gathers every installment of one (borrower, tier, day) reminder: a scan never
    splits a reminder."""
    offsets = tuple(offsets)
    zones_by_due: dict[date, set[str]] = {}
    for zone, days in new_days.items():
        for day in days:
            for offset in offsets:
                zones_by_due.setdefault(day - timedelta(days=offset), set()).add(zone)
    marked_dues = {day - timedelta(days=offset) for day in marked_days for offset in offsets}
    return [
        DueDateScan(due, frozenset(zones_by_due.get(due, ())), due in marked_dues)
        for due in sorted(zones_by_due.keys() | marked_dues)
    ]


def must_look_again(
    zones: Iterable[str], previous: datetime | None, now: datetime, seen: int | None, version: int
) -> bool:
    """Whether a step that depends on the loan book and on the borrowers' local dates (days past
    due) can find something new since it last looked at ``previous``, having seen book ``seen``:
    the book changed, a local date began, it never looked, or the clock went back."""
    require_aware(now, "now")
    if previous is None or seen is None or seen != version or now < previous:
        return True
    return bool(new_local_days(zones, previous, now))
