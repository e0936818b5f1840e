"""The stand-ins themselves: signed status callbacks, Twilio's answers, Telegram's minimal methods."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import pytest
from aiohttp import web
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.channels import TwilioSmsChannel
from bot.standins import TelegramStandin, TwilioStandin, running_standin, twilio_signature
from bot.standins.telegram import check_html
from bot.standins.twilio import CallbackStep
from scheduler.channel import OutboundMessage
from tests.channels.support import ACCOUNT_SID, AUTH_TOKEN, BOT_TOKEN

TO = "+14155550123"


@dataclass
class Receiver:
    """A webhook endpoint that records what the stand-ins post to it."""

    base_url: str = ""
    posts: list[tuple[str, dict[str, str], dict[str, str]]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.bodies.append(body)
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        self.posts.append((str(request.url), form, dict(request.headers)))
        return web.Response(text="")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/{tail:.*}", rec.handle)
    async with running_standin(app) as base_url:
        rec.base_url = base_url
        yield rec


async def send_via_adapter(standin: TwilioStandin, callback: str | None) -> str:
    assert standin.base_url is not None
    channel = TwilioSmsChannel(ACCOUNT_SID, AUTH_TOKEN, "+15005550006", standin.base_url, per_second=1000)
    try:
        receipt = await channel.send(OutboundMessage("k", "sms", TO, "hello", status_callback=callback))
    finally:
        await channel.close()
    return receipt.provider_message_id


async def test_status_callbacks_are_signed_for_twilios_request_validator(
    twilio_standin: TwilioStandin, receiver: Receiver
) -> None:
    callback = f"{receiver.base_url}/webhooks/twilio/status?attempt=3"
    twilio_standin.accept(TO, "sent", "delivered")
    sid = await send_via_adapter(twilio_standin, callback)
    await twilio_standin.wait_for_callbacks(2)

    validator = RequestValidator(AUTH_TOKEN)
    assert [form["MessageStatus"] for _, form, _ in receiver.posts] == ["sent", "delivered"]
    tokens = set()
    for url, form, headers in receiver.posts:
        assert url == callback  # the exact URL, query string included
        assert form["MessageSid"] == form["SmsSid"] == sid
        assert form["To"] == TO and form["AccountSid"] == ACCOUNT_SID
        assert validator.validate(url, form, headers["X-Twilio-Signature"])
        assert not validator.validate(url, {**form, "MessageStatus": "failed"}, headers["X-Twilio-Signature"])
        assert not RequestValidator("another-token").validate(url, form, headers["X-Twilio-Signature"])
        tokens.add(headers["I-Twilio-Idempotency-Token"])
    assert len(tokens) == 2
    assert all(delivery.http_status == 200 for delivery in twilio_standin.callbacks)
    assert twilio_standin.messages[sid].status == "delivered"


async def test_undelivered_with_error_code_and_out_of_order_arrival(
    twilio_standin: TwilioStandin, receiver: Receiver
) -> None:
    twilio_standin.accept(TO, ("undelivered", 30003), "sent")  # programmed out of order
    await send_via_adapter(twilio_standin, f"{receiver.base_url}/status")
    await twilio_standin.wait_for_callbacks(2)
    forms = [form for _, form, _ in receiver.posts]
    assert [f["MessageStatus"] for f in forms] == ["undelivered", "sent"]
    assert forms[0]["ErrorCode"] == "30003"
    assert "ErrorCode" not in forms[1]


async def test_no_callbacks_without_a_status_callback_url(twilio_standin: TwilioStandin) -> None:
    twilio_standin.accept(TO, "sent", "delivered")
    await send_via_adapter(twilio_standin, None)
    assert twilio_standin.callbacks == [] and twilio_standin.pending_callbacks == []


async def test_manual_callbacks_wait_for_flush(receiver: Receiver) -> None:
    standin = TwilioStandin(ACCOUNT_SID, AUTH_TOKEN, default_callbacks=("sent", "delivered"), auto_callbacks=False)
    async with standin.running():
        await send_via_adapter(standin, f"{receiver.base_url}/status")
        assert receiver.posts == [] and len(standin.pending_callbacks) == 2
        deliveries = await standin.flush_callbacks()
    assert [d.params["MessageStatus"] for d in deliveries] == ["sent", "delivered"]
    assert len(receiver.posts) == 2


async def test_unreachable_callback_url_is_recorded_not_raised(twilio_standin: TwilioStandin, closed_port: int) -> None:
    twilio_standin.accept(TO, CallbackStep("sent"))
    await send_via_adapter(twilio_standin, f"http://127.0.0.1:{closed_port}/status")
    [delivery] = await twilio_standin.wait_for_callbacks(1)
    assert delivery.http_status is None and delivery.error is not None


def test_signature_matches_twilios_own_computation() -> None:
    params = {"b": "2", "a": "1", "MessageStatus": "sent"}
    url = "https://example.com/status?x=1"
    assert twilio_signature(AUTH_TOKEN, url, params) == RequestValidator(AUTH_TOKEN).compute_signature(url, params)


async def test_twilio_answers_like_twilio(twilio_standin: TwilioStandin) -> None:
    base = twilio_standin.base_url
    url = f"{base}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, data={"To": TO, "From": "+15005550006", "Body": "x"}) as unauth:
            assert unauth.status == 401
            assert (await unauth.json())["code"] == 20003
        auth = {"Authorization": aiohttp.encode_basic_auth(ACCOUNT_SID, AUTH_TOKEN)}
        async with http.post(url, data={"To": TO, "From": "+15005550006"}, headers=auth) as no_body:
            assert no_body.status == 400 and (await no_body.json())["code"] == 21602
        async with http.post(url, data={"To": "0123", "From": "+15005550006", "Body": "x"}, headers=auth) as bad:
            assert bad.status == 400 and (await bad.json())["code"] == 21211
        async with http.post(url, data={"To": TO, "From": "+15005550006", "Body": "x"}, headers=auth) as ok:
            assert ok.status == 201
            created = await ok.json()
    assert created["status"] == "queued" and created["direction"] == "outbound-api"
    assert created["sid"].startswith("SM") and len(created["sid"]) == 34
    assert len(twilio_standin.creates()) == 4


async def test_real_client_can_fetch_what_was_created(twilio_standin: TwilioStandin, receiver: Receiver) -> None:
    twilio_standin.accept(TO, "sent")
    sid = await send_via_adapter(twilio_standin, f"{receiver.base_url}/status")
    await twilio_standin.wait_for_callbacks(1)
    http = AsyncTwilioHttpClient()
    try:
        client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=http, environment={})
        client.api.base_url = twilio_standin.base_url
        fetched = await client.messages(sid).fetch_async()
    finally:
        await http.close()
    assert fetched.sid == sid and fetched.status == "sent" and fetched.to == TO


async def test_telegram_minimal_methods_through_aiogram(telegram_standin: TelegramStandin, receiver: Receiver) -> None:
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    bot = Bot(BOT_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(str(telegram_standin.base_url))))
    try:
        me = await bot.get_me()
        assert me.id == 123456789 and me.username == telegram_standin.username

        telegram_standin.queue_message(42, "/start ABC123")
        [update] = await bot.get_updates(timeout=0)
        assert update.message is not None and update.message.text == "/start ABC123"
        assert update.message.entities is not None and update.message.entities[0].type == "bot_command"
        assert await bot.get_updates(offset=update.update_id + 1, timeout=1) == []  # long poll, then empty

        assert await bot.set_webhook(f"{receiver.base_url}/webhooks/telegram", secret_token="s3cret")
        telegram_standin.queue_message(42, "I will pay on Friday")
        [delivery] = await telegram_standin.wait_for_webhook_deliveries(1)
        assert delivery.http_status == 200
        assert receiver.posts[0][2]["X-Telegram-Bot-Api-Secret-Token"] == "s3cret"
        assert b"I will pay on Friday" in receiver.bodies[0]
        assert await bot.delete_webhook()

        assert await bot.send_chat_action(42, "typing")
        assert await bot.answer_callback_query("cb1")
    finally:
        await bot.session.close()
    endpoints = [r.endpoint for r in telegram_standin.requests]
    assert endpoints == [
        "getMe", "getUpdates", "getUpdates", "setWebhook", "deleteWebhook", "sendChatAction", "answerCallbackQuery",
    ]  # fmt: skip


async def test_telegram_unknown_method_and_json_bodies(telegram_standin: TelegramStandin) -> None:
    base = f"{telegram_standin.base_url}/bot{BOT_TOKEN}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/noSuchMethod") as missing:
            assert missing.status == 404 and (await missing.json())["ok"] is False
        async with http.post(f"{base}/sendMessage", json={"chat_id": 7, "text": "json body"}) as sent:
            assert (await sent.json())["result"]["chat"] == {"id": 7, "type": "private", "first_name": "Borrower"}
    assert telegram_standin.requests[-1].form == {"chat_id": "7", "text": "json body"}


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("<b>bold</b> and <i>it</i>", "bold and it"),
        ('<a href="https://x.example/p?a=1&amp;b=2">pay</a>', "pay"),
        ("5 &lt; 6 &amp;&amp; 7 &gt; 6", "5 < 6 && 7 > 6"),
    ],
)
def test_check_html_accepts_telegram_html(text: str, plain: str) -> None:
    assert check_html(text) == plain


@pytest.mark.parametrize("text", ["a < b", "Smith & Sons", "<b>open", "<script>x</script>", "<b><i>x</b></i>"])
def test_check_html_refuses_what_telegram_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="can't parse entities"):
        check_html(text)
