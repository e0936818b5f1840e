"""Checking ``X-Twilio-Signature``: against DUEBOT_PUBLIC_BASE_URL + path + query as received,
because behind a proxy the URL aiohttp sees is not the one Twilio signed."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from bot.api.common import SERVICES


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
    return bool(RequestValidator(token).validate(signed_url(request), dict(params), signature))


async def verified_form(request: web.Request) -> dict[str, str]:
    """The form fields of a correctly signed Twilio request, or a 403 (nothing is stored)."""
    form = await request.post()
    params = {k: str(v) for k, v in form.items()}
    if not signature_ok(request, params):
        raise web.HTTPForbidden(text="invalid X-Twilio-Signature")
    return params
