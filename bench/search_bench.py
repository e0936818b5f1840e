"""Console search over a large book (issue 13): ``storage.search.find_borrowers`` on PostgreSQL.

    .venv/bin/python bench/search_bench.py [--postgres URL] [--borrowers 200000]

Builds a throw-away database beside ``--postgres`` (default ``$DUEBOT_TEST_POSTGRES_URL``) with
``--borrowers`` borrowers (half with Chinese names) and a loan each, then times each kind of query
(best of three, in one process) beside the ceiling measured in the same run: one indexed lookup of
a borrower by id, the least a search can cost. Target: under 300 ms on 200,000 borrowers.
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

QUERIES = ("张伟199998", "Name 12345", "(212) 012-3456", "L150000", "B77777", "nobody at all")


async def measure(url: str, borrowers: int) -> None:
    from storage.database import close_database, connection, open_database
    from storage.search import find_borrowers

    await open_database(url)
    raw = await asyncpg.connect(url)
    await raw.execute(
        "INSERT INTO borrowers (borrower_id, full_name, phone, locale, timezone, preferred_channel, sms_opted_out, "
        "telegram_opted_out, telegram_usable, phone_wrong, created_at, updated_at) SELECT 'B' || g, CASE WHEN "
        "g % 2 = 0 THEN '张伟' || g ELSE 'Name ' || g END, '+1212' || lpad(g::text, 7, '0'), 'en', 'Asia/Shanghai', "
        f"'sms', false, false, true, false, now(), now() FROM generate_series(1, {int(borrowers)}) g"
    )
    await raw.execute(
        "INSERT INTO loans (borrower_id, loan_id, product, currency, status, created_at, updated_at) "
        "SELECT id, 'L' || id, 'consumer', 'USD', 'active', now(), now() FROM borrowers"
    )
    await raw.execute("ANALYZE")
    await raw.close()
    conn = connection()
    ceiling = await best_of(
        3, lambda: conn.execute_query("SELECT id FROM borrowers WHERE borrower_id = $1", ["B77777"])
    )
    print(f"{'query':<20} {'found':>5} {'best of 3':>10}   ceiling (one indexed lookup) {ceiling * 1000:.1f} ms")
    for query in QUERIES:
        found: list[object] = []

        async def run(q: str = query, into: list[object] = found) -> None:
            into[:] = await find_borrowers(q)

        took = await best_of(3, run)
        met = "met" if took < 0.3 else "missed"
        print(f"{query!r:<20} {len(found):>5} {took * 1000:>8.0f} ms   target < 300 ms at 200,000: {met}")
    await close_database()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("DUEBOT_TEST_POSTGRES_URL"))
    parser.add_argument("--borrowers", type=int, default=200_000)
    args = parser.parse_args()
    if not args.postgres:
        sys.exit("search_bench: needs --postgres URL or DUEBOT_TEST_POSTGRES_URL")
    with scratch_database(args.postgres, "search") as url:
        asyncio.run(measure(url, args.borrowers))


if __name__ == "__main__":
    main()
