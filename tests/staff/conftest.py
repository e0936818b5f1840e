"""A staff world: the service's app (console and API) over a database, the real twilio and aiogram
clients pointed at local stand-ins, a settable clock, a loan book and staff accounts."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.console.deps import StaffDeps
from bot.services import Services
from bot.standins import TelegramStandin, TwilioStandin
from bot.web import build_app
from bot.wiring import Scheduler, build_scheduler
from config.policy import Policy
from config.settings import Settings
from storage import staff as accounts
from storage.cases import open_case
from storage.importer import import_loan_rows
from storage.interaction_log import InteractionLog
from storage.loanbook import parse_loans_csv
from storage.models import Borrower, Case, Message, StaffUser
from tests.conftest import SECRET
from tests.flows.conftest import ACCOUNT_SID, AUTH_TOKEN, BOT_TOKEN, FROM, HEADER, fast_policy

# A Wednesday: 12:00 in Shanghai, 20:00 the evening before in Los Angeles.
NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
API_TOKEN = "staff-test-token"
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
PASSWORD = "correct horse 42"
BOOK = (
    "B1,Li Wei,+8613800138000,,zh,Asia/Shanghai,sms,L1,consumer,CNY,1,2026-11-01,1200.00\n"
    "B1,Li Wei,+8613800138000,,zh,Asia/Shanghai,sms,L1,consumer,CNY,2,2026-12-01,1200.00\n"
    "B2,Ana Ruiz,+14155550123,987654321,en,America/Los_Angeles,telegram,L2,auto,USD,3,2026-11-25,350.00\n"
    "B3,Tom Hale,+447400123456,,en,Europe/London,sms,L3,card,GBP,1,2026-12-20,80.50\n"
)
# username → (role, queues)
STAFF: dict[str, tuple[str, list[str]]] = {
    "amy": ("agent", ["hardship"]),
    "carl": ("agent", ["collections"]),
    "cora": ("complaints", ["complaints"]),
    "sam": ("supervisor", []),
    "ada": ("admin", []),
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """The logical clock every handler reads; tests move it."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Hashing at the production cost would make every account a tenth of a second."""
    monkeypatch.setattr(accounts, "SCRYPT_N", 2**10)
    yield


@dataclass
class StaffWorld:
    services: Services
    clock: Clock
    twilio: TwilioStandin
    telegram: TelegramStandin
    scheduler: Scheduler
    client: TestClient  # type: ignore[type-arg]

    @property
    def log(self) -> InteractionLog:
        return self.services.log

    def sms_to(self, phone: str) -> list[str]:
        return self.twilio.bodies_to(phone)

    def telegram_to(self, chat_id: int | str) -> list[str]:
        return self.telegram.texts_to(chat_id)


async def make_staff_world(db: str, policy: Policy | None = None, **settings: Any) -> AsyncIterator[StaffWorld]:
    twilio = TwilioStandin(ACCOUNT_SID, AUTH_TOKEN, auto_callbacks=False)
    telegram = TelegramStandin(BOT_TOKEN, max_long_poll=0.2)
    async with twilio.running(), telegram.running():
        config = Settings(
            database_url=db,
            api_token=API_TOKEN,  # type: ignore[arg-type]
            secret_key="console-test-secret-key",  # type: ignore[arg-type]
            twilio_account_sid=ACCOUNT_SID,
            twilio_auth_token=AUTH_TOKEN,  # type: ignore[arg-type]
            twilio_from=FROM,
            twilio_api_base=twilio.base_url,
            telegram_bot_token=BOT_TOKEN,  # type: ignore[arg-type]
            telegram_api_base=telegram.base_url,
            lender_name="Northwind Finance",
            lender_contact="+1 800 555 0199",
            **settings,
        )
        clock = Clock()
        services = Services(
            settings=config, policy=policy or fast_policy(), log=InteractionLog(SECRET), clock=clock, lease_clock=clock
        )
        scheduler = build_scheduler(services)
        app = build_app(services, staff=StaffDeps(kick=scheduler.dispatcher.run, channels=set(scheduler.channels)))
        try:
            async with TestClient(TestServer(app)) as client:
                yield StaffWorld(services, clock, twilio, telegram, scheduler, client)
        finally:
            await scheduler.close()


@pytest.fixture
async def world(db: str) -> AsyncIterator[StaffWorld]:
    async for w in make_staff_world(db):
        yield w


async def seed(world: StaffWorld, book: str = BOOK) -> dict[str, StaffUser]:
    parsed = parse_loans_csv(HEADER + book)
    assert parsed.errors == [], parsed.errors
    await import_loan_rows(parsed.rows, now=NOW - timedelta(days=60), log=world.log)
    return await make_staff(world)


async def make_staff(world: StaffWorld) -> dict[str, StaffUser]:
    made = {}
    for username, (role, queues) in STAFF.items():
        made[username] = await accounts.create_staff(
            username, role, queues, PASSWORD, now=NOW - timedelta(days=1), log=world.log, actor="test"
        )
    return made


async def borrower_wrote(borrower_id: str, text: str, at: datetime, channel: str = "sms") -> Message:
    borrower = await Borrower.get(borrower_id=borrower_id)
    return await Message.create(
        borrower=borrower,
        direction="in",
        channel=channel,
        kind="inbound",
        status="handled",
        body=text,
        intent="hardship",
        created_at=at,
        updated_at=at,
    )


async def open_for(world: StaffWorld, borrower_id: str, kind: str, summary: str = "", at: datetime = NOW) -> Case:
    borrower = await Borrower.get(borrower_id=borrower_id)
    case, _created = await open_case(
        borrower=borrower, kind=kind, now=at, policy=world.services.policy, log=world.log, summary=summary
    )
    return case


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match is not None, "no CSRF field on the page"
    return match.group(1)


async def login(client: TestClient, username: str, password: str = PASSWORD) -> Any:  # type: ignore[type-arg]
    page = await client.get("/console/login")
    token = csrf_of(await page.text())
    return await client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": token},
        allow_redirects=False,
    )


async def page_csrf(client: TestClient, path: str = "/console/") -> str:  # type: ignore[type-arg]
    response = await client.get(path)
    assert response.status == 200, (path, response.status)
    return csrf_of(await response.text())


@dataclass
class Env:
    """The database and the services, without servers: for storage and scheduler steps."""

    services: Services
    clock: Clock

    @property
    def log(self) -> InteractionLog:
        return self.services.log


@pytest.fixture
async def env(db: str) -> Env:
    clock = Clock()
    settings = Settings(database_url=db, secret_key="console-test-secret-key")  # type: ignore[arg-type]
    return Env(
        Services(settings=settings, policy=fast_policy(), log=InteractionLog(SECRET), clock=clock, lease_clock=clock),
        clock,
    )


async def seed_env(env: Env, book: str = BOOK) -> dict[str, StaffUser]:
    parsed = parse_loans_csv(HEADER + book)
    assert parsed.errors == [], parsed.errors
    await import_loan_rows(parsed.rows, now=NOW - timedelta(days=60), log=env.log)
    made = {}
    for username, (role, queues) in STAFF.items():
        made[username] = await accounts.create_staff(
            username, role, queues, PASSWORD, now=NOW - timedelta(days=1), log=env.log, actor="test"
        )
    return made


async def open_env(env: Env, borrower_id: str, kind: str, at: datetime = NOW) -> Case:
    borrower = await Borrower.get(borrower_id=borrower_id)
    case, _created = await open_case(borrower=borrower, kind=kind, now=at, policy=env.services.policy, log=env.log)
    return case
