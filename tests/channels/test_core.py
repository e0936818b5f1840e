"""The pure interface: messages, the three outcomes, backoff and pacing (virtual time)."""

from __future__ import annotations

import ast
import asyncio
import math
import pickle
import sys
from datetime import datetime
from itertools import pairwise

import pytest

from scheduler.channel import (
    Channel,
    OutboundMessage,
    PermanentSendError,
    RateLimiter,
    RetryableSendError,
    SendReceipt,
    UncertainSendError,
    backoff_delay,
)
from tests.channels.support import ROOT, VirtualTime


def test_scheduler_channel_imports_only_the_standard_library() -> None:
    tree = ast.parse((ROOT / "scheduler" / "channel.py").read_text())
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0 and node.module is not None
            imported.add(node.module.split(".")[0])
    assert imported, "the parser found no imports at all"
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported


def test_outbound_message_refuses_bad_values() -> None:
    ok = OutboundMessage("k", "sms", "+14155550100", "hi")
    assert ok.status_callback is None and ok.parse_mode_html is False
    with pytest.raises(ValueError, match="unknown channel"):
        OutboundMessage("k", "email", "x@example.com", "hi")
    with pytest.raises(ValueError, match="idempotency_key"):
        OutboundMessage("", "sms", "+14155550100", "hi")
    with pytest.raises(ValueError, match="text"):
        OutboundMessage("k", "telegram", "42", "")
    with pytest.raises(AttributeError):
        ok.text = "changed"  # type: ignore[misc]


def test_receipt_requires_an_aware_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        SendReceipt("SM1", "queued", datetime(2026, 1, 1, 9, 0))


def test_errors_keep_their_fields_across_pickling() -> None:
    errors = [
        RetryableSendError("telegram:429", "flood", retry_after=7.0),
        PermanentSendError("twilio:21610", "opted out", effect="sms_opted_out"),
        UncertainSendError("timeout", "read timed out"),
    ]
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert (copy.code, copy.detail) == (error.code, error.detail)
        assert str(copy) == f"{error.code}: {error.detail}"
    assert pickle.loads(pickle.dumps(errors[0])).retry_after == 7.0
    assert pickle.loads(pickle.dumps(errors[1])).effect == "sms_opted_out"


def test_adapters_satisfy_the_channel_protocol() -> None:
    from bot.channels import TelegramChannel, TwilioSmsChannel

    sms = TwilioSmsChannel("AC1", "t", "+15005550006")
    telegram = TelegramChannel("1:x")
    assert isinstance(sms, Channel) and sms.name == "sms"
    assert isinstance(telegram, Channel) and telegram.name == "telegram"


@pytest.mark.parametrize(
    ("attempt", "base", "cap", "retry_after", "expected"),
    [
        (1, 1.0, 60.0, None, 1.0),
        (2, 1.0, 60.0, None, 2.0),
        (3, 1.0, 60.0, None, 4.0),
        (6, 1.0, 60.0, None, 32.0),
        (7, 1.0, 60.0, None, 60.0),  # 64 capped
        (10_000, 1.0, 60.0, None, 60.0),  # no float overflow
        (2, 0.5, 10.0, None, 1.0),
        (1, 1.0, 60.0, 5.0, 5.0),  # provider's wait beats our shorter one
        (4, 1.0, 60.0, 2.0, 8.0),  # ours is already longer
        (1, 1.0, 60.0, 300.0, 300.0),  # retry_after is honoured above the cap
        (3, 1.0, 60.0, math.nan, 4.0),  # a nonsense retry_after is ignored
        (3, 0.0, 60.0, None, 0.0),
    ],
)
def test_backoff_delay_table(attempt: int, base: float, cap: float, retry_after: float | None, expected: float) -> None:
    assert backoff_delay(attempt, base, cap, retry_after) == expected


def test_backoff_delay_rejects_attempt_zero() -> None:
    with pytest.raises(ValueError):
        backoff_delay(0, 1.0, 60.0, None)


def _limiter(vtime: VirtualTime, rate: float, **kw: object) -> RateLimiter:
    return RateLimiter(rate, clock=vtime.clock, sleep=vtime.sleep, **kw)  # type: ignore[arg-type]


async def test_overall_rate_30_per_second(vtime: VirtualTime) -> None:
    limiter = _limiter(vtime, 30.0, per_key_rate=1.0)
    times = await vtime.run(*(vtime.at(limiter.acquire(f"chat{i}")) for i in range(90)))
    times.sort()
    # Never more than 30 grants in any one-second window...
    assert all(times[i + 30] - times[i] >= 1.0 - 1e-9 for i in range(len(times) - 30))
    # ...and no slower than that: 90 sends take 89/30 s.
    assert times[-1] == pytest.approx(89 / 30)


