"""The console in a real browser: Playwright driving Debian's Chromium (``apt-get install chromium``).

An agent logs in, opens the hardship queue, takes a case, reads the borrower's timeline, replies
and resolves it. The borrower's stand-in SMS provider receives the reply; the timeline then shows
the reply and the resolution. Screenshots of the queue and case pages go to ``artifacts/``
(``DUEBOT_ARTIFACTS`` moves them). Skipped, saying why, when Playwright or Chromium is missing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from storage.database import close_database, open_database
from tests.staff.conftest import NOW, PASSWORD, StaffWorld, borrower_wrote, make_staff_world, open_for, seed

CHROMIUM = os.environ.get("DUEBOT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Elements reaching past a 390 px screen (what a test says when a page scrolls sideways).
WIDER_THAN_A_PHONE = """[...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > 392)
    .map(e => `${e.tagName}.${e.className}#${e.id}`).slice(0, 15)"""
ARTIFACTS = Path(os.environ.get("DUEBOT_ARTIFACTS", Path(__file__).resolve().parents[2] / "artifacts"))

playwright_api = pytest.importorskip(
    "playwright.async_api",
    reason="browser test skipped: the playwright package is not installed (pip install -e .[dev])",
)
if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
    pytest.skip(
        f"browser test skipped: no Chromium at {CHROMIUM} (apt-get install chromium, or set DUEBOT_CHROMIUM)",
        allow_module_level=True,
    )


@pytest.fixture
async def served(sqlite_url: str) -> AsyncIterator[StaffWorld]:
    await open_database(sqlite_url)
    try:
        async for world in make_staff_world(sqlite_url):
            yield world
    finally:
        await close_database()


@pytest.fixture
def artifacts() -> Path:
    return ARTIFACTS


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[object]:
    async with playwright_api.async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a fresh --user-data-dir
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            yield context.pages[0] if context.pages else await context.new_page()
        finally:
            await context.close()


async def test_an_agent_works_a_hardship_case_in_the_browser(served: StaffWorld, page: object, artifacts: Path) -> None:
    from playwright.async_api import Page, expect

    assert isinstance(page, Page)
    world = served
    await seed(world)
    await open_for(world, "B2", "hardship", "earlier case", at=NOW - timedelta(hours=3))
    await borrower_wrote("B1", "I lost my job <and> need time", NOW - timedelta(minutes=15))
    case = await open_for(world, "B1", "hardship", "borrower wrote about losing their job", at=NOW - timedelta(days=2))
    await open_for(world, "B1", "overdue_30")  # another queue: not the agent's
    base = str(world.client.make_url("/")).rstrip("/")

    # Unauthenticated: the console sends the browser to the login form.
    await page.goto(f"{base}/console/")
    await expect(page).to_have_url(f"{base}/console/login?next=/console/")
    await page.fill("input[name=username]", "amy")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await expect(page).to_have_url(f"{base}/console/")

    # The hardship queue, with its SLA countdown; the overdue case leads.
    await page.click("nav.queues >> text=hardship")
    await expect(page.locator("h1")).to_have_text("Cases · hardship")
    rows = page.locator("table.cases tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.first).to_contain_text(case.reference)
    await expect(rows.first.locator("td.sla")).to_contain_text("overdue by")
    await expect(page.locator("table.cases")).not_to_contain_text("overdue 30")
    await page.screenshot(path=str(artifacts / "console-queue.png"), full_page=True)

    # Take next: the most urgent case, now the agent's.
    await page.click("#take-next")
    await expect(page).to_have_url(f"{base}/console/cases/{case.id}?note=taken")
    await expect(page.locator("#case-assignee")).to_have_text("amy")

    # The borrower's timeline, with their own words (escaped, shown as text).
    timeline = page.locator("#timeline")
    await expect(timeline).to_contain_text("I lost my job <and> need time")
    await expect(timeline).to_contain_text("Case opened")
    await expect(page.locator("#loans")).to_contain_text("special mention")

    # Reply on the borrower's channel.
    await page.fill("#reply-form textarea[name=text]", "We can pause reminders while you look for work.")
    await page.click("#reply-form button[type=submit]")
    await expect(page.locator("p.note")).to_have_text("Reply sent to the borrower's channel.")
    assert world.sms_to("+8613800138000") == [
        "【Northwind Finance】We can pause reminders while you look for work.\n回复TD退订"
    ]

    # Resolve; the timeline then shows the reply and the resolution.
    await page.select_option("#resolve-form select[name=outcome]", "plan_agreed")
    await page.fill("#resolve-form input[name=note]", "two-week pause agreed")
    await page.click("#resolve-form button[type=submit]")
    await expect(page.locator("#case-status")).to_have_text("resolved · plan agreed")
    outgoing = timeline.locator("li.message.out")
    await expect(outgoing).to_contain_text("We can pause reminders while you look for work.")
    await expect(outgoing).to_contain_text("sent")
    await expect(timeline.locator("li.kind-case-resolved")).to_contain_text("plan_agreed")
    await expect(timeline.locator("li.kind-case-resolved")).to_contain_text("staff:amy")
    await page.screenshot(path=str(artifacts / "console-case.png"), full_page=True)
    assert (artifacts / "console-queue.png").stat().st_size > 10_000
    assert (artifacts / "console-case.png").stat().st_size > 10_000


async def test_a_supervisor_reads_the_reports_dashboard(served: StaffWorld, page: object, artifacts: Path) -> None:
    from playwright.async_api import Page, expect

    from tests.reports.test_report_figures import build_book
    from tests.staff.conftest import make_staff

    assert isinstance(page, Page)
    world = served
    await build_book()
    await make_staff(world)
    base = str(world.client.make_url("/")).rstrip("/")
    await page.goto(f"{base}/console/login?next=/console/reports")
    await page.fill("input[name=username]", "sam")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await expect(page).to_have_url(f"{base}/console/reports")

    # Choose November, weekly, by tier, through the form.
    await page.fill("input[name=since]", "2026-11-01")
    await page.fill("input[name=until]", "2026-11-30")
    await page.select_option("select[name=every]", "week")
    await page.select_option("select[name=by]", "tier")
    await page.click("form.filters button[type=submit]")
    await expect(page.locator("h1")).to_contain_text("2026-11-01 to 2026-11-30")
    await expect(page.locator("section.chart svg")).to_have_count(6)
    heat = page.locator("#chart-roll-rates")
    await heat.locator("summary").click()
    await expect(heat.locator("table")).to_contain_text("31-60")
    box = await page.locator("#chart-overdue-and-cure svg").bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100  # drawn, not collapsed
    await page.screenshot(path=str(artifacts / "console-reports.png"), full_page=True)
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.screenshot(path=str(artifacts / "console-reports-phone.png"), full_page=True)
    scroll_width = await page.evaluate("document.documentElement.scrollWidth")
    wide = await page.evaluate(WIDER_THAN_A_PHONE)
    assert scroll_width <= 400, wide  # no sideways scrolling at a phone's width
    assert (artifacts / "console-reports.png").stat().st_size > 10_000


async def test_every_page_fits_a_phone(served: StaffWorld, page: object, artifacts: Path) -> None:
    from playwright.async_api import Page

    assert isinstance(page, Page)
    world = served
    await seed(world)
    case = await open_for(world, "B1", "complaint", "rude caller")
    await borrower_wrote("B1", "Your agent was rude to me on the phone", NOW - timedelta(minutes=5))
    base = str(world.client.make_url("/")).rstrip("/")
    await page.goto(f"{base}/console/login")
    await page.fill("input[name=username]", "sam")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    pages = {
        "queue": "/console/",
        "case": f"/console/cases/{case.id}",
        "borrower": "/console/borrowers/B1",
        "register": "/console/complaints",
        "search": "/console/search?q=Li",
    }
    too_wide = {}
    for width, height in ((1440, 900), (390, 844)):
        await page.set_viewport_size({"width": width, "height": height})
        for name, path in pages.items():
            await page.goto(f"{base}{path}")
            await page.screenshot(path=str(artifacts / f"console-{name}-{width}.png"), full_page=True)
            if width == 390:
                scroll = await page.evaluate("document.documentElement.scrollWidth")
                inner = await page.evaluate("window.innerWidth")
                if scroll > inner:
                    too_wide[name] = (scroll, await page.evaluate(WIDER_THAN_A_PHONE))
    assert too_wide == {}
    # On a phone the case's actions come before its timeline; a skip link leads to the content.
    await page.goto(f"{base}/console/cases/{case.id}")
    actions = await page.locator("#actions").bounding_box()
    timeline = await page.locator("#timeline").bounding_box()
    assert actions is not None and timeline is not None and actions["y"] < timeline["y"]
    assert await page.locator("a.skip-link").count() == 1
    # Every field of the case page has a label (the reply and note boxes too).
    unlabelled = await page.evaluate(
        """[...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea')]
           .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)"""
    )
    assert unlabelled == []
