"""The aiohttp application: health, metrics, the API (and, as they arrive, webhooks and console)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web

from bot.api import case_actions as case_actions_api
from bot.api import loans as loans_api
from bot.api import openapi
from bot.api import replies as replies_api
from bot.api import reports as reports_api
from bot.api.common import SERVICES, api_middleware
from bot.console import add_routes as console_routes
from bot.console import console_middleware
from bot.console.deps import STAFF_DEPS, StaffDeps
from bot.conversation.runtime import add_routes as inbound_routes
from bot.metrics import metrics
from bot.services import Services
from bot.webhooks.slot import INBOUND
from bot.webhooks.twilio_status import twilio_status
from storage.database import check_database
from storage.inbound import count_pending_inbound

CleanupContext = Callable[[web.Application], AsyncIterator[None]]


async def healthz(request: web.Request) -> web.Response:
    try:
        await check_database()
    except Exception as exc:  # any failure means "not healthy"; say which kind, not the details
        return web.json_response({"status": "error", "database": type(exc).__name__}, status=503)
    slot = request.app.get(INBOUND)
    processor = slot.processor if slot is not None else None
    if processor is not None and processor.recovering:
        # Alive and taking webhooks, while what a restart left is still being handled.
        pending = await count_pending_inbound(request.app[SERVICES].clock())
        return web.json_response(
            {"status": "recovering", "database": "ok", "pending": pending, "message": f"recovering, {pending} pending"}
        )
    return web.json_response({"status": "ok", "database": "ok"})


def build_app(
    services: Services,
    *,
    cleanup: list[CleanupContext] | None = None,
    staff: StaffDeps | None = None,
    **extra: Any,
) -> web.Application:
    app = web.Application(middlewares=[api_middleware, console_middleware], client_max_size=16 * 1024 * 1024)
    app[SERVICES] = services
    app[STAFF_DEPS] = staff or StaffDeps()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.router.add_post("/webhooks/twilio/status", twilio_status)
    loans_api.add_routes(app)
    case_actions_api.add_routes(app)
    console_routes(app)
    replies_api.add_routes(app)
    reports_api.add_routes(app)
    inbound_routes(app)
    openapi.add_routes(app)
    for ctx in cleanup or []:
        app.cleanup_ctx.append(ctx)
    return app
