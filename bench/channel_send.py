"""Throughput and memory of the real adapters: 10,000 sends each through TwilioSmsChannel
(twilio SDK) and TelegramChannel (aiogram) against their stand-ins, rate limits raised out of the way.

Each adapter runs in its own process (so one's imports do not inflate the other's memory), and
the stand-in in a further child process (so it does not share the adapter's CPU core).  Prints
messages/s, the resident set after warm-up and its peak during the run; ``--tracemalloc`` also
reports the peak of Python allocations during the sends (slower, so its rate is not comparable).

    .venv/bin/python bench/channel_send.py [-n 10000] [-c 64] [--channel sms|telegram|both]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from bot.channels import TelegramChannel, TwilioSmsChannel
from bot.standins.process import spawned_standin
from scheduler.channel import Channel, OutboundMessage

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "standin-auth-token"
BOT_TOKEN = "123456:standin-token"
UNLIMITED = 1_000_000.0  # messages/s: pacing must not be what is measured


def rss_mib() -> float:
    # Current resident set, from /proc (Linux); ru_maxrss below is the peak.
    with Path("/proc/self/statm").open() as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def message(kind: str, i: int) -> OutboundMessage:
    text = f"Reminder {i}: USD 350.00 is due on 4 Dec. Reply PAID if you have paid."
    if kind == "sms":
        return OutboundMessage(f"bench:{i}", "sms", f"+1415{5550000 + i % 10000:07d}", text,
                               status_callback="https://duebot.example.com/webhooks/twilio/status")  # fmt: skip
    return OutboundMessage(f"bench:{i}", "telegram", str(100000 + i % 10000), text)


async def run_one(kind: str, n: int, c: int, trace: bool) -> None:
    args = ["--account-sid", ACCOUNT_SID, "--auth-token", AUTH_TOKEN, "--token", BOT_TOKEN]
    async with spawned_standin("twilio" if kind == "sms" else "telegram", *args) as base_url:
        channel: Channel
        if kind == "sms":
            channel = TwilioSmsChannel(ACCOUNT_SID, AUTH_TOKEN, "+15005550006", base_url, per_second=UNLIMITED)
        else:
            channel = TelegramChannel(BOT_TOKEN, base_url, per_second=UNLIMITED, per_chat_per_second=UNLIMITED)
        try:
            await channel.send(message(kind, -1))  # warm-up: client creation, aiogram import, pool
            baseline = rss_mib()
            counter = itertools.count()
            failures = 0

            async def worker() -> None:
                nonlocal failures
                while (i := next(counter)) < n:
                    try:
                        await channel.send(message(kind, i))
                    except Exception:
                        failures += 1

            if trace:
                tracemalloc.start()
            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(c)))
            elapsed = time.perf_counter() - started
            traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
            tracemalloc.stop()
        finally:
            await channel.close()
    label = "TwilioSmsChannel" if kind == "sms" else "TelegramChannel "
    line = (
        f"{label}: {n / elapsed:7.0f} messages/s  ({n} in {elapsed:.2f} s, c={c}, failures={failures})  "
        f"RSS after warm-up {baseline:.0f} MiB, peak {peak_rss_mib():.0f} MiB"
    )
    if traced_peak is not None:
        line += f", tracemalloc peak during sends {traced_peak:.1f} MiB"
    print(line, flush=True)
    if failures:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=10_000, help="messages per adapter")
    parser.add_argument("-c", type=int, default=64, help="sends in flight")
    parser.add_argument("--channel", choices=["sms", "telegram", "both"], default="both")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations")
    args = parser.parse_args()
    if args.channel != "both":
        asyncio.run(run_one(args.channel, args.n, args.c, args.tracemalloc))
        return
    extra = ["-n", str(args.n), "-c", str(args.c)] + (["--tracemalloc"] if args.tracemalloc else [])
    for kind in ("sms", "telegram"):
        subprocess.run([sys.executable, __file__, "--channel", kind, *extra], check=True)


if __name__ == "__main__":
    main()
