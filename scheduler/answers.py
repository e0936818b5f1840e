"""The answer lane: answers to a borrower's own message leave as soon as they are stored.

Handling a reply never waits for a send. The conversation (or a staff member) stores the answer
as an ``urgent`` outbound message and calls ``kick``, which only wakes this lane and returns.
The lane claims urgent messages alone, so it never drains a morning's reminders, and the channel's
pacer lets its sends go ahead of every reminder already waiting for a slot. It also looks on its
own every few seconds, for answers stored by another process or due for a retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Final

from scheduler.dispatch import Dispatcher

log = logging.getLogger(__name__)
LOOK_EVERY_SECONDS: Final = 5.0


class AnswerLane:
    def __init__(
        self, dispatcher: Dispatcher, clock: Callable[[], datetime], *, look_every: float = LOOK_EVERY_SECONDS
    ) -> None:
        self.dispatcher = dispatcher
        self.clock = clock
        self.look_every = look_every
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    async def kick(self, now: datetime) -> None:
        """An answer was stored: send it now (never waits for the send)."""
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while not self._closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.look_every)
            self._wake.clear()
            if self._closing:
                break
            try:
                await self.dispatcher.run(self.clock(), urgent_only=True)
            except Exception:  # the next wake-up tries again; the answers stay stored
                log.exception("sending answers failed")

    async def close(self) -> None:
        """Stop after the current batch (the dispatcher's ``stop`` ends that batch quickly)."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
