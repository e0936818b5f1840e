"""``duebot experiment status NAME``: champion/challenger figures per arm, and the verdict."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from bot.exitcodes import EXIT_OK, EXIT_USAGE


def run_experiment(args: argparse.Namespace) -> int:
    from bot.commands.runtime import opened
    from config.policy import load_policy
    from config.settings import load_settings
    from scheduler.experiment_report import UnknownExperiment, status_lines, status_of

    if args.format not in ("table", "json"):
        print(f"duebot experiment status: unknown --format {args.format!r}; allowed: table, json", file=sys.stderr)
        return EXIT_USAGE
    settings = load_settings()
    policy = load_policy(settings.policy_file)
    if args.name not in policy.experiments:
        known = ", ".join(sorted(policy.experiments)) or "none in the policy"
        print(f"duebot experiment status: no experiment {args.name!r} (known: {known})", file=sys.stderr)
        return EXIT_USAGE

    async def read() -> dict[str, Any]:
        async with opened(settings):
            return await status_of(policy, args.name)

    try:
        status = asyncio.run(read())
    except UnknownExperiment as exc:  # pragma: no cover - checked above
        print(f"duebot experiment status: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        print(json.dumps(status, ensure_ascii=False, indent=2))
    else:
        print("\n".join(status_lines(status)))
    return EXIT_OK
