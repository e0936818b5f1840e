"""``duebot tick [--now ISO] [--dry-run]``: one scheduler pass at that instant, then a summary."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from bot.exitcodes import EXIT_OK, EXIT_USAGE


class DryRunRollback(Exception):
    """Raised at the end of a dry run so its transaction is rolled back: nothing is recorded."""


def parse_now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)  # ValueError for junk
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("needs a UTC offset or Z")
    return parsed


def run_tick(args: argparse.Namespace) -> int:
    try:
        now = parse_now(args.now)
    except ValueError as exc:
        print(f"duebot tick: --now {args.now!r}: {exc} (e.g. 2026-12-01T09:30:00+08:00 or ...Z)", file=sys.stderr)
        return EXIT_USAGE
    return asyncio.run(_tick(now, args.dry_run))


async def _tick(now: datetime, dry_run: bool) -> int:
    from tortoise.transactions import in_transaction

    from bot.commands.runtime import opened, setup_logging
    from bot.dryrun import DryRunChannel
    from bot.services import Services
    from bot.wiring import build_channels, build_follow_ups, build_scheduler, build_staff_chat
    from config.policy import load_policy
    from config.settings import load_settings
    from storage.outbox import waiting_messages

    settings = load_settings()
    setup_logging(settings)
    policy = load_policy(settings.policy_file)
    async with opened(settings) as (_settings, log):
        services = Services(settings=settings, policy=policy, log=log, clock=lambda: now)
        if not dry_run:
            channels = build_channels(services)
            follow_ups = build_follow_ups(services, build_staff_chat(services, channels))
            scheduler = build_scheduler(services, channels=channels, follow_ups=follow_ups)
            try:
                summary = await scheduler.servicing.run(now)
            finally:
                await scheduler.close()
            print("\n".join(summary.lines()))
            return EXIT_OK
        real = build_channels(services)
        for channel in real.values():
            await channel.close()
        # The follow-ups run too (their cases are rolled back with the rest); nobody is told of them.
        scheduler = build_scheduler(
            services,
            channels={name: DryRunChannel(name) for name in real},
            follow_ups=build_follow_ups(services, None),
        )
        try:
            async with in_transaction():
                summary = await scheduler.servicing.run(now)
                waiting = await waiting_messages(now)
                raise DryRunRollback
        except DryRunRollback:
            pass
        print(f"DRY RUN at {now.isoformat()}: nothing was sent or recorded")
        for event in [*summary.skipped_events, *summary.dispatch.events]:
            if event.outcome == "sent":
                print(f"  would send  {event.borrower_id:<12} {event.channel:<8} {event.message_key}")
            elif event.outcome in ("deferred", "skipped"):
                verb = "held back " if event.outcome == "deferred" else "would skip"
                print(f"  {verb}  {event.borrower_id:<12} {event.message_key}  [{event.rule}] {event.reason}")
        for item in waiting:
            print(f"  waiting     {item.borrower_id:<12} {item.key}  until {item.not_before.isoformat()}")
        print("\n".join(summary.lines(dry_run=True)[1:]))
        return EXIT_OK
