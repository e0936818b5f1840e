"""Rendering console pages: Jinja2 templates from ``templates/console/``, always autoescaped.

Everything shown on a page (borrower names, replies, notes, staff input) goes through Jinja2's
autoescaping; no template marks a value safe. ``StrictUndefined`` turns a typo into an error
instead of an empty cell.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web

from bot.console.deps import CSRF_TOKEN, CURRENT_STAFF, services_of
from bot.console.session import CSRF_FIELD
from storage.models import StaffUser
from storage.permissions import may

PAGE_HEADERS = {
    # No script runs on these pages at all; styles come from our own static file.
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _money(value: Decimal | str | int | float | None) -> str:
    if value is None:
        return ""
    return f"{Decimal(value).quantize(Decimal('0.01')):,.2f}"


def _label(value: str | None) -> str:
    return (value or "").replace("_", " ")


def _value(value: object) -> str:
    """A logged value as a person reads it: lists and tables as compact JSON, not Python's repr."""
    if value is None:
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    return str(value)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("templates", "console"),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = _money
    env.filters["label"] = _label
    env.filters["value"] = _value
    return env


def local_time(value: datetime | None, zone: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(zone)).strftime(fmt)


def render(request: web.Request, template: str, *, status: int = 200, **context: Any) -> web.Response:
    services = services_of(request)
    staff: StaffUser | None = request.get(CURRENT_STAFF)
    zone = services.policy.sla.timezone

    def at(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        if isinstance(value, datetime):
            return local_time(value, zone, fmt)
        return value.isoformat() if isinstance(value, date) else ""

    html = (
        environment()
        .get_template(template)
        .render(
            staff=staff,
            csrf_field=CSRF_FIELD,
            csrf=request.get(CSRF_TOKEN, ""),
            zone=zone,
            at=at,
            can=lambda capability: staff is not None and may(staff.role, capability),
            lender=services.settings.lender_name,
            **context,
        )
    )
    response = web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
    response.headers.update(PAGE_HEADERS)
    return response


def error_page(request: web.Request, status: int, title: str, message: str) -> web.Response:
    return render(request, "error.html", status=status, title=title, message=message)
