"""``duebot preview`` for a day with ~100,000 planned messages, as a whole process (issue 12).

    .venv/bin/python bench/preview_bench.py [--postgres URL | --sqlite] [--borrowers 100000]
                                            [--profile FILE] [--keep] [--json FILE]

Builds a throw-away database (PostgreSQL beside ``--postgres``, default ``$DUEBOT_TEST_POSTGRES_URL``;
or a SQLite file with ``--sqlite``, 5,000 borrowers unless told) with the schema ``open_database``
creates, filled with raw COPY (asyncpg ``copy_records_to_table``; ``executemany`` on SQLite). The
previewed day D is today in Asia/Shanghai (the policy's SLA zone) plus 7 days, and the book is built
around it:

* borrowers: ``--borrowers``, in four zones (Asia/Shanghai, Asia/Kolkata, Europe/London,
  America/New_York), unique E.164 phones of the zone's country, three in ten preferring Telegram
  (with a chat id; one Telegram chat in fifty no longer usable), a risk tier for nine in ten;
* one loan each, seven monthly installments (30 days apart): the k-th borrower's loan has one
  unpaid installment due on D - offset for the k-th of the policy's eight tier offsets (T-3, T-1,
  T0, D+1, D+3, D+7, D+15, D+30: due D+3 … D-30), earlier ones paid, later ones open (so the D+30
  borrowers also owe one due on D: a T0 reminder the daily cap holds back); 3% of the D-dated ones
  already paid, 5% paid in part. 700,000 installment rows at 100,000 borrowers, 550,000 of them
  due outside D-30..D+3;
* history: a delivered outbound reminder in the last 7 days for four borrowers in ten (one in ten
  two), an inbound reply for one in ten, 2% opted out of SMS, 1% under a ``cease`` restriction, 2% in
  a contact pause covering D, 0.5% with an open complaint or dispute. VACUUM ANALYZE (ANALYZE on
  SQLite) after loading.

Then, each a whole process (start to exit; peak resident memory as VmHWM read while it runs), with
both channels configured (dummy Twilio and Telegram settings; nothing is sent):

* ``python -m bot.cli preview --date D --format json`` (stdout to a file, parsed for its items,
  sends and helds): the issue's target is under 30 s for 100,000 planned messages on PostgreSQL;
* the **ceiling**: a bare asyncpg (``sqlite3``) process that reads what the preview cannot avoid
  reading: the unpaid installments of active loans due on the eight dates joined to loans and
  borrowers, and those borrowers' counted sends of the last nine days;
* **start-up**: ``python -m bot.cli --help``.

``--profile FILE`` runs the preview once more under cProfile (``python -m cProfile -o FILE -m bot.cli
preview …``) and prints the top of its cumulative and own-time tables. ``--keep`` leaves the database
(its URL is printed). ``--json FILE`` writes the figures for ``bench/run_all.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse
from zoneinfo import ZoneInfo

from _common import ROOT, duebot_env
from report_bench import run_measured

ZONES = ("Asia/Shanghai", "Asia/Kolkata", "Europe/London", "America/New_York")
CURRENCY = {"Asia/Shanghai": "CNY", "Asia/Kolkata": "INR", "Europe/London": "GBP", "America/New_York": "USD"}
# The default policy's tiers (scheduler.tiers.all_tiers): T-3, T-1, T0, D+1, D+3, D+7, D+15, D+30.
OFFSETS = (-3, -1, 0, 1, 3, 7, 15, 30)
STAGE = {-3: "before_due", -1: "before_due", 0: "due_today", 1: "overdue_early", 3: "overdue_early",
         7: "overdue_early", 15: "overdue_early", 30: "overdue_early"}  # fmt: skip
INSTALLMENTS_PER_LOAN = 7
TARGET_S = 30.0
TARGET_MESSAGES = 100_000
# Both channels configured (nothing is sent: the preview records nothing).
CHANNEL_SETTINGS = {
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "x",
    "TWILIO_FROM": "+15005550006",
    "TELEGRAM_BOT_TOKEN": "123:abc",
}
POLICY = "# the default policy (config/policy.toml)\n"


def tier_name(offset: int) -> str:
    return f"D+{offset}" if offset > 0 else f"T{offset}"


def preview_day(now: datetime) -> date:
    """D: a week after today in the policy's SLA zone (the preview refuses a day in the past)."""
    return now.astimezone(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=7)


