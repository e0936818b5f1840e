"""Database set-up on both backends: the schema is created or upgraded at start, under a lock, so
several processes may start at once; an older schema is brought up to date without manual steps."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest

from storage.database import SCHEMA_VERSION, close_database, connection, migrate, open_database
from storage.models import Borrower, Message, SchemaMeta
from tests.conftest import POSTGRES_URL, _admin_connect_args

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 2, tzinfo=UTC)
STARTER = (
    "import asyncio, sys\n"
    "from storage.database import close_database, open_database\n"
    "async def main():\n"
    "    await open_database(sys.argv[1])\n"
    "    await close_database()\n"
    "asyncio.run(main())\n"
)


@pytest.fixture(params=["sqlite", "postgres"])
async def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database with no tables at all (a new PostgreSQL database, dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'fresh.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests skipped: DUEBOT_TEST_POSTGRES_URL is not set")
    import asyncpg

    name = f"duebot_fresh_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(**_admin_connect_args(POSTGRES_URL))  # type: ignore[arg-type]
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield urlunparse(urlparse(POSTGRES_URL)._replace(path=f"/{name}"))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_several_processes_starting_at_once_create_the_schema_once(fresh_url: str) -> None:
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", STARTER, fresh_url, cwd=ROOT, stderr=asyncio.subprocess.PIPE
        )
        for _ in range(4)
    ]
    results = await asyncio.gather(*(p.communicate() for p in procs))
    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err.decode()[-2000:]
    await open_database(fresh_url, create=False)
    try:
        rows = await SchemaMeta.filter(key="schema_version").values_list("value", flat=True)
        assert rows == [str(SCHEMA_VERSION)]
    finally:
        await close_database()


async def test_a_first_version_schema_is_upgraded_at_start(fresh_url: str) -> None:
    await open_database(fresh_url)
    try:
        conn = connection()
        if conn.capabilities.dialect == "postgres":  # the first schema's column, as it was
            await conn.execute_script("ALTER TABLE messages ALTER COLUMN status TYPE VARCHAR(16)")
        await _drop_the_urgent_lane(conn)
        await SchemaMeta.filter(key="schema_version").update(value="1")
        assert await migrate(fresh_url) == SCHEMA_VERSION
        assert await SchemaMeta.get(key="schema_version").values_list("value", flat=True) == str(SCHEMA_VERSION)
        # Twilio's longest status now fits.
        await Message.create(direction="out", channel="sms", kind="before_due", status="partially_delivered",
                             created_at=NOW, updated_at=NOW)  # fmt: skip
        assert await Message.filter(status="partially_delivered").count() == 1
    finally:
        await close_database()


async def _drop_the_urgent_lane(conn: Any) -> None:
    """Schemas before version 3 had no ``messages.urgent``."""
    await conn.execute_script("DROP INDEX IF EXISTS idx_messages_status_urgent")
    await conn.execute_script("DROP INDEX IF EXISTS idx_messages_planned_lane")
    await conn.execute_script("ALTER TABLE messages DROP COLUMN urgent")


async def test_version_3_adds_the_answer_lane_and_writes_sqlite_instants_in_utc(fresh_url: str) -> None:
    await open_database(fresh_url)
    try:
        conn = connection()
        row = await Message.create(direction="out", channel="sms", kind="help", status="planned",
                                   created_at=NOW, updated_at=NOW, payload={"guard_kind": "auto_reply"})  # fmt: skip
        await _drop_the_urgent_lane(conn)
        await SchemaMeta.filter(key="schema_version").update(value="2")
        postgres = conn.capabilities.dialect == "postgres"
        if not postgres:  # as an older version wrote an instant given with an offset: as text, in that offset
            await conn.execute_query(
                "UPDATE messages SET lease_until = '2026-12-04 10:03:00-05:00' WHERE id = ?", [row.id]
            )
        assert await migrate(fresh_url) == SCHEMA_VERSION
        upgraded = await Message.get(id=row.id)
        assert upgraded.urgent is True
        if not postgres:
            text = await conn.execute_query_dict("SELECT lease_until FROM messages WHERE id = ?", [row.id])
            assert text[0]["lease_until"] == "2026-12-04 15:03:00+00:00"
            # and a filter in any offset now finds it by the instant, not by its characters
            later = datetime.fromisoformat("2026-12-04T10:04:00-05:00")
            assert await Message.filter(lease_until__lt=later).count() == 1
    finally:
        await close_database()


async def test_version_4_has_every_borrower_planned_again(fresh_url: str) -> None:
    # Before version 4 no writer marked what it changed: the first incremental pass plans everyone.
    await open_database(fresh_url)
    try:
        conn = connection()
        for n in range(3):
            await Borrower.create(borrower_id=f"B{n}", full_name="x", phone=f"+1212555000{n}", locale="en",
                                  timezone="UTC", preferred_channel="sms")  # fmt: skip
        await SchemaMeta.filter(key="schema_version").update(value="3")
        assert await migrate(fresh_url) == SCHEMA_VERSION
        marked = await conn.execute_query_dict("SELECT borrower_id FROM plan_marks ORDER BY borrower_id")
        assert [r["borrower_id"] for r in marked] == [b.id for b in await Borrower.all().order_by("id")]
    finally:
        await close_database()


@pytest.mark.parametrize("offset", ["+00:00", "-05:00", "+08:00", "+05:45"])
async def test_instants_compare_as_instants_whatever_their_offset(db: str, offset: str) -> None:
    from datetime import timedelta

    stored = datetime(2026, 12, 4, 15, 2, tzinfo=UTC)
    await Message.create(direction="out", channel="sms", kind="help", status="claimed",
                         lease_until=stored, created_at=NOW, updated_at=NOW)  # fmt: skip
    zone = datetime.fromisoformat(f"2026-12-04T00:00:00{offset}").tzinfo
    just_after = (stored + timedelta(minutes=1)).astimezone(zone)
    just_before = (stored - timedelta(minutes=1)).astimezone(zone)
    assert await Message.filter(lease_until__lt=just_after).count() == 1
    assert await Message.filter(lease_until__lt=just_before).count() == 0
