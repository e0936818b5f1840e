"""The service's app over a small book, served on a free port of 127.0.0.1 from a thread of its own.

For tools that speak HTTP from outside the test's event loop (schemathesis as a subprocess): the
thread runs its own loop with the database, the book and the server; ``served`` yields the base URL
and stops it all afterwards. Run as a script (``python -m tests.api.served sqlite:///tmp/x.db``) it
serves until interrupted, for trying schemathesis by hand.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from aiohttp import web

from bot.services import Services
from bot.web import build_app
from config.policy import load_policy
from config.settings import Settings
from storage import staff as accounts
from storage.cases import open_case
from storage.database import close_database, open_database
from storage.importer import import_loan_rows
from storage.interaction_log import InteractionLog
from storage.loanbook import parse_loans_csv
from storage.models import Borrower
from tests.conftest import _truncate_all

TOKEN = "schemathesis-token"
NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
HEADER = (
    "borrower_id,full_name,phone,telegram_chat_id,locale,timezone,preferred_channel,"
    "loan_id,product,currency,installment_no,due_date,amount_due\n"
)
BOOK = (
    "B1,Li Wei,+8613800138000,,zh,Asia/Shanghai,sms,L1,consumer,CNY,1,2026-11-01,1200.00\n"
    "B1,Li Wei,+8613800138000,,zh,Asia/Shanghai,sms,L1,consumer,CNY,2,2026-12-01,1200.00\n"
    "B2,Ana Ruiz,+14155550123,987654321,en,America/Los_Angeles,telegram,L2,auto,USD,3,2026-11-25,350.00\n"
)
# username → (role, queues): every role, so the case actions have someone allowed to act.
STAFF: dict[str, tuple[str, list[str]]] = {
    "amy": ("agent", ["hardship", "collections"]),
    "cora": ("complaints", ["complaints"]),
    "sam": ("supervisor", []),
}


async def seed(services: Services) -> None:
    parsed = parse_loans_csv(HEADER + BOOK)
    assert parsed.errors == [], parsed.errors
    await import_loan_rows(parsed.rows, now=NOW - timedelta(days=60), log=services.log)
    for username, (role, queues) in STAFF.items():
        await accounts.create_staff(
            username, role, queues, "correct horse 42", now=NOW - timedelta(days=1), log=services.log, actor="test"
        )
    for borrower_id, kind in (("B1", "hardship"), ("B2", "complaint")):
        borrower = await Borrower.get(borrower_id=borrower_id)
        await open_case(borrower=borrower, kind=kind, now=NOW, policy=services.policy, log=services.log)


@contextmanager
def served(database_url: str, *, book: bool = True) -> Iterator[str]:
    """The app over ``database_url`` (schema created, the book seeded), serving; yields its base URL."""
    ready = threading.Event()
    found: dict[str, object] = {}

    async def main() -> None:
        stop = asyncio.Event()
        found["stop"] = (asyncio.get_running_loop(), stop)
        await open_database(database_url)
        await _truncate_all()  # a PostgreSQL database of the session may hold other tests' rows
        runner = None
        try:
            settings = Settings(database_url=database_url, api_token=TOKEN, secret_key="x" * 32)  # type: ignore[arg-type]
            services = Services(
                settings=settings, policy=load_policy(), log=InteractionLog(b"k" * 16), clock=lambda: NOW
            )
            if book:
                await seed(services)
            runner = web.AppRunner(build_app(services), handle_signals=False)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            found["url"] = f"http://127.0.0.1:{port}"
            ready.set()
            await stop.wait()
        except BaseException as exc:
            found["error"] = exc
            ready.set()
            raise
        finally:
            if runner is not None:
                await runner.cleanup()
            await close_database()

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    ready.wait(60)
    if "error" in found:
        raise RuntimeError("the app did not start") from found["error"]  # type: ignore[arg-type]
    try:
        yield str(found["url"])
    finally:
        loop, stop = found["stop"]  # type: ignore[misc]
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)


if __name__ == "__main__":
    with served(sys.argv[1]) as url:
        print(f"{url}/api/v1/openapi.json  Authorization: Bearer {TOKEN}", flush=True)
        threading.Event().wait()
