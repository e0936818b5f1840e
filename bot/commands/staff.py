"""``duebot staff``: not available in this version yet."""

from __future__ import annotations

import argparse
import sys

from bot.cli import EXIT_USAGE


def run_staff(args: argparse.Namespace) -> int:
    print("duebot staff: not available yet in this version", file=sys.stderr)
    return EXIT_USAGE
