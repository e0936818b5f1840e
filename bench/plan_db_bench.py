"""The scheduler pass over a large SQLite loan book, as whole ``duebot tick`` processes.

    .venv/bin/python bench/plan_db_bench.py [--rows 1000000] [--small 20000] [--dir /tmp] [--rebuild]
                                            [--json FILE]

Builds (once per size, then reused from ``--dir``) SQLite books of ``--small`` and ``--rows``
installments: three per borrower, one loan each, borrowers in six zones on both sides of UTC, due
dates spread evenly over 80 days around the pass, so that about one row in ten reaches a tier on
its borrower's local date at the pass instant, 5% already paid. The fixture is written with raw
``sqlite3`` ``executemany`` into the schema ``open_database`` creates, and copied afresh for each run.

For each size, three child processes do what ``duebot tick --now`` does (a policy whose send
window opens at 22:00 local, so nothing is due yet anywhere, and whose escalation thresholds lie
beyond the fixture's oldest installment, so no case opens: the figures are the pass's own reading
and planning):

* **start-up**: the ceiling, the same process doing no pass (interpreter, imports, settings,
  opening the database, building the channels and the scheduler): what every ``tick`` costs before
  it does anything;
* **first pass of the day**: the plan watermark a day back, so every zone has a new local date;
* **a minute later**: the pass ``serve`` repeats every minute, nothing changed since.

Each reports its wall time (process start to exit), the pass's own time inside it, the messages
planned and the process's peak resident memory. The pass a minute later should cost the same on
both sizes (its work does not grow with the book).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

from _common import duebot_env

ZONES = (
    "Asia/Shanghai",
    "Asia/Kolkata",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Pacific/Auckland",
)
NOW = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # already Dec 2 in Auckland, still Dec 1 elsewhere
FIRST_DUE = date(2026, 12, 1) - timedelta(days=45)
SPREAD_DAYS = 80
PER_BORROWER = 3
PAID_SHARE = 0.05
CREATED = "2026-11-01 00:00:00+00:00"
# At 13:00 UTC it is before 22:00 in every zone above: everything planned waits for its window.
# No installment is 60 days late: the escalations look, and open no case (a case is a transaction
# of its own, ~10 ms; a fixture whose every late borrower turns 30 days late at once would measure
# thousands of those instead of the pass).
POLICY = """
[windows]
send_start = "22:00"
send_end = "23:00"
hard_start = "21:00"
hard_end = "23:30"

