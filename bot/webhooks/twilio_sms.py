"""POST /webhooks/twilio/sms: an inbound SMS, signature-checked, stored before the 200.

The answer never rides on the TwiML response: it is an outbound row the dispatcher sends through
the REST API and the contact guard, like every other message, so it is recorded and guarded the
same way. Twilio retries a webhook that failed; the MessageSid makes a retry a no-op.

Refused, and not stored: a form over 64 KB (413), a Body over 1,600 characters (413: no SMS is
longer, and it is never cut short), a MessageSid that is not a Twilio SID (400). Stored ``ignored``
and never handled: a From that is not a phone number (``bot.webhooks.screening``).
"""

from __future__ import annotations

import logging
from typing import Final

from aiohttp import web

from bot.api.common import SERVICES
from bot.logmask import mask_phone
from bot.webhooks.screening import sms_ignored
from bot.webhooks.slot import INBOUND
from bot.webhooks.twilio_signature import twilio_sid, verified_form
from storage.inbound import NewInbound, store_inbound

log = logging.getLogger(__name__)
EMPTY_TWIML: Final = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# Twilio's limit for one message (a concatenated SMS): 1,600 characters.
MAX_SMS_BODY: Final = 1600


def twiml() -> web.Response:
    return web.Response(text=EMPTY_TWIML, content_type="text/xml", charset="utf-8")


async def twilio_sms(request: web.Request) -> web.Response:
    form = await verified_form(request)  # 413 / 415 / 400 / 403 before anything is stored
    sid = form.get("MessageSid") or form.get("SmsSid")
    sender = form.get("From", "")
    if not sid or not sender:
        return web.json_response({"error": "bad_request", "message": "MessageSid and From are required"}, status=400)
    if not twilio_sid(sid):
        return web.json_response({"error": "bad_request", "message": "MessageSid is not a Twilio SID"}, status=400)
    if len(form.get("Body", "")) > MAX_SMS_BODY:
        # Refused whole, never cut short: no SMS Twilio delivers is longer, so this one is not an SMS.
        message = f"Body is longer than {MAX_SMS_BODY} characters, Twilio's limit for a message"
        return web.json_response({"error": "too_large", "message": message}, status=413)
    ignored = sms_ignored(form)
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
            ignored=ignored,
        )
    )
    if created and ignored is not None:
        log.info("inbound SMS %s stored as ignored: %s", sid, ignored.reason)
    elif created:
        processor = request.app[INBOUND].processor
        if processor is not None:
            processor.submit(row)
    else:
        log.info("duplicate inbound SMS %s from %s ignored", sid, mask_phone(sender))
    return twiml()
