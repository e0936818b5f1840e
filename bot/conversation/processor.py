"""Handling stored inbound messages in the background, in order per sender, and after a crash.

The webhook stores and answers; ``submit`` then handles the message in a task. A message that
fails is given back with a growing delay and tried again by the periodic ``recover`` sweep (which
also picks up whatever a dead process left behind); after ``MAX_ATTEMPTS`` it is marked failed
and logged for staff. Messages from one sender are handled one at a time, in arrival order, so a
date given in answer to our question is read after the question.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, Protocol

from bot.conversation.apply import Conflict, LostClaim
from bot.conversation.service import ConversationService, TelegramEvent
from storage.inbound import claim_inbound, give_back, give_up, pending_inbound
from storage.interaction_log import LogEvent
from storage.models import Message

log = logging.getLogger(__name__)

MAX_ATTEMPTS: Final = 5
LEASE_SECONDS: Final = 120


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


@dataclass
class _SenderLocks:
    locks: dict[tuple[str, str], asyncio.Lock] = field(default_factory=dict)
    users: dict[tuple[str, str], int] = field(default_factory=dict)

    def take(self, key: tuple[str, str]) -> asyncio.Lock:
        self.users[key] = self.users.get(key, 0) + 1
        return self.locks.setdefault(key, asyncio.Lock())

    def give(self, key: tuple[str, str]) -> None:
        self.users[key] -= 1
        if self.users[key] == 0:  # nobody waits: forget it, so the table stays small
            del self.users[key]
            del self.locks[key]


class InboundProcessor:
    def __init__(
        self,
        service: ConversationService,
        *,
        owner: str,
        clock: Callable[[], datetime],
        telegram: TelegramFeed | None = None,
        lease_seconds: int = LEASE_SECONDS,
    ) -> None:
        self.service = service
        self.owner = owner
        self.clock = clock
        self.telegram = telegram
        self.lease_seconds = lease_seconds
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks = _SenderLocks()

    def submit(self, message_id: int) -> None:
        """Handle a freshly stored message in the background."""
        task = asyncio.get_running_loop().create_task(self.process(message_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait until every submitted message has been handled (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        await self.drain()

    async def recover(self) -> int:
        """Handle what is stored but not handled: after a restart, or due for a retry."""
        ids = await pending_inbound(self.clock())
        for message_id in ids:
            await self.process(message_id)
        return len(ids)

    async def process(self, message_id: int) -> None:
        row = await Message.get_or_none(id=message_id, direction="in")
        if row is None:
            return
        key = (row.channel, row.address)
        lock = self._locks.take(key)
        try:
            async with lock:
                await self._process_claimed(message_id)
        finally:
            self._locks.give(key)

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
