"""The dispatcher: claims due outbound messages in batches, asks the contact guard, sends, records.

A batch at a time: claim (lease) → load the batch's messages, installments and every borrower's
contact state in a few queries → for each message the pure step (``scheduler.prepare``) picks the
channel, asks the guard and renders → wait for the channel's pace → mark ``sending`` → hand to the
provider → record the outcome. Messages go out concurrently (``DispatchSettings.concurrency``); a
borrower's messages one after the other, each judged against the sends before it (the caps).

``sending`` is marked only once the pace lets the request leave (the marks of requests leaving
together share one UPDATE), so a crash while waiting leaves a ``claimed`` row that goes back to the
queue, and a crash after ``sending`` leaves the row to become ``unknown`` (never resent blindly).
Outcomes finishing together are recorded together, in one transaction with their log entries
(``storage.dispatching.record_outcomes``); nothing is reported sent before its provider id is
stored. A channel that refuses for good (blocked chat, opted-out number) is recorded as a failed
attempt and the other channel is tried at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from config.policy import Policy
from scheduler.channel import (
    Channel,
    Leaving,
    PermanentSendError,
    RetryableSendError,
    SendError,
    UncertainSendError,
    backoff_delay,
)
from scheduler.guard import ContactGuard, Verdict
from scheduler.prepare import (
    CHANNEL_RULES,
    EFFECTS,
    NEXT_PASS,
    Attempt,
    Composed,
    Job,
    Letterhead,
    choose,
    compose,
    compose_unaddressed,
    contact_state,
    deferral,
    send_history,
    wants_invite,
    with_effect,
)
from scheduler.rendering import MessageRenderer
from storage.counters import CounterBatch
from storage.database import inside_transaction
from storage.dispatching import (
    FailedAttempt,
    Outcome,
    SendingMark,
    back_to_claimed,
    claimed_messages,
    give_back,
    mark_sending_many,
    record_outcomes,
)
from storage.interaction_log import InteractionLog, LogEvent
from storage.models import Borrower
from storage.outbox import claim_due
from storage.records import ContactSnapshot, MessageInstallment, OutboxRecord
from storage.servicing import contact_snapshots, installments_of_messages

__all__ = [
    "CHANNEL_RULES",
    "EFFECTS",
    "IN_PASS_RETRY_LIMIT_SECONDS",
    "NEXT_PASS",
    "DispatchEvent",
    "DispatchSettings",
    "DispatchSummary",
    "Dispatcher",
    "NotLeaving",
    "TelegramInvite",
    "contact_state",
    "send_history",
    "wall_clock",
]

log = logging.getLogger(__name__)

IN_PASS_RETRY_LIMIT_SECONDS = 5.0
# How long the first of a group of sending marks / outcomes waits for others to write with it.
MARK_LINGER_SECONDS = 0.002
RECORD_LINGER_SECONDS = 0.005


def wall_clock() -> datetime:
    return datetime.now(UTC)


class NotLeaving(Exception):
    """Raised by the leaving hook: the request must not leave. ``give_back``: the dispatcher is
    stopping, so the message goes back to the queue; otherwise the claim was lost to another."""

    def __init__(self, message_id: int, *, give_back: bool) -> None:
        super().__init__(message_id)
        self.give_back = give_back


@dataclass(frozen=True, slots=True)
class DispatchSettings:
    sending_enabled: bool
    lender_name: str
    lender_contact: str
    status_callback_url: str | None = None
    # Messages handled at once (waiting for the pace, leaving, being recorded): enough to keep a
    # provider with a fast pace busy while marks and outcomes are written in groups.
    concurrency: int = 64


@dataclass(frozen=True, slots=True)
class DispatchEvent:
    """One line of what happened to one message in this pass (for summaries and the demo)."""

    at: datetime
    borrower_id: str
    message_key: str
    outcome: str  # sent, failed, unknown, deferred, skipped, retry
    channel: str | None = None
    rule: str | None = None
    reason: str | None = None
    text: str | None = None


@dataclass
class DispatchSummary:
    outcomes: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    events: list[DispatchEvent] = field(default_factory=list)

    def add(self, event: DispatchEvent) -> None:
        self.events.append(event)
        label = (
            event.outcome
            if event.channel is None or event.outcome not in ("sent", "failed")
            else (f"{event.outcome}:{event.channel}")
        )
        self.outcomes[label] += 1
        if event.rule:
            self.rules[f"{event.outcome}:{event.rule}"] += 1


# A Telegram deep link ("t.me/<bot>?start=<code>") inviting the borrower to link a chat, or None
# (handed in by the composition root when Telegram is on; it knows the bot and issues the code).
TelegramInvite = Callable[[Borrower, datetime], Awaitable[str | None]]

Item = TypeVar("Item")


class _Grouped(Generic[Item]):
    """Writes items in groups: the first item starts a write, which waits ``linger`` seconds for more
    (each write has a cost of its own: a statement, a commit, a log head), and whatever arrives while
    a write is under way goes in the next one, which may run beside it (up to ``parallel`` writes).
    ``write`` returns the ids it applied to; each caller learns whether its own item's id is among
    them. A caller that is cancelled does not stop the write."""

    def __init__(
        self,
        write: Callable[[list[Item]], Awaitable[set[int]]],
        ident: Callable[[Item], int],
        linger: float = 0.0,
        parallel: int = 1,
    ) -> None:
        self._write = write
        self._ident = ident
        self._linger = linger
        self._parallel = parallel
        self._pending: list[tuple[Item, asyncio.Future[bool]]] = []
        self._writers: set[asyncio.Task[None]] = set()
        self._gathering = False  # a writer is waiting for its group to fill: it takes what comes

    async def submit(self, item: Item) -> bool:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        self._pending.append((item, future))
        # (A writer whose loop has just ended is done at once, before its callbacks run.)
        if not self._gathering and sum(not w.done() for w in self._writers) < self._parallel:
            writer = loop.create_task(self._drain())
            self._writers.add(writer)
            writer.add_done_callback(self._writers.discard)
        return await future

    async def _drain(self) -> None:
        while self._pending:
            self._gathering = True
            try:
                if self._linger:
                    await asyncio.sleep(self._linger)
            finally:
                self._gathering = False
            group, self._pending = self._pending, []
            if group:
                await self._write_group(group)

    async def _write_group(self, group: list[tuple[Item, asyncio.Future[bool]]]) -> None:
        try:
            done = await self._write([item for item, _ in group])
        except asyncio.CancelledError:
            for _, future in group:
                future.cancel()
            raise
        except Exception as exc:
            for _, future in group:
                if not future.done():
                    future.set_exception(exc)
            return
        for item, future in group:
            if not future.done():
                future.set_result(self._ident(item) in done)


class _Turn:
    """A borrower's turn in this process: their messages are handled one at a time, because the
    caps are judged on a snapshot of their sends. ``version`` counts the messages handled, so a
    batch whose snapshot was read before another lane's message to the borrower reads it again."""

    __slots__ = ("__weakref__", "lock", "version")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.version = 0


