"""The real aiogram Bot, driven through TelegramChannel against the Telegram stand-in.

aiogram's import takes seconds; Python imports it once per test session (first send here).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.channels import TelegramChannel
from bot.channels.telegram import parse_chat_id
from bot.standins import TelegramStandin
from scheduler.channel import (
    OutboundMessage,
    PermanentSendError,
    RateLimiter,
    RetryableSendError,
    SendError,
    UncertainSendError,
)
from tests.channels.support import BOT_TOKEN, FIXED_NOW, ROOT, telegram_channel

CHAT = "987654321"


def note(to: str = CHAT, text: str = "Reminder: USD 350.00 is due on 4 Dec.", html: bool = False) -> OutboundMessage:
    return OutboundMessage("reminder:L002:3:T-1", "telegram", to, text, parse_mode_html=html)


def test_importing_the_adapters_does_not_import_aiogram() -> None:
    code = "import sys, bot.channels, bot.standins; print('aiogram' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "False"


async def test_plain_send_posts_chat_id_and_text_without_parse_mode(
    telegram: TelegramChannel, telegram_standin: TelegramStandin
) -> None:
    receipt = await telegram.send(note())
    [request] = telegram_standin.requests
    assert request.path == f"/bot{BOT_TOKEN}/sendMessage"
    assert request.endpoint == "sendMessage"
    assert request.form["chat_id"] == CHAT
    assert request.form["text"] == "Reminder: USD 350.00 is due on 4 Dec."
    assert "parse_mode" not in request.form
    assert receipt.provider_message_id == f"{CHAT}:1"
    assert receipt.status == "sent"
    assert receipt.sent_at == FIXED_NOW


async def test_html_send_sets_parse_mode_and_ids_count_per_chat(
    telegram: TelegramChannel, telegram_standin: TelegramStandin
) -> None:
    first = await telegram.send(note(text="<b>Due today</b>: USD 350.00 &amp; fees", html=True))
    second = await telegram.send(note(text="second"))
    group = await telegram.send(note(to="-1001234567890", text="staff: case opened"))
    assert telegram_standin.requests[0].form["parse_mode"] == "HTML"
    assert telegram_standin.sent[0]["text"] == "Due today: USD 350.00 & fees"  # markup parsed
    assert [first.provider_message_id, second.provider_message_id] == [f"{CHAT}:1", f"{CHAT}:2"]
    assert group.provider_message_id == "-1001234567890:1"


@pytest.mark.parametrize(
    ("program", "error_class", "code", "effect"),
    [
        ("blocked", PermanentSendError, "telegram:403", "telegram_blocked"),
        ("chat_not_found", PermanentSendError, "telegram:400", "chat_not_found"),
        ("other_400", PermanentSendError, "telegram:400", None),
        ("server_error", UncertainSendError, "telegram:5xx", None),
        ("drop", UncertainSendError, "disconnected", None),
    ],
)
async def test_error_mapping_with_exactly_one_request(
    telegram: TelegramChannel,
    telegram_standin: TelegramStandin,
    program: str,
    error_class: type[SendError],
    code: str,
    effect: str | None,
) -> None:
    if program == "other_400":
        telegram_standin.bad_request(CHAT, "Bad Request: message is too long")
    else:
        getattr(telegram_standin, program)(CHAT)
    with pytest.raises(SendError) as caught:
        await telegram.send(note())
    assert type(caught.value) is error_class
    assert caught.value.code == code
    if isinstance(caught.value, PermanentSendError):
        assert caught.value.effect == effect
    assert len(telegram_standin.calls("sendMessage")) == 1


async def test_flood_control_is_retryable_with_retry_after(
    telegram: TelegramChannel, telegram_standin: TelegramStandin
) -> None:
    telegram_standin.retry_after(CHAT, 7, times=1)
    with pytest.raises(RetryableSendError) as caught:
        await telegram.send(note())
    assert caught.value.retry_after == 7.0
    receipt = await telegram.send(note())  # programmed once: the next one goes
    assert receipt.provider_message_id == f"{CHAT}:1"


async def test_unescaped_markup_is_refused_as_invalid_markup(
    telegram: TelegramChannel, telegram_standin: TelegramStandin
) -> None:
    with pytest.raises(PermanentSendError) as caught:
        await telegram.send(note(text="Dear Smith & <Sons>", html=True))
    assert caught.value.effect == "invalid_markup"
    assert not telegram_standin.sent


async def test_wrong_token_is_a_misconfigured_channel(telegram_standin: TelegramStandin) -> None:
    assert telegram_standin.base_url is not None
    channel = TelegramChannel("999:wrong", telegram_standin.base_url)
    try:
        with pytest.raises(PermanentSendError) as caught:
            await channel.send(note())
    finally:
        await channel.close()
    assert caught.value.effect == "channel_misconfigured"


async def test_connection_refused_is_retryable(closed_port: int) -> None:
    channel = telegram_channel(f"http://127.0.0.1:{closed_port}")
    try:
        with pytest.raises(RetryableSendError) as caught:
            await channel.send(note())
    finally:
        await channel.close()
    assert caught.value.code == "connect_failed"


async def test_connect_timeout_is_retryable(blackhole_port: int) -> None:
    channel = telegram_channel(f"http://127.0.0.1:{blackhole_port}", timeout=2.0, connect_timeout=0.2)
    try:
        with pytest.raises(RetryableSendError) as caught:
            await channel.send(note())
    finally:
        await channel.close()
    assert caught.value.code == "connect_timeout"


async def test_hanging_server_with_short_timeout_is_uncertain(telegram_standin: TelegramStandin) -> None:
    assert telegram_standin.base_url is not None
    telegram_standin.hang(CHAT, seconds=5)
    channel = telegram_channel(telegram_standin.base_url, timeout=0.3, connect_timeout=0.2)
    try:
        with pytest.raises(UncertainSendError) as caught:
            await channel.send(note())
    finally:
        await channel.close()
    assert caught.value.code == "timeout"
    assert len(telegram_standin.calls("sendMessage")) == 1


class RecordingLimiter(RateLimiter):
    def __init__(self) -> None:
        super().__init__(1000.0, per_key_rate=1000.0)
        self.keys: list[str | None] = []

    async def acquire(self, key: str | None = None, *, urgent: bool = False) -> float:
        self.keys.append(key)
        return await super().acquire(key, urgent=urgent)


async def test_each_send_is_paced_per_chat(telegram_standin: TelegramStandin) -> None:
    assert telegram_standin.base_url is not None
    limiter = RecordingLimiter()
    channel = TelegramChannel(BOT_TOKEN, telegram_standin.base_url, limiter=limiter)
    try:
        await channel.send(note())
        await channel.send(note(to="-42"))
    finally:
        await channel.close()
    assert limiter.keys == [CHAT, "-42"]


def test_parse_chat_id() -> None:
    assert parse_chat_id("987654321") == 987654321
    assert parse_chat_id("-1001234567890") == -1001234567890
    assert parse_chat_id("@lender_channel") == "@lender_channel"


async def test_warm_up_builds_the_bot_that_sends_use(
    telegram: TelegramChannel, telegram_standin: TelegramStandin
) -> None:
    await telegram.warm_up()
    bot = telegram.get_bot()
    assert bot.token == BOT_TOKEN
    await telegram.send(note())
    assert telegram.get_bot() is bot
    assert len(telegram_standin.calls("sendMessage")) == 1
