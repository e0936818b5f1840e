"""The interaction log: every contact and decision, appended to a per-borrower hash chain.

Appends are serialised per chain: on PostgreSQL by a transaction-scoped advisory lock on the
chain name; everywhere by the unique (chain, seq) index, with a retry when two writers race.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError, OperationalError, TransactionManagementError
from tortoise.expressions import Q
from tortoise.functions import Max
from tortoise.transactions import in_transaction

from storage.chain import (
    GENESIS,
    ChainBreak,
    ChainVerifier,
    SealedFields,
    StoredEntry,
    StoredHead,
    canonical_json,
    chain_for,
    derive_log_key,
    seal,
    seal_head,
)
from storage.database import inside_transaction, is_postgres_connection, let_other_writers_in
from storage.models import Borrower, LogEntry, LogHead, Message

log = logging.getLogger(__name__)
_RETRIES = 8
# Events a transaction when a pass appends thousands (about 10 ms of the write lock each).
_BATCH = 100
SYSTEM_CHAIN = chain_for(None)


def _created_borrowers(data: str) -> list[str]:
    try:
        value = json.loads(data).get("borrowers_created", [])
    except (ValueError, AttributeError):
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


@dataclass(frozen=True, slots=True)
class LogEvent:
    """Something to record. ``borrower_id`` None goes to the system chain."""

    kind: str
    at: datetime
    borrower_id: str | None = None
    actor: str = "system"
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("log events need a timezone-aware time")
        if not self.kind:
            raise ValueError("log events need a kind")


class InteractionLog:
    """Appends and verifies; holds the derived signing key, never the secret itself."""

    def __init__(self, secret: bytes) -> None:
        self._key = derive_log_key(secret)

    async def append(self, event: LogEvent) -> None:
        await self.append_many([event])

    async def append_many(self, events: Sequence[LogEvent]) -> None:
        """Append in order per chain. Inside a caller's transaction, in it; otherwise a pass's
        thousands of events go in several short transactions of whole chains, so none holds the
        write lock (SQLite's, or on PostgreSQL the log-wide advisory lock) for long."""
        if not events:
            return
        batches = [events] if inside_transaction() else _batches_of_whole_chains(events, _BATCH)
        held = 0.0
        for number, batch in enumerate(batches):
            if number:
                await let_other_writers_in(held)
            began = time.perf_counter()
            await self._append_with_retries(batch)
            held = time.perf_counter() - began

    async def _append_with_retries(self, events: Sequence[LogEvent]) -> None:
        for attempt in range(_RETRIES):
            try:
                await self._append_once(events)
                return
            except (IntegrityError, OperationalError, TransactionManagementError) as exc:
                if attempt == _RETRIES - 1:
                    raise
                log.debug("log append raced (%s); retrying", type(exc).__name__)
                await asyncio.sleep(0.01 * (attempt + 1))

    async def _append_once(self, events: Sequence[LogEvent]) -> None:
        by_chain: dict[str, list[LogEvent]] = defaultdict(list)
        for event in events:
            by_chain[chain_for(event.borrower_id)].append(event)
        chains = sorted(by_chain)
        async with in_transaction() as conn:
            if is_postgres_connection(conn):
                await _lock_chains(conn, chains)
            heads = await _heads(chains, conn)
            rows: list[LogEntry] = []
            for chain in chains:
                seq, prev = heads.get(chain, (0, GENESIS))
                for event in by_chain[chain]:
                    seq += 1
                    sealed = SealedFields(
                        chain=chain,
                        seq=seq,
                        at=event.at,
                        kind=event.kind,
                        actor=event.actor,
                        data=canonical_json(event.data),
                        prev_hash=prev,
                    )
                    prev = seal(self._key, sealed)
                    rows.append(
                        LogEntry(
                            chain=chain,
                            seq=seq,
                            at=event.at,
                            kind=event.kind,
                            actor=event.actor,
                            data=sealed.data,
                            prev_hash=sealed.prev_hash,
                            hash=prev,
                        )
                    )
            await LogEntry.bulk_create(rows, batch_size=1000, using_db=conn)
            ends: dict[str, LogEntry] = {row.chain: row for row in rows}  # the last row of each chain
            await LogHead.bulk_create(
                [LogHead(chain=c, seq=e.seq, hash=e.hash, seal=seal_head(self._key, c, e.seq, e.hash))
                 for c, e in ends.items()],
                batch_size=1000,
                on_conflict=["chain"],
                update_fields=["seq", "hash", "seal"],
                using_db=conn,
            )  # fmt: skip

    async def verify(self, borrower_id: str | None = None) -> ChainVerifier:
        """Check every chain (or one borrower's) and its signed head, stopping at the first break;
        then that every borrower (in the database, or created by an import the system chain
        records) still has a chain."""
        query = LogHead.all() if borrower_id is None else LogHead.filter(chain=chain_for(borrower_id))
        heads = {c: StoredHead(s, h, x) for c, s, h, x in await query.values_list("chain", "seq", "hash", "seal")}
        verifier = ChainVerifier(self._key, heads)
        created: set[str] = set()
        texts = MessageTexts()
        async for entry in _stored_entries(borrower_id):
            if verifier.feed(entry) is not None:
                return verifier
            if entry.fields.chain == SYSTEM_CHAIN and entry.fields.kind == "import.loans":
                created.update(_created_borrowers(entry.fields.data))
            texts.note(entry)
        if verifier.finish(None if borrower_id is None else {chain_for(borrower_id)}) is not None:
            return verifier
        if (changed := await texts.first_mismatch()) is not None:
            verifier.first_break = changed
            return verifier
        if borrower_id is None:
            known: list[str] = await Borrower.all().values_list("borrower_id", flat=True)  # type: ignore[assignment]
            verifier.expect_chains({chain_for(b) for b in created | set(known)}, set(heads))
        return verifier


def _batches_of_whole_chains(events: Sequence[LogEvent], size: int) -> list[list[LogEvent]]:
    """The events grouped by chain (in order within each), chains packed into batches of about
    ``size`` events; a chain is never split, so each chain's entries commit together."""
    by_chain: dict[str, list[LogEvent]] = defaultdict(list)
    for event in events:
        by_chain[chain_for(event.borrower_id)].append(event)
    batches: list[list[LogEvent]] = []
    current: list[LogEvent] = []
    for chain in sorted(by_chain):
        if current and len(current) + len(by_chain[chain]) > size:
            batches.append(current)
            current = []
        current.extend(by_chain[chain])
    if current:
        batches.append(current)
    return batches


# A lock per chain would exhaust PostgreSQL's lock table for an import touching thousands of
# borrowers, so locking is two-level: every append holds the log-wide key shared and its chains'
# keys exclusively; an append to more than this many chains holds the log-wide key exclusively.
_MANY_CHAINS = 32
_LOG_LOCK = int.from_bytes(hashlib.sha256(b"duebot-interaction-log").digest()[:7], "big")


async def _lock_chains(conn: Any, chains: list[str]) -> None:
    if len(chains) > _MANY_CHAINS:
        await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [_LOG_LOCK])
        return
    await conn.execute_query("SELECT pg_advisory_xact_lock_shared($1)", [_LOG_LOCK])
    await conn.execute_query(
        "SELECT pg_advisory_xact_lock(hashtextextended(c, 0)) FROM unnest($1::text[]) AS c ORDER BY c",
        [chains],
    )


