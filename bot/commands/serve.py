"""``duebot serve``: the web server, the scheduler clock and Telegram, in one process."""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.exitcodes import EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from aiohttp import web

    from bot.services import Services

log = logging.getLogger("duebot.serve")
PASS_INTERVAL_SECONDS = 60
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
    from config.settings import load_settings
    from storage.interaction_log import InteractionLog

    setup_logging()
    settings = load_settings()
    policy = load_policy(settings.policy_file)
    services = Services(settings=settings, policy=policy, log=InteractionLog(settings.signing_key()))
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
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

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
        scheduler.answers.start()
        inbound = await start_inbound(
            app,
            services,
            kick=scheduler.answers.kick,
            channels=channels,
            notify=chat.announce_case if chat is not None else None,
            extra_routers=extra_routers,
        )
        clock = AsyncIOScheduler(timezone=UTC)

        passes: set[asyncio.Task[Any]] = set()

        async def one_pass() -> None:
            task = asyncio.current_task()
            if task is not None:
                passes.add(task)
            try:
                summary = await scheduler.servicing.run(datetime.now(UTC))
            except asyncio.CancelledError:
                log.info("scheduler pass stopped by shutdown")
                return
            except Exception:  # a failed pass is logged; the next one runs on time
                log.exception("scheduler pass failed")
                return
            finally:
                passes.discard(task)
            if summary.dispatch.outcomes or summary.planned or summary.warnings or summary.follow_ups:
                for line in summary.lines():
                    log.info("%s", line)

        if run_passes:
            clock.add_job(
                one_pass,
                "interval",
                seconds=interval,
                coalesce=True,
                max_instances=1,
                # A moment after start-up, once the server is listening (a port in use ends it first).
                next_run_time=datetime.now(UTC) + timedelta(seconds=2),
                id="servicing-pass",
            )
            clock.start()
        try:
            yield
        finally:
            if run_passes:
                clock.shutdown(wait=False)
            # Sends not yet leaving go back to the queue; those leaving get a few seconds.
            await scheduler.dispatcher.stop(grace=SHUTDOWN_SENDS_SECONDS)
            for task in list(passes):  # follow-ups of a pass: cut short, the next pass runs them
                task.cancel()
            await asyncio.gather(*passes, return_exceptions=True)
            await inbound.close(grace=SHUTDOWN_REPLIES_SECONDS)
            await scheduler.close()
            await close_database()
            log.info("stopped")

    return context
