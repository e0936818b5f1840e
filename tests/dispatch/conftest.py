"""Fixtures for the dispatch tests: a whole world (database, real clients, local stand-ins)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.dispatch.support import make_policy
from tests.flows.conftest import World, make_world


@pytest.fixture
async def world(db: str) -> AsyncIterator[World]:
    async for w in make_world(db, make_policy()):
        yield w
