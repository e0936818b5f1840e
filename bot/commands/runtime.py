"""Opening what a command needs: settings, the database, the log. One place, used by every command."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from config.settings import Settings, load_settings, prepare_signing_key
from storage.database import close_database, open_database
from storage.interaction_log import InteractionLog


def setup_logging(settings: Settings | None = None, *, default: str | None = None) -> None:
    """Logging at ``DUEBOT_LOG_LEVEL``; ``default`` is a command's own level when that is unset."""
    from bot.logmask import MaskingFilter

    settings = settings or load_settings()
    level = default if default is not None and "log_level" not in settings.model_fields_set else settings.log_level
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
        yield settings, InteractionLog(prepare_signing_key(settings))
    finally:
        await close_database()
