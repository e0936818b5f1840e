"""The one interface between the dispatcher and the outside world: sending a message on a channel.

Standard library only: the dispatcher imports this module and must never pull in a vendor SDK or
the ``bot`` package.  The adapters in ``bot.channels`` implement :class:`Channel` and translate every
vendor failure into exactly one of three outcomes, because the outbox must treat them differently:

* :class:`RetryableSendError`: the provider surely did not create the message (429, flood control,
  connection refused, nothing written to the socket). Sending again is safe.
* :class:`UncertainSendError`: the request left us and the provider may have created the message
  (5xx, timeout or disconnect after sending). The outbox marks it ``unknown`` and never resends it
  blindly: a duplicate collection SMS is worse than a missing one.
* :class:`PermanentSendError`: the provider refused it for good; ``effect`` tells the caller what
  to record about the recipient (opted out, invalid number, bot blocked...).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Literal, Protocol, runtime_checkable

__all__ = [
    "CHANNELS",
    "Channel",
    "ChannelName",
    "Leaving",
    "OutboundMessage",
    "PermanentSendError",
    "RateLimiter",
    "RetryableSendError",
    "SendError",
    "SendReceipt",
    "UncertainSendError",
    "backoff_delay",
]

ChannelName = Literal["sms", "telegram"]
CHANNELS: Final[frozenset[str]] = frozenset({"sms", "telegram"})


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One attempt to hand a message to a provider.

    ``idempotency_key`` identifies the logical message across retries; adapters pass it to the
    provider when the provider honours one, and the outbox enforces it in every case.
    """

    idempotency_key: str
    channel: str
    to: str  # E.164 phone number (sms) or Telegram chat id (telegram)
    text: str
    status_callback: str | None = None  # Twilio only: where delivery reports go
    parse_mode_html: bool = False  # Telegram only: text is Telegram-HTML
    urgent: bool = False  # an answer to the borrower's own message: paced ahead of everything else

    def __post_init__(self) -> None:
        # Fail at construction, not deep inside an adapter, so a bad row never reaches a provider.
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}; expected one of {sorted(CHANNELS)}")
        if not self.idempotency_key:
            raise ValueError("idempotency_key must not be empty")
        if not self.to:
            raise ValueError("to must not be empty")
        if not self.text:
            raise ValueError("text must not be empty")


@dataclass(frozen=True, slots=True)
class SendReceipt:
    """What the provider said when it accepted the message."""

    provider_message_id: str  # Twilio SM… sid; Telegram "{chat_id}:{message_id}"
    status: str  # the provider's initial status ("queued", "accepted", "sent")
    sent_at: datetime  # aware; when the provider accepted it

    def __post_init__(self) -> None:
        if self.sent_at.tzinfo is None or self.sent_at.utcoffset() is None:
            raise ValueError("sent_at must be timezone-aware")


