from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.services import Services
from bot.web import build_app
from config.policy import load_policy
from config.settings import Settings
from storage.interaction_log import InteractionLog
from tests.conftest import SECRET

TOKEN = "test-token-123"
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    settings = Settings(database_url=db, api_token=TOKEN, secret_key="x" * 32)  # type: ignore[arg-type]
    services = Services(settings=settings, policy=load_policy(), log=InteractionLog(SECRET), clock=lambda: NOW)
    async with TestClient(TestServer(build_app(services))) as test_client:
        yield test_client


AUTH = {"Authorization": f"Bearer {TOKEN}"}
