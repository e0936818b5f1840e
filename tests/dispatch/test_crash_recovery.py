"""A dispatcher that dies mid-pass: its claims expire and the next pass cleans up after it.

``claimed`` means nothing left us yet, so the message goes back to ``planned`` and is sent once;
``sending`` means the provider may have it, so it becomes ``unknown`` and is never resent.
"""

from __future__ import annotations

from datetime import timedelta

from storage.models import Message
from storage.outbox import claim_due, mark_sending, recover_abandoned
from tests.dispatch.support import NOW, plan_only
from tests.flows.conftest import World

BOOK = "B3,Ada Stone,+12125550100,,en,America/New_York,sms,L3,auto,USD,1,2026-12-10,350.00\n"
# A second loan due two days earlier: its T-1 falls on the same local day as L3's T-3.
SECOND_LOAN = "B3,Ada Stone,+12125550100,,en,America/New_York,sms,L9,card,USD,1,2026-12-08,50.00\n"
LEASE = 120


async def crashed_claim(world: World, *, while_sending: bool) -> Message:
    """Plan at NOW, then let a dispatcher that is about to die claim (and maybe start sending)."""
    await plan_only(world.scheduler.servicing)
    ids = await claim_due("dead-host:1", NOW, 10, LEASE)
    assert len(ids) == 1
    if while_sending:
        assert await mark_sending(ids[0], "dead-host:1", NOW)
    return await Message.get(id=ids[0])


async def test_an_abandoned_claim_goes_back_to_planned_and_is_sent_once(world: World) -> None:
    await world.import_loans(BOOK)
    message = await crashed_claim(world, while_sending=False)

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
    message = await crashed_claim(world, while_sending=True)

    summary = await world.tick(NOW + timedelta(seconds=LEASE + 1))
    assert (summary.recovered, summary.unknown_after_crash) == (0, 1)
    row = await Message.get(id=message.id)
    assert (row.status, row.lease_owner, row.lease_until) == ("unknown", None, None)
    assert "provider may have" in (row.guard_reason or "")
    for hours in (1, 3, 6, 30):  # the rest of the tier's day and beyond
        await world.tick(NOW + timedelta(hours=hours))
    assert world.twilio.creates() == []
    assert (await Message.get(id=message.id)).status == "unknown"


async def test_an_abandoned_send_counts_toward_the_daily_cap(world: World) -> None:
    """The provider may have delivered the crashed message, so it counts as sent (design: caps count
    a message from the moment it is handed to a provider, an ``unknown`` outcome included)."""
    await world.import_loans(BOOK)
    message = await crashed_claim(world, while_sending=True)
    await world.import_loans(SECOND_LOAN)  # another reminder for the same local day

    await world.tick(NOW + timedelta(seconds=LEASE + 1))
    row = await Message.get(id=message.id)
    assert row.status == "unknown" and row.sent_at == NOW and row.counts_toward_caps
    other = await Message.get(borrower__borrower_id="B3", tier="T-1")
    assert (other.status, other.guard_rule) == ("skipped", "cap_daily")
    assert world.twilio.creates() == []


async def test_recover_abandoned_leaves_live_leases_alone(world: World) -> None:
    await world.import_loans(BOOK)
    await plan_only(world.scheduler.servicing)
    [claimed] = await claim_due("live-host:1", NOW, 10, LEASE)
    assert await recover_abandoned(NOW + timedelta(seconds=LEASE - 1)) == ([], [])
    # Exactly at the lease's end it still holds (lease_until < now is the test).
    assert await recover_abandoned(NOW + timedelta(seconds=LEASE)) == ([], [])
    assert await recover_abandoned(NOW + timedelta(seconds=LEASE, microseconds=1)) == ([claimed], [])