# --- the book ------------------------------------------------------------------------------------


def phone(b: int, zone: str) -> str:
    """A valid-looking E.164 number of the zone's country, unique per borrower."""
    if zone == "Asia/Shanghai":
        return f"+86138{b:08d}"
    if zone == "Asia/Kolkata":
        return f"+919{b:09d}"
    if zone == "Europe/London":
        return f"+447{b:09d}"
    return f"+1{2_000_000_000 + b}"


class Book:
    """Row generators, deterministic from the seed and D (each table is one pass over borrowers)."""

    def __init__(self, borrowers: int, day: date, now: datetime, seed: int) -> None:
        self.borrowers = borrowers
        self.day = day
        self.now = now
        self.seed = seed
        self.created = now - timedelta(days=400)

    def zone(self, b: int) -> str:
        return ZONES[b % len(ZONES)]

    def offset(self, b: int) -> int:
        # b // 4 so that every zone gets every tier (the zone is b % 4).
        return OFFSETS[(b // len(ZONES)) % len(OFFSETS)]

    def borrower_rows(self) -> Iterator[tuple[Any, ...]]:
        rng = random.Random(self.seed + 1)
        for b in range(self.borrowers):
            zone = self.zone(b)
            telegram = rng.random() < 0.3
            linked = telegram or rng.random() < 0.1  # some SMS borrowers have linked a chat too
            sms_opted_out = rng.random() < 0.02
            usable = not (linked and rng.random() < 0.02)
            yield (b + 1, f"B{b:07d}", f"Borrower {b}", phone(b, zone), 500_000_000 + b if linked else None,
                   "zh" if zone == "Asia/Shanghai" else "en", zone, "telegram" if telegram else "sms",
                   sms_opted_out, False, usable, False, self.created, self.created)  # fmt: skip

    def loan_rows(self) -> Iterator[tuple[Any, ...]]:
        rng = random.Random(self.seed + 2)
        for b in range(self.borrowers):
            product = "auto" if rng.random() < 0.2 else "consumer"
            yield (b + 1, f"L{b:07d}", product, CURRENCY[self.zone(b)], "active", self.created, self.created, b + 1)

    def installment_rows(self) -> Iterator[tuple[Any, ...]]:
        """Seven monthly installments a loan; the ``near``-th is the one due on D - offset."""
        rng = random.Random(self.seed + 3)
        today = self.now.date()
        n = 0
        for b in range(self.borrowers):
            due_near = self.day - timedelta(days=self.offset(b))
            near = rng.randrange(1, INSTALLMENTS_PER_LOAN - 1)  # some before it, at least one after
            amount = Decimal(rng.randrange(100_00, 2_000_00)).scaleb(-2)
            for j in range(INSTALLMENTS_PER_LOAN):
                due = due_near + timedelta(days=30 * (j - near))
                n += 1
                if j == near:
                    roll = rng.random()
                    if roll < 0.03:
                        state, paid = "paid", amount
                    elif roll < 0.08:
                        state, paid = "partially_paid", (amount / 2).quantize(Decimal("0.01"))
                    else:
                        state, paid = "open", Decimal(0)
                elif j < near and due < today:
                    state, paid = "paid", amount
                else:
                    state, paid = "open", Decimal(0)
                paid_at = datetime(due.year, due.month, due.day, 6, tzinfo=UTC) if state == "paid" else None
                yield (n, j + 1, due, amount, paid, state, paid_at, b + 1)

    def message_rows(self) -> Iterator[tuple[Any, ...]]:
        """Delivered reminders of the last 7 days (4 borrowers in 10; 1 in 10 two), then inbound replies."""
        rng = random.Random(self.seed + 4)
        m = 0
        week = 7 * 86400
        for b in range(self.borrowers):
            roll = rng.random()
            for _ in range(2 if roll < 0.1 else 1 if roll < 0.4 else 0):
                m += 1
                offset = rng.choice(OFFSETS)
                sent_at = self.now - timedelta(seconds=rng.randrange(60, week))
                channel = "telegram" if rng.random() < 0.3 else "sms"
                yield (m, b + 1, "out", channel, STAGE[offset], tier_name(offset), f"bench:{m}", "delivered", None,
                       phone(b, self.zone(b)), "Your installment is due.", 1, True, "system",
                       sent_at - timedelta(minutes=5), sent_at, sent_at, "{}", False)  # fmt: skip
        for b in range(self.borrowers):
            if rng.random() < 0.1:
                m += 1
                at = self.now - timedelta(seconds=rng.randrange(60, 30 * 86400))
                yield (m, b + 1, "in", "sms", "inbound", None, None, "handled", f"SMbench{m:09d}",
                       phone(b, self.zone(b)), "I will pay on Friday", 0, False, "borrower", at, None, at, "{}",
                       False)  # fmt: skip

    def restriction_rows(self) -> Iterator[tuple[Any, ...]]:
        rng = random.Random(self.seed + 5)
        n = 0
        for b in range(self.borrowers):
            if rng.random() < 0.01:
                n += 1
                at = self.now - timedelta(days=rng.randrange(1, 200))
                yield (n, b + 1, "cease", "bench: cease and desist letter", at, "bench", None, None)

    def pause_rows(self) -> Iterator[tuple[Any, ...]]:
        rng = random.Random(self.seed + 6)
        n = 0
        for b in range(self.borrowers):
            if rng.random() < 0.02:
                n += 1
                start = self.day - timedelta(days=rng.randrange(0, 10))
                reason = rng.choice(("promise", "hardship", "manual"))
                yield (n, b + 1, None, reason, start, start + timedelta(days=14), "", self.now, None)

    def case_rows(self) -> Iterator[tuple[Any, ...]]:
        rng = random.Random(self.seed + 7)
        n = 0
        for b in range(self.borrowers):
            roll = rng.random()
            if roll < 0.005:
                n += 1
                kind = "complaint" if roll < 0.003 else "dispute"
                opened = self.now - timedelta(days=rng.randrange(1, 10))
                yield (n, f"C-{n:07d}", b + 1, b + 1, kind, "complaints" if kind == "complaint" else "disputes",
                       "open", "high", opened, opened + timedelta(days=1), "bench case")  # fmt: skip

    def risk_rows(self) -> Iterator[tuple[Any, ...]]:
        rng = random.Random(self.seed + 8)
        for b in range(self.borrowers):
            if rng.random() < 0.9:
                roll = rng.random()
                tier, score = ("A", 10) if roll < 0.6 else ("B", 40) if roll < 0.85 else ("C", 80)
                yield (b + 1, tier, score, "[]", "[]", self.now)


COLUMNS: dict[str, tuple[str, ...]] = {
    "borrowers": ("id", "borrower_id", "full_name", "phone", "telegram_chat_id", "locale", "timezone",
                  "preferred_channel", "sms_opted_out", "telegram_opted_out", "telegram_usable", "phone_wrong",
                  "created_at", "updated_at"),
    "loans": ("id", "loan_id", "product", "currency", "status", "created_at", "updated_at", "borrower_id"),
    "installments": ("id", "installment_no", "due_date", "amount_due", "amount_paid", "state", "paid_at", "loan_id"),
    "messages": ("id", "borrower_id", "direction", "channel", "kind", "tier", "idempotency_key", "status",
                 "provider_event_id", "address", "body", "attempts", "counts_toward_caps", "actor", "created_at",
                 "sent_at", "updated_at", "payload", "urgent"),
    "restrictions": ("id", "borrower_id", "kind", "note", "created_at", "created_by", "lifted_at", "lifted_by"),
    "contact_pauses": ("id", "borrower_id", "loan_id", "reason", "start_date", "end_date", "note", "created_at",
                       "cancelled_at"),
    "cases": ("id", "reference", "borrower_id", "loan_id", "kind", "queue", "status", "priority", "opened_at",
              "first_response_due", "summary"),
    "borrower_risk": ("borrower_id", "tier", "score", "reasons", "warnings", "computed_at"),
}  # fmt: skip


def tables(book: Book) -> list[tuple[str, Iterator[tuple[Any, ...]]]]:
    return [
        ("borrowers", book.borrower_rows()),
        ("loans", book.loan_rows()),
        ("installments", book.installment_rows()),
        ("messages", book.message_rows()),
        ("restrictions", book.restriction_rows()),
        ("contact_pauses", book.pause_rows()),
        ("cases", book.case_rows()),
        ("borrower_risk", book.risk_rows()),
    ]


async def create_schema(url: str) -> None:
    from storage.database import close_database, open_database

    await open_database(url)
    await close_database()


def fill_postgres(url: str, book: Book) -> dict[str, int]:
    import asyncpg

    counts: dict[str, int] = {}

    async def fill() -> None:
        conn = await asyncpg.connect(url)
        try:
            for table, rows in tables(book):
                started = time.perf_counter()
                status = await conn.copy_records_to_table(table, columns=list(COLUMNS[table]), records=rows)
                counts[table] = int(status.split()[-1])
                print(f"  {table}: {counts[table]:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
                if table != "borrower_risk" and counts[table]:
                    await conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                    )
            await conn.execute("VACUUM ANALYZE")
        finally:
            await conn.close()

    asyncio.run(fill())
    return counts


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def fill_sqlite(path: Path, book: Book) -> dict[str, int]:
    counts: dict[str, int] = {}
    db = sqlite3.connect(path)
    with db:
        db.execute("PRAGMA synchronous=OFF")
        for table, rows in tables(book):
            started = time.perf_counter()
            columns = COLUMNS[table]
            cursor = db.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                (tuple(_sqlite_value(v) for v in row) for row in rows),
            )
            counts[table] = cursor.rowcount
            print(f"  {table}: {counts[table]:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
    db.execute("ANALYZE")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return counts


# --- the databases -------------------------------------------------------------------------------


async def _admin(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def postgres_database(admin: str, keep: bool) -> Iterator[str]:
    """A throw-away database beside the one ``admin`` names, left in place with ``keep``."""
    if not keep:
        from _common import scratch_database

        with scratch_database(admin, "preview") as url:
            yield url
        return
    name = f"duebot_bench_preview_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(admin, f'CREATE DATABASE "{name}"'))
    yield urlunparse(urlparse(admin)._replace(path=f"/{name}"))


@contextmanager
def sqlite_database(keep: bool) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="duebot-preview-bench-") as tmp:
        path = Path(tmp) / f"duebot-preview-bench-{uuid.uuid4().hex[:8]}.sqlite3"
        try:
            yield f"sqlite://{path}"
        finally:
            if keep:
                kept = Path(tempfile.gettempdir()) / path.name
                path.replace(kept)
                print(f"kept {kept}")


# --- whole processes -----------------------------------------------------------------------------

# The reads the preview cannot avoid: the installments due on the tiers' dates with their loans and
# borrowers (as storage.plan_inputs reads them), and those borrowers' counted sends (as
# storage.servicing.contact_snapshots does), in one bare process.
_INSTALLMENTS_SQL = (
    "SELECT i.id, b.borrower_id, b.id, l.loan_id, i.installment_no, b.timezone, b.locale, i.due_date, "
    "i.amount_due, i.amount_paid, l.currency, i.state FROM installments i "
    "JOIN loans l ON l.id = i.loan_id JOIN borrowers b ON b.id = l.borrower_id "
    "WHERE l.status = 'active' AND i.state IN ('open', 'partially_paid') AND i.due_date IN ({dates})"
)
_SENDS_SQL = (
    "SELECT borrower_id, sent_at, kind, idempotency_key, tier FROM messages WHERE borrower_id {ids} "
    "AND direction = 'out' AND sent_at >= {at} AND counts_toward_caps "
    "AND status IN ('sent', 'delivered', 'undelivered', 'failed', 'unknown', 'sending', 'read')"
)
CEILING_POSTGRES = f"""
import asyncio, datetime, sys, asyncpg
INSTALLMENTS = {_INSTALLMENTS_SQL!r}
SENDS = {_SENDS_SQL!r}
async def main():
    conn = await asyncpg.connect(sys.argv[1])
    dates = [datetime.date.fromisoformat(d) for d in sys.argv[2].split(",")]
    rows = await conn.fetch(INSTALLMENTS.format(dates=", ".join(f"${{n + 1}}" for n in range(len(dates)))), *dates)
    pks = sorted({{r[2] for r in rows}})
    since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=9)
    sends = await conn.fetch(SENDS.format(ids="= ANY($1::int[])", at="$2"), pks, since)
    await conn.close()
    print(len(rows), len(sends))
asyncio.run(main())
"""
CEILING_SQLITE = f"""
import datetime, sqlite3, sys
INSTALLMENTS = {_INSTALLMENTS_SQL!r}
SENDS = {_SENDS_SQL!r}
db = sqlite3.connect(sys.argv[1])
dates = sys.argv[2].split(",")
rows = db.execute(INSTALLMENTS.format(dates=", ".join("?" * len(dates))), dates).fetchall()
pks = sorted({{r[2] for r in rows}})
since = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=9)).isoformat(sep=" ")
db.execute("CREATE TEMP TABLE ids (id INTEGER PRIMARY KEY)")
db.executemany("INSERT INTO ids VALUES (?)", [(pk,) for pk in pks])
sends = db.execute(SENDS.format(ids="IN (SELECT id FROM ids)", at="?"), [since]).fetchall()
print(len(rows), len(sends))
"""


def preview_args(day: date) -> list[str]:
    return ["-m", "bot.cli", "preview", "--date", day.isoformat(), "--format", "json"]


def measure(url: str, policy: Path, day: date) -> dict[str, Any]:
    env = duebot_env(url, policy, **CHANNEL_SETTINGS)
    dates = ",".join((day - timedelta(days=o)).isoformat() for o in OFFSETS)
    runs: dict[str, Any] = {}
    runs["startup"] = run_measured([sys.executable, "-m", "bot.cli", "--help"], env)
    if url.startswith("sqlite"):
        from storage.database import sqlite_path

        runs["ceiling"] = run_measured([sys.executable, "-c", CEILING_SQLITE, sqlite_path(url), dates], env)
    else:
        runs["ceiling"] = run_measured([sys.executable, "-c", CEILING_POSTGRES, url, dates], env)
    read, sends = (int(x) for x in runs["ceiling"]["out"].split())
    runs["ceiling"]["check"] = {"installments": read, "prior_sends": sends}
    for run in (runs["startup"], runs["ceiling"]):
        run.pop("out", None)
    print(f"  start-up: {runs['startup']['wall_s']:.2f} s; ceiling: {runs['ceiling']['wall_s']:.2f} s "
          f"({read:,} installments, {sends:,} prior sends)", flush=True)  # fmt: skip
    run = run_measured([sys.executable, *preview_args(day)], env)
    body = json.loads(run.pop("out"))
    totals = body["totals"]
    run["check"] = {
        "items": len(body["items"]),
        "send": totals["send"],
        "held": totals["held"],
        "by_tier": totals["by_tier"],
        "by_channel": totals["by_channel"],
        "by_rule": totals["by_rule"],
    }
    runs["preview"] = run
    print(f"  preview --date {day} --format json: {run['wall_s']:.2f} s (CPU {run['cpu_s']:.2f} s), "
          f"{run['peak_mib']:.0f} MiB; {len(body['items']):,} items, {totals['send']:,} send, "
          f"{totals['held']:,} held", flush=True)  # fmt: skip
    return runs


def profile(url: str, policy: Path, day: date, out: str) -> None:
    """The preview once more under cProfile; the top of its tables."""
    import pstats

    env = duebot_env(url, policy, **CHANNEL_SETTINGS)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cProfile", "-o", out, *preview_args(day)], env=env, cwd=ROOT,
                   stdout=subprocess.DEVNULL, check=True)  # fmt: skip
    print(f"\nprofiled preview: {time.perf_counter() - started:.2f} s (with cProfile's overhead); {out}")
    stats = pstats.Stats(out)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)


