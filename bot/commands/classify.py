"""``duebot classify [TEXT] [--today YYYY-MM-DD]``: reply understanding, one JSON object a line."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from bot.exitcodes import EXIT_OK, EXIT_USAGE


def run_classify(args: argparse.Namespace) -> int:
    from bot.nlu import classify

    if args.today:
        try:
            today = date.fromisoformat(args.today)
        except ValueError:
            print(f"duebot classify: --today {args.today!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
            return EXIT_USAGE
    else:
        today = date.today()
    lines = [args.text] if args.text is not None else (line.rstrip("\r\n") for line in sys.stdin)
    for text in lines:
        if args.text is None and not text.strip():
            continue
        result = classify(text, today)
        print(json.dumps(result.as_json(), ensure_ascii=False), flush=True)
    return EXIT_OK
