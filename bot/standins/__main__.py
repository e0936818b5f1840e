"""Run a stand-in on its own: ``python -m bot.standins twilio|telegram [--port P]``.

Prints ``READY <base_url>`` on stdout once listening (benchmarks and manual demos read it), then
serves until interrupted.  Records are bounded so a long run does not grow without limit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from bot.standins import StandinControl, TelegramStandin, TwilioStandin


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.standins", description=__doc__)
    parser.add_argument("kind", choices=["twilio", "telegram"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--account-sid", default="AC" + "0" * 32)
    parser.add_argument("--auth-token", default="standin-auth-token")
    parser.add_argument("--token", default="123456:standin-token", help="Telegram bot token")
    parser.add_argument("--callbacks", default="", help="Twilio default callbacks, e.g. sent,delivered")
    parser.add_argument("--max-records", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds each Twilio create takes to answer")
    return parser


async def _serve(args: argparse.Namespace) -> None:
    standin: StandinControl
    if args.kind == "twilio":
        steps = [s for s in args.callbacks.split(",") if s]
        standin = TwilioStandin(
            args.account_sid,
            args.auth_token,
            default_callbacks=steps,
            max_records=args.max_records,
            latency=args.latency,
        )
    else:
        standin = TelegramStandin(args.token, max_records=args.max_records)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with standin.running(args.host, args.port) as base_url:
        print(f"READY {base_url}", flush=True)
        await stop.wait()


def main() -> None:
    asyncio.run(_serve(_parser().parse_args()))


if __name__ == "__main__":
    main()
