"""``duebot tick``: not available in this version yet."""

from __future__ import annotations

import argparse
import sys

from bot.cli import EXIT_USAGE


def run_tick(args: argparse.Namespace) -> int:
    print("duebot tick: not available yet in this version", file=sys.stderr)
    return EXIT_USAGE
