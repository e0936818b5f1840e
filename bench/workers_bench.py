"""Many ``duebot worker`` processes on one PostgreSQL: throughput as workers are added, and no duplicates.

    .venv/bin/python bench/workers_bench.py --postgres postgres://postgres@127.0.0.1:5432/test
                                            [--runs 1:5000,4:20000] [--pace 100] [--latency 0.05]
                                            [--json FILE]

The machine has two cores, so the provider, not the CPU, must be the limit for more workers to
help (as with a real provider): each worker sends at most ``--pace`` SMS a second (the policy's
``sending.twilio_per_second``, a per-process pace), and the Twilio stand-in, in its own process,
takes ``--latency`` seconds to answer each create.

Each run (``workers:messages``) gets a throw-away database created beside the one ``--postgres``
names (dropped afterwards; nothing in that database is touched) and a fresh stand-in. It imports
``messages`` borrowers, one installment each, due today in a zone whose send window is open now,
starts the workers (``duebot worker --interval 0.5``) at once, and polls the outbox: messages/s
runs from the first message recorded sent to the last. Then the workers get SIGTERM, and the
run checks that the stand-in received exactly one create per borrower (no duplicates, none
missing) and that the outbox holds each reminder ``sent`` once.

The ceiling is each run's own: workers × pace (what the pacing allows), printed beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from _common import ROOT, duebot_env, scratch_database

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "standin-auth-token"
HEADER = (
    "borrower_id,full_name,phone,telegram_chat_id,locale,timezone,preferred_channel,"
    "loan_id,product,currency,installment_no,due_date,amount_due\n"
)
ZONES = ("America/New_York", "Europe/London", "Asia/Shanghai", "America/Los_Angeles", "Asia/Kolkata")


def zone_in_window() -> str:
    """A zone where the send window (09:00-20:00) is open now, with hours left."""
    now = datetime.now(UTC)
    for name in ZONES:
        if 9 <= now.astimezone(ZoneInfo(name)).hour < 17:
            return name
    raise SystemExit("no sample zone has its send window open for the next hours; try later")


def phone(n: int) -> str:
    return f"+1212{5550000 + n:07d}"  # exchanges 555..999: valid NANP numbers to phonenumbers


def write_book(path: Path, count: int, zone: str) -> None:
    due = datetime.now(ZoneInfo(zone)).date().isoformat()
    with path.open("w") as out:
        out.write(HEADER)
        for i in range(count):
            out.write(f"W{i:06d},Borrower {i},{phone(i)},,en,{zone},sms,WL{i:06d},auto,USD,1,{due},100.00\n")


def start_standin(latency: float, records: int) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.standins", "twilio", "--auth-token", AUTH_TOKEN,
         "--latency", str(latency), "--max-records", str(records)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("READY "):
        proc.kill()
        raise SystemExit(f"the stand-in did not start: {line!r}")
    return proc, line.split(" ", 1)[1]


async def sent_count(url: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM messages WHERE direction = 'out' AND provider_message_id IS NOT NULL"
            )
        )
    finally:
        await conn.close()


async def outbox_states(url: str) -> Counter[str]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT status, count(*) AS n FROM messages WHERE direction = 'out' GROUP BY status")
        return Counter({r["status"]: r["n"] for r in rows})
    finally:
        await conn.close()


async def creates_per_phone(base_url: str) -> Counter[str]:
    headers = {"Authorization": aiohttp.encode_basic_auth(ACCOUNT_SID, AUTH_TOKEN)}
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.get(f"{base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json") as response:
            body = await response.json()
    return Counter(m["to"] for m in body["messages"])


def run_once(postgres: str, workers: int, messages: int, pace: float, latency: float) -> dict[str, Any]:
    with scratch_database(postgres, "workers") as url, tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        policy = work / "policy.toml"
        # Claims of a fifth of a second of sending: a worker never holds more than it sends soon.
        batch = max(1, int(pace / 5))
        policy.write_text(f"[sending]\ntwilio_per_second = {pace}\nbatch_size = {batch}\n")
        standin, base_url = start_standin(latency, messages * 2)
        env = duebot_env(
            url,
            policy,
            TWILIO_ACCOUNT_SID=ACCOUNT_SID,
            TWILIO_AUTH_TOKEN=AUTH_TOKEN,
            TWILIO_FROM="+15005550006",
            TWILIO_API_BASE=base_url,
        )
        try:
            book = work / "book.csv"
            write_book(book, messages, zone_in_window())
            imported = subprocess.run(
                [sys.executable, "-m", "bot.cli", "import", "loans", str(book)], env=env, cwd=work,
                capture_output=True, text=True,
            )  # fmt: skip
            if imported.returncode != 0:
                raise SystemExit(f"import failed:\n{imported.stderr[-2000:]}")
            procs = [
                subprocess.Popen(
                    [sys.executable, "-m", "bot.cli", "worker", "--interval", "0.5"],
                    env=env,
                    cwd=work,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(workers)
            ]
            first = last = None
            deadline = time.monotonic() + messages / max(pace, 1) * 3 + 120
            try:
                while time.monotonic() < deadline:
                    count = asyncio.run(sent_count(url))
                    now = time.monotonic()
                    if count and first is None:
                        first = now
                    if count >= messages:
                        last = now
                        break
                    time.sleep(0.1)
                time.sleep(2)  # a few more passes: nothing more may go
            finally:
                for proc in procs:
                    proc.send_signal(signal.SIGTERM)
                errors = [proc.communicate(timeout=30)[1] for proc in procs]
            codes = [proc.returncode for proc in procs]
            if any(codes):
                raise SystemExit(f"a worker exited {codes}:\n{errors[0][-2000:]}")
            if first is None or last is None:
                raise SystemExit(f"only {asyncio.run(sent_count(url))} of {messages} sent before the deadline")
            per_phone = asyncio.run(creates_per_phone(base_url))
            states = asyncio.run(outbox_states(url))
        finally:
            standin.send_signal(signal.SIGTERM)
            standin.wait(timeout=10)
    duplicates = sum(n - 1 for n in per_phone.values() if n > 1)
    missing = messages - len(per_phone)
    return {
        "workers": workers,
        "messages": messages,
        "seconds": last - first,
        "per_second": messages / max(last - first, 1e-9),
        "ceiling_per_second": workers * pace,
        "duplicates": duplicates,
        "missing": missing,
        "outbox": dict(states),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", required=True, help="a server to create throw-away databases on")
    parser.add_argument("--runs", default="1:5000,4:20000", help="workers:messages, comma-separated")
    parser.add_argument("--pace", type=float, default=100.0, help="SMS a second, per worker process")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the stand-in takes per create")
    parser.add_argument("--json", help="write the figures to this file as JSON")
    args = parser.parse_args()
    results = []
    for spec in args.runs.split(","):
        workers, messages = (int(part) for part in spec.split(":"))
        result = run_once(args.postgres, workers, messages, args.pace, args.latency)
        results.append(result)
        print(f"{workers} worker(s): {messages:,} messages in {result['seconds']:.1f} s, "
              f"{result['per_second']:,.0f} msg/s (pace ceiling {result['ceiling_per_second']:,.0f}/s); "
              f"duplicates {result['duplicates']}, missing {result['missing']}, outbox {result['outbox']}",
              flush=True)  # fmt: skip
    base = results[0]["per_second"] / results[0]["workers"] if results else 0
    print()
    print(f"{'workers':>7} | {'messages':>8} | {'msg/s':>7} | {'pace ceiling':>12} | {'of ceiling':>10} | "
          f"{'x one worker':>12} | {'duplicates':>10}")  # fmt: skip
    for r in results:
        scale = r["per_second"] / base if base else 0
        share = r["per_second"] / r["ceiling_per_second"]
        print(
            f"{r['workers']:>7} | {r['messages']:>8,} | {r['per_second']:>7,.0f} | "
            f"{r['ceiling_per_second']:>12,.0f} | {share:>10.0%} | {scale:>12.2f} | {r['duplicates']:>10}"
        )
    if args.json:
        figures = [
            {
                "figure": f"{r['workers']} worker(s), {r['messages']:,} messages, {r['duplicates']} duplicates",
                "value": r["per_second"],
                "unit": "msg/s",
                "ceiling_name": "pace allowed",
                "ceiling": r["ceiling_per_second"],
                "target": "4 workers >= 2.5x one" if r["workers"] == 4 and base else "",
                "met": bool(base) and r["per_second"] / base >= 2.5 and not r["duplicates"],
            }
            for r in results
        ]
        data = {"bench": "workers", "runs": results, "figures": figures}
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if any(r["duplicates"] or r["missing"] for r in results):
        raise SystemExit("duplicates or missing messages")


if __name__ == "__main__":
    main()
