"""POST /webhooks/telegram: our own handler, so the update is stored before the 200.

aiogram's ``SimpleRequestHandler`` answers 401 on a wrong secret and, by default, answers before
the update is stored anywhere; a crash after that answer would lose the borrower's message. Here
the secret is compared in constant time (403 when wrong), the update is stored (a duplicate
``update_id`` stores nothing), the 200 goes back, and then the stored update is handed to aiogram's
dispatcher by the inbound processor. The long poller stores updates through ``accept_update`` too.
"""

from __future__ import annotations

import hmac
import logging
from datetime import datetime
from typing import Any, Final

from aiohttp import web

from bot.api.common import SERVICES
from bot.inputs import BadJson, parse_json
from bot.webhooks.bodies import read_body
from bot.webhooks.screening import telegram_ignored
from bot.webhooks.slot import INBOUND
from storage.inbound import IGNORED, NewInbound, store_inbound
from storage.models import Message

log = logging.getLogger(__name__)
SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
# The parts of an update that carry a message from a person.
_MESSAGE_KEYS: Final = ("message", "edited_message")


def _chat_and_text(update: dict[str, Any]) -> tuple[str, str, bool]:
    """(chat id, text, from a person in a private chat) of an update, without aiogram."""
    for key in _MESSAGE_KEYS:
        message = update.get(key)
        if isinstance(message, dict):
            raw_chat = message.get("chat")
            chat: dict[str, Any] = raw_chat if isinstance(raw_chat, dict) else {}
            text = message.get("text") or message.get("caption") or ""
            private = key == "message" and chat.get("type") == "private"
            return str(chat.get("id", "")), str(text), private
    for key in ("my_chat_member", "callback_query"):
        event = update.get(key)
        if isinstance(event, dict):
            message = event.get("message")
            chat = event.get("chat") or (message.get("chat") if isinstance(message, dict) else None) or {}
            return str(chat.get("id", "")) if isinstance(chat, dict) else "", "", False
    return "", "", False


def update_id_ok(value: object) -> bool:
    """An update_id we can key on: a whole number from 0, exact (2**70 stays 2**70; "tg:<id>" is
    kept as text, never through a float) and short enough for ``provider_event_id``."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**MAX_UPDATE_ID_DIGITS


def inbound_from_update(update: dict[str, Any], now: datetime) -> NewInbound:
    """What to store for an update; one that can never be handled is stored ``ignored``."""
    chat_id, text, private = _chat_and_text(update)
    return NewInbound(
        event_id=f"tg:{update['update_id']}",
        channel="telegram",
        kind="inbound" if private else "telegram_update",
        address=chat_id,
        body=text,
        received_at=now,
        payload={"update": update},
        ignored=telegram_ignored(update),
    )


# Telegram's updates are a few kilobytes (a message is at most 4,096 characters); nothing bigger is one.
MAX_UPDATE_BYTES: Final = 256 * 1024
# "tg:" and the id fit ``provider_event_id`` (80 characters); Telegram's ids are far shorter.
MAX_UPDATE_ID_DIGITS: Final = 64


async def accept_update(update: dict[str, Any], now: datetime) -> tuple[Message, bool]:
    """Store one update unless its update_id is known; the caller hands new ones to the processor."""
    return await store_inbound(inbound_from_update(update, now))


async def telegram_webhook(request: web.Request) -> web.Response:
    slot = request.app[INBOUND]
    expected = slot.telegram_secret
    supplied = request.headers.get(SECRET_HEADER, "")
    # Headers arrive decoded with surrogateescape: encode them back the same way, whatever was sent.
    if not expected or not hmac.compare_digest(supplied.encode("utf-8", "surrogateescape"), expected.encode()):
        raise web.HTTPForbidden(text="invalid X-Telegram-Bot-Api-Secret-Token")
    raw = await read_body(request, MAX_UPDATE_BYTES)  # 413 past the limit, streamed or not
    try:
        update = parse_json(raw, exact_numbers=False)
    except BadJson as exc:
        return web.json_response({"error": "bad_request", "message": str(exc)}, status=400)
    if not isinstance(update, dict) or not update_id_ok(update.get("update_id")):
        return web.json_response({"error": "bad_request", "message": "an update needs its update_id"}, status=400)
    row, created = await accept_update(update, request.app[SERVICES].clock())
    if created and row.status == IGNORED:
        log.info("Telegram update %s stored as ignored: %s", update["update_id"], row.error_code)
    elif created and slot.processor is not None:
        slot.processor.submit(row)
    elif not created:
        log.info("duplicate Telegram update %s ignored", update["update_id"])
    return web.Response(status=200)
