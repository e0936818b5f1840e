"""The rows the daily risk review writes: ``borrower_risk`` (tier, score, reasons, warnings) and
``loan_watch`` (each active loan's last seen bucket), in batches; and one borrower's row read back."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from storage.database import connection, is_postgres_connection
from storage.risk import WatchRow, instant, json_value

_WRITE_BATCH = 5_000


@dataclass(frozen=True, slots=True)
class RiskRow:
    borrower_pk: int
    tier: str
    score: int
    reasons: list[dict[str, Any]]
    warnings: list[dict[str, Any]]


async def _many(sql_pg: str, sql_lite: str, rows: Sequence[list[Any]]) -> None:
    conn = connection()
    postgres = is_postgres_connection(conn)
    for start in range(0, len(rows), _WRITE_BATCH):
        await conn.execute_many(sql_pg if postgres else sql_lite, list(rows[start : start + _WRITE_BATCH]))


async def write_risk(rows: Iterable[RiskRow], now: datetime) -> None:
    """Upsert the rows given (those that changed) and stamp every row with this pass's time."""
    conn = connection()
    postgres = is_postgres_connection(conn)
    at: Any = now.astimezone(UTC) if postgres else now.astimezone(UTC).isoformat(sep=" ")
    values = [[r.borrower_pk, r.tier, r.score, json.dumps(r.reasons), json.dumps(r.warnings), at] for r in rows]
    columns = "(borrower_id, tier, score, reasons, warnings, computed_at)"
    update = (
        "ON CONFLICT (borrower_id) DO UPDATE SET tier = excluded.tier, score = excluded.score, "
        "reasons = excluded.reasons, warnings = excluded.warnings, computed_at = excluded.computed_at"
    )
    await _many(
        f"INSERT INTO borrower_risk {columns} VALUES ($1, $2, $3, $4, $5, $6) {update}",
        f"INSERT INTO borrower_risk {columns} VALUES (?, ?, ?, ?, ?, ?) {update}",
        values,
    )
    await conn.execute_query("UPDATE borrower_risk SET computed_at = " + ("$1" if postgres else "?"), [at])


async def write_watches(rows: dict[int, WatchRow], now: datetime) -> None:
    """Upsert the loans' watches given (those that changed); forget loans no longer active."""
    conn = connection()
    postgres = is_postgres_connection(conn)

    def stored(value: datetime | None) -> Any:
        if value is None:
            return None
        return value.astimezone(UTC) if postgres else value.astimezone(UTC).isoformat(sep=" ")

    values = [[pk, w.bucket, w.jump_from, w.jump_to, stored(w.jumped_at), stored(now)] for pk, w in rows.items()]
    columns = "(loan_id, bucket, jump_from, jump_to, jumped_at, seen_at)"
    update = (
        "ON CONFLICT (loan_id) DO UPDATE SET bucket = excluded.bucket, jump_from = excluded.jump_from, "
        "jump_to = excluded.jump_to, jumped_at = excluded.jumped_at, seen_at = excluded.seen_at"
    )
    await _many(
        f"INSERT INTO loan_watch {columns} VALUES ($1, $2, $3, $4, $5, $6) {update}",
        f"INSERT INTO loan_watch {columns} VALUES (?, ?, ?, ?, ?, ?) {update}",
        values,
    )
    await conn.execute_query(
        "DELETE FROM loan_watch WHERE NOT EXISTS (SELECT 1 FROM loans l WHERE l.id = loan_watch.loan_id "
        "AND l.status = 'active')"
    )


async def risk_of(borrower_pk: int) -> dict[str, Any] | None:
    """A borrower's stored risk row as plain data (None: never scored)."""
    conn = connection()
    sql = "SELECT tier, score, reasons, warnings, computed_at FROM borrower_risk WHERE borrower_id = " + (
        "$1" if is_postgres_connection(conn) else "?"
    )
    _, rows = await conn.execute_query(sql, [borrower_pk])
    if not rows:
        return None
    tier, score, reasons, warnings, computed_at = tuple(rows[0])
    return {
        "tier": tier,
        "score": int(score),
        "reasons": list(json_value(reasons) or []),
        "warnings": list(json_value(warnings) or []),
        "computed_at": instant(computed_at),
    }
