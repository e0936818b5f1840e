"""Finding anyone: search by name (Chinese too), phone in any format, loan id, borrower id or case
reference; and the borrower page, a borrower's whole record without a case."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from storage.search import find_borrowers
from tests.staff.conftest import NOW, StaffWorld, login, make_staff_world, open_for, seed

BOOK = (
    "B1,李伟,+8613800138000,,zh,Asia/Shanghai,sms,L1,consumer,CNY,1,2026-11-01,1200.00\n"
    "B2,Ana Ruiz,+14155550123,987654321,en,America/Los_Angeles,telegram,L2,auto,USD,3,2026-11-25,350.00\n"
    "B3,Tom Hale,+447400123456,,en,Europe/London,sms,L3,card,GBP,1,2026-12-20,80.50\n"
)


@pytest.fixture
async def world(db: str) -> AsyncIterator[StaffWorld]:
    async for w in make_staff_world(db):
        yield w


@pytest.mark.parametrize(
    ("query", "found", "why"),
    [
        ("李伟", ["B1"], "name"),
        ("伟", ["B1"], "name"),
        ("ana ruiz", ["B2"], "name"),
        ("(415) 555-0123", ["B2"], "phone"),  # national form
        ("07400 123456", ["B3"], "phone"),  # with the trunk 0
        ("+86 138 0013 8000", ["B1"], "phone"),
        ("L3", ["B3"], "loan id"),
        ("B2", ["B2"], "borrower id"),
        ("nobody at all", [], ""),
    ],
)
async def test_search_finds_the_borrower(world: StaffWorld, query: str, found: list[str], why: str) -> None:
    await seed(world, BOOK)
    results = await find_borrowers(query)
    assert [r.borrower_id for r in results] == found
    assert all(r.why == why for r in results)


async def test_search_by_case_reference_and_through_the_console(world: StaffWorld) -> None:
    await seed(world, BOOK)
    case = await open_for(world, "B3", "hardship", "lost job")
    assert [r.borrower_id for r in await find_borrowers(case.reference.lower())] == ["B3"]
    await login(world.client, "amy")  # an agent of the hardship queue: finding anyone is for everyone
    page = await world.client.get("/console/search", params={"q": "李伟"})
    html = await page.text()
    assert page.status == 200 and 'href="/console/borrowers/B1"' in html and "1 found" in html
    assert 'id="nav-search"' in html  # the search box is on every page


async def test_the_borrower_page_has_the_whole_record(world: StaffWorld) -> None:
    await seed(world, BOOK)
    await open_for(world, "B1", "overdue_30", at=NOW - timedelta(days=1))
    await world_payment(world)
    await login(world.client, "carl")
    page = await world.client.get("/console/borrowers/B1")
    html = await page.text()
    assert page.status == 200
    for section in (
        'id="profile"',
        'id="loans"',
        'id="payments"',
        'id="promises"',
        'id="other-cases"',
        'id="timeline"',
    ):
        assert section in html, section
    assert "李伟" in html and "P-1" in html and "overdue 30" in html
    assert (await world.client.get("/console/borrowers/B404")).status == 404


async def world_payment(world: StaffWorld) -> None:
    from storage.importer import import_payment_rows
    from storage.loanbook import parse_payments_csv

    rows = parse_payments_csv("payment_id,loan_id,amount,paid_at\nP-1,L1,200.00,2026-11-20T10:00:00+08:00\n").rows
    await import_payment_rows(rows, now=NOW, log=world.services.log)


async def test_a_payment_recorded_from_the_case_settles_and_stops_follow_ups(world: StaffWorld) -> None:
    from datetime import UTC, datetime

    from storage.models import Installment, LogEntry, Message, Payment
    from tests.staff.conftest import page_csrf

    await seed(world)  # B1 owes 1,200 due 1 Nov and 1,200 due 1 Dec
    case = await open_for(world, "B1", "payment_check", "says the payment was made")
    await login(world.client, "carl")
    token = await page_csrf(world.client, f"/console/cases/{case.id}")
    form = {"csrf_token": token, "loan_id": "L1", "amount": "2400.00", "paid_on": "2026-12-01", "reference": "BANK-77"}
    done = await world.client.post(f"/console/cases/{case.id}/payment", data=form, allow_redirects=False)
    assert done.status == 303 and done.headers["Location"] == f"/console/cases/{case.id}?note=payment"
    payment = await Payment.get(payment_id="BANK-77")
    assert str(payment.amount) == "2400.00"
    assert set(await Installment.filter(loan__loan_id="L1").values_list("state", flat=True)) == {"paid"}
    entry = await LogEntry.filter(kind="payment.recorded").first()
    assert entry is not None and entry.actor == "staff:carl"
    page = await (await world.client.get(f"/console/cases/{case.id}")).text()
    assert "BANK-77" in page  # the case page's payment history
    # Again, the same reference: idempotent; another amount under it: refused, saying why.
    again = await world.client.post(f"/console/cases/{case.id}/payment", data=form, allow_redirects=False)
    assert again.status == 303 and await Payment.filter(payment_id="BANK-77").count() == 1
    other = {**form, "amount": "10.00", "csrf_token": await page_csrf(world.client, f"/console/cases/{case.id}")}
    refused = await world.client.post(f"/console/cases/{case.id}/payment", data=other, allow_redirects=False)
    assert refused.status == 409 and "BANK-77" in await refused.text()
    # The D+3 follow-up of the 1 December installment does not go: it is paid.
    await world.scheduler.servicing.run(datetime(2026, 12, 4, 2, tzinfo=UTC))
    assert not await Message.filter(borrower__borrower_id="B1", tier="D+3").exclude(status="skipped").exists()


async def test_a_bad_payment_form_keeps_nothing(world: StaffWorld) -> None:
    from storage.models import Payment
    from tests.staff.conftest import page_csrf

    await seed(world)
    case = await open_for(world, "B1", "payment_check")
    await login(world.client, "carl")
    for wrong, why in [
        ({"amount": "-5"}, "amount"),
        ({"paid_on": "2027-05-01"}, "in the future"),
        ({"paid_on": "soon"}, "not a date"),
        ({"loan_id": "L2"}, "is not this borrower"),
    ]:
        form = {"loan_id": "L1", "amount": "10.00", "paid_on": "2026-12-01", "reference": "R1", **wrong}
        form["csrf_token"] = await page_csrf(world.client, f"/console/cases/{case.id}")
        answer = await world.client.post(f"/console/cases/{case.id}/payment", data=form, allow_redirects=False)
        assert answer.status == 422 and why in await answer.text(), wrong
    assert await Payment.all().count() == 0