[escalation]
collections_dpd = 60
legal_dpd = 90
"""


async def create_schema(url: str) -> None:
    from storage.database import close_database, open_database

    await open_database(url)
    await close_database()


def borrower_rows(borrowers: int) -> Iterator[tuple[Any, ...]]:
    for b in range(borrowers):
        zone = ZONES[b % len(ZONES)]
        locale = "zh" if zone == "Asia/Shanghai" else "en"
        yield (b + 1, f"B{b:07d}", f"Borrower {b}", f"+1212{b:07d}", None, locale, zone, "sms",
               False, False, True, False, CREATED, CREATED)  # fmt: skip


def loan_rows(borrowers: int) -> Iterator[tuple[Any, ...]]:
    return ((b + 1, f"L{b:07d}", "consumer", "CNY", "active", CREATED, CREATED, b + 1) for b in range(borrowers))


def installment_rows(borrowers: int, seed: int) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(seed)
    for i in range(borrowers * PER_BORROWER):
        due = FIRST_DUE + timedelta(days=rng.randrange(SPREAD_DAYS))
        amount = f"{rng.randrange(50, 1050)}.{rng.randrange(100):02d}"
        paid = rng.random() < PAID_SHARE
        yield (i + 1, i % PER_BORROWER + 1, due, amount, amount if paid else "0.00",
               "paid" if paid else "open", None, i // PER_BORROWER + 1)  # fmt: skip


BORROWER_COLUMNS = (
    "id", "borrower_id", "full_name", "phone", "telegram_chat_id", "locale", "timezone", "preferred_channel",
    "sms_opted_out", "telegram_opted_out", "telegram_usable", "phone_wrong", "created_at", "updated_at",
)  # fmt: skip
LOAN_COLUMNS = ("id", "loan_id", "product", "currency", "status", "created_at", "updated_at", "borrower_id")
INSTALLMENT_COLUMNS = ("id", "installment_no", "due_date", "amount_due", "amount_paid", "state", "paid_at", "loan_id")


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def build(path: Path, rows: int, seed: int) -> None:
    """Schema by tortoise, rows by raw sqlite3 executemany (generators: flat memory)."""
    if path.exists():
        path.unlink()
    asyncio.run(create_schema(f"sqlite://{path}"))
    borrowers = rows // PER_BORROWER
    started = time.perf_counter()
    db = sqlite3.connect(path)
    with db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")
        db.executemany(_insert("borrowers", BORROWER_COLUMNS), borrower_rows(borrowers))
        db.executemany(_insert("loans", LOAN_COLUMNS), loan_rows(borrowers))
        db.executemany(
            _insert("installments", INSTALLMENT_COLUMNS),
            ((*r[:2], r[2].isoformat(), *r[3:]) for r in installment_rows(borrowers, seed)),
        )
    # The fixture is copied as one file: everything in it, nothing left in its write-ahead log.
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    elapsed = time.perf_counter() - started
    total = borrowers * PER_BORROWER
    print(f"built {total:,} installments ({borrowers:,} borrowers) in {elapsed:.1f} s "
          f"({total / elapsed:,.0f} rows/s incl. borrowers and loans)")  # fmt: skip


# --- PostgreSQL: a fixture database, copied for each run as a template -----------------------


def _pg_url(admin: str, name: str) -> str:
    return urlunparse(urlparse(admin)._replace(path=f"/{name}"))


async def _pg(admin: str, *statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def build_postgres(admin: str, name: str, rows: int, seed: int) -> None:
    """The fixture as a database of its own (schema by tortoise, rows by COPY)."""
    import asyncpg

    asyncio.run(_pg(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'))
    url = _pg_url(admin, name)
    asyncio.run(create_schema(url))
    borrowers = rows // PER_BORROWER
    stamp = datetime.fromisoformat(CREATED)

    async def fill() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.copy_records_to_table(
                "borrowers", columns=list(BORROWER_COLUMNS),
                records=((*r[:12], stamp, stamp) for r in borrower_rows(borrowers)),
            )  # fmt: skip
            await conn.copy_records_to_table(
                "loans", columns=list(LOAN_COLUMNS),
                records=((*r[:5], stamp, stamp, r[7]) for r in loan_rows(borrowers)),
            )  # fmt: skip
            await conn.copy_records_to_table(
                "installments", columns=list(INSTALLMENT_COLUMNS),
                records=((*r[:3], Decimal(r[3]), Decimal(r[4]), *r[5:]) for r in installment_rows(borrowers, seed)),
            )  # fmt: skip
            for table in ("borrowers", "loans", "installments"):
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                )
            await conn.execute("ANALYZE")
        finally:
            await conn.close()

    started = time.perf_counter()
    asyncio.run(fill())
    print(f"built {borrowers * PER_BORROWER:,} installments on PostgreSQL in {time.perf_counter() - started:.1f} s")


# --- the child: what ``duebot tick --now`` does, timed -------------------------------------------


async def child(at: str | None) -> dict[str, Any]:
    from bot.commands.runtime import opened, setup_logging
    from bot.commands.tick import parse_now
    from bot.services import Services
    from bot.wiring import build_channels, build_follow_ups, build_scheduler, build_staff_chat
    from config.policy import load_policy
    from config.settings import load_settings

    setup_logging()
    settings = load_settings()
    policy = load_policy(settings.policy_file)
    result: dict[str, Any] = {}
    async with opened(settings) as (_settings, log):
        now = parse_now(at) if at else datetime.now(UTC)
        services = Services(settings=settings, policy=policy, log=log, clock=lambda: now)
        channels = build_channels(services)
        scheduler = build_scheduler(
            services, channels=channels, follow_ups=build_follow_ups(services, build_staff_chat(services, channels))
        )
        try:
            if at is not None:  # without an instant: start-up only, everything built, no pass
                started = time.perf_counter()
                summary = await scheduler.servicing.run(now)
                result["pass_s"] = time.perf_counter() - started
                result["planned"] = summary.planned
        finally:
            await scheduler.close()
    return result


def run_child(env: dict[str, str], at: str | None) -> dict[str, Any]:
    """The child's own figures, with its wall time and peak resident memory (its own, from wait4)."""
    args = [sys.executable, str(Path(__file__).resolve()), "--child", at or "-"]
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    err = proc.stderr.read()  # a quiet child (log level WARNING) writes little here
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child {' '.join(args[2:])} failed:\n{err[-3000:]}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["wall_s"] = wall
    result["peak_mib"] = usage.ru_maxrss / 1024  # KiB on Linux
    return result


def set_watermark(path: Path, at: datetime) -> None:
    db = sqlite3.connect(path)
    with db:
        db.execute("DELETE FROM tick_watermarks WHERE name = 'plan'")
        db.execute("INSERT INTO tick_watermarks (name, at) VALUES ('plan', ?)", (at.isoformat(sep=" "),))
    db.close()


def measure(url: str, policy: Path) -> dict[str, dict[str, Any]]:
    env = duebot_env(url, policy)
    startup = run_child(env, None)
    first = run_child(env, NOW.isoformat())
    later = run_child(env, (NOW + timedelta(minutes=1)).isoformat())
    return {"startup": startup, "first": first, "later": later}


def measure_sqlite(fixture: Path, work: Path, policy: Path) -> dict[str, dict[str, Any]]:
    shutil.copyfile(fixture, work)
    set_watermark(work, NOW - timedelta(days=1))
    return measure(f"sqlite://{work}", policy)


