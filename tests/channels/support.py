"""Shared test support: constants, adapter factories and virtual time for pacing tests."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from bot.channels import TelegramChannel, TwilioSmsChannel

T = TypeVar("T")

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "twilio-test-auth-token"
FROM_NUMBER = "+15005550006"
SERVICE_SID = "MG" + "fedcba9876543210" * 2
BOT_TOKEN = "123456789:TEST-token_for-standin"
ROOT = Path(__file__).resolve().parents[2]
FIXED_NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def sms_channel(base_url: str, *, from_: str = FROM_NUMBER, timeout: float = 5.0, **kw: Any) -> TwilioSmsChannel:
    return TwilioSmsChannel(
        ACCOUNT_SID, AUTH_TOKEN, from_, base_url, per_second=1000, timeout=timeout, clock=lambda: FIXED_NOW, **kw
    )


def telegram_channel(base_url: str, *, timeout: float = 5.0, **kw: Any) -> TelegramChannel:
    return TelegramChannel(
        BOT_TOKEN, base_url, per_second=1000, per_chat_per_second=1000, timeout=timeout,
        clock=lambda: FIXED_NOW, **kw,
    )  # fmt: skip


class VirtualTime:
    """A clock and sleep for RateLimiter tests: time only moves when every task is waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(delay, 0.0), next(self._seq), future))
        await future

    async def run(self, *coros: Coroutine[Any, Any, T]) -> list[T]:
        tasks = [asyncio.ensure_future(c) for c in coros]
        while True:
            for _ in range(20):  # let every runnable task reach its next sleep
                await asyncio.sleep(0)
            if all(t.done() for t in tasks):
                return [t.result() for t in tasks]
            if not self._sleepers:
                raise RuntimeError("deadlock: tasks pending but nobody is sleeping")
            wake, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, wake)
            if not future.done():  # a sleeper that was cancelled meanwhile
                future.set_result(None)

    async def at(self, awaitable: Awaitable[object]) -> float:
        """Await and return the virtual time at which it completed."""
        await awaitable
        return self.now
