"""Handling stored inbound messages in the background, in order per sender, and after a crash.

The webhook stores and answers; ``submit`` then queues the message for a small pool of workers.
A message that fails is given back with a growing delay and tried again by the periodic
``recover`` sweep (which also picks up whatever a dead process left behind); after
``MAX_ATTEMPTS`` it is marked failed and logged for staff. Messages from one sender are handled
one at a time, in arrival order, so a date given in answer to our question is read after the
question; a sender whose messages include an opt-out goes first, so STOP takes effect within
moments at any backlog.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Protocol

from bot.conversation.apply import Conflict, LostClaim
from bot.conversation.inbox import Inbox
from bot.conversation.service import ConversationService, TelegramEvent
from bot.conversation.urgency import is_urgent
from storage.inbound import claim_inbound, give_back, give_up, pending_inbound
from storage.interaction_log import LogEvent
from storage.models import Message

log = logging.getLogger(__name__)

MAX_ATTEMPTS: Final = 5
LEASE_SECONDS: Final = 120
# Handling is a few short database transactions; more workers than this only queue on the database.
WORKERS: Final = 4


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(300, 5 * 2 ** max(0, attempts - 1)))


@dataclass
class Ticket:
    """Handed to the aiogram handlers (as ``inbound``): which stored row they are handling."""

    service: ConversationService
    row: Message
    owner: str
    done: bool = False

    async def handle(self, event: TelegramEvent) -> None:
        await self.service.handle_telegram(self.row, event, self.owner)
        self.done = True


class TelegramFeed(Protocol):
    async def feed(self, row: Message, ticket: Ticket) -> bool:
        """Hand the stored update to aiogram's dispatcher; True when some handler took it."""
        ...


class InboundProcessor:
    """Handles stored inbound messages with a few workers (``workers``), per sender in arrival
    order, senders with an opt-out waiting first (see ``Inbox``). Handling never waits for a send:
    answers are stored and the answer lane is kicked."""

    def __init__(
        self,
        service: ConversationService,
        *,
        owner: str,
        clock: Callable[[], datetime],
        telegram: TelegramFeed | None = None,
        lease_seconds: int = LEASE_SECONDS,
        workers: int = WORKERS,
    ) -> None:
        self.service = service
        self.owner = owner
        self.clock = clock
        self.telegram = telegram
        self.lease_seconds = lease_seconds
        self._inbox = Inbox()
        self._workers_wanted = max(1, workers)
        self._workers: list[asyncio.Task[None]] = []
        self._waiting_workers: set[asyncio.Task[None]] = set()
        self._finished: dict[int, asyncio.Future[None]] = {}
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = False
        self.recovering = False

    def submit(self, message: Message | int) -> None:
        """Queue a freshly stored message for handling in the background (never waits)."""
        if self._closing:
            return  # stays stored: the next start recovers it
        if isinstance(message, Message):
            sender: Hashable = (message.channel, message.address or f"#{message.id}")
            urgent = is_urgent(message)
            message_id = message.id
        else:
            sender, urgent, message_id = ("?", f"#{message}"), False, message
        self._finished.setdefault(message_id, asyncio.get_running_loop().create_future())
        self._idle.clear()
        self._inbox.put(sender, message_id, urgent=urgent)
        self._start_workers()

    @property
    def waiting(self) -> int:
        """Messages queued in this process and not yet taken by a worker."""
        return self._inbox.waiting

    async def drain(self) -> None:
        """Wait until every submitted message has been handled (tests, the demo)."""
        await self._idle.wait()

    async def close(self, grace: float = 5.0) -> None:
        """Stop taking work: what waits stays stored (recovered at the next start); messages being
        handled get ``grace`` seconds to commit, then their workers are cancelled (their claims
        expire and another process, or the next start, handles them again)."""
        self._closing = True
        for message_id in self._inbox.clear():
            self._settle(message_id)
        for task in list(self._waiting_workers):  # idle: nothing to finish
            task.cancel()
        if self._workers:
            _done, late = await asyncio.wait(self._workers, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers.clear()

    async def recover(self) -> int:
        """Handle what is stored but not handled (after a restart, due for a retry, or left by a
        dead process), page by page; returns how many were queued, once all are handled."""
        total = 0
        after = 0
        while not self._closing:
            rows = await pending_inbound(self.clock(), after=after)
            if not rows:
                break
            for row in rows:
                self.submit(row)
            await asyncio.gather(*(asyncio.shield(self._finished[r.id]) for r in rows if r.id in self._finished))
            total += len(rows)
            after = rows[-1].id
        return total

    async def process(self, message_id: int) -> None:
        """Handle one message now and wait for it (queued behind its sender's earlier ones)."""
        row = await Message.get_or_none(id=message_id, direction="in")
        if row is None:
            return
        self.submit(row)
        future = self._finished.get(message_id)
        if future is not None:
            await asyncio.shield(future)

    def _start_workers(self) -> None:
        self._workers = [t for t in self._workers if not t.done()]
        loop = asyncio.get_running_loop()
        while len(self._workers) < self._workers_wanted:
            self._workers.append(loop.create_task(self._work()))

    async def _work(self) -> None:
        task = asyncio.current_task()
        while not self._closing:
            if task is not None:
                self._waiting_workers.add(task)
            try:
                sender = await self._inbox.take()
            finally:
                self._waiting_workers.discard(task)
            try:
                while (message_id := self._inbox.next_message(sender)) is not None:
                    try:
                        await self._process_claimed(message_id)
                    finally:
                        self._settle(message_id)
            except asyncio.CancelledError:
                self._inbox.release(sender)
                raise

    def _settle(self, message_id: int) -> None:
        future = self._finished.pop(message_id, None)
        if future is not None and not future.done():
            future.set_result(None)
        if not self._finished:
            self._idle.set()

    async def _process_claimed(self, message_id: int) -> None:
        now = self.clock()
        if not await claim_inbound(message_id, self.owner, now, self.lease_seconds):
            return  # handled already, or another process has it
        row = await Message.get(id=message_id)
        try:
            await self._handle(row)
        except LostClaim:
            log.warning("inbound %s was taken over by another process", message_id)
        except Conflict as exc:
            log.info("inbound %s: %s; deciding again", message_id, exc)
            await give_back(message_id, self.owner, now, retry_at=now, error="conflict")
            if row.attempts < MAX_ATTEMPTS:
                await self._process_claimed(message_id)
        except Exception as exc:  # one bad message must not stop the others; it is retried
            log.exception("handling inbound %s failed (attempt %s)", message_id, row.attempts)
            await self._failed(row, now, f"{type(exc).__name__}")

    async def _handle(self, row: Message) -> None:
        if row.channel == "sms":
            await self.service.handle_sms(row, self.owner)
            return
        if self.telegram is None:
            raise RuntimeError("a Telegram update arrived but the Telegram channel is off")
        ticket = Ticket(self.service, row, self.owner)
        taken = await self.telegram.feed(row, ticket)
        if not ticket.done:
            await self.service.ignore(row, self.owner, "handled by another router" if taken else "no handler")

    async def _failed(self, row: Message, now: datetime, error: str) -> None:
        if row.attempts >= MAX_ATTEMPTS:
            await give_up(row.id, self.owner, now, error=error)
            await self.service.log.append(
                LogEvent(
                    "inbound.failed",
                    now,
                    None,
                    data={"message_id": row.id, "event_id": row.provider_event_id, "channel": row.channel,
                          "error": error, "attempts": row.attempts},
                )
            )  # fmt: skip
            return
        await give_back(row.id, self.owner, now, retry_at=now + retry_delay(row.attempts), error=error)
