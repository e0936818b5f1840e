"""``duebot serve``: the web server, the scheduler clock and Telegram, in one process."""

from __future__ import annotations

import argparse
import errno
import logging
import sys
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from bot.background import PASS_INTERVAL_SECONDS
from bot.exitcodes import EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from aiohttp import web

    from bot.services import Services

log = logging.getLogger("duebot.serve")
# A stop (SIGTERM) is over within about 10 s: requests, then sends already leaving, then replies
# being handled; what has not started stays stored and is taken up at the next start.
SHUTDOWN_REQUESTS_SECONDS = 2.0
SHUTDOWN_SENDS_SECONDS = 5.0
SHUTDOWN_REPLIES_SECONDS = 2.0


def run_serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.commands.runtime import setup_logging
    from bot.services import Services
    from bot.web import build_app
    from config.policy import load_policy
    from config.settings import load_settings, prepare_signing_key
    from storage.interaction_log import InteractionLog

    settings = load_settings()
    setup_logging(settings)
    policy = load_policy(settings.policy_file)
    services = Services(settings=settings, policy=policy, log=InteractionLog(prepare_signing_key(settings)))
    app = build_app(services)
    app.cleanup_ctx.append(service_context(services))
    for line in settings.channel_report():
        log.info("%s", line)
    try:
        web.run_app(
            app,
            host=args.host,
            port=args.port,
            print=lambda msg: log.info("%s", msg),
            # On SIGTERM: stop listening, give open requests this long, then stop the work (below).
            shutdown_timeout=SHUTDOWN_REQUESTS_SECONDS,
        )
    except OSError as exc:
        if exc.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
            raise
        print(f"duebot serve: cannot listen on {args.host}:{args.port} ({exc.strerror}); try --port", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def service_context(
    services: Services, *, interval: int = PASS_INTERVAL_SECONDS, run_passes: bool = True
) -> Callable[[web.Application], AsyncIterator[None]]:
    """The aiohttp cleanup context: database, scheduler clock, reply handling and Telegram (borrowers'
    chat and the staff chat) live as long as the app."""
    from bot.wiring import (
        SCHEDULER,
        build_channels,
        build_follow_ups,
        build_renderer,
        build_scheduler,
        build_staff_chat,
    )
    from storage.database import close_database, open_database

    renderer = build_renderer(services)  # a broken template stops start-up here (exit 3)

    async def context(app: web.Application) -> AsyncIterator[None]:
        from bot.background import Background
        from bot.conversation.runtime import start_inbound

        await open_database(services.settings.database_url)
        log.info("database ready")
        channels = build_channels(services)
        chat = build_staff_chat(services, channels)
        scheduler = build_scheduler(
            services, channels=channels, renderer=renderer, follow_ups=build_follow_ups(services, chat)
        )
        app[SCHEDULER] = scheduler
        extra_routers: list[object] = []
        if chat is not None:
            from bot.staff_chat import build_staff_router

            extra_routers.append(build_staff_router(services, chat.chat_id))
            log.info("staff chat: new and overdue cases are posted to the staff Telegram chat")
        else:
            log.info("staff chat: off (DUEBOT_STAFF_TELEGRAM_CHAT_ID and Telegram are needed)")
        background = Background(scheduler, interval=interval, run_passes=run_passes)
        background.start()
        inbound = await start_inbound(
            app,
            services,
            kick=scheduler.answers.kick,
            channels=channels,
            notify=chat.announce_case if chat is not None else None,
            extra_routers=extra_routers,
        )
        try:
            yield
        finally:
            await background.stop(grace=SHUTDOWN_SENDS_SECONDS)
            await inbound.close(grace=SHUTDOWN_REPLIES_SECONDS)
            await scheduler.close()
            await close_database()
            log.info("stopped")

    return context
