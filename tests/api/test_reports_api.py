"""``GET /api/v1/reports``: the same report as ``duebot report``, JSON, documented in the OpenAPI file."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from tests.api.conftest import AUTH
from tests.reports.test_report_figures import EXPECTED, build_book


async def test_the_report_of_a_period(client: TestClient) -> None:  # type: ignore[type-arg]
    await build_book()
    response = await client.get("/api/v1/reports?since=2026-11-01&until=2026-11-30&by=tier", headers=AUTH)
    assert response.status == 200
    body = await response.json()
    assert body["overall"] == EXPECTED
    assert [g["key"] for g in body["groups"]] == [{"tier": "B"}, {"tier": "C"}]
    assert "series" not in body


async def test_defaults_are_the_thirty_days_up_to_yesterday(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/api/v1/reports", headers=AUTH)  # the client's clock: 2 December 2026
    body = await response.json()
    assert (body["since"], body["until"]) == ("2026-11-02", "2026-12-01")
    assert body["overall"]["loans_outstanding"] == 0 and body["overall"]["overdue_rate"] is None


async def test_series_by_month(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/api/v1/reports?since=2026-10-15&until=2026-11-30&every=month", headers=AUTH)
    body = await response.json()
    assert [(s["start"], s["end"]) for s in body["series"]] == [
        ("2026-10-15", "2026-10-31"),
        ("2026-11-01", "2026-11-30"),
    ]


async def test_bad_parameters_are_400_with_a_reason(client: TestClient) -> None:  # type: ignore[type-arg]
    for query, why in [
        ("since=2026-12-01&until=2026-11-01", "is after"),
        ("by=region", "unknown by 'region'"),
        ("every=year", "unknown every"),
        ("since=soon", "not a date"),
        ("colour=red", "unknown parameter 'colour'"),
    ]:
        response = await client.get(f"/api/v1/reports?{query}", headers=AUTH)
        assert response.status == 400, query
        body = await response.json()
        assert body["error"] == "bad_request" and why in body["message"], body


async def test_needs_the_token(client: TestClient) -> None:  # type: ignore[type-arg]
    assert (await client.get("/api/v1/reports")).status == 401
