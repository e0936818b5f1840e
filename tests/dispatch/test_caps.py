"""Caps hold inside one pass: a borrower's messages are handled one at a time, so the second one
sees the first as sent (the dispatcher handles up to ``concurrency`` messages at once)."""

from __future__ import annotations

from datetime import timedelta

from storage.models import Message
from tests.dispatch.support import NOW
from tests.flows.conftest import World

# L3's T-3 and L9's T-1 fall on the same local day (7 Dec in New York): two messages, one day.
BOOK = (
    "B3,Ada Stone,+12125550100,,en,America/New_York,sms,L3,auto,USD,1,2026-12-10,350.00\n"
    "B3,Ada Stone,+12125550100,,en,America/New_York,sms,L9,card,USD,1,2026-12-08,50.00\n"
    "B4,Bo Chan,+12125550104,,en,America/New_York,sms,L4,auto,USD,1,2026-12-10,10.00\n"
)


async def test_two_reminders_due_the_same_local_day_send_only_one(world: World) -> None:
    assert world.scheduler.dispatcher.settings.concurrency > 1
    await world.import_loans(BOOK)
    summary = await world.tick(NOW)
    assert summary.planned == 3
    assert len(world.sms_to("+12125550100")) == 1, world.sms_to("+12125550100")
    rows = await Message.filter(borrower__borrower_id="B3").order_by("tier").values_list("status", "guard_rule")
    assert sorted(rows) == [("sent", "clear"), ("skipped", "cap_daily")]
    assert len(world.sms_to("+12125550104")) == 1  # another borrower is not held by B3's cap
    await world.tick(NOW + timedelta(hours=3))
    assert len(world.sms_to("+12125550100")) == 1
