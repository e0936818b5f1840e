from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.api.openapi import document
from tests.api.conftest import AUTH

ROW: dict[str, Any] = {
    "borrower_id": "B002",
    "full_name": "Ana Ruiz",
    "phone": "(415) 555-0123",
    "telegram_chat_id": "987654321",
    "locale": "en",
    "timezone": "America/Los_Angeles",
    "preferred_channel": "telegram",
    "loan_id": "L002",
    "product": "auto",
    "currency": "USD",
    "installment_no": 3,
    "due_date": "2026-12-04",
    "amount_due": "350.00",
}


def row(**changes: Any) -> dict[str, Any]:
    return {**ROW, **changes}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/loans"),
        ("POST", "/api/v1/payments"),
        ("GET", "/api/v1/borrowers/B002"),
        ("GET", "/api/v1/loans/L002"),
    ],
)
@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic dGVzdA==", "Bearer "])
async def test_api_refuses_without_the_token(client: TestClient, method: str, path: str, header: str | None) -> None:  # type: ignore[type-arg]
    headers = {"Authorization": header} if header is not None else {}
    response = await client.request(method, path, headers=headers, json={})
    assert response.status == 401
    assert (await response.json())["error"] == "unauthorized"


async def test_upsert_then_read_loan_and_borrower(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.post(
        "/api/v1/loans", headers=AUTH, json={"rows": [row(), row(installment_no=4, due_date="2027-01-04")]}
    )
    assert response.status == 200
    body = await response.json()
    assert (body["borrowers"], body["loans"], body["installments"]) == (1, 1, 2)

    borrower = await (await client.get("/api/v1/borrowers/B002", headers=AUTH)).json()
    assert borrower["phone"] == "+14155550123"
    assert borrower["telegram_linked"] is True
    assert borrower["do_not_contact"] is False and borrower["restrictions"] == []
    assert set(borrower) >= {
        "borrower_id",
        "full_name",
        "phone",
        "locale",
        "timezone",
        "preferred_channel",
        "sms_opted_out",
        "telegram_linked",
        "telegram_opted_out",
        "do_not_contact",
        "restrictions",
    }

    loan = await (await client.get("/api/v1/loans/L002", headers=AUTH)).json()
    assert loan["status"] == "active"
    assert loan["installments"][0] == {
        "installment_no": 3,
        "due_date": "2026-12-04",
        "amount_due": "350.00",
        "amount_paid": "0.00",
        "status": "pending",
    }


async def test_bad_rows_are_reported_by_index_and_nothing_applied(client: TestClient) -> None:  # type: ignore[type-arg]
    rows = [
        row(loan_id="L100"),
        row(loan_id="L101", phone="12"),
        row(loan_id="L102", timezone="Nowhere/City"),
    ]
    response = await client.post("/api/v1/loans", headers=AUTH, json={"rows": rows})
    assert response.status == 422
    errors = (await response.json())["errors"]
    assert {(e["row"], e["field"]) for e in errors} == {(1, "phone"), (2, "timezone")}, errors
    missing = await client.get("/api/v1/loans/L100", headers=AUTH)
    assert missing.status == 404
    assert set(await missing.json()) == {"error", "message"}


async def test_payments_are_idempotent_by_id(client: TestClient) -> None:  # type: ignore[type-arg]
    await client.post("/api/v1/loans", headers=AUTH, json={"rows": [row()]})
    payment = {
        "payment_id": "P9",
        "loan_id": "L002",
        "amount": "100.00",
        "paid_at": "2026-12-01T10:00:00-08:00",
    }
    first = await client.post("/api/v1/payments", headers=AUTH, json=payment)
    assert first.status == 201
    again = await client.post("/api/v1/payments", headers=AUTH, json=payment)
    assert again.status == 200
    other = await client.post("/api/v1/payments", headers=AUTH, json={**payment, "amount": "90.00"})
    assert other.status == 409
    assert (await other.json())["error"] == "conflict"
    loan = await (await client.get("/api/v1/loans/L002", headers=AUTH)).json()
    assert loan["installments"][0]["amount_paid"] == "100.00"
    assert loan["installments"][0]["status"] == "partially_paid"
    unknown = await client.post(
        "/api/v1/payments", headers=AUTH, json={**payment, "payment_id": "P10", "loan_id": "NOPE"}
    )
    assert unknown.status == 404
    no_offset = await client.post(
        "/api/v1/payments",
        headers=AUTH,
        json={**payment, "payment_id": "P11", "paid_at": "2026-12-01T10:00:00"},
    )
    assert no_offset.status == 422


async def test_healthz_checks_the_database(client: TestClient, database_url: str) -> None:  # type: ignore[type-arg]
    response = await client.get("/healthz")
    assert response.status == 200
    assert (await response.json())["database"] == "ok"
    if not database_url.startswith("sqlite://"):
        return
    # The SQLite file gone (an open connection would keep answering "SELECT 1"): not healthy.
    import asyncio
    from pathlib import Path

    path = Path(database_url.removeprefix("sqlite://"))
    moved = path.with_suffix(".moved")
    await asyncio.to_thread(path.rename, moved)
    try:
        gone = await client.get("/healthz")
        assert gone.status == 503 and (await gone.json())["status"] == "error"
    finally:
        await asyncio.to_thread(moved.rename, path)
    assert (await client.get("/healthz")).status == 200


async def test_an_unexpected_failure_is_a_json_500(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[type-arg]
    import bot.api.loans

    async def broken(*args: object) -> None:
        raise OSError("disk I/O error")  # what a corrupted database file looks like from here

    monkeypatch.setattr(bot.api.loans, "loan_view", broken)
    response = await client.get("/api/v1/loans/L001", headers=AUTH)
    assert response.status == 500
    assert set(await response.json()) == {"error", "message"}


async def test_openapi_document_matches_the_routes(client: TestClient) -> None:  # type: ignore[type-arg]
    served = await (await client.get("/api/v1/openapi.json")).json()
    assert served == document()
    routes = {
        (r.method.lower(), r.resource.canonical)
        for r in client.app.router.routes()  # type: ignore[union-attr]
        if r.resource is not None
        and (r.resource.canonical.startswith("/api/v1") or r.resource.canonical == "/healthz")
        and r.method != "HEAD"
    }
    documented = {(m, p) for p, ops in served["paths"].items() for m in ops}
    assert routes == documented


async def test_an_undeclared_method_is_a_405_with_allow(client: TestClient) -> None:  # type: ignore[type-arg]
    for method, path, allowed in (
        ("TRACE", "/api/v1/loans", {"POST"}),
        ("DELETE", "/api/v1/loans/L002", {"GET", "HEAD"}),
        ("PUT", "/api/v1/borrowers/B1/restrictions/cease", {"DELETE"}),
    ):
        response = await client.request(method, path, headers=AUTH)
        assert response.status == 405, (method, path)
        assert set(response.headers["Allow"].replace(" ", "").split(",")) == allowed
        assert (await response.json())["error"] == "method_not_allowed"


async def test_a_field_of_another_json_type_is_a_422(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.post("/api/v1/loans", headers=AUTH, json={"rows": [row(full_name=["Ana"], product=7)]})
    assert response.status == 422
    errors = (await response.json())["errors"]
    assert {(e["row"], e["field"]) for e in errors} == {(0, "full_name"), (0, "product")}
    payment = {"payment_id": "P1", "loan_id": "L002", "amount": True, "paid_at": "2026-12-01T10:00:00Z"}
    refused = await client.post("/api/v1/payments", headers=AUTH, json=payment)
    assert refused.status == 422 and (await refused.json())["errors"][0]["field"] == "amount"
    # Numbers stay welcome where the document allows them.
    fine = await client.post("/api/v1/loans", headers=AUTH, json={"rows": [row(installment_no=3, amount_due=350)]})
    assert fine.status == 200


async def test_an_id_is_taken_as_written(client: TestClient) -> None:  # type: ignore[type-arg]
    # The id is the key the loan is read back by: white space around it is refused, not stripped.
    response = await client.post("/api/v1/loans", headers=AUTH, json={"rows": [row(loan_id=" L002\n")]})
    assert response.status == 422
    assert [e["field"] for e in (await response.json())["errors"]] == ["loan_id"]
    assert (await client.get("/api/v1/loans/%20L002%0A", headers=AUTH)).status == 404
