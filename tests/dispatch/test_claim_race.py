"""Two dispatchers in two OS processes race for one outbox: every message goes out exactly once.

Each worker (``tests/dispatch/worker.py``) has its own tortoise context and connection pool, so
the claim race is real: on PostgreSQL ``FOR UPDATE SKIP LOCKED`` and the conditional UPDATE, on
SQLite the conditional UPDATE alone, decide which worker owns each row.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

from bot.services import Services
from bot.standins import TwilioStandin
from bot.wiring import build_scheduler
from config.settings import Settings
from storage.interaction_log import InteractionLog
from storage.models import Message
from tests.conftest import SECRET
from tests.dispatch.support import ACCOUNT_SID, AUTH_TOKEN, NOW, book_rows, import_book, make_policy, plan_only

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 2000


async def _wait_for(paths: list[Path], within: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not all(p.exists() for p in paths):
        if loop.time() > deadline:
            raise TimeoutError(f"workers not ready: {[str(p) for p in paths if not p.exists()]}")
        await asyncio.sleep(0.05)


async def race(db: str, tmp_path: Path, workers: int = 2) -> None:
    log = InteractionLog(SECRET)
    services = Services(settings=Settings(database_url=db), policy=make_policy(), log=log)
    await import_book(book_rows(MESSAGES), log)
    planned = await plan_only(build_scheduler(services, channels={}).servicing)
    assert planned.planned == MESSAGES

    standin = TwilioStandin(ACCOUNT_SID, AUTH_TOKEN, auto_callbacks=False)
    async with standin.running() as base_url:
        go = tmp_path / "go"
        ready = [tmp_path / f"ready-{n}" for n in range(workers)]
        procs = []
        for n in range(workers):
            args = ["--db", db, "--twilio-base", base_url, "--now", NOW.isoformat()]
            args += ["--ready", str(ready[n]), "--go", str(go)]
            procs.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "tests.dispatch.worker",
                    *args,
                    cwd=ROOT,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                )
            )
        try:
            await _wait_for(ready, within=120)
            go.write_text("go")
            outputs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in procs)), timeout=300)
        finally:
            for p in procs:
                if p.returncode is None:
                    p.kill()
                    await p.wait()
        for p, (_out, err) in zip(procs, outputs, strict=True):
            assert p.returncode == 0, err.decode()[-3000:]
        reports = [json.loads(out.decode().strip().splitlines()[-1]) for out, _ in outputs]

        creates = standin.creates()
        assert len(creates) == MESSAGES
        pairs = Counter((r.form["To"], r.form["Body"]) for r in creates)
        assert len(pairs) == MESSAGES, [p for p, n in pairs.items() if n > 1][:3]
        assert len({r.form["To"] for r in creates}) == MESSAGES  # one borrower, one message
        sent_by = [r["outcomes"].get("sent:sms", 0) for r in reports]
        assert sum(sent_by) == MESSAGES
        assert all(n > 0 for n in sent_by), f"one worker did everything: {sent_by}"
        assert all(set(r["outcomes"]) == {"sent:sms"} for r in reports), reports

    rows = await Message.filter(direction="out").values_list("status", "provider_message_id", "attempts")
    assert len(rows) == MESSAGES
    assert Counter(status for status, _, _ in rows) == {"sent": MESSAGES}
    assert {sid for _, sid, _ in rows} == set(standin.messages)  # every row names the message Twilio made
    assert {attempts for _, _, attempts in rows} == {1}
    verified = await log.verify()
    assert verified.first_break is None


async def test_two_dispatcher_processes_send_each_message_exactly_once(db: str, tmp_path: Path) -> None:
    """Runs on SQLite (two processes, one file) and on PostgreSQL when DUEBOT_TEST_POSTGRES_URL is set."""
    await race(db, tmp_path)
