"""``duebot report`` over a small book whose every indicator is worked out by hand below.

November 2026, reported in Asia/Shanghai (the default ``sla.timezone``). States are taken at
the end of 31 October ("start") and of 30 November ("end"), each in the borrower's own zone.

- L1 (B1, USD): 100 due 20 Oct, 100 due 20 Nov, nothing paid. 11 days past due at the start
  (1-30), 41 at the end (31-60): it rolls. Overdue 100 then 200.
- L2 (B2, USD): 50 due 25 Oct, 50 due 25 Dec; 50 paid 10 Nov settles the overdue one: it cures.
- L3 (B3, CNY): 300 due 15 Nov; 100 paid 14 Nov (a partial payment, before the due date, so
  nothing recovered). Current at the start, 15 days past due at the end with 200 overdue.
- L4 (B4, CNY, New York): 500 due 10 Dec: current throughout.
- L5 (B5, USD): 80 due 1 Oct, paid 30 Sep: paid off throughout.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from scheduler.portfolio import ReportRequest, bucket_for
from scheduler.report import build_report
from storage.importer import import_loan_rows, import_payment_rows
from storage.interaction_log import InteractionLog, LogEvent
from storage.loanbook import parse_loans_csv, parse_payments_csv
from storage.models import Borrower, BorrowerRisk, Case, Message, Promise
from tests.conftest import SECRET
from tests.dispatch.support import make_policy
from tests.flows.conftest import HEADER

BOOK = HEADER + (
    "B1,Li Wei,+8613800138001,,zh,Asia/Shanghai,sms,L1,consumer,USD,1,2026-10-20,100.00\n"
    "B1,Li Wei,+8613800138001,,zh,Asia/Shanghai,sms,L1,consumer,USD,2,2026-11-20,100.00\n"
    "B2,Wang Fang,+8613800138002,22,zh,Asia/Shanghai,telegram,L2,auto,USD,1,2026-10-25,50.00\n"
    "B2,Wang Fang,+8613800138002,22,zh,Asia/Shanghai,telegram,L2,auto,USD,2,2026-12-25,50.00\n"
    "B3,Zhang Min,+8613800138003,,zh,Asia/Shanghai,sms,L3,consumer,CNY,1,2026-11-15,300.00\n"
    "B4,Ana Ruiz,+12125550104,,en,America/New_York,sms,L4,consumer,CNY,1,2026-12-10,500.00\n"
    "B5,Sam Lee,+12125550105,,en,America/New_York,sms,L5,consumer,USD,1,2026-10-01,80.00\n"
)
PAYMENTS = (
    "payment_id,loan_id,amount,paid_at\n"
    "P2,L2,50.00,2026-11-10T10:00:00+08:00\n"
    "P3,L3,100.00,2026-11-14T10:00:00+08:00\n"
    "P5,L5,80.00,2026-09-30T10:00:00-04:00\n"
)
NOVEMBER = ReportRequest(date(2026, 11, 1), date(2026, 11, 30))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


async def build_book() -> None:
    log = InteractionLog(SECRET)
    loans = parse_loans_csv(BOOK)
    assert loans.errors == []
    await import_loan_rows(loans.rows, now=at("2026-09-01T00:00:00+00:00"), log=log)
    payments = parse_payments_csv(PAYMENTS)
    assert payments.errors == []
    await import_payment_rows(payments.rows, now=at("2026-11-15T00:00:00+00:00"), log=log)
    b = {x.borrower_id: x for x in await Borrower.all()}

    async def message(who: str, channel: str, status: str, sent: str, tier: str | None, direction: str = "out") -> None:
        when = at(sent)
        await Message.create(
            borrower=b[who] if who else None,
            direction=direction,
            channel=channel,
            kind="reminder" if tier else ("inbound" if direction == "in" else "answer"),
            tier=tier,
            status=status,
            sent_at=when if direction == "out" else None,
            created_at=when,
            updated_at=when,
        )

    await message("B1", "sms", "delivered", "2026-11-21T10:00:00+08:00", "D+1")
    await message("B2", "telegram", "sent", "2026-11-05T10:00:00+08:00", "T-3")
    await message("B3", "sms", "undelivered", "2026-11-13T10:00:00+08:00", "T-1")
    await message("B2", "sms", "delivered", "2026-11-10T11:00:00+08:00", None)  # an answer: sent, not a reminder
    await message("", "telegram", "sent", "2026-11-10T11:00:00+08:00", None)  # the staff chat: not counted
    await message("B1", "sms", "delivered", "2026-10-30T10:00:00+08:00", "D+10")  # before the period
    await message("B1", "sms", "received", "2026-11-22T09:00:00+08:00", None, direction="in")  # within 72 h
    await message("B3", "sms", "received", "2026-11-20T09:00:00+08:00", None, direction="in")  # too late

    await Promise.create(
        borrower=b["B2"], promised_date=date(2026, 11, 10), amount="50.00", status="kept",
        created_at=at("2026-11-05T12:00:00+08:00"), settled_at=at("2026-11-11T09:00:00+08:00"),
    )  # fmt: skip
    await Promise.create(
        borrower=b["B1"], promised_date=date(2026, 11, 8), amount="100.00", status="broken",
        created_at=at("2026-11-02T12:00:00+08:00"), settled_at=at("2026-11-09T09:00:00+08:00"),
    )  # fmt: skip
    await log.append(
        LogEvent(
            "borrower.contact_changed",
            at("2026-11-20T09:00:00+08:00"),
            "B3",
            data={"field": "sms_opted_out", "value": True, "because": "the borrower asked to stop"},
        )
    )
    await log.append(
        LogEvent(
            "borrower.contact_changed",
            at("2026-11-21T09:00:00+08:00"),
            "B3",
            data={"field": "telegram_usable", "value": True, "because": "wrote again"},
        )
    )  # not an opt-out

    async def case(ref: str, who: str, kind: str, opened: str, **times: str) -> None:
        await Case.create(
            reference=ref, borrower=b[who], kind=kind, queue="complaints" if kind == "complaint" else "collections",
            status="resolved" if "resolved_at" in times else "open", opened_at=at(opened),
            **{name: at(value) for name, value in times.items()},
        )  # fmt: skip

    # Answered a day late, resolved in time.
    await case(
        "C-1", "B4", "complaint", "2026-11-03T10:00:00+08:00",
        first_response_due="2026-11-04T18:00:00+08:00", first_response_at="2026-11-05T10:00:00+08:00",
        resolve_due="2026-11-18T10:00:00+08:00", resolved_at="2026-11-10T10:00:00+08:00",
    )  # fmt: skip
    # Never answered: overdue and open at the end.
    await case("C-2", "B3", "complaint", "2026-11-25T10:00:00+08:00", first_response_due="2026-11-26T18:00:00+08:00")
    await case(
        "C-3", "B1", "broken_promise", "2026-11-10T10:00:00+08:00", first_response_at="2026-11-10T14:00:00+08:00"
    )
    await BorrowerRisk.create(borrower_id=b["B1"].id, tier="C", score=80, computed_at=at("2026-11-30T00:00:00+00:00"))


EXPECTED: dict[str, Any] = {
    "loans_outstanding": 4,
    "loans_overdue": 2,
    "overdue_rate": 0.5,
    "outstanding_amount": {"CNY": "700.00", "USD": "250.00"},
    "overdue_amount": {"CNY": "200.00", "USD": "200.00"},
    "buckets": {"current": 2, "1-30": 1, "31-60": 1, "61-90": 0, "91+": 0, "paid_off": 1},
    "classification": {
        "normal": {"loans": 2, "amount": {"CNY": "500.00", "USD": "50.00"}},
        "special_mention": {"loans": 2, "amount": {"CNY": "200.00", "USD": "200.00"}},
        "substandard": {"loans": 0, "amount": {}},
        "doubtful": {"loans": 0, "amount": {}},
        "loss": {"loans": 0, "amount": {}},
    },
    "npl_ratio": {"CNY": 0.0, "USD": 0.0},
    "roll_rates": {
        "current": {"current": 1, "1-30": 1, "31-60": 0, "61-90": 0, "91+": 0, "paid_off": 0},
        "1-30": {"current": 1, "1-30": 0, "31-60": 1, "61-90": 0, "91+": 0, "paid_off": 0},
        "31-60": {"current": 0, "1-30": 0, "31-60": 0, "61-90": 0, "91+": 0, "paid_off": 0},
        "61-90": {"current": 0, "1-30": 0, "31-60": 0, "61-90": 0, "91+": 0, "paid_off": 0},
        "91+": {"current": 0, "1-30": 0, "31-60": 0, "61-90": 0, "91+": 0, "paid_off": 0},
        "paid_off": {"current": 0, "1-30": 0, "31-60": 0, "61-90": 0, "91+": 0, "paid_off": 1},
    },
    "cure_rate": 0.5,
    "collected_amount": {"CNY": "100.00", "USD": "50.00"},
    "recovery_rate": {"CNY": None, "USD": 0.3333},
    "messages_sent": {"sms": 3, "telegram": 1},
    "messages_delivered": {"sms": 2, "telegram": 1},
    "delivery_rate": 0.75,
    "borrowers_reminded": 3,
    "borrowers_replied": 1,
    "reply_rate": 0.3333,
    "promises_made": 2,
    "promises_kept": 1,
    "promises_partly_kept": 0,
    "promises_broken": 1,
    "promise_kept_rate": 0.5,
    "opt_outs": 1,
    "opt_out_rate": 0.3333,
    "complaints_received": 2,
    "complaints_first_response_on_time": 0,
    "complaints_resolved_on_time": 1,
    "complaints_overdue_open": 1,
    "cases_opened": {"broken_promise": 1, "complaint": 2},
    "cases_resolved": {"complaint": 1},
    "median_hours_to_first_response": 26.0,
}


async def test_every_indicator_of_a_hand_built_book(db: str) -> None:
    await build_book()
    report = await build_report(NOVEMBER, make_policy())
    assert report == {"since": "2026-11-01", "until": "2026-11-30", "overall": EXPECTED}


async def test_groups_split_the_book_and_add_up_to_it(db: str) -> None:
    await build_book()
    report = await build_report(ReportRequest(date(2026, 11, 1), date(2026, 11, 30), by="tier"), make_policy())
    assert report["overall"] == EXPECTED
    groups = {g["key"]["tier"]: g["indicators"] for g in report["groups"]}
    assert sorted(groups) == ["B", "C"]
    high = groups["C"]  # B1 alone: L1 rolled, a broken promise, a reminder it answered
    assert high["buckets"] == {"current": 0, "1-30": 0, "31-60": 1, "61-90": 0, "91+": 0, "paid_off": 0}
    assert high["roll_rates"]["1-30"]["31-60"] == 1
    assert high["cure_rate"] == 0.0
    assert (high["promises_broken"], high["promise_kept_rate"]) == (1, 0.0)
    assert (high["borrowers_reminded"], high["borrowers_replied"]) == (1, 1)
    assert high["cases_opened"] == {"broken_promise": 1}
    watch = groups["B"]
    assert watch["loans_outstanding"] == 3
    assert watch["cure_rate"] == 1.0
    assert watch["recovery_rate"] == {"CNY": None, "USD": 1.0}
    assert watch["complaints_received"] == 2


async def test_a_series_splits_the_period(db: str) -> None:
    await build_book()
    request = ReportRequest(date(2026, 11, 1), date(2026, 11, 30), every="week")
    series = (await build_report(request, make_policy()))["series"]
    assert [(s["start"], s["end"]) for s in series] == [
        ("2026-11-01", "2026-11-01"),
        ("2026-11-02", "2026-11-08"),
        ("2026-11-09", "2026-11-15"),
        ("2026-11-16", "2026-11-22"),
        ("2026-11-23", "2026-11-29"),
        ("2026-11-30", "2026-11-30"),
    ]
    # The cure happened in the week of 9 November; L1 crossed into 31-60 on 20 November.
    assert series[2]["indicators"]["roll_rates"]["1-30"]["current"] == 1
    assert series[3]["indicators"]["roll_rates"]["1-30"]["31-60"] == 1
    assert sum(s["indicators"]["messages_sent"]["sms"] for s in series) == 3


@pytest.mark.parametrize(
    ("dpd", "outstanding", "bucket"),
    [
        (None, 0, "paid_off"),
        (40, 0, "paid_off"),
        (None, 100, "current"),
        (-3, 100, "current"),
        (0, 100, "current"),
        (1, 100, "1-30"),
        (30, 100, "1-30"),
        (31, 100, "31-60"),
        (60, 100, "31-60"),
        (61, 100, "61-90"),
        (90, 100, "61-90"),
        (91, 100, "91+"),
        (400, 100, "91+"),
    ],
)
def test_buckets(dpd: int | None, outstanding: int, bucket: str) -> None:
    assert bucket_for(dpd, outstanding) == bucket


async def test_the_sql_buckets_are_the_python_buckets(db: str) -> None:
    from storage.database import connection
    from storage.portfolio import bucket_sql

    cases = [(dpd, out) for dpd in (None, -5, 0, 1, 30, 31, 60, 61, 90, 91, 500) for out in (0, 100)]
    for dpd, out in cases:
        sql = bucket_sql("NULL" if dpd is None else str(dpd), str(out))
        _, rows = await connection().execute_query(f"SELECT {sql}")
        assert rows[0][0] == bucket_for(dpd, out), (dpd, out)
