"""The complaints register (page and CSV) and the evidence export (JSON and a printable page)."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import cast

from aiohttp import web

from bot.console.common import PageError, current
from bot.console.deps import services_of
from bot.console.render import local_time, render
from bot.inputs import reference
from scheduler.sla import clock_of
from storage.case_actions import actor_for
from storage.case_views import complaints_register, evidence_bundle
from storage.interaction_log import LogEvent
from storage.models import Borrower, Case, StaffUser
from storage.permissions import can_act, may

REGISTER_COLUMNS = (
    "reference",
    "borrower_id",
    "borrower_name",
    "category",
    "status",
    "received",
    "acknowledged",
    "first_response_due",
    "first_response_at",
    "resolve_due",
    "resolved_at",
    "outcome",
    "assignee",
)
_FORMULA = re.compile(r"^[=+\-@\t\r]")


def _require_register(staff: StaffUser) -> None:
    if not may(staff.role, "complaints_register"):
        raise PageError(403, "Not allowed", "The complaints register is for the complaints team and supervisors.")


def register_row(case: Case, zone: str) -> dict[str, str]:
    borrower: Borrower | None = case.borrower

    def at(value: object) -> str:
        return local_time(value, zone) if value is not None else ""  # type: ignore[arg-type]

    return {
        "reference": case.reference,
        "borrower_id": borrower.borrower_id if borrower else "",
        "borrower_name": borrower.full_name if borrower else "",
        "category": case.category or "",
        "status": case.status,
        "received": at(case.opened_at),
        "acknowledged": at(case.acknowledged_at),
        "first_response_due": at(case.first_response_due),
        "first_response_at": at(case.first_response_at),
        "resolve_due": at(case.resolve_due),
        "resolved_at": at(case.resolved_at),
        "outcome": case.outcome or "",
        "assignee": case.assignee.username if case.assignee else "",
    }


def csv_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (names and categories come from outside)."""
    return f"'{value}" if _FORMULA.match(value) else value


async def complaints_page(request: web.Request) -> web.StreamResponse:
    _require_register(current(request))
    services = services_of(request)
    now = services.clock()
    cases = await complaints_register()
    return render(
        request,
        "complaints.html",
        rows=[(register_row(c, services.policy.sla.timezone), clock_of(c, now), c) for c in cases],
        columns=REGISTER_COLUMNS,
    )


async def complaints_csv(request: web.Request) -> web.StreamResponse:
    _require_register(current(request))
    services = services_of(request)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=REGISTER_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for case in await complaints_register():
        writer.writerow({k: csv_safe(v) for k, v in register_row(case, services.policy.sla.timezone).items()})
    stamp = services.clock().strftime("%Y%m%d")
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="complaints-{stamp}.csv"', "Cache-Control": "no-store"},
    )


async def _borrower_for_evidence(request: web.Request) -> Borrower:
    staff = current(request)
    wanted = reference(request.match_info["borrower_id"])
    borrower = await Borrower.get_or_none(borrower_id=wanted) if wanted else None
    if borrower is None:
        raise PageError(404, "Not found", "There is no such borrower.")
    # Anyone who may work one of the borrower's cases, and supervisors, admins and complaints staff.
    queues = cast(list[str], await Case.filter(borrower_id=borrower.id).values_list("queue", flat=True))
    allowed = may(staff.role, "complaints_register") or any(can_act(staff.role, staff.queues, q) for q in queues)
    if not allowed:
        raise PageError(403, "Not allowed", "None of this borrower's cases is in your queues.")
    return borrower


async def _bundle(request: web.Request, borrower: Borrower, form: str) -> dict[str, object]:
    services = services_of(request)
    staff = current(request)
    now = services.clock()
    # Logged first, so the export carries its own record and the chain head it proves.
    await services.log.append(
        LogEvent("evidence.exported", now, borrower.borrower_id, actor_for(staff), {"format": form})
    )
    return await evidence_bundle(borrower, services.log, now)


async def evidence_json(request: web.Request) -> web.StreamResponse:
    borrower = await _borrower_for_evidence(request)
    bundle = await _bundle(request, borrower, "json")
    return web.Response(
        text=json.dumps(bundle, ensure_ascii=False, indent=2),
        content_type="application/json",
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="evidence-{_safe_name(borrower.borrower_id)}.json"',
            "Cache-Control": "no-store",
        },
    )


async def evidence_page(request: web.Request) -> web.StreamResponse:
    borrower = await _borrower_for_evidence(request)
    bundle = await _bundle(request, borrower, "html")
    return render(request, "evidence.html", bundle=bundle, borrower=borrower)


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)[:64]