@dataclass
class _Run:
    """One ``Dispatcher.run``: its logical instant, summary, pace of work and group writers."""

    now: datetime
    summary: DispatchSummary
    semaphore: asyncio.Semaphore  # messages being prepared and sent at once
    sequential: bool  # one message at a time, its record included (inside a caller's transaction)
    marks: _Grouped[SendingMark]
    records: _Grouped[Outcome]


@dataclass
class _Unit:
    """A borrower's messages of one batch (or one unaddressed answer), handled in order."""

    messages: list[OutboxRecord]
    turn: _Turn | None
    version: int = 0
    snapshot: ContactSnapshot | None = None
    pending: list[int] = field(default_factory=list)  # not finished: given back if the unit is stopped
    left: set[int] = field(default_factory=set)  # marked sending: never given back


@dataclass
class _Handling:
    """One message's outcome as it is being worked out, and what it adds to the summary and counters
    once recorded (``facts``: whatever becomes of the status change; ``final``: with it)."""

    outcome: Outcome
    facts: list[tuple[DispatchEvent | None, tuple[str, dict[str, str]] | None]] = field(default_factory=list)
    final: list[tuple[DispatchEvent | None, tuple[str, dict[str, str]] | None]] = field(default_factory=list)

    def fact(self, event: DispatchEvent | None = None, counter: tuple[str, dict[str, str]] | None = None) -> None:
        self.facts.append((event, counter))

    def then(self, event: DispatchEvent | None = None, counter: tuple[str, dict[str, str]] | None = None) -> None:
        self.final.append((event, counter))


