"""The inbound webhooks: verified, stored before the 200, duplicates ignored, crash-safe."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.conversation import processor as processor_module
from bot.standins import twilio_signature
from bot.webhooks.slot import INBOUND
from storage.models import LogEntry, Message, Promise
from tests.flows.conftest import AUTH_TOKEN
from tests.replies.conftest import CHATS, PHONES, PUBLIC, TG_SECRET, ReplyWorld, make_reply_world

TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


async def _counts() -> tuple[int, int]:
    return await Message.all().count(), await LogEntry.all().count()


@pytest.mark.parametrize("signature", [None, "", "bm90IHRoZSBzaWduYXR1cmU=", "wrong-url"])
async def test_a_wrong_twilio_signature_is_refused_and_leaves_no_trace(
    world: ReplyWorld, signature: str | None
) -> None:
    before = await _counts()
    params = {"MessageSid": "SM" + "1" * 32, "From": PHONES["B1"], "To": "+15005550006", "Body": "我周五还"}
    headers = {}
    if signature == "wrong-url":  # signed for another URL than DUEBOT_PUBLIC_BASE_URL + path
        headers["X-Twilio-Signature"] = twilio_signature(AUTH_TOKEN, "http://127.0.0.1/webhooks/twilio/sms", params)
    elif signature is not None:
        headers["X-Twilio-Signature"] = signature
    response = await world.client.post("/webhooks/twilio/sms", data=params, headers=headers)
    await world.runtime.processor.drain()
    assert response.status == 403
    assert await _counts() == before
    assert world.twilio.creates() == []


async def test_an_sms_is_answered_with_empty_twiml_and_the_same_sid_again_changes_nothing(world: ReplyWorld) -> None:
    first = await world.sms(PHONES["B1"], "我周五还", sid="SM" + "a" * 32)
    assert first.status == 200
    assert first.headers["Content-Type"].startswith("text/xml")
    assert await first.text() == TWIML
    state = (await _counts(), await Promise.all().count(), len(world.twilio.creates()))
    again = await world.sms(PHONES["B1"], "我周五还", sid="SM" + "a" * 32)
    assert again.status == 200 and await again.text() == TWIML
    assert (await _counts(), await Promise.all().count(), len(world.twilio.creates())) == state
    assert state[1:] == (1, 1)


async def test_the_signature_covers_the_query_string_as_received(world: ReplyWorld) -> None:
    params = {"MessageSid": "SM" + "b" * 32, "From": PHONES["B2"], "To": "+15005550006", "Body": "HELP"}
    url = PUBLIC + "/webhooks/twilio/sms?tenant=north"
    response = await world.client.post(
        "/webhooks/twilio/sms?tenant=north",
        data=params,
        headers={"X-Twilio-Signature": twilio_signature(AUTH_TOKEN, url, params)},
    )
    await world.runtime.processor.drain()
    assert response.status == 200
    assert len(world.sms_to(PHONES["B2"])) == 1


async def test_the_answer_goes_out_through_the_rest_api_at_once(world: ReplyWorld) -> None:
    await world.sms(PHONES["B2"], "how much do I owe")
    [create] = world.twilio.creates()
    assert create.form["To"] == PHONES["B2"] and "£80.50" in create.form["Body"]
    assert world.kick_calls == [world.clock()]


@pytest.mark.parametrize("secret", [None, "", "tg-webhook-secreT", "x" * 64])
async def test_a_wrong_telegram_secret_is_refused_and_leaves_no_trace(world: ReplyWorld, secret: str | None) -> None:
    before = await _counts()
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    update = world.message_update(CHATS["B3"], "I lost my job")
    response = await world.client.post("/webhooks/telegram", json=update, headers=headers)
    await world.runtime.processor.drain()
    assert response.status == 403
    assert await _counts() == before


async def test_a_telegram_update_id_seen_before_is_ignored(world: ReplyWorld) -> None:
    update = world.message_update(CHATS["B3"], "how much do I owe")
    assert (await world.post_update(update)).status == 200
    assert (await world.post_update(update)).status == 200
    assert len(world.telegram_to(CHATS["B3"])) == 1
    assert await Message.filter(direction="in").count() == 1


async def test_malformed_telegram_bodies_are_refused(world: ReplyWorld) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
    for body in ("not json", "[1, 2]", '{"message": {}}'):
        response = await world.client.post("/webhooks/telegram", data=body, headers=headers)
        assert response.status == 400, body
    assert await Message.all().count() == 0


async def test_the_webhook_is_set_with_our_secret_and_the_stand_in_delivers_through_it(world: ReplyWorld) -> None:
    [call] = world.telegram.calls("setWebhook")
    assert call.form["url"] == PUBLIC + "/webhooks/telegram"
    assert call.form["secret_token"] == TG_SECRET
    # Point the stand-in at the test server: Telegram posts, we store, answer 200, then handle.
    world.telegram.webhook_url = str(world.client.make_url("/webhooks/telegram"))
    world.telegram.queue_message(CHATS["B4"], "我还欠多少钱")
    [delivery] = await world.telegram.wait_for_webhook_deliveries(1)
    assert delivery.http_status == 200
    await world.runtime.processor.drain()
    [answer] = world.telegram_to(CHATS["B4"])
    assert "¥800.00" in answer


async def test_group_chats_and_edits_are_stored_and_left_alone(world: ReplyWorld) -> None:
    group = world.message_update(-100123, "STOP")
    group["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "Staff"}
    edit = world.message_update(CHATS["B3"], "STOP")
    edit["edited_message"] = edit.pop("message")
    for update in (group, edit):
        assert (await world.post_update(update)).status == 200
    rows = await Message.filter(direction="in").order_by("id")
    assert [(r.status, r.kind) for r in rows] == [("handled", "telegram_update"), ("handled", "telegram_update")]
    assert all(r.payload.get("ignored") == "no handler" for r in rows)
    assert not (await world.borrower("B3")).telegram_opted_out
    assert world.telegram.calls("sendMessage") == []


async def test_a_message_stored_before_the_processor_runs_is_handled_at_start(db: str) -> None:
    async for world in make_reply_world(db):
        slot = world.client.app[INBOUND]  # type: ignore[index]
        processor, slot.processor = slot.processor, None  # as if the process died right after the 200
        response = await world.sms(PHONES["B1"], "我周五还")
        assert response.status == 200
        assert [m.status for m in await Message.filter(direction="in")] == ["received"]
        assert world.twilio.creates() == []
        slot.processor = processor
        assert await processor.recover() == 1  # what start-up does
        assert [m.status for m in await Message.filter(direction="in")] == ["handled"]
        assert len(world.sms_to(PHONES["B1"])) == 1
        assert await processor.recover() == 0


async def test_a_message_abandoned_mid_handling_is_taken_over_once_its_lease_expires(world: ReplyWorld) -> None:
    slot = world.client.app[INBOUND]  # type: ignore[index]
    processor, slot.processor = slot.processor, None
    await world.sms(PHONES["B2"], "how much do I owe")
    row = await Message.get(direction="in")
    lease_until = world.clock() + timedelta(seconds=60)
    await Message.filter(id=row.id).update(status="handling", lease_owner="dead-host:1", lease_until=lease_until)
    assert await processor.recover() == 0  # the other process may still be working on it
    world.clock.advance(seconds=61)
    assert await processor.recover() == 1
    assert (await Message.get(id=row.id)).status == "handled"
    assert len(world.sms_to(PHONES["B2"])) == 1


async def test_a_failing_message_is_retried_later_then_given_up_and_logged(
    world: ReplyWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = world.runtime.processor.service
    calls: list[int] = []

    async def broken(row: Message, owner: str) -> Any:
        calls.append(row.id)
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(service, "handle_sms", broken)
    await world.sms(PHONES["B2"], "how much do I owe")
    row = await Message.get(direction="in")
    assert (row.status, row.attempts, row.error_code) == ("received", 1, "RuntimeError")
    assert await world.runtime.processor.recover() == 0  # not due yet
    for _ in range(processor_module.MAX_ATTEMPTS - 1):
        world.clock.advance(seconds=600)
        await world.runtime.processor.recover()
    row = await Message.get(id=row.id)
    assert (row.status, row.attempts) == ("failed", processor_module.MAX_ATTEMPTS)
    assert len(calls) == processor_module.MAX_ATTEMPTS
    assert "inbound.failed" in await world.log_kinds(None)
    monkeypatch.undo()
    world.clock.advance(seconds=600)
    assert await world.runtime.processor.recover() == 0  # failed is final: staff see it in the log


async def test_with_twilio_managing_opt_out_its_keywords_are_recorded_not_answered(db: str) -> None:
    async for world in make_reply_world(db, twilio_manages_opt_out=True):
        await world.sms(PHONES["B2"], "STOP", OptOutType="STOP")
        assert (await world.borrower("B2")).sms_opted_out is True
        await world.sms(PHONES["B2"], "HELP", OptOutType="HELP")
        await world.sms(PHONES["B2"], "start")
        assert (await world.borrower("B2")).sms_opted_out is False
        assert world.sms_to(PHONES["B2"]) == []  # Twilio answered all three itself
        await world.sms(PHONES["B2"], "please stop texting me")
        [confirmation] = world.sms_to(PHONES["B2"])
        assert "unsubscribed" in confirmation
        assert (await world.borrower("B2")).sms_opted_out is True
        # Telegram is not Twilio's: a STOP there is confirmed by us.
        await world.tg(CHATS["B3"], "STOP")
        assert len(world.telegram_to(CHATS["B3"])) == 1


async def test_inbound_messages_are_counted_in_metrics(world: ReplyWorld) -> None:
    await world.sms(PHONES["B1"], "收到")
    await world.sms(PHONES["B2"], "ok thanks")
    response = await world.client.get("/metrics")
    text = await response.text()
    assert 'duebot_inbound_total{channel="sms"} 2' in text
    assert 'duebot_inbound_total{channel="telegram"} 0' in text


async def test_an_oversized_telegram_update_is_refused_and_not_stored(world: ReplyWorld) -> None:
    from storage.models import Message

    update = world.message_update(CHATS["B3"], "x" * 300_000)
    response = await world.post_update(update)
    assert response.status == 413
    assert not await Message.filter(direction="in").exists()
