"""Database set-up: connect, and create or upgrade the schema under a lock.

Several processes (``serve`` and a ``tick``, or replicas) may start at once, so schema work
is serialised: a PostgreSQL advisory lock, or an exclusive file lock beside the SQLite file.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlparse

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext
from tortoise.exceptions import DBConnectionError

from config.errors import ConfigError

log = logging.getLogger(__name__)

MODELS_MODULE = "storage.models"
SCHEMA_VERSION = 4
SQLITE_BUSY_TIMEOUT_MS = 15000
SQLITE_CACHE_KIB = 32_768
_LOCK_ID = int.from_bytes(hashlib.sha256(b"duebot-schema").digest()[:7], "big")

# Upgrades from one schema version to the next, applied in order under the lock. Each maps the
# version it upgrades *to* onto a function of the connection. Version 1 is the initial schema.
Upgrade = Callable[[BaseDBAsyncClient], Awaitable[None]]


async def _widen_message_status(conn: BaseDBAsyncClient) -> None:
    # Twilio's "partially_delivered" (19 characters) did not fit the first schema's 16. SQLite does
    # not enforce a VARCHAR length; PostgreSQL does.
    if conn.capabilities.dialect == "postgres":
        await conn.execute_script("ALTER TABLE messages ALTER COLUMN status TYPE VARCHAR(24)")


async def _urgent_lane_and_utc_times(conn: BaseDBAsyncClient) -> None:
    """Version 3: answers get a lane of their own (``messages.urgent``), and on SQLite every stored
    instant is rewritten in UTC, because SQLite compares them as text (see ``UtcDatetimeField``)."""
    postgres = conn.capabilities.dialect == "postgres"
    default = "false" if postgres else "0"
    kind = "BOOLEAN" if postgres else "INT"
    await conn.execute_script(f"ALTER TABLE messages ADD COLUMN urgent {kind} NOT NULL DEFAULT {default}")
    guard_kind = "payload->>'guard_kind'" if postgres else "json_extract(payload, '$.guard_kind')"
    await conn.execute_script(
        f"UPDATE messages SET urgent = {'true' if postgres else '1'} WHERE direction = 'out' "
        f"AND status = 'planned' AND {guard_kind} IN ('auto_reply', 'staff_reply')"
    )
    if not postgres:
        await _rewrite_sqlite_instants_in_utc(conn)


async def _rewrite_sqlite_instants_in_utc(conn: BaseDBAsyncClient) -> None:
    from datetime import UTC, datetime

    from tortoise.models import Model

    from storage import models
    from storage.models import UtcDatetimeField

    tables = [m for m in vars(models).values() if isinstance(m, type) and issubclass(m, Model) and m is not Model]
    for model in tables:
        meta = model._meta
        columns = [f.source_field or name for name, f in meta.fields_map.items() if isinstance(f, UtcDatetimeField)]
        pk = meta.pk.source_field or meta.pk_attr
        for column in columns:
            rows = await conn.execute_query_dict(
                f'SELECT "{pk}" AS pk, "{column}" AS at FROM "{meta.db_table}" '
                f'WHERE "{column}" IS NOT NULL AND "{column}" NOT LIKE \'%+00:00\''
            )
            changes = []
            for row in rows:
                value = row["at"]
                parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
                if parsed.tzinfo is None:
                    continue  # written without an offset: already UTC by this schema's rule
                changes.append([parsed.astimezone(UTC).isoformat(sep=" "), row["pk"]])
            if changes:
                await conn.execute_many(f'UPDATE "{meta.db_table}" SET "{column}" = ? WHERE "{pk}" = ?', changes)


async def _planning_marks(conn: BaseDBAsyncClient) -> None:
    """Version 4: the planner plans what changed since the last pass (``plan_marks``). What changed
    before this version left no mark, so every borrower is planned again once."""
    await conn.execute_script("INSERT INTO plan_marks (borrower_id) SELECT id FROM borrowers")


UPGRADES: dict[int, Upgrade] = {2: _widen_message_status, 3: _urgent_lane_and_utc_times, 4: _planning_marks}
# Indexes on columns that an upgrade adds, made after the upgrades (fresh databases included);
# and on foreign keys that every reply looks a borrower's loans and payments up by (neither
# SQLite nor PostgreSQL indexes a foreign key by itself: without them each reply scanned loans).
EXTRA_INDEXES = (
    "CREATE INDEX IF NOT EXISTS idx_messages_status_urgent ON messages (status, urgent)",
    "CREATE INDEX IF NOT EXISTS idx_loans_borrower ON loans (borrower_id)",
    "CREATE INDEX IF NOT EXISTS idx_payments_loan ON payments (loan_id)",
    # A message's installments (every dispatch batch reads them): without it SQLite scanned loans.
    "CREATE INDEX IF NOT EXISTS idx_message_items_message ON message_items (message_id)",
    # The planner lists the zones in use with one index probe a zone.
    "CREATE INDEX IF NOT EXISTS idx_borrowers_timezone ON borrowers (timezone)",
    # Planned messages whose window closed (a pass's expiry), and the due ones in claim order.
    "CREATE INDEX IF NOT EXISTS idx_messages_status_close ON messages (status, not_after)",
    "CREATE INDEX IF NOT EXISTS idx_messages_planned_lane ON messages (urgent, not_before, id) "
    "WHERE status = 'planned'",
    # The borrowers no channel can reach (the same text as ``storage.escalations.UNREACHABLE``).
    "CREATE INDEX IF NOT EXISTS idx_borrowers_unreachable ON borrowers (id) "
    "WHERE (phone_wrong OR phone = '') AND (telegram_chat_id IS NULL OR NOT telegram_usable)",
    # Reports: a period's sends, and a period's log entries of one kind (opt-outs, assignments).
    "CREATE INDEX IF NOT EXISTS idx_messages_sent_at ON messages (sent_at)",
    "CREATE INDEX IF NOT EXISTS idx_log_kind_at ON interaction_log (kind, at)",
)
# SQLite's planner needs statistics to prefer those indexes to installments' state index; a
# sampled ANALYZE (this many rows an index) at start costs milliseconds even on a large book.
SQLITE_ANALYSIS_LIMIT = 400


def is_postgres(url: str) -> bool:
    return urlparse(url).scheme in ("postgres", "postgresql", "asyncpg")


def sqlite_path(url: str) -> str:
    rest = url.split("://", 1)[1]
    return rest.split("?", 1)[0]


def tortoise_config(url: str) -> dict[str, Any]:
    if is_postgres(url):
        parsed = urlparse(url)
        connection: dict[str, Any] = {
            "engine": "tortoise.backends.asyncpg",
            "credentials": {
                "host": parsed.hostname or "127.0.0.1",
                "port": parsed.port or 5432,
                "user": parsed.username or "postgres",
                "password": parsed.password or "",
                "database": parsed.path.lstrip("/") or "postgres",
                "minsize": 1,
                "maxsize": 10,
                **dict(parse_qsl(parsed.query)),
            },
        }
    else:
        path = sqlite_path(url)
        extra = dict(parse_qsl(url.split("?", 1)[1])) if "?" in url else {}
        connection = {
            "engine": "storage.sqlite_backend",  # tortoise's client, transactions BEGIN IMMEDIATE
            "credentials": {
                "file_path": path,
                "journal_mode": "WAL",
                "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
                "synchronous": "NORMAL",
                # 32 MiB of pages instead of SQLite's 2: a large book's indexes (message keys, log
                # chains) stay in memory while a pass writes its day's reminders.
                "cache_size": -SQLITE_CACHE_KIB,
                **extra,
            },
        }
    return {
        "connections": {"default": connection},
        "apps": {"models": {"models": [MODELS_MODULE], "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


def connection() -> BaseDBAsyncClient:
    return connections.get("default")


def inside_transaction() -> bool:
    """True inside a caller's ``in_transaction()`` block: every query then shares one connection."""
    return isinstance(connection(), TransactionalDBClient)


