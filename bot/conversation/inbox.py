"""The order in which stored inbound messages are handled: per sender, in arrival order, and
senders with an opt-out waiting first.

Pure bookkeeping, no I/O: the processor's workers take a sender, handle that sender's messages
one at a time in the order they arrived, and give the sender back. A sender whose waiting
messages include an opt-out is taken before every other, so a STOP takes effect within moments
even behind a morning's burst of thousands of replies, while one sender's messages are still
read in the order they were written (a date given in answer to our question after the question).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field

URGENT = 0
ROUTINE = 1


@dataclass
class Inbox:
    """Senders with messages waiting; ``take`` waits for one nobody is working on."""

    _waiting: dict[Hashable, deque[int]] = field(default_factory=dict)
    _urgent: set[Hashable] = field(default_factory=set)
    _busy: set[Hashable] = field(default_factory=set)
    _order: list[tuple[int, int, Hashable]] = field(default_factory=list)
    _arrivals: itertools.count[int] = field(default_factory=itertools.count)
    _ready: asyncio.Event = field(default_factory=asyncio.Event)

    def put(self, sender: Hashable, message_id: int, *, urgent: bool = False) -> None:
        queue = self._waiting.setdefault(sender, deque())
        if message_id in queue:
            return
        queue.append(message_id)
        newly_urgent = urgent and sender not in self._urgent
        if urgent:
            self._urgent.add(sender)
        if sender in self._busy:
            return  # the worker on this sender takes it next
        if len(queue) == 1 or newly_urgent:
            # A sender already queued as routine is queued again as urgent; the stale entry is skipped.
            heapq.heappush(self._order, (URGENT if urgent else ROUTINE, next(self._arrivals), sender))
            self._ready.set()

    async def take(self) -> Hashable:
        """The next sender to work on (urgent first, then in arrival order); marks it busy."""
        while True:
            while self._order:
                _, _, sender = heapq.heappop(self._order)
                if sender in self._busy or not self._waiting.get(sender):
                    continue
                self._busy.add(sender)
                return sender
            self._ready.clear()
            await self._ready.wait()

    def next_message(self, sender: Hashable) -> int | None:
        """The sender's next message, or None when it has none left (the sender is then free)."""
        queue = self._waiting.get(sender)
        if queue:
            return queue.popleft()
        self._waiting.pop(sender, None)
        self._urgent.discard(sender)
        self._busy.discard(sender)
        return None

    def release(self, sender: Hashable) -> None:
        """Give a busy sender back without finishing it (a worker that stops): queued again."""
        self._busy.discard(sender)
        if self._waiting.get(sender):
            priority = URGENT if sender in self._urgent else ROUTINE
            heapq.heappush(self._order, (priority, next(self._arrivals), sender))
            self._ready.set()

    def clear(self) -> list[int]:
        """Forget everything waiting (a stopping service: it stays stored and is recovered later)."""
        dropped = [i for queue in self._waiting.values() for i in queue]
        self._waiting.clear()
        self._urgent.clear()
        self._order.clear()
        return dropped

    @property
    def waiting(self) -> int:
        return sum(len(q) for q in self._waiting.values())
