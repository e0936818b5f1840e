"""Issue 8, item 7: inbound that can never be handled is stored ``ignored`` with its reason (masked),
counted in /metrics and never retried; inbound that can be handled still is.
"""

# The fixtures come from the suites that own them (imported by name): their parameters shadow the imports.
# ruff: noqa: F811

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from bot.standins import twilio_signature
from bot.webhooks.screening import (
    EMPTY_UPDATE,
    FROM_NOT_A_PHONE,
    ID_OUT_OF_RANGE,
    MALFORMED_UPDATE,
    UNSUPPORTED_UPDATE,
    sms_ignored,
    telegram_ignored,
)
from bot.webhooks.telegram import accept_update
from storage.inbound import IGNORED, pending_inbound
from storage.models import Message
from tests.flows.conftest import AUTH_TOKEN
from tests.replies.conftest import CHATS, PHONES, PUBLIC, ReplyWorld
from tests.replies.conftest import world as reply_world  # noqa: F401  (webhooks, stand-ins, processor)

pytestmark = pytest.mark.faults

NOT_PHONES = [
    "not-a-phone",
    "whatsapp:+8613800138000",  # a WhatsApp address on the same Twilio number
    "+861380013800099999999",  # too long for E.164
    "12345",  # a short code
    "NORTHWIND",  # an alphanumeric sender
    "x" * 100,
]


async def _sms(world: ReplyWorld, sender: str, sid: str, body: str = "hello") -> Any:
    form = {"MessageSid": sid, "From": sender, "To": "+15005550006", "Body": body}
    signature = twilio_signature(AUTH_TOKEN, PUBLIC + "/webhooks/twilio/sms", form)
    response = await world.client.post("/webhooks/twilio/sms", data=form, headers={"X-Twilio-Signature": signature})
    await world.runtime.processor.drain()
    return response


def _message(world: ReplyWorld, **fields: Any) -> dict[str, Any]:
    """A private-chat message update from B3's chat, with ``fields`` replacing or removing parts."""
    update = world.message_update(CHATS["B3"], "hello")
    for name, value in fields.items():
        if value is None:
            update["message"].pop(name, None)
        else:
            update["message"][name] = value
    return update


async def _never_retried(world: ReplyWorld, row: Message) -> None:
    """An ignored row is never claimed: not by the sweep an hour later, not by anything pending."""
    world.clock.advance(hours=1)
    await world.runtime.processor.recover()
    await world.runtime.processor.drain()
    fresh = await Message.get(id=row.id)
    assert fresh.status == IGNORED and fresh.attempts == 0 and fresh.next_attempt_at is None
    assert row.id not in [getattr(r, "id", r) for r in await pending_inbound(world.clock())]


@pytest.mark.parametrize("sender", NOT_PHONES)
async def test_an_sms_whose_from_is_not_a_phone_number_is_stored_ignored_with_a_masked_reason(
    reply_world: ReplyWorld, sender: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = await _sms(reply_world, sender, "SM" + "e" * 32)
    assert response.status == 200  # Twilio hears success: there is nothing to retry
    [row] = await Message.filter(direction="in")
    assert (row.status, row.error_code, row.channel) == (IGNORED, FROM_NOT_A_PHONE, "sms")
    assert row.body == "hello" and row.address == sender[:64]  # the record keeps what came
    reason = row.payload["ignored"]
    assert "is not a phone number" in reason
    digits = "".join(ch for ch in sender if ch.isdigit())
    if len(digits) >= 6:
        assert digits not in reason  # masked
        ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(("bot", "scheduler", "storage")))
        assert "stored as ignored" in ours and digits not in ours
    assert reply_world.twilio.creates() == []  # nobody is answered
    await _never_retried(reply_world, row)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"chat": None}, MALFORMED_UPDATE),  # a message without its chat
        ({"date": None}, MALFORMED_UPDATE),  # … or its date
        ({"text": None, "sticker": {"file_id": "CAACAgIAAxkB"}}, MALFORMED_UPDATE),  # a bare sticker
        ({"chat": {"id": 2**70, "type": "private"}}, ID_OUT_OF_RANGE),  # a chat id past 64 bits
        ({"chat": {"id": str(2**70), "type": "private"}}, ID_OUT_OF_RANGE),  # … written as a string
        ({"from": {"id": -(2**63) - 1, "is_bot": False, "first_name": "B"}}, ID_OUT_OF_RANGE),
    ],
)
async def test_telegram_messages_that_cannot_be_read_are_stored_ignored(
    reply_world: ReplyWorld, change: dict[str, Any], code: str
) -> None:
    update = _message(reply_world, **change)
    assert (await reply_world.post_update(update)).status == 200
    [row] = await Message.filter(direction="in")
    assert (row.status, row.error_code, row.provider_event_id) == (IGNORED, code, f"tg:{update['update_id']}")
    assert row.payload["update"] == update and row.payload["ignored"]
    assert reply_world.telegram.calls("sendMessage") == []
    await _never_retried(reply_world, row)


