"""The dispatcher's batch reads and writes: the messages of a claimed batch, the ``sending`` marks of
requests that leave together, and the outcomes of many messages recorded in one transaction.

Every write that can race another dispatcher is conditional on the claim (``lease_owner``): a claim
that expired and was taken again is never marked, skipped nor released by the task that held it.
What happened after a request left (sent, unknown, failed) is recorded by id, as ``finish`` does:
the provider has the message, and what it said is kept even if a recovery has meanwhile called the
row ``unknown``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final

from tortoise.exceptions import IntegrityError, OperationalError, TransactionManagementError
from tortoise.transactions import in_transaction

from storage.database import connection, is_postgres_connection
from storage.delivery import apply_pending_receipts
from storage.interaction_log import InteractionLog, LogEvent
from storage.models import Borrower, Case, Message, PendingReceipt
from storage.records import OutboxRecord

log = logging.getLogger(__name__)

_CHUNK: Final = 500
_RETRIES: Final = 5
# Columns a status change may set besides the status and the lease (names are never user input).
_COLUMNS: Final = frozenset(
    {
        "channel",
        "address",
        "body",
        "segments",
        "attempts",
        "provider_message_id",
        "sent_at",
        "counts_toward_caps",
        "guard_rule",
        "guard_reason",
        "error_code",
        "next_attempt_at",
    }
)
# The contact data a provider's refusal may change (see ``scheduler.prepare.EFFECTS``).
_CONTACT_COLUMNS: Final = frozenset({"sms_opted_out", "phone_wrong", "telegram_usable"})
_FIELDS: Final = (
    "id",
    "borrower_id",
    "channel",
    "kind",
    "tier",
    "local_date",
    "not_before",
    "not_after",
    "idempotency_key",
    "attempt_of",
    "payload",
    "urgent",
    "attempts",
    "guard_rule",
    "status",
    "lease_owner",
    "body",
)


def _instant(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))  # SQLite keeps instants as UTC text


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _record(row: Mapping[str, Any]) -> OutboxRecord:
    payload = row["payload"]
    if isinstance(payload, str | bytes):
        payload = json.loads(payload)
    return OutboxRecord(
        id=row["id"],
        borrower_pk=row["borrower_id"],
        channel=row["channel"],
        kind=row["kind"],
        tier=row["tier"],
        local_date=_day(row["local_date"]),
        not_before=_instant(row["not_before"]),
        not_after=_instant(row["not_after"]),
        key=row["idempotency_key"],
        attempt_of=row["attempt_of"],
        payload=payload if isinstance(payload, dict) else {},
        urgent=bool(row["urgent"]),
        attempts=row["attempts"],
        guard_rule=row["guard_rule"],
        status=row["status"],
        lease_owner=row["lease_owner"],
        body=row["body"] or "",
    )


async def _outbox_rows(ids: Sequence[int], owner: str | None) -> list[OutboxRecord]:
    """The rows of ``ids`` (those ``owner`` holds claimed, when given), read in one plain query: the
    ORM's query building and value conversion cost more than the query on a batch of rows."""
    if not ids:
        return []
    conn = connection()
    columns = ", ".join(_FIELDS)
    if is_postgres_connection(conn):
        params: list[Any] = [list(ids)]
        where = "id = ANY($1::int[])"
        if owner is not None:
            params.append(owner)
            where += " AND lease_owner = $2 AND status = 'claimed'"
    else:
        params = list(ids)
        where = f"id IN ({', '.join('?' * len(ids))})"
        if owner is not None:
            params.append(owner)
            where += " AND lease_owner = ? AND status = 'claimed'"
    rows = await conn.execute_query_dict(f"SELECT {columns} FROM messages WHERE {where}", params)
    return [_record(r) for r in rows]


async def claimed_messages(ids: Sequence[int], owner: str) -> tuple[list[OutboxRecord], dict[int, OutboxRecord]]:
    """The batch's messages that ``owner`` still holds (``claimed``), in id order, and the logical
    message each fallback attempt belongs to (by id). A message whose claim was lost is left out."""
    messages: list[OutboxRecord] = []
    for part in _chunks(sorted(ids)):
        messages.extend(await _outbox_rows(part, owner))
    messages.sort(key=lambda m: m.id)
    bases: dict[int, OutboxRecord] = {}
    for part in _chunks(sorted({m.attempt_of for m in messages if m.attempt_of is not None})):
        bases.update((m.id, m) for m in await _outbox_rows(part, None))
    return messages, bases


@dataclass(frozen=True, slots=True)
class SendingMark:
    """A request about to leave: its row becomes ``sending`` with what is being sent."""

    message_id: int
    owner: str
    changes: Mapping[str, Any]  # channel, address, body, segments, attempts


