"""The case page's risk panel: the borrower's tier, score, the scorecard's reasons and the early
warnings, in plain English (the codes stay in the API)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

TIER_LABELS = {"A": "A — good", "B": "B — watch", "C": "C — high risk"}
REASON_LABELS = {
    "overdue_early": "Overdue now (early stage)",
    "overdue_middle": "Overdue now (middle stage)",
    "overdue_late": "Overdue now (late stage)",
    "worst_overdue_middle": "Reached the middle stage in recent months",
    "late_payments": "Installments paid late in the last year",
    "broken_promises": "Broken promises in recent months",
    "promise_kept_rate_low": "Keeps few of their promises",
    "open_hardship": "Open hardship case",
    "open_dispute": "Open dispute",
    "open_complaint": "Open complaint",
    "contact_lost": "No channel can reach them",
    "wrong_number": "Phone number is someone else's",
    "warning_yellow": "Yellow early warnings",
    "warning_orange": "Orange early warnings",
    "warning_red": "Red early warnings",
}
WARNING_LABELS = {
    "declining_payments": "Payments getting smaller",
    "partial_payments": "Paying less than an installment",
    "broken_promises": "Broken promises",
    "first_payment_default": "First installment unpaid",
    "dpd_jump": "Jumped days-past-due buckets",
    "contact_lost": "Contact lost",
    "hardship_then_silence": "Silent after reporting hardship",
}


@dataclass(frozen=True, slots=True)
class RiskPanel:
    tier: str | None
    tier_label: str
    score: int | None
    reasons: list[tuple[str, int]]  # (label, points)
    warnings: list[dict[str, Any]]  # level, label, since (an instant), detail


def risk_panel(risk: dict[str, Any]) -> RiskPanel:
    """``risk`` as ``storage.views.risk_view`` gives it."""
    tier = risk["tier"]
    return RiskPanel(
        tier=tier,
        tier_label=TIER_LABELS.get(tier, tier) if tier else "not scored yet",
        score=risk["score"],
        reasons=[(REASON_LABELS.get(r["signal"], r["signal"]), r["points"]) for r in risk["reasons"]],
        warnings=[
            {
                "level": w["level"],
                "label": WARNING_LABELS.get(w["signal"], w["signal"]),
                "since": datetime.fromisoformat(w["since"]),
                "detail": w["detail"],
            }
            for w in risk["warnings"]
        ],
    )
