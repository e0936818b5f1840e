"""The console over HTTP: login and sessions, CSRF, roles, escaping, the forms and exports."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from datetime import timedelta

from aiohttp import web

from storage.models import Case, LogEntry, StaffUser
from tests.staff.conftest import (
    BOOK,
    NOW,
    PASSWORD,
    StaffWorld,
    borrower_wrote,
    login,
    make_staff_world,
    open_for,
    page_csrf,
    seed,
)

EVIL_NAME = "<script>alert('name')</script>"
EVIL_BOOK = BOOK.replace("Ana Ruiz", EVIL_NAME.replace(",", ""))


def console_routes(app: web.Application) -> list[tuple[str, str]]:
    """Every console route with its parameters filled in (static files and the login page aside)."""
    found = []
    for route in app.router.routes():
        info = route.resource.canonical if route.resource is not None else ""
        if not info.startswith("/console") or info.startswith("/console/static") or route.method == "HEAD":
            continue
        if info == "/console/login":
            continue
        path = info.replace("{case_id}", "1").replace("{action}", "note").replace("{borrower_id}", "B1")
        path = path.replace("{chart}", "risk")
        found.append((route.method, path))
    return found


async def test_unauthenticated_console_requests_go_to_the_login_page(world: StaffWorld) -> None:
    await seed(world)
    await open_for(world, "B1", "hardship")
    routes = console_routes(world.client.app)  # type: ignore[arg-type]
    assert len(routes) == 20
    for method, path in routes:
        response = await world.client.request(method, path, allow_redirects=False)
        assert response.status == 303, (method, path)
        assert response.headers["Location"].startswith("/console/login?next="), (method, path)
    # A forged or foreign cookie is no session either.
    world.client.session.cookie_jar.update_cookies({"duebot_session": "1.0.9999999999.x.forged"})
    response = await world.client.get("/console/", allow_redirects=False)
    assert response.status == 303
    assert await LogEntry.filter(kind="case.note").count() == 0


async def test_login_sets_a_hardened_session_cookie_and_honours_next(world: StaffWorld) -> None:
    await seed(world)
    page = await world.client.get("/console/login?next=/console/complaints")
    html = await page.text()
    assert 'name="username"' in html and 'name="password"' in html and 'name="csrf_token"' in html
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    wrong = await login(world.client, "amy", "not the password")
    assert wrong.status == 401 and "Wrong username or password" in await wrong.text()
    response = await login(world.client, "amy")
    assert response.status == 303 and response.headers["Location"] == "/console/"
    cookie = response.headers.getall("Set-Cookie")
    session = next(c for c in cookie if c.startswith("duebot_session="))
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Path=/console" in session
    assert "Secure" not in session  # plain HTTP here; see the HTTPS test
    assert (await world.client.get("/console/")).status == 200
    # An open redirect is not on offer.
    await world.client.post("/console/logout", data={"csrf_token": await page_csrf(world.client)})
    evil = await world.client.get("/console/login?next=https://evil.example/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', await evil.text()).group(1)  # type: ignore[union-attr]
    back = await world.client.post(
        "/console/login?next=//evil.example",
        data={"username": "amy", "password": PASSWORD, "csrf_token": token, "next": "https://evil.example/"},
        allow_redirects=False,
    )
    assert back.headers["Location"] == "/console/"


async def test_cookies_are_secure_behind_https(db: str) -> None:
    async for world in make_staff_world(db, public_base_url="https://duebot.example"):
        await seed(world)
        # The test client speaks plain HTTP, so it rightly keeps no Secure cookie: look at the header.
        page = await world.client.get("/console/login")
        prelogin = next(c for c in page.headers.getall("Set-Cookie") if c.startswith("duebot_prelogin="))
        assert "Secure" in prelogin and "HttpOnly" in prelogin


async def test_five_wrong_passwords_lock_login(world: StaffWorld) -> None:
    await seed(world)
    for _ in range(4):
        assert (await login(world.client, "amy", "guess guess guess")).status == 401
    fifth = await login(world.client, "amy", "guess guess guess")
    assert fifth.status == 429
    locked = await login(world.client, "amy")
    assert locked.status == 429 and "locked until" in await locked.text()
    world.clock.advance(minutes=16)
    assert (await login(world.client, "amy")).status == 303


async def test_every_form_needs_a_valid_csrf_token(world: StaffWorld) -> None:
    made = await seed(world)
    case = await open_for(world, "B1", "hardship")
    await login(world.client, "ada")
    good = await page_csrf(world.client)
    posts = [p for m, p in console_routes(world.client.app) if m == "POST"]  # type: ignore[arg-type]
    posts += [f"/console/cases/{case.id}/{a}" for a in ("take", "reply", "resolve", "restrict", "assign")]
    before = await LogEntry.all().count()
    for path in posts:
        for token in (None, "", good[:-2] + "xx"):
            data = {"text": "hello", "outcome": "paid", "kind": "cease", "username": "amy", "to": "amy"}
            if token is not None:
                data["csrf_token"] = token
            response = await world.client.post(path, data=data, allow_redirects=False)
            assert response.status == 403, (path, token)
    assert await LogEntry.all().count() == before
    assert (await Case.get(id=case.id)).status == "open"
    assert not (await StaffUser.get(id=made["amy"].id)).disabled
    # The login form is protected too: no pre-login cookie and token, no login.
    world.client.session.cookie_jar.clear()
    refused = await world.client.post(
        "/console/login", data={"username": "amy", "password": PASSWORD}, allow_redirects=False
    )
    assert refused.status == 403
    # And a token from one session does not work in another.
    await login(world.client, "amy")
    stolen = await world.client.post(f"/console/cases/{case.id}/note", data={"text": "x", "csrf_token": good})
    assert stolen.status == 403


async def test_an_agent_cannot_see_the_complaints_register(world: StaffWorld) -> None:
    await seed(world)
    complaint = await open_for(world, "B1", "complaint", "rude caller")
    await Case.filter(id=complaint.id).update(category='=HYPERLINK("http://x")')
    await login(world.client, "amy")
    assert (await world.client.get("/console/complaints")).status == 403
    assert (await world.client.get("/console/complaints.csv")).status == 403
    assert "Complaints register" not in await (await world.client.get("/console/")).text()
    assert (await world.client.get(f"/console/cases/{complaint.id}")).status == 403

    await login(world.client, "cora")
    page = await world.client.get("/console/complaints")
    assert page.status == 200 and complaint.reference in await page.text()
    export = await world.client.get("/console/complaints.csv")
    assert export.status == 200 and export.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(await export.text())))
    assert [r["reference"] for r in rows] == [complaint.reference]
    assert rows[0]["category"].startswith("'=")  # no formula reaches a spreadsheet
    assert rows[0]["received"] == "2026-12-02 12:00" and rows[0]["first_response_due"] == "2026-12-03 12:00"


async def test_a_complaints_officer_cannot_act_in_collections(world: StaffWorld) -> None:
    await seed(world)
    collections = await open_for(world, "B1", "overdue_30")
    await login(world.client, "cora")
    assert (await world.client.get(f"/console/cases/{collections.id}")).status == 403
    token = await page_csrf(world.client)
    for action in ("take", "note", "reply", "resolve"):
        response = await world.client.post(
            f"/console/cases/{collections.id}/{action}",
            data={"csrf_token": token, "text": "hi", "outcome": "paid"},
            allow_redirects=False,
        )
        assert response.status == 403, action
    assert (await Case.get(id=collections.id)).status == "open"
    assert collections.reference not in await (await world.client.get("/console/")).text()


async def test_staff_and_borrower_text_is_escaped_everywhere(world: StaffWorld) -> None:
    await seed(world, EVIL_BOOK)
    evil = "<img src=x onerror=alert(1)>"
    case = await open_for(world, "B2", "complaint", f"summary {evil}")
    await borrower_wrote("B2", f"borrower says {evil}", NOW - timedelta(minutes=5), channel="telegram")
    await login(world.client, "sam")
    token = await page_csrf(world.client)
    for action, data in (
        ("note", {"text": f"note {evil}"}),
        ("reply", {"text": f"reply {evil}"}),
        ("restrict", {"kind": "attorney", "note": f"attorney {evil}"}),
    ):
        response = await world.client.post(
            f"/console/cases/{case.id}/{action}", data={**data, "csrf_token": token}, allow_redirects=False
        )
        assert response.status == 303, (action, await response.text())
    pages = [
        "/console/",
        f"/console/cases/{case.id}",
        "/console/complaints",
        "/console/borrowers/B2/evidence",
    ]
    for path in pages:
        html = await (await world.client.get(path)).text()
        assert "<img" not in html and "<script>alert" not in html, path
    case_html = await (await world.client.get(f"/console/cases/{case.id}")).text()
    for text in ("note &lt;img", "reply &lt;img", "borrower says &lt;img", "summary &lt;img", "attorney &lt;img"):
        assert text in case_html, text
    assert "&lt;script&gt;alert(" in case_html
    # The reply went to Telegram escaped too (a Telegram HTML template).
    sent = world.telegram_to(987654321)
    assert len(sent) == 1 and "reply &lt;img" in sent[0]


async def test_disabling_or_logging_out_ends_sessions(world: StaffWorld) -> None:
    await seed(world)
    await login(world.client, "amy")
    assert (await world.client.get("/console/")).status == 200
    await StaffUser.filter(username="amy").update(disabled=True)
    assert (await world.client.get("/console/", allow_redirects=False)).status == 303
    await StaffUser.filter(username="amy").update(disabled=False)
    await login(world.client, "amy")
    jar_cookie = next(c for c in world.client.session.cookie_jar if c.key == "duebot_session").value
    await world.client.post("/console/logout", data={"csrf_token": await page_csrf(world.client)})
    # Replaying the old cookie after logout does not work: the epoch moved on.
    world.client.session.cookie_jar.update_cookies({"duebot_session": jar_cookie})
    assert (await world.client.get("/console/", allow_redirects=False)).status == 303


async def test_queue_page_take_next_and_filters(world: StaffWorld) -> None:
    await seed(world)
    older = await open_for(world, "B1", "hardship", at=NOW - timedelta(days=2))  # first response overdue
    newer = await open_for(world, "B2", "hardship")
    await open_for(world, "B1", "overdue_30")  # not amy's queue
    await login(world.client, "amy")
    html = await (await world.client.get("/console/?queue=hardship")).text()
    assert html.index(older.reference) < html.index(newer.reference)  # the overdue one leads
    assert "overdue by" in html and "left" in html
    assert "overdue 30</td>" not in html
    token = await page_csrf(world.client)
    taken = await world.client.post(
        "/console/take-next", data={"csrf_token": token, "queue": "hardship"}, allow_redirects=False
    )
    assert taken.headers["Location"] == f"/console/cases/{older.id}?note=taken"
    mine = await (await world.client.get("/console/?assignee=amy")).text()
    assert older.reference in mine and newer.reference not in mine
    await world.client.post("/console/take-next", data={"csrf_token": token})
    empty = await world.client.post("/console/take-next", data={"csrf_token": token}, allow_redirects=False)
    assert "nothing_to_take" in empty.headers["Location"]


async def test_take_reply_and_resolve_through_the_forms(world: StaffWorld) -> None:
    await seed(world)
    case = await open_for(world, "B1", "hardship", "lost job")
    await borrower_wrote("B1", "我失业了", NOW - timedelta(minutes=20))
    await login(world.client, "amy")
    token = await page_csrf(world.client)
    url = f"/console/cases/{case.id}"
    assert (await world.client.post(f"{url}/take", data={"csrf_token": token})).status == 200
    replied = await world.client.post(f"{url}/reply", data={"csrf_token": token, "text": "我们可以安排还款计划"})
    assert replied.status == 200 and "Reply sent" in await replied.text()
    assert world.sms_to("+8613800138000") == ["【Northwind Finance】我们可以安排还款计划\n回复TD退订"]
    resolved = await world.client.post(f"{url}/resolve", data={"csrf_token": token, "outcome": "plan_agreed"})
    html = await resolved.text()
    assert "Case resolved" in html and "plan agreed" in html and "我们可以安排还款计划" in html
    fresh = await Case.get(id=case.id)
    assert (fresh.status, fresh.outcome, fresh.first_response_at) == ("resolved", "plan_agreed", NOW)
    actors = await LogEntry.filter(chain="borrower:B1", kind__in=["case.assigned", "case.reply", "case.resolved"]
                                   ).values_list("actor", flat=True)  # fmt: skip
    assert actors == ["staff:amy"] * 3


async def test_a_refused_reply_says_why(world: StaffWorld) -> None:
    await seed(world)
    case = await open_for(world, "B2", "hardship")  # Ana, Los Angeles: 20:00 there now
    await login(world.client, "sam")
    token = await page_csrf(world.client)
    world.clock.advance(hours=2)  # 22:00 in Los Angeles, and she has not written
    refused = await world.client.post(f"/console/cases/{case.id}/reply", data={"csrf_token": token, "text": "hi"})
    html = await refused.text()
    assert refused.status == 409 and "Not sent" in html and "hard window" in html
    assert world.telegram_to(987654321) == [] and world.sms_to("+14155550123") == []
    refusal = await LogEntry.get(kind="case.reply_refused")
    assert refusal.actor == "staff:sam" and '"rule":"window"' in refusal.data


async def test_evidence_export_carries_the_chain_proof(world: StaffWorld) -> None:
    await seed(world)
    case = await open_for(world, "B1", "dispute")
    await login(world.client, "sam")
    token = await page_csrf(world.client)
    await world.client.post(f"/console/cases/{case.id}/note", data={"csrf_token": token, "text": "docs received"})
    export = await world.client.get("/console/borrowers/B1/evidence.json")
    assert export.status == 200 and "attachment" in export.headers["Content-Disposition"]
    bundle = json.loads(await export.text())
    chain = bundle["chain"]["entries"]
    assert bundle["verification"]["intact"] and bundle["verification"]["checked"] == len(chain)
    assert chain[0]["prev_hash"] == "0" * 64
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in itertools.pairwise(chain))
    assert bundle["chain"]["head"] == chain[-1]["hash"] and chain[-1]["kind"] == "evidence.exported"
    assert {"case.opened", "case.note"} <= {e["kind"] for e in chain}
    assert bundle["cases"][0]["reference"] == case.reference
    page = await (await world.client.get("/console/borrowers/B1/evidence")).text()
    assert "The hash chain is intact" in page and bundle["chain"]["head"] in page  # the earlier head is listed
    await login(world.client, "carl")  # collections only: no case of B1 in his queues
    assert (await world.client.get("/console/borrowers/B1/evidence.json")).status == 403


async def test_admin_manages_accounts_others_may_not(world: StaffWorld) -> None:
    await seed(world)
    await login(world.client, "sam")
    assert (await world.client.get("/console/staff")).status == 403
    await login(world.client, "ada")
    token = await page_csrf(world.client, "/console/staff")
    added = await world.client.post(
        "/console/staff/add",
        data=[("csrf_token", token), ("username", "dan"), ("role", "agent"), ("queues", "hardship"),
              ("queues", "disputes"), ("password", "long enough secret")],
        allow_redirects=False,
    )  # fmt: skip
    assert added.status == 303
    dan = await StaffUser.get(username="dan")
    assert dan.queues == ["hardship", "disputes"]
    bad = await world.client.post("/console/staff/add", data={"csrf_token": token, "username": "eve", "role": "agent",
                                                              "password": "short"})  # fmt: skip
    assert bad.status == 422 and "at least 10" in await bad.text()
    await world.client.post("/console/staff/disable", data={"csrf_token": token, "username": "dan"})
    assert (await StaffUser.get(username="dan")).disabled
    created = await LogEntry.get(kind="staff.created", actor="staff:ada")
    assert "long enough secret" not in created.data


async def test_members_link_their_telegram_account(world: StaffWorld) -> None:
    await seed(world)
    await login(world.client, "amy")
    token = await page_csrf(world.client, "/console/account")
    saved = await world.client.post("/console/account/telegram", data={"csrf_token": token, "telegram_user_id": "777"})
    assert saved.status == 200 and "777" in await saved.text()
    assert (await StaffUser.get(username="amy")).telegram_user_id == 777
    bad = await world.client.post("/console/account/telegram", data={"csrf_token": token, "telegram_user_id": "me"})
    assert bad.status == 422
    away = await world.client.post("/console/account/available", data={"csrf_token": token, "available": "no"})
    assert away.status == 200 and not (await StaffUser.get(username="amy")).available


async def test_staff_issue_a_telegram_link_code_the_borrower_can_use(world: StaffWorld) -> None:
    from storage.models import LinkCode

    await seed(world)
    case = await open_for(world, "B1", "hardship")
    await login(world.client, "amy")
    token = await page_csrf(world.client)
    url = f"/console/cases/{case.id}"
    first = await world.client.post(f"{url}/link", data={"csrf_token": token})
    html = await first.text()
    assert first.status == 200 and "link code is ready" in html
    [code] = await LinkCode.filter(borrower__borrower_id="B1")
    assert f'<code id="link-code">{code.code}</code>' in html and code.issued_by == "staff:amy"
    await world.client.post(f"{url}/link", data={"csrf_token": token})
    assert await LinkCode.filter(borrower__borrower_id="B1").count() == 1  # the same code, not a new one each time
    refused = await world.client.post(f"{url}/link", data={})
    assert refused.status == 403  # no CSRF token, no code
