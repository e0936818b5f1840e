"""POST /webhooks/twilio/sms: an inbound SMS, signature-checked, stored before the 200.

The answer never rides on the TwiML response: it is an outbound row the dispatcher sends through
the REST API and the contact guard, like every other message, so it is recorded and guarded the
same way. Twilio retries a webhook that failed; the MessageSid makes a retry a no-op.
"""

from __future__ import annotations

import logging
from typing import Final

from aiohttp import web

from bot.api.common import SERVICES
from bot.logmask import mask_phone
from bot.webhooks.slot import INBOUND
from bot.webhooks.twilio_signature import verified_form
from storage.inbound import NewInbound, store_inbound

log = logging.getLogger(__name__)
EMPTY_TWIML: Final = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def twiml() -> web.Response:
    return web.Response(text=EMPTY_TWIML, content_type="text/xml", charset="utf-8")


async def twilio_sms(request: web.Request) -> web.Response:
    form = await verified_form(request)  # 403 before anything is stored
    sid = form.get("MessageSid") or form.get("SmsSid")
    sender = form.get("From", "")
    if not sid or not sender:
        return web.json_response({"error": "bad_request", "message": "MessageSid and From are required"}, status=400)
    now = request.app[SERVICES].clock()
    row, created = await store_inbound(
        NewInbound(
            event_id=sid,
            channel="sms",
            kind="inbound",
            address=sender,
            body=form.get("Body", ""),
            received_at=now,
            payload={"form": form},
        )
    )
    if created:
        processor = request.app[INBOUND].processor
        if processor is not None:
            processor.submit(row)
    else:
        log.info("duplicate inbound SMS %s from %s ignored", sid, mask_phone(sender))
    return twiml()
