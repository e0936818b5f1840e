"""Reading webhook bodies within a size limit, and the JSON 4xx answers the webhooks share.

The app's own limit (``client_max_size``) is sized for the API's loan-book uploads; a webhook's body
is a few kilobytes, so each webhook reads with its own, much smaller, limit: over it is a 413 before
anything is parsed or stored, whether the request says its length or streams it (chunked).
"""

from __future__ import annotations

import json
from typing import Final
from urllib.parse import parse_qsl

from aiohttp import web

FORM_TYPES: Final = ("application/x-www-form-urlencoded", "")


def refusal(status: int, code: str, message: str) -> web.HTTPException:
    """An HTTP error carrying the usual ``{"error", "message"}`` body."""
    body = json.dumps({"error": code, "message": message})
    if status == 413:
        return web.HTTPRequestEntityTooLarge(0, 0, text=body, content_type="application/json")
    kinds: dict[int, type[web.HTTPException]] = {400: web.HTTPBadRequest, 415: web.HTTPUnsupportedMediaType}
    return kinds.get(status, web.HTTPBadRequest)(text=body, content_type="application/json")


def too_large(limit: int, what: str = "the request body") -> web.HTTPException:
    return refusal(413, "too_large", f"{what} is larger than {limit} bytes")


async def read_body(request: web.Request, limit: int) -> bytes:
    """The whole body, or a JSON 413 as soon as it is known to pass ``limit`` bytes."""
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)
    try:
        return await request.clone(client_max_size=limit).read()
    except web.HTTPRequestEntityTooLarge:  # streamed without a length, and longer than the limit
        raise too_large(limit) from None


async def read_form(request: web.Request, limit: int) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body as {name: value} (the last value of a repeated
    name, as ``request.post()`` gives it), read within ``limit``; 413, 415 or 400 otherwise."""
    if request.content_type not in FORM_TYPES:
        raise refusal(415, "unsupported_media_type", "expected an application/x-www-form-urlencoded body")
    raw = await read_body(request, limit)
    try:
        pairs = parse_qsl(raw.rstrip().decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise refusal(400, "bad_request", "the form is not UTF-8") from None
    return dict(pairs)
