"""The outbox: storing planned messages once, and claiming them so no two dispatchers send one twice.

Claiming is one conditional UPDATE: rows move from ``planned`` to ``claimed`` only while they are
still ``planned``, so of two racing dispatchers exactly one wins each row. On PostgreSQL the
candidate rows are picked with ``FOR UPDATE SKIP LOCKED`` so racers do not even wait on each other.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from storage.database import connection, is_postgres_connection, let_other_writers_in
from storage.models import Message, MessageItem

_CHUNK = 2000
# Messages stored a transaction: about 10-15 ms of SQLite's write lock each (0.1 ms a message and its items).
_STORE_BATCH = 100


@dataclass(frozen=True, slots=True)
class NewOutbound:
    """A logical outbound message to store (planned, or already skipped with a reason)."""

    key: str
    borrower_pk: int
    kind: str
    channel: str
    not_before: datetime | None
    not_after: datetime | None
    item_keys: tuple[str, ...] = ()
    installment_ids: tuple[int, ...] = ()
    tier: str | None = None
    local_date: date | None = None
    status: str = "planned"
    guard_rule: str | None = None
    guard_reason: str | None = None
    body: str = ""
    actor: str = "system"
    payload: dict[str, Any] = field(default_factory=dict)
    urgent: bool = False  # an answer to the borrower's own message: its own lane, ahead of reminders

    def __post_init__(self) -> None:
        if len(self.item_keys) != len(self.installment_ids):
            raise ValueError("one item key per installment")
        for value in (self.not_before, self.not_after):
            if value is not None and value.tzinfo is None:
                raise ValueError("outbox times must be timezone-aware")


async def existing_keys(keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        part = list(keys[start : start + _CHUNK])
        found.update(await Message.filter(idempotency_key__in=part).values_list("idempotency_key", flat=True))  # type: ignore[arg-type]
    return found


async def existing_item_keys(keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        part = list(keys[start : start + _CHUNK])
        found.update(await MessageItem.filter(item_key__in=part).values_list("item_key", flat=True))  # type: ignore[arg-type]
    return found


async def store_outbound(messages: Sequence[NewOutbound], now: datetime) -> list[Message]:
    """Insert the messages whose keys are new; returns the rows created (already-known keys are skipped).

    An installment already covered for that due date and tier (its item key exists) is dropped
    from the new message; a message left with no installments is not stored at all.
    """
    if not messages:
        return []
    known = await existing_keys([m.key for m in messages])
    covered = await existing_item_keys([k for m in messages if m.key not in known for k in m.item_keys])
    wanted = still_to_store(messages, known, covered)
    # A transaction per batch: a message commits with its items, and no transaction holds the
    # write lock long (on SQLite every other process's writes, a webhook's included, wait for it).
    # A pass that stops between batches stores the rest next time: stored keys are skipped. The
    # rows are built batch by batch too, so a pass in serve never holds its event loop for long.
    rows: list[Message] = []
    ids: dict[str, int] = {}
    held = 0.0
    for start in range(0, len(wanted), _STORE_BATCH):
        if start:
            await let_other_writers_in(held)
        batch = [_row(m, now) for m, _ in wanted[start : start + _STORE_BATCH]]
        began = time.perf_counter()
        await _insert_batch(batch, [items for _, items in wanted[start : start + _STORE_BATCH]], ids)
        rows.extend(batch)
        held = time.perf_counter() - began
    for row in rows:
        row.id = ids[row.idempotency_key or ""]
    return rows


def still_to_store(
    messages: Sequence[NewOutbound], known: Collection[str], covered: Collection[str]
) -> list[tuple[NewOutbound, list[tuple[int, str]]]]:
    """The messages whose keys are not ``known``, each with its (installment, item key) pairs not
    already ``covered``; a message whose installments are all covered is dropped."""
    wanted = []
    for m in messages:
        if m.key in known:
            continue
        items = [(iid, k) for iid, k in zip(m.installment_ids, m.item_keys, strict=True) if k not in covered]
        if m.item_keys and not items:
            continue
        wanted.append((m, items))
    return wanted


def _row(m: NewOutbound, now: datetime) -> Message:
    return Message(
        borrower_id=m.borrower_pk,
        direction="out",
        channel=m.channel,
        kind=m.kind,
        tier=m.tier,
        local_date=m.local_date,
        idempotency_key=m.key,
        status=m.status,
        not_before=m.not_before,
        not_after=m.not_after,
        guard_rule=m.guard_rule,
        guard_reason=m.guard_reason,
        body=m.body,
        actor=m.actor,
        urgent=m.urgent,
        created_at=now,
        updated_at=now,
        payload=m.payload,
    )


async def _insert_batch(rows: list[Message], items_for: list[list[tuple[int, str]]], ids: dict[str, int]) -> None:
    async with in_transaction() as conn:
        await Message.bulk_create(rows, batch_size=1000, ignore_conflicts=True, using_db=conn)
        keys = [r.idempotency_key for r in rows]
        for start in range(0, len(keys), _CHUNK):
            for pk, key in (
                await Message.filter(idempotency_key__in=keys[start : start + _CHUNK])
                .using_db(conn)
                .values_list("id", "idempotency_key")
            ):
                ids[key] = pk
        item_rows = [
            MessageItem(message_id=ids[row.idempotency_key or ""], installment_id=iid, item_key=item_key)
            for row, items in zip(rows, items_for, strict=True)
            for iid, item_key in items
        ]
        await MessageItem.bulk_create(item_rows, batch_size=2000, ignore_conflicts=True, using_db=conn)


def _placeholders(conn: Any, count: int, start: int = 1) -> list[str]:
    if is_postgres_connection(conn):
        return [f"${i}" for i in range(start, start + count)]
    return ["?"] * count


async def claim_due(
    owner: str,
    now: datetime,
    limit: int,
    lease_seconds: int,
    *,
    lease_from: datetime | None = None,
    urgent_only: bool = False,
) -> list[int]:
    """Claim up to ``limit`` planned messages whose time has come, answers first; returns their ids.

    ``now`` decides what is due; the lease runs from ``lease_from`` (default ``now``): a lease is
    about a live process, so it is measured on the clock of the process, not on a pass's logical
    time (a ``tick --now`` days ahead must not make a running server's claims look abandoned).
    """
    conn = connection()
    lease_until = (lease_from or now) + timedelta(seconds=lease_seconds)
    lane = "AND urgent " if urgent_only else ""
    if is_postgres_connection(conn):
        # The rows are picked once, in a materialised CTE: as ``id IN (SELECT ... LIMIT n)`` the
        # planner may re-run the subquery for every row it updates (a nested-loop semi-join), and
        # one worker then claimed the whole due queue instead of a batch.
        sql = (
            "WITH due AS MATERIALIZED ("
            f"  SELECT id FROM messages WHERE status = 'planned' AND direction = 'out' {lane}"
            "  AND (not_before IS NULL OR not_before <= $3) "
            "  AND (next_attempt_at IS NULL OR next_attempt_at <= $3) "
            "  ORDER BY urgent DESC, not_before NULLS FIRST, id LIMIT $4 FOR UPDATE SKIP LOCKED"
            ") UPDATE messages m SET status = 'claimed', lease_owner = $1, lease_until = $2, updated_at = $3 "
            "FROM due WHERE m.id = due.id AND m.status = 'planned' RETURNING m.id"
        )
        rows = await conn.execute_query_dict(sql, [owner, lease_until, now, limit])
        return sorted(r["id"] for r in rows)
    # SQLite: tortoise drops FOR UPDATE there, so the outer "still planned" condition decides. The
    # due rows are read lane by lane (answers, then the rest; unscheduled, then by time) through the
    # partial index of planned rows, each part stopping at ``limit``: what a pass costs follows what
    # is due, not the day's planned reminders waiting for their window.
    at = _sqlite_time(now)
    parts, params = [], []
    for urgent in (1,) if urgent_only else (1, 0):
        for when, order in (("not_before IS NULL", "id"), ("not_before <= ?", "not_before, id")):
            parts.append(
                f"SELECT * FROM (SELECT id, urgent, not_before FROM messages WHERE status = 'planned' "
                f"AND urgent = {urgent} AND {when} AND (next_attempt_at IS NULL OR next_attempt_at <= ?) "
                f"ORDER BY {order} LIMIT ?)"
            )
            params += ([at] if when.endswith("?") else []) + [at, limit]
    sql = (
        "UPDATE messages SET status = 'claimed', lease_owner = ?, lease_until = ?, updated_at = ? "
        f"WHERE status = 'planned' AND id IN (SELECT id FROM ({' UNION ALL '.join(parts)}) "
        "ORDER BY urgent DESC, not_before, id LIMIT ?) RETURNING id"
    )
    rows = await conn.execute_query_dict(sql, [owner, _sqlite_time(lease_until), at, *params, limit])
    return sorted(r["id"] for r in rows)


def _sqlite_time(value: datetime) -> str:
    """The text form aware datetimes are stored in on SQLite (UTC, see ``UtcDatetimeField``)."""
    from datetime import UTC

    return value.astimezone(UTC).isoformat(sep=" ")


async def mark_sending(message_id: int, owner: str, now: datetime) -> bool:
    """claimed → sending, only by the claim's owner; False if the claim was lost."""
    updated = await Message.filter(id=message_id, status="claimed", lease_owner=owner).update(
        status="sending", updated_at=now, attempts=_increment()
    )
    return updated == 1


def _increment() -> Any:
    from tortoise.expressions import F

    return F("attempts") + 1


async def release(message_id: int, owner: str, now: datetime, **changes: Any) -> None:
    """Give a claimed message back (deferred or to retry), clearing the lease."""
    await Message.filter(id=message_id, lease_owner=owner, status__in=("claimed", "sending")).update(
        status="planned", lease_owner=None, lease_until=None, updated_at=now, **changes
    )


async def finish(message_id: int, now: datetime, status: str, **changes: Any) -> None:
    await Message.filter(id=message_id).update(
        status=status, lease_owner=None, lease_until=None, updated_at=now, **changes
    )


async def recover_abandoned(now: datetime) -> tuple[list[int], list[int]]:
    """Expired claims: ``claimed`` goes back to planned (nothing left us); ``sending`` becomes
    ``unknown`` — the process died between marking and recording, so the provider may have it."""
    requeued = await Message.filter(status="claimed", lease_until__lt=now).values_list("id", flat=True)
    if requeued:
        await Message.filter(id__in=requeued, status="claimed").update(
            status="planned", lease_owner=None, lease_until=None, updated_at=now
        )
    lost = await Message.filter(status="sending", lease_until__lt=now).values_list("id", flat=True)
    if lost:
        from tortoise.expressions import F

        await Message.filter(id__in=lost, status="sending").update(
            status="unknown",
            lease_owner=None,
            lease_until=None,
            # It counts toward the caps like any unknown outcome: from when it was marked sending
            # (the last update before the crash), since it may have reached the borrower.
            sent_at=F("updated_at"),
            updated_at=now,
            guard_reason="the process stopped while sending; the provider may have the message",
        )
    return list(requeued), list(lost)  # type: ignore[arg-type]


async def expire_stale(now: datetime) -> list[Message]:
    """Planned messages whose window closed: skipped, never sent late."""
    # Only outbound rows are ever planned: the (status, not_after) index alone finds them.
    stale = await Message.filter(status="planned", not_after__lte=now).all()
    if stale:
        await Message.filter(id__in=[m.id for m in stale], status="planned").update(
            status="skipped",
            guard_rule="stale",
            guard_reason="the tier's send window closed before it could go; never sent late",
            updated_at=now,
        )
    return stale


@dataclass(frozen=True, slots=True)
class Waiting:
    borrower_id: str
    key: str
    not_before: datetime


async def count_waiting(now: datetime) -> int:
    # Only outbound rows are ever planned: counted from the (status, not_before) index alone.
    return await Message.filter(status="planned", not_before__gt=now).count()


async def waiting_messages(now: datetime) -> list[Waiting]:
    """Planned messages not due yet (their window opens later), soonest first."""
    rows = (
        await Message.filter(direction="out", status="planned", not_before__gt=now)
        .order_by("not_before", "id")
        .values_list("borrower__borrower_id", "idempotency_key", "not_before")
    )
    return [Waiting(b or "", k or "", at) for b, k, at in rows]
