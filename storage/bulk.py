"""Bulk statements below the ORM, on the connection of the caller's transaction.

tortoise's ``bulk_create`` builds a model object and its values for every row in Python; for the
loan-book import and the log records it writes that is most of the cost. Here rows are tuples,
written with ``executemany`` (SQLite) or ``COPY`` and array parameters (PostgreSQL, asyncpg), on
the raw connection tortoise holds for the transaction (``acquire_connection()``, under the
transaction's own lock), so they commit or roll back with everything else in it.

Values go in as each backend stores them from tortoise: on SQLite dates and instants as ISO text
(instants in UTC, ``YYYY-MM-DD HH:MM:SS[.ffffff]+00:00``), decimals as text with their places,
booleans as 0/1; on PostgreSQL the Python objects asyncpg encodes.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.exceptions import IntegrityError, OperationalError

# SQLite allows 32,766 parameters a statement (3.32+); PostgreSQL takes whole arrays.
_SQLITE_KEYS = 10_000
_POSTGRES_KEYS = 20_000
_WRITE_BATCH = 50_000
# The import's page cache on SQLite (KiB): index pages stay in memory while a large book goes in.
IMPORT_CACHE_KIB = 65_536


def _postgres_placeholders(sql: str) -> str:
    count = 0

    def number(_match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"${count}"

    return re.sub(r"\?", number, sql)


class Bulk:
    """Raw statements inside ``in_transaction()``: ``Bulk(conn)`` with the transaction's client."""

    def __init__(self, conn: BaseDBAsyncClient) -> None:
        if not isinstance(conn, TransactionalDBClient):
            raise TypeError("bulk statements run inside in_transaction()")
        self.conn = conn
        self.postgres = conn.capabilities.dialect == "postgres"
        self._days: dict[int, object] = {}
        self._iso_days: dict[int, str] = {}

    # --- values as stored ---

    def day(self, ordinal: int) -> object:
        """A calendar date from its proleptic ordinal."""
        found = self._days.get(ordinal)
        if found is None:
            value = date.fromordinal(ordinal)
            found = self._days[ordinal] = value if self.postgres else value.isoformat()
        return found

    def iso_day(self, ordinal: int) -> str:
        found = self._iso_days.get(ordinal)
        if found is None:
            found = self._iso_days[ordinal] = date.fromordinal(ordinal).isoformat()
        return found

    def stored_day(self, value: object) -> date:
        """A date column as read back."""
        if isinstance(value, date):
            return value
        return date.fromisoformat(str(value)[:10])

    def amount(self, cents: int) -> object:
        """An amount of two places (``Decimal`` text on SQLite: ``1200.50``)."""
        if self.postgres:
            return Decimal(cents).scaleb(-2)
        whole, part = divmod(abs(cents), 100)
        return f"{'-' if cents < 0 else ''}{whole}.{part:02d}"

    def instant(self, at: datetime) -> object:
        at = at.astimezone(UTC)
        return at if self.postgres else at.isoformat(" ")

    def flag(self, value: bool) -> object:
        return value if self.postgres else int(value)

    # --- statements ---

    @asynccontextmanager
    async def _raw(self) -> AsyncIterator[Any]:
        async with self.conn.acquire_connection() as raw:
            try:
                yield raw
            except sqlite3.IntegrityError as exc:
                raise IntegrityError(exc) from exc
            except sqlite3.OperationalError as exc:
                raise OperationalError(exc) from exc
            except Exception as exc:
                if self.postgres:
                    import asyncpg

                    if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
                        raise IntegrityError(exc) from exc
                    if isinstance(exc, asyncpg.PostgresError):
                        raise OperationalError(exc) from exc
                raise

    async def _rows(self, raw: Any, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        if self.postgres:
            return [tuple(r) for r in await raw.fetch(sql, *params)]
        cursor = await raw.execute(sql, params)
        cursor.row_factory = None  # plain tuples, not tortoise's sqlite3.Row
        try:
            return list(await cursor.fetchall())
        finally:
            await cursor.close()

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of a query written with ``?`` placeholders."""
        async with self._raw() as raw:
            return await self._rows(raw, _postgres_placeholders(sql) if self.postgres else sql, params)

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        async with self._raw() as raw:
            if self.postgres:
                await raw.execute(_postgres_placeholders(sql), *params)
            else:
                await raw.execute(sql, params)

    async def select_in(self, sql: str, keys: Sequence[Any], kind: str) -> AsyncIterator[tuple[Any, ...]]:
        """Rows of ``sql`` whose ``{keys}`` marker stands for "<column> is one of ``keys``" (write
        ``column {keys}``): ``IN (?, …)`` on SQLite, ``= ANY($1::kind[])`` on PostgreSQL; a chunk of
        keys at a time, so a million keys are never all in flight."""
        size = _POSTGRES_KEYS if self.postgres else _SQLITE_KEYS
        for start in range(0, len(keys), size):
            part = list(keys[start : start + size])
            if self.postgres:
                query = sql.replace("{keys}", f"= ANY($1::{kind}[])")
                params: Sequence[Any] = [part]
            else:
                query = sql.replace("{keys}", f"IN ({','.join('?' * len(part))})")
                params = part
            async with self._raw() as raw:
                rows = await self._rows(raw, query, params)
            for row in rows:
                yield row

    async def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """New rows: ``COPY`` on PostgreSQL, ``executemany`` on SQLite."""
        for start in range(0, len(rows), _WRITE_BATCH):
            part = rows[start : start + _WRITE_BATCH]
            async with self._raw() as raw:
                if self.postgres:
                    await raw.copy_records_to_table(table, records=part, columns=list(columns))
                else:
                    names = ", ".join(f'"{c}"' for c in columns)
                    marks = ", ".join("?" * len(columns))
                    await raw.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', part)

    async def update(
        self, table: str, columns: Sequence[str], kinds: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Rows (values of ``columns``…, id) written onto the rows with those ids; ``kinds`` are the
        PostgreSQL types of the columns (the arrays' element types)."""
        if not rows:
            return
        if not self.postgres:
            assignments = ", ".join(f'"{c}" = ?' for c in columns)
            for start in range(0, len(rows), _WRITE_BATCH):
                async with self._raw() as raw:
                    await raw.executemany(
                        f'UPDATE "{table}" SET {assignments} WHERE id = ?', rows[start : start + _WRITE_BATCH]
                    )
            return
        assignments = ", ".join(f'"{c}" = v."{c}"' for c in columns)
        arrays = ", ".join(f"${i + 1}::{kind}[]" for i, kind in enumerate([*kinds, "int"]))
        names = ", ".join(f'"{c}"' for c in [*columns, "id"])
        sql = f'UPDATE "{table}" AS t SET {assignments} FROM unnest({arrays}) AS v({names}) WHERE t.id = v.id'
        for start in range(0, len(rows), _WRITE_BATCH):
            part = rows[start : start + _WRITE_BATCH]
            async with self._raw() as raw:
                await raw.execute(sql, *[list(column) for column in zip(*part, strict=True)])

    async def upsert(
        self, table: str, columns: Sequence[str], kinds: Sequence[str], key: str, rows: Sequence[Sequence[Any]]
    ) -> None:
        """Rows inserted, or written over the row with the same ``key`` (unique within ``rows``)."""
        names = ", ".join(f'"{c}"' for c in columns)
        assignments = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c != key)
        for start in range(0, len(rows), _WRITE_BATCH):
            part = rows[start : start + _WRITE_BATCH]
            async with self._raw() as raw:
                if self.postgres:
                    arrays = ", ".join(f"${i + 1}::{kind}[]" for i, kind in enumerate(kinds))
                    await raw.execute(
                        f'INSERT INTO "{table}" ({names}) SELECT * FROM unnest({arrays}) '
                        f'ON CONFLICT ("{key}") DO UPDATE SET {assignments}',
                        *[list(column) for column in zip(*part, strict=True)],
                    )
                else:
                    marks = ", ".join("?" * len(columns))
                    await raw.executemany(
                        f'INSERT INTO "{table}" ({names}) VALUES ({marks}) '
                        f'ON CONFLICT ("{key}") DO UPDATE SET {assignments}',
                        part,
                    )

    async def reserve_ids(self, table: str, count: int) -> Sequence[int]:
        """Primary keys for ``count`` new rows of ``table``, so rows that refer to them can be
        written without reading them back: from the table's sequence on PostgreSQL; on SQLite
        past both the largest id and the AUTOINCREMENT counter (the transaction holds the write lock)."""
        if count == 0:
            return []
        if self.postgres:
            rows = await self.fetch(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, ?::int)", [count]
            )
            return [r[0] for r in rows]
        (top,) = (await self.fetch(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"'))[0]
        counters = await self.fetch("SELECT seq FROM sqlite_sequence WHERE name = ?", [table])
        start = max(top, counters[0][0] if counters else 0) + 1
        return range(start, start + count)

    @asynccontextmanager
    async def import_cache(self) -> AsyncIterator[None]:
        """On SQLite, a larger page cache while a large import writes (restored after)."""
        if self.postgres:
            yield
            return
        (before,) = (await self.fetch("PRAGMA cache_size"))[0]
        await self.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
        try:
            yield
        finally:
            await self.execute(f"PRAGMA cache_size = {int(before)}")
