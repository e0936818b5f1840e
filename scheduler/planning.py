"""Which reminders are due on this pass, and which tiers were missed while the service was down.

``plan_reminders`` is a pure function of the unpaid installments, the logical clock ``now``,
the policy and the instant of the previous pass. It answers in the borrower's own calendar:
a tier is due when ``due_date + offset`` is the borrower's local date at ``now``. It sends
nothing and records nothing; the dispatcher stores the plan (idempotently, by key) and asks
the contact guard about each message just before handing it to a provider.

Rows of one borrower are expected to share one time zone and locale (they come from the
borrower record); if they do not, the first installment's zone and locale set the window.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.policy import Policy, Window
from scheduler.tiers import Tier, tiers_from_policy

STALE_REASON = "stale: the tier's day passed without a pass (service down)"


# --- time helpers (shared with scheduler.guard) -------------------------------------------


def require_aware(value: datetime, name: str) -> None:
    """Every decision runs on an explicit, time-zone-aware clock; a naive one is a caller bug."""
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be time-zone aware, got naive {value.isoformat()}")


@cache
def zone_for(name: str) -> ZoneInfo:
    """The IANA zone ``name``, built once per process (ZoneInfo construction is not free)."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"time zone must be a non-empty IANA name, got {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA time zone {name!r}") from None


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def local_instant(local_date: date, local_time: time, zone: ZoneInfo) -> datetime:
    """The first instant (UTC) at which the wall clock in ``zone`` reads ``local_time`` on ``local_date``.

    In a fall-back fold the wall time happens twice: the first occurrence counts, so a window
    never opens or closes later than the clock on the wall says. In a spring-forward gap the
    wall time never happens: the window opens (or closes) at the moment the clock jumps past it.
    """
    wall = datetime.combine(local_date, local_time)
    instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _wall(instant, zone) == wall:
        return instant  # exists; fold=0 is the earlier of two occurrences
    # In a gap fold=0 maps with the offset before the jump (an instant after the gap) and
    # fold=1 with the offset after it (an instant before the gap): the jump lies between.
    before_gap = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return _first_instant_reaching(wall, zone, before_gap, instant)


def _first_instant_reaching(wall: datetime, zone: ZoneInfo, low: datetime, high: datetime) -> datetime:
    """Binary search, to the second, for the first instant in [low, high] whose wall clock is >= wall."""
    lo, hi = math.floor(low.timestamp()), math.ceil(high.timestamp())
    while lo < hi:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid + 1
    return datetime.fromtimestamp(hi, UTC)


def window_instants(local_date: date, opens: time, closes: time, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC instants of a local [opens, closes) window on ``local_date``."""
    return local_instant(local_date, opens, zone), local_instant(local_date, closes, zone)


# --- values -------------------------------------------------------------------------------


def _require_text(value: object, name: str) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")


def _require_int(value: object, name: str, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")


def _require_plain_date(value: object, name: str) -> None:
    # datetime is a subclass of date; a datetime here would silently carry a clock time.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValueError(f"{name} must be a date, got {value!r}")


def _require_currency(value: object) -> None:
    if not (isinstance(value, str) and len(value) == 3 and value.isascii() and value.isupper()):
        raise ValueError(f"currency must be an ISO 4217 code such as CNY, got {value!r}")


@dataclass(frozen=True, slots=True)
class DueInstallment:
    """One installment as the planner needs it; ``due_date`` is a date in the borrower's zone."""

    installment_id: int
    borrower_id: str
    loan_id: str
    installment_no: int
    timezone: str
    due_date: date
    amount_outstanding: Decimal
    currency: str
    paid: bool  # paid or waived
    # The window can depend on the locale (policy.windows.by_locale); None = no locale rule.
    locale: str | None = None

    def __post_init__(self) -> None:
        _require_int(self.installment_id, "installment_id", 1)
        _require_text(self.borrower_id, "borrower_id")
        _require_text(self.loan_id, "loan_id")
        _require_int(self.installment_no, "installment_no", 1)
        zone_for(self.timezone)  # cached: validates the name for one dict lookup per row
        _require_plain_date(self.due_date, "due_date")
        amount = self.amount_outstanding
        if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
            raise ValueError(f"amount_outstanding must be a finite Decimal >= 0, got {amount!r}")
        _require_currency(self.currency)
        if not isinstance(self.paid, bool):
            raise ValueError(f"paid must be a bool, got {self.paid!r}")
        if self.locale is not None:
            _require_text(self.locale, "locale")

    def item_key(self, tier: Tier) -> str:
        """One logical message per installment, due date and tier (unique in the database)."""
        return f"{self.installment_id}:{self.due_date.isoformat()}:{tier.name}"


@dataclass(frozen=True, slots=True)
class Amount:
    currency: str
    value: Decimal

    def __post_init__(self) -> None:
        _require_currency(self.currency)
        if not isinstance(self.value, Decimal) or not self.value.is_finite():
            raise ValueError(f"value must be a finite Decimal, got {self.value!r}")


def reminder_key(borrower_id: str, tier: Tier, local_date: date) -> str:
    return f"reminder:{borrower_id}:{tier.name}:{local_date.isoformat()}"


def _require_aware_utc(value: datetime, name: str) -> None:
    require_aware(value, name)
    if value.utcoffset() != timedelta(0):
        raise ValueError(f"{name} must be in UTC, got {value.isoformat()}")


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    """One message to one borrower for one tier on one local date, listing every installment it covers.

    ``key`` and ``item_keys`` are derived from the fields, so they can never disagree with them.
    """

    borrower_id: str
    tier: Tier
    local_date: date
    items: tuple[DueInstallment, ...]  # ordered by due date, loan, installment number
    not_before: datetime  # UTC: the send window opens (borrower's local date and zone)
    not_after: datetime  # UTC: the send window closes; the window is [not_before, not_after)
    total_outstanding: tuple[Amount, ...]  # one sum per currency, ordered by currency

    def __post_init__(self) -> None:
        _require_text(self.borrower_id, "borrower_id")
        _require_plain_date(self.local_date, "local_date")
        if not self.items:
            raise ValueError("a planned reminder lists at least one installment")
        if any(item.borrower_id != self.borrower_id for item in self.items):
            raise ValueError("every installment of a reminder belongs to its borrower")
        _require_aware_utc(self.not_before, "not_before")
        _require_aware_utc(self.not_after, "not_after")
        if not self.not_before < self.not_after:
            raise ValueError("not_before must be before not_after")

    @property
    def key(self) -> str:
        """Idempotency key of the message: one per borrower, tier and local date."""
        return reminder_key(self.borrower_id, self.tier, self.local_date)

    @property
    def item_keys(self) -> tuple[str, ...]:
        """One per installment, in item order (unique in the database)."""
        return tuple(item.item_key(self.tier) for item in self.items)

    @property
    def timezone(self) -> str:
        return self.items[0].timezone

    @property
    def locale(self) -> str | None:
        return self.items[0].locale

    @property
    def loan_ids(self) -> frozenset[str]:
        return frozenset(item.loan_id for item in self.items)


@dataclass(frozen=True, slots=True)
class MissedTier:
    """A tier whose day passed while no pass ran: recorded as skipped, never sent late."""

    item: DueInstallment
    tier: Tier
    reason: str = STALE_REASON

    def __post_init__(self) -> None:
        _require_text(self.reason, "reason")

    @property
    def item_key(self) -> str:
        return self.item.item_key(self.tier)

    @property
    def local_date(self) -> date:
        """The tier's day, in the borrower's calendar."""
        return self.item.due_date + timedelta(days=self.tier.offset_days)


@dataclass(frozen=True, slots=True)
class Plan:
    """The outcome of one planning pass at ``now``."""

    now: datetime
    due: tuple[PlannedReminder, ...]  # ordered by window opening, borrower, tier
    missed: tuple[MissedTier, ...]  # ordered by local date, installment, tier

    def __post_init__(self) -> None:
        require_aware(self.now, "now")


# --- planning -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ZonePass:
    """What the pass needs per zone, computed once: the local date and the tiers missed per offset."""

    today: int  # the borrower-local date at ``now``, as an ordinal
    # offset (today - due date) -> tiers whose day fell in [local date of since, today)
    missed_by_offset: dict[int, tuple[Tier, ...]]

    @classmethod
    def of(cls, zone_name: str, now: datetime, since: datetime | None, tiers: tuple[Tier, ...]) -> _ZonePass:
        zone = zone_for(zone_name)
        today = now.astimezone(zone).date().toordinal()
        days_down = 0 if since is None else today - since.astimezone(zone).date().toordinal()
        return cls(today=today, missed_by_offset=_missed_by_offset(tiers, days_down))


def _missed_by_offset(tiers: tuple[Tier, ...], days_down: int) -> dict[int, tuple[Tier, ...]]:
    """For a row ``offset`` days past due today, the tiers with offsets in [offset - days_down, offset)."""
    table: dict[int, tuple[Tier, ...]] = {}
    if days_down <= 0 or not tiers:
        return table
    for offset in range(tiers[0].offset_days + 1, tiers[-1].offset_days + days_down + 1):
        passed = tuple(tier for tier in tiers if offset - days_down <= tier.offset_days < offset)
        if passed:
            table[offset] = passed
    return table


def _item_order(item: DueInstallment) -> tuple[date, str, int]:
    return item.due_date, item.loan_id, item.installment_no


def _totals(items: Iterable[DueInstallment]) -> tuple[Amount, ...]:
    sums: dict[str, Decimal] = {}
    for item in items:
        sums[item.currency] = sums.get(item.currency, Decimal(0)) + item.amount_outstanding
    return tuple(Amount(currency, sums[currency]) for currency in sorted(sums))


class _WindowBook:
    """Send-window instants per (zone, locale, local date): a pass touches only a handful."""

    def __init__(self, policy: Policy) -> None:
        self._policy = policy
        self._windows: dict[tuple[str, str | None], Window] = {}
        self._instants: dict[tuple[str, str | None, date], tuple[datetime, datetime]] = {}

    def instants(self, zone_name: str, locale: str | None, local_date: date) -> tuple[datetime, datetime]:
        key = (zone_name, locale, local_date)
        found = self._instants.get(key)
        if found is None:
            window = self._window(zone_name, locale)
            found = window_instants(local_date, window.send_start, window.send_end, zone_for(zone_name))
            self._instants[key] = found
        return found

    def _window(self, zone_name: str, locale: str | None) -> Window:
        key = (zone_name, locale)
        if key not in self._windows:
            self._windows[key] = self._policy.windows.for_borrower(locale or "", zone_name)
        return self._windows[key]


def _planned(
    borrower_id: str, tier: Tier, local_date: date, items: list[DueInstallment], windows: _WindowBook
) -> PlannedReminder:
    if len(items) > 1:
        items.sort(key=_item_order)
    first = items[0]
    opens, closes = windows.instants(first.timezone, first.locale, local_date)
    return PlannedReminder(
        borrower_id=borrower_id,
        tier=tier,
        local_date=local_date,
        items=tuple(items),
        not_before=opens,
        not_after=closes,
        total_outstanding=_totals(items),
    )


def plan_reminders(
    rows: Iterable[DueInstallment],
    now: datetime,
    policy: Policy,
    since: datetime | None = None,
    risk_tiers: Mapping[str, str] | None = None,
) -> Plan:
    """Reminders due on the borrowers' local date at ``now``, and tiers missed since ``since``.

    ``since`` is the instant of the previous pass. A tier whose local date lies in
    [local date of ``since``, local today) is reported missed. The day of ``since`` is
    included because the previous pass may have run before that day's window opened; a tier
    that did go that day is already recorded under the same item key, so the caller stores
    missed tiers with insert-if-absent and the database keeps the first outcome.

    ``risk_tiers`` maps a borrower to their risk tier, whose strategy may set its own cadence
    (``policy.strategies``); a borrower not in it follows tier ``B``'s.
    """
    require_aware(now, "now")
    if since is not None:
        require_aware(since, "since")
        if since > now:
            raise ValueError(f"since ({since.isoformat()}) is after now ({now.isoformat()})")
    cadences = {risk: tiers_from_policy(policy, risk) for risk in ("A", "B", "C")}
    by_offset = {risk: {tier.offset_days: tier for tier in tiers} for risk, tiers in cadences.items()}
    risk_of = risk_tiers or {}
    zone_passes: dict[tuple[str, str], _ZonePass] = {}
    # (borrower, tier, local date ordinal) -> the installments reaching that tier that day
    groups: dict[tuple[str, Tier, int], list[DueInstallment]] = {}
    missed: list[MissedTier] = []

    # The hot loop over up to millions of rows: attribute reads and dict lookups only; zones,
    # local dates and missed-tier ranges are worked out once per zone.
    for row in rows:
        # Amounts are validated >= 0, so a false amount is zero: nothing left to remind about.
        if row.paid or not row.amount_outstanding:
            continue
        risk = risk_of.get(row.borrower_id, "B")
        if risk not in cadences:
            risk = "B"
        zone_pass = zone_passes.get((row.timezone, risk))
        if zone_pass is None:
            zone_pass = zone_passes[(row.timezone, risk)] = _ZonePass.of(row.timezone, now, since, cadences[risk])
        offset = zone_pass.today - row.due_date.toordinal()
        tier = by_offset[risk].get(offset)
        if tier is not None:
            key = (row.borrower_id, tier, zone_pass.today)
            group = groups.get(key)
            if group is None:
                groups[key] = [row]
            else:
                group.append(row)
        passed = zone_pass.missed_by_offset.get(offset)
        if passed:
            missed.extend(MissedTier(row, tier) for tier in passed)

    windows = _WindowBook(policy)
    due = [
        _planned(borrower_id, tier, date.fromordinal(day), items, windows)
        for (borrower_id, tier, day), items in groups.items()
    ]
    # Stored (and so claimed) in this order: when one borrower has two tiers on one local day and
    # the daily cap lets only one go, the most overdue goes first (money already owed comes first).
    due.sort(key=lambda reminder: (reminder.not_before, reminder.borrower_id, -reminder.tier.offset_days))
    missed.sort(key=_missed_order)
    return Plan(now=now, due=tuple(due), missed=tuple(missed))


def _missed_order(tier_missed: MissedTier) -> tuple[date, int, int]:
    return tier_missed.local_date, tier_missed.item.installment_id, tier_missed.tier.offset_days


# --- capacity -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CapacityWarning:
    """More messages are due than the provider's pace can send before the window closes."""

    due_count: int
    needed: timedelta  # time to send them all at the configured pace
    time_left: timedelta  # until the window closes (zero when already closed)
    sendable: int  # how many fit before the close

    def __post_init__(self) -> None:
        _require_int(self.due_count, "due_count", 1)
        _require_int(self.sendable, "sendable", 0)
        if self.sendable >= self.due_count:
            raise ValueError("a capacity warning needs more messages due than can be sent")

    @property
    def message(self) -> str:
        return (
            f"{self.due_count} messages due would take {_human(self.needed)} at the configured pace, "
            f"but the window closes in {_human(self.time_left)}: about {self.due_count - self.sendable} "
            "will miss it"
        )


def _human(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m"


def window_capacity(due_count: int, now: datetime, window_close: datetime, per_second: float) -> CapacityWarning | None:
    """A warning when ``due_count`` messages cannot all be sent at ``per_second`` before ``window_close``."""
    require_aware(now, "now")
    require_aware(window_close, "window_close")
    _require_int(due_count, "due_count", 0)
    if not per_second > 0:
        raise ValueError(f"per_second must be > 0, got {per_second!r}")
    needed = timedelta(seconds=due_count / per_second)
    time_left = max(window_close - now, timedelta(0))
    if needed <= time_left:
        return None
    # min(): timedelta rounds to microseconds, so guard the edge where both figures touch.
    sendable = min(math.floor(time_left.total_seconds() * per_second), due_count - 1)
    return CapacityWarning(due_count=due_count, needed=needed, time_left=time_left, sendable=sendable)
