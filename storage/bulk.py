"""Bulk statements below the ORM, on the connection of the caller's transaction.

tortoise's ``bulk_create`` builds a model object and its values for every row in Python; for the
loan-book import and the log records it writes that is most of the cost. Here rows are tuples,
written on the raw connection tortoise holds for the transaction (``acquire_connection()``, under
the transaction's own lock), so they commit or roll back with everything else in it:

* SQLite: one statement a batch reading its rows from one JSON text (``INSERT … SELECT … FROM
  json_each(?)``, ``UPDATE … FROM json_each(?)``). It costs no more than ``executemany`` and runs
  without Python's GIL from start to end, where ``executemany`` takes the GIL back for every row
  and so crawls whenever the event loop's thread has Python to run (measured: 5 s alone, 43 s
  beside a busy thread, for a million installments);
* PostgreSQL: ``COPY`` (binary records, or text for rows of plain numbers and strings, which is
  cheaper to make), and ``unnest`` of array parameters for updates.

Values go in as text where the database reads text (dates ``YYYY-MM-DD``, decimals with their
places, instants in UTC as ``YYYY-MM-DD HH:MM:SS[.ffffff]+00:00``), as tortoise writes them on
SQLite; PostgreSQL reads the same text in ``COPY`` and through casts.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.exceptions import IntegrityError, OperationalError

# SQLite allows 32,766 parameters a statement (3.32+); PostgreSQL takes whole arrays.
_SQLITE_KEYS = 10_000
_POSTGRES_KEYS = 20_000
_WRITE_BATCH = 50_000
_JSON_BATCH = 10_000  # rows a SQLite statement reads from one JSON text
# The import's page cache on SQLite (KiB): index pages stay in memory while a large book goes in.
IMPORT_CACHE_KIB = 32_768


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
        self._days: dict[int, str] = {}
        self._amounts: dict[int, str] = {}

    # --- values as stored ---

    def day(self, ordinal: int) -> str:
        """A calendar date from its proleptic ordinal, as ISO text."""
        found = self._days.get(ordinal)
        if found is None:
            found = self._days[ordinal] = date.fromordinal(ordinal).isoformat()
        return found

    def amount(self, cents: int) -> str:
        """An amount of two places, as ``str(Decimal)`` writes it (``1200.50``)."""
        found = self._amounts.get(cents)
        if found is None:
            if len(self._amounts) > 100_000:
                self._amounts.clear()
            whole, part = divmod(abs(cents), 100)
            found = self._amounts[cents] = f"{'-' if cents < 0 else ''}{whole}.{part:02d}"
        return found

    def days(self, ordinals: Sequence[int]) -> list[str]:
        """``day()`` of each, the distinct ones made once."""
        cache = self._days
        for ordinal in set(ordinals).difference(cache):
            cache[ordinal] = date.fromordinal(ordinal).isoformat()
        return list(map(cache.__getitem__, ordinals))

    def amounts(self, cents: Sequence[int]) -> list[str]:
        """``amount()`` of each, the distinct ones made once."""
        distinct = set(cents)
        if len(self._amounts) + len(distinct) > 100_000:
            self._amounts.clear()
        for value in distinct.difference(self._amounts):
            self.amount(value)
        return list(map(self._amounts.__getitem__, cents))

    def instant(self, at: datetime) -> object:
        """An instant in UTC (text on SQLite, as tortoise writes it)."""
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

    async def insert(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, plain: bool = False
    ) -> None:
        """New rows. ``plain``: every value is an int or a string that COPY's text format takes as
        it is (no tab, newline or backslash), so PostgreSQL gets text; otherwise the values are the
        Python objects of the columns' types (``instant``, ``flag``)."""
        size = _WRITE_BATCH if self.postgres else _JSON_BATCH
        for start in range(0, len(rows), size):
            part = rows[start : start + size]
            async with self._raw() as raw:
                if self.postgres and plain:
                    text = "".join(["\t".join(map(str, row)) + "\n" for row in part])
                    await raw.copy_to_table(table, source=_pieces(text.encode()), columns=list(columns))
                elif self.postgres:
                    await raw.copy_records_to_table(table, records=part, columns=list(columns))
                else:
                    await raw.execute(
                        _from_json(f'INSERT INTO "{table}" ({{names}}) SELECT {{values}}', columns), (_json(part),)
                    )

    async def reserve_ids(self, table: str, count: int) -> Sequence[int]:
        """Primary keys for ``count`` new rows of ``table``, so rows that refer to them can be
        written without reading them back: from the table's sequence on PostgreSQL; on SQLite past
        both the largest id and the AUTOINCREMENT counter (the transaction holds the write lock)."""
        if count == 0:
            return []
        if self.postgres:
            (sequence,) = (await self.fetch("SELECT pg_get_serial_sequence(?, 'id')", [table]))[0]
            # The sequence named once: nextval(pg_get_serial_sequence(...)) looks it up a row.
            rows = await self.fetch("SELECT nextval(?::regclass) FROM generate_series(1, ?::int)", [sequence, count])
            return [r[0] for r in rows]
        (top,) = (await self.fetch(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"'))[0]
        counters = await self.fetch("SELECT seq FROM sqlite_sequence WHERE name = ?", [table])
        first = max(top, counters[0][0] if counters else 0) + 1
        return range(first, first + count)

    async def update(
        self, table: str, columns: Sequence[str], kinds: Sequence[str], rows: Sequence[Sequence[Any]], key: str = "id"
    ) -> None:
        """Rows (values of ``columns``…, key) written onto the rows with that ``key``; ``kinds``
        are the PostgreSQL types of the columns and then of the key."""
        if not rows:
            return
        size = _WRITE_BATCH if self.postgres else _JSON_BATCH
        for start in range(0, len(rows), size):
            part = rows[start : start + size]
            async with self._raw() as raw:
                if self.postgres:
                    names = [*columns, key]
                    arrays = ", ".join(f"${i + 1}::text[]" for i in range(len(names)))
                    casts = zip(columns, kinds, strict=False)
                    assignments = ", ".join(f'"{c}" = v."{c}"::{kind}' for c, kind in casts)
                    await raw.execute(
                        f'UPDATE "{table}" AS t SET {assignments} FROM unnest({arrays}) AS v({", ".join(names)}) '
                        f'WHERE t."{key}" = v."{key}"::{kinds[-1]}',
                        *[[None if v is None else copy_value(v) for v in col] for col in zip(*part, strict=True)],
                    )
                else:
                    assignments = ", ".join(f"\"{c}\" = json_extract(j.value, '$[{i}]')" for i, c in enumerate(columns))
                    await raw.execute(
                        f'UPDATE "{table}" SET {assignments} FROM json_each(?) AS j '
                        f'WHERE "{table}"."{key}" = json_extract(j.value, \'$[{len(columns)}]\')',
                        (_json(part),),
                    )

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


def _json(rows: Sequence[Sequence[Any]]) -> str:
    """Rows as one JSON array of arrays: SQLite reads a whole batch from it in one statement, which
    runs without Python's GIL (``executemany`` takes it back for every row, so work in the event
    loop's thread would stall it); non-ASCII text goes as it is."""
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def _from_json(sql: str, columns: Sequence[str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(columns)))
    return sql.format(names=names, values=values) + " FROM json_each(?)"


def copy_value(value: object) -> str:
    """A value as text for a cast (``'t'``/``'f'`` for booleans, ISO for dates and instants)."""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


async def _pieces(data: bytes, size: int = 1 << 20) -> AsyncIterator[bytes]:
    """COPY data for asyncpg, which takes bytes only as a path; an async iterable of pieces."""
    view = memoryview(data)
    for start in range(0, len(view), size):
        yield bytes(view[start : start + size])