class MessageTexts:
    """The messages table is not sealed; the log entries that record each message are. This
    holds the sealed text of every message received and sent, and finds a row whose text was
    edited afterwards (the timeline and the evidence export show the rows)."""

    def __init__(self) -> None:
        self.received: dict[str, tuple[StoredEntry, str]] = {}
        self.sent: dict[str, list[tuple[StoredEntry, str]]] = {}

    def note(self, entry: StoredEntry) -> None:
        kind = entry.fields.kind
        if kind not in ("message.received", "message.sent"):
            return
        try:
            data = json.loads(entry.fields.data)
        except ValueError:
            return
        text = data.get("text")
        if not isinstance(text, str):
            return
        if kind == "message.received" and data.get("event_id"):
            self.received[str(data["event_id"])] = (entry, text)
        elif kind == "message.sent" and data.get("key"):
            self.sent.setdefault(str(data["key"]), []).append((entry, text))

    async def first_mismatch(self) -> ChainBreak | None:
        problems: list[ChainBreak] = []
        events = list(self.received)
        for start in range(0, len(events), 1000):
            part = events[start : start + 1000]
            rows = await Message.filter(provider_event_id__in=part).values_list("provider_event_id", "id", "body")
            for event_id, row_id, body in rows:
                entry, text = self.received[str(event_id)]
                if body != text:
                    problems.append(_text_changed(entry, row_id))
        keys = list(self.sent)
        for start in range(0, len(keys), 1000):
            part = keys[start : start + 1000]
            bases = dict(await Message.filter(idempotency_key__in=part).values_list("id", "idempotency_key"))
            bodies: dict[str, set[str]] = {}
            for row_id, attempt_of, body in await Message.filter(
                Q(id__in=list(bases)) | Q(attempt_of__in=list(bases))
            ).values_list("id", "attempt_of", "body"):
                key = bases.get(attempt_of if attempt_of in bases else row_id)
                if key is not None:
                    bodies.setdefault(key, set()).add(body)
            for key in part:
                for entry, text in self.sent[key]:
                    if key in bodies and text not in bodies[key]:
                        problems.append(_text_changed(entry, None))
        return min(problems, key=lambda b: (b.chain, b.seq)) if problems else None


