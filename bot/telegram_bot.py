"""aiogram for borrower chats: the Router and Dispatcher stored updates are fed to, the long poller.

Imports aiogram at module level, so only code that talks to Telegram imports this module (lazily;
see ``bot.conversation.runtime``). Updates always arrive here *after* they are stored: from the
inbound processor, with the stored row's ``Ticket`` as the ``inbound`` handler argument. Handlers
only say what the update is (a ``/start`` with its code, a shared contact, a text, the bot being
blocked); the conversation decides what it means.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Final

from aiogram import Bot, Dispatcher, F, Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import TelegramConflictError, TelegramUnauthorizedError
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import ChatMemberUpdated, Message

from bot.conversation.processor import InboundProcessor, Ticket
from bot.conversation.service import TelegramEvent
from bot.webhooks.telegram import accept_update
from storage.inbound import IGNORED
from storage.leases import acquire_lease, release_lease
from storage.models import Message as StoredMessage

log = logging.getLogger(__name__)

# What we ask Telegram for: messages, the bot being blocked / unblocked, and button presses
# (the staff chat's). Edits are not asked for: an edited reply is not a new reply.
ALLOWED_UPDATES: Final = ["message", "my_chat_member", "callback_query"]
POLLER_LEASE: Final = "telegram-poller"


def _language(message: Message) -> str | None:
    return message.from_user.language_code if message.from_user else None


def _sender(message: Message) -> int | None:
    return message.from_user.id if message.from_user else None


def borrower_router() -> Router:
    router = Router(name="borrower-chats")
    router.message.filter(F.chat.type == "private")
    router.my_chat_member.filter(F.chat.type == "private")

    @router.message(CommandStart())
    async def on_start(message: Message, command: CommandObject, inbound: Ticket) -> None:
        await inbound.handle(
            TelegramEvent(
                "start",
                message.chat.id,
                text=message.text or "",
                start_code=(command.args or "").strip() or None,
                from_user_id=_sender(message),
                language_code=_language(message),
            )
        )

    @router.message(F.contact)
    async def on_contact(message: Message, inbound: Ticket) -> None:
        contact = message.contact
        assert contact is not None  # the filter says so
        await inbound.handle(
            TelegramEvent(
                "contact",
                message.chat.id,
                contact_phone=contact.phone_number,
                contact_user_id=contact.user_id,
                from_user_id=_sender(message),
                language_code=_language(message),
            )
        )

    @router.message()
    async def on_message(message: Message, inbound: Ticket) -> None:
        text = message.text or message.caption or (message.sticker.emoji if message.sticker else None) or ""
        await inbound.handle(
            TelegramEvent(
                "text", message.chat.id, text=text, from_user_id=_sender(message), language_code=_language(message)
            )
        )

    @router.my_chat_member()
    async def on_membership(event: ChatMemberUpdated, inbound: Ticket) -> None:
        status = event.new_chat_member.status
        if status in ("kicked", "left"):
            await inbound.handle(TelegramEvent("blocked", event.chat.id))
        elif status == "member":
            await inbound.handle(TelegramEvent("unblocked", event.chat.id))

    return router


def build_dispatcher(extra_routers: Sequence[Any] = ()) -> Dispatcher:
    """Staff routers first (they know their own chats and buttons), then borrower chats."""
    dispatcher = Dispatcher(name="duebot")
    for router in extra_routers:
        dispatcher.include_router(router)
    dispatcher.include_router(borrower_router())
    return dispatcher


class TelegramInbound:
    """Feeds stored updates to aiogram; sets the webhook."""

    def __init__(self, bot: Bot, *, extra_routers: Sequence[Any] = ()) -> None:
        self.bot = bot
        self.dispatcher = build_dispatcher(extra_routers)

    async def feed(self, row: StoredMessage, ticket: Ticket) -> bool:
        update = row.payload.get("update") if isinstance(row.payload, dict) else None
        if not isinstance(update, dict):
            return False
        result = await self.dispatcher.feed_raw_update(self.bot, update, inbound=ticket)
        return result is not UNHANDLED

    async def use_webhook(self, url: str, secret: str) -> None:
        try:
            await self.bot.set_webhook(url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        except Exception:  # Telegram unreachable at start: the service still runs; say so loudly
            log.exception("could not set the Telegram webhook to %s", url)
            return
        log.info("Telegram: webhook set to %s", url)


class TelegramPoller:
    """Long polling when there is no public URL. Updates are stored, then handled, like webhooks.

    Telegram allows one ``getUpdates`` consumer per bot (a second gets 409), so processes take a
    database lease first; the others wait and take over when the holder stops renewing it.
    """

    def __init__(
        self,
        bot: Bot,
        *,
        processor: InboundProcessor,
        owner: str,
        clock: Callable[[], datetime],
        timeout: int = 25,
        idle_seconds: float = 5.0,
    ) -> None:
        self.bot = bot
        self.processor = processor
        self.owner = owner
        self.clock = clock
        self.timeout = timeout
        self.idle_seconds = idle_seconds
        self.offset: int | None = None
        self._webhook_removed = False

    @property
    def lease_seconds(self) -> float:
        return self.timeout + 60.0

    async def run(self) -> None:
        while True:
            try:
                if not await acquire_lease(POLLER_LEASE, self.owner, self.clock(), self.lease_seconds):
                    await asyncio.sleep(self.idle_seconds)
                    continue
                await self.poll_once()
            except asyncio.CancelledError:
                raise
            except TelegramUnauthorizedError:
                log.error("Telegram refused the bot token; long polling stops")
                return
            except TelegramConflictError:
                log.warning("Telegram: another consumer is polling this bot (409); waiting")
                await asyncio.sleep(self.idle_seconds)
            except Exception:  # network trouble, Telegram 5xx: wait and poll again
                log.exception("Telegram long polling failed; retrying")
                await asyncio.sleep(self.idle_seconds)

    async def poll_once(self) -> int:
        """One getUpdates call; stores and submits what arrived. Returns how many updates."""
        if not self._webhook_removed:
            await self.bot.delete_webhook(drop_pending_updates=False)
            self._webhook_removed = True
        extra: dict[str, Any] = {}
        if self.bot.session.timeout:
            extra["request_timeout"] = int(self.bot.session.timeout + self.timeout)
        updates = await self.bot.get_updates(
            offset=self.offset, timeout=self.timeout, allowed_updates=ALLOWED_UPDATES, **extra
        )
        for update in updates:
            raw = update.model_dump(mode="json", exclude_none=True, by_alias=True)
            row, created = await accept_update(raw, self.clock())
            if created and row.status != IGNORED:  # an update that can never be handled is stored only
                self.processor.submit(row)
            # Asking from the next id on confirms this one to Telegram; it is stored already.
            self.offset = update.update_id + 1
        return len(updates)

    async def release(self) -> None:
        await release_lease(POLLER_LEASE, self.owner)
