"""A dispatcher that dies mid-pass: its claims expire and the next pass cleans up after it.

``claimed`` means nothing left us yet, so the message goes back to ``planned`` and is sent once;
``sending`` means the provider may have it, so it becomes ``unknown`` and is never resent.

The dead dispatcher is a real one, of another owner, that reaches ``claimed`` and ``sending`` the way
production does: it claims a batch, and the row becomes ``sending`` only when the channel adapter, its
pace allowing, calls the dispatcher's ``leaving`` hook right before the request leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, NoReturn

from bot.wiring import build_channels, build_scheduler
from scheduler.channel import Channel, Leaving, OutboundMessage
from storage.models import Message
from storage.outbox import claim_due, recover_abandoned
from tests.dispatch.support import NOW, plan_only
from tests.flows.conftest import World

BOOK = "B3,Ada Stone,+12125550100,,en,America/New_York,sms,L3,auto,USD,1,2026-12-10,350.00\n"
# A second loan due two days earlier: its T-1 falls on the same local day as L3's T-3.
SECOND_LOAN = "B3,Ada Stone,+12125550100,,en,America/New_York,sms,L9,card,USD,1,2026-12-08,50.00\n"
LEASE = 120  # the default policy's sending.lease_seconds
DEAD = "dead-host:1"


class DiesDuringSend:
    """A channel adapter in a process that dies while sending. ``after_leaving``: the real adapter
    paces the request, calls ``leaving`` (the dispatcher marks the row ``sending``) and hands the
    request to the provider, then the process dies before the outcome is recorded. Otherwise the
    process dies while the request waits for its turn: ``leaving`` is never called."""

    def __init__(self, inner: Channel, *, after_leaving: bool) -> None:
        self.inner = inner
        self.name = inner.name
        self.after_leaving = after_leaving
        self.died = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def send(self, message: OutboundMessage, *, leaving: Leaving | None = None) -> NoReturn:
        if self.after_leaving:
            await self.inner.send(message, leaving=leaving)
        self.died.set()
        await asyncio.Future()  # a dead process: nothing after this point runs
        raise AssertionError("unreachable")

    async def close(self) -> None:
        await self.inner.close()


@contextlib.asynccontextmanager
async def crashed_dispatcher(world: World, *, after_leaving: bool) -> AsyncIterator[Message]:
    """Plan at NOW, then let another process's dispatcher claim the message at NOW and die sending
    it; yields the message as the dead process left it."""
    await plan_only(world.scheduler.servicing)
    world.lease_time[0] = NOW  # its lease runs from NOW
    channels = {
        name: DiesDuringSend(channel, after_leaving=after_leaving)
        for name, channel in build_channels(world.services).items()
    }
    dead = build_scheduler(world.services, channels=channels)
    dead.dispatcher.owner = DEAD
    running = asyncio.create_task(dead.dispatcher.run(NOW))
    died = asyncio.create_task(channels["sms"].died.wait())
    try:
        await asyncio.wait({running, died}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        if not died.done():
            raise AssertionError(f"the dispatcher did not reach the channel: {running}")
        [message] = await Message.filter(lease_owner__startswith=DEAD + "/")
        assert message.status == ("sending" if after_leaving else "claimed")
        yield message
    finally:
        # The test is over: let the frozen tasks go (whatever they write now is past checking).
        died.cancel()
        await dead.dispatcher.stop(grace=0)
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await dead.close()


async def test_an_abandoned_claim_goes_back_to_planned_and_is_sent_once(world: World) -> None:
    await world.import_loans(BOOK)
    async with crashed_dispatcher(world, after_leaving=False) as message:
        early = await world.tick(NOW + timedelta(seconds=LEASE - 1))  # the lease still holds
        assert early.recovered == 0
        assert (await Message.get(id=message.id)).status == "claimed"
        assert world.twilio.creates() == []

        later = await world.tick(NOW + timedelta(seconds=LEASE + 1))
        assert (later.recovered, later.unknown_after_crash) == (1, 0)
        row = await Message.get(id=message.id)
        assert (row.status, row.lease_owner, row.attempts) == ("sent", None, 1)
        assert row.provider_message_id in world.twilio.messages
        assert len(world.sms_to("+12125550100")) == 1

        await world.tick(NOW + timedelta(hours=2))
        assert len(world.sms_to("+12125550100")) == 1


async def test_an_abandoned_send_becomes_unknown_and_is_never_resent(world: World) -> None:
    await world.import_loans(BOOK)
    async with crashed_dispatcher(world, after_leaving=True) as message:
        assert len(world.twilio.creates()) == 1  # the provider has the dead process's request

        early = await world.tick(NOW + timedelta(seconds=LEASE - 1))  # the lease still holds
        assert (early.recovered, early.unknown_after_crash) == (0, 0)
        assert (await Message.get(id=message.id)).status == "sending"

        summary = await world.tick(NOW + timedelta(seconds=LEASE + 1))
        assert (summary.recovered, summary.unknown_after_crash) == (0, 1)
        row = await Message.get(id=message.id)
        assert (row.status, row.lease_owner, row.lease_until) == ("unknown", None, None)
        assert "provider may have" in (row.guard_reason or "")
        for hours in (1, 3, 6, 30):  # the rest of the tier's day and beyond
            await world.tick(NOW + timedelta(hours=hours))
        assert len(world.twilio.creates()) == 1
        assert len(world.sms_to("+12125550100")) == 1
        assert (await Message.get(id=message.id)).status == "unknown"


async def test_an_abandoned_send_counts_toward_the_daily_cap(world: World) -> None:
    """The provider may have delivered the crashed message, so it counts as sent (design: caps count
    a message from the moment it is handed to a provider, an ``unknown`` outcome included)."""
    await world.import_loans(BOOK)
    async with crashed_dispatcher(world, after_leaving=True) as message:
        await world.import_loans(SECOND_LOAN)  # another reminder for the same local day

        await world.tick(NOW + timedelta(seconds=LEASE + 1))
        row = await Message.get(id=message.id)
        assert row.status == "unknown" and row.sent_at == NOW and row.counts_toward_caps
        other = await Message.get(borrower__borrower_id="B3", tier="T-1")
        assert (other.status, other.guard_rule) == ("skipped", "cap_daily")
        assert len(world.twilio.creates()) == 1  # the dead process's request only


async def test_recover_abandoned_leaves_live_leases_alone(world: World) -> None:
    await world.import_loans(BOOK)
    await plan_only(world.scheduler.servicing)
    [claimed] = await claim_due("live-host:1", NOW, 10, LEASE)
    assert await recover_abandoned(NOW + timedelta(seconds=LEASE - 1)) == ([], [])
    # Exactly at the lease's end it still holds (lease_until < now is the test).
    assert await recover_abandoned(NOW + timedelta(seconds=LEASE)) == ([], [])
    assert await recover_abandoned(NOW + timedelta(seconds=LEASE, microseconds=1)) == ([claimed], [])
