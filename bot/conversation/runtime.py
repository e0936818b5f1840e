"""What ``serve`` runs for borrower replies: webhook routes, the inbound processor, Telegram intake.

``add_routes`` (from ``bot.web.build_app``) registers the two inbound webhooks and an empty
``InboundSlot``; ``start_inbound`` (from the service's start-up context, once the database is
open and the dispatcher exists) fills the slot, handles whatever was stored but not handled
before a restart, and sets up Telegram: a webhook when ``DUEBOT_PUBLIC_BASE_URL`` is set, else
long polling (one poller at a time across processes, by a database lease).

A webhook that arrives before the slot is filled still stores the message; the start-up
recovery handles it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web

from bot.conversation.processor import InboundProcessor
from bot.conversation.service import ConversationService, Kick
from bot.services import Services
from bot.webhooks.slot import INBOUND, InboundSlot
from bot.webhooks.telegram import telegram_webhook
from bot.webhooks.twilio_sms import twilio_sms
from storage.cases import CaseNotifier

if TYPE_CHECKING:
    from bot.telegram_bot import TelegramInbound, TelegramPoller

log = logging.getLogger(__name__)
SWEEP_SECONDS: Final = 30.0
TELEGRAM_WEBHOOK_PATH: Final = "/webhooks/telegram"


def add_routes(app: web.Application) -> None:
    app[INBOUND] = InboundSlot()
    app.router.add_post("/webhooks/twilio/sms", twilio_sms)
    app.router.add_post(TELEGRAM_WEBHOOK_PATH, telegram_webhook)


def telegram_webhook_secret(services: Services) -> str:
    """DUEBOT_TELEGRAM_WEBHOOK_SECRET, or one derived from the service's secret key, so the
    webhook is never left open. Telegram allows 1–256 characters of A-Z a-z 0-9 _ -."""
    configured = services.settings.telegram_webhook_secret
    if configured is not None and configured.get_secret_value():
        return configured.get_secret_value()
    key = services.settings.signing_key()
    return hmac.new(key, b"duebot telegram webhook", hashlib.sha256).hexdigest()


@dataclass
class InboundRuntime:
    processor: InboundProcessor
    telegram: TelegramInbound | None = None
    poller: TelegramPoller | None = None
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    async def close(self, grace: float = 5.0) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.poller is not None:
            await self.poller.release()
        await self.processor.close(grace)


def build_processor(
    services: Services,
    *,
    kick: Kick | None,
    notify: CaseNotifier | None = None,
    telegram: TelegramInbound | None = None,
    owner: str,
) -> InboundProcessor:
    service = ConversationService(
        settings=services.settings,
        policy=services.policy,
        log=services.log,
        clock=services.clock,
        kick=kick,
        notify=notify,
    )
    return InboundProcessor(service, owner=owner, clock=services.clock, telegram=telegram)


async def start_inbound(
    app: web.Application,
    services: Services,
    *,
    kick: Kick | None,
    channels: Mapping[str, object],
    notify: CaseNotifier | None = None,
    extra_routers: Sequence[object] = (),
    owner: str | None = None,
    poll: bool = True,
    sweep_seconds: float = SWEEP_SECONDS,
    poll_timeout: int = 25,
) -> InboundRuntime:
    """Start handling borrower replies. Pair with ``InboundRuntime.close()`` at shutdown.

    ``kick`` is called with the instant after each answer is stored (wire it to the answer lane's
    ``kick``, which never waits for the send); ``notify`` is the staff notifier handed to every new case;
    ``extra_routers`` are aiogram routers (the staff chat's) included before the borrower router.
    """
    from bot.wiring import process_owner

    owner = owner or process_owner()
    telegram: TelegramInbound | None = None
    channel = channels.get("telegram")
    get_bot = getattr(channel, "get_bot", None)
    if get_bot is not None:
        from bot.telegram_bot import TelegramInbound  # aiogram is imported only when Telegram is on

        telegram = TelegramInbound(get_bot(), extra_routers=extra_routers)
    processor = build_processor(services, kick=kick, notify=notify, telegram=telegram, owner=owner)
    slot = app[INBOUND]
    slot.processor = processor
    runtime = InboundRuntime(processor, telegram)
    # What was stored but not handled before a restart is handled in the background: the server
    # listens at once (``/healthz`` says "recovering" meanwhile) and new replies join the queue.
    processor.recovering = True
    if telegram is not None:
        base = services.settings.public_base_url
        if base:
            slot.telegram_secret = telegram_webhook_secret(services)
            await telegram.use_webhook(base + TELEGRAM_WEBHOOK_PATH, slot.telegram_secret)
        elif poll:
            from bot.telegram_bot import TelegramPoller

            runtime.poller = TelegramPoller(
                telegram.bot, processor=processor, owner=owner, clock=services.clock, timeout=poll_timeout
            )
            runtime.tasks.append(asyncio.get_running_loop().create_task(runtime.poller.run()))
            log.info("Telegram: long polling (no DUEBOT_PUBLIC_BASE_URL)")
    runtime.tasks.append(asyncio.get_running_loop().create_task(_recover_then_sweep(processor, sweep_seconds)))
    return runtime


async def _recover_then_sweep(processor: InboundProcessor, every: float) -> None:
    """What a restart left, then retries and anything another process abandoned, every ``every``
    seconds."""
    try:
        recovered = await processor.recover()
        if recovered:
            log.info("handled %d stored message(s) left from before the restart", recovered)
    except Exception:  # the sweep below tries again
        log.exception("inbound recovery after start failed")
    finally:
        processor.recovering = False
    while True:
        await asyncio.sleep(every)
        try:
            await processor.recover()
        except Exception:  # the next sweep tries again
            log.exception("inbound recovery sweep failed")
