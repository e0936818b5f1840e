"""Where the inbound webhooks find the reply processor: a slot on the app, filled at start-up.

Its own module so the webhook handlers and the runtime that fills it need not import each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.conversation.processor import InboundProcessor


@dataclass
class InboundSlot:
    """Filled at start-up (``bot.conversation.runtime.start_inbound``); read by the webhook handlers."""

    processor: InboundProcessor | None = None
    telegram_secret: str | None = None


INBOUND = web.AppKey("inbound", InboundSlot)
