"""tortoise's SQLite client with ``BEGIN IMMEDIATE`` transactions (``DUEBOT_DATABASE_URL=sqlite://…``).

tortoise opens a transaction with a plain (deferred) ``BEGIN``: it reads without the write lock and
asks for it at its first write. In WAL mode, if another process (``serve`` beside a ``tick``) wrote
in between, that request fails at once with "database is locked" — the busy timeout does not apply,
because waiting could not help a transaction whose snapshot is already stale. ``BEGIN IMMEDIATE``
takes the write lock first, waiting up to the busy timeout, so a transaction that reads then writes
waits its turn instead of failing. Keep transactions short: while one holds the lock, every other
process's writes (a webhook storing a message) wait for it.
"""

from __future__ import annotations

import sqlite3

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.exceptions import TransactionManagementError


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)


client_class = ImmediateSqliteClient