def is_postgres_connection(conn: BaseDBAsyncClient) -> bool:
    return conn.capabilities.dialect == "postgres"


async def let_other_writers_in(held: float) -> None:
    """Between the batches of a long write on SQLite (a pass storing thousands of messages): leave the
    write lock free about as long as the last batch held it. A process waiting for the lock (``serve``
    storing a webhook) polls for it at growing intervals rather than queueing, so back-to-back
    batches would shut it out for seconds. PostgreSQL locks rows, not the database: no pause."""
    if held > 0 and connection().capabilities.dialect == "sqlite" and not inside_transaction():
        await asyncio.sleep(held)


@asynccontextmanager
async def _schema_lock(url: str) -> AsyncIterator[None]:
    if is_postgres(url):
        import asyncpg

        parsed = urlparse(url)
        conn = await asyncpg.connect(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 5432,
            user=parsed.username or "postgres",
            password=parsed.password or None,
            database=parsed.path.lstrip("/") or "postgres",
        )
        try:
            await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_ID)
            try:
                yield
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_ID)
        finally:
            await conn.close()
    else:
        path = sqlite_path(url)
        if path == ":memory:":
            yield
            return
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


async def _current_version(conn: BaseDBAsyncClient) -> int:
    from storage.models import SchemaMeta

    row = await SchemaMeta.filter(key="schema_version").first()
    return int(row.value) if row else 0


