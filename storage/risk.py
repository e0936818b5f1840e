"""What the daily risk review reads of the whole book, set-based (``storage.risk_rows`` writes back).

Every read is one query for all borrowers (GROUP BY in the database, no query per borrower), so a
book of 200,000 borrowers costs a handful of scans. Dates that belong to a borrower (due dates,
the local date a payment was made) are in the borrower's own time zone: the few zones in use are
passed in as a small table of (zone, local today, offset) joined on ``borrowers.timezone``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from storage.database import connection, is_postgres_connection
from storage.escalations import UNREACHABLE
from storage.plan_inputs import zones_in_use
from storage.servicing import UNPAID_SQL


@dataclass(frozen=True, slots=True)
class BorrowerRow:
    borrower_pk: int
    borrower_id: str
    timezone: str
    phone_wrong: bool
    unreachable: bool


@dataclass(frozen=True, slots=True)
class LoanRow:
    """An active loan: the smallest installment amount, the oldest unpaid due date, and that due
    date again when the oldest unpaid installment is the loan's first (its first payment is missing)."""

    loan_pk: int
    borrower_pk: int
    loan_id: str
    smallest_installment: Decimal
    oldest_unpaid_due: date | None
    first_unpaid_due: date | None


@dataclass(frozen=True, slots=True)
class WatchRow:
    bucket: str
    jump_from: str | None
    jump_to: str | None
    jumped_at: datetime | None


@dataclass(frozen=True, slots=True)
class PreviousRisk:
    tier: str
    score: int
    reasons: tuple[dict[str, Any], ...]
    warnings: tuple[dict[str, Any], ...]


@dataclass
class BookFacts:
    """Everything the pass needs, keyed by borrowers.id (loans by loans.id)."""

    borrowers: dict[int, BorrowerRow] = field(default_factory=dict)
    loans: dict[int, LoanRow] = field(default_factory=dict)
    worst_days_late: dict[int, int] = field(default_factory=dict)  # paid installments, in the window
    late_payments: dict[int, int] = field(default_factory=dict)
    payments: dict[int, list[tuple[datetime, Decimal]]] = field(default_factory=dict)  # per loan, newest first
    broken_promises_at: dict[int, list[datetime]] = field(default_factory=dict)
    promises_checked: dict[int, tuple[int, int]] = field(default_factory=dict)  # (checked, kept)
    open_case_kinds: dict[int, set[str]] = field(default_factory=dict)
    hardship: dict[int, tuple[datetime, datetime | None, datetime | None]] = field(default_factory=dict)
    watches: dict[int, WatchRow] = field(default_factory=dict)
    previous: dict[int, PreviousRisk] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Windows:
    """How far back each read looks, in days."""

    worst_dpd_days: int
    late_payments_days: int
    broken_promises_days: int
    kept_rate_days: int
    payments_per_loan: int


