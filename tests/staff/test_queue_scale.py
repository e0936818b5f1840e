"""The queue at scale: a count, pages that reach every case once, and orders worked in the database."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest

from storage.importer import import_loan_rows
from storage.loanbook import parse_loans_csv
from storage.models import Borrower, Case
from tests.flows.conftest import HEADER
from tests.staff.conftest import NOW, StaffWorld, login, make_staff, make_staff_world

COUNT = 230


@pytest.fixture
async def world(db: str) -> AsyncIterator[StaffWorld]:
    async for w in make_staff_world(db):
        rows = "".join(
            f"B{n:03d},Name {n},+1212555{n:04d},,en,America/New_York,sms,L{n:03d},card,USD,1,"
            f"{(date(2026, 11, 30) - timedelta(days=n % 90)).isoformat()},{100 + n}.00\n"
            for n in range(COUNT)
        )
        await import_loan_rows(parse_loans_csv(HEADER + rows).rows, now=NOW - timedelta(days=90), log=w.services.log)
        borrowers = {b.borrower_id: b.id for b in await Borrower.all()}
        await Case.bulk_create(
            [
                Case(
                    reference=f"CASE-{n:04d}",
                    borrower_id=borrowers[f"B{n:03d}"],
                    kind="overdue_30",
                    queue="collections",
                    status="open",
                    priority="normal",
                    opened_at=NOW - timedelta(minutes=n),
                    open_key=f"{borrowers[f'B{n:03d}']}:overdue_30",
                )
                for n in range(COUNT)
            ]
        )
        await make_staff(w)
        yield w


async def test_pages_reach_every_case_once_and_the_count_is_right(world: StaffWorld) -> None:
    await login(world.client, "carl")
    seen: list[str] = []
    url = "/console/?queue=collections"
    for _ in range(5):
        html = await (await world.client.get(url)).text()
        assert f"{COUNT} cases" in html
        seen += re.findall(r">(CASE-\d{4})</a>", html)
        found = re.search(r'<a href="([^"]+)" rel="next"', html)
        if found is None:
            break
        url = found.group(1).replace("&amp;", "&")
    assert len(seen) == COUNT and len(set(seen)) == COUNT


async def test_most_days_past_due_first(world: StaffWorld) -> None:
    await login(world.client, "carl")
    html = await (await world.client.get("/console/?queue=collections&sort=dpd")).text()
    days = [int(d) for d in re.findall(r'<td class="dpd">(\d+)</td>', html)]
    assert len(days) == 100 and days == sorted(days, reverse=True)
    # The most overdue: due 2 September, and it is still 1 December in New York at NOW.
    assert days[0] == (date(2026, 12, 1) - date(2026, 9, 2)).days == 90
    by_age = await (await world.client.get("/console/?queue=collections&sort=age")).text()
    assert re.findall(r">(CASE-\d{4})</a>", by_age)[0] == f"CASE-{COUNT - 1:04d}"  # opened first


async def test_mine_shows_only_the_members_cases(world: StaffWorld) -> None:
    carl = await Case.filter(reference="CASE-0007").first()
    assert carl is not None
    from storage.models import StaffUser

    member = await StaffUser.get(username="carl")
    await Case.filter(id=carl.id).update(assignee_id=member.id, status="assigned")
    await login(world.client, "carl")
    html = await (await world.client.get("/console/?assignee=carl")).text()
    assert re.findall(r">(CASE-\d{4})</a>", html) == ["CASE-0007"] and "1 case" in html
    assert 'id="mine"' in html
