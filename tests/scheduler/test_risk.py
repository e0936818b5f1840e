"""The risk decisions without a database: buckets, the scorecard, the early-warning rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from config.policy import load_policy
from scheduler.buckets import bucket_for
from scheduler.early_warnings import (
    EarlyWarning,
    LoanFacts,
    LoanWatch,
    Payment,
    WarningFacts,
    early_warnings,
    watch_next,
)
from scheduler.risk import BorrowerSignals, assess

POLICY = load_policy()
NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
SH = "Asia/Shanghai"


def warning(level: str, signal: str = "x") -> EarlyWarning:
    return EarlyWarning(signal, level, NOW, "")


@pytest.mark.parametrize(
    ("dpd", "bucket"),
    [(-3, "current"), (0, "current"), (1, "1-30"), (30, "1-30"), (31, "31-60"), (60, "31-60"), (61, "61-90"),
     (90, "61-90"), (91, "91+"), (400, "91+")],
)  # fmt: skip
def test_buckets(dpd: int, bucket: str) -> None:
    assert bucket_for(dpd) == bucket


@pytest.mark.parametrize(
    ("signals", "tier", "score", "reasons"),
    [
        (BorrowerSignals(), "A", 0, {}),
        (BorrowerSignals(dpd=30), "A", 20, {"overdue_early": 20}),
        (BorrowerSignals(dpd=31), "B", 55, {"overdue_middle": 40, "worst_overdue_middle": 15}),
        (BorrowerSignals(dpd=91), "C", 115, {"overdue_late": 100, "worst_overdue_middle": 15}),
        (BorrowerSignals(worst_dpd=45), "A", 15, {"worst_overdue_middle": 15}),
        (BorrowerSignals(late_payments=9), "A", 20, {"late_payments": 20}),  # capped at four
        (BorrowerSignals(broken_promises=5), "B", 30, {"broken_promises": 30}),  # capped at three
        (BorrowerSignals(promises_checked=2, promises_kept=0), "A", 10, {"promise_kept_rate_low": 10}),
        (BorrowerSignals(promises_checked=1, promises_kept=0), "A", 0, {}),  # too few to judge
        (BorrowerSignals(promises_checked=4, promises_kept=2), "A", 0, {}),  # half kept is not below half
        (BorrowerSignals(open_hardship=True, open_dispute=True), "A", 25, {"open_hardship": 15, "open_dispute": 10}),
        (BorrowerSignals(open_complaint=True), "A", 5, {"open_complaint": 5}),
        (BorrowerSignals(contact_lost=True, wrong_number=True), "A", 20, {"contact_lost": 10, "wrong_number": 10}),
        (BorrowerSignals(warnings=(warning("yellow"), warning("yellow", "y"))), "A", 10, {"warning_yellow": 10}),
        (BorrowerSignals(warnings=(warning("orange"),)), "B", 30, {"warning_orange": 30}),
        (BorrowerSignals(warnings=(warning("red"),)), "C", 60, {"warning_red": 60}),
        (BorrowerSignals(dpd=5, late_payments=1, warnings=(warning("yellow"),)), "B", 30,
         {"overdue_early": 20, "late_payments": 5, "warning_yellow": 5}),
    ],
)  # fmt: skip
def test_the_scorecard(signals: BorrowerSignals, tier: str, score: int, reasons: dict[str, int]) -> None:
    found = assess(signals, POLICY)
    assert (found.tier, found.score, {r.signal: r.points for r in found.reasons}) == (tier, score, reasons)
    # The reasons come in the scorecard's order and add up to the score.
    assert sum(r.points for r in found.reasons) == found.score


def payments(*amounts: str) -> tuple[Payment, ...]:
    """Newest first, a day apart."""
    return tuple(Payment(NOW - timedelta(days=n), Decimal(a)) for n, a in enumerate(amounts))


def loan(*amounts: str, installment: str = "100.00", first_unpaid: date | None = None) -> LoanFacts:
    return LoanFacts("L1", Decimal(installment), payments(*amounts), first_unpaid)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (WarningFacts(NOW, SH), {}),
        (WarningFacts(NOW, SH, (loan("300", "400", "500"),)), {"declining_payments": "yellow"}),
        (WarningFacts(NOW, SH, (loan("300", "400", "400"),)), {}),  # not each smaller
        (WarningFacts(NOW, SH, (loan("300", "400"),)), {}),  # only two
        (WarningFacts(NOW, SH, (loan("60", "50", installment="100"),)), {"partial_payments": "yellow"}),
        (WarningFacts(NOW, SH, (loan("60", "100", installment="100"),)), {}),
        (WarningFacts(NOW, SH, (loan(first_unpaid=date(2026, 11, 25)),)), {"first_payment_default": "orange"}),
        (WarningFacts(NOW, SH, (loan(first_unpaid=date(2026, 11, 26)),)), {}),  # 6 days
        (WarningFacts(NOW, SH, broken_promises_at=(NOW - timedelta(days=1),)), {}),
        (WarningFacts(NOW, SH, broken_promises_at=(NOW, NOW - timedelta(days=89))), {"broken_promises": "orange"}),
        (WarningFacts(NOW, SH, broken_promises_at=(NOW, NOW - timedelta(days=91))), {}),
        (WarningFacts(NOW, SH, broken_promises_at=(NOW,) * 3), {"broken_promises": "red"}),
        (WarningFacts(NOW, SH, contact_lost=True), {"contact_lost": "orange"}),
        (WarningFacts(NOW, SH, last_hardship_at=NOW - timedelta(days=14)), {"hardship_then_silence": "red"}),
        (WarningFacts(NOW, SH, last_hardship_at=NOW - timedelta(days=13)), {}),
        (WarningFacts(NOW, SH, last_hardship_at=NOW - timedelta(days=20),
                      last_reply_at=NOW - timedelta(days=19)), {}),
        (WarningFacts(NOW, SH, last_hardship_at=NOW - timedelta(days=20),
                      last_payment_at=NOW - timedelta(days=1)), {}),
    ],
)  # fmt: skip
def test_the_warning_rules(facts: WarningFacts, expected: dict[str, str]) -> None:
    assert {w.signal: w.level for w in early_warnings(facts, POLICY.warnings)} == expected


def test_a_rule_can_be_turned_off() -> None:
    from config.policy import deep_merge, parse_policy

    data = deep_merge(POLICY.model_dump(mode="json"), {"warnings": {"contact_lost": {"enabled": False}}})
    data["windows"] = {}  # the dump's times are not the file's "HH:MM" text; the defaults will do
    policy = parse_policy(data)
    assert early_warnings(WarningFacts(NOW, SH, contact_lost=True), policy.warnings) == ()


@pytest.mark.parametrize(
    ("previous", "bucket", "expected"),
    [
        (None, "91+", LoanWatch("91+")),  # first sight is no jump
        (LoanWatch("current"), "1-30", LoanWatch("1-30")),
        (LoanWatch("current"), "31-60", LoanWatch("31-60", "current", "31-60", NOW)),
        (LoanWatch("1-30"), "91+", LoanWatch("91+", "1-30", "91+", NOW)),
        # A jump stays while the loan stays at or above the bucket it jumped to...
        (LoanWatch("31-60", "current", "31-60", NOW - timedelta(days=3)), "61-90",
         LoanWatch("61-90", "current", "31-60", NOW - timedelta(days=3))),
        # ...and ends when it falls back below it.
        (LoanWatch("31-60", "current", "31-60", NOW - timedelta(days=3)), "1-30", LoanWatch("1-30")),
    ],
)  # fmt: skip
def test_loan_watch(previous: LoanWatch | None, bucket: str, expected: LoanWatch) -> None:
    assert watch_next(previous, bucket, NOW, 2) == expected
