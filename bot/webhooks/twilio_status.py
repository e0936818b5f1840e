"""POST /webhooks/twilio/status: delivery receipts, applied monotonically (``storage.delivery``);
an undelivered SMS is tried on Telegram when the borrower has a usable chat."""

from __future__ import annotations

import logging
import re
from typing import Final

from aiohttp import web

from bot.api.common import SERVICES
from bot.webhooks.twilio_signature import twilio_sid, verified_form
from storage.delivery import known_status, receive_receipt

log = logging.getLogger(__name__)
# Twilio's error codes are numbers (30003, 21610, ...); the column holds 16 characters.
_ERROR_CODE: Final = re.compile(r"[0-9]{1,16}")


async def twilio_status(request: web.Request) -> web.Response:
    form = await verified_form(request)
    sid = form.get("MessageSid") or form.get("SmsSid")
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
    if not sid or not status:
        return web.json_response(
            {"error": "bad_request", "message": "MessageSid and MessageStatus are required"}, status=400
        )
    if not twilio_sid(sid):
        return web.json_response({"error": "bad_request", "message": "MessageSid is not a Twilio SID"}, status=400)
    error_code = form.get("ErrorCode")
    if error_code and not _ERROR_CODE.fullmatch(error_code):
        message = "ErrorCode is not a Twilio error code"
        return web.json_response({"error": "bad_request", "message": message}, status=400)
    if not known_status(status):
        log.info("ignoring unknown Twilio status %r", status)
        return web.Response(status=200)
    services = request.app[SERVICES]
    await receive_receipt(sid, status, error_code, services.clock(), log=services.log, actor="twilio")
    return web.Response(status=200)
