"""The staff console at /console/: server-rendered pages (aiohttp + Jinja2), no JavaScript build.

``add_routes(app)`` registers the pages; ``console_middleware`` guards them (session, CSRF,
security headers). Optional collaborators (the dispatcher kick, the staff-chat notifier) arrive
through ``bot.console.deps.STAFF_DEPS``.
"""

from __future__ import annotations

from bot.console.auth import console_middleware
from bot.console.routes import add_routes

__all__ = ["add_routes", "console_middleware"]
