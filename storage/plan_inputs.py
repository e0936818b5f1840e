"""What the incremental planner reads: the zones borrowers live in, the installments due on given
dates, and the borrowers whose loans changed since the last pass (``plan_marks``).

Every writer of what planning depends on (a loan import, a payment's allocation) marks the
borrowers it touched inside its own transaction, so the mark commits with the change.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from storage.database import connection, is_postgres_connection
from storage.servicing import UNPAID_SQL, InstallmentRecord, installment_record, tier_window

_SQLITE_KEYS = 500  # within any SQLite's limit on a statement's variables
_POSTGRES_KEYS = 50_000
_RECORD_SQL = (
    "SELECT i.id, b.borrower_id, b.id, l.loan_id, i.installment_no, b.timezone, b.locale, i.due_date, "
    "i.amount_due, i.amount_paid, l.currency, i.state FROM installments i "
    "JOIN loans l ON l.id = i.loan_id JOIN borrowers b ON b.id = l.borrower_id "
    f"WHERE l.status = 'active' AND i.state IN {UNPAID_SQL} AND "
)


async def zones_in_use() -> list[str]:
    """The distinct time zones of the borrowers: one index probe a zone (a loose index scan), so a
    million borrowers in six zones cost six lookups, not a scan."""
    conn = connection()
    sql = (
        "SELECT MIN(timezone) FROM borrowers WHERE timezone > $1"
        if is_postgres_connection(conn)
        else "SELECT MIN(timezone) FROM borrowers WHERE timezone > ?"
    )
    zones: list[str] = []
    after = ""
    while True:
        _, rows = await conn.execute_query(sql, [after])
        found = rows[0][0] if rows else None
        if found is None:
            return zones
        zones.append(found)
        after = found


async def installments_due_on(due: date, zones: Collection[str]) -> list[InstallmentRecord]:
    """Unpaid installments of active loans due on ``due`` whose borrowers live in ``zones``."""
    if not zones:
        return []
    conn = connection()
    names = sorted(zones)
    if is_postgres_connection(conn):
        # i.due_date first: the planner has to use the due date's index, not the state's.
        sql = _RECORD_SQL + "i.due_date = $1 AND b.timezone = ANY($2::text[])"
        params: list[Any] = [due, names]
    else:
        # ``+i.state``: SQLite must not take the state index (it would scan every unpaid row).
        sql = (_RECORD_SQL + "i.due_date = ? AND b.timezone IN ({})").format(",".join("?" * len(names)))
        sql = sql.replace("i.state IN", "+i.state IN")
        params = [due.isoformat(), *names]
    _, rows = await conn.execute_query(sql, params)
    return [installment_record(r) for r in rows]


async def installments_of_borrowers(
    borrower_pks: Sequence[int], now: datetime, days_before: int, days_after: int
) -> list[InstallmentRecord]:
    """These borrowers' unpaid installments close enough to today (in any zone) to reach a tier:
    the rows ``installments_near_tiers`` gives for them."""
    earliest, latest = tier_window(now, days_before, days_after)
    conn = connection()
    postgres = is_postgres_connection(conn)
    size = _POSTGRES_KEYS if postgres else _SQLITE_KEYS
    found: list[InstallmentRecord] = []
    for start in range(0, len(borrower_pks), size):
        part = list(borrower_pks[start : start + size])
        if postgres:
            sql = _RECORD_SQL + "l.borrower_id = ANY($1::int[]) AND i.due_date >= $2 AND i.due_date <= $3"
            params: list[Any] = [part, earliest, latest]
        else:
            marks = ",".join("?" * len(part))
            sql = _RECORD_SQL + f"l.borrower_id IN ({marks}) AND i.due_date >= ? AND i.due_date <= ?"
            params = [*part, earliest.isoformat(), latest.isoformat()]
        _, rows = await conn.execute_query(sql, params)
        found.extend(installment_record(r) for r in rows)
    return found


# --- marks ------------------------------------------------------------------------------------


async def mark_for_planning(borrower_pks: Iterable[int], conn: Any = None) -> int:
    """Ask the next pass to plan these borrowers again (inside the caller's transaction: ``conn``)."""
    rows = [[pk] for pk in sorted(set(borrower_pks))]
    if not rows:
        return 0
    conn = conn or connection()
    postgres = is_postgres_connection(conn)
    await conn.execute_many(f"INSERT INTO plan_marks (borrower_id) VALUES ({'$1' if postgres else '?'})", rows)
    await conn.execute_query(
        "INSERT INTO change_versions (name, value) VALUES ('book', 1) "
        "ON CONFLICT (name) DO UPDATE SET value = change_versions.value + 1"
    )
    return len(rows)


async def book_version() -> int:
    """Bumped by every change ``mark_for_planning`` records (in the change's transaction)."""
    _, rows = await connection().execute_query("SELECT value FROM change_versions WHERE name = 'book'")
    return int(rows[0][0]) if rows else 0


async def seen_version(step: str) -> int | None:
    """The book version ``step`` last worked from (None: it never ran)."""
    conn = connection()
    sql = "SELECT value FROM change_versions WHERE name = " + ("$1" if is_postgres_connection(conn) else "?")
    _, rows = await conn.execute_query(sql, [f"seen:{step}"])
    return int(rows[0][0]) if rows else None


async def set_seen_version(step: str, version: int) -> None:
    conn = connection()
    p1, p2 = ("$1", "$2") if is_postgres_connection(conn) else ("?", "?")
    await conn.execute_query(
        f"INSERT INTO change_versions (name, value) VALUES ({p1}, {p2}) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        [f"seen:{step}", version],
    )


async def pending_marks() -> tuple[list[int], list[int]]:
    """The marks visible now: their ids (to clear once planned) and the distinct borrowers."""
    conn = connection()
    _, rows = await conn.execute_query("SELECT id, borrower_id FROM plan_marks")
    ids = [r[0] for r in rows]
    return ids, sorted({r[1] for r in rows})


async def clear_marks(ids: Sequence[int]) -> None:
    """Delete the marks a pass planned. Exactly those: a borrower marked again meanwhile (by an
    import that committed while the pass planned) keeps the newer mark."""
    if not ids:
        return
    conn = connection()
    if is_postgres_connection(conn):
        for start in range(0, len(ids), _POSTGRES_KEYS):
            await conn.execute_query(
                "DELETE FROM plan_marks WHERE id = ANY($1::bigint[])", [list(ids[start : start + _POSTGRES_KEYS])]
            )
        return
    # SQLite has one writer at a time and numbers rows upwards: a mark committed after the pass
    # read the table has a larger id than every mark it read.
    await conn.execute_query("DELETE FROM plan_marks WHERE id <= ?", [max(ids)])


async def preferred_channels_and_tiers(ids: Sequence[int]) -> list[tuple[str, str, str | None]]:
    """(borrower id, preferred channel, risk tier or None) of borrowers by pk, in plain SQL: building
    a query of thousands of ids through the ORM cost a large book's pass more than a second of CPU."""
    conn = connection()
    select = (
        "SELECT b.borrower_id, b.preferred_channel, r.tier FROM borrowers b "
        "LEFT JOIN borrower_risk r ON r.borrower_id = b.id WHERE b.id "
    )
    out: list[tuple[str, str, str | None]] = []
    if is_postgres_connection(conn):
        for start in range(0, len(ids), _POSTGRES_KEYS):
            _, rows = await conn.execute_query(select + "= ANY($1::int[])", [list(ids[start : start + _POSTGRES_KEYS])])
            out.extend((r[0], r[1], r[2]) for r in rows)
        return out
    for start in range(0, len(ids), _SQLITE_KEYS):
        part = list(ids[start : start + _SQLITE_KEYS])
        _, rows = await conn.execute_query(select + f"IN ({','.join('?' * len(part))})", part)
        out.extend((r[0], r[1], r[2]) for r in rows)
    return out