async def migrate(url: str) -> int:
    """Create missing tables and apply pending upgrades; returns the schema version now in force."""
    from storage.models import SchemaMeta

    async with _schema_lock(url):
        conn = connection()
        await Tortoise.generate_schemas(safe=True)
        version = await _current_version(conn)
        if version == 0:
            version = SCHEMA_VERSION  # fresh database: the tables just created are current
        for target in sorted(v for v in UPGRADES if v > version):
            log.info("upgrading schema to version %d", target)
            await UPGRADES[target](conn)
            version = target
        for statement in EXTRA_INDEXES:
            await conn.execute_script(statement)
        if conn.capabilities.dialect == "sqlite":
            await conn.execute_script(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}; ANALYZE;")
        await SchemaMeta.update_or_create(key="schema_version", defaults={"value": str(version)})
        return version


async def open_database(url: str, *, create: bool = True) -> TortoiseContext:
    """Connect (and by default create or upgrade the schema). Pair with ``close_database``.

    A database that cannot be reached is a settings problem (``ConfigError``: exit code 3), said in
    one line with the URL's password hidden, not a traceback."""
    try:
        ctx = await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
        if create:
            await migrate(url)
        else:
            await check_database()
    except (OSError, DBConnectionError, ConnectionError) as exc:
        await Tortoise.close_connections()
        raise ConfigError(f"setting DUEBOT_DATABASE_URL: cannot open {_shown(url)}: {exc}") from None
    except BaseException:
        # Anything else (the schema lock's wait running out, say) still closes the connection: an
        # open SQLite connection's thread would keep the process from exiting after the error.
        await Tortoise.close_connections()
        raise
    return ctx


def _shown(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@", 1)
    return url


async def close_database() -> None:
    await _refresh_sqlite_statistics()
    await Tortoise.close_connections()
    # tortoise caches prepared SQL per connection *name*; a process that later opens another
    # backend under the same name (tests, tools) must not reuse SQLite's "?" placeholders.
    EXECUTOR_CACHE.clear()


async def _refresh_sqlite_statistics() -> None:
    """``PRAGMA optimize`` before a SQLite connection closes, as SQLite advises: it analyses the
    tables this connection queried whose statistics are missing or stale (after an import, say)."""
    try:
        conn = connection()
        if conn.capabilities.dialect == "sqlite" and getattr(conn, "_connection", None) is not None:
            await conn.execute_script(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}; PRAGMA optimize;")
    except Exception:  # closing must not fail for want of statistics
        log.debug("PRAGMA optimize skipped", exc_info=True)


async def check_database() -> None:
    """Raises if the database cannot answer a query on one of our tables (for /healthz). For SQLite
    the file must also still be there: an open connection keeps answering for a deleted file."""
    conn = connection()
    if conn.capabilities.dialect == "sqlite":
        path = getattr(conn, "filename", None)
        if path and path != ":memory:" and not await asyncio.to_thread(os.path.exists, path):
            raise FileNotFoundError(path)
    await conn.execute_query("SELECT value FROM schema_meta LIMIT 1")


@asynccontextmanager
async def database(url: str, *, create: bool = True) -> AsyncIterator[None]:
    await open_database(url, create=create)
    try:
        yield
    finally:
        await close_database()
