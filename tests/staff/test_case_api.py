"""Case actions and restrictions through the API, acting as a named staff member."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from aiohttp import web

from storage.models import LogEntry, Restriction
from tests.staff.conftest import AUTH, NOW, StaffWorld, borrower_wrote, open_for, seed

CASE_KEYS = {
    "id", "reference", "borrower_id", "loan_id", "kind", "queue", "status", "priority", "opened_at",
    "first_response_due", "resolve_due", "assignee",
}  # fmt: skip


def api_routes(app: web.Application) -> list[tuple[str, str]]:
    found = []
    for route in app.router.routes():
        path = route.resource.canonical if route.resource is not None else ""
        if path.startswith("/api/") and route.method != "HEAD" and path != "/api/v1/openapi.json":
            filled = path.replace("{case_id}", "1").replace("{kind}", "cease")
            found.append((route.method, re.sub(r"\{[a-z_]+\}", "B1", filled)))
    return found


async def test_every_api_route_refuses_without_the_token(world: StaffWorld) -> None:
    await seed(world)
    await open_for(world, "B1", "hardship")
    routes = api_routes(world.client.app)  # type: ignore[arg-type]
    assert ("POST", "/api/v1/cases/1/reply") in routes and (
        "DELETE",
        "/api/v1/borrowers/B1/restrictions/cease",
    ) in routes
    for method, path in routes:
        for headers in ({}, {"Authorization": "Bearer nope"}):
            response = await world.client.request(method, path, headers=headers, json={"staff": "amy", "text": "x"})
            assert response.status == 401, (method, path)
    assert await LogEntry.filter(kind__startswith="case.note").count() == 0


async def test_assign_note_reply_resolve_answer_with_the_case(world: StaffWorld) -> None:
    await seed(world)
    case = await open_for(world, "B1", "hardship")
    await borrower_wrote("B1", "help", NOW - timedelta(minutes=30))
    base = f"/api/v1/cases/{case.id}"
    assigned = await world.client.post(f"{base}/assign", headers=AUTH, json={"staff": "amy"})
    body = await assigned.json()
    assert assigned.status == 200 and set(body) == CASE_KEYS
    assert (body["assignee"], body["status"], body["borrower_id"], body["loan_id"]) == ("amy", "assigned", "B1", None)
    noted = await world.client.post(f"{base}/notes", headers=AUTH, json={"staff": "amy", "text": "called"})
    assert noted.status == 200 and (await noted.json())["id"] == case.id
    replied = await world.client.post(f"{base}/reply", headers=AUTH, json={"staff": "amy", "text": "We can help."})
    assert replied.status == 200 and (await replied.json())["reference"] == case.reference
    assert world.sms_to("+8613800138000") == ["【Northwind Finance】We can help.\n回复TD退订"]
    resolved = await world.client.post(f"{base}/resolve", headers=AUTH, json={"staff": "amy", "outcome": "plan_agreed"})
    assert resolved.status == 200 and (await resolved.json())["status"] == "resolved"
    again = await world.client.post(f"{base}/resolve", headers=AUTH, json={"staff": "amy", "outcome": "paid"})
    assert again.status == 409 and (await again.json())["error"] == "case_resolved"
    late_note = await world.client.post(f"{base}/notes", headers=AUTH, json={"staff": "amy", "text": "after"})
    assert late_note.status == 409 and (await late_note.json())["error"] == "case_resolved"
    entries = LogEntry.filter(chain="borrower:B1", kind__startswith="case.").exclude(kind="case.opened")
    actors = await entries.values_list("kind", "actor")
    assert actors == [("case.assigned", "staff:amy"), ("case.note", "staff:amy"), ("case.reply", "staff:amy"),
                      ("case.resolved", "staff:amy")]  # fmt: skip


async def test_refusals_404_403_409_422(world: StaffWorld) -> None:
    await seed(world)
    collections = await open_for(world, "B2", "overdue_30")
    base = f"/api/v1/cases/{collections.id}"

    async def post(path: str, body: object) -> tuple[int, dict[str, object]]:
        response = await world.client.post(path, headers=AUTH, json=body)
        return response.status, await response.json()

    assert (await post("/api/v1/cases/999/notes", {"staff": "carl", "text": "x"}))[0] == 404
    status, body = await post(f"{base}/notes", {"staff": "nobody", "text": "x"})
    assert status == 404 and set(body) == {"error", "message"}
    status, body = await post(f"{base}/notes", {"staff": "cora", "text": "x"})
    assert status == 403 and "collections" in str(body["message"])  # complaints officer
    assert (await post(f"{base}/assign", {"staff": "amy"}))[0] == 403  # hardship agent
    assert (await post(f"{base}/notes", {"staff": "carl"}))[0] == 422
    assert (await post(f"{base}/resolve", {"staff": "carl", "outcome": "vanished"}))[0] == 422
    status, body = await post(f"{base}/resolve", {"staff": "carl", "outcome": "dispute_rejected"})
    assert status == 422 and "does not end" in body["message"]
    # Taken by carl; another agent cannot take it over, a supervisor can.
    assert (await post(f"{base}/assign", {"staff": "carl"}))[0] == 200
    # Ana in Los Angeles: 20:00 now; at 22:00 the hard window is closed and she has not written.
    world.clock.advance(hours=2)
    status, body = await post(f"{base}/reply", {"staff": "carl", "text": "Please call us"})
    assert status == 409
    assert body["error"] == "contact_not_allowed" and body["rule"] == "window" and "hard window" in str(body["message"])
    assert body["reason"] == body["message"]
    assert body["not_before"] is not None
    assert world.telegram_to(987654321) == [] and world.sms_to("+14155550123") == []
    status, body = await post(f"{base}/assign", {"staff": "sam"})
    assert status == 200 and body["assignee"] == "sam"
    bad_json = await world.client.post(f"{base}/notes", headers=AUTH, data="{")
    assert bad_json.status == 400


@pytest.mark.parametrize("kind", ["do_not_contact", "cease", "attorney", "bankruptcy", "deceased"])
async def test_restrictions_set_and_lifted_by_the_lender(world: StaffWorld, kind: str) -> None:
    await seed(world)
    path = "/api/v1/borrowers/B1/restrictions"
    created = await world.client.post(path, headers=AUTH, json={"kind": kind, "note": "letter of 2026-12-01"})
    assert created.status == 201
    view = await created.json()
    assert view["do_not_contact"] is True and view["restrictions"][0]["kind"] == kind
    assert view["restrictions"][0]["created_by"] == "api"
    assert (await world.client.post(path, headers=AUTH, json={"kind": kind})).status == 200
    lifted = await world.client.delete(f"{path}/{kind}", headers=AUTH)
    assert lifted.status == 200 and (await lifted.json())["restrictions"] == []
    assert (await world.client.delete(f"{path}/{kind}", headers=AUTH)).status == 404
    assert await Restriction.filter(kind=kind, lifted_by="api").count() == 1


async def test_restriction_refusals(world: StaffWorld) -> None:
    await seed(world)
    unknown = await world.client.post("/api/v1/borrowers/B1/restrictions", headers=AUTH, json={"kind": "holiday"})
    assert unknown.status == 422 and "allowed: do_not_contact" in (await unknown.json())["message"]
    missing = await world.client.post("/api/v1/borrowers/NOPE/restrictions", headers=AUTH, json={"kind": "cease"})
    assert missing.status == 404
    assert (await world.client.delete("/api/v1/borrowers/B1/restrictions/holiday", headers=AUTH)).status == 422


async def test_a_restriction_stops_a_staff_reply(world: StaffWorld) -> None:
    await seed(world)
    case = await open_for(world, "B1", "hardship")
    await world.client.post("/api/v1/borrowers/B1/restrictions", headers=AUTH, json={"kind": "cease"})
    refused = await world.client.post(
        f"/api/v1/cases/{case.id}/reply", headers=AUTH, json={"staff": "sam", "text": "hello"}
    )
    body = await refused.json()
    assert refused.status == 409 and body["rule"] == "restricted:cease"
    assert world.sms_to("+8613800138000") == []
