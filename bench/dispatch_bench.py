"""Dispatch throughput to the Twilio stand-in, beside the bare-HTTP ceiling measured in the same run.

    .venv/bin/python bench/dispatch_bench.py [--messages 10000] [--postgres URL] [--profile FILE]

For each database (SQLite always; PostgreSQL with ``--postgres``, whose public schema is emptied):
imports a loan book of ``--messages`` SMS borrowers in New York, all due on 10 Dec 2026, and plans
it with ``duebot tick --now`` at 07:00 local on the T-3 day (before the send window: every reminder
is planned, none sent). Then, against one Twilio stand-in running in its own process:

* the ceiling: as many bare POSTs to the stand-in's ``Messages.json`` (an aiohttp client, no
  SDK, 64 in flight: what ``bench/standin_ceiling.py`` does), right before the dispatch;
* the dispatch: a child process does what ``duebot tick --now`` does at 10:00 (the pass finds
  every reminder due and dispatches it: claim, contact guard with fresh data, render, send through
  the real twilio client, record, log). It reports the time of ``Dispatcher.run`` alone, of the
  whole pass, and of the whole process (interpreter start-up and imports included).

SMS pacing is raised out of the way by a policy file (Telegram's pace is capped at its published
30/s and is not benchmarked here). Afterwards the bench checks that every reminder was sent once
(the stand-in's count and the outbox agree) and that ``duebot log verify`` passes.
``--json FILE`` also writes each database's dispatch msg/s beside its bare POSTs/s as JSON
(``bench/run_all.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "standin-auth-token"
HEADER = (
    "borrower_id,full_name,phone,telegram_chat_id,locale,timezone,preferred_channel,"
    "loan_id,product,currency,installment_no,due_date,amount_due\n"
)
PLAN_AT = "2026-12-07T07:00:00-05:00"  # T-3 day, before the 09:00 window opens
SEND_AT = "2026-12-07T10:00:00-05:00"
IN_FLIGHT = 64
ROOT = Path(__file__).resolve().parent.parent


def write_book(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for i in range(count):
            fh.write(
                f"N{i:06d},Borrower {i},+1212{5550000 + i:07d},,en,America/New_York,sms,"
                f"LN{i:06d},card,USD,1,2026-12-10,{100 + i % 900}.00\n"
            )


def duebot(env: dict[str, str], *args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"duebot {' '.join(args)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return proc.stdout


# --- the ceiling: bare POSTs ------------------------------------------------------------------


async def bare_posts(base_url: str, count: int, in_flight: int = IN_FLIGHT) -> float:
    """POSTs/s of a bare aiohttp client to the stand-in's Messages.json (no SDK, no database)."""
    import aiohttp

    url = f"{base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    headers = {"Authorization": aiohttp.encode_basic_auth(ACCOUNT_SID, AUTH_TOKEN)}
    counter = itertools.count()
    failures = 0

    def form(i: int) -> dict[str, str]:
        return {"To": f"+1415{5550000 + i % 10000:07d}", "From": "+15005550006", "Body": "bench"}

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=in_flight)) as http:

        async def worker() -> None:
            nonlocal failures
            while (i := next(counter)) < count:
                async with http.post(url, data=form(i), headers=headers) as response:
                    await response.read()
                    failures += response.status not in (200, 201)

        async with http.post(url, data=form(0), headers=headers) as response:  # warm up
            await response.read()
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(in_flight)))
        elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"the stand-in refused {failures} bare POSTs")
    return count / elapsed


# --- the dispatch, in a child process ---------------------------------------------------------