async def mark_sending_many(marks: Sequence[SendingMark], lease_until: datetime, now: datetime) -> set[int]:
    """``claimed`` → ``sending`` for every mark whose claim still holds, with what is being sent, in
    one statement (atomic by itself); returns the ids marked (the others' claims were lost: their
    requests must not leave)."""
    conn = connection()
    common = {"status": "sending", "lease_until": lease_until, "updated_at": now}
    groups: dict[tuple[str, tuple[str, ...]], list[tuple[int, Mapping[str, Any]]]] = defaultdict(list)
    for mark in marks:
        groups[(mark.owner, tuple(sorted(mark.changes)))].append((mark.message_id, mark.changes))
    marked: set[int] = set()
    for (owner, names), rows in groups.items():
        for start in range(0, len(rows), _CHUNK):
            marked |= await _update_rows(conn, rows[start : start + _CHUNK], names, common, owner, ("claimed",))
    return marked


async def back_to_claimed(message_id: int, owner: str, now: datetime) -> None:
    """``sending`` → ``claimed`` when nothing was created (a refusal, a retry within the pass)."""
    await Message.filter(id=message_id, lease_owner=owner, status="sending").update(status="claimed", updated_at=now)


async def give_back(message_ids: Sequence[int], owner: str, now: datetime) -> None:
    """Messages that have not left go back to the queue (the dispatcher is stopping)."""
    for part in _chunks(sorted(message_ids)):
        await Message.filter(id__in=part, lease_owner=owner, status__in=("claimed", "sending")).update(
            status="planned", lease_owner=None, lease_until=None, updated_at=now
        )


@dataclass(frozen=True, slots=True)
class FailedAttempt:
    """A channel that refused a message for good, kept as a row of its own (an attempt of ``attempt_of``)."""

    borrower_pk: int | None
    channel: str
    kind: str
    tier: str | None
    local_date: date | None
    key: str
    attempt_of: int
    address: str
    body: str
    error_code: str
    detail: str
    n: int


@dataclass(slots=True)
class Outcome:
    """What became of one claimed message, recorded with the others of its group.

    ``status`` None records only the facts. With ``owner`` set the status change is made only
    while that claim still holds the row (nothing has left: a skip, a deferral, a retry later),
    and ``events`` are logged only if it was made; ``facts`` (what a provider said) always are.
    """

    message_id: int
    status: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    owner: str | None = None
    events: list[LogEvent] = field(default_factory=list)
    facts: list[LogEvent] = field(default_factory=list)
    failed_attempts: list[FailedAttempt] = field(default_factory=list)
    contact_changes: list[tuple[int, str, bool]] = field(default_factory=list)  # borrower pk, column, value
    acknowledges_case: int | None = None
    provider_message_id: str | None = None


async def record_outcomes(outcomes: Sequence[Outcome], now: datetime, log: InteractionLog) -> set[int]:
    """Record a group of outcomes in one transaction: statuses, provider ids and send times, the
    log entries of them all (one append), failed attempts, contact changes, acknowledgements. Then
    apply the delivery receipts that overtook a send. Returns the ids whose status change was made."""
    for attempt in range(_RETRIES):
        try:
            async with in_transaction() as conn:
                recorded = await _write(conn, outcomes, now, log)
                sent = [o.provider_message_id for o in outcomes if o.provider_message_id and o.message_id in recorded]
                waiting = await _pending_receipts(conn, sent)
            break
        except (IntegrityError, OperationalError, TransactionManagementError) as exc:
            if attempt == _RETRIES - 1:
                raise
            log_retry(exc)
            await asyncio.sleep(0.02 * (attempt + 1))
    for provider_message_id in sorted(waiting):
        await apply_pending_receipts(now, log=log, provider_message_id=provider_message_id)
    return recorded


async def _pending_receipts(conn: Any, provider_ids: list[str]) -> set[str]:
    """Which of these sends a delivery receipt overtook (kept until the send was recorded)."""
    waiting: set[str] = set()
    for start in range(0, len(provider_ids), _CHUNK):
        part = provider_ids[start : start + _CHUNK]
        found = (
            await PendingReceipt.filter(provider_message_id__in=part)
            .using_db(conn)
            .values_list("provider_message_id", flat=True)
        )
        waiting.update(str(f) for f in found)
    return waiting


def log_retry(exc: Exception) -> None:
    log.debug("recording outcomes raced (%s); retrying", type(exc).__name__)


async def _write(conn: Any, outcomes: Sequence[Outcome], now: datetime, log: InteractionLog) -> set[int]:
    recorded: set[int] = set()
    # Keyed by the claim a change is bound to (None: by id whatever) and the columns it sets.
    groups: dict[tuple[str | None, str, tuple[str, ...]], list[tuple[int, Mapping[str, Any]]]] = defaultdict(list)
    for o in outcomes:
        if o.status is not None:
            groups[(o.owner, o.status, tuple(sorted(o.changes)))].append((o.message_id, o.changes))
    for (owner, status, names), rows in groups.items():
        common = {"status": status, "lease_owner": None, "lease_until": None, "updated_at": now}
        # Held back before anything left: only while this claim still holds the row.
        held = ("claimed", "sending") if owner is not None else None
        for start in range(0, len(rows), _CHUNK):
            recorded |= await _update_rows(conn, rows[start : start + _CHUNK], names, common, owner, held)
    events = [e for o in outcomes for e in (*o.facts, *(o.events if o.message_id in recorded else ()))]
    await log.append_many(events)
    attempts = [a for o in outcomes for a in o.failed_attempts]
    if attempts:
        await Message.bulk_create([_attempt_row(a, now) for a in attempts], batch_size=500, using_db=conn)
    for pk, column, value in (c for o in outcomes for c in o.contact_changes):
        if column not in _CONTACT_COLUMNS:
            raise ValueError(f"not a contact column: {column}")
        await Borrower.filter(id=pk).using_db(conn).update(**{column: value})
    cases = sorted(
        {o.acknowledges_case for o in outcomes if o.acknowledges_case is not None and o.message_id in recorded}
    )
    if cases:
        # The borrower was sent the case's acknowledgement (its reference): the first one counts.
        await Case.filter(id__in=cases, acknowledged_at__isnull=True).using_db(conn).update(acknowledged_at=now)
    return recorded


