"""The guard is asked again at send time, on fresh data: a message planned before the borrower paid,
was restricted, complained, disputed, promised or opted out is recorded as skipped and never sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import pytest

from storage.models import Borrower, Case, ContactPause, Loan, Message, Restriction
from tests.dispatch.support import NOW, plan_only
from tests.flows.conftest import World

BOOK = (
    "B3,Ada Stone,+12125550100,,en,America/New_York,sms,L3,auto,USD,1,2026-12-10,350.00\n"
    "B7,Dan Roe,+12125550177,555777,en,America/New_York,telegram,L7,auto,USD,1,2026-12-10,70.00\n"
)
Change = Callable[[World], Awaitable[None]]


async def paid(world: World) -> None:
    await world.import_payments("P1,L3,350.00,2026-12-07T14:00:00Z\n", NOW - timedelta(hours=1))


async def attorney(world: World) -> None:
    borrower = await Borrower.get(borrower_id="B3")
    await Restriction.create(borrower=borrower, kind="attorney", created_at=NOW - timedelta(minutes=5))


async def complaint(world: World) -> None:
    borrower = await Borrower.get(borrower_id="B3")
    await Case.create(reference="CMP-T1", borrower=borrower, kind="complaint", queue="complaints",
                      opened_at=NOW - timedelta(minutes=5), open_key=f"{borrower.id}:complaint")  # fmt: skip


async def dispute(world: World) -> None:
    borrower = await Borrower.get(borrower_id="B3")
    loan = await Loan.get(loan_id="L3")
    await Case.create(reference="DSP-T1", borrower=borrower, loan=loan, kind="dispute", queue="disputes",
                      opened_at=NOW - timedelta(minutes=5), open_key=f"{borrower.id}:dispute")  # fmt: skip


async def promise(world: World) -> None:
    borrower = await Borrower.get(borrower_id="B3")
    await ContactPause.create(borrower=borrower, reason="promise", start_date=date(2026, 12, 7),
                              end_date=date(2026, 12, 9), created_at=NOW - timedelta(minutes=5))  # fmt: skip


async def sms_opt_out(world: World) -> None:
    await Borrower.filter(borrower_id="B3").update(sms_opted_out=True)


async def wrong_number(world: World) -> None:
    await Borrower.filter(borrower_id="B3").update(phone_wrong=True)


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (paid, "paid"),
        (attorney, "restricted:attorney"),
        (complaint, "open_complaint"),
        (dispute, "open_dispute"),
        (promise, "paused:promise"),
        (sms_opt_out, "opted_out"),
        (wrong_number, "wrong_number"),
    ],
    ids=lambda v: v if isinstance(v, str) else v.__name__,
)
async def test_a_change_after_planning_stops_the_send(world: World, change: Change, rule: str) -> None:
    await world.import_loans(BOOK)
    assert (await plan_only(world.scheduler.servicing)).planned == 2
    await change(world)
    summary = await world.tick(NOW)
    row = await Message.get(borrower__borrower_id="B3")
    assert (row.status, row.guard_rule, row.sent_at, row.provider_message_id) == ("skipped", rule, None, None)
    assert row.guard_reason
    assert world.sms_to("+12125550100") == []
    assert world.twilio.creates() == []
    assert summary.dispatch.rules[f"skipped:{rule}"] == 1
    # The other borrower is untouched by B3's change.
    assert len(world.telegram_to(555777)) == 1
    # The skip is evidence: it is in B3's log chain with its rule.
    entries = [e for e in await _log_of("B3") if e.kind == "message.skipped"]
    assert len(entries) == 1 and f'"rule":"{rule}"' in entries[0].data
    await world.tick(NOW + timedelta(hours=2))
    assert world.twilio.creates() == []


async def test_telegram_opt_out_after_planning_falls_back_to_sms(world: World) -> None:
    """An opt-out is per channel: the reminder still goes, on the channel the borrower kept."""
    await world.import_loans(BOOK)
    await plan_only(world.scheduler.servicing)
    await Borrower.filter(borrower_id="B7").update(telegram_opted_out=True)
    await world.tick(NOW)
    assert world.telegram_to(555777) == []
    assert len(world.sms_to("+12125550177")) == 1
    row = await Message.get(borrower__borrower_id="B7")
    assert (row.status, row.channel) == ("sent", "sms")


async def test_a_lifted_restriction_no_longer_holds_back(world: World) -> None:
    await world.import_loans(BOOK)
    await plan_only(world.scheduler.servicing)
    borrower = await Borrower.get(borrower_id="B3")
    await Restriction.create(borrower=borrower, kind="cease", created_at=NOW - timedelta(days=30),
                             lifted_at=NOW - timedelta(days=1))  # fmt: skip
    await world.tick(NOW)
    assert len(world.sms_to("+12125550100")) == 1


async def _log_of(borrower_id: str) -> list:  # type: ignore[type-arg]
    from storage.interaction_log import timeline_entries

    return await timeline_entries(borrower_id)
