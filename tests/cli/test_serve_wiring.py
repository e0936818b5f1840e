"""``duebot serve`` as it is assembled: the app of ``build_app`` with the start-up context of
``service_context``, the real twilio and aiogram clients against stand-ins. Guards the composition
root itself: replies are handled, Telegram's webhook secret is checked, the staff chat hears of new
cases and a pass runs the follow-ups (escalations by days past due)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.commands.serve import service_context
from bot.services import Services
from bot.standins import TelegramStandin, TwilioStandin, twilio_signature
from bot.web import build_app
from bot.wiring import SCHEDULER, Scheduler
from config.settings import Settings
from storage.importer import import_loan_rows
from storage.interaction_log import InteractionLog
from storage.loanbook import parse_loans_csv
from storage.models import Case, Message, Promise
from tests.conftest import SECRET
from tests.flows.conftest import ACCOUNT_SID, AUTH_TOKEN, BOT_TOKEN, FROM, HEADER, fast_policy

PUBLIC = "https://duebot.example"
TG_SECRET = "tg-webhook-secret"
STAFF_CHAT = -100777
# Wednesday 2 December 2026, 12:00 in Shanghai.
NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
BOOK = (
    "B1,Li Wei,+8613800138000,,zh,Asia/Shanghai,sms,L1,consumer,CNY,1,2026-12-10,1200.00\n"
    "B3,Ana Ruiz,+14155550123,987654321,en,America/Los_Angeles,telegram,L3,auto,USD,1,2026-12-10,350.00\n"
    "B7,Old Debt,+447400123456,,en,Europe/London,sms,L7,card,GBP,1,2026-11-01,90.00\n"
)


@dataclass
class Served:
    client: TestClient  # type: ignore[type-arg]
    twilio: TwilioStandin
    telegram: TelegramStandin
    scheduler: Scheduler

    def telegram_to(self, chat_id: int) -> list[str]:
        return self.telegram.texts_to(chat_id)


async def eventually(check: object, within: float = 10.0) -> None:
    """Handling follows the webhook's 200 in the background: wait for its effect."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        if await check():  # type: ignore[operator]
            return
        if loop.time() > deadline:
            raise AssertionError(f"not within {within} s: {getattr(check, '__name__', check)}")
        await asyncio.sleep(0.05)


@pytest.fixture
async def served(sqlite_url: str) -> AsyncIterator[Served]:
    twilio = TwilioStandin(ACCOUNT_SID, AUTH_TOKEN, auto_callbacks=False)
    telegram = TelegramStandin(BOT_TOKEN, max_long_poll=0.2)
    async with twilio.running(), telegram.running():
        settings = Settings(
            database_url=sqlite_url,
            twilio_account_sid=ACCOUNT_SID,
            twilio_auth_token=AUTH_TOKEN,  # type: ignore[arg-type]
            twilio_from=FROM,
            twilio_api_base=twilio.base_url,
            telegram_bot_token=BOT_TOKEN,  # type: ignore[arg-type]
            telegram_api_base=telegram.base_url,
            telegram_webhook_secret=TG_SECRET,  # type: ignore[arg-type]
            staff_telegram_chat_id=STAFF_CHAT,
            public_base_url=PUBLIC,
            api_token="api-token",  # type: ignore[arg-type]
            secret_key="k" * 32,  # type: ignore[arg-type]
            lender_name="Northwind Finance",
        )
        services = Services(settings=settings, policy=fast_policy(), log=InteractionLog(SECRET), clock=lambda: NOW)
        app = build_app(services)
        app.cleanup_ctx.append(service_context(services, run_passes=False))
        async with TestClient(TestServer(app)) as client:
            parsed = parse_loans_csv(HEADER + BOOK)
            assert parsed.errors == []
            await import_loan_rows(parsed.rows, now=NOW - timedelta(days=40), log=services.log)
            yield Served(client, twilio, telegram, app[SCHEDULER])


async def test_serve_handles_a_signed_sms_reply_and_answers_it(served: Served) -> None:
    params = {"MessageSid": "SM" + "1" * 32, "AccountSid": ACCOUNT_SID, "From": "+8613800138000", "To": FROM,
              "Body": "我周五还"}  # fmt: skip
    signature = twilio_signature(AUTH_TOKEN, PUBLIC + "/webhooks/twilio/sms", params)
    response = await served.client.post("/webhooks/twilio/sms", data=params, headers={"X-Twilio-Signature": signature})
    assert response.status == 200

    async def promised() -> bool:
        return await Promise.filter(borrower__borrower_id="B1").exists()

    await eventually(promised)
    promise = await Promise.get(borrower__borrower_id="B1")
    assert promise.promised_date.isoformat() == "2026-12-04"  # the coming Friday in Shanghai

    async def confirmed() -> bool:
        return any(r.form.get("To") == "+8613800138000" for r in served.twilio.creates())

    await eventually(confirmed)
    [body] = served.twilio.bodies_to("+8613800138000")
    assert "12月4日" in body or "2026-12-04" in body, body


async def test_serve_checks_the_telegram_secret_and_tells_the_staff_chat_of_a_hardship_case(served: Served) -> None:
    # serve registered its webhook with Telegram, carrying the configured secret.
    hooks = [r for r in served.telegram.requests if r.endpoint == "setWebhook"]
    assert hooks and hooks[-1].form["url"] == PUBLIC + "/webhooks/telegram"
    assert hooks[-1].form["secret_token"] == TG_SECRET
    update = {
        "update_id": 5001,
        "message": {
            "message_id": 1,
            "date": int(NOW.timestamp()),
            "chat": {"id": 987654321, "type": "private", "first_name": "Ana"},
            "from": {"id": 987654321, "is_bot": False, "first_name": "Ana"},
            "text": "I lost my job and can't pay this month",
        },
    }
    bad_secret = {"X-Telegram-Bot-Api-Secret-Token": "x"}
    wrong = await served.client.post("/webhooks/telegram", json=update, headers=bad_secret)
    assert wrong.status == 403
    assert not await Message.filter(direction="in").exists()
    right = await served.client.post(
        "/webhooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
    )
    assert right.status == 200

    async def opened() -> bool:
        return await Case.filter(kind="hardship", borrower__borrower_id="B3").exists()

    await eventually(opened)

    async def told() -> bool:
        return bool(served.telegram_to(STAFF_CHAT)) and bool(served.telegram_to(987654321))

    await eventually(told)
    post = served.telegram_to(STAFF_CHAT)[0]
    assert "hardship" in post and "Ana Ruiz" in post
    assert "lost my job" not in post  # never the borrower's own words in the staff chat


async def test_a_serve_pass_opens_the_collections_case_at_30_days_past_due(served: Served) -> None:
    # B7's installment fell due on 1 Nov (London): 31 days past due on 2 Dec.
    summary = await served.scheduler.servicing.run(NOW)
    assert summary.follow_ups["escalations.overdue_30.opened"] == 1, summary.follow_ups
    case = await Case.get(kind="overdue_30")
    assert case.queue == "collections"

    async def told() -> bool:
        return any("overdue 30" in text for text in served.telegram_to(STAFF_CHAT))

    await eventually(told)
