"""JSON helpers shared by the API handlers: errors, money and time formatting, auth."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from aiohttp import web

from bot.inputs import BadJson, parse_json
from bot.services import Services

SERVICES = web.AppKey("services", Services)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def money(value: Decimal | str | float | int) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01')):.2f}"


def iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    return value.isoformat()


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))


def error(status: int, code: str, message: str, **extra: Any) -> web.Response:
    return json_response({"error": code, "message": message, **extra}, status=status)


async def read_json(request: web.Request) -> Any:
    """The request body as JSON, or an HTTPException carrying a JSON 400.

    Numbers with a fraction are read as exact decimals, never floats (``bot.inputs.parse_json``):
    an amount given as the JSON number 10.1 is Decimal("10.1") and then meets the same rule as the
    string "10.1" (at most two decimals). Bodies nested deeper than ``MAX_JSON_DEPTH``, with NUL
    characters or unpaired surrogates, are refused here rather than failing later.
    """
    try:
        return parse_json(await request.read(), exact_numbers=True)
    except BadJson as exc:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "bad_json", "message": str(exc)}),
            content_type="application/json",
        ) from None


def bearer_ok(request: web.Request, token: str | None) -> bool:
    if not token:
        return False
    header = request.headers.get("Authorization", "")
    scheme, _, supplied = header.partition(" ")
    if scheme.lower() != "bearer" or not supplied:
        return False
    return hmac.compare_digest(supplied.strip().encode(), token.encode())


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bearer auth for /api/v1 (the OpenAPI document is public) and JSON errors for everything."""
    if request.path.startswith("/api/") and request.path != "/api/v1/openapi.json":
        settings = request.app[SERVICES].settings
        token = settings.api_token.get_secret_value() if settings.api_token else None
        if not bearer_ok(request, token):
            response = error(401, "unauthorized", "a valid 'Authorization: Bearer <token>' header is required")
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if request.path.startswith("/api/") and exc.content_type != "application/json":
            code = {
                400: "bad_request",
                404: "not_found",
                405: "method_not_allowed",
                413: "too_large",
                415: "unsupported_media_type",
            }.get(exc.status, "error")
            response = error(exc.status, code, exc.reason)
            # A 405 names the methods the route has (RFC 9110: ``Allow``); aiohttp's exception carries them.
            for name in ("Allow", "WWW-Authenticate"):
                if name in exc.headers:
                    response.headers[name] = exc.headers[name]
            return response
        raise
    except Exception:
        if not request.path.startswith("/api/"):
            raise
        # The cause goes to the log, not to the caller: {"error", "message"} like every API error.
        logging.getLogger(__name__).exception("%s %s failed", request.method, request.path)
        return error(500, "internal", "the request could not be completed; the service log says why")
