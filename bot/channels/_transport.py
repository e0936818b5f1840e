"""Shared translation of aiohttp transport failures into the dispatcher's three outcomes.

Both vendor SDKs sit on aiohttp, so "did the request leave?" is answered the same way for both:
failing to obtain a connection (refused, DNS, TLS handshake, connect timeout) proves nothing was
sent; anything after a connection was obtained (timeout, disconnect, reset) may have created the
message at the provider.
"""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp

from scheduler.channel import RetryableSendError, SendError, UncertainSendError


def utc_now() -> datetime:
    """Default clock for receipts (adapters accept another, e.g. the pass's logical clock)."""
    return datetime.now(UTC)


def transport_error(exc: BaseException, *, request_may_have_left: bool | None) -> SendError:
    """Classify a transport failure.

    ``request_may_have_left`` is True/False when the adapter tracked the connection itself, None
    when only the exception type is known (then anything but a connect failure is uncertain).
    """
    detail = f"{type(exc).__name__}: {exc}".rstrip(": ")
    if isinstance(exc, aiohttp.ClientConnectorError):
        # Raised while connecting: refused, DNS failure, TLS handshake; no byte of the request left.
        return RetryableSendError("connect_failed", detail)
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return RetryableSendError("connect_timeout", detail)
    if request_may_have_left is False:
        # We never held a connection for this request (e.g. our own timeout hit while connecting
        # or while waiting for a pooled connection), so the provider cannot have seen it.
        return RetryableSendError("not_sent", detail)
    if isinstance(exc, TimeoutError):
        return UncertainSendError("timeout", detail)
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return UncertainSendError("disconnected", detail)
    return UncertainSendError("transport_error", detail)
