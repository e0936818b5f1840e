"""A local stand-in for the Telegram Bot API (the parts duebot uses).

Answers ``{base}/bot{token}/{method}`` (form data or JSON, as aiogram sends) with Telegram's
``{"ok": …}`` envelope: ``sendMessage`` plus minimal ``getMe``, ``setWebhook``, ``deleteWebhook``,
``getWebhookInfo``, ``getUpdates``, ``answerCallbackQuery`` and ``sendChatAction``.  Every request
is recorded.  Failures are programmed per chat id::

    standin = TelegramStandin("123456:TEST")
    standin.blocked("42")                # 403 bot was blocked by the user
    standin.retry_after("43", 5, times=1)
    standin.queue_message(42, "/start ABC")   # an update for getUpdates (or the webhook, if set)
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import aiohttp
from aiohttp import web

from bot.standins._common import Drop, Hang, StandinControl, _Programs, drop_connection

__all__ = ["Fail", "TelegramStandin", "WebhookDelivery", "check_html"]

MAX_TEXT: Final = 4096
_ALLOWED_TAGS: Final = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
     "tg-spoiler", "span", "blockquote", "tg-emoji"}
)  # fmt: skip
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)>")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")


def check_html(text: str) -> str:
    """Validate Telegram-HTML like the Bot API does and return the plain text it would display.

    Raises ValueError with Telegram's description when the API would refuse the text: an unknown
    tag, an unclosed or mismatched tag, or a bare ``<``/``&``.
    """
    plain: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char == "<":
            match = _TAG.match(text, pos)
            if match is None:
                raise ValueError(f"Bad Request: can't parse entities: Unexpected '<' at byte offset {pos}")
            closing, name = match.group(1) == "/", match.group(2).lower()
            if name not in _ALLOWED_TAGS:
                raise ValueError(f'Bad Request: can\'t parse entities: Unsupported start tag "{name}" at '
                                 f"byte offset {pos}")  # fmt: skip
            if closing:
                if not stack or stack.pop() != name:
                    raise ValueError(f'Bad Request: can\'t parse entities: Unexpected end tag "{name}" at '
                                     f"byte offset {pos}")  # fmt: skip
            else:
                stack.append(name)
            pos = match.end()
        elif char == "&":
            match = _ENTITY.match(text, pos)
            if match is None:
                raise ValueError(f"Bad Request: can't parse entities: Unsupported entity at byte offset {pos}")
            plain.append(html.unescape(match.group(0)))
            pos = match.end()
        else:
            plain.append(char)
            pos += 1
    if stack:
        unclosed = stack[-1]
        raise ValueError(
            f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"{unclosed}\""
        )
    return "".join(plain)


@dataclass(frozen=True, slots=True)
class Fail:
    """Answer ``{"ok": false, "error_code": status, "description": …}`` (+ ``retry_after``)."""

    status: int
    description: str
    retry_after: int | None = None


TelegramBehaviour = Fail | Hang | Drop

BLOCKED: Final = Fail(403, "Forbidden: bot was blocked by the user")
CHAT_NOT_FOUND: Final = Fail(400, "Bad Request: chat not found")
SERVER_ERROR: Final = Fail(500, "Internal Server Error")


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    update: Mapping[str, Any]
    http_status: int | None
    error: str | None = None


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _fail(status: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


class TelegramStandin(StandinControl):
    """Stand-in Bot API for one bot ``token`` (requests with another token get 401)."""

    def __init__(self, token: str, *, max_records: int | None = None, max_long_poll: float = 10.0) -> None:
        super().__init__(max_records=max_records)
        bot_id, sep, _ = token.partition(":")
        if not sep or not bot_id.isdigit():
            raise ValueError("token must look like a Bot API token: '<digits>:<secret>'")
        self.token = token
        self.bot_id = int(bot_id)
        self.username = "duebot_standin_bot"
        self.max_long_poll = max_long_poll
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.webhook_deliveries: list[WebhookDelivery] = []
        # The Message objects returned by sendMessage (bounded like the request records).
        self.sent: deque[dict[str, Any]] = deque(maxlen=max_records)
        self._programs: _Programs[TelegramBehaviour] = _Programs()
        self._message_ids: dict[str, itertools.count[int]] = {}
        self._update_ids = itertools.count(1)
        self._updates: list[dict[str, Any]] = []
        self._update_arrived = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._http: aiohttp.ClientSession | None = None

    # -- programming -----------------------------------------------------------------------
    def program(self, chat_id: int | str, behaviour: TelegramBehaviour, *, times: int | None = None) -> None:
        self._programs.add(str(chat_id), behaviour, times)

    def texts_to(self, chat_id: int | str) -> list[str]:
        """The texts of the sendMessage calls to ``chat_id``, in order."""
        return [
            r.form["text"]
            for r in self.requests
            if r.endpoint == "sendMessage" and r.form.get("chat_id") == str(chat_id)
        ]

    def blocked(self, chat_id: int | str, *, times: int | None = None) -> None:
        self.program(chat_id, BLOCKED, times=times)

    def chat_not_found(self, chat_id: int | str, *, times: int | None = None) -> None:
        self.program(chat_id, CHAT_NOT_FOUND, times=times)

    def retry_after(self, chat_id: int | str, seconds: int, *, times: int | None = None) -> None:
        self.program(chat_id, Fail(429, f"Too Many Requests: retry after {seconds}", seconds), times=times)

    def server_error(self, chat_id: int | str, *, times: int | None = None) -> None:
        self.program(chat_id, SERVER_ERROR, times=times)

    def bad_request(self, chat_id: int | str, description: str, *, times: int | None = None) -> None:
        self.program(chat_id, Fail(400, description), times=times)

    def hang(self, chat_id: int | str, seconds: float = 30.0, *, then_accept: bool = True,
             times: int | None = None) -> None:  # fmt: skip
        self.program(chat_id, Hang(seconds, then_accept), times=times)

    def drop(self, chat_id: int | str, *, times: int | None = None) -> None:
        self.program(chat_id, Drop(), times=times)

    def reset(self, chat_id: int | str | None = None) -> None:
        self._programs.clear(None if chat_id is None else str(chat_id))

    # -- updates -----------------------------------------------------------------------------
    def queue_update(self, update: Mapping[str, Any]) -> dict[str, Any]:
        """Hand an update to the bot: posted to the webhook when one is set, else kept for getUpdates."""
        full = {"update_id": next(self._update_ids), **update}
        if self.webhook_url:
            task = asyncio.get_running_loop().create_task(self._post_update(full))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            self._updates.append(full)
            self._update_arrived.set()
        return full

    def queue_message(
        self,
        chat_id: int,
        text: str,
        *,
        first_name: str = "Borrower",
        username: str | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """An incoming private text message; a leading ``/command`` gets its bot_command entity."""
        user: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        message: dict[str, Any] = {
            "message_id": next(self._counter(str(chat_id))),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": first_name},
            "from": user,
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self.queue_update({"message": message})

    def queue_callback_query(self, chat_id: int, data: str, *, message_id: int = 1) -> dict[str, Any]:
        user = {"id": chat_id, "is_bot": False, "first_name": "Borrower"}
        query = {
            "id": str(next(self._update_ids)),
            "from": user,
            "chat_instance": str(chat_id),
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "Borrower"},
                "text": "…",
            },
        }
        return self.queue_update({"callback_query": query})

    async def wait_for_webhook_deliveries(self, count: int, within: float = 5.0) -> list[WebhookDelivery]:
        await self.wait_for(lambda: len(self.webhook_deliveries) >= count, within, f"{count} webhook posts")
        return list(self.webhook_deliveries)

    async def _post_update(self, update: dict[str, Any]) -> None:
        assert self.webhook_url is not None
        headers = {"Content-Type": "application/json"}
        if self.webhook_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook_secret
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        try:
            async with self._http.post(self.webhook_url, data=json.dumps(update), headers=headers) as response:
                await response.read()
                self.webhook_deliveries.append(WebhookDelivery(update, response.status))
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.webhook_deliveries.append(WebhookDelivery(update, None, f"{type(exc).__name__}: {exc}"))

    # -- app ---------------------------------------------------------------------------------
    def _build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        app.on_cleanup.append(self._on_cleanup)
        return app

    async def _on_cleanup(self, app: web.Application) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.close()
            self._http = None

    def _counter(self, chat_key: str) -> itertools.count[int]:
        return self._message_ids.setdefault(chat_key, itertools.count(1))

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        api_method = request.match_info["method"]
        items: tuple[tuple[str, str], ...] | None = None
        if request.content_type == "application/json" and request.can_read_body:
            # Some clients post JSON; flatten it to the strings a form post would carry, so records
            # look the same whichever way the client sent them.
            try:
                payload = await request.json()
            except ValueError:
                payload = None
            if not isinstance(payload, dict):
                await self._record(request, api_method, ("bot", token), ())
                return _fail(400, "Bad Request: invalid JSON body")
            items = tuple((k, v if isinstance(v, str) else json.dumps(v)) for k, v in payload.items())
        record = await self._record(request, api_method, ("bot", token), items)
        params = {**record.query, **record.form}
        if token != self.token:
            return _fail(401, "Unauthorized")
        handler = self._methods.get(api_method.lower())
        if handler is None:
            return _fail(404, "Not Found")
        return await handler(self, request, params)

    async def _send_message(self, request: web.Request, params: dict[str, str]) -> web.StreamResponse:
        chat_key = params.get("chat_id", "")
        if not chat_key:
            return _fail(400, "Bad Request: chat_id is empty")
        behaviour = self._programs.take(chat_key)
        if isinstance(behaviour, Drop):
            return await drop_connection(request)
        if isinstance(behaviour, Hang):
            await asyncio.sleep(behaviour.seconds)
            if not behaviour.then_accept:
                return _fail(500, "Internal Server Error")
        elif isinstance(behaviour, Fail):
            return _fail(behaviour.status, behaviour.description, behaviour.retry_after)
        text = params.get("text", "")
        if params.get("parse_mode", "").upper() == "HTML":
            try:
                text = check_html(text)
            except ValueError as exc:
                return _fail(400, str(exc))
        if not text.strip():
            return _fail(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            return _fail(400, "Bad Request: message is too long")
        message = {
            "message_id": next(self._counter(chat_key)),
            "from": {"id": self.bot_id, "is_bot": True, "first_name": "duebot", "username": self.username},
            "date": int(time.time()),
            "chat": self._chat(chat_key),
            "text": text,
        }
        self.sent.append(message)
        return _ok(message)

    @staticmethod
    def _chat(chat_key: str) -> dict[str, Any]:
        if chat_key.startswith("@"):
            return {"id": -1000000000001, "type": "channel", "title": chat_key[1:], "username": chat_key[1:]}
        chat_id = int(chat_key)
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Borrower"}
        kind = "supergroup" if chat_key.startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": "Staff"}

    async def _get_me(self, request: web.Request, params: dict[str, str]) -> web.Response:
        return _ok(
            {
                "id": self.bot_id,
                "is_bot": True,
                "first_name": "duebot",
                "username": self.username,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        )

    async def _set_webhook(self, request: web.Request, params: dict[str, str]) -> web.Response:
        url = params.get("url", "")
        self.webhook_url = url or None  # an empty url removes the webhook, as in the real API
        self.webhook_secret = params.get("secret_token") or None
        return web.json_response({"ok": True, "result": True, "description": "Webhook was set"})

    async def _delete_webhook(self, request: web.Request, params: dict[str, str]) -> web.Response:
        self.webhook_url = self.webhook_secret = None
        if params.get("drop_pending_updates", "").lower() == "true":
            self._updates.clear()
        return web.json_response({"ok": True, "result": True, "description": "Webhook was deleted"})

    async def _get_webhook_info(self, request: web.Request, params: dict[str, str]) -> web.Response:
        return _ok({"url": self.webhook_url or "", "has_custom_certificate": False,
                    "pending_update_count": len(self._updates)})  # fmt: skip

    async def _get_updates(self, request: web.Request, params: dict[str, str]) -> web.Response:
        if self.webhook_url:
            return _fail(409, "Conflict: can't use getUpdates method while webhook is active; "
                              "use deleteWebhook to delete the webhook first")  # fmt: skip
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        wait = min(float(params.get("timeout") or 0), self.max_long_poll)
        # Telegram forgets updates below the offset: the client has confirmed them.
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and wait > 0:
            self._update_arrived.clear()
            try:
                await asyncio.wait_for(self._update_arrived.wait(), wait)
            except TimeoutError:
                pass
        return _ok([u for u in self._updates if u["update_id"] >= offset][:limit])

    async def _true(self, request: web.Request, params: dict[str, str]) -> web.Response:
        return _ok(True)

    _methods: Final = {
        "sendmessage": _send_message,
        "getme": _get_me,
        "setwebhook": _set_webhook,
        "deletewebhook": _delete_webhook,
        "getwebhookinfo": _get_webhook_info,
        "getupdates": _get_updates,
        "answercallbackquery": _true,
        "sendchataction": _true,
        "setmycommands": _true,
        "deletemycommands": _true,
    }
