"""One dispatcher in its own process, for the claim-race tests (tortoise keeps one global context
per process, so two pools racing honestly means two processes).

    python -m tests.dispatch.worker --db URL --twilio-base URL --now ISO --ready FILE --go FILE

Opens the database, builds the dispatcher through ``bot.wiring.build_scheduler`` with SMS pointed
at the given Twilio stand-in, writes ``--ready``, waits for ``--go`` to exist (so both workers
start together), runs ``dispatcher.run(now)`` and prints one JSON line: its outcome counts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from datetime import datetime
from pathlib import Path

SECRET = b"test-secret-key"


async def main(args: argparse.Namespace) -> None:
    from bot.services import Services
    from bot.wiring import build_scheduler
    from config.policy import parse_policy
    from config.settings import Settings
    from storage.database import close_database, open_database
    from storage.interaction_log import InteractionLog
    from tests.dispatch.support import ACCOUNT_SID, AUTH_TOKEN, FROM, policy_data

    settings = Settings(
        database_url=args.db,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,  # type: ignore[arg-type]
        twilio_from=FROM,
        twilio_api_base=args.twilio_base,
        lender_name="Northwind Finance",
        lender_contact="+1 800 555 0199",
    )
    services = Services(settings=settings, policy=parse_policy(policy_data()), log=InteractionLog(SECRET))
    await open_database(args.db, create=False)
    scheduler = build_scheduler(services)
    try:
        await asyncio.to_thread(Path(args.ready).write_text, str(os.getpid()))
        deadline = time.monotonic() + 60
        while not await asyncio.to_thread(os.path.exists, args.go):
            if time.monotonic() > deadline:
                raise SystemExit("never told to go")
            await asyncio.sleep(0.01)
        started = time.perf_counter()
        summary = await scheduler.dispatcher.run(datetime.fromisoformat(args.now))
        elapsed = time.perf_counter() - started
        await scheduler.counters.flush()
    finally:
        await scheduler.close()
        await close_database()
    print(json.dumps({"pid": os.getpid(), "outcomes": dict(summary.outcomes), "seconds": elapsed}), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--twilio-base", required=True)
    parser.add_argument("--now", required=True)
    parser.add_argument("--ready", required=True)
    parser.add_argument("--go", required=True)
    asyncio.run(main(parser.parse_args()))