def _text_changed(entry: StoredEntry, row_id: int | None) -> ChainBreak:
    row = f" (messages row {row_id})" if row_id is not None else ""
    problem = f"the message's text in the messages table{row} differs from what this sealed entry records"
    return ChainBreak(entry.id, entry.fields.chain, entry.fields.seq, problem)


async def _heads(chains: Iterable[str], conn: Any) -> dict[str, tuple[int, str]]:
    """Where each chain goes on: its signed head. A chain without one (from before heads were kept)
    goes on from its last entry."""
    heads: dict[str, tuple[int, str]] = {}
    chain_list = list(chains)
    for start in range(0, len(chain_list), 500):
        part = chain_list[start : start + 500]
        for chain, seq, digest in (
            await LogHead.filter(chain__in=part).using_db(conn).values_list("chain", "seq", "hash")
        ):
            heads[chain] = (seq, digest)
        part = [c for c in part if c not in heads]
        if not part:
            continue
        maxima = (
            await LogEntry.filter(chain__in=part)
            .using_db(conn)
            .group_by("chain")
            .annotate(top=Max("seq"))
            .values_list("chain", "top")
        )
        if not maxima:
            continue
        wanted = {(c, s) for c, s in maxima}
        rows = (
            await LogEntry.filter(chain__in=[c for c, _ in maxima], seq__in=[s for _, s in maxima])
            .using_db(conn)
            .values_list("chain", "seq", "hash")
        )
        for chain, seq, digest in rows:
            if (chain, seq) in wanted:
                heads[chain] = (seq, digest)
    return heads


async def _stored_entries(borrower_id: str | None, batch: int = 5000) -> AsyncIterator[StoredEntry]:
    query = LogEntry.all()
    if borrower_id is not None:
        query = query.filter(chain=chain_for(borrower_id))
    last: tuple[str, int] | None = None
    while True:
        page = query
        if last is not None:
            # Keyset pagination on (chain, seq) keeps memory flat for big logs.
            page = page.filter(Q(chain__gt=last[0]) | Q(chain=last[0], seq__gt=last[1]))
        rows = (
            await page.order_by("chain", "seq")
            .limit(batch)
            .values_list("id", "chain", "seq", "at", "kind", "actor", "data", "prev_hash", "hash")
        )
        if not rows:
            return
        for row_id, chain, seq, at, kind, actor, data, prev_hash, digest in rows:
            yield StoredEntry(
                id=row_id,
                fields=SealedFields(
                    chain=chain, seq=seq, at=at, kind=kind, actor=actor, data=data, prev_hash=prev_hash
                ),
                hash=digest,
            )
        last = (rows[-1][1], rows[-1][2])


async def timeline_entries(borrower_id: str) -> list[LogEntry]:
    return await LogEntry.filter(chain=chain_for(borrower_id)).order_by("seq")


