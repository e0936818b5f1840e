"""GET /api/v1/borrowers/{id} carries the borrower's risk tier, score, reasons and early warnings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from bot.api.openapi import document
from config.policy import load_policy
from scheduler.risk_pass import RiskReview
from storage.interaction_log import InteractionLog
from storage.models import Borrower
from tests.api.conftest import AUTH, NOW
from tests.api.test_loans_api import row
from tests.conftest import SECRET


async def test_risk_is_null_until_scored_then_the_tier_reasons_and_warnings(client: TestClient) -> None:  # type: ignore[type-arg]
    overdue = (NOW - timedelta(days=40)).date().isoformat()
    assert (await client.post("/api/v1/loans", headers=AUTH, json={"rows": [row(due_date=overdue)]})).status == 200
    borrower = await (await client.get("/api/v1/borrowers/B002", headers=AUTH)).json()
    assert borrower["risk"] == {"tier": None, "score": None, "reasons": [], "warnings": []}

    await Borrower.filter(borrower_id="B002").update(phone_wrong=True, telegram_usable=False)
    await RiskReview(load_policy(), InteractionLog(SECRET)).run(NOW)
    borrower = await (await client.get("/api/v1/borrowers/B002", headers=AUTH)).json()
    risk = borrower["risk"]
    assert (risk["tier"], risk["score"]) == ("C", 40 + 15 + 10 + 10 + 30 + 30)
    assert risk["reasons"] == [
        {"signal": "overdue_middle", "points": 40},
        {"signal": "worst_overdue_middle", "points": 15},
        {"signal": "contact_lost", "points": 10},
        {"signal": "wrong_number", "points": 10},
        {"signal": "warning_orange", "points": 30 + 30},
    ]
    assert [(w["signal"], w["level"]) for w in risk["warnings"]] == [
        ("first_payment_default", "orange"),
        ("contact_lost", "orange"),
    ]
    assert all(set(w) == {"signal", "level", "since", "detail"} for w in risk["warnings"])
    # As documented.
    schemas: dict[str, Any] = document()["components"]["schemas"]
    assert "risk" in schemas["Borrower"]["required"]
    assert set(risk) == set(schemas["Risk"]["required"])
    assert risk["tier"] in schemas["Risk"]["properties"]["tier"]["enum"]
