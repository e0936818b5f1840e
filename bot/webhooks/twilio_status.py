"""POST /webhooks/twilio/status: delivery receipts, applied monotonically; an undelivered SMS
is tried on Telegram when the borrower has a usable chat."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.api.common import SERVICES
from bot.webhooks.twilio_signature import verified_form
from storage.delivery import apply_receipt, known_status
from storage.interaction_log import LogEvent
from storage.models import Borrower, Message

log = logging.getLogger(__name__)
FAILED = ("undelivered", "failed")


async def twilio_status(request: web.Request) -> web.Response:
    form = await verified_form(request)
    sid = form.get("MessageSid") or form.get("SmsSid")
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
    if not sid or not status:
        return web.json_response(
            {"error": "bad_request", "message": "MessageSid and MessageStatus are required"}, status=400
        )
    if not known_status(status):
        log.info("ignoring unknown Twilio status %r", status)
        return web.Response(status=200)
    services = request.app[SERVICES]
    now = services.clock()
    result = await apply_receipt(sid, status, form.get("ErrorCode"), now)
    if result.message is None or not result.applied:
        return web.Response(status=200)
    message = result.message
    borrower = await Borrower.get_or_none(id=message.borrower_id) if message.borrower_id else None
    await services.log.append(
        LogEvent(
            f"message.{result.new_status}",
            now,
            borrower.borrower_id if borrower else None,
            "twilio",
            {
                "key": message.idempotency_key,
                "provider_message_id": sid,
                "status": status,
                "error_code": form.get("ErrorCode"),
                "previous": result.old_status,
            },
        )
    )
    if result.new_status in FAILED and borrower is not None:
        await _fallback_to_telegram(message, borrower, now)
    return web.Response(status=200)


async def _fallback_to_telegram(message: Message, borrower: Borrower, now: object) -> None:
    if borrower.telegram_chat_id is None or not borrower.telegram_usable or borrower.telegram_opted_out:
        return
    base_id = message.attempt_of or message.id
    base = await Message.get(id=base_id)
    key = f"{base.idempotency_key}#telegram-fallback"
    if await Message.filter(idempotency_key=key).exists():
        return
    await Message.create(
        borrower_id=borrower.id,
        direction="out",
        channel="telegram",
        kind=base.kind,
        tier=base.tier,
        local_date=base.local_date,
        idempotency_key=key,
        attempt_of=base.id,
        status="planned",
        not_before=None,
        not_after=base.not_after,
        created_at=now,
        updated_at=now,
        payload={**base.payload, "fixed_channel": True},
    )