class SendError(Exception):
    """Base of the three outcomes; ``code`` is machine-readable (e.g. ``twilio:21610``)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}" if self.detail else self.code

    def __reduce__(self) -> tuple[object, ...]:
        # Keep subclass fields when the error crosses a process boundary (pickling uses ``args``).
        return (type(self), (self.code, self.detail))


class RetryableSendError(SendError):
    """The provider surely did not create the message; sending again is safe."""

    def __init__(self, code: str, detail: str = "", retry_after: float | None = None) -> None:
        super().__init__(code, detail)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.code, self.detail, self.retry_after))


class UncertainSendError(SendError):
    """The request was sent and the provider may have created the message: never resend blindly."""


class PermanentSendError(SendError):
    """Refused for good. ``effect`` names what it means for the recipient, when known."""

    def __init__(self, code: str, detail: str = "", effect: str | None = None) -> None:
        super().__init__(code, detail)
        self.effect = effect

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.code, self.detail, self.effect))


# Called by an adapter once its pace allows the send, right before the request leaves. Raising
# aborts the send: nothing has left, so the message can go back to the queue. The outbox marks the
# row ``sending`` here, so ``sending`` means "the request is leaving now", never "waiting its turn".
Leaving = Callable[[], Awaitable[None]]


@runtime_checkable
class Channel(Protocol):
    """A provider adapter. ``send`` makes at most one provider request per call (no hidden retries)."""

    name: str

    async def send(self, message: OutboundMessage, *, leaving: Leaving | None = None) -> SendReceipt: ...

    async def close(self) -> None: ...


def backoff_delay(attempt: int, base: float, cap: float, retry_after: float | None) -> float:
    """Seconds to wait before retry number ``attempt`` (1 = the first retry).

    Exponential (``base * 2**(attempt-1)``) and capped at ``cap``.  A provider's ``retry_after`` is
    a floor, not a suggestion: it is honoured even above ``cap``, because coming back earlier only
    earns another 429 and, on Telegram, a longer ban.  Deterministic on purpose; callers that want
    jitter add it themselves.
    """
    if attempt < 1:
        raise ValueError("attempt starts at 1")
    if base < 0 or cap < 0 or math.isnan(base) or math.isnan(cap):
        raise ValueError("base and cap must be non-negative numbers")
    # 2**1024 overflows a float; any exponent past 62 is far beyond every sensible cap anyway.
    exponent = min(attempt - 1, 62)
    delay = min(cap, base * (2.0**exponent))
    if retry_after is not None and math.isfinite(retry_after) and retry_after > delay:
        delay = retry_after
    return delay


@dataclass(order=True, slots=True)
class _Ticket:
    """A waiter for an overall slot, ordered by urgency, then arrival."""

    priority: int
    arrival: int
    wake: asyncio.Future[None] | None = field(default=None, compare=False)


@dataclass(slots=True)
class _Bucket:
    """GCRA state: ``tat`` is the theoretical arrival time of the next conforming request."""

    tat: float
    queued: asyncio.Future[None] | None = None  # set while a send to this key waits for an overall slot

    def release(self) -> None:
        queued, self.queued = self.queued, None
        if queued is not None and not queued.done():
            queued.set_result(None)


class RateLimiter:
    """Token bucket pacing for an overall rate and, optionally, a per-key rate (e.g. per chat).

    ``await limiter.acquire(key)`` returns once sending now respects both limits, and reports how
    long it waited.  Implemented as GCRA (virtual scheduling), equivalent to a token bucket of
    ``burst`` tokens refilled at ``rate``/s.

    Why two stages: a key that is over its own limit (five reminders to one chat) must not hold up
    other keys, so a waiter only takes an overall slot once its key is ready; the key's next slot
    is then counted from the overall slot actually granted, so the per-key spacing holds even when
    the overall queue delays a send.  Overall slots go in arrival order (FIFO), urgent callers
    first: an answer to a borrower never waits behind a morning's reminders.

    ``clock`` and ``sleep`` are injectable so tests run on virtual time.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: int = 1,
        per_key_rate: float | None = None,
        per_key_burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        max_idle_keys: int = 10_000,
    ) -> None:
        if not rate > 0 or not math.isfinite(rate):
            raise ValueError("rate must be a positive finite number of events per second")
        if per_key_rate is not None and (not per_key_rate > 0 or not math.isfinite(per_key_rate)):
            raise ValueError("per_key_rate must be a positive finite number or None")
        if burst < 1 or per_key_burst < 1:
            raise ValueError("bursts must be at least 1")
        self.rate = rate
        self.per_key_rate = per_key_rate
        self._interval = 1.0 / rate
        self._tolerance = (burst - 1) * self._interval
        self._key_interval = 1.0 / per_key_rate if per_key_rate else 0.0
        self._key_tolerance = (per_key_burst - 1) * self._key_interval
        self._clock = clock
        self._sleep = sleep
        self._overall = _Bucket(tat=-math.inf)
        self._queue: list[_Ticket] = []
        self._arrivals = itertools.count()
        self._keys: dict[str, _Bucket] = {}
        self._max_idle_keys = max_idle_keys

    async def acquire(self, key: str | None = None, *, urgent: bool = False) -> float:
        """Wait until a send is allowed for ``key``; return the seconds waited. An ``urgent`` send
        (an answer to the borrower's own message) takes the next free slot ahead of every other."""
        start = self._clock()
        bucket = self._key_bucket(key)
        if bucket is not None:
            # Stage 1: wait for this key alone, without holding an overall slot: while another send
            # to this key is in the overall queue, then until the key's next slot. Re-check after
            # each wait because another waiter on the same key may have gone first.
            while True:
                if bucket.queued is not None:
                    await asyncio.wait({bucket.queued})
                    continue
                ready_at = bucket.tat - self._key_tolerance
                now = self._clock()
                if now >= ready_at:
                    break
                await self._sleep(ready_at - now)
            bucket.queued = asyncio.get_running_loop().create_future()
        # Stage 2: the overall slot. Waiters queue by (urgency, arrival); only the first of the queue
        # sleeps until the slot opens, the others wait to be woken. A slot is taken when it opens,
        # not reserved on arrival, so an urgent send that arrives later still takes the next one.
        ticket = _Ticket(0 if urgent else 1, next(self._arrivals))
        heapq.heappush(self._queue, ticket)
        try:
            while True:
                if self._queue[0] is not ticket:
                    ticket.wake = asyncio.get_running_loop().create_future()
                    await ticket.wake
                    continue
                now = self._clock()
                ready_at = self._overall.tat - self._tolerance
                if now >= ready_at:
                    break
                await self._sleep(ready_at - now)
        except BaseException:  # cancelled while queued: leave the queue and let the next one go
            self._queue.remove(ticket)
            heapq.heapify(self._queue)
            self._wake_first()
            if bucket is not None:
                bucket.release()
            raise
        heapq.heappop(self._queue)
        self._overall.tat = max(self._overall.tat, now) + self._interval
        if bucket is not None:
            bucket.tat = max(bucket.tat, now) + self._key_interval
            bucket.release()
        self._wake_first()
        return self._clock() - start

    def _wake_first(self) -> None:
        if self._queue:
            wake = self._queue[0].wake
            if wake is not None and not wake.done():
                wake.set_result(None)

    def _key_bucket(self, key: str | None) -> _Bucket | None:
        if key is None or self.per_key_rate is None:
            return None
        bucket = self._keys.get(key)
        if bucket is None:
            if len(self._keys) >= self._max_idle_keys:
                self._forget_idle_keys()
            bucket = self._keys[key] = _Bucket(tat=-math.inf)
        return bucket

    def _forget_idle_keys(self) -> None:
        # A key whose next slot is in the past behaves exactly like a fresh key, so dropping it
        # changes no decision; this keeps memory bounded by the number of recently active chats.
        now = self._clock()
        for key in [k for k, b in self._keys.items() if b.queued is None and b.tat - self._key_tolerance <= now]:
            del self._keys[key]

    @property
    def tracked_keys(self) -> int:
        """How many per-key buckets are held (for tests and metrics)."""
        return len(self._keys)
