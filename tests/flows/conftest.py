"""A whole servicing world: a database, the real twilio and aiogram clients, local stand-ins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.services import Services
from bot.standins import TelegramStandin, TwilioStandin
from bot.wiring import Scheduler, build_scheduler
from config.policy import DEFAULT_POLICY_PATH, Policy, _read_toml, deep_merge, parse_policy
from config.settings import Settings
from storage.importer import import_loan_rows, import_payment_rows
from storage.interaction_log import InteractionLog
from storage.loanbook import parse_loans_csv, parse_payments_csv
from tests.conftest import SECRET

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "twilio-test-token"
BOT_TOKEN = "123456:TEST-token"
FROM = "+15005550006"
HEADER = (
    "borrower_id,full_name,phone,telegram_chat_id,locale,timezone,preferred_channel,"
    "loan_id,product,currency,installment_no,due_date,amount_due\n"
)


def fast_policy(**overrides: Any) -> Policy:
    data = deep_merge(
        _read_toml(DEFAULT_POLICY_PATH), {"sending": {"twilio_per_second": 1000.0, "backoff_base_seconds": 0.01}}
    )
    return parse_policy(deep_merge(data, overrides))


@dataclass
class World:
    services: Services
    twilio: TwilioStandin
    telegram: TelegramStandin
    scheduler: Scheduler
    lease_time: list[datetime]

    async def tick(self, when: str | datetime) -> Any:
        now = when if isinstance(when, datetime) else datetime.fromisoformat(when)
        self.lease_time[0] = now  # these worlds move time themselves: leases follow the passes
        return await self.scheduler.servicing.run(now)

    async def import_loans(self, body: str, now: datetime | None = None) -> Any:
        parsed = parse_loans_csv(HEADER + body)
        assert parsed.errors == [], parsed.errors
        return await import_loan_rows(parsed.rows, now=now or datetime(2026, 11, 1, tzinfo=UTC), log=self.services.log)

    async def import_payments(self, body: str, now: datetime) -> Any:
        parsed = parse_payments_csv("payment_id,loan_id,amount,paid_at\n" + body)
        assert parsed.errors == [], parsed.errors
        return await import_payment_rows(parsed.rows, now=now, log=self.services.log)

    def sms_to(self, phone: str) -> list[str]:
        return self.twilio.bodies_to(phone)

    def telegram_to(self, chat_id: int | str) -> list[str]:
        return self.telegram.texts_to(chat_id)


async def make_world(db: str, policy: Policy | None = None, **settings: Any) -> AsyncIterator[World]:
    twilio = TwilioStandin(ACCOUNT_SID, AUTH_TOKEN, auto_callbacks=False)
    telegram = TelegramStandin(BOT_TOKEN, max_long_poll=0.2)
    async with twilio.running(), telegram.running():
        config = Settings(
            database_url=db,
            twilio_account_sid=ACCOUNT_SID,
            twilio_auth_token=AUTH_TOKEN,  # type: ignore[arg-type]
            twilio_from=FROM,
            twilio_api_base=twilio.base_url,
            telegram_bot_token=BOT_TOKEN,  # type: ignore[arg-type]
            telegram_api_base=telegram.base_url,
            public_base_url="https://duebot.example",
            lender_name="Northwind Finance",
            lender_contact="+1 800 555 0199",
            **settings,
        )
        lease_time = [datetime(2026, 11, 1, tzinfo=UTC)]
        services = Services(
            settings=config,
            policy=policy or fast_policy(),
            log=InteractionLog(SECRET),
            lease_clock=lambda: lease_time[0],
        )
        scheduler = build_scheduler(services)
        try:
            yield World(services, twilio, telegram, scheduler, lease_time)
        finally:
            await scheduler.close()


@pytest.fixture
async def world(db: str) -> AsyncIterator[World]:
    async for w in make_world(db):
        yield w
