"""Fixtures: running stand-ins, adapters pointed at them, and sockets that refuse or ignore us."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.channels import TelegramChannel, TwilioSmsChannel
from bot.standins import TelegramStandin, TwilioStandin
from tests.channels.support import ACCOUNT_SID, AUTH_TOKEN, BOT_TOKEN, VirtualTime, sms_channel, telegram_channel


@pytest.fixture
async def twilio_standin() -> AsyncIterator[TwilioStandin]:
    standin = TwilioStandin(ACCOUNT_SID, AUTH_TOKEN)
    async with standin.running():
        yield standin


@pytest.fixture
async def telegram_standin() -> AsyncIterator[TelegramStandin]:
    standin = TelegramStandin(BOT_TOKEN, max_long_poll=0.2)
    async with standin.running():
        yield standin


@pytest.fixture
async def sms(twilio_standin: TwilioStandin) -> AsyncIterator[TwilioSmsChannel]:
    assert twilio_standin.base_url is not None
    channel = sms_channel(twilio_standin.base_url)
    yield channel
    await channel.close()


@pytest.fixture
async def telegram(telegram_standin: TelegramStandin) -> AsyncIterator[TelegramChannel]:
    assert telegram_standin.base_url is not None
    channel = telegram_channel(telegram_standin.base_url)
    yield channel
    await channel.close()


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def blackhole_port() -> Iterator[int]:
    """A port whose accept queue is full: connecting hangs (SYNs go unanswered), nothing is sent."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = int(server.getsockname()[1])
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(filler)
    time.sleep(0.05)
    try:
        yield port
    finally:
        for filler in fillers:
            filler.close()
        server.close()


@pytest.fixture
def vtime() -> VirtualTime:
    return VirtualTime()