def measure_postgres(admin: str, fixture: str, policy: Path) -> dict[str, dict[str, Any]]:
    import asyncpg

    run = f"{fixture}_run"
    asyncio.run(
        _pg(admin, f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)', f'CREATE DATABASE "{run}" TEMPLATE "{fixture}"')
    )
    url = _pg_url(admin, run)

    async def watermark() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute("INSERT INTO tick_watermarks (name, at) VALUES ('plan', $1)", NOW - timedelta(days=1))
        finally:
            await conn.close()

    try:
        asyncio.run(watermark())
        return measure(url, policy)
    finally:
        asyncio.run(_pg(admin, f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", default="/tmp", help="where the fixtures are built (once) and copied")
    parser.add_argument("--rebuild", action="store_true", help="build the fixtures even if they exist")
    parser.add_argument("--json", help="write the figures to this file as JSON")
    parser.add_argument("--postgres", help="measure PostgreSQL instead: fixtures are databases created beside this one")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(None if args.child == "-" else args.child))))
        return
    folder = Path(args.dir)
    policy = folder / "duebot-pass-bench-policy.toml"
    policy.write_text(POLICY)
    figures: dict[int, dict[str, dict[str, Any]]] = {}
    for rows in sorted({args.small, args.rows}):
        if args.postgres:
            name = f"duebot_passbench_{rows}"
            build_postgres(args.postgres, name, rows, args.seed)
            try:
                figures[rows] = measure_postgres(args.postgres, name, policy)
            finally:
                asyncio.run(_pg(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            continue
        fixture = folder / f"duebot-pass-bench-{rows}.sqlite3"
        if args.rebuild or not fixture.exists():
            build(fixture, rows, args.seed)
        figures[rows] = measure_sqlite(fixture, folder / f"duebot-pass-bench-{rows}-run.sqlite3", policy)
    print()
    print(f"{'installments':>12} | {'process':<22} | {'wall s':>7} | {'pass s':>7} | {'beyond start-up s':>17} | "
          f"{'planned':>8} | {'peak MiB':>8}")  # fmt: skip
    for rows, runs in figures.items():
        floor = runs["startup"]["wall_s"]
        for name, label in (("startup", "start-up (ceiling)"), ("first", "first pass of the day"),
                            ("later", "a minute later")):  # fmt: skip
            r = runs[name]
            beyond = "" if name == "startup" else f"{r['wall_s'] - floor:.2f}"
            print(f"{rows:>12,} | {label:<22} | {r['wall_s']:7.2f} | {r.get('pass_s', 0):7.2f} | {beyond:>17} | "
                  f"{r.get('planned', 0):>8,} | {r['peak_mib']:8.0f}")  # fmt: skip
    if len(figures) == 2:
        small, large = (figures[n]["later"]["pass_s"] for n in sorted(figures))
        print(f"\nthe pass a minute later: {large / small:.2f}x on {max(figures):,} installments of its time on "
              f"{min(figures):,} (in-process pass time)")  # fmt: skip
    if args.json:
        data = {"bench": "plan_db", "runs": {str(k): v for k, v in figures.items()}, "figures": json_figures(figures)}
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def json_figures(figures: dict[int, dict[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each figure beside its ceiling (process start-up, or the small book's pass) and issue 9's
    targets, as ``bench/run_all.py`` prints them."""
    out: list[dict[str, Any]] = []
    for rows, runs in sorted(figures.items()):
        start, first, later = runs["startup"], runs["first"], runs["later"]
        out.append({
            "figure": f"pass a minute later, {rows:,} installments (the pass inside the process)",
            "value": later["pass_s"], "unit": "s", "better": "lower",
            "ceiling_name": "process start-up", "ceiling": start["wall_s"],
            "target": "< 0.5 s beyond start-up", "met": later["pass_s"] < 0.5,
        })  # fmt: skip
        big = rows >= 1_000_000
        out.append({
            "figure": f"first pass of the day, {rows:,} installments ({first['planned']:,} planned)",
            "value": first["wall_s"], "unit": "s", "better": "lower",
            "ceiling_name": "process start-up", "ceiling": start["wall_s"],
            "target": "< 10 s at 1,000,000" if big else "", "met": big and first["pass_s"] < 10,
        })  # fmt: skip
        out.append({
            "figure": f"first pass of the day, {rows:,} installments, peak resident",
            "value": first["peak_mib"], "unit": "MiB", "better": "lower",
            "ceiling_name": "start-up", "ceiling": start["peak_mib"],
            "target": "< 300 MB" if big else "", "met": first["peak_mib"] * 2**20 < 300e6,
        })  # fmt: skip
    if len(figures) == 2:
        small, large = (figures[n]["later"]["wall_s"] for n in sorted(figures))
        out.append({
            "figure": f"pass a minute later on {max(figures):,} installments (whole process)",
            "value": large, "unit": "s", "better": "lower",
            "ceiling_name": f"the same on {min(figures):,}", "ceiling": small,
            "target": "within 25%", "met": large <= small * 1.25,
        })  # fmt: skip
    return out


if __name__ == "__main__":
    main()
