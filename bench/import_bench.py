"""Import benchmark: 100,000 installment rows through ``duebot import loans``, as a whole process.

Usage: python bench/import_bench.py [--rows N] [--postgres URL]
Prints rows/s for a first import (all created) and a re-import (all unchanged), with the peak
resident memory of the importing process.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ZONES = [
    ("Asia/Shanghai", "+86138", "zh", "CNY", 8),
    ("Europe/London", "+447400", "en", "GBP", 6),
    ("America/New_York", "+12125", "en", "USD", 6),
    ("America/Los_Angeles", "+14153", "en", "USD", 6),
]
HEADER = (
    "borrower_id,full_name,phone,telegram_chat_id,locale,timezone,preferred_channel,"
    "loan_id,product,currency,installment_no,due_date,amount_due\n"
)


def write_book(path: Path, rows: int, per_loan: int = 5) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for n in range(rows // per_loan):
            zone, prefix, locale, currency, digits = ZONES[n % len(ZONES)]
            phone = prefix + str(n % 10**digits).zfill(digits)
            for k in range(1, per_loan + 1):
                month = (n + k) % 12 + 1
                fh.write(
                    f"B{n:06d},Borrower {n},{phone},,{locale},{zone},sms,L{n:06d},consumer,{currency},"
                    f"{k},2027-{month:02d}-{rng.randint(1, 28):02d},{rng.randint(100, 5000)}.00\n"
                )


def timed_import(csv_path: Path, env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "import", "loans", str(csv_path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print("   ", proc.stdout.strip().splitlines()[0])
    return elapsed, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", help="a PostgreSQL URL to run against too (its tables are emptied)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "book.csv"
        write_book(book, args.rows)
        targets = [("sqlite", f"sqlite://{Path(tmp) / 'bench.sqlite3'}")]
        if args.postgres:
            targets.append(("postgres", args.postgres))
        for name, url in targets:
            env = {**os.environ, "DUEBOT_DATABASE_URL": url, "DUEBOT_SECRET_KEY": "bench"}
            if name == "postgres":
                subprocess.run(
                    ["psql", url, "-qc", "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"],
                    check=True,
                    capture_output=True,
                )
            for label in ("first import", "re-import"):
                elapsed, peak_mb = timed_import(book, env)
                print(
                    f"{name:8} {label:12}: {args.rows} rows in {elapsed:.2f} s = "
                    f"{args.rows / elapsed:,.0f} rows/s; peak RSS {peak_mb:.0f} MB"
                )


if __name__ == "__main__":
    main()
