"""Helpers shared by the console's pages: the signed-in member, the case they asked for, form fields."""

from __future__ import annotations

from aiohttp import web

from bot.console.deps import CURRENT_STAFF
from bot.console.render import error_page
from bot.inputs import row_id, unstorable
from storage.case_actions import load_case
from storage.models import Case, StaffUser
from storage.permissions import can_act

# Short codes for what just happened, shown after a redirect (no free text travels in URLs).
NOTES = {
    "taken": "The case is yours.",
    "assigned": "The case was assigned.",
    "noted": "Note added.",
    "replied": "Reply sent to the borrower's channel.",
    "promise": "Promise recorded; reminders pause until the promised date.",
    "payment": "Payment recorded; it settles the oldest unpaid installments, and nothing more is sent about them.",
    "paused": "Contact paused.",
    "resumed": "Contact resumed.",
    "restricted": "Restriction set.",
    "lifted": "Restriction lifted.",
    "contact": "Contact data corrected; the old value is kept in the log.",
    "link": "A Telegram link code is ready (in the borrower's profile): the borrower sends /start CODE to our bot.",
    "resolved": "Case resolved.",
    "reopened": "Case reopened.",
    "nothing_to_take": "No unassigned case is waiting in your queues.",
    "staff_saved": "Saved.",
}


def current(request: web.Request) -> StaffUser:
    """The signed-in member (the middleware has already turned everyone else away)."""
    staff = request.get(CURRENT_STAFF)
    if staff is None:  # pragma: no cover - the middleware redirects first
        raise web.HTTPSeeOther("/console/login")
    return staff


class PageError(Exception):
    """Stop handling and show an error page."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message

    def page(self, request: web.Request) -> web.Response:
        return error_page(request, self.status, self.title, self.message)


def case_id_of(request: web.Request) -> int:
    case_id = row_id(request.match_info["case_id"])
    if case_id is None:  # not digits, or beyond any row id: nothing to look up
        raise PageError(404, "Not found", "There is no such case.")
    return case_id


async def case_for(request: web.Request) -> Case:
    """The case in the URL, if the member may work its queue."""
    case = await load_case(case_id_of(request))
    if case is None:
        raise PageError(404, "Not found", "There is no such case.")
    staff = current(request)
    if not can_act(staff.role, staff.queues, case.queue):
        raise PageError(403, "Not your queue", f"Your role may not work the {case.queue} queue.")
    return case


async def form_of(request: web.Request) -> dict[str, str]:
    form = await request.post()
    fields = {k: v.strip() if isinstance(v, str) else "" for k, v in form.items()}
    if any(unstorable(value) for value in fields.values()):
        raise PageError(400, "Bad request", "The form contains a character that cannot be stored (NUL).")
    return fields
