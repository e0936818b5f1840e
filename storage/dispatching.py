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
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final

from tortoise.exceptions import IntegrityError, OperationalError, TransactionManagementError
from tortoise.transactions import in_transaction

from storage.database import is_postgres_connection
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


def _record(row: Sequence[Any]) -> OutboxRecord:
    payload = row[10] if isinstance(row[10], dict) else {}
    return OutboxRecord(
        row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9], payload, bool(row[11]),
        row[12], row[13], row[14], row[15], row[16] or "",
    )  # fmt: skip


async def claimed_messages(ids: Sequence[int], owner: str) -> tuple[list[OutboxRecord], dict[int, OutboxRecord]]:
    """The batch's messages that ``owner`` still holds (``claimed``), in id order, and the logical
    message each fallback attempt belongs to (by id). A message whose claim was lost is left out."""
    messages: list[OutboxRecord] = []
    for part in _chunks(sorted(ids)):
        rows = await Message.filter(id__in=part, lease_owner=owner, status="claimed").values_list(*_FIELDS)
        messages.extend(_record(r) for r in rows)
    messages.sort(key=lambda m: m.id)
    wanted = sorted({m.attempt_of for m in messages if m.attempt_of is not None})
    bases: dict[int, OutboxRecord] = {}
    for part in _chunks(wanted):
        for row in await Message.filter(id__in=part).values_list(*_FIELDS):
            bases[row[0]] = _record(row)
    return messages, bases


@dataclass(frozen=True, slots=True)
class SendingMark:
    """A request about to leave: its row becomes ``sending`` with what is being sent."""

    message_id: int
    owner: str
    changes: Mapping[str, Any]  # channel, address, body, segments, attempts


async def mark_sending_many(marks: Sequence[SendingMark], lease_until: datetime, now: datetime) -> set[int]:
    """``claimed`` → ``sending`` for every mark whose claim still holds, in one transaction; returns
    the ids marked (the others' claims were lost: their requests must not leave)."""
    marked: set[int] = set()
    async with in_transaction() as conn:
        owners: dict[str, list[int]] = defaultdict(list)
        for mark in marks:
            owners[mark.owner].append(mark.message_id)
        for owner, ids in owners.items():
            for part in _chunks(ids):
                marked.update(
                    await _conditional(
                        conn,
                        part,
                        owner,
                        ("claimed",),
                        {"status": "sending", "lease_until": lease_until, "updated_at": now},
                    )
                )
        await _update_each(conn, [(m.message_id, dict(m.changes)) for m in marks if m.message_id in marked])
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

    def __post_init__(self) -> None:
        unknown = set(self.changes) - _COLUMNS
        if unknown:
            raise ValueError(f"an outcome cannot set {sorted(unknown)}")


async def record_outcomes(outcomes: Sequence[Outcome], now: datetime, log: InteractionLog) -> set[int]:
    """Record a group of outcomes in one transaction: statuses, provider ids and send times, the
    log entries of them all (one append), failed attempts, contact changes, acknowledgements. Then
    apply the delivery receipts that overtook a send. Returns the ids whose status change was made."""
    for attempt in range(_RETRIES):
        try:
            async with in_transaction() as conn:
                recorded = await _write(conn, outcomes, now, log)
            break
        except (IntegrityError, OperationalError, TransactionManagementError) as exc:
            if attempt == _RETRIES - 1:
                raise
            log_retry(exc)
            await asyncio.sleep(0.02 * (attempt + 1))
    sent = [o.provider_message_id for o in outcomes if o.provider_message_id and o.message_id in recorded]
    if sent:
        waiting: set[str] = set()
        for start in range(0, len(sent), _CHUNK):
            found = await PendingReceipt.filter(provider_message_id__in=sent[start : start + _CHUNK]).values_list(
                "provider_message_id", flat=True
            )
            waiting.update(str(f) for f in found)
        for provider_message_id in sorted(waiting):
            await apply_pending_receipts(now, log=log, provider_message_id=provider_message_id)
    return recorded


