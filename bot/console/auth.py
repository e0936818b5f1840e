"""Console authentication: the middleware (session, CSRF, redirects), login and logout."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from aiohttp import web

from bot.api.common import SERVICES, Handler
from bot.console.common import PageError
from bot.console.deps import CSRF_TOKEN, CURRENT_STAFF, SESSION_KEY, SessionKey, services_of
from bot.console.render import PAGE_HEADERS, error_page, local_time, render
from bot.console.session import (
    CSRF_FIELD,
    PRELOGIN_COOKIE,
    SESSION_COOKIE,
    csrf_for_login,
    csrf_for_session,
    issue,
    new_prelogin_nonce,
    read,
    same,
)
from bot.inputs import unstorable
from storage.interaction_log import LogEvent
from storage.models import StaffUser
from storage.staff import authenticate

PUBLIC_PATHS = frozenset({"/console/login"})
STATIC_PREFIX = "/console/static/"


def install_session_key(app: web.Application) -> None:
    app[SESSION_KEY] = SessionKey(app[SERVICES])


def session_key(request: web.Request) -> bytes:
    return request.app[SESSION_KEY].get()


def _secure(request: web.Request) -> bool:
    base = services_of(request).settings.public_base_url or ""
    return request.secure or base.startswith("https://")


def _set_cookie(response: web.StreamResponse, request: web.Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/console", httponly=True, samesite="Lax", secure=_secure(request)
    )


async def _current_staff(request: web.Request) -> StaffUser | None:
    services = services_of(request)
    max_age = timedelta(hours=services.policy.console.session_hours)
    token = read(session_key(request), request.cookies.get(SESSION_COOKIE), services.clock(), max_age)
    if token is None:
        return None
    staff = await StaffUser.get_or_none(id=token.staff_id)
    if staff is None or staff.disabled or staff.session_epoch != token.epoch:
        return None
    request[CSRF_TOKEN] = csrf_for_session(session_key(request), token)
    return staff


def redirect(location: str) -> web.Response:
    """A 303 as a response object (cookies can be set on it; raising HTTPSeeOther cannot carry them)."""
    return web.Response(status=303, headers={"Location": location})


def _safe_next(target: str | None) -> str:
    """Only a path inside the console: never an open redirect to another site."""
    if target and target.startswith("/console/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console/"


@web.middleware
async def console_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    path = request.path
    if path != "/console" and not path.startswith("/console/"):
        return await handler(request)
    if path.startswith(STATIC_PREFIX):
        return await handler(request)
    staff = await _current_staff(request)
    if staff is not None:
        request[CURRENT_STAFF] = staff
    if staff is None and path not in PUBLIC_PATHS:
        target = request.path_qs if request.method == "GET" else "/console/"
        raise web.HTTPSeeOther(f"/console/login?next={quote(target, safe='')}")
    if request.method == "POST" and path not in PUBLIC_PATHS:
        form = await request.post()
        supplied = form.get(CSRF_FIELD)
        if not same(supplied if isinstance(supplied, str) else None, request.get(CSRF_TOKEN, "")):
            return error_page(
                request, 403, "Refused", "The form's security token is missing or stale. Reload the page."
            )
    try:
        response = await handler(request)
    except PageError as exc:
        response = exc.page(request)
    for name, value in PAGE_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def login_page(request: web.Request) -> web.StreamResponse:
    # Shown even when signed in: a shared desk may switch to another member's account.
    return _login_form(request, status=200, error=None, username="")


def _login_form(request: web.Request, *, status: int, error: str | None, username: str) -> web.Response:
    nonce = request.cookies.get(PRELOGIN_COOKIE) or new_prelogin_nonce()
    response = render(
        request,
        "login.html",
        status=status,
        error=error,
        username=username,
        login_csrf=csrf_for_login(session_key(request), nonce),
        next=_safe_next(request.query.get("next")),
    )
    _set_cookie(response, request, PRELOGIN_COOKIE, nonce, max_age=3600)
    return response


async def login_submit(request: web.Request) -> web.StreamResponse:
    services = services_of(request)
    form = await request.post()
    nonce = request.cookies.get(PRELOGIN_COOKIE)
    supplied = form.get(CSRF_FIELD)
    if not nonce or not same(
        supplied if isinstance(supplied, str) else None, csrf_for_login(session_key(request), nonce)
    ):
        return error_page(
            request, 403, "Refused", "The login form's security token is missing or stale. Reload the page."
        )
    username = str(form.get("username", "")).strip().lower()[:64]
    password = str(form.get("password", ""))
    if unstorable(username):  # a NUL: no account has one, and no query may carry it
        return _login_form(request, status=401, error="Wrong username or password.", username="")
    now = services.clock()
    result = await authenticate(
        username, password, request.remote or "unknown", now=now, policy=services.policy, log=services.log
    )
    if result.staff is None:
        if result.locked_until is not None:
            until = local_time(result.locked_until, services.policy.sla.timezone, "%H:%M")
            message = f"Too many failed attempts: login is locked until {until} ({services.policy.sla.timezone})."
            return _login_form(request, status=429, error=message, username=username)
        return _login_form(request, status=401, error="Wrong username or password.", username=username)
    cookie, _token = issue(session_key(request), result.staff.id, result.staff.session_epoch, now)
    response = redirect(_safe_next(str(form.get("next", "")) or request.query.get("next")))
    _set_cookie(response, request, SESSION_COOKIE, cookie, max_age=int(services.policy.console.session_hours * 3600))
    response.del_cookie(PRELOGIN_COOKIE, path="/console")
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    """Ends every session of the account (the epoch moves on), not only this browser's."""
    services = services_of(request)
    staff = request[CURRENT_STAFF]
    await StaffUser.filter(id=staff.id).update(session_epoch=staff.session_epoch + 1)
    await services.log.append(
        LogEvent("staff.logout", services.clock(), None, f"staff:{staff.username}", {"staff": staff.username})
    )
    response = redirect("/console/login")
    response.del_cookie(SESSION_COOKIE, path="/console")
    return response
