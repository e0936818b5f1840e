"""Ceiling of the stand-ins: how many bare HTTP POSTs per second each one answers.

A raw aiohttp client (no vendor SDK) fires N create/sendMessage POSTs with C in flight at a
stand-in running in a child process (so client and server do not share one CPU core), and
prints requests/s.  This bounds what bench/channel_send.py can measure through the adapters.

    .venv/bin/python bench/standin_ceiling.py [-n 20000] [-c 64] [--in-process]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import aiohttp

from bot.standins import TelegramStandin, TwilioStandin
from bot.standins.process import spawned_standin

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "standin-auth-token"
BOT_TOKEN = "123456:standin-token"


@asynccontextmanager
async def standin(kind: str, in_process: bool) -> AsyncIterator[str]:
    if not in_process:
        async with spawned_standin(kind, "--account-sid", ACCOUNT_SID, "--auth-token", AUTH_TOKEN,
                                   "--token", BOT_TOKEN) as base_url:  # fmt: skip
            yield base_url
        return
    control = (
        TwilioStandin(ACCOUNT_SID, AUTH_TOKEN, max_records=1000)
        if kind == "twilio"
        else TelegramStandin(BOT_TOKEN, max_records=1000)
    )
    async with control.running() as base_url:
        yield base_url


async def fire(url: str, form: Callable[[int], dict[str, str]], headers: dict[str, str], n: int, c: int) -> float:
    counter = itertools.count()
    statuses: dict[int, int] = {}
    connector = aiohttp.TCPConnector(limit=c)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def worker() -> None:
            while (i := next(counter)) < n:
                async with http.post(url, data=form(i), headers=headers) as response:
                    await response.read()
                    statuses[response.status] = statuses.get(response.status, 0) + 1

        # Warm the connection pool and the server before timing.
        async with http.post(url, data=form(0), headers=headers) as response:
            await response.read()
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(c)))
        elapsed = time.perf_counter() - started
    unexpected = {s: k for s, k in statuses.items() if s not in (200, 201)}
    if unexpected:
        raise RuntimeError(f"unexpected answers: {unexpected}")
    return n / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=20_000, help="POSTs per stand-in")
    parser.add_argument("-c", type=int, default=64, help="requests in flight")
    parser.add_argument("--in-process", action="store_true", help="serve from this process's loop")
    args = parser.parse_args()

    auth = {"Authorization": aiohttp.encode_basic_auth(ACCOUNT_SID, AUTH_TOKEN)}
    where = "in-process" if args.in_process else "child process"
    async with standin("twilio", args.in_process) as base_url:
        rate = await fire(
            f"{base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
            lambda i: {"To": f"+1415{5550000 + i % 10000:07d}", "From": "+15005550006", "Body": "bench"},
            auth, args.n, args.c,
        )  # fmt: skip
        print(f"twilio stand-in   ({where}): {rate:8.0f} POSTs/s  (n={args.n}, c={args.c})")
    async with standin("telegram", args.in_process) as base_url:
        rate = await fire(
            f"{base_url}/bot{BOT_TOKEN}/sendMessage",
            lambda i: {"chat_id": str(100000 + i % 10000), "text": "bench"},
            {}, args.n, args.c,
        )  # fmt: skip
        print(f"telegram stand-in ({where}): {rate:8.0f} POSTs/s  (n={args.n}, c={args.c})")


if __name__ == "__main__":
    asyncio.run(main())