@dataclass(frozen=True, slots=True)
class PreparedEvent:
    """A LogEvent whose data its writer has already put in canonical JSON (``canonical_json``)."""

    kind: str
    at: datetime
    borrower_id: str | None
    actor: str
    data_json: str


# canonical_json's encoder, made once (json.dumps builds one a call).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


async def append_bulk(log: InteractionLog, events: Sequence[LogEvent | PreparedEvent], conn: Any) -> None:
    """``log.append_many(events)`` for thousands of chains at once, inside the caller's transaction
    ``conn`` (the loan-book import): the same entries and signed heads, under the same PostgreSQL
    advisory locks, with the chains' heads looked up set-based and the rows written with
    executemany (SQLite) or COPY (PostgreSQL) instead of one model object each."""
    from storage.bulk import Bulk

    if not events:
        return
    by_chain: dict[str, list[LogEvent | PreparedEvent]] = defaultdict(list)
    for event in events:
        by_chain[chain_for(event.borrower_id)].append(event)
    chains = sorted(by_chain)
    bulk = Bulk(conn)
    if bulk.postgres:
        await _lock_chains(conn, chains)
    heads = {
        chain: (seq, digest)
        async for chain, seq, digest in bulk.select_in(
            "SELECT chain, seq, hash FROM interaction_log_heads WHERE chain {keys}", chains, "text"
        )
    }
    with_head = set(heads)
    headless = [c for c in chains if c not in heads]  # chains from before heads were kept
    tops = [
        row
        async for row in bulk.select_in(
            "SELECT chain, MAX(seq) FROM interaction_log WHERE chain {keys} GROUP BY chain", headless, "text"
        )
    ]
    for chain, top in tops:
        found = await bulk.fetch("SELECT hash FROM interaction_log WHERE chain = ? AND seq = ?", [chain, top])
        heads[chain] = (top, found[0][0])
    entries: list[tuple[Any, ...]] = []
    ends: list[tuple[Any, ...]] = []
    key = log._key
    stamps: dict[datetime, tuple[object, str]] = {}
    for chain in chains:
        seq, prev = heads.get(chain, (0, GENESIS))
        for event in by_chain[chain]:
            seq += 1
            data = event.data_json if isinstance(event, PreparedEvent) else _CANONICAL.encode(event.data)
            stamp = stamps.get(event.at)
            if stamp is None:
                if event.at.tzinfo is None:
                    raise ValueError("log events need a timezone-aware time")
                stamp = stamps[event.at] = (bulk.instant(event.at), f"{event.at.timestamp():.6f}")
            # seal(), written out: one C call per entry instead of an HMAC object each.
            message = "\x1f".join((chain, str(seq), stamp[1], event.kind, event.actor, data, prev))
            digest = hmac.digest(key, message.encode(), "sha256").hex()
            entries.append((chain, seq, stamp[0], event.kind, event.actor, data, prev, digest))
            prev = digest
        head_seal = hmac.digest(key, f"head\x1f{chain}\x1f{seq}\x1f{prev}".encode(), "sha256").hex()
        ends.append((chain, seq, prev, head_seal))
    first, head = entries[0], ends[0]
    check = SealedFields(first[0], first[1], by_chain[chains[0]][0].at, first[3], first[4], first[5], first[6])
    if seal(key, check) != first[7] or seal_head(key, head[0], head[1], head[2]) != head[3]:
        raise RuntimeError("append_bulk seals differ from storage.chain's")  # the two ways must agree
    await bulk.insert("interaction_log", ("chain", "seq", "at", "kind", "actor", "data", "prev_hash", "hash"), entries)
    # Under the chains' locks no one else moves these heads: new ones are inserted, the rest updated.
    fresh = [end for end in ends if end[0] not in with_head]
    await bulk.insert("interaction_log_heads", ("chain", "seq", "hash", "seal"), fresh)
    await bulk.update(
        "interaction_log_heads",
        ("seq", "hash", "seal"),
        ("int", "text", "text", "text"),
        [(seq, digest, head_seal, chain) for chain, seq, digest, head_seal in ends if chain in with_head],
        key="chain",
    )


__all__ = ["InteractionLog", "LogEvent", "timeline_entries"]
