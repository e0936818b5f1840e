"""Storing a pass's plan: thousands of reminders, their installments and their log entries, a batch
at a time in one transaction each, written with raw statements (executemany on SQLite, COPY on
PostgreSQL) rather than one model object a row.

A batch commits its messages together with their ``message.planned`` (or ``message.skipped``)
entries: the log never misses a stored reminder, nor records one that was not stored.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from tortoise.transactions import in_transaction

from storage.bulk import Bulk
from storage.database import connection, is_postgres_connection, let_other_writers_in
from storage.interaction_log import InteractionLog, LogEvent, append_bulk
from storage.outbox import NewOutbound, still_to_store

# Messages a transaction. SQLite: ~30 ms of its database-wide write lock (0.1-0.15 ms a message
# with its items and log entry), then as long again with the lock free, so a webhook waiting to
# store its message gets in. PostgreSQL locks rows, not the database: large batches.
SQLITE_BATCH = 250
POSTGRES_BATCH = 5_000
_MESSAGE_COLUMNS = (
    "borrower_id", "direction", "channel", "kind", "tier", "local_date", "idempotency_key", "status",
    "address", "body", "guard_rule", "guard_reason", "not_before", "not_after", "attempts",
    "counts_toward_caps", "actor", "created_at", "updated_at", "payload", "urgent",
)  # fmt: skip
_KNOWN_KEYS = "SELECT idempotency_key FROM messages WHERE idempotency_key {keys}"
_COVERED_ITEMS = "SELECT item_key FROM message_items WHERE item_key {keys}"
EventsOf = Callable[[Sequence[NewOutbound]], list[LogEvent]]


async def store_plan(
    messages: Sequence[NewOutbound], now: datetime, log: InteractionLog, events_of: EventsOf
) -> list[NewOutbound]:
    """Store the messages whose keys are new, with the log entries ``events_of`` gives for them;
    returns those stored. An installment already covered for that due date and tier (its item
    key exists) is dropped from its new message; a message left with none is not stored."""
    stored: list[NewOutbound] = []
    held = 0.0
    size = POSTGRES_BATCH if is_postgres_connection(connection()) else SQLITE_BATCH
    for start in range(0, len(messages), size):
        if start:
            await let_other_writers_in(held)
        began = time.perf_counter()
        async with in_transaction() as conn:
            bulk = Bulk(conn)
            fresh = await _fresh(bulk, messages[start : start + size])
            if fresh:
                await _insert(bulk, fresh, now)
                await append_bulk(log, events_of(fresh), conn)
        stored.extend(fresh)
        held = time.perf_counter() - began
    return stored


async def _fresh(bulk: Bulk, messages: Sequence[NewOutbound]) -> list[NewOutbound]:
    """Read inside the writing transaction: what it finds stored cannot change before it commits."""
    keys = [m.key for m in messages]
    known = {
        key
        async for (key,) in bulk.select_in(
            "SELECT idempotency_key FROM messages WHERE idempotency_key {keys}", keys, "text"
        )
    }
    item_keys = [k for m in messages if m.key not in known for k in m.item_keys]
    covered = {
        key
        async for (key,) in bulk.select_in(
            "SELECT item_key FROM message_items WHERE item_key {keys}", item_keys, "text"
        )
    }
    return [
        m
        if len(items) == len(m.item_keys)
        else dataclasses.replace(m, installment_ids=tuple(i for i, _ in items), item_keys=tuple(k for _, k in items))
        for m, items in still_to_store(messages, known, covered)
    ]


async def _insert(bulk: Bulk, messages: Sequence[NewOutbound], now: datetime) -> None:
    at = bulk.instant(now)
    yes, no = bulk.flag(True), bulk.flag(False)
    rows = [
        (
            m.borrower_pk, "out", m.channel, m.kind, m.tier,
            m.local_date if bulk.postgres or m.local_date is None else m.local_date.isoformat(),
            m.key, m.status, "", m.body, m.guard_rule, m.guard_reason,
            None if m.not_before is None else bulk.instant(m.not_before),
            None if m.not_after is None else bulk.instant(m.not_after),
            0, yes, m.actor, at, at, json.dumps(m.payload, separators=(",", ":")), yes if m.urgent else no,
        )
        for m in messages
    ]  # fmt: skip
    await bulk.insert("messages", _MESSAGE_COLUMNS, rows)
    ids = {
        key: pk
        async for pk, key in bulk.select_in(
            "SELECT id, idempotency_key FROM messages WHERE idempotency_key {keys}", [m.key for m in messages], "text"
        )
    }
    items = [
        (ids[m.key], iid, item_key)
        for m in messages
        for iid, item_key in zip(m.installment_ids, m.item_keys, strict=True)
    ]
    await bulk.insert("message_items", ("message_id", "installment_id", "item_key"), items)