def _attempt_row(a: FailedAttempt, now: datetime) -> Message:
    return Message(
        borrower_id=a.borrower_pk,
        direction="out",
        channel=a.channel,
        kind=a.kind,
        tier=a.tier,
        local_date=a.local_date,
        idempotency_key=a.key,
        attempt_of=a.attempt_of,
        status="failed",
        address=a.address,
        body=a.body,
        error_code=a.error_code,
        guard_reason=a.detail[:500],
        counts_toward_caps=False,
        created_at=now,
        updated_at=now,
        payload={"attempt": a.n},
    )


# --- SQL for many rows at once (the ORM builds one query per row; these build one per group) ---


def _chunks(values: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])


def _value(postgres: bool, value: Any) -> Any:
    if isinstance(value, datetime):
        # Instants are stored in UTC (see ``UtcDatetimeField``); SQLite keeps them as that text.
        instant = value.astimezone(UTC)
        return instant if postgres else instant.isoformat(sep=" ")
    return value


# Column types, for PostgreSQL's arrays (SQLite takes the values as they come).
_PG_TYPES: Final = {
    "id": "int",
    "status": "text",
    "lease_owner": "text",
    "lease_until": "timestamptz",
    "updated_at": "timestamptz",
    "channel": "text",
    "address": "text",
    "body": "text",
    "segments": "int",
    "attempts": "int",
    "provider_message_id": "text",
    "sent_at": "timestamptz",
    "counts_toward_caps": "bool",
    "guard_rule": "text",
    "guard_reason": "text",
    "error_code": "text",
    "next_attempt_at": "timestamptz",
}


async def _update_rows(
    conn: Any,
    rows: Sequence[tuple[int, Mapping[str, Any]]],
    names: Sequence[str],
    common: Mapping[str, Any],
    owner: str | None,
    statuses: Sequence[str] | None,
) -> set[int]:
    """One UPDATE of many rows: ``common`` for all, ``names`` per row (from ``rows``), only where
    ``owner`` holds the row in one of ``statuses`` (when given); returns the ids updated."""
    if not rows:
        return set()
    unknown = set(names) - _COLUMNS
    if unknown:  # column names go into the SQL text: only the known ones
        raise ValueError(f"cannot set {sorted(unknown)} on an outbox row")
    postgres = is_postgres_connection(conn)
    fixed = list(common)
    params: list[Any] = [_value(postgres, common[n]) for n in fixed]
    if postgres:
        sets = [f"{n} = ${i}" for i, n in enumerate(fixed, 1)] + [f"{n} = v.{n}" for n in names]
        columns = ["id", *names]
        arrays = ", ".join(f"${len(params) + i}::{_PG_TYPES[c]}[]" for i, c in enumerate(columns, 1))
        params += [[_value(True, r[0] if c == "id" else r[1][c]) for r in rows] for c in columns]
        source = f"unnest({arrays}) AS v({', '.join(columns)})"
        where = "m.id = v.id"
        if owner is not None:
            params.append(owner)
            where += f" AND m.lease_owner = ${len(params)}"
        if statuses is not None:
            params.append(list(statuses))
            where += f" AND m.status = ANY(${len(params)}::text[])"
        sql = f"UPDATE messages AS m SET {', '.join(sets)} FROM {source} WHERE {where} RETURNING m.id"
    else:
        # SQLite names a VALUES table's columns column1, column2, ...: column1 is the id.
        sets = [f"{n} = ?" for n in fixed] + [f"{n} = v.column{i}" for i, n in enumerate(names, 2)]
        row = f"({', '.join('?' * (len(names) + 1))})"
        for message_id, changes in rows:
            params += [message_id, *(_value(False, changes[n]) for n in names)]
        where = "messages.id = v.column1"
        if owner is not None:
            params.append(owner)
            where += " AND messages.lease_owner = ?"
        if statuses is not None:
            params += list(statuses)
            where += f" AND messages.status IN ({', '.join('?' * len(statuses))})"
        source = f"(VALUES {', '.join([row] * len(rows))}) AS v"
        sql = f"UPDATE messages SET {', '.join(sets)} FROM {source} WHERE {where} RETURNING messages.id"
    return {int(r["id"]) for r in await conn.execute_query_dict(sql, params)}
