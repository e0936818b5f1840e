"""``/console/reports``: supervisors and admins see the indicators and charts; agents get 403."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator

import pytest

from tests.reports.test_report_figures import build_book
from tests.staff.conftest import StaffWorld, login, make_staff, make_staff_world

PERIOD = "since=2026-11-01&until=2026-11-30"


@pytest.fixture
async def world(db: str) -> AsyncIterator[StaffWorld]:
    async for w in make_staff_world(db):
        await build_book()
        await make_staff(w)
        yield w


async def test_a_supervisor_sees_every_chart_with_its_numbers(world: StaffWorld) -> None:
    await login(world.client, "sam")
    page = await world.client.get(f"/console/reports?{PERIOD}&every=week&by=tier")
    assert page.status == 200
    html = await page.text()
    for slug in ("overdue-and-cure", "roll-rates", "contact-funnel", "risk", "complaints", "staff"):
        assert f'id="chart-{slug}"' in html, slug
        assert f'href="/console/reports/{slug}.csv?since=2026-11-01&amp;until=2026-11-30' in html, slug
    assert html.count("<svg") == 6 and html.count("<details>") == 6
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")
    # The roll-rate heat map says, as text, what its cells show: one loan rolled from 1-30 to 31-60.
    assert "1-30 → 31-60: 1 (50%)" in html
    # The indicators table: the whole period, then each tier.
    row = re.search(r'<th scope="row">loans_outstanding</th>((?:<td>[^<]*</td>)+)', html)
    assert row is not None and re.findall(r"<td>([^<]*)</td>", row.group(1)) == ["4", "3", "1"]
    assert "Reports" in html.split("<main>")[0]  # in the navigation


async def test_each_chart_downloads_as_csv(world: StaffWorld) -> None:
    await login(world.client, "ada")
    response = await world.client.get(f"/console/reports/roll-rates.csv?{PERIOD}")
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(await response.text())))
    assert rows[0][1:] == ["current", "1-30", "31-60", "61-90", "91+", "paid_off"]
    assert rows[2] == ["1-30", "1", "0", "1", "0", "0", "0"]
    funnel = await world.client.get(f"/console/reports/contact-funnel.csv?{PERIOD}&by=tier")
    funnel_rows = list(csv.reader(io.StringIO(await funnel.text())))
    assert funnel_rows[0] == ["group", "sent", "delivered", "replied", "promised", "kept"]
    assert funnel_rows[1:] == [["B", "3", "2", "0", "1", "1"], ["C", "1", "1", "1", "1", "0"]]
    missing = await world.client.get(f"/console/reports/pie.csv?{PERIOD}")
    assert missing.status == 404


async def test_agents_and_complaints_staff_get_403(world: StaffWorld) -> None:
    for who in ("amy", "cora"):
        await login(world.client, who)
        assert (await world.client.get("/console/reports")).status == 403
        assert (await world.client.get("/console/reports/risk.csv")).status == 403
        assert 'href="/console/reports"' not in await (await world.client.get("/console/")).text()


async def test_a_bad_period_is_a_400_page_saying_why(world: StaffWorld) -> None:
    await login(world.client, "sam")
    page = await world.client.get("/console/reports?since=2026-12-01&until=2026-11-01")
    assert page.status == 400 and "is after" in await page.text()


async def test_a_view_is_kept_for_the_day_and_computed_again_on_request(world: StaffWorld) -> None:
    from storage.models import Loan, Payment

    await login(world.client, "sam")
    first = await (await world.client.get(f"/console/reports?{PERIOD}&by=")).text()
    assert '<th scope="row">collected_amount.USD</th><td>50.00</td>' in first
    loan = await Loan.get(loan_id="L1")
    paid_at = world.clock.now.replace(year=2026, month=11, day=25)
    await Payment.create(loan=loan, payment_id="late-import", amount="10.00", paid_at=paid_at, recorded_at=paid_at)
    again = await (await world.client.get(f"/console/reports?{PERIOD}&by=")).text()
    assert '<th scope="row">collected_amount.USD</th><td>50.00</td>' in again  # the day's figures, kept
    fresh = await (await world.client.get(f"/console/reports?{PERIOD}&by=&fresh=1")).text()
    assert '<th scope="row">collected_amount.USD</th><td>60.00</td>' in fresh


async def test_the_pass_computes_the_default_view_ahead_once_a_day(world: StaffWorld) -> None:
    from scheduler.report import DashboardWarmup
    from storage.models import ReportCache

    warmup = DashboardWarmup(world.services.policy)
    assert await warmup(world.clock.now) == {"computed": 1}
    assert await warmup(world.clock.now) == {}
    kept = await ReportCache.all()
    assert len(kept) == 1 and kept[0].body["since"] == "2026-11-02" and len(kept[0].body["groups"]) >= 1


async def test_experiments_and_preview_pages(world: StaffWorld) -> None:
    await login(world.client, "sam")
    experiments = await world.client.get("/console/experiments")
    assert experiments.status == 200 and "No experiment in the policy" in await experiments.text()
    # The world's clock reads 2 December; L2's second installment is due 25 December, L4's 10 December.
    page = await world.client.get("/console/preview?date=2026-12-07")
    html = await page.text()
    assert page.status == 200 and 'id="preview-totals"' in html
    assert '<th scope="row">B4</th>' in html and "T-3" in html  # 10 December, three days ahead (New York)
    past = await world.client.get("/console/preview?date=2026-11-01")
    assert past.status == 400 and "in the past" in await past.text()
    await login(world.client, "amy")
    assert (await world.client.get("/console/preview")).status == 403
    assert (await world.client.get("/console/experiments")).status == 403
