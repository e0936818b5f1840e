"""``duebot demo``: stand-ins, a sample loan book, a simulated fortnight, then the server."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.exitcodes import EXIT_OK


def run_demo(args: argparse.Namespace) -> int:
    from bot.commands.runtime import setup_logging
    from bot.demo.run import run_demo as demo

    setup_logging(default="WARNING")
    try:
        return asyncio.run(demo(args.host, args.port, Path(args.dir), serve=not args.no_serve))
    except KeyboardInterrupt:
        print("\nduebot demo: stopped")
        return EXIT_OK