async def test_one_per_second_per_chat_without_holding_up_other_chats(vtime: VirtualTime) -> None:
    limiter = _limiter(vtime, 30.0, per_key_rate=1.0)
    a = [vtime.at(limiter.acquire("A")) for _ in range(3)]
    b = vtime.at(limiter.acquire("B"))
    a0, a1, a2, b0 = await vtime.run(*a, b)
    assert sorted([a0, a1, a2]) == pytest.approx([0.0, 1.0, 2.0])
    assert b0 == pytest.approx(1 / 30)  # B went right after A's first, not after A's third


async def test_per_chat_spacing_counts_from_the_granted_overall_slot(vtime: VirtualTime) -> None:
    # Overall 2/s is the bottleneck: chat A's second send is held by the overall queue, and its
    # third must still be a full second after the second.
    limiter = _limiter(vtime, 2.0, per_key_rate=1.0)
    keys = ["A", "B", "C", "A", "D", "A"]
    times = await vtime.run(*(vtime.at(limiter.acquire(k)) for k in keys))
    a_times = sorted(t for k, t in zip(keys, times, strict=True) if k == "A")
    assert all(later - earlier >= 1.0 - 1e-9 for earlier, later in pairwise(a_times))
    overall = sorted(times)
    assert all(later - earlier >= 0.5 - 1e-9 for earlier, later in pairwise(overall))


async def test_twilio_pace_without_keys(vtime: VirtualTime) -> None:
    limiter = _limiter(vtime, 5.0)
    times = await vtime.run(*(vtime.at(limiter.acquire()) for _ in range(10)))
    assert sorted(times) == pytest.approx([i * 0.2 for i in range(10)])
    # A per-key argument is ignored when no per-key rate is configured.
    assert limiter.tracked_keys == 0


async def test_burst_then_steady_rate(vtime: VirtualTime) -> None:
    limiter = _limiter(vtime, 10.0, burst=5)
    times = sorted(await vtime.run(*(vtime.at(limiter.acquire()) for _ in range(8))))
    assert times == pytest.approx([0, 0, 0, 0, 0, 0.1, 0.2, 0.3])


async def test_acquire_reports_the_wait_and_idle_keys_are_forgotten(vtime: VirtualTime) -> None:
    limiter = _limiter(vtime, 100.0, per_key_rate=1.0, max_idle_keys=5)
    waits = await vtime.run(limiter.acquire("A"), limiter.acquire("A"))
    assert sorted(waits) == pytest.approx([0.0, 1.0])
    vtime.now = 10.0  # every key is idle now
    await vtime.run(*(limiter.acquire(f"k{i}") for i in range(5)))
    # Adding the fifth fresh key dropped idle "A" (6 otherwise); busy keys are never dropped.
    assert limiter.tracked_keys == 5


def test_rate_limiter_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)
    with pytest.raises(ValueError):
        RateLimiter(1, per_key_rate=-1)
    with pytest.raises(ValueError):
        RateLimiter(1, burst=0)


async def test_an_urgent_send_takes_the_next_slot_ahead_of_those_waiting(vtime: VirtualTime) -> None:
    limiter = _limiter(vtime, 1.0)
    routine = [vtime.at(limiter.acquire()) for _ in range(5)]

    async def urgent_after_a_moment() -> float:
        await vtime.sleep(1.5)  # arrives while four routine sends still wait
        return await vtime.at(limiter.acquire(urgent=True))

    *times, answer = await vtime.run(*routine, urgent_after_a_moment())
    assert answer == pytest.approx(2.0)  # the next slot after it arrived, not the sixth
    assert sorted(times) == pytest.approx([0.0, 1.0, 3.0, 4.0, 5.0])


async def test_a_cancelled_waiter_leaves_the_queue_and_the_next_one_goes(vtime: VirtualTime) -> None:
    limiter = _limiter(vtime, 1.0)
    first = asyncio.ensure_future(limiter.acquire())
    second = asyncio.ensure_future(limiter.acquire())
    third = vtime.at(limiter.acquire())

    async def cancel_second() -> None:
        await vtime.sleep(0.5)
        second.cancel()

    _, _, at = await vtime.run(first, cancel_second(), third)
    assert second.cancelled()
    assert at == pytest.approx(1.0)  # the slot the cancelled waiter would have had