class _Sql:
    """The two dialects: placeholders, dates and instants as parameters, date arithmetic."""

    def __init__(self) -> None:
        self.conn = connection()
        self.postgres = is_postgres_connection(self.conn)
        self.params: list[Any] = []

    def p(self, value: Any, cast: str = "") -> str:
        if not self.postgres:
            if isinstance(value, datetime):  # instants are UTC text on SQLite (``UtcDatetimeField``)
                value = value.astimezone(UTC).isoformat(sep=" ")
            elif isinstance(value, date):
                value = value.isoformat()
        self.params.append(value)
        return f"${len(self.params)}{cast}" if self.postgres else "?"

    def zones(self, zones: dict[str, date], now: datetime) -> str:
        """A derived table z(zone, today, shift): each zone's local date now and its UTC offset in minutes."""
        rows = []
        for name, today in sorted(zones.items()):
            offset = now.astimezone(ZoneInfo(name)).utcoffset() or timedelta(0)
            zone = self.p(name, "::text")
            day = self.p(today, "::date")
            shift = self.p(int(offset.total_seconds() // 60), "::int")
            rows.append(f"SELECT {zone} AS zone, {day} AS today, {shift} AS shift")
        return "(" + " UNION ALL ".join(rows) + ")"

    def local_date(self, instant: str) -> str:
        """The borrower's local date of an instant column."""
        if self.postgres:
            return f"(({instant}) AT TIME ZONE b.timezone)::date"
        # SQLite knows no time zones: the zone's offset now stands in (a payment within an hour of
        # midnight on the other side of a daylight-saving change may fall on the neighbouring day).
        return f"date({instant}, z.shift || ' minutes')"

    def days_between(self, later: str, earlier: str) -> str:
        if self.postgres:
            return f"(({later}) - ({earlier}))"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def minus_days(self, day: str, days: int) -> str:
        if self.postgres:
            return f"(({day}) - {int(days)})"
        return f"date({day}, '-{int(days)} days')"

    async def rows(self, sql: str) -> list[tuple[Any, ...]]:
        _, found = await self.conn.execute_query(sql, self.params)
        return [tuple(r) for r in found]


def instant(value: Any) -> datetime:
    found = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


def _day(value: Any) -> date | None:
    if value is None:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def json_value(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


async def local_todays(now: datetime) -> dict[str, date]:
    """Each zone in use → its local date at ``now``."""
    return {zone: now.astimezone(ZoneInfo(zone)).date() for zone in await zones_in_use()}


async def read_book(now: datetime, windows: Windows) -> BookFacts:
    facts = BookFacts()
    todays = await local_todays(now)
    if not todays:
        return facts
    await _borrowers(facts)
    await _loans(facts)
    await _paid_installments(facts, now, todays, windows)
    await _payments(facts, windows.payments_per_loan)
    await _promises(facts, now, windows)
    await _open_cases(facts)
    await _hardship(facts)
    await _watches(facts)
    await _previous(facts)
    return facts


async def _borrowers(facts: BookFacts) -> None:
    sql = _Sql()
    for pk, bid, zone, wrong, unreachable in await sql.rows(
        f"SELECT b.id, b.borrower_id, b.timezone, b.phone_wrong, CASE WHEN {UNREACHABLE} THEN 1 ELSE 0 END "
        "FROM borrowers b"
    ):
        facts.borrowers[pk] = BorrowerRow(pk, bid, zone, bool(wrong), bool(unreachable))


async def _loans(facts: BookFacts) -> None:
    sql = _Sql()
    for pk, borrower_pk, loan_id, cents, oldest, first_no, first_unpaid_no in await sql.rows(
        "SELECT l.id, l.borrower_id, l.loan_id, MIN(CAST(ROUND(i.amount_due * 100) AS INTEGER)), "
        f"MIN(CASE WHEN i.state IN {UNPAID_SQL} THEN i.due_date END), MIN(i.installment_no), "
        f"MIN(CASE WHEN i.state IN {UNPAID_SQL} THEN i.installment_no END) "
        "FROM loans l JOIN installments i ON i.loan_id = l.id WHERE l.status = 'active' "
        "GROUP BY l.id, l.borrower_id, l.loan_id"
    ):
        oldest_due = _day(oldest)
        # Payments settle the oldest installments first: the first installment is unpaid exactly
        # when it is the oldest unpaid one.
        first = oldest_due if first_unpaid_no is not None and first_unpaid_no == first_no else None
        facts.loans[pk] = LoanRow(pk, borrower_pk, loan_id, Decimal(int(cents)) / 100, oldest_due, first)


async def _paid_installments(facts: BookFacts, now: datetime, todays: dict[str, date], w: Windows) -> None:
    """Per borrower: the most days late of an installment paid in the worst-dpd window, and how
    many installments were paid late in the late-payments window."""
    sql = _Sql()
    zones = sql.zones(todays, now)
    reach = max(w.worst_dpd_days, w.late_payments_days) + 2  # a loose bound on the instant, any zone
    since = sql.p(now - timedelta(days=reach))
    paid_day = sql.local_date("i.paid_at")
    late = sql.days_between("t.paid_day", "t.due_date")
    rows = await sql.rows(
        f"SELECT t.borrower_id, "
        f"MAX(CASE WHEN t.paid_day >= {sql.minus_days('t.today', w.worst_dpd_days)} THEN {late} END), "
        f"SUM(CASE WHEN t.paid_day > t.due_date AND t.paid_day >= {sql.minus_days('t.today', w.late_payments_days)} "
        "THEN 1 ELSE 0 END) "
        f"FROM (SELECT l.borrower_id, i.due_date, z.today, {paid_day} AS paid_day "
        "FROM installments i JOIN loans l ON l.id = i.loan_id JOIN borrowers b ON b.id = l.borrower_id "
        f"JOIN {zones} z ON z.zone = b.timezone "
        f"WHERE i.state = 'paid' AND i.paid_at IS NOT NULL AND i.paid_at >= {since}) t "
        "GROUP BY t.borrower_id"
    )
    for borrower_pk, worst, late_count in rows:
        if worst is not None and int(worst) > 0:
            facts.worst_days_late[borrower_pk] = int(worst)
        if late_count:
            facts.late_payments[borrower_pk] = int(late_count)


async def _payments(facts: BookFacts, per_loan: int) -> None:
    sql = _Sql()
    rows = await sql.rows(
        "SELECT t.loan_id, t.paid_at, t.cents FROM (SELECT p.loan_id, p.paid_at, "
        "CAST(ROUND(p.amount * 100) AS INTEGER) AS cents, "
        "ROW_NUMBER() OVER (PARTITION BY p.loan_id ORDER BY p.paid_at DESC, p.id DESC) AS n "
        f"FROM payments p JOIN loans l ON l.id = p.loan_id WHERE l.status = 'active') t WHERE t.n <= {int(per_loan)} "
        "ORDER BY t.loan_id, t.n"
    )
    for loan_pk, paid_at, cents in rows:
        facts.payments.setdefault(loan_pk, []).append((instant(paid_at), Decimal(int(cents)) / 100))


async def _promises(facts: BookFacts, now: datetime, w: Windows) -> None:
    sql = _Sql()
    since = sql.p(now - timedelta(days=w.kept_rate_days))
    for borrower_pk, checked, kept in await sql.rows(
        "SELECT borrower_id, COUNT(*), SUM(CASE WHEN status = 'kept' THEN 1 ELSE 0 END) FROM promises "
        f"WHERE status IN ('kept', 'partly_kept', 'broken') AND settled_at >= {since} GROUP BY borrower_id"
    ):
        facts.promises_checked[borrower_pk] = (int(checked), int(kept or 0))
    sql = _Sql()
    since = sql.p(now - timedelta(days=w.broken_promises_days))
    for borrower_pk, settled_at in await sql.rows(
        f"SELECT borrower_id, settled_at FROM promises WHERE status = 'broken' AND settled_at >= {since}"
    ):
        facts.broken_promises_at.setdefault(borrower_pk, []).append(instant(settled_at))


async def _open_cases(facts: BookFacts) -> None:
    sql = _Sql()
    for borrower_pk, kind in await sql.rows(
        "SELECT borrower_id, kind FROM cases WHERE status <> 'resolved' AND borrower_id IS NOT NULL "
        "AND kind IN ('hardship', 'dispute', 'complaint') GROUP BY borrower_id, kind"
    ):
        facts.open_case_kinds.setdefault(borrower_pk, set()).add(kind)


async def _hardship(facts: BookFacts) -> None:
    """Per borrower who reported hardship: (latest hardship reply, latest message, latest payment)."""
    sql = _Sql()
    for borrower_pk, at, last_in, last_paid in await sql.rows(
        "SELECT h.borrower_id, h.at, "
        "(SELECT MAX(m.created_at) FROM messages m WHERE m.borrower_id = h.borrower_id AND m.direction = 'in'), "
        "(SELECT MAX(p.paid_at) FROM payments p JOIN loans l ON l.id = p.loan_id WHERE l.borrower_id = h.borrower_id) "
        "FROM (SELECT borrower_id, MAX(created_at) AS at FROM messages WHERE direction = 'in' "
        "AND intent = 'hardship' AND borrower_id IS NOT NULL GROUP BY borrower_id) h"
    ):
        facts.hardship[borrower_pk] = (
            instant(at),
            instant(last_in) if last_in is not None else None,
            instant(last_paid) if last_paid is not None else None,
        )


async def _watches(facts: BookFacts) -> None:
    sql = _Sql()
    for loan_pk, bucket, jump_from, jump_to, jumped_at in await sql.rows(
        "SELECT loan_id, bucket, jump_from, jump_to, jumped_at FROM loan_watch"
    ):
        facts.watches[loan_pk] = WatchRow(bucket, jump_from, jump_to, instant(jumped_at) if jumped_at else None)


async def _previous(facts: BookFacts) -> None:
    sql = _Sql()
    for borrower_pk, tier, score, reasons, warnings in await sql.rows(
        "SELECT borrower_id, tier, score, reasons, warnings FROM borrower_risk"
    ):
        facts.previous[borrower_pk] = PreviousRisk(
            tier, int(score), tuple(json_value(reasons) or ()), tuple(json_value(warnings) or ())
        )


def by_borrower(loans: Iterable[LoanRow]) -> dict[int, list[LoanRow]]:
    grouped: dict[int, list[LoanRow]] = defaultdict(list)
    for loan in loans:
        grouped[loan.borrower_pk].append(loan)
    return grouped