async def dispatch_child(profile: str | None) -> dict[str, Any]:
    """What ``duebot tick --now SEND_AT`` does, with ``Dispatcher.run`` timed on its own."""
    from bot.commands.runtime import opened, setup_logging
    from bot.commands.tick import parse_now
    from bot.services import Services
    from bot.wiring import build_channels, build_follow_ups, build_scheduler, build_staff_chat
    from config.policy import load_policy
    from config.settings import load_settings

    setup_logging()
    now = parse_now(SEND_AT)
    settings = load_settings()
    policy = load_policy(settings.policy_file)
    timings: dict[str, Any] = {}
    async with opened(settings) as (_settings, log):
        services = Services(settings=settings, policy=policy, log=log, clock=lambda: now)
        channels = build_channels(services)
        scheduler = build_scheduler(
            services, channels=channels, follow_ups=build_follow_ups(services, build_staff_chat(services, channels))
        )
        dispatcher = scheduler.dispatcher
        run = dispatcher.run

        async def timed_run(at: Any, **kwargs: Any) -> Any:
            profiler = None
            if profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            started, cpu = time.perf_counter(), time.process_time()
            summary = await run(at, **kwargs)
            timings["dispatch_s"] = time.perf_counter() - started
            timings["dispatch_cpu_s"] = time.process_time() - cpu
            if profiler is not None and profile:
                profiler.disable()
                profiler.dump_stats(profile)
            timings["outcomes"] = dict(summary.outcomes)
            return summary

        dispatcher.run = timed_run  # type: ignore[method-assign, assignment]
        try:
            started = time.perf_counter()
            await scheduler.servicing.run(now)
            timings["pass_s"] = time.perf_counter() - started
        finally:
            await scheduler.close()
    return timings


