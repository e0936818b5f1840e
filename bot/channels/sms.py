"""SMS over Twilio's Messages API, with the real ``twilio`` client (async).

Deliberate choices:

* ``AsyncTwilioHttpClient`` is built without ``max_retries``: its retry layer resends POSTs on 5xx,
  which would send a borrower the same collection SMS twice.  Exactly one request per ``send``.
* No idempotency key goes to Twilio.  ``messages.create_async`` (twilio 9.13) has no idempotency
  parameter and no way to add a header; in that library only Voice v3 transcriptions and
  Conversations v2 take an ``Idempotency-Key``, and ``I-Twilio-Idempotency-Token`` is a header Twilio
  puts on the webhooks it sends us, not one the Messages API reads.  Exactly-once is therefore
  enforced on our side: the outbox keys each logical message, this adapter never retries, and an
  :class:`UncertainSendError` becomes ``unknown``, never a blind resend.
* The async twilio client ignores its own ``timeout`` (it passes ``timeout=None`` to aiohttp, which
  means no timeout at all), so the adapter bounds each call with ``asyncio.timeout``.  To tell a
  timeout before any connection ("surely not sent") from one after, an aiohttp trace hook marks
  the attempt as soon as a connection is obtained for it.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Final

import aiohttp
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

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

__all__ = ["PERMANENT_EFFECTS", "RETRYABLE_CODES", "TwilioSmsChannel", "translate_twilio_error"]

DEFAULT_API_BASE: Final = "https://api.twilio.com"

# Twilio error codes (from Twilio's error dictionary) that refuse a message for good, and what the
# refusal means for the recipient or for our account. Unlisted 4xx codes are permanent, effect None.
PERMANENT_EFFECTS: Final[Mapping[int, str]] = {
    21211: "invalid_number",  # Invalid 'To' phone number
    21217: "invalid_number",  # Phone number does not appear to be valid
    21614: "not_mobile",  # 'To' is not a mobile number (landline)
    21610: "sms_opted_out",  # Recipient replied STOP; blocked until START/UNSTOP/YES
    21612: "unroutable",  # 'To' is not currently reachable via SMS from this sender
    21408: "region_not_permitted",  # Geo permissions do not allow the 'To' country
    20003: "channel_misconfigured",  # Authentication failed (wrong SID/token)
    20404: "channel_misconfigured",  # Account or resource not found (wrong SID)
    21212: "channel_misconfigured",  # Invalid 'From' number
    21606: "channel_misconfigured",  # 'From' is not an SMS-capable number of this account
}

# 4xx codes that prove the message was not created and will succeed later.
RETRYABLE_CODES: Final[frozenset[int]] = frozenset(
    {
        20429,  # Too many requests
        21611,  # 'From' has too many queued messages: Twilio refused to queue this one
    }
)


def translate_twilio_error(status: int, code: int | None, message: str) -> SendError:
    """Map an HTTP error answer of the Messages API to one of the three outcomes."""
    label = f"twilio:{code if code is not None else status}"
    if status == 429 or code in RETRYABLE_CODES:
        return RetryableSendError(label, message)
    if status >= 500:
        # Twilio answered, but a 5xx does not prove the message was not created.
        return UncertainSendError(label, message)
    effect = PERMANENT_EFFECTS.get(code) if code is not None else None
    if effect is None and status in (401, 403):
        effect = "channel_misconfigured"
    return PermanentSendError(label, message, effect=effect)


@dataclass(slots=True)
class _Attempt:
    """Per-send flag set by the aiohttp trace hook once a connection exists for the request."""

    connected: bool = False


# The trace hook runs in the sending task, so a ContextVar ties it to the right ``send`` call.
_ATTEMPT: contextvars.ContextVar[_Attempt | None] = contextvars.ContextVar("twilio_attempt", default=None)


async def _mark_connected(session: aiohttp.ClientSession, ctx: SimpleNamespace, params: object) -> None:
    attempt = _ATTEMPT.get()
    if attempt is not None:
        attempt.connected = True


def _trace_config() -> aiohttp.TraceConfig:
    config = aiohttp.TraceConfig()
    config.on_connection_create_end.append(_mark_connected)
    config.on_connection_reuseconn.append(_mark_connected)
    return config


class TwilioSmsChannel:
    """``Channel`` for SMS through Twilio.

    ``from_`` is a sender number, or a Messaging Service SID (``MG…``), which is sent as
    ``MessagingServiceSid`` so Twilio picks the sender from the service's pool.  ``per_second``
    paces creates; the default of 1/s matches one long code, and Twilio queues (then fails with
    21611) what a sender cannot drain, so raise it only for a service with several senders.
    """

    name = "sms"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_: str,
        api_base: str = DEFAULT_API_BASE,
        per_second: float = 1.0,
        *,
        timeout: float = 15.0,
        limiter: RateLimiter | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if not account_sid or not auth_token or not from_:
            raise ValueError("account_sid, auth_token and from_ are required")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self._account_sid = account_sid
        self._auth_token = auth_token
        self._from = from_
        self._api_base = api_base.rstrip("/")
        self._timeout = timeout
        self._limiter = limiter if limiter is not None else RateLimiter(per_second)
        self._clock = clock
        self._http: AsyncTwilioHttpClient | None = None
        self._client: Client | None = None

    @property
    def uses_messaging_service(self) -> bool:
        return self._from.startswith("MG")

    def _ensure_client(self) -> Client:
        # Built on first use because AsyncTwilioHttpClient opens an aiohttp session, which needs the
        # running loop.  No await happens here, so two concurrent sends cannot both build one.
        if self._client is None:
            self._http = AsyncTwilioHttpClient(trace_configs=[_trace_config()])
            # environment={}: region/edge come from our settings only, never from stray TWILIO_* vars
            # (an edge would rewrite the host and bypass api_base).
            client = Client(self._account_sid, self._auth_token, http_client=self._http, environment={})
            client.api.base_url = self._api_base
            self._client = client
        return self._client

    def _create_params(self, message: OutboundMessage) -> dict[str, Any]:
        params: dict[str, Any] = {"to": message.to, "body": message.text}
        if self.uses_messaging_service:
            params["messaging_service_sid"] = self._from
        else:
            params["from_"] = self._from
        if message.status_callback:
            params["status_callback"] = message.status_callback
        return params

    async def send(self, message: OutboundMessage, *, leaving: Leaving | None = None) -> SendReceipt:
        if message.channel != self.name:
            raise ValueError(f"{type(self).__name__} cannot send a {message.channel!r} message")
        await self._limiter.acquire(urgent=message.urgent)
        if leaving is not None:
            await leaving()
        client = self._ensure_client()
        attempt = _Attempt()
        token = _ATTEMPT.set(attempt)
        try:
            async with asyncio.timeout(self._timeout):
                instance = await client.messages.create_async(**self._create_params(message))
        except TwilioRestException as exc:
            code = exc.code if isinstance(exc.code, int) else None
            raise translate_twilio_error(exc.status, code, str(exc.msg)) from exc
        except TwilioServiceException as exc:  # RFC 9457 error bodies
            raise translate_twilio_error(exc.status, exc.code, exc.detail or exc.title) from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise transport_error(exc, request_may_have_left=attempt.connected) from exc
        except Exception as exc:
            if not attempt.connected:
                raise
            # e.g. an unparsable 2xx body: Twilio probably created it; never let it be resent.
            raise UncertainSendError("unexpected", f"{type(exc).__name__}: {exc}") from exc
        finally:
            _ATTEMPT.reset(token)
        status = str(instance.status or "queued")
        if not instance.sid:
            raise UncertainSendError("no_sid", f"Twilio accepted the request but returned no sid ({status})")
        return SendReceipt(provider_message_id=instance.sid, status=status, sent_at=self._clock())

    async def close(self) -> None:
        http, self._http, self._client = self._http, None, None
        if http is not None:
            await http.close()
