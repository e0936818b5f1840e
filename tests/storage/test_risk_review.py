"""The daily risk review over a real database (SQLite, and PostgreSQL when configured): each early
warning and each tier band from a history built through the service's own functions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from config.policy import Policy
from scheduler.promises import PromiseCheck
from scheduler.risk_pass import RiskReview
from storage.case_actions import record_promise
from storage.cases import open_case
from storage.importer import import_loan_rows, import_payment_rows
from storage.interaction_log import InteractionLog
from storage.loanbook import parse_loans_csv, parse_payments_csv
from storage.models import Borrower, Case, Loan, LogEntry, Message
from storage.risk_rows import risk_of
from tests.conftest import SECRET
from tests.flows.conftest import HEADER, fast_policy

# 12:00 in Shanghai, Wednesday 2 December 2026.
NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
ZONE = "Asia/Shanghai"


@dataclass
class Book:
    policy: Policy
    log: InteractionLog

    async def loans(self, *rows: str, at: datetime = NOW - timedelta(days=200)) -> None:
        """Rows ``borrower,loan,installment_no,due_date,amount`` in Shanghai, CNY."""
        lines = []
        for row in rows:
            bid, loan, no, due, amount = row.split(",")
            phone = f"+86138001{abs(hash(bid)) % 100000:05d}"
            lines.append(f"{bid},Name {bid},{phone},,zh,{ZONE},sms,{loan},consumer,CNY,{no},{due},{amount}\n")
        parsed = parse_loans_csv(HEADER + "".join(lines))
        assert parsed.errors == [], parsed.errors
        await import_loan_rows(parsed.rows, now=at, log=self.log)

    async def pay(self, *rows: str) -> None:
        """Rows ``payment_id,loan,amount,paid_at``."""
        parsed = parse_payments_csv("payment_id,loan_id,amount,paid_at\n" + "".join(f"{r}\n" for r in rows))
        assert parsed.errors == [], parsed.errors
        await import_payment_rows(parsed.rows, now=NOW - timedelta(days=1), log=self.log)

    async def review(self, at: datetime = NOW) -> dict[str, int]:
        return await RiskReview(self.policy, self.log).run(at)

    async def risk(self, borrower_id: str) -> dict[str, Any]:
        borrower = await Borrower.get(borrower_id=borrower_id)
        found = await risk_of(borrower.id)
        assert found is not None, f"{borrower_id} was not scored"
        return found

    async def case(self, borrower_id: str, kind: str, at: datetime) -> Case:
        borrower = await Borrower.get(borrower_id=borrower_id)
        case, _ = await open_case(borrower=borrower, kind=kind, now=at, policy=self.policy, log=self.log)
        await case.fetch_related("borrower")
        return case

    async def broken_promise(self, borrower_id: str, loan_id: str, made: datetime) -> None:
        """A promise for the next day, checked (and found broken) three days after it was made."""
        case = await self.case(borrower_id, "promise_review", made)
        loan = await Loan.get(loan_id=loan_id)
        day = made.astimezone(UTC).date() + timedelta(days=1)
        await record_promise(case, loan, day, Decimal("100.00"), now=made, log=self.log, actor="test")
        assert (await PromiseCheck(self.policy, self.log)(made + timedelta(days=3)))["broken"] == 1

    async def hardship_reply(self, borrower_id: str, at: datetime, intent: str = "hardship") -> None:
        borrower = await Borrower.get(borrower_id=borrower_id)
        await Message.create(
            borrower=borrower, direction="in", channel="sms", kind="inbound", status="handled",
            body="I lost my job", intent=intent, created_at=at, updated_at=at,
        )  # fmt: skip


@pytest.fixture
async def book(db: str) -> Book:
    return Book(fast_policy(), InteractionLog(SECRET))


def signals(risk: dict[str, Any]) -> dict[str, int]:
    return {r["signal"]: r["points"] for r in risk["reasons"]}


def warned(risk: dict[str, Any]) -> dict[str, str]:
    return {w["signal"]: w["level"] for w in risk["warnings"]}


# --- tier bands -------------------------------------------------------------------------------------


async def test_no_history_and_nothing_overdue_is_a(book: Book) -> None:
    await book.loans("B1,L1,1,2026-12-20,500.00")
    result = await book.review()
    assert result["reviewed"] == 1
    risk = await book.risk("B1")
    assert (risk["tier"], risk["score"], risk["reasons"], risk["warnings"]) == ("A", 0, [], [])
    # A first tier is the baseline, not a change: not logged.
    assert not await LogEntry.filter(chain="borrower:B1", kind="risk.tier_changed").exists()


@pytest.mark.parametrize(
    ("due", "tier", "reasons"),
    [
        ("2026-11-22", "A", {"overdue_early": 20}),  # 10 days past due
        ("2026-10-23", "B", {"overdue_middle": 40, "worst_overdue_middle": 15}),  # 40 days
        ("2026-08-30", "C", {"overdue_late": 100, "worst_overdue_middle": 15}),  # 94 days
    ],
)
async def test_each_band_by_days_past_due(book: Book, due: str, tier: str, reasons: dict[str, int]) -> None:
    # A second installment paid on time keeps the first-payment warning out of the picture.
    await book.loans("B1,L1,1,2026-06-01,100.00", f"B1,L1,2,{due},100.00")
    await book.pay("P1,L1,100.00,2026-06-01T02:00:00Z")
    await book.review()
    risk = await book.risk("B1")
    assert (risk["tier"], signals(risk), risk["warnings"]) == (tier, reasons, [])
    assert risk["score"] == sum(reasons.values())


async def test_a_change_of_tier_is_logged_in_the_borrowers_chain(book: Book) -> None:
    await book.loans("B1,L1,1,2026-06-01,100.00", "B1,L1,2,2026-11-30,100.00")
    await book.pay("P1,L1,100.00,2026-06-01T02:00:00Z")
    await book.review()
    assert (await book.risk("B1"))["tier"] == "A"
    result = await book.review(NOW + timedelta(days=92))  # 94 days past due
    assert result["tier_changed"] == 1
    entries = await LogEntry.filter(chain="borrower:B1", kind="risk.tier_changed").values_list("data", flat=True)
    assert len(entries) == 1
    data = json.loads(entries[0])
    # 100 + 15 for the days past due, 30 for the jump from current to 91+ (an orange warning).
    assert (data["from"], data["to"], data["score"]) == ("A", "C", 145)
    assert {"signal": "overdue_late", "points": 100} in data["reasons"]
    assert {"signal": "warning_orange", "points": 30} in data["reasons"]
    assert (await book.review(NOW + timedelta(days=93)))["tier_changed"] == 0


async def test_late_payments_and_open_cases_add_up(book: Book) -> None:
    rows = [f"B1,L1,{n},2026-{n + 5:02d}-01,100.00" for n in range(1, 7)] + ["B1,L1,7,2026-12-20,100.00"]
    await book.loans(*rows)
    # Six installments, each paid three days late (one more than the cap of four counts).
    await book.pay(*(f"P{n},L1,100.00,2026-{n + 5:02d}-04T02:00:00Z" for n in range(1, 7)))
    await book.case("B1", "complaint", NOW - timedelta(days=1))
    await book.case("B1", "dispute", NOW - timedelta(days=1))
    await book.case("B1", "hardship", NOW - timedelta(days=1))
    await book.review()
    risk = await book.risk("B1")
    assert signals(risk) == {"late_payments": 20, "open_hardship": 15, "open_dispute": 10, "open_complaint": 5}
    assert (risk["tier"], risk["score"]) == ("B", 50)


# --- early warnings ---------------------------------------------------------------------------------


async def test_declining_payments(book: Book) -> None:
    await book.loans(*(f"B1,L1,{n},2026-{n + 8:02d}-01,100.00" for n in range(1, 5)), "B1,L1,5,2026-12-20,1000.00")
    await book.pay(
        "P1,L1,500.00,2026-09-01T02:00:00Z", "P2,L1,400.00,2026-10-01T02:00:00Z", "P3,L1,300.00,2026-11-01T02:00:00Z"
    )
    await book.review()
    risk = await book.risk("B1")
    assert warned(risk) == {"declining_payments": "yellow"}
    warning = risk["warnings"][0]
    assert warning["since"] == "2026-11-01T02:00:00+00:00"
    assert "500.00, 400.00, 300.00" in warning["detail"]
    assert (risk["tier"], signals(risk)) == ("A", {"warning_yellow": 5})


async def test_partial_payments(book: Book) -> None:
    await book.loans("B1,L1,1,2026-11-01,1000.00", "B1,L1,2,2026-12-20,1000.00")
    await book.pay("P1,L1,400.00,2026-10-25T02:00:00Z", "P2,L1,500.00,2026-10-30T02:00:00Z")
    await book.review(datetime(2026, 10, 31, 4, tzinfo=UTC))
    risk = await book.risk("B1")
    assert warned(risk) == {"partial_payments": "yellow"}
    assert "each below one installment (1000.00)" in risk["warnings"][0]["detail"]
    assert (risk["tier"], signals(risk)) == ("A", {"warning_yellow": 5})


async def test_two_broken_promises_are_orange_three_red_with_one_case(book: Book) -> None:
    await book.loans("B1,L1,1,2026-12-20,1000.00")
    await book.broken_promise("B1", "L1", datetime(2026, 10, 10, 4, tzinfo=UTC))
    await book.broken_promise("B1", "L1", datetime(2026, 10, 20, 4, tzinfo=UTC))
    await book.review()
    risk = await book.risk("B1")
    assert warned(risk) == {"broken_promises": "orange"}
    assert risk["warnings"][0]["since"] == "2026-10-23T04:00:00+00:00"  # found broken the second time
    # Two promises checked, none kept: the kept rate is low too.
    expected = {"broken_promises": 20, "promise_kept_rate_low": 10, "warning_orange": 30}
    assert (risk["tier"], risk["score"], signals(risk)) == ("C", 60, expected)
    assert await Case.filter(kind="early_warning").count() == 0

    await book.broken_promise("B1", "L1", datetime(2026, 11, 1, 4, tzinfo=UTC))
    result = await book.review(NOW + timedelta(days=1))
    risk = await book.risk("B1")
    assert warned(risk) == {"broken_promises": "red"}
    expected = {"broken_promises": 30, "promise_kept_rate_low": 10, "warning_red": 60}
    assert (risk["tier"], signals(risk)) == ("C", expected)
    assert result["early_warning.opened"] == 1
    case = await Case.get(kind="early_warning")
    assert (case.queue, case.priority) == ("collections", "high")
    # The next day's review finds the same red warning: no second case, nothing added.
    result = await book.review(NOW + timedelta(days=2))
    assert "early_warning.opened" not in result and "early_warning.added" not in result
    assert await Case.filter(kind="early_warning").count() == 1


async def test_first_payment_default(book: Book) -> None:
    await book.loans("B1,L1,1,2026-11-25,100.00", "B1,L1,2,2026-12-25,100.00")
    await book.review(datetime(2026, 11, 30, 4, tzinfo=UTC))  # 5 days past due: not yet
    assert (await book.risk("B1"))["warnings"] == []
    await book.review()  # 7 days past due
    risk = await book.risk("B1")
    assert warned(risk) == {"first_payment_default": "orange"}
    assert risk["warnings"][0]["since"] == "2026-12-02T00:00:00+08:00"
    assert (risk["tier"], signals(risk)) == ("B", {"overdue_early": 20, "warning_orange": 30})


async def test_dpd_jump_of_two_buckets_holds_until_the_loan_falls_back(book: Book) -> None:
    await book.loans("B1,L1,1,2026-10-15,100.00", "B1,L1,2,2026-11-15,100.00", "B1,L1,3,2027-01-15,100.00")
    await book.pay("P1,L1,100.00,2026-10-15T02:00:00Z")
    await book.review(datetime(2026, 11, 10, 4, tzinfo=UTC))  # current
    assert (await book.risk("B1"))["warnings"] == []
    jumped = datetime(2026, 12, 20, 4, tzinfo=UTC)  # 35 days past due: 31-60, two buckets up
    await book.review(jumped)
    risk = await book.risk("B1")
    assert warned(risk) == {"dpd_jump": "orange"}
    assert risk["warnings"][0]["since"] == jumped.isoformat()
    assert "from current to 31-60" in risk["warnings"][0]["detail"]
    assert (risk["tier"], signals(risk)) == (
        "C",
        {"overdue_middle": 40, "worst_overdue_middle": 15, "warning_orange": 30},
    )
    await book.review(jumped + timedelta(days=1))  # still 31-60: the warning stays
    assert warned(await book.risk("B1")) == {"dpd_jump": "orange"}
    await book.pay("P2,L1,100.00,2026-12-21T05:00:00Z")
    await book.review(jumped + timedelta(days=2))  # cured
    risk = await book.risk("B1")
    assert risk["warnings"] == []
    assert signals(risk) == {"worst_overdue_middle": 15, "late_payments": 5}


async def test_dpd_jump_of_one_bucket_is_no_warning(book: Book) -> None:
    await book.loans("B1,L1,1,2026-06-15,100.00", "B1,L1,2,2026-11-15,100.00")
    await book.pay("P1,L1,100.00,2026-06-15T02:00:00Z")
    await book.review(datetime(2026, 11, 20, 4, tzinfo=UTC))  # 1-30
    await book.review(datetime(2026, 12, 20, 4, tzinfo=UTC))  # 31-60
    assert (await book.risk("B1"))["warnings"] == []


async def test_contact_lost_and_wrong_number(book: Book) -> None:
    await book.loans("B1,L1,1,2026-12-20,100.00")
    await Borrower.filter(borrower_id="B1").update(phone_wrong=True)
    await book.review()
    risk = await book.risk("B1")
    assert warned(risk) == {"contact_lost": "orange"}
    assert risk["warnings"][0]["since"] == NOW.isoformat()
    assert (risk["tier"], signals(risk)) == ("B", {"contact_lost": 10, "wrong_number": 10, "warning_orange": 30})
    await book.review(NOW + timedelta(days=1))  # since: when first seen, kept
    assert (await book.risk("B1"))["warnings"][0]["since"] == NOW.isoformat()


async def test_hardship_then_silence_is_red_and_opens_one_case(book: Book) -> None:
    await book.loans("B1,L1,1,2026-12-20,100.00", "B2,L2,1,2026-12-20,100.00", "B3,L3,1,2026-12-20,100.00")
    wrote = NOW - timedelta(days=15)
    for bid in ("B1", "B2", "B3"):
        await book.hardship_reply(bid, wrote)
    await book.hardship_reply("B2", wrote + timedelta(days=3), intent="question")  # B2 wrote again
    await book.loans("B3,L3,2,2026-12-30,100.00")
    await book.pay("P3,L3,50.00," + (wrote + timedelta(days=2)).isoformat())  # B3 paid something
    result = await book.review()
    risk = await book.risk("B1")
    assert warned(risk) == {"hardship_then_silence": "red"}
    assert risk["warnings"][0]["since"] == (wrote + timedelta(days=14)).isoformat()
    assert (risk["tier"], signals(risk)) == ("C", {"warning_red": 60})
    assert (await book.risk("B2"))["warnings"] == [] and (await book.risk("B3"))["warnings"] == []
    assert result["early_warning.opened"] == 1
    await book.review()  # the same day again
    await book.review(NOW + timedelta(days=1))
    cases = await Case.filter(kind="early_warning").prefetch_related("borrower")
    assert [c.borrower.borrower_id for c in cases] == ["B1"]  # type: ignore[union-attr]


async def test_not_yet_silent_for_long_enough(book: Book) -> None:
    await book.loans("B1,L1,1,2026-12-20,100.00")
    await book.hardship_reply("B1", NOW - timedelta(days=13))
    await book.review()
    assert (await book.risk("B1"))["warnings"] == []


async def test_the_step_runs_once_per_servicing_day(book: Book) -> None:
    await book.loans("B1,L1,1,2026-12-20,100.00")
    step = RiskReview(book.policy, book.log)
    assert (await step(NOW))["reviewed"] == 1
    assert await step(NOW + timedelta(hours=5)) == {}  # 17:00 in Shanghai, the same date
    assert (await step(NOW + timedelta(hours=20)))["reviewed"] == 1  # the next date there
    assert date.fromisoformat("2026-12-03") == (NOW + timedelta(hours=20)).date()
