"""Case actions for lenders' own desks, acting as a named staff member under the console's rules.

``POST /api/v1/cases/{id}/assign|notes|reply|resolve`` with ``{"staff": username, ...}`` answer
with the case object of ``GET /api/v1/cases``. Unknown staff or case → 404; a disabled account or a
role that may not work the case's queue → 403; a reply the contact guard holds back → 409 with its
reason. Restrictions: ``POST /api/v1/borrowers/{id}/restrictions`` and
``DELETE /api/v1/borrowers/{id}/restrictions/{kind}`` (the lender's system is the actor).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.api.common import SERVICES, error, json_response, read_json
from bot.console.deps import reply_as
from bot.inputs import reference, row_id, shorten
from storage import case_actions as actions
from storage.case_actions import CaseActionError, actor_for
from storage.cases import case_json
from storage.models import Borrower, Case, StaffUser
from storage.permissions import can_act, may
from storage.views import borrower_view

API_ACTOR = "api"
_STATUS = {"invalid": 422, "not_found": 404, "forbidden": 403, "contact_not_allowed": 409}


class ApiRefusal(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra

    def response(self) -> web.Response:
        return error(self.status, self.code, self.message, **self.extra)


def case_object(case: Case) -> dict[str, Any]:
    return case_json(
        case,
        assignee=case.assignee.username if case.assignee else None,
        borrower_id=case.borrower.borrower_id if case.borrower else None,
        loan_id=case.loan.loan_id if case.loan else None,
    )


async def _body(request: web.Request, *fields: str) -> dict[str, str]:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise ApiRefusal(400, "bad_request", f"expected a JSON object with {', '.join(fields)}")
    values: dict[str, str] = {}
    for name in fields:
        value = body.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ApiRefusal(422, "invalid", f"{name}: required, a non-empty string")
        values[name] = value.strip()
    return values


async def _case_and_staff(request: web.Request, username: str) -> tuple[Case, StaffUser]:
    case_id = row_id(request.match_info["case_id"])
    case = await actions.load_case(case_id) if case_id is not None else None
    if case is None:
        raise ApiRefusal(404, "not_found", f"no case {shorten(request.match_info['case_id'])}")
    # A username is at most 64 characters (``storage.staff.check_username``): longer is nobody.
    staff = await StaffUser.get_or_none(username=username) if len(username) <= 64 else None
    if staff is None:
        raise ApiRefusal(404, "not_found", f"no staff member {shorten(username)!r}")
    if staff.disabled:
        raise ApiRefusal(403, "forbidden", f"{username}'s account is disabled")
    if not can_act(staff.role, staff.queues, case.queue):
        raise ApiRefusal(403, "forbidden", f"{username} ({staff.role}) may not act in the {case.queue} queue")
    return case, staff


async def _run(request: web.Request, *fields: str) -> tuple[Case, StaffUser, dict[str, str]]:
    body = await _body(request, "staff", *fields)
    case, staff = await _case_and_staff(request, body["staff"])
    return case, staff, body


def _refused(exc: CaseActionError) -> web.Response:
    return error(_STATUS.get(exc.code, 409), exc.code, str(exc))


async def assign(request: web.Request) -> web.Response:
    """The named member takes the case; a supervisor (or admin) may take it from someone else."""
    services = request.app[SERVICES]
    try:
        case, staff, _ = await _run(request)
        if may(staff.role, "assign_others"):
            case = await actions.assign(case, staff, now=services.clock(), log=services.log, actor=actor_for(staff))
        else:
            case = await actions.take(case, staff, now=services.clock(), log=services.log)
    except ApiRefusal as refusal:
        return refusal.response()
    except CaseActionError as exc:
        return _refused(exc)
    return json_response(case_object(case))


async def notes(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    try:
        case, staff, body = await _run(request, "text")
        await actions.add_note(case, body["text"], now=services.clock(), log=services.log, actor=actor_for(staff))
    except ApiRefusal as refusal:
        return refusal.response()
    except CaseActionError as exc:
        return _refused(exc)
    return json_response(case_object(case))


async def reply(request: web.Request) -> web.Response:
    try:
        case, staff, body = await _run(request, "text")
        outcome = await reply_as(request, case, staff, body["text"])
    except ApiRefusal as refusal:
        return refusal.response()
    except CaseActionError as exc:
        return _refused(exc)
    if not outcome.accepted:
        verdict = outcome.verdict
        return error(
            409,
            "contact_not_allowed",
            verdict.reason,
            rule=verdict.rule,
            reason=verdict.reason,
            not_before=verdict.not_before.isoformat() if verdict.not_before else None,
        )
    fresh = await actions.load_case(case.id)
    return json_response(case_object(fresh or case))


async def resolve(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    try:
        case, staff, body = await _run(request, "outcome")
        case = await actions.resolve(
            case, body["outcome"], now=services.clock(), log=services.log, actor=actor_for(staff)
        )
    except ApiRefusal as refusal:
        return refusal.response()
    except CaseActionError as exc:
        return _refused(exc)
    return json_response(case_object(case))


async def _borrower(request: web.Request) -> Borrower:
    wanted = request.match_info["borrower_id"]
    borrower_id = reference(wanted)
    borrower = await Borrower.get_or_none(borrower_id=borrower_id) if borrower_id else None
    if borrower is None:
        raise ApiRefusal(404, "not_found", f"no borrower {shorten(wanted)}")
    return borrower


async def add_restriction(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    try:
        borrower = await _borrower(request)
        body = await read_json(request)
        if not isinstance(body, dict) or not isinstance(body.get("kind"), str):
            raise ApiRefusal(422, "invalid", 'expected {"kind": ..., "note": ...}')
        note = body.get("note", "")
        if not isinstance(note, str):
            raise ApiRefusal(422, "invalid", "note: a string")
        _row, created = await actions.set_restriction(
            borrower, body["kind"], note, now=services.clock(), log=services.log, actor=API_ACTOR
        )
    except ApiRefusal as refusal:
        return refusal.response()
    except CaseActionError as exc:
        return _refused(exc)
    now = request.app[SERVICES].clock()
    return json_response(await borrower_view(borrower.borrower_id, now), status=201 if created else 200)


async def delete_restriction(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    kind = request.match_info["kind"]
    try:
        borrower = await _borrower(request)
        lifted = await actions.lift_restriction(borrower, kind, now=services.clock(), log=services.log, actor=API_ACTOR)
    except ApiRefusal as refusal:
        return refusal.response()
    except CaseActionError as exc:
        return _refused(exc)
    if not lifted:
        return error(404, "not_found", f"borrower {borrower.borrower_id} has no {kind} restriction in force")
    return json_response(await borrower_view(borrower.borrower_id, request.app[SERVICES].clock()))


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/cases/{case_id}/assign", assign)
    app.router.add_post("/api/v1/cases/{case_id}/notes", notes)
    app.router.add_post("/api/v1/cases/{case_id}/reply", reply)
    app.router.add_post("/api/v1/cases/{case_id}/resolve", resolve)
    app.router.add_post("/api/v1/borrowers/{borrower_id}/restrictions", add_restriction)
    app.router.add_delete("/api/v1/borrowers/{borrower_id}/restrictions/{kind}", delete_restriction)
