"""``duebot worker``: the scheduler pass and dispatch without the web server.

Run any number beside ``serve`` on one PostgreSQL: one process plans at a time and the follow-ups
run once per pass (database leases), every process dispatches (``FOR UPDATE SKIP LOCKED``), and
each answers borrowers through its answer lane. SIGTERM or Ctrl-C: what has not left goes back
to the queue, requests already leaving finish, and the worker exits within seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING

from bot.exitcodes import EXIT_OK

if TYPE_CHECKING:
    from bot.services import Services
    from scheduler.rendering import MessageRenderer

log = logging.getLogger("duebot.worker")


def run_worker(args: argparse.Namespace) -> int:
    from bot.commands.runtime import setup_logging
    from bot.services import Services
    from bot.wiring import build_renderer
    from config.policy import load_policy
    from config.settings import load_settings, prepare_signing_key
    from storage.interaction_log import InteractionLog

    settings = load_settings()
    setup_logging(settings)
    policy = load_policy(settings.policy_file)
    services = Services(settings=settings, policy=policy, log=InteractionLog(prepare_signing_key(settings)))
    renderer = build_renderer(services)  # a broken template stops start-up here (exit 3)
    for line in settings.channel_report():
        log.info("%s", line)
    asyncio.run(_work(services, renderer, args.interval))
    return EXIT_OK


async def _work(services: Services, renderer: MessageRenderer, interval: float) -> None:
    from bot.background import Background
    from bot.wiring import build_channels, build_follow_ups, build_scheduler, build_staff_chat
    from storage.database import close_database, open_database

    await open_database(services.settings.database_url)
    channels = build_channels(services)
    chat = build_staff_chat(services, channels)
    scheduler = build_scheduler(
        services, channels=channels, renderer=renderer, follow_ups=build_follow_ups(services, chat)
    )
    background = Background(scheduler, interval=interval)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    background.start()
    log.info("worker running: a pass every %s s", interval)
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        await background.stop()
        await scheduler.close()
        await close_database()
        log.info("stopped")