def log_retry(exc: Exception) -> None:
    log.debug("recording outcomes raced (%s); retrying", type(exc).__name__)


async def _write(conn: Any, outcomes: Sequence[Outcome], now: datetime, log: InteractionLog) -> set[int]:
    recorded: set[int] = set()
    # Held back before anything left: only while this claim still holds the row.
    bound: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        if o.status is not None and o.owner is not None:
            bound[o.owner].append(o)
    for owner, group in bound.items():
        for part in _chunks([o.message_id for o in group]):
            recorded.update(await _still_held(conn, part, owner))
    rows: list[tuple[int, dict[str, Any]]] = []
    for o in outcomes:
        if o.status is None or (o.owner is not None and o.message_id not in recorded):
            continue
        recorded.add(o.message_id)
        lease: dict[str, Any] = {"status": o.status, "lease_owner": None, "lease_until": None, "updated_at": now}
        rows.append((o.message_id, {**lease, **o.changes}))
    await _update_each(conn, rows)
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


async def _conditional(
    conn: Any, ids: list[int], owner: str, statuses: Iterable[str], changes: Mapping[str, Any]
) -> set[int]:
    """UPDATE the rows of ``ids`` that ``owner`` holds in one of ``statuses``; their ids."""
    postgres = is_postgres_connection(conn)
    states = list(statuses)
    names = list(changes)
    values = [_value(postgres, changes[n]) for n in names]
    if postgres:
        sets = ", ".join(f"{n} = ${i}" for i, n in enumerate(names, 1))
        k = len(names)
        sql = (f"UPDATE messages SET {sets} WHERE id = ANY(${k + 1}::int[]) AND lease_owner = ${k + 2} "
               f"AND status = ANY(${k + 3}::text[]) RETURNING id")  # fmt: skip
        params = [*values, ids, owner, states]
    else:
        sets = ", ".join(f"{n} = ?" for n in names)
        sql = (f"UPDATE messages SET {sets} WHERE id IN ({', '.join('?' * len(ids))}) AND lease_owner = ? "
               f"AND status IN ({', '.join('?' * len(states))}) RETURNING id")  # fmt: skip
        params = [*values, *ids, owner, *states]
    return {int(r["id"]) for r in await conn.execute_query_dict(sql, params)}


async def _still_held(conn: Any, ids: list[int], owner: str) -> set[int]:
    """The rows of ``ids`` that ``owner`` still holds, locked for the rest of the transaction."""
    if is_postgres_connection(conn):
        sql = ("SELECT id FROM messages WHERE id = ANY($1::int[]) AND lease_owner = $2 "
               "AND status IN ('claimed', 'sending') FOR UPDATE")  # fmt: skip
        rows = await conn.execute_query_dict(sql, [ids, owner])
    else:  # a SQLite transaction holds the write lock once it writes; this touch takes it now
        sql = (f"UPDATE messages SET lease_owner = lease_owner WHERE id IN ({', '.join('?' * len(ids))}) "
               "AND lease_owner = ? AND status IN ('claimed', 'sending') RETURNING id")  # fmt: skip
        rows = await conn.execute_query_dict(sql, [*ids, owner])
    return {int(r["id"]) for r in rows}


async def _update_each(conn: Any, rows: Sequence[tuple[int, Mapping[str, Any]]]) -> None:
    """Per-row values, one executemany per set of columns."""
    postgres = is_postgres_connection(conn)
    shapes: dict[tuple[str, ...], list[list[Any]]] = defaultdict(list)
    for message_id, changes in rows:
        names = tuple(sorted(changes))
        shapes[names].append([*(_value(postgres, changes[n]) for n in names), message_id])
    for names, values in shapes.items():
        if not names:
            continue
        if postgres:
            sets = ", ".join(f"{n} = ${i}" for i, n in enumerate(names, 1))
            sql = f"UPDATE messages SET {sets} WHERE id = ${len(names) + 1}"
        else:
            sets = ", ".join(f"{n} = ?" for n in names)
            sql = f"UPDATE messages SET {sets} WHERE id = ?"
        await conn.execute_many(sql, values)
