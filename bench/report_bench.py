"""``duebot report`` over a large book, as whole processes, beside the scan it cannot avoid (issue 11).

    .venv/bin/python bench/report_bench.py [--postgres URL | --sqlite] [--installments 1000000]
                                           [--dashboard] [--risk] [--keep] [--json FILE]

Builds a throw-away database (PostgreSQL beside ``--postgres``, default ``$DUEBOT_TEST_POSTGRES_URL``;
or a SQLite file with ``--sqlite``, 50,000 installments unless told) with the schema ``open_database``
creates, filled with raw COPY (asyncpg ``copy_records_to_table``; ``executemany`` on SQLite), not
through the importer:

* borrowers: ``--installments`` / 5, in four zones (Asia/Shanghai, America/New_York, Europe/London,
  Asia/Kolkata), sms or telegram, en or zh; about one in five has a second loan (USD or CNY,
  consumer or auto);
* installments: ``--installments`` in all, monthly, due dates spread over six months either side of
  the bench's today (1 Dec 2026); each borrower pays on time, late, in part or stops paying, and
  the payments (some split in two) are the history up to today, so November has a month of them;
  a few unpaid ones are waived;
* November 2026: about two outbound messages a borrower (nine in ten reminders with a tier; sent,
  delivered or undelivered), a quarter as many inbound replies, promises (created in October and
  November, kept, partly kept, broken, open), cases of every kind (complaints with their deadlines,
  some answered late, some resolved), ``borrower.contact_changed`` opt-outs in the interaction log
  beside one ordinary log entry per outbound message, and a risk tier (A/B/C) for nine borrowers in
  ten. VACUUM ANALYZE after loading (ANALYZE on SQLite).

Then, each a whole process (start to exit, ``time.perf_counter`` around it; peak resident memory
from ``wait4``), against that database:

* ``duebot report --since 2026-11-01 --until 2026-11-30 --format json``: with ``--by tier`` (the
  issue's target: under 10 s on 1,000,000 installments), without ``--by``, with ``--every week``, and
  with ``--by tier --every week`` (what the dashboard computes for a month: its defaults);
* the ceiling: a fresh Python process that connects (asyncpg; ``sqlite3``) and runs the one full scan
  every report needs, ``SELECT loan_id, SUM(amount_due) FROM installments GROUP BY loan_id``;
* start-up: ``python -m bot.cli --help`` (what any duebot process costs before it does anything);
* ``--dashboard``: ``GET /console/reports?since=2026-11-01&until=2026-11-30`` (its defaults: by tier,
  every week) from ``duebot serve``'s app on the same database (without its background passes: see
  ``serve_child``), logged in through the login form as a supervisor made by ``duebot staff add``,
  first and second request (target: under 3 s), beside the same report by the CLI;
* ``--risk`` (a hook for the daily risk-tier pass, target under 60 s): times ``duebot tick --now``
  on the same book, which is the whole scheduler pass (planning included), not the risk pass alone.

Prints a table (figure, ceiling, target, met?) and, with ``--json FILE``, the figures for
``bench/run_all.py``. ``--keep`` leaves the database (its URL is printed) for EXPLAIN ANALYZE.
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

from _common import ROOT, duebot_env

ZONES = ("Asia/Shanghai", "America/New_York", "Europe/London", "Asia/Kolkata")
TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
SINCE, UNTIL = date(2026, 11, 1), date(2026, 11, 30)
MONTH_START = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # 1 Nov in Asia/Shanghai (sla.timezone)
MONTH_SECONDS = 30 * 86400
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
TIERS = ("T-3", "T0", "T+1", "T+3", "T+7", "T+15")
CASE_KINDS = (
    ("complaint", "complaints", 0.25),
    ("hardship", "hardship", 0.20),
    ("dispute", "disputes", 0.10),
    ("collections", "collections", 0.30),
    ("early_warning", "collections", 0.05),
    ("unreachable", "collections", 0.10),
)
REPORT_TARGET_S = 10.0
DASHBOARD_TARGET_S = 3.0
RISK_TARGET_S = 60.0
# The reminder window opens at 22:00 local: a --risk tick at midnight UTC plans but sends nothing.
POLICY = """
[windows]
send_start = "22:00"
send_end = "23:00"
hard_start = "21:00"
hard_end = "23:30"
"""


# --- the book ------------------------------------------------------------------------------------


def money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def at(rng: random.Random, start: datetime, seconds: int) -> datetime:
    return start + timedelta(seconds=rng.randrange(seconds))


class Book:
    """Row generators, deterministic from the seed: each table's rows can be produced again (the
    payments are derived from the same per-loan draws as the installments)."""

    def __init__(self, installments: int, seed: int) -> None:
        self.installments = installments
        self.borrowers = max(1, installments // 5)
        self.seed = seed
        rng = random.Random(seed)
        # About one borrower in five has a second loan.
        self.second_loan = [rng.random() < 0.2 for _ in range(self.borrowers)]
        self.loan_owner = [b for b in range(self.borrowers) for _ in range(2 if self.second_loan[b] else 1)]
        self.loans = len(self.loan_owner)
        self.per_loan, self.extra = divmod(installments, self.loans)
        self.messages_out = self.borrowers * 2
        self.messages_in = self.messages_out // 8
        self.promises = max(1, self.borrowers // 10)
        self.cases = max(1, self.borrowers // 20)
        self.opt_outs = max(1, self.borrowers // 60)

    def borrower_rows(self) -> Iterator[tuple[Any, ...]]:
        rng = random.Random(self.seed + 1)
        for b in range(self.borrowers):
            zone = ZONES[b % len(ZONES)]
            locale = "zh" if zone == "Asia/Shanghai" else "en"
            channel = "telegram" if rng.random() < 0.3 else "sms"
            chat = 10_000_000 + b if channel == "telegram" else None
            yield (b + 1, f"B{b:07d}", f"Borrower {b}", f"+1{200_0000000 + b}", chat, locale, zone, channel,
                   False, False, True, False, CREATED, CREATED)  # fmt: skip

    def loan_rows(self) -> Iterator[tuple[Any, ...]]:
        rng = random.Random(self.seed + 2)
        for k, owner in enumerate(self.loan_owner):
            currency = "CNY" if rng.random() < 0.6 else "USD"
            product = "auto" if rng.random() < 0.25 else "consumer"
            yield (k + 1, f"L{k:07d}", product, currency, "active", CREATED, CREATED, owner + 1)

    def _loan_plans(self) -> Iterator[tuple[int, list[tuple[Any, ...]], list[tuple[int, datetime]]]]:
        """Per loan: its installment rows and its payments (cents, paid_at), from one draw."""
        rng = random.Random(self.seed + 3)
        next_installment = 1
        for k in range(self.loans):
            n = self.per_loan + (1 if k < self.extra else 0)
            span = 30 * max(n - 1, 0)
            first_due = TODAY + timedelta(days=rng.randrange(-182, max(-181, 182 - span)))
            amount = rng.randrange(100_00, 2_000_00)
            habit = rng.random()  # < .65 on time, < .80 late, < .88 in part, else stops paying
            stops_after = rng.randrange(n) if habit >= 0.88 else n
            rows: list[tuple[Any, ...]] = []
            payments: list[tuple[int, datetime]] = []
            for j in range(n):
                due = first_due + timedelta(days=30 * j)
                paid = 0
                last_paid: datetime | None = None
                if due < TODAY and j < stops_after:
                    days = rng.randrange(-4, 3) if habit < 0.65 else rng.randrange(3, 45)
                    when = datetime(due.year, due.month, due.day, tzinfo=UTC) + timedelta(
                        days=days, seconds=rng.randrange(86400)
                    )
                    share = amount if habit < 0.80 or habit >= 0.88 else amount // 2
                    parts = [share] if rng.random() < 0.7 else [share // 2, share - share // 2]
                    for p, part in enumerate(parts):
                        paid_at = when + timedelta(days=3 * p)
                        if paid_at < NOW:
                            payments.append((part, paid_at))
                            paid += part
                            last_paid = paid_at
                state = "paid" if paid >= amount else "partially_paid" if paid else "open"
                if state == "open" and due < TODAY and rng.random() < 0.01:
                    state = "waived"
                rows.append((next_installment, j + 1, due, money(amount), money(paid), state,
                             last_paid if state == "paid" else None, k + 1))  # fmt: skip
                next_installment += 1
            yield k, rows, payments

    def installment_rows(self) -> Iterator[tuple[Any, ...]]:
        for _, rows, _ in self._loan_plans():
            yield from rows

    def payment_rows(self) -> Iterator[tuple[Any, ...]]:
        n = 0
        for k, _, payments in self._loan_plans():
            for cents, paid_at in payments:
                n += 1
                yield (n, f"P{n:08d}", k + 1, money(cents), paid_at, paid_at + timedelta(minutes=5))

    def message_rows(self) -> Iterator[tuple[Any, ...]]:
        rng = random.Random(self.seed + 4)
        for m in range(self.messages_out):
            b = rng.randrange(self.borrowers)
            channel = "telegram" if b % 10 < 3 else "sms"
            sent_at = at(rng, MONTH_START, MONTH_SECONDS)
            roll = rng.random()
            status = "delivered" if roll < 0.7 else "sent" if roll < 0.9 else "undelivered"
            reminder = rng.random() < 0.9
            yield (m + 1, b + 1, "out", channel, "reminder" if reminder else "answer",
                   rng.choice(TIERS) if reminder else None, f"bench:{m + 1}", status, None,
                   f"+1{200_0000000 + b}", "Your installment is due.", 0, True, "system",
                   sent_at - timedelta(hours=1), sent_at, sent_at, "{}", False)  # fmt: skip
        for i in range(self.messages_in):
            b = rng.randrange(self.borrowers)
            created = at(rng, MONTH_START, MONTH_SECONDS)
            yield (self.messages_out + i + 1, b + 1, "in", "sms", "inbound", None, None, "handled",
                   f"SMbench{i:09d}", f"+1{200_0000000 + b}", "I will pay on Friday", 0, False, "borrower",
                   created, None, created, "{}", False)  # fmt: skip

    def promise_rows(self) -> Iterator[tuple[Any, ...]]:
        rng = random.Random(self.seed + 5)
        start = MONTH_START - timedelta(days=30)
        for p in range(self.promises):
            k = rng.randrange(self.loans)
            created = at(rng, start, 2 * MONTH_SECONDS)
            promised = (created + timedelta(days=rng.randrange(1, 10))).date()
            roll = rng.random()
            status = "kept" if roll < 0.5 else "broken" if roll < 0.75 else "partly_kept" if roll < 0.85 else "open"
            settled = created + timedelta(days=rng.randrange(2, 12)) if status != "open" else None
            if settled is not None and settled >= NOW:
                status, settled = "open", None
            yield (p + 1, self.loan_owner[k] + 1, k + 1, promised, money(rng.randrange(100_00, 2_000_00)),
                   Decimal("0"), status, "borrower", created, settled)  # fmt: skip

    def case_rows(self) -> Iterator[tuple[Any, ...]]:
        rng = random.Random(self.seed + 6)
        start = MONTH_START - timedelta(days=30)
        kinds = [kind for kind, _, _ in CASE_KINDS]
        weights = [w for _, _, w in CASE_KINDS]
        queues = {kind: queue for kind, queue, _ in CASE_KINDS}
        for c in range(self.cases):
            kind = rng.choices(kinds, weights)[0]
            b = rng.randrange(self.borrowers)
            opened = at(rng, start, 2 * MONTH_SECONDS)
            first_due = opened + timedelta(hours=24)
            answered = opened + timedelta(hours=rng.randrange(1, 60)) if rng.random() < 0.85 else None
            resolve_due = opened + timedelta(days=15) if kind == "complaint" else None
            resolved = opened + timedelta(days=rng.randrange(1, 25)) if rng.random() < 0.6 else None
            if resolved is not None and resolved >= NOW:
                resolved = None
            if answered is not None and answered >= NOW:
                answered = None
            status = "resolved" if resolved else "open"
            yield (c + 1, f"C-{c + 1:07d}", b + 1, None, kind, queues[kind], status, "normal", opened, first_due,
                   answered, resolve_due, resolved, "fixed" if resolved else None, "bench case")  # fmt: skip

    def log_rows(self) -> Iterator[tuple[Any, ...]]:
        """Opt-outs (seq 1 of their borrower's chain), then one ordinary entry per outbound message."""
        rng = random.Random(self.seed + 7)
        digest = "0" * 64
        step = max(1, self.borrowers // self.opt_outs)
        n = 0
        for o in range(self.opt_outs):
            b = o * step
            n += 1
            field = "sms_opted_out" if rng.random() < 0.7 else "telegram_opted_out"
            data = json.dumps({"because": "STOP", "field": field, "value": True}, sort_keys=True,
                              separators=(",", ":"))  # fmt: skip
            yield (n, f"borrower:B{b:07d}", 1, at(rng, MONTH_START, MONTH_SECONDS), "borrower.contact_changed",
                   "borrower", data, digest, digest)  # fmt: skip
        for m in range(self.messages_out):
            b = m % self.borrowers
            n += 1
            data = json.dumps({"message_id": m + 1}, separators=(",", ":"))
            yield (n, f"borrower:B{b:07d}", 2 + m // self.borrowers, at(rng, MONTH_START, MONTH_SECONDS),
                   "message.sent", "system", data, digest, digest)  # fmt: skip

    def risk_rows(self) -> Iterator[tuple[Any, ...]]:
        rng = random.Random(self.seed + 8)
        for b in range(self.borrowers):
            if rng.random() < 0.9:
                roll = rng.random()
                tier, score = ("A", 10) if roll < 0.6 else ("B", 40) if roll < 0.85 else ("C", 80)
                yield (b + 1, tier, score, "[]", "[]", NOW)


COLUMNS: dict[str, tuple[str, ...]] = {
    "borrowers": ("id", "borrower_id", "full_name", "phone", "telegram_chat_id", "locale", "timezone",
                  "preferred_channel", "sms_opted_out", "telegram_opted_out", "telegram_usable", "phone_wrong",
                  "created_at", "updated_at"),
    "loans": ("id", "loan_id", "product", "currency", "status", "created_at", "updated_at", "borrower_id"),
    "installments": ("id", "installment_no", "due_date", "amount_due", "amount_paid", "state", "paid_at", "loan_id"),
    "payments": ("id", "payment_id", "loan_id", "amount", "paid_at", "recorded_at"),
    "messages": ("id", "borrower_id", "direction", "channel", "kind", "tier", "idempotency_key", "status",
                 "provider_event_id", "address", "body", "attempts", "counts_toward_caps", "actor", "created_at",
                 "sent_at", "updated_at", "payload", "urgent"),
    "promises": ("id", "borrower_id", "loan_id", "promised_date", "amount", "paid_before", "status", "source",
                 "created_at", "settled_at"),
    "cases": ("id", "reference", "borrower_id", "loan_id", "kind", "queue", "status", "priority", "opened_at",
              "first_response_due", "first_response_at", "resolve_due", "resolved_at", "outcome", "summary"),
    "interaction_log": ("id", "chain", "seq", "at", "kind", "actor", "data", "prev_hash", "hash"),
    "borrower_risk": ("borrower_id", "tier", "score", "reasons", "warnings", "computed_at"),
}  # fmt: skip


def tables(book: Book) -> list[tuple[str, Iterator[tuple[Any, ...]]]]:
    return [
        ("borrowers", book.borrower_rows()),
        ("loans", book.loan_rows()),
        ("installments", book.installment_rows()),
        ("payments", book.payment_rows()),
        ("messages", book.message_rows()),
        ("promises", book.promise_rows()),
        ("cases", book.case_rows()),
        ("interaction_log", book.log_rows()),
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
            for table in COLUMNS:
                if table != "borrower_risk":
                    await conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                    )
            # As a book in service would be: vacuumed (hint bits set, visibility map) and analysed.
            await conn.execute("VACUUM ANALYZE")
        finally:
            await conn.close()

    asyncio.run(fill())
    return counts


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
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
    """A throw-away database beside the one ``admin`` names (as ``_common.scratch_database``), left
    in place with ``keep``."""
    if not keep:
        from _common import scratch_database

        with scratch_database(admin, "report") as url:
            yield url
        return
    name = f"duebot_bench_report_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(admin, f'CREATE DATABASE "{name}"'))
    yield urlunparse(urlparse(admin)._replace(path=f"/{name}"))


@contextmanager
def sqlite_database(folder: str | None, keep: bool) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="duebot-report-bench-") as tmp:
        path = Path(folder or tmp) / f"duebot-report-bench-{uuid.uuid4().hex[:8]}.sqlite3"
        try:
            yield f"sqlite://{path}"
        finally:
            if keep and not folder:
                kept = Path(tempfile.gettempdir()) / path.name
                path.replace(kept)
                print(f"kept {kept}")
            elif not keep:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- whole processes -----------------------------------------------------------------------------


def peak_rss_kib(pid: int) -> int:
    """VmHWM of a running process (KiB; 0 once it has exited). Not ``ru_maxrss`` from ``wait4``: Linux
    carries the high-water mark of the forking process into the child (``bench/import_bench.py``)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_measured(args: list[str], env: dict[str, str], stdin: str | None = None) -> dict[str, Any]:
    """Wall time from start to exit, the child's own peak resident memory (VmHWM, read every 5 ms
    while it runs), its CPU time (``wait4``) and its stdout."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            args, env=env, cwd=ROOT, text=True, stdout=out, stderr=err,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        )  # fmt: skip
        if stdin is not None:
            assert proc.stdin is not None
            proc.stdin.write(stdin)
            proc.stdin.close()
        peak = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, peak_rss_kib(proc.pid))
            time.sleep(0.005)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(args[1:])} exited {proc.returncode}:\n{err.read()[-3000:]}")
        return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mib": peak / 1024, "out": out.read()}


