"""Telegram over the Bot API, with a real aiogram ``Bot``.

``import aiogram`` costs seconds (pydantic model rebuilds), so nothing here imports it at module
level: the first ``send`` (or :meth:`TelegramChannel.warm_up`, meant for service start) does.

aiogram has no outgoing rate limiter, so the adapter paces sends itself (Telegram's guidance:
about 30 messages/s overall and 1 message/s per chat).  aiogram never retries a request, so one
``send`` is one HTTP request.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Final, cast

import aiohttp

from bot.channels._transport import transport_error, utc_now
from scheduler.channel import (
    Leaving,
    OutboundMessage,
    PermanentSendError,
    RateLimiter,
    RetryableSendError,
    SendError,
    SendReceipt,
    UncertainSendError,
)

if TYPE_CHECKING:
    from aiogram import Bot

__all__ = ["TelegramChannel", "parse_chat_id", "translate_telegram_error"]

DEFAULT_API_BASE: Final = "https://api.telegram.org"


def parse_chat_id(to: str) -> int | str:
    """Numeric chat ids go as integers; ``@channelname`` stays a string."""
    text = to.strip()
    digits = text[1:] if text.startswith("-") else text
    return int(text) if digits.isdigit() else text


def translate_telegram_error(exc: Exception) -> SendError:
    """Map an aiogram exception raised by a send to one of the three outcomes."""
    from aiogram import exceptions as tg  # lazy: see module docstring

    detail = getattr(exc, "message", None) or str(exc)
    lowered = detail.lower()
    if isinstance(exc, tg.TelegramRetryAfter):
        return RetryableSendError("telegram:429", detail, retry_after=float(exc.retry_after))
    if isinstance(exc, tg.TelegramForbiddenError):
        # "bot was blocked by the user", "user is deactivated", "bot was kicked": all mean the chat
        # will not take our messages until the borrower comes back.
        return PermanentSendError("telegram:403", detail, effect="telegram_blocked")
    if isinstance(exc, tg.TelegramMigrateToChat):
        return PermanentSendError(
            "telegram:migrated", f"{detail} (new chat id {exc.migrate_to_chat_id})", effect="chat_migrated"
        )
    if isinstance(exc, tg.TelegramBadRequest):
        if "chat not found" in lowered:
            return PermanentSendError("telegram:400", detail, effect="chat_not_found")
        if "can't parse entities" in lowered:
            # Our template produced bad HTML (often an unescaped '<' or '&' from a name).
            return PermanentSendError("telegram:400", detail, effect="invalid_markup")
        return PermanentSendError("telegram:400", detail)
    if isinstance(exc, tg.TelegramUnauthorizedError):
        # Wrong token: every send will fail the same way.
        return PermanentSendError("telegram:401", detail, effect="channel_misconfigured")
    if isinstance(exc, tg.TelegramNotFound):
        # For sendMessage a 404 means a wrong API base or token, not a missing chat (that is a 400).
        return PermanentSendError("telegram:404", detail, effect="channel_misconfigured")
    if isinstance(exc, tg.TelegramEntityTooLarge):  # a TelegramNetworkError subclass: test it first
        return PermanentSendError("telegram:413", detail)
    if isinstance(exc, tg.TelegramServerError):
        return UncertainSendError("telegram:5xx", detail)
    if isinstance(exc, tg.TelegramNetworkError):
        # aiogram wraps the aiohttp error; its cause says whether the request ever left.
        cause = exc.__cause__ if exc.__cause__ is not None else exc
        return transport_error(cause, request_may_have_left=None)
    if isinstance(exc, tg.TelegramConflictError):
        return PermanentSendError("telegram:409", detail)
    if isinstance(exc, tg.TelegramAPIError):
        # Another non-2xx answer with ok=false: Telegram answered and did not send it.
        return PermanentSendError("telegram:error", detail)
    # ClientDecodeError and anything else after the request: Telegram may have sent it.
    return UncertainSendError("unexpected", f"{type(exc).__name__}: {detail}")


class TelegramChannel:
    """``Channel`` for Telegram chats through a real aiogram ``Bot`` pointed at ``api_base``."""

    name = "telegram"

    def __init__(
        self,
        token: str,
        api_base: str = DEFAULT_API_BASE,
        per_second: float = 30.0,
        per_chat_per_second: float = 1.0,
        *,
        timeout: float = 15.0,
        connect_timeout: float = 5.0,
        limiter: RateLimiter | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if not token:
            raise ValueError("token is required")
        if timeout <= 0 or connect_timeout <= 0:
            raise ValueError("timeouts must be positive")
        self._token = token
        self._api_base = api_base.rstrip("/")
        self._timeout = timeout
        # A separate connect budget makes aiohttp raise ConnectionTimeoutError while still
        # connecting (or waiting for a pooled connection): provably unsent, so retryable.  With only
        # a total timeout, a blackholed api.telegram.org would turn every send into "unknown".
        self._request_timeout = aiohttp.ClientTimeout(total=timeout, connect=min(connect_timeout, timeout))
        self._limiter = limiter if limiter is not None else RateLimiter(per_second, per_key_rate=per_chat_per_second)
        self._clock = clock
        self._bot: Bot | None = None

    async def warm_up(self) -> None:
        """Import aiogram in a worker thread and build the bot, so no send pays for the import."""
        await asyncio.to_thread(importlib.import_module, "aiogram.client.session.aiohttp")
        self.get_bot()

    def get_bot(self) -> Bot:
        """The adapter's ``Bot`` (built on first use; shares the adapter's HTTP session)."""
        if self._bot is None:
            from aiogram import Bot
            from aiogram.client.session.aiohttp import AiohttpSession
            from aiogram.client.telegram import TelegramAPIServer

            session = AiohttpSession(api=TelegramAPIServer.from_base(self._api_base), timeout=self._timeout)
            self._bot = Bot(self._token, session=session)
        return self._bot

    async def send(self, message: OutboundMessage, *, leaving: Leaving | None = None) -> SendReceipt:
        if message.channel != self.name:
            raise ValueError(f"{type(self).__name__} cannot send a {message.channel!r} message")
        chat_id = parse_chat_id(message.to)
        await self._limiter.acquire(str(chat_id), urgent=message.urgent)
        if leaving is not None:
            await leaving()
        bot = self.get_bot()
        try:
            sent = await bot.send_message(
                chat_id=chat_id,
                text=message.text,
                # None (not aiogram's default) so no parse_mode field is sent for plain text.
                parse_mode="HTML" if message.parse_mode_html else None,
                # aiogram hands request_timeout to aiohttp untouched; it is typed int, but aiohttp
                # takes a ClientTimeout, which is what separates connect from read time.  Passed per
                # call so the session's float timeout (used by polling arithmetic) stays a float.
                request_timeout=cast(int, self._request_timeout),
            )
        except Exception as exc:
            from aiogram.exceptions import AiogramError

            if not isinstance(exc, AiogramError):
                raise  # our own bug before any request (e.g. argument validation): not a send outcome
            raise translate_telegram_error(exc) from exc
        return SendReceipt(
            provider_message_id=f"{sent.chat.id}:{sent.message_id}",
            status="sent",  # Telegram has no queue: accepted means delivered to the chat
            sent_at=self._clock(),
        )

    async def close(self) -> None:
        bot, self._bot = self._bot, None
        if bot is not None:
            await bot.session.close()
