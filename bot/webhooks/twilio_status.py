"""POST /webhooks/twilio/status: delivery receipts, applied monotonically (``storage.delivery``);
an undelivered SMS is tried on Telegram when the borrower has a usable chat."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.api.common import SERVICES
from bot.webhooks.twilio_signature import verified_form
from storage.delivery import known_status, receive_receipt

log = logging.getLogger(__name__)


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
    await receive_receipt(sid, status, form.get("ErrorCode"), services.clock(), log=services.log, actor="twilio")
    return web.Response(status=200)
