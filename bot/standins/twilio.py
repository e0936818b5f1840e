"""A local stand-in for Twilio's Messages API and its delivery status callbacks.

Speaks enough of ``POST /2010-04-01/Accounts/{sid}/Messages.json`` for the real ``twilio`` client:
Basic auth, the 201 JSON of a created message, Twilio-shaped error bodies, and later the signed
status callbacks Twilio posts to ``StatusCallback``.  Every request is recorded.  Behaviour is
programmed per recipient number::

    standin = TwilioStandin("AC…", "token")
    standin.reject("+14155550100", 21610)                      # 400, opted out
    standin.accept("+14155550101", "sent", ("undelivered", 30003))
    async with standin.running() as base_url: ...
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, Final

import aiohttp
from aiohttp import web

from bot.standins._common import (
    Drop,
    Hang,
    RecordedRequest,
    StandinControl,
    _Programs,
    drop_connection,
    parse_basic_auth,
)

__all__ = [
    "Accept",
    "CallbackDelivery",
    "CallbackStep",
    "Reject",
    "StoredMessage",
    "TwilioStandin",
    "twilio_signature",
]

API_VERSION: Final = "2010-04-01"
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")

# Messages Twilio uses for the codes the stand-in is usually asked to produce.
ERROR_MESSAGES: Final[Mapping[int, str]] = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    20503: "Service unavailable",
    21211: "The 'To' number is not a valid phone number.",
    21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
    21602: "Message body is required.",
    21603: "A 'From' or 'MessagingServiceSid' parameter is required to send a message",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21611: "This 'From' number has exceeded the maximum number of queued messages",
    21612: "The 'To' phone number is not currently reachable via SMS",
    21614: "'To' number is not a valid mobile number",
}


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """X-Twilio-Signature: base64(HMAC-SHA1(auth_token, url + each key+value, keys sorted)).

    Written out here (rather than borrowed from the twilio package) so the tests that check it
    with ``twilio.request_validator.RequestValidator`` compare two independent implementations.
    """
    payload = url + "".join(key + params[key] for key in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True, slots=True)
class CallbackStep:
    """One status callback: ``status`` (queued, sent, delivered, undelivered, failed, ...)."""

    status: str
    error_code: int | None = None
    delay: float = 0.0  # seconds after the previous step (or after the create)


StepLike = CallbackStep | str | tuple[str, int]


def _step(value: StepLike) -> CallbackStep:
    if isinstance(value, CallbackStep):
        return value
    if isinstance(value, str):
        return CallbackStep(value)
    return CallbackStep(value[0], value[1])


@dataclass(frozen=True, slots=True)
class Accept:
    """Create the message (201) and later post these status callbacks, in this order."""

    callbacks: tuple[CallbackStep, ...] = ()


@dataclass(frozen=True, slots=True)
class Reject:
    """Refuse the create with a Twilio error body.  ``problem_details``: RFC 9457 shape."""

    code: int
    status: int = 400
    message: str | None = None
    problem_details: bool = False


TwilioBehaviour = Accept | Reject | Hang | Drop


@dataclass(slots=True)
class StoredMessage:
    """A message the stand-in created (mutable: callbacks move its status)."""

    sid: str
    account_sid: str
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    status: str
    status_callback: str | None
    date_created: datetime
    error_code: int | None = None
    history: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CallbackDelivery:
    """A status callback the stand-in posted, with what the receiver answered."""

    url: str
    params: Mapping[str, str]
    signature: str
    idempotency_token: str
    http_status: int | None  # None: the receiver could not be reached
    error: str | None = None


class TwilioStandin(StandinControl):
    """Stand-in Twilio account ``account_sid`` authenticated by ``auth_token``.

    ``default_callbacks`` apply to recipients with nothing programmed (the demo uses
    ``("sent", "delivered")``).  ``callback_delay`` spaces callbacks that have no delay of their own.
    With ``auto_callbacks=False`` callbacks wait in ``pending_callbacks`` until
    :meth:`flush_callbacks` (deterministic demos).
    """

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        default_callbacks: Sequence[StepLike] = (),
        callback_delay: float = 0.0,
        auto_callbacks: bool = True,
        max_records: int | None = None,
        latency: float = 0.0,
    ) -> None:
        super().__init__(max_records=max_records)
        self.latency = latency  # seconds each accepted create takes to answer (a provider far away)
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.default_callbacks = tuple(_step(s) for s in default_callbacks)
        self.callback_delay = callback_delay
        self.auto_callbacks = auto_callbacks
        self.messages: dict[str, StoredMessage] = {}
        self.callbacks: list[CallbackDelivery] = []
        self.pending_callbacks: list[tuple[str, CallbackStep]] = []
        self._programs: _Programs[TwilioBehaviour] = _Programs()
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_step: dict[str, asyncio.Task[None]] = {}  # per message sid, while steps are pending
        self._http: aiohttp.ClientSession | None = None

    # -- programming -----------------------------------------------------------------------
    def program(self, to: str, behaviour: TwilioBehaviour, *, times: int | None = None) -> None:
        """Apply ``behaviour`` to the next ``times`` creates for ``to`` (None: all of them)."""
        self._programs.add(to, behaviour, times)

    def accept(self, to: str, *callbacks: StepLike, times: int | None = None) -> None:
        self.program(to, Accept(tuple(_step(c) for c in callbacks)), times=times)

    def reject(
        self,
        to: str,
        code: int,
        status: int = 400,
        *,
        message: str | None = None,
        problem_details: bool = False,
        times: int | None = None,
    ) -> None:
        self.program(to, Reject(code, status, message, problem_details), times=times)

    def rate_limit(self, to: str, *, times: int | None = None) -> None:
        self.program(to, Reject(20429, 429), times=times)

    def server_error(self, to: str, status: int = 500, *, times: int | None = None) -> None:
        self.program(to, Reject(20500 if status == 500 else 20503, status), times=times)

    def hang(self, to: str, seconds: float = 30.0, *, then_accept: bool = True, times: int | None = None) -> None:
        self.program(to, Hang(seconds, then_accept), times=times)

    def drop(self, to: str, *, times: int | None = None) -> None:
        self.program(to, Drop(), times=times)

    def reset(self, to: str | None = None) -> None:
        self._programs.clear(to)

    def creates(self) -> list[RecordedRequest]:
        return self.calls("Messages.create")

    def bodies_to(self, phone: str) -> list[str]:
        """The texts of the messages created for ``phone``, in order."""
        return [r.form["Body"] for r in self.creates() if r.form.get("To") == phone]

    async def wait_for_callbacks(self, count: int, within: float = 5.0) -> list[CallbackDelivery]:
        await self.wait_for(lambda: len(self.callbacks) >= count, within, f"{count} callbacks")
        return list(self.callbacks)

    async def flush_callbacks(self) -> list[CallbackDelivery]:
        """Deliver every pending callback now, in order (for ``auto_callbacks=False``)."""
        pending, self.pending_callbacks = self.pending_callbacks, []
        return [await self._deliver(sid, step) for sid, step in pending]

    # -- app ---------------------------------------------------------------------------------
    def _build_app(self) -> web.Application:
        app = web.Application()
        base = f"/{API_VERSION}/Accounts/{{sid}}"
        app.router.add_post(f"{base}/Messages.json", self._create)
        app.router.add_get(f"{base}/Messages.json", self._list)
        app.router.add_get(f"{base}/Messages/{{msid}}.json", self._fetch)
        app.on_cleanup.append(self._on_cleanup)
        return app

    async def _on_cleanup(self, app: web.Application) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.close()
            self._http = None

    def _error(self, status: int, code: int, message: str | None = None, rfc9457: bool = False) -> web.Response:
        text = message or ERROR_MESSAGES.get(code, f"Error {code}")
        more_info = f"https://www.twilio.com/docs/errors/{code}"
        body: dict[str, Any]
        if rfc9457:
            body = {"type": more_info, "title": text, "status": status, "code": code, "detail": text}
        else:
            body = {"code": code, "message": text, "more_info": more_info, "status": status}
        headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if status == 401 else None
        return web.json_response(body, status=status, headers=headers)

    async def _record_api(self, request: web.Request, endpoint: str) -> RecordedRequest:
        return await self._record(request, endpoint, parse_basic_auth(request.headers.get("Authorization")))

    def _authorised(self, request: web.Request, record: RecordedRequest) -> web.Response | None:
        if record.auth is None or not (
            hmac.compare_digest(record.auth[0], self.account_sid)
            and hmac.compare_digest(record.auth[1], self.auth_token)
        ):
            return self._error(401, 20003)
        if request.match_info["sid"] != self.account_sid:
            return self._error(404, 20404)
        return None

    async def _create(self, request: web.Request) -> web.StreamResponse:
        record = await self._record_api(request, "Messages.create")
        if (refusal := self._authorised(request, record)) is not None:
            return refusal
        form = record.form
        to = form.get("To", "")
        if not to:
            return self._error(400, 21604)
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return self._error(400, 21603)
        if not form.get("Body"):
            return self._error(400, 21602)
        behaviour = self._programs.take(to)
        if isinstance(behaviour, Drop):
            return await drop_connection(request)
        if isinstance(behaviour, Hang):
            await asyncio.sleep(behaviour.seconds)
            if not behaviour.then_accept:
                return self._error(500, 20500)
            behaviour = None
        if isinstance(behaviour, Reject):
            return self._error(behaviour.status, behaviour.code, behaviour.message, behaviour.problem_details)
        if not _E164.match(to):
            return self._error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        steps = behaviour.callbacks if isinstance(behaviour, Accept) else self.default_callbacks
        if self.latency:
            await asyncio.sleep(self.latency)
        message = self._store(form)
        if message.status_callback:
            for step in steps:
                self._schedule(message.sid, step)
        return web.json_response(self._resource(message), status=201)

    def _store(self, form: Mapping[str, str]) -> StoredMessage:
        mg = form.get("MessagingServiceSid") or None
        # Twilio answers "accepted" when a Messaging Service still has to pick the sender.
        status = "accepted" if mg and not form.get("From") else "queued"
        message = StoredMessage(
            sid="SM" + secrets.token_hex(16),
            account_sid=self.account_sid,
            to=form["To"],
            from_=form.get("From") or None,
            messaging_service_sid=mg,
            body=form["Body"],
            status=status,
            status_callback=form.get("StatusCallback") or None,
            date_created=datetime.now(UTC).replace(microsecond=0),
            history=[status],
        )
        self.messages[message.sid] = message
        return message

    def _resource(self, m: StoredMessage) -> dict[str, Any]:
        created = format_datetime(m.date_created)
        uri = f"/{API_VERSION}/Accounts/{m.account_sid}/Messages/{m.sid}.json"
        return {
            "account_sid": m.account_sid,
            "api_version": API_VERSION,
            "body": m.body,
            "date_created": created,
            "date_sent": None,
            "date_updated": created,
            "direction": "outbound-api",
            "error_code": m.error_code,
            "error_message": None,
            "from": m.from_,
            "messaging_service_sid": m.messaging_service_sid,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": m.sid,
            "status": m.status,
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": m.to,
            "uri": uri,
        }

    async def _fetch(self, request: web.Request) -> web.Response:
        record = await self._record_api(request, "Messages.fetch")
        if (refusal := self._authorised(request, record)) is not None:
            return refusal
        message = self.messages.get(request.match_info["msid"])
        if message is None:
            return self._error(404, 20404)
        return web.json_response(self._resource(message))

    async def _list(self, request: web.Request) -> web.Response:
        record = await self._record_api(request, "Messages.list")
        if (refusal := self._authorised(request, record)) is not None:
            return refusal
        to = request.query.get("To")
        found = [self._resource(m) for m in self.messages.values() if to is None or m.to == to]
        uri = request.path_qs
        return web.json_response(
            {
                "messages": found,
                "page": 0,
                "page_size": max(len(found), 50),
                "start": 0,
                "end": max(len(found) - 1, 0),
                "uri": uri,
                "first_page_uri": uri,
                "next_page_uri": None,
                "previous_page_uri": None,
            }
        )

    # -- status callbacks --------------------------------------------------------------------
    def _schedule(self, sid: str, step: CallbackStep) -> None:
        if not self.auto_callbacks:
            self.pending_callbacks.append((sid, step))
            return
        # Chain the steps of one message so a later step never overtakes an earlier one by accident;
        # out-of-order arrival is programmed explicitly by listing the steps out of order.
        previous = self._last_step.get(sid)
        task = asyncio.get_running_loop().create_task(self._deliver_after(sid, step, previous))
        self._last_step[sid] = task
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._forget(sid, t))

    def _forget(self, sid: str, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if self._last_step.get(sid) is task:
            del self._last_step[sid]

    async def _deliver_after(self, sid: str, step: CallbackStep, previous: asyncio.Task[None] | None) -> None:
        if previous is not None:
            await asyncio.wait({previous})
        await asyncio.sleep(step.delay or self.callback_delay)
        await self._deliver(sid, step)

    async def _deliver(self, sid: str, step: CallbackStep) -> CallbackDelivery:
        message = self.messages[sid]
        assert message.status_callback is not None  # only scheduled when present
        message.status = step.status
        message.error_code = step.error_code
        message.history.append(step.status)
        params = {
            "AccountSid": message.account_sid,
            "ApiVersion": API_VERSION,
            "MessageSid": sid,
            "MessageStatus": step.status,
            "SmsSid": sid,
            "SmsStatus": step.status,
            "To": message.to,
        }
        if message.from_:
            params["From"] = message.from_
        if message.messaging_service_sid:
            params["MessagingServiceSid"] = message.messaging_service_sid
        if step.error_code is not None:
            params["ErrorCode"] = str(step.error_code)
        url = message.status_callback
        signature = twilio_signature(self.auth_token, url, params)
        token = f"{uuid.uuid4()}"  # Twilio's per-delivery dedup header
        headers = {
            "X-Twilio-Signature": signature,
            "I-Twilio-Idempotency-Token": token,
            "User-Agent": "TwilioProxy/1.1",
        }
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        try:
            async with self._http.post(url, data=params, headers=headers) as response:
                await response.read()
                delivery = CallbackDelivery(url, params, signature, token, response.status)
        except (aiohttp.ClientError, TimeoutError) as exc:
            delivery = CallbackDelivery(url, params, signature, token, None, f"{type(exc).__name__}: {exc}")
        self.callbacks.append(delivery)
        return delivery
