"""Delivery receipts through the aiohttp app: ``POST /webhooks/twilio/status``, signed the way
Twilio signs (against DUEBOT_PUBLIC_BASE_URL + path), applied monotonically; an undelivered SMS
is tried again on Telegram by the next pass when the borrower has a usable chat."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.standins import twilio_signature
from bot.web import build_app
from storage.models import LogEntry, Message
from tests.dispatch.support import AUTH_TOKEN, FROM, NOW
from tests.flows.conftest import World

URL = "https://duebot.example/webhooks/twilio/status"
BOOK = (
    "B3,Ada Stone,+12125550100,,en,America/New_York,sms,L3,auto,USD,1,2026-12-10,350.00\n"
    "B8,Eve Park,+12125550188,888999,en,America/New_York,sms,L8,auto,USD,1,2026-12-10,80.00\n"
)
STATUSES = ["queued", "sending", "sent", "delivered", "undelivered", "failed", "accepted", "canceled", "read",
            "scheduled", "partially_delivered", "receiving", "received"]  # fmt: skip
# What a callback does to a message we recorded as "sent" (statuses only move forward).
AFTER_SENT = {"queued": "sent", "sending": "sent", "sent": "sent", "accepted": "sent", "scheduled": "sent",
              "receiving": "sent", "delivered": "delivered", "undelivered": "undelivered", "failed": "failed",
              "canceled": "canceled", "read": "read", "partially_delivered": "partially_delivered",
              "received": "received"}  # fmt: skip


@pytest.fixture
async def client(world: World) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    services = dataclasses.replace(world.services, clock=lambda: NOW + timedelta(minutes=5))
    async with TestClient(TestServer(build_app(services))) as test_client:
        yield test_client


def callback(sid: str, status: str, to: str, error: int | None = None) -> dict[str, str]:
    params = {"AccountSid": "AC" + "0" * 32, "ApiVersion": "2010-04-01", "MessageSid": sid, "SmsSid": sid,
              "MessageStatus": status, "SmsStatus": status, "To": to, "From": FROM}  # fmt: skip
    if error is not None:
        params["ErrorCode"] = str(error)
    return params


async def post(client: TestClient, params: dict[str, str], *, token: str = AUTH_TOKEN, url: str = URL) -> int:  # type: ignore[type-arg]
    headers = {"X-Twilio-Signature": twilio_signature(token, url, params)}
    response = await client.post("/webhooks/twilio/status", data=params, headers=headers)
    await response.read()
    return response.status


async def sent_sms(world: World, borrower_id: str = "B3") -> Message:
    await world.import_loans(BOOK)
    await world.tick(NOW)
    message = await Message.get(borrower__borrower_id=borrower_id)
    assert message.status == "sent" and message.channel == "sms" and message.provider_message_id
    return message


async def status_of(message: Message) -> str:
    return (await Message.get(id=message.id)).status


async def test_a_wrong_signature_is_refused_and_changes_nothing(world: World, client: TestClient) -> None:  # type: ignore[type-arg]
    message = await sent_sms(world)
    params = callback(message.provider_message_id or "", "delivered", "+12125550100")
    entries = await LogEntry.all().count()
    assert await post(client, params, token="not-the-auth-token") == 403
    assert await post(client, params, url="http://127.0.0.1/webhooks/twilio/status") == 403  # not the public URL
    tampered = {**params, "MessageStatus": "failed", "SmsStatus": "failed"}
    headers = {"X-Twilio-Signature": twilio_signature(AUTH_TOKEN, URL, params)}
    response = await client.post("/webhooks/twilio/status", data=tampered, headers=headers)
    assert response.status == 403
    response = await client.post("/webhooks/twilio/status", data=params)  # no signature at all
    assert response.status == 403
    assert await status_of(message) == "sent"
    assert await LogEntry.all().count() == entries
    assert await post(client, params) == 200  # the same callback, correctly signed
    assert await status_of(message) == "delivered"


async def test_callbacks_out_of_order_never_move_a_status_back(world: World, client: TestClient) -> None:  # type: ignore[type-arg]
    message = await sent_sms(world)
    sid = message.provider_message_id or ""
    assert await post(client, callback(sid, "delivered", "+12125550100")) == 200
    assert await post(client, callback(sid, "sent", "+12125550100")) == 200
    assert await post(client, callback(sid, "queued", "+12125550100")) == 200
    assert await status_of(message) == "delivered"
    kinds = await LogEntry.filter(chain="borrower:B3").values_list("kind", flat=True)
    assert kinds.count("message.delivered") == 1 and "message.sent" in kinds  # the dispatcher's own
    assert kinds.count("message.sent") == 1  # the late "sent" callback recorded nothing


async def test_racing_callbacks_end_on_the_final_status(world: World, client: TestClient) -> None:  # type: ignore[type-arg]
    message = await sent_sms(world)
    sid = message.provider_message_id or ""
    statuses = await asyncio.gather(
        *(post(client, callback(sid, s, "+12125550100")) for s in ("sent", "delivered", "queued", "sending"))
    )
    assert statuses == [200, 200, 200, 200]
    assert await status_of(message) == "delivered"


@pytest.mark.parametrize("status", STATUSES)
async def test_every_twilio_status_is_accepted(world: World, client: TestClient, status: str) -> None:  # type: ignore[type-arg]
    message = await sent_sms(world)
    assert await post(client, callback(message.provider_message_id or "", status, "+12125550100")) == 200
    assert await status_of(message) == AFTER_SENT[status]


async def test_unknown_message_and_malformed_callbacks(world: World, client: TestClient) -> None:  # type: ignore[type-arg]
    message = await sent_sms(world)
    assert await post(client, callback("SM" + "f" * 32, "delivered", "+12125550100")) == 200
    assert await post(client, callback(message.provider_message_id or "", "teleported", "+12125550100")) == 200
    assert await post(client, {"AccountSid": "AC" + "0" * 32, "MessageStatus": "delivered"}) == 400
    assert await status_of(message) == "sent"


async def test_undelivered_sms_is_retried_on_telegram_by_the_next_pass(world: World, client: TestClient) -> None:  # type: ignore[type-arg]
    message = await sent_sms(world, "B8")
    sid = message.provider_message_id or ""
    assert await post(client, callback(sid, "undelivered", "+12125550188", 30003)) == 200
    stored = await Message.get(id=message.id)
    assert (stored.status, stored.error_code) == ("undelivered", "twilio:30003")
    fallback = await Message.get(attempt_of=message.id)
    assert (fallback.channel, fallback.status, fallback.not_after) == ("telegram", "planned", message.not_after)
    assert await post(client, callback(sid, "failed", "+12125550188", 30003)) == 200  # no second fallback
    assert await Message.filter(attempt_of=message.id).count() == 1
    assert world.telegram_to(888999) == []

    summary = await world.tick(NOW + timedelta(minutes=10))
    assert summary.dispatch.outcomes == {"sent:telegram": 1}  # not held by the daily cap: same message
    assert len(world.telegram_to(888999)) == 1
    assert "$80.00" in world.telegram_to(888999)[0]
    assert len(world.sms_to("+12125550188")) == 1  # no second SMS
    fallback = await Message.get(id=fallback.id)
    assert (fallback.status, fallback.channel) == ("sent", "telegram")
    await world.tick(NOW + timedelta(hours=1))
    assert len(world.telegram_to(888999)) == 1


async def test_undelivered_sms_without_telegram_plans_nothing(world: World, client: TestClient) -> None:  # type: ignore[type-arg]
    message = await sent_sms(world, "B3")
    assert await post(client, callback(message.provider_message_id or "", "undelivered", "+12125550100", 30005)) == 200
    assert await Message.filter(attempt_of=message.id).count() == 0
    assert await status_of(message) == "undelivered"


async def test_a_receipt_that_overtakes_the_record_of_the_send_is_kept_and_applied(
    world: World,
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    from storage.models import PendingReceipt

    message = await sent_sms(world)
    sid = message.provider_message_id or ""
    # As if Twilio called back before our "sent" (with its provider id) had committed.
    await Message.filter(id=message.id).update(provider_message_id=None, status="sending")
    assert await post(client, callback(sid, "delivered", "+12125550100")) == 200
    assert await PendingReceipt.filter(provider_message_id=sid).count() == 1
    await Message.filter(id=message.id).update(provider_message_id=sid, status="sent")
    summary = await world.tick(NOW + timedelta(minutes=1))
    assert summary.receipts_applied == 1
    assert await status_of(message) == "delivered"
    assert not await PendingReceipt.filter(provider_message_id=sid).exists()
    kinds = await LogEntry.filter(chain="borrower:B3").values_list("kind", flat=True)
    assert "message.delivered" in kinds


async def test_a_receipt_for_a_message_we_never_sent_is_dropped_after_a_while(
    world: World,
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    from storage.models import PendingReceipt

    assert await post(client, callback("SM" + "9" * 32, "delivered", "+12125550100")) == 200
    await world.tick(NOW + timedelta(days=1))
    assert await PendingReceipt.all().count() == 1  # kept a while: it may still be ours
    await world.tick(NOW + timedelta(days=3))
    assert await PendingReceipt.all().count() == 0