def run_dispatch_child(env: dict[str, str], profile: str | None) -> tuple[dict[str, Any], float, float]:
    """The child's timings, its wall time and its peak RSS (MiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    args = [sys.executable, str(Path(__file__).resolve()), "--dispatch-child"]
    if profile:
        args += ["--profile", profile]
    started = time.perf_counter()
    proc = subprocess.run(args, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"the dispatching pass exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    sys.stderr.write(proc.stderr[-3000:])
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall, peak


def outbox_counts(url: str) -> dict[str, int]:
    sql = "SELECT status, count(*) FROM messages WHERE direction = 'out' GROUP BY status"
    if url.startswith("postgres"):
        out = subprocess.run(["psql", url, "-qAtF,", "-c", sql], check=True, capture_output=True, text=True).stdout
        return {s: int(n) for s, n in (line.split(",") for line in out.split())}
    import sqlite3

    with sqlite3.connect(url.removeprefix("sqlite://")) as db:
        return {s: int(n) for s, n in db.execute(sql)}


def run(name: str, url: str, count: int, tmp: Path, base_url: str, profile: str | None) -> dict[str, Any]:
    if url.startswith("postgres"):
        subprocess.run(
            ["psql", url, "-qc", "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"], check=True, capture_output=True
        )
    policy = tmp / "fast.toml"
    policy.write_text("[sending]\ntwilio_per_second = 1000000.0\nbatch_size = 200\n")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DUEBOT_DATABASE_URL": url,
        "DUEBOT_SECRET_KEY": "bench",
        "DUEBOT_POLICY_FILE": str(policy),
        "DUEBOT_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "DUEBOT_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "DUEBOT_TWILIO_FROM": "+15005550006",
        "DUEBOT_TWILIO_API_BASE": base_url,
        "DUEBOT_PUBLIC_BASE_URL": "https://duebot.example.com",
        "DUEBOT_LOG_LEVEL": "WARNING",
    }
    book = tmp / "book.csv"
    write_book(book, count)
    duebot(env, "import", "loans", str(book))
    duebot(env, "tick", "--now", PLAN_AT)
    ceiling = asyncio.run(bare_posts(base_url, count))
    timings, wall, peak = run_dispatch_child(env, profile and f"{profile}.{name}")
    statuses = outbox_counts(url)
    verify = subprocess.run([sys.executable, "-m", "bot.cli", "log", "verify"], env=env, capture_output=True)
    sent = timings["outcomes"].get("sent:sms", 0)
    if sent != count or statuses != {"sent": count}:
        raise SystemExit(f"{name}: expected {count} sent, got {timings['outcomes']} / outbox {statuses}")
    if verify.returncode != 0:
        raise SystemExit(f"{name}: duebot log verify failed:\n{verify.stdout.decode()}{verify.stderr.decode()}")
    return {
        "database": name,
        "messages": count,
        "ceiling": ceiling,
        "dispatch": count / timings["dispatch_s"],
        "cpu_us": timings["dispatch_cpu_s"] / count * 1e6,
        "pass_s": timings["pass_s"],
        "process": count / wall,
        "wall_s": wall,
        "peak_mib": peak,
    }


TARGET_SHARE = 0.25  # issue 9: 1,500 messages/s, a quarter of the bare-POST ceiling (of the same run here)


def write_json(path: str, messages: int, results: list[dict[str, Any]]) -> None:
    rows = [
        {
            "figure": f"{r['database']} dispatch msg/s",
            "value": r["dispatch"],
            "unit": "msg/s",
            "ceiling_name": "bare POSTs to the stand-in",
            "ceiling": r["ceiling"],
            "ceiling_unit": "POSTs/s",
            "better": "higher",
            "target": f">= {TARGET_SHARE:.0%} of ceiling",
            "met": r["dispatch"] >= TARGET_SHARE * r["ceiling"],
            "cpu_us_per_msg": r["cpu_us"],
        }
        for r in results
    ]
    data = {"bench": "dispatch", "messages": messages, "figures": rows, "results": results}
    Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--postgres", help="a PostgreSQL URL to run against too (its public schema is emptied)")
    parser.add_argument("--profile", help="write a cProfile of Dispatcher.run to FILE.<database>")
    parser.add_argument("--json", metavar="FILE", help="also write the figures, beside their ceilings, as JSON")
    parser.add_argument("--dispatch-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dispatch_child:
        print(json.dumps(asyncio.run(dispatch_child(args.profile))))
        return
    standin = subprocess.Popen(
        [sys.executable, "-m", "bot.standins", "twilio", "--account-sid", ACCOUNT_SID, "--auth-token", AUTH_TOKEN],
        stdout=subprocess.PIPE,
        text=True,
    )
    results = []
    try:
        assert standin.stdout is not None
        ready = standin.stdout.readline().strip()
        if not ready.startswith("READY "):
            raise SystemExit(f"the Twilio stand-in did not start: {ready!r}")
        base = ready.removeprefix("READY ")
        targets = [("sqlite", None)] + ([("postgres", args.postgres)] if args.postgres else [])
        for name, url in targets:
            with tempfile.TemporaryDirectory() as tmp:
                url = url or f"sqlite://{Path(tmp) / 'bench.sqlite3'}"
                results.append(run(name, url, args.messages, Path(tmp), base, args.profile))
    finally:
        standin.terminate()
        standin.wait(timeout=10)
    print(f"dispatch of {args.messages} SMS reminders to the Twilio stand-in (pacing out of the way, batch 200)")
    print(f"{'database':9} {'bare POSTs/s':>12} {'dispatch msg/s':>14} {'of ceiling':>10} {'CPU µs/msg':>10} "
          f"{'pass s':>7} {'process msg/s':>13} {'process s':>9} {'peak MiB':>8}")  # fmt: skip
    for r in results:
        print(f"{r['database']:9} {r['ceiling']:12,.0f} {r['dispatch']:14,.0f} {r['dispatch'] / r['ceiling']:10.0%} "
              f"{r['cpu_us']:10,.0f} {r['pass_s']:7.2f} {r['process']:13,.0f} {r['wall_s']:9.2f} "
              f"{r['peak_mib']:8.0f}")  # fmt: skip
    print("dispatch: Dispatcher.run alone (its CPU: the dispatching process's, per message); pass: the whole pass;")
    print("process: the whole `tick` process, interpreter start-up and imports included")
    if args.json:
        write_json(args.json, args.messages, results)


if __name__ == "__main__":
    main()
