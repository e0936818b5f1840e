"""Reminders end to end: ticks at chosen instants drive the real twilio and aiogram clients
against local stand-ins; assertions are on the HTTP requests they made and on the record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from storage.models import Borrower, Message
from tests.flows.conftest import FROM, World

BOOK = (
    "B1,Li Wei,+8613800138000,,zh,Asia/Shanghai,sms,L1,consumer,CNY,1,2026-12-10,1200.00\n"
    "B2,Tom Hale,+447400123456,,en,Europe/London,sms,L2,card,GBP,1,2026-12-10,80.50\n"
    "B3,Ada Stone,+12125550100,,en,America/New_York,sms,L3,auto,USD,1,2026-12-10,350.00\n"
    "B4,Ana Ruiz,+14155550123,987654321,en,America/Los_Angeles,telegram,L4,auto,USD,1,2026-12-10,99.99\n"
)
ZONES = {"B1": "Asia/Shanghai", "B2": "Europe/London", "B3": "America/New_York", "B4": "America/Los_Angeles"}


async def hourly(world: World, start: datetime, end: datetime) -> None:
    now = start
    while now <= end:
        await world.tick(now)
        now += timedelta(hours=1)


async def sent_tiers(borrower_id: str) -> list[tuple[str, str, datetime]]:
    rows = await Message.filter(
        borrower__borrower_id=borrower_id, direction="out", status="sent", attempt_of__isnull=True
    ).order_by("sent_at")
    return [(m.tier or "", m.channel, m.sent_at) for m in rows if m.sent_at is not None]


async def test_each_borrower_gets_each_tier_once_at_a_decent_local_hour(world: World) -> None:
    await world.import_loans(BOOK)
    await hourly(world, datetime(2026, 12, 6, 0, tzinfo=UTC), datetime(2026, 12, 11, 0, tzinfo=UTC))
    for borrower_id, zone in ZONES.items():
        tiers = await sent_tiers(borrower_id)
        assert [t for t, _, _ in tiers] == ["T-3", "T-1", "T0"], borrower_id
        for tier, _, at in tiers:
            local = at.astimezone(ZoneInfo(zone))
            assert 9 <= local.hour < 20, (borrower_id, tier, local)
        expected_days = [datetime(2026, 12, d).date() for d in (7, 9, 10)]
        assert [at.astimezone(ZoneInfo(zone)).date() for _, _, at in tiers] == expected_days
    chinese = world.sms_to("+8613800138000")
    assert len(chinese) == 3
    assert all("回复TD退订" in body and "¥1,200.00" in body for body in chinese)
    for phone in ("+447400123456", "+12125550100"):
        bodies = world.sms_to(phone)
        assert len(bodies) == 3 and all(body.endswith("Reply STOP to opt out") for body in bodies)
    creates = world.twilio.creates()
    assert {r.form["From"] for r in creates} == {FROM}
    assert {r.form["StatusCallback"] for r in creates} == {"https://duebot.example/webhooks/twilio/status"}
    telegram = world.telegram_to(987654321)
    assert len(telegram) == 3 and all("$99.99" in text for text in telegram)
    assert world.sms_to("+14155550123") == []  # Telegram worked, so no SMS
    result = await world.services.log.verify()
    assert result.first_break is None and result.checked > 20


async def test_payment_between_tiers_stops_the_rest(world: World) -> None:
    await world.import_loans(BOOK)
    await hourly(world, datetime(2026, 12, 7, 0, tzinfo=UTC), datetime(2026, 12, 7, 23, tzinfo=UTC))
    assert [t for t, _, _ in await sent_tiers("B2")] == ["T-3"]
    await world.import_payments("P1,L2,80.50,2026-12-08T12:00:00Z\n", datetime(2026, 12, 8, 12, tzinfo=UTC))
    await hourly(world, datetime(2026, 12, 8, 0, tzinfo=UTC), datetime(2026, 12, 12, 0, tzinfo=UTC))
    assert [t for t, _, _ in await sent_tiers("B2")] == ["T-3"]
    assert len(world.sms_to("+447400123456")) == 1
    assert [t for t, _, _ in await sent_tiers("B3")][:3] == ["T-3", "T-1", "T0"]


async def test_down_on_the_t3_day_only_t1_goes_and_t3_is_recorded_stale(world: World) -> None:
    await world.import_loans(BOOK)
    await world.tick(datetime(2026, 12, 5, 12, tzinfo=UTC))  # a pass before the outage
    await hourly(world, datetime(2026, 12, 9, 0, tzinfo=UTC), datetime(2026, 12, 9, 23, tzinfo=UTC))
    assert [t for t, _, _ in await sent_tiers("B3")] == ["T-1"]
    stale = await Message.get(borrower__borrower_id="B3", tier="T-3")
    assert (stale.status, stale.guard_rule) == ("skipped", "stale")
    assert stale.sent_at is None


async def test_blocked_telegram_falls_back_to_sms_in_the_same_pass_then_goes_straight_to_sms(world: World) -> None:
    await world.import_loans(BOOK)
    world.telegram.blocked(987654321)
    await world.tick(datetime(2026, 12, 7, 18, tzinfo=UTC))  # 10:00 in Los Angeles on T-3
    assert len(world.sms_to("+14155550123")) == 1
    borrower = await Borrower.get(borrower_id="B4")
    assert borrower.telegram_usable is False
    telegram_calls = len([r for r in world.telegram.requests if r.endpoint == "sendMessage"])
    assert telegram_calls == 1  # the one refused attempt
    await world.tick(datetime(2026, 12, 9, 18, tzinfo=UTC))
    assert len(world.sms_to("+14155550123")) == 2
    assert len([r for r in world.telegram.requests if r.endpoint == "sendMessage"]) == 1  # not tried again
    failed = await Message.filter(borrower__borrower_id="B4", status="failed", channel="telegram").count()
    assert failed == 1


async def test_a_number_twilio_reports_unsubscribed_is_never_tried_again(world: World) -> None:
    await world.import_loans(BOOK)
    world.twilio.reject("+12125550100", 21610, 400)
    await world.tick(datetime(2026, 12, 7, 15, tzinfo=UTC))  # 10:00 New York
    assert (await Borrower.get(borrower_id="B3")).sms_opted_out is True
    tries = len([r for r in world.twilio.creates() if r.form.get("To") == "+12125550100"])
    assert tries == 1
    await hourly(world, datetime(2026, 12, 8, 0, tzinfo=UTC), datetime(2026, 12, 11, 0, tzinfo=UTC))
    assert len([r for r in world.twilio.creates() if r.form.get("To") == "+12125550100"]) == 1
    skipped = await Message.filter(borrower__borrower_id="B3", status="skipped").values_list("guard_rule", flat=True)
    assert skipped and all(rule in ("opted_out", "no_address", "channel_off") for rule in skipped)


async def test_kill_switch_holds_everything_back_and_records_why(db: str) -> None:
    from tests.flows.conftest import make_world

    async for world in make_world(db, sending_enabled=False):
        await world.import_loans(BOOK)
        summary = await world.tick(datetime(2026, 12, 7, 15, tzinfo=UTC))
        assert world.twilio.creates() == [] and world.telegram_to(987654321) == []
        held = await Message.filter(guard_rule="kill_switch").count()
        assert held >= 1
        assert summary.dispatch.rules.get("deferred:kill_switch", 0) >= 1
        # The window closes with the switch still off: the tier is skipped, never sent late.
        await world.tick(datetime(2026, 12, 8, 12, tzinfo=UTC))
        assert await Message.filter(borrower__borrower_id="B3", tier="T-3", status="skipped").exists()
