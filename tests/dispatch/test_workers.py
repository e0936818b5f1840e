"""``duebot worker``: several of them on one database share the book — one plans, all dispatch,
every reminder reaches its phone once — and each stops within seconds on SIGTERM.

Runs on SQLite, and on a throw-away PostgreSQL database when DUEBOT_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections import Counter

import pytest

from bot.standins import TwilioStandin
from tests.dispatch.processes import Cli
from tests.faults.served import book, zone_in_window
from tests.flows.conftest import World

WORKERS = 3
BORROWERS = 60


async def test_workers_share_the_book_and_send_each_reminder_once(cli: Cli, twilio: TwilioStandin) -> None:
    zone = zone_in_window()
    if zone is None:
        pytest.skip("no sample zone has its send window open at this hour")
    path = cli.cwd / "book.csv"
    path.write_text(book(BORROWERS, zone=zone))
    code, _out, err = await cli.run("import", "loans", str(path))
    assert code == 0, err
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "worker",
            "--interval",
            "1",
            cwd=cli.cwd,
            env=cli.env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(WORKERS)
    ]
    try:
        await twilio.wait_for(lambda: len(twilio.creates()) >= BORROWERS, within=60, what="every reminder")
        await asyncio.sleep(2)  # a few more passes: nothing more may go
    finally:
        started = time.monotonic()
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        results = [await asyncio.wait_for(w.communicate(), timeout=20) for w in workers]
        stopped_in = time.monotonic() - started
    assert [w.returncode for w in workers] == [0] * WORKERS, [err.decode()[-2000:] for _out, err in results]
    assert stopped_in <= 10.0
    per_phone = Counter(r.form.get("To") for r in twilio.creates())
    assert len(per_phone) == BORROWERS and max(per_phone.values()) == 1
    assert await cli.sql("SELECT status, count(*) FROM messages GROUP BY status") == [("sent", BORROWERS)]
    [(planned,)] = await cli.sql("SELECT count(*) FROM interaction_log WHERE kind = 'message.planned'")
    assert planned == BORROWERS  # planned once, by one of them


async def test_a_pass_leaves_planning_and_follow_ups_to_the_process_that_holds_them(world: World) -> None:
    from datetime import UTC, datetime

    from scheduler.cycle import FOLLOW_UPS_LEASE, PLANNER_LEASE
    from storage.leases import acquire_lease, release_lease

    await world.import_loans("B1,Ada Stone,+12125550100,,en,America/New_York,sms,L1,auto,USD,1,2026-12-10,350.00\n")
    now = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # 10:00 in New York, the T-3 day
    world.lease_time[0] = now
    for name in (PLANNER_LEASE, FOLLOW_UPS_LEASE):
        assert await acquire_lease(name, "other-host:1", now, 600)
    busy = await world.tick(now)
    assert busy.planned_elsewhere and busy.planned == 0
    assert "another process was planning" in "\n".join(busy.lines())
    assert world.sms_to("+12125550100") == []
    await release_lease(PLANNER_LEASE, "other-host:1")
    free = await world.tick(now)
    assert not free.planned_elsewhere and free.planned == 1
    assert len(world.sms_to("+12125550100")) == 1
