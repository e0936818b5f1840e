"""Shared fixtures. Storage tests run against every backend: SQLite always, PostgreSQL when
DUEBOT_TEST_POSTGRES_URL is set (otherwise those cases are skipped, with the reason shown).

The tests never see the developer's settings: every ``DUEBOT_*`` variable but the test suite's own
knobs is removed from the environment before anything is collected, and ``DUEBOT_ENV_FILE`` is set
empty so neither ``Settings`` here nor a ``duebot`` started as a subprocess reads a ``.env`` file."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator, MutableMapping
from urllib.parse import urlparse, urlunparse

import pytest

from config.settings import ENV_FILE_VARIABLE
from storage.database import close_database, connection, open_database

# Variables that steer the test suite itself, not the service.
TEST_KNOBS = ("DUEBOT_TEST_", "DUEBOT_CHROMIUM", "DUEBOT_ARTIFACTS")


def isolate_from_developer_settings(environ: MutableMapping[str, str]) -> None:
    for name in list(environ):
        # pydantic-settings matches names case-insensitively.
        if name.upper().startswith("DUEBOT_") and not name.upper().startswith(TEST_KNOBS):
            del environ[name]
    environ[ENV_FILE_VARIABLE] = ""


# At import of the first conftest: before any test module or other conftest reads the environment.
isolate_from_developer_settings(os.environ)

POSTGRES_URL = os.environ.get("DUEBOT_TEST_POSTGRES_URL")
SECRET = b"test-secret-key"


def _admin_connect_args(url: str) -> dict[str, object]:
    parsed = urlparse(url)
    return {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 5432,
        "user": parsed.username or "postgres",
        "password": parsed.password or None,
        "database": parsed.path.lstrip("/") or "postgres",
    }


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test session, dropped at the end."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests skipped: DUEBOT_TEST_POSTGRES_URL is not set")
    import asyncio

    import asyncpg

    name = f"duebot_test_{uuid.uuid4().hex[:10]}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(**_admin_connect_args(POSTGRES_URL))  # type: ignore[arg-type]
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    parsed = urlparse(POSTGRES_URL)
    yield urlunparse(parsed._replace(path=f"/{name}"))
    asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'duebot.sqlite3'}"
    return str(request.getfixturevalue("postgres_database"))


async def _truncate_all() -> None:
    conn = connection()
    if conn.capabilities.dialect == "postgres":
        rows = await conn.execute_query_dict(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_meta'"
        )
        if rows:
            names = ", ".join(f'"{r["tablename"]}"' for r in rows)
            await conn.execute_script(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    """An empty database of each backend, schema created; yields its URL."""
    await open_database(database_url)
    await _truncate_all()
    try:
        yield database_url
    finally:
        await close_database()


@pytest.fixture
def sqlite_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    return f"sqlite://{tmp_path / 'duebot.sqlite3'}"
