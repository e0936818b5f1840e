"""``duebot log verify``: walk every hash chain; exit 1 naming the first bad entry."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.exitcodes import EXIT_OK, EXIT_REFUSED, EXIT_USAGE


def run_log(args: argparse.Namespace) -> int:
    return asyncio.run(_verify(args.borrower))


async def _verify(borrower: str | None) -> int:
    from bot.commands.runtime import opened
    from storage.models import Borrower, LogHead

    async with opened() as (_settings, log):
        result = await log.verify(borrower)
        if borrower is not None and result.checked == 0 and result.first_break is None:
            known = await Borrower.filter(borrower_id=borrower).exists()
            if not known and not await LogHead.filter(chain=f"borrower:{borrower}").exists():
                print(f"duebot log verify: no borrower {borrower!r} and no log for one", file=sys.stderr)
                return EXIT_USAGE
    if result.first_break is not None:
        print(f"interaction log: BROKEN at {result.first_break.describe()}", file=sys.stderr)
        print(f"checked {result.checked} entr{'y' if result.checked == 1 else 'ies'} before the break")
        return EXIT_REFUSED
    print(f"interaction log: OK ({result.checked} entries verified)")
    return EXIT_OK
