"""The console's queue over many open cases (issue 13): ``storage.queue_views.queue_page`` on PostgreSQL.

    .venv/bin/python bench/queue_bench.py [--postgres URL] [--cases 50000]

Builds a throw-away database beside ``--postgres`` (default ``$DUEBOT_TEST_POSTGRES_URL``) with one
borrower, loan, overdue installment and open case per ``--cases``, then times the first and a later
page in each order (best of three, in one process) beside the ceiling measured in the same run: a
bare ``SELECT … ORDER BY opened_at LIMIT 100`` of the same cases. Target: a page of 50,000 open
cases in under 500 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
from _common import best_of, scratch_database


async def measure(url: str, cases: int) -> None:
    from storage.case_views import QueueFilter
    from storage.database import close_database, connection, open_database
    from storage.queue_views import QUEUE_SORTS, queue_page

    await open_database(url)
    raw = await asyncpg.connect(url)
    n = int(cases)
    await raw.execute(
        "INSERT INTO borrowers (borrower_id, full_name, phone, locale, timezone, preferred_channel, sms_opted_out, "
        "telegram_opted_out, telegram_usable, phone_wrong, created_at, updated_at) SELECT 'B' || g, 'Name ' || g, "
        "'+1212' || lpad(g::text, 7, '0'), 'en', 'America/New_York', 'sms', false, false, true, false, now(), now() "
        f"FROM generate_series(1, {n}) g"
    )
    await raw.execute(
        "INSERT INTO loans (borrower_id, loan_id, product, currency, status, created_at, updated_at) "
        "SELECT id, 'L' || id, 'card', 'USD', 'active', now(), now() FROM borrowers"
    )
    await raw.execute(
        "INSERT INTO installments (loan_id, installment_no, due_date, amount_due, amount_paid, state) "
        "SELECT id, 1, DATE '2026-11-30' - (id % 120), 100 + id % 900, 0, 'open' FROM loans"
    )
    await raw.execute(
        "INSERT INTO cases (reference, borrower_id, kind, queue, status, priority, opened_at, first_response_due, "
        "summary, open_key) SELECT 'CASE-' || id, id, 'overdue_30', 'collections', 'open', "
        "(ARRAY['low','normal','high','urgent'])[1 + id % 4], now() - (id || ' minutes')::interval, "
        "now() + ((id % 500) || ' minutes')::interval, '', id || ':overdue_30' FROM borrowers"
    )
    await raw.execute("ANALYZE")
    await raw.close()
    conn = connection()
    bare = "SELECT id FROM cases WHERE status <> 'resolved' ORDER BY opened_at LIMIT 100"
    ceiling = await best_of(3, lambda: conn.execute_query(bare))
    print(f"{n:,} open cases; ceiling (a bare ordered page) {ceiling * 1000:.1f} ms")
    for sort in QUEUE_SORTS:
        for page in (1, 50):

            async def run(s: str = sort, p: int = page) -> None:
                await queue_page(QueueFilter(), {"collections"}, sort=s, page=p)

            took = await best_of(3, run)
            met = "met" if took < 0.5 else "missed"
            print(f"  order {sort:<9} page {page:>3}: {took * 1000:7.0f} ms   target < 500 ms: {met}")
    await close_database()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("DUEBOT_TEST_POSTGRES_URL"))
    parser.add_argument("--cases", type=int, default=50_000)
    args = parser.parse_args()
    if not args.postgres:
        sys.exit("queue_bench: needs --postgres URL or DUEBOT_TEST_POSTGRES_URL")
    with scratch_database(args.postgres, "queue") as url:
        asyncio.run(measure(url, args.cases))


if __name__ == "__main__":
    main()
