"""Fixtures for the dispatch tests: a whole world (database, real clients, local stand-ins)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from bot.standins import TwilioStandin
from tests.conftest import POSTGRES_URL
from tests.dispatch.processes import ROOT, Cli
from tests.dispatch.support import ACCOUNT_SID, AUTH_TOKEN, FROM, make_policy
from tests.flows.conftest import World, make_world


@pytest.fixture
async def world(db: str) -> AsyncIterator[World]:
    async for w in make_world(db, make_policy()):
        yield w


@pytest.fixture(params=["sqlite", "postgres"])
def cli_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'tick.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests skipped: DUEBOT_TEST_POSTGRES_URL is not set")
    import asyncpg

    name = f"duebot_cli_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(POSTGRES_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    yield urlunparse(urlparse(POSTGRES_URL)._replace(path=f"/{name}"))
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def twilio() -> AsyncIterator[TwilioStandin]:
    standin = TwilioStandin(ACCOUNT_SID, AUTH_TOKEN, auto_callbacks=False)
    async with standin.running():
        yield standin


@pytest.fixture
async def cli(cli_database: str, twilio: TwilioStandin, tmp_path: Path) -> Cli:
    policy = tmp_path / "policy.toml"
    policy.write_text("[sending]\ntwilio_per_second = 1000.0\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUEBOT_")}
    env.update(
        DUEBOT_DATABASE_URL=cli_database,
        DUEBOT_SECRET_KEY="tick-test-key",
        DUEBOT_POLICY_FILE=str(policy),
        DUEBOT_TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        DUEBOT_TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        DUEBOT_TWILIO_FROM=FROM,
        DUEBOT_TWILIO_API_BASE=twilio.base_url or "",
        DUEBOT_LENDER_NAME="Northwind Finance",
        DUEBOT_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return Cli(cli_database, env, tmp_path)