# --- the table -----------------------------------------------------------------------------------


def json_figures(backend: str, borrowers: int, runs: dict[str, Any]) -> list[dict[str, Any]]:
    preview, ceiling, startup = runs["preview"], runs["ceiling"], runs["startup"]
    items = preview["check"]["items"]
    full = backend == "PostgreSQL" and items >= TARGET_MESSAGES
    size = f"{borrowers:,} borrowers, {items:,} messages"
    return [
        {
            "figure": f"{backend} preview --format json, {size} (whole process)", "value": preview["wall_s"],
            "unit": "s", "better": "lower", "ceiling_name": "bare read process", "ceiling": ceiling["wall_s"],
            "target": f"< {TARGET_S:.0f} s at {TARGET_MESSAGES:,}" if full else "",
            "met": bool(full and preview["wall_s"] < TARGET_S),
        },
        {
            "figure": f"{backend} preview, peak resident", "value": preview["peak_mib"], "unit": "MiB",
            "better": "lower", "ceiling_name": "start-up", "ceiling": startup["peak_mib"], "target": "", "met": None,
        },
        {
            "figure": f"{backend} process start-up (bot.cli --help)", "value": startup["wall_s"], "unit": "s",
            "better": "lower", "ceiling_name": "bare read process", "ceiling": ceiling["wall_s"], "target": "",
            "met": None,
        },
    ]  # fmt: skip


