"""Pieces shared by the Twilio and Telegram stand-ins: recording, per-key programming, serving.

The stand-ins are demo and test tooling: ``duebot demo`` and the test suite point the real vendor
clients at them through the ``*_API_BASE`` settings.  ``duebot serve`` never uses them.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import Generic, TypeVar

from aiohttp import web

__all__ = [
    "Drop",
    "Hang",
    "RecordedRequest",
    "StandinControl",
    "parse_basic_auth",
    "running_standin",
    "start_standin",
]

B = TypeVar("B")


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One HTTP request as the stand-in received it (before any programmed behaviour ran)."""

    method: str
    path: str
    endpoint: str  # "Messages.create", "sendMessage", ...
    form: Mapping[str, str]  # last value per field; ``form_items`` keeps repeats
    form_items: tuple[tuple[str, str], ...]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    auth: tuple[str, str] | None  # Basic (user, password); Telegram: ("bot", token)
    received_at: float  # time.time()


@dataclass(frozen=True, slots=True)
class Hang:
    """Answer only after ``seconds`` (the client is expected to time out first).

    ``then_accept``: once the delay is over, process the request as if it had been answered in
    time (the message is created), which is what makes a client-side timeout *uncertain*.
    """

    seconds: float = 30.0
    then_accept: bool = True


@dataclass(frozen=True, slots=True)
class Drop:
    """Close the connection without any answer (the client sees a server disconnect)."""


@dataclass(slots=True)
class _Program(Generic[B]):
    behaviour: B
    remaining: int | None  # None: until reprogrammed


class _Programs(Generic[B]):
    """Behaviours queued per key (recipient number, chat id); each applies ``times`` times."""

    def __init__(self) -> None:
        self._by_key: dict[str, deque[_Program[B]]] = {}

    def add(self, key: str, behaviour: B, times: int | None) -> None:
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for every request)")
        self._by_key.setdefault(key, deque()).append(_Program(behaviour, times))

    def take(self, key: str) -> B | None:
        queue = self._by_key.get(key)
        if not queue:
            return None
        head = queue[0]
        if head.remaining is not None:
            head.remaining -= 1
            if head.remaining == 0:
                queue.popleft()
        return head.behaviour

    def clear(self, key: str | None = None) -> None:
        if key is None:
            self._by_key.clear()
        else:
            self._by_key.pop(key, None)


def parse_basic_auth(header: str | None) -> tuple[str, str] | None:
    if not header or not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


# Headers worth keeping in a record; the rest (Host, Content-Length...) are noise in assertions.
_KEPT_HEADERS = ("Content-Type", "User-Agent", "Accept", "X-Telegram-Bot-Api-Secret-Token")


class StandinControl:
    """Programming and inspection API common to both stand-ins.

    ``requests`` lists every request received, oldest first.  ``max_records`` bounds memory for
    long runs (the demo, benchmarks); tests leave it unbounded.
    """

    def __init__(self, *, max_records: int | None = None) -> None:
        self._requests: deque[RecordedRequest] = deque(maxlen=max_records)
        self._received = 0
        self._app: web.Application | None = None
        self.base_url: str | None = None  # set while running via ``running()``

    # -- serving ---------------------------------------------------------------------------
    @property
    def app(self) -> web.Application:
        if self._app is None:
            self._app = self._build_app()
        return self._app

    def _build_app(self) -> web.Application:
        raise NotImplementedError

    @asynccontextmanager
    async def running(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
        """Serve the stand-in; yields its base URL (``http://127.0.0.1:PORT``)."""
        async with running_standin(self.app, host, port) as base_url:
            self.base_url = base_url
            try:
                yield base_url
            finally:
                self.base_url = None

    # -- recording -------------------------------------------------------------------------
    async def _record(
        self,
        request: web.Request,
        endpoint: str,
        auth: tuple[str, str] | None,
        form_items: tuple[tuple[str, str], ...] | None = None,
    ) -> RecordedRequest:
        items: tuple[tuple[str, str], ...] = form_items or ()
        if form_items is None and request.method == "POST" and request.can_read_body:
            posted = await request.post()
            items = tuple((k, v) for k, v in posted.items() if isinstance(v, str))
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            endpoint=endpoint,
            form=MappingProxyType(dict(items)),
            form_items=items,
            query=MappingProxyType(dict(request.query)),
            headers=MappingProxyType({h: request.headers[h] for h in _KEPT_HEADERS if h in request.headers}),
            auth=auth,
            received_at=time.time(),
        )
        self._requests.append(record)
        self._received += 1
        return record

    @property
    def requests(self) -> list[RecordedRequest]:
        return list(self._requests)

    @property
    def received(self) -> int:
        """Requests received since start (keeps counting past ``max_records``)."""
        return self._received

    def calls(self, endpoint: str) -> list[RecordedRequest]:
        return [r for r in self._requests if r.endpoint == endpoint]

    def clear_requests(self) -> None:
        self._requests.clear()

    async def wait_for(self, predicate: Callable[[], bool], within: float = 5.0, what: str = "condition") -> None:
        """Poll ``predicate`` until true (tests: wait for callbacks or requests to arrive)."""
        deadline = time.monotonic() + within
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"stand-in: timed out waiting for {what}")
            await asyncio.sleep(0.005)

    async def wait_for_requests(self, count: int, within: float = 5.0) -> list[RecordedRequest]:
        await self.wait_for(lambda: self._received >= count, within, f"{count} requests")
        return self.requests


async def start_standin(
    app: web.Application, host: str = "127.0.0.1", port: int = 0, *, shutdown_timeout: float = 0.5
) -> tuple[web.AppRunner, str]:
    """Start ``app`` on ``host:port`` (0 = any free port); returns the runner and the base URL.

    ``shutdown_timeout`` is short because programmed hangs would otherwise hold ``cleanup()`` for
    aiohttp's default minute.  Call ``await runner.cleanup()`` to stop.
    """
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound_host, bound_port = runner.addresses[0][:2]
    return runner, f"http://{bound_host}:{bound_port}"


@asynccontextmanager
async def running_standin(app: web.Application, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    runner, base_url = await start_standin(app, host, port)
    try:
        yield base_url
    finally:
        await runner.cleanup()


async def drop_connection(request: web.Request) -> web.StreamResponse:
    """Abort the TCP connection so the client gets no status line at all."""
    if request.transport is not None:
        request.transport.abort()
    # aiohttp needs a response object; nothing can be written to an aborted transport.
    return web.Response(status=204)
