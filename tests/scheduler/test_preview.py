"""The preview of a day and what that day's passes then send are the same set of (borrower, tier,
channel), for a book of a few hundred borrowers in four zones with caps, pauses, opt-outs and
restrictions in play."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from scheduler.plan_step import PLAN_WATERMARK
from scheduler.preview import PreviewError, preview_day
from storage.models import Borrower, ContactPause, Message, Restriction
from storage.servicing import set_watermark
from tests.flows.conftest import World, fast_policy, make_world

DAY = date(2026, 12, 10)
ZONES = (("Asia/Shanghai", "+86138", "zh"), ("Asia/Kolkata", "+91987", "en"), ("Europe/London", "+44740", "en"),
         ("America/New_York", "+1212", "en"))  # fmt: skip
# Offsets (days from due date to DAY) of the default tiers, and one that is no tier (nothing goes).
OFFSETS = (-3, -1, 0, 1, 3, 7, 15, 30, 2)


@pytest.fixture
async def world(db: str) -> AsyncIterator[World]:
    async for w in make_world(db, fast_policy()):
        yield w


async def build(world: World, count: int = 240) -> None:
    rng = random.Random(11)
    rows = []
    for n in range(count):
        zone, prefix, locale = ZONES[n % len(ZONES)]
        digits = {"+86138": 8, "+91987": 7, "+44740": 7, "+1212": 7}[prefix]
        phone = f"{prefix}{5_000_000 + n:0{digits}d}" if prefix != "+1212" else f"+1212555{n:04d}"
        channel = "telegram" if n % 5 == 0 else "sms"
        chat = str(700000 + n) if n % 10 == 0 else ""  # half the Telegram fans have no chat: SMS it is
        for loan in range(1 + (n % 3 == 0)):  # a third have two loans: two tiers on one day meet the daily cap
            offset = rng.choice(OFFSETS)
            due = DAY - timedelta(days=offset)
            rows.append(
                f"B{n:03d},Name {n},{phone},{chat},{locale},{zone},{channel},L{n:03d}{loan},consumer,USD,1,"
                f"{due.isoformat()},{100 + n}.00\n"
            )
    await world.import_loans("".join(rows), now=datetime(2026, 11, 1, tzinfo=UTC))
    borrowers = {b.borrower_id: b for b in await Borrower.all()}
    at = datetime(2026, 12, 1, tzinfo=UTC)
    for n in range(count):
        b = borrowers[f"B{n:03d}"]
        if n % 11 == 0:
            await Borrower.filter(id=b.id).update(sms_opted_out=True)
        if n % 13 == 0:
            await Restriction.create(borrower=b, kind="cease", created_at=at, created_by="test")
        if n % 17 == 0:
            await ContactPause.create(borrower=b, reason="promise", start_date=DAY - timedelta(days=1),
                                      end_date=DAY, created_at=at)  # fmt: skip
        if n % 19 == 0:  # seven sends in the last week: the 7-day cap is full
            for d in range(7):  # 4-9 December, two on the 9th: seven in the seven local dates up to the 10th
                sent = datetime(2026, 12, min(4 + d, 9), 3 + d, tzinfo=UTC)
                await Message.create(borrower=b, direction="out", channel="sms", kind="overdue_early", tier="D+1",
                                     status="delivered", sent_at=sent, created_at=sent, updated_at=sent,
                                     idempotency_key=f"old:{b.borrower_id}:{d}", local_date=sent.date())  # fmt: skip


async def test_the_preview_is_what_the_day_then_sends(world: World) -> None:
    await build(world)
    before = datetime(2026, 12, 9, 15, 59, tzinfo=UTC)  # the day begins first in Shanghai, at 16:00 UTC
    await set_watermark(PLAN_WATERMARK, before)
    policy = world.services.policy
    preview = await preview_day(
        DAY, policy=policy, now=before, channels={"sms", "telegram"}, sending_enabled=True,
        has_variant=lambda kind, channel, locale, variant: False,
    )  # fmt: skip
    expected = {(i.borrower_id, i.tier, i.channel) for i in preview.items if i.outcome == "send"}
    held = {i.rule for i in preview.items if i.outcome == "held"}
    assert held == {"opted_out", "restricted:cease", "paused:promise", "cap_daily", "cap_7_days"}
    assert len(expected) > 50 and len(preview.items) > len(expected)

    sent: set[tuple[str, str, str]] = set()
    now = before + timedelta(minutes=1)
    while now < datetime(2026, 12, 11, 6, tzinfo=UTC):  # the day ends last in New York
        summary = await world.tick(now)
        for event in summary.dispatch.events:
            if event.outcome == "sent" and event.message_key.endswith(DAY.isoformat()):
                sent.add((event.borrower_id, event.message_key.split(":")[2], event.channel or ""))
        now += timedelta(hours=1)
    assert sent == expected
    totals = preview.totals()
    assert totals["send"] == len(expected) and sum(totals["by_tier"].values()) == len(expected)


async def test_a_day_in_the_past_cannot_be_previewed(world: World) -> None:
    with pytest.raises(PreviewError, match="in the past"):
        await preview_day(
            date(2026, 12, 1), policy=world.services.policy, now=datetime(2026, 12, 5, tzinfo=UTC),
            channels={"sms"}, sending_enabled=True, has_variant=lambda kind, channel, locale, variant: False,
        )  # fmt: skip