def print_table(figures: list[dict[str, Any]]) -> None:
    rows = [("figure", "value", "ceiling (same run)", "ratio", "target", "met?")]
    for f in figures:
        unit = f["unit"]
        value = f"{f['value']:,.2f} {unit}" if unit == "s" else f"{f['value']:,.0f} {unit}"
        ceiling = f"{f['ceiling']:,.2f} {unit}" if unit == "s" else f"{f['ceiling']:,.0f} {unit}"
        met = "" if not f["target"] else ("met" if f["met"] else "missed")
        rows.append((f["figure"], value, f"{f['ceiling_name']} {ceiling}", f"{f['value'] / f['ceiling']:.1f}x",
                     f["target"], met))  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        cells = [c.rjust(w) if i in (1, 3) else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        print(" | ".join(cells).rstrip())
        if n == 0:
            print("-+-".join("-" * w for w in widths))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("DUEBOT_TEST_POSTGRES_URL") or None,
                        help="the server to build beside (default: $DUEBOT_TEST_POSTGRES_URL)")  # fmt: skip
    parser.add_argument("--sqlite", action="store_true", help="measure a SQLite file instead")
    parser.add_argument("--borrowers", type=int, help="book size (default 100,000; 5,000 with --sqlite)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--profile", metavar="FILE", help="also run the preview under cProfile, writing FILE")
    parser.add_argument("--keep", action="store_true", help="keep the database (its URL is printed)")
    parser.add_argument("--json", help="write the figures to this file as JSON")
    args = parser.parse_args()
    if not args.sqlite and not args.postgres:
        parser.error("name a server with --postgres (or DUEBOT_TEST_POSTGRES_URL), or use --sqlite")
    borrowers = args.borrowers or (5_000 if args.sqlite else 100_000)
    backend = "SQLite" if args.sqlite else "PostgreSQL"
    now = datetime.now(UTC)
    day = preview_day(now)
    book = Book(borrowers, day, now, args.seed)
    with tempfile.TemporaryDirectory(prefix="duebot-preview-bench-") as tmp:
        policy = Path(tmp) / "policy.toml"
        policy.write_text(POLICY)
        database = sqlite_database(args.keep) if args.sqlite else postgres_database(args.postgres, args.keep)
        with database as url:
            started = time.perf_counter()
            asyncio.run(create_schema(url))
            print(f"building {borrowers:,} borrowers due around {day} on {backend}", flush=True)
            if args.sqlite:
                from storage.database import sqlite_path

                counts = fill_sqlite(Path(sqlite_path(url)), book)
            else:
                counts = fill_postgres(url, book)
            build_s = time.perf_counter() - started
            print(f"built in {build_s:.1f} s (load average {os.getloadavg()[0]:.1f}); measuring", flush=True)
            runs = measure(url, policy, day)
            if args.profile:
                profile(url, policy, day, args.profile)
            if args.keep:
                print(f"kept the database: {url}")
    figures = json_figures(backend, borrowers, runs)
    print()
    print_table(figures)
    check = runs["preview"]["check"]
    print(f"\nthe preview of {day}: {check['items']:,} items, {check['send']:,} send, {check['held']:,} held; "
          f"by tier {check['by_tier']}; by channel {check['by_channel']}; held by rule {check['by_rule']}")  # fmt: skip
    if args.json:
        data = {"bench": "preview", "backend": backend, "borrowers": borrowers, "day": day.isoformat(),
                "rows": counts, "build_s": build_s, "runs": runs, "figures": figures}  # fmt: skip
        Path(args.json).write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
