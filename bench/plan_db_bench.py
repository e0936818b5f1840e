"""The planning step of a scheduler pass against a large SQLite loan book.

    .venv/bin/python bench/plan_db_bench.py [--rows 1000000] [--db PATH] [--rebuild] [--profile]

Builds (once, then reused from ``--db``) a SQLite database with ``--rows`` unpaid-or-paid
installments: three per borrower, one loan each, borrowers in six zones on both sides of UTC,
due dates spread evenly over 80 days around the pass so that about one row in ten reaches a tier
on its borrower's local date at the pass instant (about 100,000 of a million), 5% already paid.
The fixture is written with raw ``sqlite3`` ``executemany`` into the schema ``open_database``
creates, then copied afresh for each run.

Times the real ``ServicingPass._plan`` (query + plan + store + log, as ``scheduler/cycle.py``
runs it), with each phase timed by wrapping the functions it calls, twice: the first pass of
the day (every message new) and a second pass a minute later (everything already stored: what
``serve`` repeats every minute). Prints rows/s, messages planned/s and the peak RSS.
``--profile`` runs the first pass under cProfile and prints the top functions.

The ceiling, measured in the same run on the same working copy: the rows the pass reads (unpaid
installments of active loans with their due date in the window the pass asks for, with their loan
and borrower) read by raw ``sqlite3`` in one query, rows/s. Each pass's figure is the rows it read
per second of the whole planning step (read, plan, store, log), beside that ceiling.
``--json FILE`` also writes those figures as JSON (``bench/run_all.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import functools
import io
import json
import pstats
import random
import resource
import shutil
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

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


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def create_schema(url: str) -> None:
    from storage.database import close_database, open_database

    await open_database(url)
    await close_database()


def build(path: Path, rows: int, seed: int) -> None:
    """Schema by tortoise, rows by raw sqlite3 executemany (generators: flat memory)."""
    if path.exists():
        path.unlink()
    asyncio.run(create_schema(f"sqlite://{path}"))
    rng = random.Random(seed)
    borrowers = rows // PER_BORROWER
    started = time.perf_counter()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")

        def borrower_rows() -> Iterator[tuple[Any, ...]]:
            for b in range(borrowers):
                zone = ZONES[b % len(ZONES)]
                locale = "zh" if zone == "Asia/Shanghai" else "en"
                yield (b + 1, f"B{b:07d}", f"Borrower {b}", f"+1212{b:07d}", None, locale, zone, "sms",
                       0, 0, 1, 0, CREATED, CREATED)  # fmt: skip

        db.executemany(
            "INSERT INTO borrowers (id, borrower_id, full_name, phone, telegram_chat_id, locale, timezone, "
            "preferred_channel, sms_opted_out, telegram_opted_out, telegram_usable, phone_wrong, created_at, "
            "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            borrower_rows(),
        )
        db.executemany(
            "INSERT INTO loans (id, loan_id, product, currency, status, created_at, updated_at, borrower_id) "
            "VALUES (?,?,?,?,?,?,?,?)",
            ((b + 1, f"L{b:07d}", "consumer", "CNY", "active", CREATED, CREATED, b + 1) for b in range(borrowers)),
        )

        def installment_rows() -> Iterator[tuple[Any, ...]]:
            for i in range(borrowers * PER_BORROWER):
                due = FIRST_DUE + timedelta(days=rng.randrange(SPREAD_DAYS))
                amount = f"{rng.randrange(50, 1050)}.{rng.randrange(100):02d}"
                paid = rng.random() < PAID_SHARE
                yield (i + 1, i % PER_BORROWER + 1, due.isoformat(), amount, amount if paid else "0.00",
                       "paid" if paid else "open", None, i // PER_BORROWER + 1)  # fmt: skip

        db.executemany(
            "INSERT INTO installments (id, installment_no, due_date, amount_due, amount_paid, state, paid_at, "
            "loan_id) VALUES (?,?,?,?,?,?,?,?)",
            installment_rows(),
        )
    elapsed = time.perf_counter() - started
    total = borrowers * PER_BORROWER
    print(f"built {total:,} installments ({borrowers:,} borrowers) in {elapsed:.1f} s "
          f"({total / elapsed:,.0f} rows/s incl. borrowers and loans)")  # fmt: skip


class Phases:
    """Wraps the functions ``ServicingPass._plan`` calls (looked up in scheduler.cycle) to time them."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.sizes: dict[str, int] = {}
        self.arguments: dict[str, tuple[Any, ...]] = {}  # each function's positional arguments, last call

    def wrap_async(self, name: str, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(fn)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            self.arguments[name] = args
            started = time.perf_counter()
            result = await fn(*args, **kwargs)
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
            if isinstance(result, list | dict):
                self.sizes[name] = self.sizes.get(name, 0) + len(result)
            return result

        return timed

    def wrap_sync(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            result = fn(*args, **kwargs)
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
            return result

        return timed


def raw_read(path: Path, now: datetime, days_before: int, days_after: int) -> tuple[int, float]:
    """The ceiling: the rows the pass reads, by raw sqlite3 in one query (the window as
    ``storage.servicing.installments_near_tiers`` computes it). Returns (rows, seconds)."""
    earliest = (now - timedelta(hours=14)).date() - timedelta(days=days_after + 1)
    latest = (now + timedelta(hours=14)).date() + timedelta(days=days_before + 1)
    sql = (
        "SELECT i.id, b.borrower_id, l.borrower_id, l.loan_id, i.installment_no, b.timezone, b.locale, i.due_date, "
        "i.amount_due, i.amount_paid, l.currency, i.state FROM installments i JOIN loans l ON l.id = i.loan_id "
        "JOIN borrowers b ON b.id = l.borrower_id WHERE i.state IN ('open', 'partially_paid') "
        "AND i.due_date >= ? AND i.due_date <= ? AND l.status = 'active'"
    )
    with contextlib.closing(sqlite3.connect(path)) as db:
        started = time.perf_counter()
        found = db.execute(sql, (earliest.isoformat(), latest.isoformat())).fetchall()
        return len(found), time.perf_counter() - started


async def run_passes(url: str, rows: int, profile: bool) -> list[dict[str, Any]]:
    """Both passes; for each, its seconds, the rows it read near a tier and the messages it planned,
    and the arguments it asked ``installments_near_tiers`` for (now, days before, days after)."""
    import scheduler.cycle as cycle
    from bot.services import Services
    from bot.wiring import build_scheduler
    from config.policy import load_policy
    from config.settings import Settings
    from storage.database import close_database, open_database
    from storage.interaction_log import InteractionLog
    from storage.models import LogEntry, Message

    await open_database(url, create=False)
    log = InteractionLog(b"bench-secret")
    services = Services(settings=Settings(database_url=url), policy=load_policy(), log=log)
    servicing = build_scheduler(services, channels={}).servicing
    originals: dict[str, Callable[..., Any]] = {
        "installments_near_tiers": cycle.installments_near_tiers,
        "_preferred_channels": cycle._preferred_channels,
        "plan_reminders": cycle.plan_reminders,
        "store_outbound": cycle.store_outbound,
    }
    append_many = log.append_many
    passes: list[dict[str, Any]] = []
    try:
        for label, now in (("first pass of the day", NOW), ("same day, a minute later", NOW + timedelta(minutes=1))):
            phases = Phases()
            cycle.installments_near_tiers = phases.wrap_async(  # type: ignore[assignment]
                "query installments", originals["installments_near_tiers"]
            )
            cycle._preferred_channels = phases.wrap_async("preferred channels", originals["_preferred_channels"])  # type: ignore[assignment]
            cycle.plan_reminders = phases.wrap_sync("plan_reminders", originals["plan_reminders"])
            cycle.store_outbound = phases.wrap_async("store_outbound", originals["store_outbound"])  # type: ignore[assignment]
            log.append_many = phases.wrap_async("log append_many", append_many)  # type: ignore[method-assign, assignment]
            summary = cycle.PassSummary(now=now)
            rss_before = rss_mib()
            profiler = cProfile.Profile() if profile and now == NOW else None
            started = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            await servicing._plan(now, summary)
            if profiler is not None:
                profiler.disable()
            elapsed = time.perf_counter() - started
            near = phases.sizes.get("query installments", 0)
            passes.append(
                {"label": label, "seconds": elapsed, "near": near, "planned": summary.planned,
                 "window": phases.arguments.get("query installments")}
            )  # fmt: skip
            print(f"\n{label} ({now.isoformat()}): {elapsed:.2f} s")
            print(f"  {rows:,} installments in the book, {near:,} near a tier read back "
                  f"({rows / elapsed:,.0f} book rows/s, {near / elapsed:,.0f} rows read/s)")  # fmt: skip
            print(f"  {summary.planned:,} messages planned ({summary.planned / elapsed:,.0f} messages/s), "
                  f"{summary.missed:,} missed")  # fmt: skip
            for name, seconds in phases.seconds.items():
                print(f"    {name:<22} {seconds:7.2f} s")
            other = elapsed - sum(phases.seconds.values())
            print(f"    {'(rest: events, watermark)':<22} {other:7.2f} s")
            print(f"  RSS before {rss_before:,.0f} MiB, peak so far {peak_mib():,.0f} MiB (ru_maxrss)")
            if profiler is not None:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
                print(out.getvalue())
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
                print(out.getvalue())
        messages = await Message.all().count()
        entries = await LogEntry.all().count()
        print(f"\nstored: {messages:,} messages, {entries:,} log entries")
    finally:
        for name, fn in originals.items():
            setattr(cycle, name, fn)
        await close_database()
    return passes


def ceiling_figures(work: Path, passes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each pass's rows read/s beside raw sqlite3 reading the same window, measured now."""
    out = []
    for measured in passes:
        if not measured["window"] or not measured["seconds"]:
            continue
        now, days_before, days_after = measured["window"][:3]
        raw_rows, raw_seconds = min(
            (raw_read(work, now, days_before, days_after) for _ in range(3)), key=lambda found: found[1]
        )
        print(f"ceiling for the {measured['label']}: raw sqlite3 read {raw_rows:,} rows in {raw_seconds:.2f} s "
              f"({raw_rows / raw_seconds:,.0f} rows/s; the pass read {measured['near']:,})")  # fmt: skip
        out.append(
            {
                "figure": f"{measured['label']}: rows read/s",
                "value": measured["near"] / measured["seconds"],
                "unit": "rows/s",
                "ceiling_name": "raw sqlite3 read of the same rows",
                "ceiling": raw_rows / raw_seconds,
                "better": "higher",
                "target": "",
                "met": None,
                "seconds": measured["seconds"],
                "rows_read": measured["near"],
                "planned": measured["planned"],
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", default="/tmp/duebot-plan-bench.sqlite3", help="fixture (built once, reused)")
    parser.add_argument("--rebuild", action="store_true", help="build the fixture even if it exists")
    parser.add_argument("--profile", action="store_true", help="cProfile the first pass")
    parser.add_argument("--json", metavar="FILE", help="also write each pass's figure, beside its ceiling, as JSON")
    args = parser.parse_args()
    fixture = Path(args.db)
    marker = fixture.with_suffix(f".{args.rows}.{args.seed}.ok")
    if args.rebuild or not marker.exists():
        for stale in fixture.parent.glob(fixture.stem + ".*.ok"):  # the fixture of another size is overwritten
            stale.unlink()
        build(fixture, args.rows, args.seed)
        marker.write_text("ok")
    work = fixture.with_name(fixture.stem + "-run.sqlite3")
    for suffix in ("", "-wal", "-shm"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    shutil.copyfile(fixture, work)
    print(f"working copy {work} ({work.stat().st_size / 2**20:,.0f} MiB); RSS at start {rss_mib():,.0f} MiB")
    passes = asyncio.run(run_passes(f"sqlite://{work}", args.rows, args.profile))
    print(f"process peak RSS: {peak_mib():,.0f} MiB")
    rows = ceiling_figures(work, passes)
    if args.json:
        data = {"bench": "plan_db", "rows": args.rows, "figures": rows, "peak_mib": peak_mib()}
        Path(args.json).write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
