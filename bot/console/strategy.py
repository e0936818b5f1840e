"""``/console/experiments`` (each experiment's figures per arm) and ``/console/preview`` (a day ahead)."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.console.common import PageError, current
from bot.console.deps import services_of
from bot.console.render import render
from bot.previewing import preview_as_configured
from scheduler.experiment_report import status_of
from scheduler.preview import PreviewError
from storage.permissions import may


def _require(request: web.Request) -> None:
    if not may(current(request).role, "reports"):
        raise PageError(403, "Not allowed", "Experiments and previews are for supervisors and admins.")


async def experiments_page(request: web.Request) -> web.StreamResponse:
    _require(request)
    policy = services_of(request).policy
    statuses = [await status_of(policy, name) for name in sorted(policy.experiments)]
    return render(request, "experiments.html", statuses=statuses)


async def preview_page(request: web.Request) -> web.StreamResponse:
    _require(request)
    services = services_of(request)
    settings, policy = services.settings, services.policy
    now = services.clock().astimezone(UTC)
    today = now.astimezone(ZoneInfo(policy.sla.timezone)).date()
    wanted = request.rel_url.query.get("date") or (today + timedelta(days=1)).isoformat()
    try:
        day = date.fromisoformat(wanted)
        preview = await preview_as_configured(day, settings=settings, policy=policy, now=now)
    except ValueError as exc:  # a malformed date, or one in the past (PreviewError)
        message = str(exc) if isinstance(exc, PreviewError) else f"{wanted!r} is not a date (YYYY-MM-DD)"
        raise PageError(400, "Cannot preview that day", message) from None
    return render(request, "preview.html", preview=preview, totals=preview.totals(), day=day)
