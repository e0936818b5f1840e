"""Provider errors through the real twilio and aiogram clients against the stand-ins: what is
retried (and when), what becomes ``unknown``, and that later passes respect ``next_attempt_at``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from storage.models import Message
from tests.dispatch.support import NOW, make_policy
from tests.flows.conftest import World, make_world

SMS_BOOK = "B3,Ada Stone,+12125550100,,en,America/New_York,sms,L3,auto,USD,1,2026-12-10,350.00\n"
TG_BOOK = "B7,Dan Roe,+12125550177,555777,en,America/New_York,telegram,L7,auto,USD,1,2026-12-10,70.00\n"
PHONE, CHAT = "+12125550100", 555777


@pytest.fixture
async def slow_world(db: str) -> AsyncIterator[World]:
    """Backoff long enough that a retry waits for a later pass instead of sleeping in this one."""
    async for w in make_world(db, make_policy(sending={"backoff_base_seconds": 60.0})):
        yield w


def telegram_sends(world: World) -> int:
    return len([r for r in world.telegram.requests if r.endpoint == "sendMessage"])


async def test_twilio_429_is_retried_within_the_pass_when_the_backoff_is_short(world: World) -> None:
    await world.import_loans(SMS_BOOK)
    world.twilio.rate_limit(PHONE, times=2)
    summary = await world.tick(NOW)
    assert len(world.twilio.creates()) == 3  # two 429s, then accepted
    assert len(world.twilio.messages) == 1  # Twilio created it once
    row = await Message.get(borrower__borrower_id="B3")
    assert (row.status, row.attempts, row.error_code) == ("sent", 3, None)
    assert row.provider_message_id in world.twilio.messages
    assert summary.dispatch.outcomes == {"sent:sms": 1}


async def test_twilio_429_with_a_long_backoff_waits_for_a_later_pass(slow_world: World) -> None:
    world = slow_world
    await world.import_loans(SMS_BOOK)
    world.twilio.rate_limit(PHONE, times=1)
    first = await world.tick(NOW)
    assert first.dispatch.outcomes == {"retry": 1}
    row = await Message.get(borrower__borrower_id="B3")
    assert (row.status, row.attempts, row.error_code, row.lease_owner) == ("planned", 1, "twilio:20429", None)
    assert row.next_attempt_at == NOW + timedelta(seconds=60)  # backoff_base * 2**0

    before = await world.tick(NOW + timedelta(seconds=59))  # not yet: next_attempt_at holds it
    assert before.dispatch.outcomes == {}
    assert len(world.twilio.creates()) == 1

    after = await world.tick(NOW + timedelta(seconds=60))
    assert after.dispatch.outcomes == {"sent:sms": 1}
    row = await Message.get(borrower__borrower_id="B3")
    assert (row.status, row.attempts) == ("sent", 2)
    assert row.sent_at == NOW + timedelta(seconds=60)
    assert len(world.twilio.creates()) == 2 and len(world.twilio.messages) == 1


async def test_twilio_429_every_time_fails_after_max_attempts(db: str) -> None:
    async for world in make_world(db, make_policy(sending={"max_attempts": 3})):
        await world.import_loans(SMS_BOOK)
        world.twilio.rate_limit(PHONE)
        summary = await world.tick(NOW)
        assert len(world.twilio.creates()) == 3
        row = await Message.get(borrower__borrower_id="B3")
        assert (row.status, row.error_code, row.guard_reason) == ("failed", "twilio:20429", "retries exhausted")
        assert summary.dispatch.outcomes == {"failed:sms": 1}
        await world.tick(NOW + timedelta(hours=1))
        assert len(world.twilio.creates()) == 3


@pytest.mark.parametrize("status", [500, 503])
async def test_twilio_5xx_is_unknown_after_exactly_one_request(world: World, status: int) -> None:
    await world.import_loans(SMS_BOOK)
    world.twilio.server_error(PHONE, status, times=1)
    summary = await world.tick(NOW)
    assert len(world.twilio.creates()) == 1
    row = await Message.get(borrower__borrower_id="B3")
    assert (row.status, row.error_code, row.sent_at) == ("unknown", f"twilio:{20500 if status == 500 else 20503}", NOW)
    assert row.counts_toward_caps
    assert summary.dispatch.outcomes == {"unknown": 1}
    for hours in (1, 2, 4):  # the stand-in would accept now; nothing is resent blindly
        await world.tick(NOW + timedelta(hours=hours))
    assert len(world.twilio.creates()) == 1


async def test_twilio_timeout_after_the_request_left_is_unknown_and_not_resent(world: World) -> None:
    await world.import_loans(SMS_BOOK)
    channel = world.scheduler.channels["sms"]
    channel._timeout = 0.3  # type: ignore[attr-defined]
    world.twilio.hang(PHONE, 1.0, times=1)  # then accepts: Twilio did create it
    await world.tick(NOW)
    row = await Message.get(borrower__borrower_id="B3")
    assert (row.status, row.error_code) == ("unknown", "timeout")
    await world.twilio.wait_for(lambda: len(world.twilio.messages) == 1, within=3, what="the late create")
    await world.tick(NOW + timedelta(hours=1))
    assert len(world.twilio.creates()) == 1


async def test_telegram_retry_after_short_is_waited_out_in_the_pass(world: World) -> None:
    await world.import_loans(TG_BOOK)
    world.telegram.retry_after(CHAT, 1, times=1)
    summary = await world.tick(NOW)
    assert telegram_sends(world) == 2
    assert len(world.telegram_to(CHAT)) == 2  # both requests were for the borrower's chat
    row = await Message.get(borrower__borrower_id="B7")
    assert (row.status, row.channel, row.attempts) == ("sent", "telegram", 2)
    assert summary.dispatch.outcomes == {"sent:telegram": 1}
    assert world.twilio.creates() == []  # a rate limit is no reason to fall back to SMS


async def test_telegram_retry_after_long_is_honoured_across_passes(world: World) -> None:
    await world.import_loans(TG_BOOK)
    world.telegram.retry_after(CHAT, 30, times=1)
    await world.tick(NOW)
    row = await Message.get(borrower__borrower_id="B7")
    assert (row.status, row.error_code) == ("planned", "telegram:429")
    assert row.next_attempt_at == NOW + timedelta(seconds=30)  # retry_after is a floor over the backoff
    await world.tick(NOW + timedelta(seconds=29))
    assert telegram_sends(world) == 1
    await world.tick(NOW + timedelta(seconds=30))
    assert telegram_sends(world) == 2
    assert (await Message.get(borrower__borrower_id="B7")).status == "sent"
    assert world.twilio.creates() == []


async def test_telegram_5xx_is_unknown_and_not_resent_on_sms(world: World) -> None:
    await world.import_loans(TG_BOOK)
    world.telegram.server_error(CHAT, times=1)
    await world.tick(NOW)
    row = await Message.get(borrower__borrower_id="B7")
    assert (row.status, row.channel) == ("unknown", "telegram")
    await world.tick(NOW + timedelta(hours=1))
    assert telegram_sends(world) == 1 and world.twilio.creates() == []


async def test_passes_at_chosen_instants_respect_the_send_window(world: World) -> None:
    await world.import_loans(SMS_BOOK)
    early = await world.tick(NOW - timedelta(hours=2))  # 08:00 in New York: planned, not yet due
    assert early.planned == 1 and early.dispatch.outcomes == {}
    row = await Message.get(borrower__borrower_id="B3")
    opens = NOW - timedelta(hours=1)  # 09:00 local
    assert (row.status, row.not_before, row.not_after) == ("planned", opens, NOW + timedelta(hours=10))
    await world.tick(opens - timedelta(seconds=1))
    assert world.twilio.creates() == []
    opened = await world.tick(opens)
    assert opened.dispatch.outcomes == {"sent:sms": 1}
    assert (await Message.get(id=row.id)).sent_at == opens


async def test_a_retry_due_after_the_window_closed_is_skipped_stale_not_sent_late(slow_world: World) -> None:
    world = slow_world
    await world.import_loans(SMS_BOOK)
    world.twilio.rate_limit(PHONE, times=1)
    closes = NOW + timedelta(hours=10)  # 20:00 in New York
    await world.tick(closes - timedelta(seconds=30))  # 429; the retry would be due after the close
    row = await Message.get(borrower__borrower_id="B3")
    assert row.status == "planned" and row.next_attempt_at == closes + timedelta(seconds=30)
    summary = await world.tick(closes + timedelta(seconds=30))
    assert summary.expired == 1
    row = await Message.get(id=row.id)
    assert (row.status, row.guard_rule) == ("skipped", "stale")
    assert len(world.twilio.creates()) == 1
