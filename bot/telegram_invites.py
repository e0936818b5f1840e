"""Invitations to Telegram: the deep link an SMS reminder carries to a borrower who prefers
Telegram but has no chat we can use. Opening it sends ``/start CODE`` to our bot, which links
the chat (``bot.conversation``); the code is single-use and expires (``storage.linking``).

The bot's username comes from Telegram itself (``getMe``, once per process); until Telegram has
answered, reminders simply go without the link.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from storage.interaction_log import InteractionLog
from storage.linking import current_code
from storage.models import Borrower

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)


def deep_link(username: str, code: str) -> str:
    # Without "https://": phones link "t.me/..." all the same, and an SMS has few characters to spare.
    return f"t.me/{username}?start={code}"


class TelegramInvites:
    """Fits ``Dispatcher(invite=...)``."""

    def __init__(self, bot: Callable[[], Bot], log: InteractionLog) -> None:
        self._bot = bot
        self._log = log
        self._username: str | None = None

    async def username(self) -> str | None:
        if self._username is None:
            try:
                me = await self._bot().get_me()
            except Exception:  # Telegram unreachable: this reminder goes without the link
                log.warning("Telegram getMe failed; reminders go without a Telegram link for now", exc_info=True)
                return None
            self._username = me.username
        return self._username

    async def __call__(self, borrower: Borrower, now: datetime) -> str | None:
        username = await self.username()
        if not username:
            return None
        code = await current_code(borrower, now, log=self._log, issued_by="sms")
        return deep_link(username, code.code)
