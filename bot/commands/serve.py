"""``duebot serve``: the web server, the scheduler clock and Telegram, in one process."""

from __future__ import annotations

import argparse
import logging
from collections.abc import AsyncIterator

from bot.cli import EXIT_OK

log = logging.getLogger("duebot.serve")


def run_serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.commands.runtime import setup_logging
    from bot.services import Services
    from bot.web import build_app
    from config.policy import load_policy
    from config.settings import load_settings
    from storage.database import close_database, open_database
    from storage.interaction_log import InteractionLog

    setup_logging()
    settings = load_settings()
    policy = load_policy(settings.policy_file)
    for line in settings.channel_report():
        log.info("%s", line)
    services = Services(settings=settings, policy=policy, log=InteractionLog(settings.signing_key()))

    async def database_ctx(app: web.Application) -> AsyncIterator[None]:
        await open_database(settings.database_url)
        log.info("database ready")
        yield
        await close_database()

    app = build_app(services, cleanup=[database_ctx])
    web.run_app(app, host=args.host, port=args.port, print=lambda msg: log.info("%s", msg))
    return EXIT_OK
