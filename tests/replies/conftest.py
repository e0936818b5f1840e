"""A world for borrower replies: the web app with its webhooks, the real twilio and aiogram clients
against local stand-ins, the inbound processor, the dispatcher, and a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.sms import TwilioSmsChannel
from bot.channels.telegram import TelegramChannel
from bot.conversation.runtime import InboundRuntime, start_inbound
from bot.services import Services
from bot.standins import TelegramStandin, TwilioStandin, twilio_signature
from bot.web import build_app
from bot.wiring import build_scheduler
from config.settings import Settings
from scheduler.channel import RateLimiter
from scheduler.promises import PromiseCheck
from storage.importer import import_loan_rows, import_payment_rows
from storage.interaction_log import InteractionLog
from storage.loanbook import parse_loans_csv, parse_payments_csv
from storage.models import Borrower, Case, Message
from tests.conftest import SECRET
from tests.flows.conftest import ACCOUNT_SID, AUTH_TOKEN, BOT_TOKEN, FROM, HEADER, fast_policy

PUBLIC = "https://duebot.example"
TG_SECRET = "tg-webhook-secret"
API_TOKEN = "api-token-1"
LENDER = "Northwind Finance"
CONTACT = "+1 800 555 0199"
# Wednesday 2 December 2026, 12:00 in Shanghai, 04:00 in London, 20:00 (Tue) in Los Angeles.
START = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)

BOOK = (
    "B1,Li Wei,+8613800138000,,zh,Asia/Shanghai,sms,L1,consumer,CNY,1,2026-12-10,1200.00\n"
    "B2,Tom Hale,+447400123456,,en,Europe/London,sms,L2,card,GBP,1,2026-12-10,80.50\n"
    "B3,Ana Ruiz,+14155550123,987654321,en,America/Los_Angeles,telegram,L3,auto,USD,1,2026-12-10,350.00\n"
    "B4,Wang Fang,+8613900139000,555000111,zh,Asia/Shanghai,telegram,L4,consumer,CNY,1,2026-12-10,800.00\n"
    "B5,Sam Lee,+12125550100,,en,America/New_York,sms,L5,card,USD,1,2026-12-10,60.00\n"
    "B6,Kim Lee,+12125550100,,en,America/New_York,sms,L6,card,USD,1,2026-12-12,75.00\n"
)
PHONES = {"B1": "+8613800138000", "B2": "+447400123456", "B3": "+14155550123", "B4": "+8613900139000"}
CHATS = {"B3": 987654321, "B4": 555000111}


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Notified:
    calls: list[tuple[str, str, bool]] = field(default_factory=list)

    async def __call__(self, case: Case, created: bool) -> None:
        self.calls.append((case.kind, case.queue, created))


@dataclass
class ReplyWorld:
    services: Services
    clock: Clock
    client: TestClient  # type: ignore[type-arg]
    twilio: TwilioStandin
    telegram: TelegramStandin
    runtime: InboundRuntime
    notified: Notified
    kick_calls: list[datetime]
    sids: int = 0
    updates: int = 1000

    # --- driving -----------------------------------------------------------------------------

    async def sms(self, phone: str, body: str, *, sid: str | None = None, **extra: str) -> Any:
        """A signed inbound SMS through the webhook; waits until it is handled and answered."""
        self.sids += 1
        params = {
            "MessageSid": sid or f"SM{self.sids:032d}",
            "AccountSid": ACCOUNT_SID,
            "From": phone,
            "To": FROM,
            "Body": body,
            "NumMedia": "0",
            **extra,
        }
        signature = twilio_signature(AUTH_TOKEN, PUBLIC + "/webhooks/twilio/sms", params)
        response = await self.client.post(
            "/webhooks/twilio/sms", data=params, headers={"X-Twilio-Signature": signature}
        )
        await self.runtime.processor.drain()
        return response

    async def post_update(self, update: dict[str, Any], secret: str = TG_SECRET) -> Any:
        response = await self.client.post(
            "/webhooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
        )
        await self.runtime.processor.drain()
        return response

    def message_update(self, chat_id: int, text: str | None = None, **fields: Any) -> dict[str, Any]:
        self.updates += 1
        message: dict[str, Any] = {
            "message_id": self.updates,
            "date": int(self.clock().timestamp()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Borrower"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Borrower", "language_code": "en"},
            **fields,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split(maxsplit=1)[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"update_id": self.updates, "message": message}

    async def tg(self, chat_id: int, text: str) -> Any:
        """A borrower's Telegram message through the webhook route."""
        return await self.post_update(self.message_update(chat_id, text))

    async def tick(self, when: datetime) -> Any:
        self.clock.now = when
        scheduler = self.runtime_scheduler
        return await scheduler.servicing.run(when)

    runtime_scheduler: Any = None

    # --- reading -----------------------------------------------------------------------------

    def sms_to(self, phone: str) -> list[str]:
        return self.twilio.bodies_to(phone)

    def telegram_to(self, chat_id: int | str) -> list[str]:
        return self.telegram.texts_to(chat_id)

    async def borrower(self, borrower_id: str) -> Borrower:
        return await Borrower.get(borrower_id=borrower_id)

    async def replies(self, borrower_id: str | None = None) -> list[Message]:
        query = Message.filter(direction="out", idempotency_key__startswith="reply:")
        if borrower_id is not None:
            query = query.filter(borrower__borrower_id=borrower_id)
        return await query.order_by("id")

    async def cases(self, borrower_id: str | None = None, kind: str | None = None) -> list[Case]:
        query = Case.all()
        if borrower_id is not None:
            query = query.filter(borrower__borrower_id=borrower_id)
        if kind is not None:
            query = query.filter(kind=kind)
        return await query.order_by("id")

    async def api(self, path: str) -> Any:
        response = await self.client.get(path, headers={"Authorization": f"Bearer {API_TOKEN}"})
        return response.status, await response.json()

    async def say(self, borrower_id: str, channel: str, text: str) -> Any:
        if channel == "sms":
            return await self.sms(PHONES[borrower_id], text)
        return await self.tg(CHATS[borrower_id], text)

    def answers_to(self, borrower_id: str, channel: str) -> list[str]:
        return self.sms_to(PHONES[borrower_id]) if channel == "sms" else self.telegram_to(CHATS[borrower_id])

    async def reset(self) -> None:
        """An empty database with the loan book again, clean stand-ins, the clock at START: a fresh
        world for the next transcript without paying for a new one."""
        await wipe_database()
        await load_book(self.services)
        for standin in (self.twilio, self.telegram):
            standin.clear_requests()
        self.twilio.messages.clear()
        self.telegram.sent.clear()
        self.clock.now = START
        self.notified.calls.clear()
        self.kick_calls.clear()

    async def log_kinds(self, borrower_id: str | None) -> list[str]:
        from storage.chain import chain_for
        from storage.models import LogEntry

        return list(await LogEntry.filter(chain=chain_for(borrower_id)).order_by("seq").values_list("kind", flat=True))

    async def import_payment(self, line: str) -> None:
        parsed = parse_payments_csv("payment_id,loan_id,amount,paid_at\n" + line)
        assert parsed.errors == [], parsed.errors
        await import_payment_rows(parsed.rows, now=self.clock(), log=self.services.log)


