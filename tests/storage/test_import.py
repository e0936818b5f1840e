from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from storage.importer import import_loan_rows, import_payment_rows
from storage.interaction_log import InteractionLog
from storage.loanbook import RowsRefused, parse_loans_csv, parse_payments_csv
from storage.models import Borrower, Installment, Loan
from tests.conftest import SECRET

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
HEADER = (
    "borrower_id,full_name,phone,telegram_chat_id,locale,timezone,preferred_channel,"
    "loan_id,product,currency,installment_no,due_date,amount_due\n"
)
BOOK = HEADER + (
    "B001,Li Wei,+8613800138000,,zh,Asia/Shanghai,sms,L001,consumer,CNY,1,2026-12-01,1200.00\n"
    "B001,Li Wei,+8613800138000,,zh,Asia/Shanghai,sms,L001,consumer,CNY,2,2027-01-01,1200.00\n"
    "B002,Ana Ruiz,(415) 555-0123,987654321,en,America/Los_Angeles,telegram,L002,auto,USD,3,2026-12-04,350.00\n"
)


async def _import(text: str):  # type: ignore[no-untyped-def]
    parsed = parse_loans_csv(text)
    assert parsed.errors == []
    return await import_loan_rows(parsed.rows, now=NOW, log=InteractionLog(SECRET))


async def test_import_creates_then_reports_unchanged(db: str) -> None:
    first = await _import(BOOK)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    assert await Borrower.all().count() == 2
    ana = await Borrower.get(borrower_id="B002")
    assert ana.phone == "+14155550123"  # national form read in the country of the row's zone
    assert ana.telegram_chat_id == 987654321
    second = await _import(BOOK)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)


async def test_changed_row_updates_in_place(db: str) -> None:
    await _import(BOOK)
    changed = BOOK.replace("L002,auto,USD,3,2026-12-04,350.00", "L002,auto,USD,3,2026-12-06,360.00")
    result = await _import(changed)
    assert (result.created, result.updated, result.unchanged, result.rescheduled) == (0, 1, 2, 1)
    inst = await Installment.get(loan__loan_id="L002", installment_no=3)
    assert str(inst.due_date) == "2026-12-06"
    assert Decimal(inst.amount_due) == Decimal("360.00")
    assert await Installment.all().count() == 3


async def test_loan_of_another_borrower_is_refused_whole(db: str) -> None:
    await _import(BOOK)
    hijack = HEADER + (
        "B009,New Person,+14155550199,,en,America/New_York,sms,L009,auto,USD,1,2026-12-04,10.00\n"
        "B009,New Person,+14155550199,,en,America/New_York,sms,L001,auto,USD,9,2026-12-04,10.00\n"
    )
    parsed = parse_loans_csv(hijack)
    with pytest.raises(RowsRefused) as refused:
        await import_loan_rows(parsed.rows, now=NOW, log=InteractionLog(SECRET))
    assert [(e.where, e.field) for e in refused.value.errors] == [(2, "loan_id")] or [
        (e.where, e.field) for e in refused.value.errors
    ] == [(3, "loan_id")]
    assert not await Borrower.filter(borrower_id="B009").exists()


async def test_payments_settle_oldest_first_and_pay_off(db: str) -> None:
    await _import(BOOK)
    payments = parse_payments_csv("payment_id,loan_id,amount,paid_at\nP1,L001,1500.00,2026-11-30T10:00:00+08:00\n")
    assert payments.errors == []
    result, _ = await import_payment_rows(payments.rows, now=NOW, log=InteractionLog(SECRET))
    assert (result.created, result.installments_paid, result.loans_paid_off) == (1, 1, 0)
    first = await Installment.get(loan__loan_id="L001", installment_no=1)
    second = await Installment.get(loan__loan_id="L001", installment_no=2)
    assert (first.state, Decimal(first.amount_paid)) == ("paid", Decimal("1200.00"))
    assert (second.state, Decimal(second.amount_paid)) == ("partially_paid", Decimal("300.00"))
    again, _ = await import_payment_rows(payments.rows, now=NOW, log=InteractionLog(SECRET))
    assert (again.created, again.unchanged) == (0, 1)
    rest = parse_payments_csv("payment_id,loan_id,amount,paid_at\nP2,L001,900.00,2026-12-20T10:00:00Z\n")
    done, _ = await import_payment_rows(rest.rows, now=NOW, log=InteractionLog(SECRET))
    assert done.loans_paid_off == 1
    assert (await Loan.get(loan_id="L001")).status == "paid_off"
    # 1500 + 900 against 2400 owed: nothing over. Another 50 is more than the loan owes: said, and kept.
    assert done.overpaid == {}
    extra = parse_payments_csv("payment_id,loan_id,amount,paid_at\nP4,L001,50.00,2026-12-21T10:00:00Z\n")
    over, _ = await import_payment_rows(extra.rows, now=NOW, log=InteractionLog(SECRET))
    assert over.overpaid == {"L001": Decimal("50.00")}
    from storage.models import LogEntry

    assert await LogEntry.filter(chain="borrower:B001", kind="payment.overpaid").count() == 1


async def test_same_payment_id_with_other_amount_is_refused(db: str) -> None:
    await _import(BOOK)
    first = parse_payments_csv("payment_id,loan_id,amount,paid_at\nP1,L002,100.00,2026-12-01T10:00:00Z\n")
    await import_payment_rows(first.rows, now=NOW, log=InteractionLog(SECRET))
    other = parse_payments_csv(
        "payment_id,loan_id,amount,paid_at\nP3,L002,5.00,2026-12-01T10:00:00Z\nP1,L002,200.00,2026-12-01T10:00:00Z\n"
    )
    with pytest.raises(RowsRefused) as refused:
        await import_payment_rows(other.rows, now=NOW, log=InteractionLog(SECRET))
    assert [(e.where, e.field) for e in refused.value.errors] == [(3, "payment_id")]
    inst = await Installment.get(loan__loan_id="L002", installment_no=3)
    assert Decimal(inst.amount_paid) == Decimal("100.00")  # P3 was not applied either


async def test_each_borrower_s_own_chain_records_what_the_import_did(db: str) -> None:
    import json

    from storage.models import LogEntry

    async def entries(borrower_id: str) -> list[tuple[str, dict[str, object]]]:
        rows = await LogEntry.filter(chain=f"borrower:{borrower_id}").order_by("seq").values_list("kind", "data")
        return [(kind, json.loads(data)) for kind, data in rows]

    await _import(BOOK)
    [(kind, data)] = await entries("B001")
    assert kind == "loanbook.imported"
    assert data["borrower"]["phone"] == "+8613800138000"  # type: ignore[index]
    assert [(i["loan_id"], i["installment_no"], i["amount_due"]) for i in data["installments_created"]] == [  # type: ignore[attr-defined]
        ("L001", 1, "1200.00"),
        ("L001", 2, "1200.00"),
    ]
    await _import(BOOK)  # nothing changed: nothing more to say
    assert len(await entries("B001")) == 1
    await _import(BOOK.replace("2,2027-01-01,1200.00", "2,2027-01-01,1100.00"))
    kind, data = (await entries("B001"))[-1]
    assert kind == "loanbook.imported"
    assert data == {"amounts_changed": [{"loan_id": "L001", "installment_no": 2, "old_amount_due": "1200.00",
                                         "new_amount_due": "1100.00"}]}  # fmt: skip
    assert [k for k, _ in await entries("B002")] == ["loanbook.imported"]
    assert (await InteractionLog(SECRET).verify()).first_break is None
