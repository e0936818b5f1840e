"""An operator's worst day, against a real ``duebot serve`` process: bursts, a slow SMS pace,
``kill -9`` mid-dispatch, a restart with a backlog, SIGTERM, and a ``tick --now`` far ahead.

What must hold: a STOP takes effect within 2 s whatever is queued; ``sending`` means a request
is leaving, so nothing that never reached the provider is ever declared ``unknown``; a restart
listens at once; a stop is over within 10 s; no message reaches a phone twice.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.standins import TwilioStandin
from storage.database import close_database, open_database
from storage.inbound import NewInbound, store_inbound
from storage.outbox import claim_due, mark_sending
from tests.dispatch.support import ACCOUNT_SID, AUTH_TOKEN
from tests.faults.served import Served, book, phone, policy, zone_in_window

pytestmark = pytest.mark.faults
QUESTION = "how much do I owe?"


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    twilio = TwilioStandin(ACCOUNT_SID, AUTH_TOKEN, auto_callbacks=False)
    async with twilio.running():
        serve = Served(tmp_path, twilio)
        try:
            yield serve
        finally:
            await serve.stop()


def reached(served: Served) -> Counter[tuple[str, str]]:
    """(phone, text) → how many times the stand-in received it."""
    return Counter((r.form.get("To", ""), r.form.get("Body", "")) for r in served.twilio.creates())


def never_left_but_unknown(served: Served) -> list[tuple[str, str]]:
    """Rows declared ``unknown`` whose text never reached the stand-in."""
    arrived = reached(served)
    rows = served.sql("SELECT address, body FROM messages WHERE direction = 'out' AND status = 'unknown'")
    return [(a, b) for a, b in rows if arrived[(a, b)] == 0]


async def burst(served: Served, senders: range, text: str, per_second: float = 200.0) -> list[int]:
    async with aiohttp.ClientSession() as session:
        tasks = []
        for i in senders:
            tasks.append(asyncio.create_task(served.sms(session, phone(i), text)))
            await asyncio.sleep(1 / per_second)
        return list(await asyncio.gather(*tasks))


async def test_a_stop_behind_a_burst_of_replies_takes_effect_within_two_seconds(served: Served) -> None:
    served.policy = policy(twilio_per_second=1.0)
    await served.import_book(book(401))
    await served.start()
    statuses = await burst(served, range(400), QUESTION)
    assert set(statuses) == {200}
    async with aiohttp.ClientSession() as session:
        sent_at = time.monotonic()
        assert await served.sms(session, phone(400), "STOP") == 200
    while time.monotonic() - sent_at < 15:
        if served.sql("SELECT sms_opted_out FROM borrowers WHERE borrower_id = 'B400'")[0][0]:
            break
        await asyncio.sleep(0.02)
    took = time.monotonic() - sent_at
    waiting = served.sql("SELECT count(*) FROM messages WHERE direction = 'in' AND status != 'handled'")[0][0]
    assert took <= 2.0, f"STOP took {took:.2f} s with {waiting} replies still waiting"
    # Every answer waits for the 1/s pace; none of them held the STOP up, and nothing was lost.
    assert served.sql("SELECT count(*) FROM messages WHERE direction = 'in'")[0][0] == 401


async def test_a_slow_sms_pace_never_turns_waiting_answers_into_unknown(served: Served) -> None:
    """Answers wait for a 1/s pace far longer than their 5 s lease; another process's pass recovers
    expired claims meanwhile. None may become ``unknown`` without having left, none goes twice."""
    served.policy = policy(twilio_per_second=1.0, lease_seconds=5)
    await served.import_book(book(40))
    await served.start()
    assert set(await burst(served, range(40), QUESTION, per_second=100)) == {200}
    await open_database(f"sqlite://{served.db_path}", create=False)
    try:
        from storage.outbox import recover_abandoned

        for _ in range(4):  # what the pass of any other process does first, while the answers wait
            await asyncio.sleep(3)
            await recover_abandoned(datetime.now(UTC))
    finally:
        await close_database()
    took, code = await served.terminate()
    assert code == 0 and took <= 10.0
    assert never_left_but_unknown(served) == []
    assert served.sql("SELECT count(*) FROM messages WHERE direction = 'out' AND status = 'unknown'") == [(0,)]
    assert max(reached(served).values()) == 1  # no answer twice
    sent = served.sql("SELECT count(*) FROM messages WHERE direction = 'out' AND status = 'sent'")[0][0]
    assert 5 <= sent == len(served.twilio.creates())
    # A stop gives back what had not left: nothing is left claimed or half-sent.
    left = served.sql("SELECT count(*) FROM messages WHERE direction = 'out' AND status IN ('claimed', 'sending')")
    assert left == [(0,)]


async def test_kill_9_during_dispatch_then_restart_sends_each_reminder_once(served: Served) -> None:
    zone = zone_in_window()
    if zone is None:
        pytest.skip("no sample zone has its send window open at this hour")
    served.policy = policy(twilio_per_second=40.0, lease_seconds=5)
    await served.import_book(book(200, zone=zone))
    await served.start()
    await served.twilio.wait_for(lambda: len(served.twilio.creates()) >= 20, within=30, what="20 sends")
    await served.kill()
    at_kill = len(served.twilio.creates())
    assert 0 < at_kill < 200, "the kill should land during dispatch"
    await asyncio.sleep(6)  # the dead process's leases run out
    await served.start()
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        open_rows = served.sql(
            "SELECT count(*) FROM messages WHERE direction = 'out' AND status IN ('planned', 'claimed', 'sending')"
        )[0][0]
        if open_rows == 0:
            break
        await asyncio.sleep(0.2)
    statuses = dict(served.sql("SELECT status, count(*) FROM messages WHERE direction = 'out' GROUP BY status"))
    assert sum(statuses.values()) == 200 and set(statuses) <= {"sent", "unknown"}, statuses
    assert max(reached(served).values()) == 1, "a reminder reached a phone twice"
    assert never_left_but_unknown(served) == []
    assert len(reached(served)) == statuses.get("sent", 0) + statuses.get("unknown", 0)


async def test_a_restart_with_a_backlog_listens_at_once_and_stops_within_ten_seconds(served: Served) -> None:
    served.policy = policy(twilio_per_second=1.0)
    await served.import_book(book(100))
    await open_database(f"sqlite://{served.db_path}", create=False)
    try:  # what a burst left stored but unhandled when the last process died
        now = datetime.now(UTC)
        for i in range(3000):
            await store_inbound(
                NewInbound(event_id=f"SMbacklog{i:06d}", channel="sms", kind="inbound", address=phone(i % 100),
                           body=QUESTION, received_at=now, payload={"form": {"Body": QUESTION}})
            )  # fmt: skip
    finally:
        await close_database()
    took = await served.start()
    assert took <= 3.0, f"serve answered /healthz {took:.2f} s after start"
    health = await served.healthz()
    assert health["status"] == "recovering" and health["pending"] > 0, health
    assert health["message"] == f"recovering, {health['pending']} pending"
    # New replies are stored and handled meanwhile (a STOP overtakes the backlog).
    async with aiohttp.ClientSession() as session:
        assert await served.sms(session, phone(7), "STOP") == 200
    deadline = time.monotonic() + 5
    while not served.sql("SELECT sms_opted_out FROM borrowers WHERE borrower_id = 'B7'")[0][0]:
        assert time.monotonic() < deadline, "the STOP was not handled behind the backlog"
        await asyncio.sleep(0.05)
    stopped_in, code = await served.terminate()
    assert code == 0 and stopped_in <= 10.0, (stopped_in, code)
    handled = served.sql("SELECT count(*) FROM messages WHERE direction = 'in' AND status = 'handled'")[0][0]
    assert 0 < handled < 3001  # it was working on the backlog, and left the rest stored for next time
    assert served.sql("SELECT count(*) FROM messages WHERE direction = 'in'")[0][0] == 3001


async def test_a_tick_days_ahead_does_not_break_a_running_servers_claims(served: Served) -> None:
    served.policy = policy(twilio_per_second=2.0)
    await served.import_book(book(30))
    await served.start()
    assert set(await burst(served, range(30), QUESTION, per_second=100)) == {200}
    await asyncio.sleep(2)  # answers claimed and leaving at 2/s
    ahead = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    code, out, err = await served.cli("tick", "--now", ahead)
    assert code == 0, err
    assert "left unknown after a crash" not in out
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        rows = served.sql(
            "SELECT count(*) FROM messages WHERE direction = 'out' AND urgent "
            "AND status IN ('planned', 'claimed', 'sending')"
        )
        if rows == [(0,)]:
            break
        await asyncio.sleep(0.2)
    assert served.sql("SELECT count(*) FROM messages WHERE direction = 'out' AND status = 'unknown'") == [(0,)]
    answers = served.sql("SELECT status, count(*) FROM messages WHERE direction = 'out' AND urgent GROUP BY status")
    assert answers == [("sent", 30)]
    assert max(reached(served).values()) == 1


@pytest.mark.parametrize("offset", ["+00:00", "-05:00", "+08:00"])
async def test_tick_now_in_any_offset_recovers_the_same_abandoned_claims(offset: str, served: Served) -> None:
    """A dead process's claims (leases expired a minute ago) are recovered by a pass whose --now
    names the same instant in any offset; the instant, not its text, decides."""
    zone = zone_in_window() or "America/New_York"
    served.policy = policy(twilio_per_second=100.0)
    await served.import_book(book(6, zone=zone))
    now = datetime.now(UTC).replace(microsecond=0)
    await open_database(f"sqlite://{served.db_path}", create=False)
    try:
        from bot.services import Services
        from bot.wiring import build_scheduler
        from config.policy import load_policy
        from config.settings import Settings
        from storage.interaction_log import InteractionLog
        from tests.dispatch.support import plan_only

        services = Services(
            settings=Settings(database_url=f"sqlite://{served.db_path}"), policy=load_policy(), log=InteractionLog(b"k")
        )
        summary = await plan_only(build_scheduler(services, channels={}).servicing, now)
        assert summary.planned == 6
        ids = await claim_due("dead-host:1", now, 10, 60, lease_from=now - timedelta(minutes=2))
        assert len(ids) == 6
        for sending in ids[:2]:
            assert await mark_sending(sending, "dead-host:1", now)
    finally:
        await close_database()
    instant = now.astimezone(datetime.fromisoformat(f"2026-01-01T00:00:00{offset}").tzinfo).isoformat()
    code, out, err = await served.cli("tick", "--now", instant)
    assert code == 0, err
    assert "recovered 4 abandoned claim(s); 2 left unknown after a crash" in out, out
