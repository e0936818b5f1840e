"""A reminder about one loan says what the borrower owes now across loans (the trial's case: ₹450
overdue on one loan, and reminders for another that never mentioned it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from tests.flows.conftest import World, make_world

BOOK = (
    "B1,Ravi Iyer,+919876543210,,en,Asia/Kolkata,sms,LA,consumer,INR,1,2026-11-20,450.00\n"
    "B1,Ravi Iyer,+919876543210,,en,Asia/Kolkata,sms,LB,consumer,INR,1,2026-12-10,1000.00\n"
    "B2,Asha Rao,+919876543211,,en,Asia/Kolkata,sms,LC,consumer,INR,1,2026-12-10,1000.00\n"
)
T3 = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)  # 10:30 in Kolkata on the 7th: T-3 of LB and LC


@pytest.fixture
async def world(db: str) -> AsyncIterator[World]:
    async for w in make_world(db):
        yield w


async def test_a_reminder_states_the_total_owed_now_across_loans(world: World) -> None:
    await world.import_loans(BOOK)
    await world.tick(T3)
    [about_lb] = world.sms_to("+919876543210")
    assert "1,000.00" in about_lb and "In all you owe ₹1,450.00 now, other loans included." in about_lb
    [only_loan] = world.sms_to("+919876543211")
    assert "In all you owe" not in only_loan  # nothing else owed: no second total


async def test_the_total_leaves_out_what_is_paid_and_what_is_not_yet_due(world: World) -> None:
    await world.import_loans(
        BOOK + "B1,Ravi Iyer,+919876543210,,en,Asia/Kolkata,sms,LD,consumer,INR,1,2027-01-10,700.00\n"
    )
    await world.import_payments("P1,LA,200.00,2026-12-01T10:00:00+05:30", T3)
    await world.tick(T3)
    [about_lb] = world.sms_to("+919876543210")
    assert "In all you owe ₹1,250.00 now, other loans included." in about_lb  # 250 left on LA; LD not yet due