# What ``duebot report`` imports before it reads anything (the rest of its time is the database's).
REPORT_IMPORTS = "import bot.cli, bot.commands.report, bot.commands.runtime, bot.reporting, scheduler.report"
CEILING_POSTGRES = """
import asyncio, sys, asyncpg
async def main():
    conn = await asyncpg.connect(sys.argv[1])
    rows = await conn.fetch("SELECT loan_id, SUM(amount_due) FROM installments GROUP BY loan_id")
    await conn.close()
    print(len(rows))
asyncio.run(main())
"""
CEILING_SQLITE = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT loan_id, SUM(amount_due) FROM installments GROUP BY loan_id").fetchall()
print(len(rows))
"""


def report_args(*extra: str) -> list[str]:
    return [sys.executable, "-m", "bot.cli", "report", "--since", SINCE.isoformat(), "--until", UNTIL.isoformat(),
            "--format", "json", *extra]  # fmt: skip


def measure(url: str, policy: Path, *, dashboard: bool, risk: bool) -> dict[str, Any]:
    env = duebot_env(url, policy)
    runs: dict[str, Any] = {}
    runs["startup"] = run_measured([sys.executable, "-m", "bot.cli", "--help"], env)
    runs["imports"] = run_measured([sys.executable, "-c", REPORT_IMPORTS], env)
    if url.startswith("sqlite"):
        from storage.database import sqlite_path

        runs["ceiling"] = run_measured([sys.executable, "-c", CEILING_SQLITE, sqlite_path(url)], env)
    else:
        runs["ceiling"] = run_measured([sys.executable, "-c", CEILING_POSTGRES, url], env)
    for name, extra in (
        ("by_tier", ["--by", "tier"]),
        ("overall", []),
        ("every_week", ["--every", "week"]),
        ("by_tier_every_week", ["--by", "tier", "--every", "week"]),  # what the dashboard shows by default
    ):
        run = run_measured(report_args(*extra), env)
        report = json.loads(run.pop("out"))
        overall = report["overall"]
        run["check"] = {
            "loans_outstanding": overall.get("loans_outstanding"),
            "loans_overdue": overall.get("loans_overdue"),
            "collected_amount": overall.get("collected_amount"),
            "messages_sent": overall.get("messages_sent"),
            "groups": [g["key"] for g in report.get("groups", [])],
            "series": len(report.get("series", [])),
        }
        runs[name] = run
        print(f"  report {' '.join(extra) or '(no --by)'}: {run['wall_s']:.2f} s, {run['peak_mib']:.0f} MiB",
              flush=True)  # fmt: skip
    for run in (runs["startup"], runs["imports"], runs["ceiling"]):
        run.pop("out", None)
    if dashboard:
        runs["dashboard"] = measure_dashboard(env)
    if risk:
        runs["risk"] = measure_risk(env)
    return runs


def serve_child(port: int) -> None:
    """``duebot serve`` (``bot.commands.serve.run_serve``) without its background passes: the same
    app and service context with ``run_passes=False``, so the page is timed alone, not beside the
    first-of-day pass a fresh ``serve`` would run over the whole book two seconds after start."""
    from aiohttp import web

    from bot.commands.runtime import setup_logging
    from bot.commands.serve import service_context
    from bot.services import Services
    from bot.web import build_app
    from config.policy import load_policy
    from config.settings import load_settings, prepare_signing_key
    from storage.interaction_log import InteractionLog

    settings = load_settings()
    setup_logging(settings)
    policy = load_policy(settings.policy_file)
    services = Services(settings=settings, policy=policy, log=InteractionLog(prepare_signing_key(settings)))
    app = build_app(services)
    app.cleanup_ctx.append(service_context(services, run_passes=False))
    web.run_app(app, host="127.0.0.1", port=port, print=lambda _msg: None)


def measure_dashboard(env: dict[str, str]) -> dict[str, Any]:
    """``GET /console/reports`` for the month, logged in as a supervisor, first and second request,
    against ``serve_child`` on the same database."""
    if not (ROOT / "bot" / "console" / "reports.py").exists():
        print("  dashboard: SKIPPED -- /console/reports (bot/console/reports.py) is not on this branch yet")
        return {"skipped": "bot/console/reports.py not on this branch yet"}
    import socket

    password = "bench-supervisor-password"
    run_measured([sys.executable, "-m", "bot.cli", "staff", "add", "boss", "--role", "supervisor",
                  "--password-stdin"], env, stdin=password + "\n")  # fmt: skip
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--serve-child", str(port)],
                                  env=env, cwd=ROOT, stdout=log, stderr=log)  # fmt: skip
        try:
            result = asyncio.run(_time_dashboard(f"http://127.0.0.1:{port}", password, server))
        except BaseException:
            log.seek(0)
            print(log.read().decode(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"  GET /console/reports: first {result['first_s']:.2f} s, second {result['second_s']:.2f} s "
          f"({result['bytes']:,} bytes, status {result['status']})")  # fmt: skip
    return result


async def _time_dashboard(base: str, password: str, server: subprocess.Popen[bytes]) -> dict[str, Any]:
    import re

    import aiohttp

    timeout = aiohttp.ClientTimeout(total=900)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), timeout=timeout) as http:
        for _ in range(600):
            if server.poll() is not None:
                raise RuntimeError(f"serve exited {server.returncode} at start")
            try:
                async with http.get(f"{base}/healthz") as response:
                    if response.status == 200:
                        break
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        else:
            raise RuntimeError("serve did not answer /healthz in 60 s")
        async with http.get(f"{base}/console/login") as response:
            page = await response.text()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        if token is None:
            raise RuntimeError("no csrf_token on the login form")
        form = {"csrf_token": token.group(1), "username": "boss", "password": password, "next": "/console"}
        async with http.post(f"{base}/console/login", data=form, allow_redirects=False) as response:
            if response.status != 303:
                raise RuntimeError(f"login answered {response.status}")
        url = f"{base}/console/reports?since={SINCE.isoformat()}&until={UNTIL.isoformat()}"
        times: list[float] = []
        status, size = 0, 0
        for _ in range(2):
            started = time.perf_counter()
            async with http.get(url, allow_redirects=False) as response:
                body = await response.read()
                status, size = response.status, len(body)
            times.append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"GET /console/reports answered {status}")
    return {"first_s": times[0], "second_s": times[1], "status": status, "bytes": size}


def measure_risk(env: dict[str, str]) -> dict[str, Any]:
    """HOOK for the daily risk-tier and warning pass (issue 11, target under 60 s): until that pass
    has a command of its own, time ``duebot tick --now`` (the whole scheduler pass: planning,
    follow-ups and whatever risk step it runs) on the same book."""
    run = run_measured([sys.executable, "-m", "bot.cli", "tick", "--now", NOW.isoformat()], env)
    run.pop("out", None)
    print(f"  tick --now {NOW.isoformat()} (whole pass): {run['wall_s']:.2f} s, {run['peak_mib']:.0f} MiB")
    return run


# --- the table -----------------------------------------------------------------------------------


def json_figures(backend: str, installments: int, runs: dict[str, Any]) -> list[dict[str, Any]]:
    size = f"{installments:,} installments"
    full = installments >= 1_000_000 and backend == "PostgreSQL"
    ceiling, startup = runs["ceiling"]["wall_s"], runs["startup"]["wall_s"]
    out: list[dict[str, Any]] = []
    for name, label, target in (
        ("by_tier", "report --by tier, one month", REPORT_TARGET_S),
        ("overall", "report, one month", None),
        ("every_week", "report --every week, one month", None),
        ("by_tier_every_week", "report --by tier --every week, one month", None),
    ):
        out.append({
            "figure": f"{backend} {label}, {size} (whole process)", "value": runs[name]["wall_s"], "unit": "s",
            "better": "lower", "ceiling_name": "bare GROUP BY process", "ceiling": ceiling,
            "target": f"< {target:.0f} s at 1,000,000" if target and full else "",
            "met": bool(target and full and runs[name]["wall_s"] < target),
        })  # fmt: skip
    out.append({
        "figure": f"{backend} report --by tier, {size}, peak resident", "value": runs["by_tier"]["peak_mib"],
        "unit": "MiB", "better": "lower", "ceiling_name": "start-up", "ceiling": runs["startup"]["peak_mib"],
        "target": "", "met": None,
    })  # fmt: skip
    out.append({
        "figure": f"{backend} process start-up (bot.cli --help)", "value": startup, "unit": "s", "better": "lower",
        "ceiling_name": "bare GROUP BY process", "ceiling": ceiling, "target": "", "met": None,
    })  # fmt: skip
    out.append({
        "figure": f"{backend} the report's imports (python -c 'import ...')", "value": runs["imports"]["wall_s"],
        "unit": "s", "better": "lower", "ceiling_name": "bare GROUP BY process", "ceiling": ceiling,
        "target": "", "met": None,
    })  # fmt: skip
    dash = runs.get("dashboard") or {}
    if "first_s" in dash:
        for key, label in (("first_s", "first"), ("second_s", "second")):
            out.append({
                "figure": f"{backend} GET /console/reports ({label}), {size}", "value": dash[key], "unit": "s",
                "better": "lower", "ceiling_name": "the same report by the CLI",
                "ceiling": runs["by_tier_every_week"]["wall_s"],
                "target": f"< {DASHBOARD_TARGET_S:.0f} s at 1,000,000" if full else "",
                "met": bool(full and dash[key] < DASHBOARD_TARGET_S),
            })  # fmt: skip
    if "risk" in runs:
        out.append({
            "figure": f"{backend} tick --now (whole pass; risk-pass hook), {size}", "value": runs["risk"]["wall_s"],
            "unit": "s", "better": "lower", "ceiling_name": "process start-up", "ceiling": startup,
            "target": f"< {RISK_TARGET_S:.0f} s at 1,000,000 (risk pass)" if full else "",
            "met": bool(full and runs["risk"]["wall_s"] < RISK_TARGET_S),
        })  # fmt: skip
    return out


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
    parser.add_argument("--installments", type=int, help="book size (default 1,000,000; 50,000 with --sqlite)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--dir", help="--sqlite: where the database file goes (default: a temporary folder)")
    parser.add_argument("--dashboard", action="store_true", help="time GET /console/reports too (once it exists)")
    parser.add_argument("--risk", action="store_true", help="HOOK: time `duebot tick --now` on the book too")
    parser.add_argument("--keep", action="store_true", help="keep the database (its URL is printed)")
    parser.add_argument("--json", help="write the figures to this file as JSON")
    parser.add_argument("--serve-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_child:
        serve_child(args.serve_child)
        return
    if not args.sqlite and not args.postgres:
        parser.error("name a server with --postgres (or DUEBOT_TEST_POSTGRES_URL), or use --sqlite")
    installments = args.installments or (50_000 if args.sqlite else 1_000_000)
    backend = "SQLite" if args.sqlite else "PostgreSQL"
    book = Book(installments, args.seed)
    with tempfile.TemporaryDirectory(prefix="duebot-report-bench-") as tmp:
        policy = Path(tmp) / "policy.toml"
        policy.write_text(POLICY)
        database = sqlite_database(args.dir, args.keep) if args.sqlite else postgres_database(args.postgres, args.keep)
        with database as url:
            started = time.perf_counter()
            asyncio.run(create_schema(url))
            print(f"building {installments:,} installments ({book.borrowers:,} borrowers, {book.loans:,} loans) "
                  f"on {backend}", flush=True)  # fmt: skip
            if args.sqlite:
                from storage.database import sqlite_path

                counts = fill_sqlite(Path(sqlite_path(url)), book)
            else:
                counts = fill_postgres(url, book)
            build_s = time.perf_counter() - started
            print(f"built in {build_s:.1f} s; measuring", flush=True)
            runs = measure(url, policy, dashboard=args.dashboard, risk=args.risk)
            if args.keep:
                print(f"kept the database: {url}")
    figures = json_figures(backend, installments, runs)
    print()
    print_table(figures)
    check = runs["by_tier"]["check"]
    print(f"\nthe report read: {check['loans_outstanding']:,} loans outstanding, {check['loans_overdue']:,} "
          f"overdue, collected {check['collected_amount']}, sent {check['messages_sent']}; "
          f"groups {check['groups']}")  # fmt: skip
    if args.json:
        data = {"bench": "report", "backend": backend, "installments": installments, "rows": counts,
                "build_s": build_s, "runs": runs, "figures": figures}  # fmt: skip
        Path(args.json).write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