async def _close_quickly(channel: TelegramChannel) -> None:
    # aiogram's session close waits 250 ms for TLS connections to wind down; the stand-in speaks
    # plain HTTP, so closing the HTTP session first skips a quarter second per test.
    bot = channel._bot
    inner = getattr(bot.session, "_session", None) if bot is not None else None
    if inner is not None:
        await inner.close()


async def wipe_database() -> None:
    from tortoise import Tortoise

    from storage.database import connection

    conn = connection()
    tables = [m._meta.db_table for m in Tortoise.apps["models"].values() if m._meta.db_table != "schema_meta"]
    if conn.capabilities.dialect == "postgres":
        await conn.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        return
    statements = ";".join(f'DELETE FROM "{t}"' for t in tables)
    await conn.execute_script(f"PRAGMA foreign_keys = OFF;{statements};PRAGMA foreign_keys = ON")


async def load_book(services: Services) -> None:
    parsed = parse_loans_csv(HEADER + BOOK)
    assert parsed.errors == []
    await import_loan_rows(parsed.rows, now=START - timedelta(days=30), log=services.log)


async def make_reply_world(db: str, *, start_runtime: bool = True, **overrides: Any) -> AsyncIterator[ReplyWorld]:
    twilio = TwilioStandin(ACCOUNT_SID, AUTH_TOKEN, auto_callbacks=False)
    telegram = TelegramStandin(BOT_TOKEN, max_long_poll=0.2)
    policy = overrides.pop("policy", None) or fast_policy()
    async with twilio.running(), telegram.running():
        settings: dict[str, Any] = {
            "database_url": db,
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_auth_token": AUTH_TOKEN,
            "twilio_from": FROM,
            "twilio_api_base": twilio.base_url,
            "telegram_bot_token": BOT_TOKEN,
            "telegram_api_base": telegram.base_url,
            "telegram_webhook_secret": TG_SECRET,
            "public_base_url": PUBLIC,
            "api_token": API_TOKEN,
            "secret_key": "k" * 32,
            "lender_name": LENDER,
            "lender_contact": CONTACT,
            **overrides,
        }
        clock = Clock(START)
        services = Services(
            settings=Settings(**settings), policy=policy, log=InteractionLog(SECRET), clock=clock, lease_clock=clock
        )
        # Real clients, unthrottled: Telegram's one-message-a-second per chat would make every
        # two-turn transcript wait a second.
        channels = {
            "sms": TwilioSmsChannel(ACCOUNT_SID, AUTH_TOKEN, FROM, api_base=twilio.base_url, per_second=1000.0),
            "telegram": TelegramChannel(
                BOT_TOKEN, api_base=telegram.base_url, limiter=RateLimiter(1000.0, per_key_rate=1000.0)
            ),
        }
        notified = Notified()
        promise_check = PromiseCheck(services.policy, services.log, notified)
        scheduler = build_scheduler(services, channels=channels, follow_ups=[("promises", promise_check)])
        await load_book(services)
        kicks: list[datetime] = []

        async def kick(now: datetime) -> object:
            kicks.append(now)
            return await scheduler.dispatcher.run(now)

        app = build_app(services)
        async with TestClient(TestServer(app)) as client:
            runtime = (
                await start_inbound(
                    app,
                    services,
                    kick=kick,
                    channels=scheduler.channels,
                    notify=notified,
                    poll=False,
                    sweep_seconds=3600,
                )
                if start_runtime
                else None
            )
            world = ReplyWorld(services, clock, client, twilio, telegram, runtime, notified, kicks)  # type: ignore[arg-type]
            world.runtime_scheduler = scheduler
            try:
                yield world
            finally:
                if world.runtime is not None:
                    await world.runtime.close()
                await _close_quickly(channels["telegram"])
                await scheduler.close()


@pytest.fixture
async def world(db: str) -> AsyncIterator[ReplyWorld]:
    async for w in make_reply_world(db):
        yield w
