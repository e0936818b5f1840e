"""``GET /metrics``: Prometheus text from the totals every pass writes to the database."""

from __future__ import annotations

import re
from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer

from bot.web import build_app
from storage.models import Borrower, Message, Restriction
from tests.dispatch.support import NOW, plan_only
from tests.flows.conftest import World

BOOK = (
    "B1,Ada Stone,+12125550100,,en,America/New_York,sms,L1,auto,USD,1,2026-12-10,350.00\n"
    "B2,Bo Chan,+12125550102,,en,America/New_York,sms,L2,auto,USD,1,2026-12-10,20.00\n"
    "B3,Tom Hale,+12125550133,,en,America/New_York,sms,L3,card,USD,1,2026-12-10,80.50\n"
    "B7,Dan Roe,+12125550177,555777,en,America/New_York,telegram,L7,auto,USD,1,2026-12-10,70.00\n"
    "B9,Kai Lee,+14155550199,,en,America/Los_Angeles,sms,L9,auto,USD,1,2026-12-10,15.00\n"
)
SAMPLE = re.compile(r"^([a-z_]+)(\{[^}]*\})? (\d+)$")


async def scrape(world: World) -> dict[str, int]:
    async with TestClient(TestServer(build_app(world.services))) as client:
        response = await client.get("/metrics")
        assert response.status == 200
        assert response.content_type == "text/plain"
        text = await response.text()
    samples: dict[str, int] = {}
    for line in text.splitlines():
        if line.startswith("#"):
            assert re.match(r"^# (HELP|TYPE) [a-z_]+ .+$", line), line
            continue
        match = SAMPLE.match(line)
        assert match, f"not Prometheus text: {line!r}"
        samples[(match.group(1) + (match.group(2) or ""))] = int(match.group(3))
    return samples


async def test_metrics_count_sends_guard_decisions_and_stale_skips(world: World) -> None:
    await world.import_loans(BOOK)
    await plan_only(world.scheduler.servicing)
    b3 = await Borrower.get(borrower_id="B3")
    await Restriction.create(borrower=b3, kind="attorney", created_at=NOW - timedelta(days=1))
    world.twilio.server_error("+12125550102", times=1)
    await world.tick(NOW)
    # B9 (Los Angeles) is planned for 09:00 local; the kill switch is not on, but the service is
    # "down" until after its window closed: the next pass records the tier as a stale skip.
    await world.tick(NOW + timedelta(hours=14))

    metrics = await scrape(world)
    assert metrics['duebot_messages_total{channel="sms",outcome="sent"}'] == 1
    assert metrics['duebot_messages_total{channel="telegram",outcome="sent"}'] == 1
    assert metrics['duebot_messages_total{channel="sms",outcome="unknown"}'] == 1
    assert metrics['duebot_guard_decisions_total{decision="never",rule="restricted:attorney"}'] == 1
    assert metrics['duebot_guard_decisions_total{decision="never",rule="stale"}'] == 1
    assert metrics["duebot_stale_skips_total"] == 1
    assert metrics['duebot_outbox_messages{status="sent"}'] == 2
    assert metrics['duebot_outbox_messages{status="unknown"}'] == 1
    assert metrics['duebot_outbox_messages{status="skipped"}'] == 2
    assert metrics['duebot_outbox_messages{status="planned"}'] == 0


async def test_metrics_add_up_over_passes(world: World) -> None:
    await world.import_loans(BOOK)
    await world.tick(NOW)
    first = await scrape(world)
    assert first['duebot_messages_total{channel="sms",outcome="sent"}'] == 3
    await world.tick(NOW + timedelta(days=2))  # the T-1 day: the same borrowers again
    second = await scrape(world)
    assert second['duebot_messages_total{channel="sms",outcome="sent"}'] == 6
    assert second['duebot_messages_total{channel="telegram",outcome="sent"}'] == 2


async def test_every_series_of_the_readme_is_there_from_the_start(world: World) -> None:
    metrics = await scrape(world)  # an empty database: nothing has happened yet
    for channel in ("sms", "telegram"):
        for outcome in ("sent", "failed", "unknown"):
            assert metrics[f'duebot_messages_total{{channel="{channel}",outcome="{outcome}"}}'] == 0
        assert metrics[f'duebot_capacity_warnings_total{{channel="{channel}"}}'] == 0
    assert metrics["duebot_stale_skips_total"] == 0
    assert metrics['duebot_inbound_total{channel="sms"}'] == 0
    assert sum(v for k, v in metrics.items() if k.startswith("duebot_outbox_messages")) == 0


async def test_the_outbox_gauge_adds_up_whatever_the_receipts_said(world: World) -> None:
    await world.import_loans(BOOK)
    await world.tick(NOW)
    # A "read" receipt (WhatsApp-style, and Twilio's newer channels) is a state of its own.
    first = await Message.filter(borrower__borrower_id="B1", direction="out").first()
    assert first is not None
    await Message.filter(id=first.id).update(status="read")
    metrics = await scrape(world)
    outbox = {k: v for k, v in metrics.items() if k.startswith("duebot_outbox_messages")}
    assert outbox['duebot_outbox_messages{status="read"}'] == 1
    total = await Message.filter(direction="out").count()
    assert sum(outbox.values()) == total
