"""The case page shows the borrower's risk tier, score, reasons and early warnings in plain words."""

from __future__ import annotations

from datetime import timedelta

from scheduler.risk_pass import RiskReview
from storage.models import Borrower
from tests.staff.conftest import NOW, StaffWorld, login, open_for, seed


async def test_the_case_page_shows_tier_score_reasons_and_warnings(world: StaffWorld) -> None:
    await seed(world)
    # A month ago B1 was a day past due: tier A.
    await RiskReview(world.services.policy, world.log).run(NOW - timedelta(days=30))
    case = await open_for(world, "B1", "hardship", "lost job")
    await login(world.client, "sam")
    html = await (await world.client.get(f"/console/cases/{case.id}")).text()
    assert 'id="risk-tier">A — good</strong> · score 20' in html

    # B1 owes an installment 31 days past due, their first; and no channel can reach them.
    await Borrower.filter(borrower_id="B1").update(phone_wrong=True)
    await RiskReview(world.services.policy, world.log).run(NOW)
    page = await (await world.client.get(f"/console/cases/{case.id}")).text()
    html = page[page.index('<section id="risk">') : page.index('<section id="loans">')]
    assert 'id="risk-tier">C — high risk</strong> · score 150' in html
    for label in (
        "Overdue now (middle stage)",
        "Reached the middle stage in recent months",
        "Open hardship case",
        "No channel can reach them",
        "Phone number is someone else&#39;s",
        "Orange early warnings",
        "First installment unpaid",
        "Contact lost",
    ):
        assert label in html, label
    assert "overdue_middle" not in html and "first_payment_default" not in html  # words, not codes
    assert "Risk tier changed" in page  # the change is in the timeline too
    assert "first installment (due 2026-11-01) still unpaid, 31 days past due" in html
