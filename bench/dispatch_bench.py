"""A scheduler pass dispatching 10,000 reminders to the Twilio stand-in, as whole ``duebot tick`` processes.

    .venv/bin/python bench/dispatch_bench.py [--messages 10000] [--postgres URL]

Imports a loan book of ``--messages`` SMS borrowers in New York, all due on 10 Dec 2026, then runs
``duebot tick --now`` twice: at 07:00 local on the T-3 day (before the send window: the pass plans
every reminder and sends nothing) and at 10:00 (the pass finds them all due and dispatches them:
claim, contact guard with fresh data, render, send through the real twilio client, record, log).
The second process is what is timed: messages/s and its peak resident memory. The stand-in runs
in its own process, so it does not share the dispatcher's core; SMS pacing is raised out of the
way by a policy file (Telegram's pace is capped at its published 30/s and is not benchmarked here).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "standin-auth-token"
HEADER = (
    "borrower_id,full_name,phone,telegram_chat_id,locale,timezone,preferred_channel,"
    "loan_id,product,currency,installment_no,due_date,amount_due\n"
)
PLAN_AT = "2026-12-07T07:00:00-05:00"  # T-3 day, before the 09:00 window opens
SEND_AT = "2026-12-07T10:00:00-05:00"


def write_book(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for i in range(count):
            fh.write(
                f"N{i:06d},Borrower {i},+1212{5550000 + i:07d},,en,America/New_York,sms,"
                f"LN{i:06d},card,USD,1,2026-12-10,{100 + i % 900}.00\n"
            )


def duebot(env: dict[str, str], *args: str) -> tuple[str, float, float]:
    """Run ``duebot ARGS`` as a child; return its stdout, wall seconds and peak RSS (MiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"duebot {' '.join(args)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    # RUSAGE_CHILDREN's maximum only grows; a child smaller than an earlier one reads as that one.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return proc.stdout, elapsed, max(peak, before) / 1024


def run(name: str, url: str, count: int, tmp: Path, twilio_base: str) -> None:
    if url.startswith("postgres"):
        subprocess.run(
            ["psql", url, "-qc", "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"], check=True, capture_output=True
        )
    policy = tmp / "fast.toml"
    policy.write_text("[sending]\ntwilio_per_second = 1000000.0\nbatch_size = 200\n")
    env = {
        **os.environ,
        "DUEBOT_DATABASE_URL": url,
        "DUEBOT_SECRET_KEY": "bench",
        "DUEBOT_POLICY_FILE": str(policy),
        "DUEBOT_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "DUEBOT_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "DUEBOT_TWILIO_FROM": "+15005550006",
        "DUEBOT_TWILIO_API_BASE": twilio_base,
        "DUEBOT_PUBLIC_BASE_URL": "https://duebot.example.com",
        "DUEBOT_LOG_LEVEL": "WARNING",
    }
    book = tmp / "book.csv"
    write_book(book, count)
    duebot(env, "import", "loans", str(book))
    out, planned_s, _ = duebot(env, "tick", "--now", PLAN_AT)
    out, elapsed, peak = duebot(env, "tick", "--now", SEND_AT)
    sent = next((line for line in out.splitlines() if "sent" in line), out.strip()[-200:])
    print(f"{name:8} planning pass {planned_s:.2f} s; dispatching pass: {count} messages in {elapsed:.2f} s = "
          f"{count / elapsed:,.0f} messages/s (whole process, start-up included); peak RSS {peak:.0f} MiB "
          f"[{sent.strip()}]")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--postgres", help="a PostgreSQL URL to run against too (its public schema is emptied)")
    args = parser.parse_args()
    standin = subprocess.Popen(
        [sys.executable, "-m", "bot.standins", "twilio", "--account-sid", ACCOUNT_SID, "--auth-token", AUTH_TOKEN],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert standin.stdout is not None
        ready = standin.stdout.readline().strip()
        if not ready.startswith("READY "):
            raise SystemExit(f"the Twilio stand-in did not start: {ready!r}")
        base = ready.removeprefix("READY ")
        targets = [("sqlite", None)] + ([("postgres", args.postgres)] if args.postgres else [])
        for name, url in targets:
            with tempfile.TemporaryDirectory() as tmp:
                run(name, url or f"sqlite://{Path(tmp) / 'bench.sqlite3'}", args.messages, Path(tmp), base)
    finally:
        standin.terminate()
        standin.wait(timeout=10)


if __name__ == "__main__":
    main()