@pytest.mark.parametrize(
    ("update", "code"),
    [
        (
            {
                "poll": {
                    "id": "5",
                    "question": "?",
                    "options": [],
                    "total_voter_count": 0,
                    "is_closed": False,
                    "is_anonymous": True,
                    "type": "regular",
                    "allows_multiple_answers": False,
                }
            },
            UNSUPPORTED_UPDATE,
        ),
        ({"poll": {"id": "5"}}, UNSUPPORTED_UPDATE),  # not even a valid poll: still just not ours
        ({"channel_post": {"message_id": 1, "date": 1, "chat": {"id": -100, "type": "channel"}}}, UNSUPPORTED_UPDATE),
        ({"something_new": {"x": 1}}, UNSUPPORTED_UPDATE),
        ({}, EMPTY_UPDATE),
    ],
)
async def test_telegram_updates_no_router_takes_are_stored_ignored(
    reply_world: ReplyWorld, update: dict[str, Any], code: str
) -> None:
    full = {"update_id": 777, **update}
    assert (await reply_world.post_update(full)).status == 200
    [row] = await Message.filter(direction="in")
    assert (row.status, row.error_code) == (IGNORED, code)
    await _never_retried(reply_world, row)


async def test_what_can_be_handled_still_is(reply_world: ReplyWorld) -> None:
    sticker = {
        "file_id": "CAACAgIAAxkB",
        "file_unique_id": "AgAD",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    }
    await reply_world.post_update(_message(reply_world, text=None, sticker=sticker))
    await reply_world.tg(CHATS["B3"], "how much do I owe")
    await reply_world.sms(PHONES["B1"], "我还欠多少钱")
    rows = await Message.filter(direction="in").order_by("id")
    assert [r.status for r in rows] == ["handled"] * 3
    assert rows[0].payload["nlu"]["intent"]  # the sticker's emoji was read as its text
    assert reply_world.telegram_to(CHATS["B3"]) and len(reply_world.sms_to(PHONES["B1"])) == 1


async def test_ignored_inbound_is_counted_in_metrics(reply_world: ReplyWorld) -> None:
    before = await (await reply_world.client.get("/metrics")).text()
    for reason in ("from_not_a_phone",):
        assert f'duebot_inbound_ignored_total{{channel="sms",reason="{reason}"}} 0' in before
    for reason in (EMPTY_UPDATE, UNSUPPORTED_UPDATE, MALFORMED_UPDATE, ID_OUT_OF_RANGE):
        assert f'duebot_inbound_ignored_total{{channel="telegram",reason="{reason}"}} 0' in before
    await _sms(reply_world, "whatsapp:+8613800138000", "SM" + "1" * 32)
    await _sms(reply_world, "12345", "SM" + "2" * 32)
    await _sms(reply_world, "12345", "SM" + "2" * 32)  # Twilio's retry: stored once, counted once
    await reply_world.post_update({"update_id": 901, "poll": {"id": "1"}})
    await reply_world.post_update(_message(reply_world, chat={"id": 2**70, "type": "private"}))
    await reply_world.sms(PHONES["B1"], "收到")  # handled: counted as inbound, not as ignored
    text = await (await reply_world.client.get("/metrics")).text()
    assert 'duebot_inbound_ignored_total{channel="sms",reason="from_not_a_phone"} 2' in text
    assert 'duebot_inbound_ignored_total{channel="telegram",reason="unsupported_update"} 1' in text
    assert 'duebot_inbound_ignored_total{channel="telegram",reason="id_out_of_range"} 1' in text
    assert 'duebot_inbound_ignored_total{channel="telegram",reason="malformed_update"} 0' in text
    assert 'duebot_inbound_total{channel="sms"} 3' in text
    assert "# TYPE duebot_inbound_ignored_total counter" in text


