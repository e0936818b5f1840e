"""Opening what a command needs: settings, the database, the log. One place, used by every command."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from config.settings import Settings, load_settings
from storage.database import close_database, open_database
from storage.interaction_log import InteractionLog


def setup_logging(level: str | None = None) -> None:
    from bot.logmask import MaskingFilter

    level = os.environ.get("DUEBOT_LOG_LEVEL", level or "INFO").upper()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Vendor loggers echo request bodies (phone numbers, message text) at DEBUG/INFO.
    for noisy in ("twilio", "aiogram.event", "tortoise", "aiosqlite", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@asynccontextmanager
async def opened(settings: Settings | None = None) -> AsyncIterator[tuple[Settings, InteractionLog]]:
    settings = settings or load_settings()
    await open_database(settings.database_url)
    try:
        yield settings, InteractionLog(settings.signing_key())
    finally:
        await close_database()
