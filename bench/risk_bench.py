"""The daily risk review (tiers and early warnings) over a large PostgreSQL book.

    .venv/bin/python bench/risk_bench.py [--borrowers 200000] [--postgres URL] [--json FILE]

Builds a throw-away database (schema by tortoise, rows by COPY): ``--borrowers`` borrowers in six
zones, one loan of five monthly installments each (1,000,000 installments at the default size), due
dates spread so that about half the borrowers owe something overdue; the installments due before the
month are paid (a fifth of them late), with a month of payments (one per paid installment in the last
30 days, some partial) and a few broken promises and hardship replies. Then it times, in this
process, the review's first run (every borrower scored, every ``borrower_risk`` row written, first
tiers of B and C logged) and the next day's run (only what changed written). Target: under 60 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from _common import ROOT, scratch_database

sys.path.insert(0, str(ROOT))

ZONES = (
    "Asia/Shanghai",
    "Asia/Kolkata",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Pacific/Auckland",
)
NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
TODAY = NOW.date()
PER_LOAN = 5
STAMP = datetime(2026, 6, 1, tzinfo=UTC)


def _rows(
    borrowers: int, seed: int
) -> tuple[list[tuple], list[tuple], list[tuple], list[tuple], list[tuple], list[tuple]]:
    rng = random.Random(seed)
    people, loans, installments, payments, promises, messages = [], [], [], [], [], []
    pay_id = 0
    for b in range(1, borrowers + 1):
        zone = ZONES[b % len(ZONES)]
        people.append((b, f"B{b:07d}", f"Borrower {b}", f"+1212{b:07d}", None, "en", zone, "sms",
                       False, False, True, b % 97 == 0, STAMP, STAMP))  # fmt: skip
        loans.append((b, f"L{b:07d}", "consumer", "USD", "active", STAMP, STAMP, b))
        # The first installment falls due 1 to 150 days before today: about half the book owes something overdue.
        first = TODAY - timedelta(days=rng.randrange(1, 150))
        amount = Decimal(rng.randrange(100, 1000))
        for n in range(PER_LOAN):
            due = first + timedelta(days=30 * n)
            iid = (b - 1) * PER_LOAN + n + 1
            paid = due < TODAY - timedelta(days=20) and rng.random() < 0.7
            paid_at = None
            if paid:
                late = rng.random() < 0.2
                paid_day = due + timedelta(days=rng.randrange(1, 20) if late else 0)
                paid_at = datetime.combine(paid_day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=6)
                if paid_at > NOW - timedelta(days=30):
                    pay_id += 1
                    payments.append((pay_id, f"P{pay_id:08d}", amount, paid_at, paid_at, b))
            installments.append((iid, n + 1, due, amount, amount if paid else Decimal(0),
                                 "paid" if paid else "open", paid_at, b))  # fmt: skip
        if b % 50 == 0:
            for k in range(1 + b % 3):
                settled = NOW - timedelta(days=5 + 20 * k)
                promises.append((len(promises) + 1, (settled - timedelta(days=3)).date(), Decimal(50), Decimal(0),
                                 "broken", "borrower", settled - timedelta(days=4), settled, b, b))  # fmt: skip
        if b % 200 == 0:
            at = NOW - timedelta(days=rng.randrange(1, 30))
            messages.append((len(messages) + 1, b, "in", "sms", "inbound", "handled", "hardship", at, at,
                             f"+1212{b:07d}", "I lost my job", 0, False, "borrower", "{}", False))  # fmt: skip
    return people, loans, installments, payments, promises, messages


async def build(url: str, borrowers: int) -> None:
    import asyncpg

    from storage.database import close_database, open_database

    await open_database(url)
    await close_database()
    people, loans, installments, payments, promises, messages = _rows(borrowers, 7)
    conn = await asyncpg.connect(url)
    try:
        await conn.copy_records_to_table("borrowers", columns=[
            "id", "borrower_id", "full_name", "phone", "telegram_chat_id", "locale", "timezone", "preferred_channel",
            "sms_opted_out", "telegram_opted_out", "telegram_usable", "phone_wrong", "created_at", "updated_at"],
            records=people)  # fmt: skip
        await conn.copy_records_to_table("loans", columns=[
            "id", "loan_id", "product", "currency", "status", "created_at", "updated_at", "borrower_id"],
            records=loans)  # fmt: skip
        await conn.copy_records_to_table("installments", columns=[
            "id", "installment_no", "due_date", "amount_due", "amount_paid", "state", "paid_at", "loan_id"],
            records=installments)  # fmt: skip
        await conn.copy_records_to_table("payments", columns=[
            "id", "payment_id", "amount", "paid_at", "recorded_at", "loan_id"], records=payments)  # fmt: skip
        await conn.copy_records_to_table("promises", columns=[
            "id", "promised_date", "amount", "paid_before", "status", "source", "created_at", "settled_at",
            "borrower_id", "loan_id"], records=promises)  # fmt: skip
        await conn.copy_records_to_table("messages", columns=[
            "id", "borrower_id", "direction", "channel", "kind", "status", "intent", "created_at", "updated_at",
            "address", "body", "attempts", "counts_toward_caps", "actor", "payload", "urgent"],
            records=messages)  # fmt: skip
        for table in ("borrowers", "loans", "installments", "payments", "promises", "messages"):
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    print(f"built {len(installments):,} installments, {len(payments):,} payments, {borrowers:,} borrowers")


async def measure(url: str) -> dict[str, float]:
    from config.policy import load_policy
    from scheduler.risk_pass import RiskReview, windows_of
    from storage.database import close_database, open_database
    from storage.interaction_log import InteractionLog
    from storage.risk import read_book

    await open_database(url)
    try:
        policy = load_policy()
        review = RiskReview(policy, InteractionLog(b"bench"))
        figures: dict[str, float] = {}
        # The ceiling: reading the facts alone (the review cannot be faster than its reads).
        started = time.perf_counter()
        await read_book(NOW, windows_of(policy))
        figures["read_seconds"] = round(time.perf_counter() - started, 2)
        print(f"reading the book alone: {figures['read_seconds']:.1f} s")
        for label, at in (("first", NOW), ("next_day", NOW + timedelta(days=1))):
            started = time.perf_counter()
            counts = await review.run(at)
            figures[f"{label}_seconds"] = round(time.perf_counter() - started, 2)
            print(f"{label} review: {figures[f'{label}_seconds']:.1f} s  {counts}")
        return figures
    finally:
        await close_database()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--borrowers", type=int, default=200_000)
    parser.add_argument("--postgres", default=os.environ.get("DUEBOT_TEST_POSTGRES_URL"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not args.postgres:
        raise SystemExit("risk_bench: needs PostgreSQL: --postgres URL or DUEBOT_TEST_POSTGRES_URL")
    with scratch_database(args.postgres, "risk") as url:
        started = time.perf_counter()
        asyncio.run(build(url, args.borrowers))
        print(f"(built in {time.perf_counter() - started:.1f} s)")
        figures = asyncio.run(measure(url))
    if args.json:
        args.json.write_text(json.dumps({"borrowers": args.borrowers, "date": date.today().isoformat(), **figures,
                                         "figures": json_figures(args.borrowers, figures)}))  # fmt: skip


def json_figures(borrowers: int, figures: dict[str, float]) -> list[dict[str, object]]:
    """Each run beside reading the book alone, and issue 11's target, as ``bench/run_all.py`` prints them."""
    full = borrowers >= 200_000
    return [
        {
            "figure": f"risk review, {label}, {borrowers:,} borrowers ({borrowers * PER_LOAN:,} installments)",
            "value": figures[f"{key}_seconds"],
            "unit": "s",
            "better": "lower",
            "ceiling_name": "reading the book alone",
            "ceiling": figures["read_seconds"],
            "target": "< 60 s at 200,000" if full else "",
            "met": full and figures[f"{key}_seconds"] < 60,
        }
        for label, key in (("first run", "first"), ("next day", "next_day"))
    ]


if __name__ == "__main__":
    main()