async def test_the_long_poller_path_stores_the_same_way(reply_world: ReplyWorld) -> None:
    """The poller stores what aiogram read (``accept_update``): a chat id past 64 bits is ignored there too."""
    from aiogram.types import Update

    raw = _message(reply_world, chat={"id": 2**70, "type": "private"})
    dumped = Update.model_validate(raw).model_dump(mode="json", exclude_none=True, by_alias=True)
    row, created = await accept_update(dumped, reply_world.clock())
    assert created and row.status == IGNORED and row.error_code == ID_OUT_OF_RANGE
    ok, _ = await accept_update(reply_world.message_update(CHATS["B3"], "hi"), reply_world.clock())
    assert ok.status == "received"


# --- the decisions themselves (pure) -------------------------------------------------------------


def test_sms_screening_takes_e164_numbers_only() -> None:
    for sender in ("+8613800138000", "+14155550123", "+447400123456", "+1234567"):
        assert sms_ignored({"From": sender}) is None, sender
    for sender in [*NOT_PHONES, "", "+0123456789", "+1 415 555 0123", "+123456", "\x00"]:
        ignored = sms_ignored({"From": sender})
        assert ignored is not None and ignored.code == FROM_NOT_A_PHONE, sender
    assert sms_ignored({"From": "tel:+8613800138000"}).reason == "From +86…00 is not a phone number in E.164 form"  # type: ignore[union-attr]


def test_telegram_screening_names_the_place_never_the_value() -> None:
    base = {"message_id": 1, "date": 1_700_000_000, "chat": {"id": 42, "type": "private"}, "text": "secret text"}
    assert telegram_ignored({"update_id": 1, "message": base}) is None
    assert telegram_ignored({"update_id": 2**70, "message": base}) is None  # the update id is only a key
    assert telegram_ignored({"update_id": 1, "edited_message": base}) is None  # handled (and left alone)
    missing = telegram_ignored({"update_id": 1, "message": {**base, "chat": None}})
    assert missing is not None and missing.reason == "not a valid Telegram message: message.chat (model_type)"
    wrong = telegram_ignored({"update_id": 1, "message": {**base, "text": 5, "date": "secret text"}})
    assert wrong is not None and wrong.code == MALFORMED_UPDATE and "secret" not in wrong.reason
    huge = telegram_ignored({"update_id": 1, "message": {**base, "chat": {"id": 2**70, "type": "private"}}})
    assert huge is not None and huge.reason == "message.chat.id is beyond a 64-bit integer"
    assert telegram_ignored({"update_id": 1, "my_chat_member": {"chat": {"id": 1}}}) is not None
    assert telegram_ignored({"update_id": 1, "inline_query": {"id": "1"}}).code == UNSUPPORTED_UPDATE  # type: ignore[union-attr]


@pytest.mark.parametrize("minutes", [0, 5, 60 * 24])
async def test_an_ignored_sms_stays_ignored_whatever_the_clock(reply_world: ReplyWorld, minutes: int) -> None:
    await _sms(reply_world, "NORTHWIND", "SM" + "9" * 32)
    reply_world.clock.advance(minutes=minutes)
    assert await pending_inbound(reply_world.clock() + timedelta(days=30)) == []