def _sent(channel: str, outcome: str) -> tuple[str, dict[str, str]]:
    return ("duebot_messages_total", {"channel": channel, "outcome": outcome})


class Dispatcher:
    def __init__(
        self,
        *,
        policy: Policy,
        settings: DispatchSettings,
        channels: Mapping[str, Channel],
        renderer: MessageRenderer,
        log: InteractionLog,
        counters: CounterBatch,
        owner: str,
        invite: TelegramInvite | None = None,
        lease_clock: Callable[[], datetime] = wall_clock,
    ) -> None:
        self.policy = policy
        self.settings = settings
        self.channels = channels
        self.renderer = renderer
        self.log = log
        self.counters = counters
        self.owner = owner
        self.invite = invite
        self.lease_clock = lease_clock
        self.guard = ContactGuard(policy)
        self.letterhead = Letterhead(settings.lender_name, settings.lender_contact, settings.status_callback_url)
        self._claims = itertools.count(1)
        self._stopping = False
        # Tasks whose current message has not left yet (claimed, guarded, waiting for the pace): a
        # stop cancels them and gives their messages back; those whose request is leaving finish.
        self._not_left: set[asyncio.Task[None]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._turns: weakref.WeakValueDictionary[int, _Turn] = weakref.WeakValueDictionary()

    async def run(self, now: datetime, *, limit: int | None = None, urgent_only: bool = False) -> DispatchSummary:
        """Claim and handle due messages in batches until none is due (or ``limit`` handled).
        ``urgent_only``: answers to borrowers only (the answer lane)."""
        summary = DispatchSummary()
        handled = 0
        # Inside a caller's transaction (``tick --dry-run``) every query shares one connection, which
        # cannot run two queries at once (asyncpg) nor interleave savepoints (SQLite): one at a time.
        sequential = inside_transaction()
        concurrency = 1 if sequential else max(1, self.settings.concurrency)
        lease = timedelta(seconds=self.policy.sending.lease_seconds)

        async def mark(marks: list[SendingMark]) -> set[int]:
            return await mark_sending_many(marks, self.lease_clock() + lease, now)

        async def record(outcomes: list[Outcome]) -> set[int]:
            return await record_outcomes(outcomes, now, self.log)

        # A mark holds its request back, so it lingers less than a record; alone, neither lingers.
        work = _Run(
            now,
            summary,
            asyncio.Semaphore(concurrency),
            sequential,
            _Grouped(mark, lambda m: m.message_id, 0.0 if sequential else MARK_LINGER_SECONDS, 1 if sequential else 4),
            _Grouped(record, lambda o: o.message_id, 0.0 if sequential else RECORD_LINGER_SECONDS),
        )
        # The next batch is claimed and loaded while this one is sent (never more than two at once),
        # so the database work of a batch and the tail of the one before overlap with sending.
        running: asyncio.Task[None] | None = None
        try:
            while not self._stopping and (limit is None or handled < limit):
                batch = (
                    self.policy.sending.batch_size
                    if limit is None
                    else min(self.policy.sending.batch_size, limit - handled)
                )
                # Each claim has an owner of its own, so a claim that expired and was taken again (even
                # by this process) can never be sent by the task that held it before.
                claim = f"{self.owner[:48]}/{next(self._claims)}"
                ids = await claim_due(
                    claim,
                    now,
                    batch,
                    self.policy.sending.lease_seconds,
                    lease_from=self.lease_clock(),
                    urgent_only=urgent_only,
                )
                if not ids:
                    break
                started = await self._batch(work, ids, claim)
                handled += len(ids)
                if running is not None:
                    await running
                running = started
                if sequential:  # one connection: nothing may overlap
                    await running
        finally:
            if running is not None:
                await running
        return summary

    async def stop(self, grace: float = 10.0) -> None:
        """Take no more work; give back what has not left; let requests already leaving finish
        (up to ``grace`` seconds, then they are cancelled and their rows become ``unknown``)."""
        self._stopping = True
        for task in list(self._not_left):
            task.cancel()
        pending = [t for t in self._tasks if not t.done()]
        if pending:
            _done, late = await asyncio.wait(pending, timeout=grace)
            for task in late:
                task.cancel()

    # --- a batch ----------------------------------------------------------------------------

    async def _batch(self, work: _Run, ids: Sequence[int], claim: str) -> asyncio.Task[None]:
        """Load a claimed batch and start its units; the task returned ends when they all have."""
        try:
            messages, bases = await claimed_messages(ids, claim)
            units = self._units(messages)
            # The turns are taken before the snapshots are read: a lane that handles one of these
            # borrowers meanwhile moves its version on, and the unit reads the borrower again.
            for unit in units:
                if unit.turn is not None:
                    unit.version = unit.turn.version
            borrowers = [m.borrower_pk for m in messages if m.borrower_pk is not None]
            about = sorted({m.attempt_of or m.id for m in messages})
            if work.sequential:
                snapshots = await contact_snapshots(borrowers, work.now)
                items = await installments_of_messages(about)
            else:
                snapshots, items = await asyncio.gather(
                    contact_snapshots(borrowers, work.now), installments_of_messages(about)
                )
        except asyncio.CancelledError:
            await asyncio.shield(give_back(list(ids), claim, work.now))
            raise
        loop = asyncio.get_running_loop()
        if self._stopping:  # stopped while this batch was read: none of it has left
            await give_back(list(ids), claim, work.now)
            return loop.create_task(asyncio.sleep(0))
        tasks = []
        for unit in units:
            first = unit.messages[0]
            unit.snapshot = snapshots.get(first.borrower_pk) if first.borrower_pk is not None else None
            unit.pending = [m.id for m in unit.messages]
            tasks.append(loop.create_task(self._unit(work, unit, bases, items, claim)))
        self._tasks.update(tasks)
        self._not_left.update(tasks)

        async def finished() -> None:
            try:
                await asyncio.gather(*tasks, return_exceptions=True)
            finally:
                self._tasks.difference_update(tasks)
                self._not_left.difference_update(tasks)

        return loop.create_task(finished())

    def _units(self, messages: Sequence[OutboxRecord]) -> list[_Unit]:
        units: list[_Unit] = []
        by_borrower: dict[int, _Unit] = {}
        for message in messages:
            pk = message.borrower_pk
            if pk is None:
                units.append(_Unit([message], None))
            elif pk in by_borrower:
                by_borrower[pk].messages.append(message)
            else:
                turn = self._turns.get(pk)
                if turn is None:
                    turn = self._turns[pk] = _Turn()
                units.append(by_borrower.setdefault(pk, _Unit([message], turn)))
        return units

    async def _unit(
        self,
        work: _Run,
        unit: _Unit,
        bases: Mapping[int, OutboxRecord],
        items: Mapping[int, list[MessageInstallment]],
        claim: str,
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        try:
            async with work.semaphore if work.sequential else contextlib.nullcontext():
                if unit.turn is None:
                    await self._one(work, unit, unit.messages[0], bases, items, claim, task)
                    return
                async with unit.turn.lock:
                    for index, message in enumerate(unit.messages):
                        if self._stopping:
                            break
                        if index > 0 or unit.turn.version != unit.version:
                            # Judged against what went before it: the caps count the send just made.
                            pk = message.borrower_pk
                            assert pk is not None
                            unit.snapshot = (await contact_snapshots([pk], work.now)).get(pk)
                        try:
                            await self._one(work, unit, message, bases, items, claim, task)
                        finally:
                            unit.turn.version += 1
            if unit.pending and self._stopping:
                await give_back(unit.pending, claim, work.now)
        except asyncio.CancelledError:  # stopped before it left: back to the queue
            ids = [i for i in unit.pending if i not in unit.left]
            if ids:
                await asyncio.shield(give_back(ids, claim, work.now))
            raise

    async def _one(
        self,
        work: _Run,
        unit: _Unit,
        message: OutboxRecord,
        bases: Mapping[int, OutboxRecord],
        items: Mapping[int, list[MessageInstallment]],
        claim: str,
        task: asyncio.Task[None],
    ) -> None:
        self._not_left.add(task)
        try:
            # The semaphore bounds the messages being prepared and sent; their outcomes are recorded
            # outside it, so the sends go on while records gather into groups.
            async with contextlib.nullcontext() if work.sequential else work.semaphore:
                if message.borrower_pk is None:
                    handling = await self._unaddressed(work, unit, message, claim)
                else:
                    base = bases[message.attempt_of] if message.attempt_of is not None else message
                    if unit.snapshot is None:
                        raise LookupError(f"borrower {message.borrower_pk} of message {message.id} not found")
                    job = Job(message, base, unit.snapshot.borrower, tuple(items.get(base.id, ())))
                    handling = await self._handle(work, unit, job, unit.snapshot, claim)
            if handling is not None:
                await self._record(work, handling)
        except asyncio.CancelledError:
            raise
        except Exception:  # one bad message must not stop the pass; it stays claimed → recovered
            log.exception("dispatch of message %s failed", message.id)
            work.summary.outcomes["error"] += 1
        unit.pending.remove(message.id)

    async def _record(self, work: _Run, handling: _Handling) -> None:
        outcome = handling.outcome
        if outcome.status is None and not (outcome.facts or outcome.failed_attempts or outcome.contact_changes):
            recorded = False
        else:
            recorded = await work.records.submit(outcome)
        for event, counter in [*handling.facts, *(handling.final if recorded else ())]:
            if event is not None:
                work.summary.add(event)
            if counter is not None:
                self.counters.add(counter[0], **counter[1])

    # --- one message --------------------------------------------------------------------------

    async def _handle(
        self, work: _Run, unit: _Unit, job: Job, snapshot: ContactSnapshot, claim: str
    ) -> _Handling | None:
        now = work.now
        state, history = contact_state(snapshot), send_history(snapshot)
        handling = _Handling(Outcome(job.message.id))
        verdict: Verdict | None = None
        start = 0
        refused = 0
        while True:
            step = choose(
                job,
                state,
                history,
                guard=self.guard,
                channels=self.channels,
                now=now,
                sending_enabled=self.settings.sending_enabled,
                start=start,
                verdict=verdict,
            )
            if isinstance(step, Verdict):
                self._hold(handling, job.message, job.borrower.borrower_id, step, claim, now)
                return handling
            refusal = await self._send(work, unit, job, step, snapshot, handling, claim)
            if refusal is None:  # handed to a provider, or given back, or a final failure
                return handling
            refused += 1
            handling.outcome.failed_attempts.append(
                FailedAttempt(
                    borrower_pk=job.message.borrower_pk,
                    channel=step.channel,
                    kind=job.message.kind,
                    tier=job.message.tier,
                    local_date=job.message.local_date,
                    key=f"{job.key}#{step.channel}-{job.message.id}-{refused}",
                    attempt_of=job.base.id,
                    address=step.address,
                    body=job.message.body,
                    error_code=refusal.code,
                    detail=refusal.detail,
                    n=refused,
                )
            )
            changed = with_effect(job.borrower, refusal.effect)
            if changed is not None:  # the refusal's effect is seen by the channels after it
                job = replace(job, borrower=changed)
                snapshot = replace(snapshot, borrower=changed)
                state = contact_state(snapshot)
            verdict = Verdict("never", "no_channel_left", f"{step.channel} refused it ({refusal.code})")
            start = step.position + 1

    def _hold(
        self, handling: _Handling, message: OutboxRecord, borrower_id: str | None, verdict: Verdict, claim: str,
        now: datetime,
    ) -> None:  # fmt: skip
        """Held back before anything left: deferred (back to the queue until later) or skipped."""
        outcome, key = handling.outcome, message.key or ""
        outcome.owner = claim
        if verdict.decision == "later":
            retry_at, logged = deferral(message, verdict, now)
            outcome.status = "planned"
            outcome.changes = {"guard_rule": verdict.rule, "guard_reason": verdict.reason, "next_attempt_at": retry_at}
            if logged:
                outcome.events.append(
                    LogEvent(
                        "message.deferred",
                        now,
                        borrower_id,
                        data={
                            "key": message.key,
                            "rule": verdict.rule,
                            "reason": verdict.reason,
                            "not_before": verdict.not_before.isoformat() if verdict.not_before else None,
                        },
                    )
                )
                handling.then(counter=("duebot_guard_decisions_total", {"rule": verdict.rule, "decision": "later"}))
            handling.then(DispatchEvent(now, borrower_id or "", key, "deferred", None, verdict.rule, verdict.reason))
            return
        outcome.status = "skipped"
        outcome.changes = {"guard_rule": verdict.rule, "guard_reason": verdict.reason}
        outcome.events.append(
            LogEvent(
                "message.skipped",
                now,
                borrower_id,
                data={"key": message.key, "rule": verdict.rule, "reason": verdict.reason, "tier": message.tier},
            )
        )
        handling.then(counter=("duebot_guard_decisions_total", {"rule": verdict.rule, "decision": "never"}))
        if verdict.rule == "stale":
            handling.then(counter=("duebot_stale_skips_total", {}))
        handling.then(DispatchEvent(now, borrower_id or "", key, "skipped", None, verdict.rule, verdict.reason))

    async def _send(
        self,
        work: _Run,
        unit: _Unit,
        job: Job,
        attempt: Attempt,
        snapshot: ContactSnapshot,
        handling: _Handling,
        claim: str,
    ) -> PermanentSendError | None:
        """Send on one channel. Returns the refusal when the next channel should be tried."""
        now, channel, message = work.now, attempt.channel, job.message
        link = None
        if self.invite is not None and wants_invite(job.borrower, job.base, channel):
            link = await self.invite(await Borrower.get(id=job.borrower.id), now)
        composed = compose(
            job,
            attempt,
            renderer=self.renderer,
            letterhead=self.letterhead,
            policy=self.policy,
            now=now,
            newest_inbound_at=snapshot.newest_inbound_at,
            telegram_link=link,
            owing=snapshot.owing,
        )
        text, key, borrower_id, outcome = composed.text, job.key, job.borrower.borrower_id, handling.outcome
        changes = {"channel": channel, "address": attempt.address, "body": text, "segments": composed.segments}
        attempts = message.attempts
        while True:
            attempts += 1
            leaving = self._leaving(work, unit, message.id, claim, {**changes, "attempts": attempts})
            try:
                receipt = await self.channels[channel].send(composed.outbound, leaving=leaving)
            except NotLeaving as stop:
                if stop.give_back:
                    await give_back([message.id], claim, now)
                else:
                    log.warning("lost the claim on message %s; not sending", message.id)
                return None
            except RetryableSendError as exc:
                delay = backoff_delay(
                    attempts,
                    self.policy.sending.backoff_base_seconds,
                    self.policy.sending.backoff_max_seconds,
                    exc.retry_after,
                )
                if attempts >= self.policy.sending.max_attempts:
                    why = "retries exhausted"
                    outcome.status, outcome.changes = "failed", {"error_code": exc.code, "guard_reason": why}
                    outcome.events.append(
                        LogEvent(
                            "message.failed",
                            now,
                            borrower_id,
                            data={"key": message.key, "channel": channel, "error": exc.code, "why": why},
                        )
                    )
                    handling.then(
                        DispatchEvent(now, borrower_id, message.key or "", "failed", channel, exc.code, why),
                        _sent(channel, "failed"),
                    )
                    return None
                if delay <= IN_PASS_RETRY_LIMIT_SECONDS:
                    await back_to_claimed(message.id, claim, now)  # nothing left: not "sending"
                    await asyncio.sleep(delay)
                    continue
                outcome.status, outcome.owner = "planned", claim
                outcome.changes = {"next_attempt_at": now + timedelta(seconds=delay), "error_code": exc.code}
                outcome.events.append(
                    LogEvent(
                        "message.retry",
                        now,
                        borrower_id,
                        data={"key": key, "channel": channel, "error": exc.code, "retry_in_seconds": delay},
                    )
                )
                handling.then(DispatchEvent(now, borrower_id, key, "retry", channel, exc.code))
                return None
            except UncertainSendError as exc:
                outcome.status = "unknown"
                outcome.changes = {
                    "error_code": exc.code,
                    "sent_at": now,
                    "counts_toward_caps": composed.counted,
                    "guard_reason": "the provider may have the message; not resent",
                }
                outcome.events.append(
                    LogEvent(
                        "message.unknown",
                        now,
                        borrower_id,
                        data={"key": key, "channel": channel, "to": attempt.address, "error": exc.code, "text": text},
                    )
                )
                handling.then(
                    DispatchEvent(now, borrower_id, key, "unknown", channel, exc.code, text=text),
                    _sent(channel, "unknown"),
                )
                return None
            except PermanentSendError as exc:
                changed = with_effect(job.borrower, exc.effect)
                if changed is not None:
                    column, value = EFFECTS[exc.effect or ""]
                    outcome.contact_changes.append((job.borrower.id, column, value))
                    outcome.facts.append(
                        LogEvent(
                            "borrower.contact_changed",
                            now,
                            borrower_id,
                            data={"field": column, "value": value, "because": exc.effect, "error": exc.code},
                        )
                    )
                outcome.facts.append(
                    LogEvent(
                        "message.failed",
                        now,
                        borrower_id,
                        data={
                            "key": key,
                            "channel": channel,
                            "to": attempt.address,
                            "error": exc.code,
                            "effect": exc.effect,
                            "detail": exc.detail,
                        },
                    )
                )
                handling.fact(
                    DispatchEvent(now, borrower_id, key, "failed", channel, exc.code, exc.detail),
                    _sent(channel, "failed"),
                )
                await back_to_claimed(message.id, claim, now)  # the next channel may still take it
                return exc
            except SendError as exc:  # the base class: treat as uncertain, the safe side
                outcome.status = "unknown"
                outcome.changes = {"error_code": exc.code, "sent_at": now, "counts_toward_caps": composed.counted}
                handling.then(DispatchEvent(now, borrower_id, key, "unknown", channel, exc.code))
                return None
            self._delivered(handling, job, attempt, composed, receipt.provider_message_id, now)
            return None

    def _delivered(
        self, handling: _Handling, job: Job, attempt: Attempt, composed: Composed, provider_id: str, now: datetime
    ) -> None:
        outcome, channel, key, text = handling.outcome, attempt.channel, job.key, composed.text
        outcome.status = "sent"
        outcome.changes = {
            "provider_message_id": provider_id,
            "sent_at": now,
            "counts_toward_caps": composed.counted,
            "guard_rule": "clear",
            "guard_reason": None,
            "error_code": None,
        }
        outcome.provider_message_id = provider_id
        acknowledges = job.base.payload.get("acknowledges_case")
        if acknowledges is not None:
            outcome.acknowledges_case = int(acknowledges)
        outcome.events.append(
            LogEvent(
                "message.sent",
                now,
                job.borrower.borrower_id,
                data={
                    "key": key,
                    "channel": channel,
                    "to": attempt.address,
                    "text": text,
                    "provider_message_id": provider_id,
                    "segments": composed.segments,
                    "tier": job.base.tier,
                    "kind": job.message.kind,
                },
            )
        )
        handling.then(
            DispatchEvent(now, job.borrower.borrower_id, key, "sent", channel, text=text), _sent(channel, "sent")
        )

    def _leaving(self, work: _Run, unit: _Unit, message_id: int, claim: str, changes: dict[str, Any]) -> Leaving:
        """The hook an adapter calls once the pace lets the request leave: mark ``sending`` now
        (with the other requests leaving at the same moment, in one UPDATE)."""
        task = asyncio.current_task()

        async def mark_sending() -> None:
            if self._stopping:
                raise NotLeaving(message_id, give_back=True)
            if not await work.marks.submit(SendingMark(message_id, claim, changes)):
                raise NotLeaving(message_id, give_back=False)
            unit.left.add(message_id)
            if task is not None:
                self._not_left.discard(task)

        return mark_sending

    async def _unaddressed(self, work: _Run, unit: _Unit, message: OutboxRecord, claim: str) -> _Handling | None:
        """An answer to a sender who is no borrower we can name: see ``compose_unaddressed``."""
        now, key = work.now, message.key or ""
        handling = _Handling(Outcome(message.id))
        step = compose_unaddressed(
            message,
            renderer=self.renderer,
            letterhead=self.letterhead,
            channels=self.channels,
            sending_enabled=self.settings.sending_enabled,
        )
        if isinstance(step, Verdict):
            self._hold(handling, message, None, step, claim, now)
            return handling
        outbound, channel, outcome = step.outbound, step.outbound.channel, handling.outcome
        changes = {
            "address": outbound.to,
            "body": outbound.text,
            "segments": step.segments,
            "attempts": message.attempts + 1,
        }
        data: dict[str, Any] = {
            "key": key,
            "channel": channel,
            "to": outbound.to,
            "text": outbound.text,
            "kind": message.payload.get("template"),
        }
        try:
            receipt = await self.channels[channel].send(
                outbound, leaving=self._leaving(work, unit, message.id, claim, changes)
            )
        except NotLeaving as stop:
            if stop.give_back:
                await give_back([message.id], claim, now)
            return None
        except (PermanentSendError, RetryableSendError) as exc:  # a courtesy answer: not retried
            outcome.status, outcome.changes = "failed", {"error_code": exc.code, "guard_reason": exc.detail[:500]}
            outcome.events.append(LogEvent("message.failed", now, None, data={**data, "error": exc.code}))
            handling.then(DispatchEvent(now, "", key, "failed", channel, exc.code, exc.detail))
        except SendError as exc:
            outcome.status = "unknown"
            outcome.changes = {"error_code": exc.code, "sent_at": now, "counts_toward_caps": False}
            outcome.events.append(LogEvent("message.unknown", now, None, data={**data, "error": exc.code}))
            handling.then(DispatchEvent(now, "", key, "unknown", channel, exc.code))
        else:
            outcome.status, outcome.provider_message_id = "sent", receipt.provider_message_id
            outcome.changes = {
                "provider_message_id": receipt.provider_message_id,
                "sent_at": now,
                "counts_toward_caps": False,
                "guard_rule": "answer_to_sender",
                "guard_reason": None,
            }
            data["provider_message_id"] = receipt.provider_message_id
            outcome.events.append(LogEvent("message.sent", now, None, data=data))
            handling.then(DispatchEvent(now, "", key, "sent", channel, text=outbound.text), _sent(channel, "sent"))
        return handling
