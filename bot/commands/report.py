"""``duebot report``: the portfolio and servicing indicators of a period, as a table, JSON or CSV."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.exitcodes import EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from config.policy import Policy
    from config.settings import Settings
    from scheduler.portfolio import ReportRequest

FORMATS = ("table", "json", "csv")


def run_report(args: argparse.Namespace) -> int:
    from config.policy import load_policy
    from config.settings import load_settings
    from scheduler.portfolio import ReportError, report_request

    settings = load_settings()
    policy = load_policy(settings.policy_file)
    today = datetime.now(UTC).astimezone(ZoneInfo(policy.sla.timezone)).date()
    try:
        if args.format not in FORMATS:
            raise ReportError(f"unknown --format {args.format!r}; allowed: {', '.join(FORMATS)}")
        request = report_request(
            since=args.since,
            until=args.until,
            every=args.every,
            by=args.by,
            today=today,
            experiment=args.experiment,
            experiments=policy.experiments,
        )
    except ReportError as exc:
        print(f"duebot report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report = asyncio.run(_build(settings, request, policy))
    if args.format == "json":
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    elif args.format == "csv":
        from bot.reporting import as_csv

        sys.stdout.write(as_csv(report))
    else:
        from bot.reporting import as_table

        sys.stdout.write(as_table(report, policy.sla.timezone))
    return EXIT_OK


async def _build(settings: Settings, request: ReportRequest, policy: Policy) -> dict[str, Any]:
    from bot.commands.runtime import opened
    from scheduler.report import build_report

    async with opened(settings):
        return await build_report(request, policy)
