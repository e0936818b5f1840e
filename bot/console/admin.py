"""Staff accounts in the console: the admin page (add, disable, reset password, queues, Telegram
link) and each member's own account page (Telegram link, availability)."""

from __future__ import annotations

from aiohttp import web

from bot.console.auth import redirect
from bot.console.common import NOTES, PageError, current
from bot.console.deps import services_of
from bot.console.render import render
from bot.inputs import in_bigint
from config.policy import QUEUES
from storage import staff as accounts
from storage.case_actions import actor_for
from storage.case_views import staff_loads
from storage.models import StaffUser
from storage.permissions import ROLES, may
from storage.staff import StaffError


def _require_admin(staff: StaffUser) -> None:
    if not may(staff.role, "manage_staff"):
        raise PageError(403, "Not allowed", "Staff accounts are managed by admins.")


def _telegram_id(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise StaffError("a Telegram user id is a number (ask @userinfobot for yours)") from None
    if value <= 0:
        raise StaffError("a Telegram user id is a positive number")
    if not in_bigint(value):
        raise StaffError("a Telegram user id is below 2**63 (no account has a larger one)")
    return value


async def staff_page(request: web.Request, *, error: str | None = None, status: int = 200) -> web.Response:
    _require_admin(current(request))
    return render(
        request,
        "staff.html",
        status=status,
        members=await accounts.list_staff(),
        loads=await staff_loads(),
        roles=ROLES,
        queues=QUEUES,
        error=error,
        note=NOTES.get(request.query.get("note", "")),
    )


async def staff_get(request: web.Request) -> web.StreamResponse:
    return await staff_page(request)


async def staff_post(request: web.Request) -> web.StreamResponse:
    """POST /console/staff/{action}: add, disable, enable, reset-password, queues, telegram."""
    admin = current(request)
    _require_admin(admin)
    services = services_of(request)
    form = await request.post()
    action = request.match_info["action"]
    text = {k: v.strip() if isinstance(v, str) else "" for k, v in form.items()}
    queues = [q for q in form.getall("queues", []) if isinstance(q, str)]
    username = text.get("username", "")
    now, log, actor = services.clock(), services.log, actor_for(admin)
    try:
        if action == "add":
            await accounts.create_staff(
                username, text.get("role", ""), queues, str(form.get("password", "")), now=now, log=log, actor=actor
            )
        elif action == "disable":
            if username == admin.username:
                raise StaffError("you cannot disable your own account")
            await accounts.disable_staff(username, now=now, log=log, actor=actor)
        elif action == "enable":
            await accounts.enable_staff(username, now=now, log=log, actor=actor)
        elif action == "reset-password":
            await accounts.reset_password(username, str(form.get("password", "")), now=now, log=log, actor=actor)
        elif action == "queues":
            await accounts.set_queues(username, queues, now=now, log=log, actor=actor)
        elif action == "telegram":
            member = await accounts.get_staff(username)
            if member is None:
                raise StaffError(f"no staff account named {username!r}")
            await accounts.link_telegram(
                member, _telegram_id(text.get("telegram_user_id", "")), now=now, log=log, actor=actor
            )
        else:
            raise PageError(404, "Not found", "There is no such action.")
    except StaffError as exc:
        return await staff_page(request, error=str(exc), status=422)
    return redirect("/console/staff?note=staff_saved")


async def account_page(request: web.Request, *, error: str | None = None, status: int = 200) -> web.Response:
    return render(request, "account.html", status=status, error=error, note=NOTES.get(request.query.get("note", "")))


async def account_get(request: web.Request) -> web.StreamResponse:
    return await account_page(request)


async def account_post(request: web.Request) -> web.StreamResponse:
    """POST /console/account/{action}: telegram (link or unlink), available (on or off)."""
    staff = current(request)
    services = services_of(request)
    form = await request.post()
    action = request.match_info["action"]
    try:
        if action == "telegram":
            value = form.get("telegram_user_id", "")
            await accounts.link_telegram(
                staff, _telegram_id(value if isinstance(value, str) else ""), now=services.clock(), log=services.log,
                actor=actor_for(staff),
            )  # fmt: skip
        elif action == "available":
            await accounts.set_available(
                staff, form.get("available") == "yes", now=services.clock(), log=services.log, actor=actor_for(staff)
            )
        else:
            raise PageError(404, "Not found", "There is no such action.")
    except StaffError as exc:
        return await account_page(request, error=str(exc), status=422)
    return redirect("/console/account?note=staff_saved")
