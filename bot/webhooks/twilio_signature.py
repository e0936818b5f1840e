"""Checking ``X-Twilio-Signature``: against DUEBOT_PUBLIC_BASE_URL + path + query as received,
because behind a proxy the URL aiohttp sees is not the one Twilio signed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from aiohttp import web

from bot.api.common import SERVICES
from bot.inputs import shorten, unstorable
from bot.webhooks.bodies import read_form, refusal

# Twilio's webhook forms are a few kilobytes (an SMS body is at most 1,600 characters, 19 KB
# percent-encoded at the very worst, beside some thirty short fields); nothing bigger is one.
MAX_FORM_BYTES: Final = 64 * 1024
# A Twilio SID is two letters and 32 hex digits; what we store it in holds 64 characters.
_SID: Final = re.compile(r"[A-Za-z0-9_-]{2,64}")


def twilio_sid(value: str) -> bool:
    """Whether a MessageSid can be one (and can be stored and looked up as one)."""
    return _SID.fullmatch(value) is not None


def signed_url(request: web.Request) -> str:
    base = request.app[SERVICES].settings.public_base_url
    path_qs = request.rel_url.raw_path_qs if hasattr(request.rel_url, "raw_path_qs") else str(request.rel_url)
    if base:
        return base + path_qs
    return str(request.url)


def signature_ok(request: web.Request, params: Mapping[str, str]) -> bool:
    from twilio.request_validator import RequestValidator

    settings = request.app[SERVICES].settings
    token = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else None
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    try:
        return bool(RequestValidator(token).validate(signed_url(request), dict(params), signature))
    except ValueError:  # a URL that is not one (a Host header "name:port" without a number): not Twilio's
        return False


async def verified_form(request: web.Request) -> dict[str, str]:
    """The form fields of a correctly signed Twilio request, or a 4xx (nothing is stored): 413 past
    ``MAX_FORM_BYTES``, 415 when not form-encoded, 400 when not UTF-8, 403 when the signature is
    wrong, 400 when a field holds what no column can (a NUL)."""
    params = await read_form(request, MAX_FORM_BYTES)
    if not signature_ok(request, params):
        raise web.HTTPForbidden(text="invalid X-Twilio-Signature")
    for name, value in params.items():
        problem = unstorable(name) or unstorable(value)
        if problem:
            raise refusal(400, "bad_request", f"form field {shorten(name, 40)!r} {problem}")
    return params
