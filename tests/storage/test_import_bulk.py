"""The loan-book import's bulk paths give what the row-by-row rules give: the streamed reader's
errors and rows, the phone check, the log records written straight as canonical JSON and in bulk,
and an import fed in many small parts (as the CLI feeds PostgreSQL while it reads)."""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import phonenumbers
import pytest
from tortoise.transactions import in_transaction

from storage import importer
from storage.chain import canonical_json
from storage.importer import LoanBookImport, changed_json, created_json, import_loan_book, story_json
from storage.interaction_log import InteractionLog, LogEvent, PreparedEvent, append_bulk
from storage.loanbook import (
    LOAN_COLUMNS,
    LoanBook,
    LoanBookReader,
    _valid_e164,
    amount_of,
    loan_records,
    parse_loans_csv,
    read_loan_book,
)
from storage.models import Installment, LogEntry, LogHead
from tests.conftest import SECRET

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
HEADER = ",".join(LOAN_COLUMNS) + "\n"
ZONES = (("Asia/Shanghai", "+86138001%05d", "CNY"), ("Europe/London", "+4474001%05d", "GBP"))


def sorted_book(rng: random.Random, loans: int, faults: bool = True) -> str:
    """A book as lenders write them (rows by loan, installments in order), with the faults that
    break a run of installments: duplicates, numbers out of order, records over two lines."""
    lines = [HEADER.rstrip("\n")]
    for loan in range(loans):
        b = loan // 2
        zone, phone, currency = ZONES[b % 2]
        cells = [f"B{b}", f"Name {b}", phone % b, "" if b % 3 else str(700 + b), "en", zone, "sms"]
        cells += [f"L{loan}", "auto", currency]
        numbers = list(range(1, rng.randint(1, 6) + 1))
        if faults:
            pick = rng.random()
            if pick < 0.1 and len(numbers) > 1:
                numbers[-1] = numbers[0]
            elif pick < 0.2:
                numbers.reverse()
            elif pick < 0.3 and len(numbers) > 2:
                numbers[1], numbers[2] = numbers[2], numbers[1]
        for number in numbers:
            row = [
                *cells,
                str(number),
                f"2027-01-{rng.randint(1, 28):02d}",
                f"{rng.randint(1, 99)}.{rng.randint(0, 99):02d}",
            ]
            if faults:
                pick = rng.random()
                if pick < 0.03:
                    row[1] = f'"Name\n{b}"'
                elif pick < 0.05:
                    lines.append("")
                elif pick < 0.07:
                    row[12] = "1.234"
            lines.append(",".join(row))
    if faults and rng.random() < 0.3:
        lines.extend(lines[1 : rng.randint(1, len(lines))][:5])  # rows again, far from the first ones
    return "\n".join(lines) + "\n"


def book_rows(book: LoanBook) -> list[tuple[Any, ...]]:
    rows = []
    for i in range(len(book)):
        loan = book.inst_loan[i]
        owner, product, currency = book.loans[loan]
        description = book.borrowers[book.borrower_index[owner]]  # type: ignore[index]
        rows.append(
            (owner, *description, book.loan_ids[loan], product, currency, book.inst_no[i],
             date.fromordinal(book.inst_due[i]), amount_of(book.inst_cents[i]))
        )  # fmt: skip
    return rows


@pytest.mark.parametrize("seed", range(300))
def test_the_compact_reader_reports_and_keeps_what_the_row_reader_does(seed: int) -> None:
    rng = random.Random(seed)
    text = sorted_book(rng, rng.randint(1, 25))
    parsed = parse_loans_csv(text)
    bad = {e.where for e in parsed.errors}
    untouched = [(r.borrower_id, *r.borrower_fields(), r.loan_id, r.product, r.currency, r.installment_no,
                  r.due_date, r.amount_due) for r in parsed.rows if r.where not in bad]  # fmt: skip
    for reader in (read_loan_book(text), read_loan_book(io.StringIO(text, newline=""), every=3)):
        assert reader.errors == parsed.errors
        assert book_rows(reader.book) == untouched


def test_an_installment_twice_is_named_with_its_first_line_in_and_out_of_a_run() -> None:
    row = "B1,Li Wei,+8613800138000,,zh,Asia/Shanghai,sms,L1,consumer,CNY,{n},2026-12-01,10.00\n"
    text = HEADER + "".join(row.format(n=n) for n in (1, 2, 3, 2, 4, 4, 1))
    errors = [(e.where, e.message) for e in read_loan_book(text).errors]
    assert errors == [
        (5, "loan L1 installment 2 appears twice (first at line 3)"),
        (7, "loan L1 installment 4 appears twice (first at line 6)"),
        (8, "loan L1 installment 1 appears twice (first at line 2)"),
    ]


def test_e164_numbers_are_checked_as_phonenumbers_checks_them() -> None:
    rng = random.Random(5)
    samples = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                samples.append(phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164))
    for value in list(samples):
        for _ in range(10):  # near misses: a digit changed, one more, one less
            at = rng.randrange(2, len(value))
            samples.append(value[:at] + rng.choice("0123456789") + value[at + 1 :])
        samples += [value + "5", value[:-1]]
    decided = 0
    for value in samples:
        try:
            number = phonenumbers.parse(value, None)
            expected = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            valid = phonenumbers.is_valid_number(number)
        except phonenumbers.NumberParseException:
            valid = False
        fast = _valid_e164(value)
        if fast is not None:  # accepted without the full parse: only what the full parse accepts
            decided += 1
            assert valid and fast == expected == value, value
    assert decided > len(samples) // 4  # most valid numbers never need the full parse


def test_the_story_is_the_canonical_json_of_its_data() -> None:
    odd = ['Zoë "Z" \\ Ng', "李伟", "tab\there", "\u2028", "x" * 200]
    for name in odd:
        for chat in (None, 0, 987654321, -(2**63)):
            borrower = (name, "+8613800138000", chat, "zh", "Asia/Shanghai", "sms")
            created = [
                created_json("L:1/a.b-c", 3, "2026-12-01", "1200.50"),
                created_json("L2", 1, "2027-01-31", "0.01"),
            ]
            changed = [changed_json("L1", 2, "10.00", "12.00")]
            data = {
                "borrower": dict(zip(("full_name", "phone", "telegram_chat_id", "locale", "timezone",
                                      "preferred_channel"), borrower, strict=True)),
                "installments_created": [json.loads(item) for item in created],
                "amounts_changed": [json.loads(item) for item in changed],
            }  # fmt: skip
            assert story_json(borrower, created, changed) == canonical_json(data)
            assert story_json(None, None, changed) == canonical_json({"amounts_changed": data["amounts_changed"]})
    assert json.loads(created_json("L1", 3, "2026-12-01", "5.00")) == {
        "loan_id": "L1", "installment_no": 3, "due_date": "2026-12-01", "amount_due": "5.00"
    }  # fmt: skip


async def test_a_bulk_append_writes_what_append_many_writes(db: str) -> None:
    log = InteractionLog(SECRET)
    first = [LogEvent("note", NOW, "B1", data={"n": 1}), LogEvent("note", NOW, None, data={"n": 2})]
    await log.append_many(first)  # chains with heads already
    await LogHead.filter(chain="borrower:B1").delete()  # and one from before heads were kept
    later = NOW + timedelta(minutes=5)
    batch: list[LogEvent | PreparedEvent] = [
        LogEvent("note", later, "B1", "staff:ann", {"text": "called", "n": 3}),
        PreparedEvent("loanbook.imported", later, "B2", "import", canonical_json({"x": ["é", 1]})),
        LogEvent("note", later, "B2", data={"n": 4}),
        LogEvent("note", later, None, data={"n": 5}),
    ]
    async with in_transaction() as conn:
        await append_bulk(log, batch, conn)
    rows = await LogEntry.all().order_by("chain", "seq").values_list("chain", "seq", "kind", "data")
    assert rows == [
        ("borrower:B1", 1, "note", '{"n":1}'),
        ("borrower:B1", 2, "note", '{"n":3,"text":"called"}'),
        ("borrower:B2", 1, "loanbook.imported", '{"x":["é",1]}'),
        ("borrower:B2", 2, "note", '{"n":4}'),
        ("system", 1, "note", '{"n":2}'),
        ("system", 2, "note", '{"n":5}'),
    ]
    assert sorted(await LogHead.all().values_list("chain", "seq")) == [
        ("borrower:B1", 2), ("borrower:B2", 2), ("system", 2)
    ]  # fmt: skip
    result = await log.verify()
    assert result.first_break is None and result.checked == 6


async def dump() -> dict[str, list[tuple[Any, ...]]]:
    from storage.database import connection

    conn = connection()
    tables = {
        "borrowers": "borrower_id, full_name, phone, telegram_chat_id, locale, timezone, preferred_channel",
        "loans": "loan_id, borrower_id, product, currency, status",
        "installments": "loan_id, installment_no, due_date, amount_due, amount_paid, state",
        "interaction_log": "chain, seq, kind, actor, data, prev_hash, hash",
    }
    return {
        table: [tuple(str(v) for v in row.values())
                for row in await conn.execute_query_dict(f"SELECT {columns} FROM {table} ORDER BY 1, 2")]
        for table, columns in tables.items()
    }  # fmt: skip


async def import_in_parts(text: str, parts: int, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The CLI's way: the book fed to the import while it is read, ``parts`` records at a time."""
    monkeypatch.setattr(importer, "BATCH", 3)  # and written a few rows at a time
    monkeypatch.setattr(importer, "RECORD_BATCH", 4)
    reader = LoanBookReader()
    async with in_transaction() as conn, LoanBookImport(reader.book, conn, now=NOW, log=InteractionLog(SECRET)) as run:
        for _line in reader.consume(loan_records(text, reader.errors), parts):
            await run.feed()
        reader.finish()
        assert reader.errors == []
        await run.feed()
        return await run.finish()


@pytest.mark.parametrize("seed", range(6))
async def test_a_book_fed_in_parts_imports_as_one(db: str, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    first, second = sorted_book(rng, 12, faults=False), sorted_book(rng, 14, faults=False)
    lines = second.splitlines(keepends=True)
    rng.shuffle(lines[1:])
    second = "".join(lines)  # the second time, in any order (borrowers spread over the file)
    results: list[Any] = []
    for parts in (None, 2):
        for text in (first, second, second):
            if parts is None:
                reader = read_loan_book(text)
                results.append(await import_loan_book(reader.book, now=NOW, log=InteractionLog(SECRET)))
            else:
                results.append(await import_in_parts(text, parts, monkeypatch))
        results.append(await dump())
        assert (await InteractionLog(SECRET).verify()).first_break is None
        from tests.conftest import _truncate_all

        if "sqlite" in db:
            from storage.database import connection

            for table in ("interaction_log_heads", "interaction_log", "installments", "loans", "borrowers"):
                await connection().execute_script(f"DELETE FROM {table}")
            await connection().execute_script("DELETE FROM sqlite_sequence")
        else:
            await _truncate_all()
    assert results[:4] == results[4:]


async def test_a_changed_due_date_and_amount_are_recorded_and_counted(db: str) -> None:
    row = "B1,Li Wei,+8613800138000,,zh,Asia/Shanghai,sms,L1,consumer,CNY,{n},{due},{amount}\n"
    book = (
        HEADER + row.format(n=1, due="2026-12-01", amount="10.00") + row.format(n=2, due="2027-01-01", amount="20.00")
    )
    log = InteractionLog(SECRET)
    first = await import_loan_book(read_loan_book(book).book, now=NOW, log=log)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    changed = book.replace("2027-01-01,20.00", "2027-01-05,25.00").replace("Li Wei", "Li Wei Jr")
    later = NOW + timedelta(days=1)
    second = await import_loan_book(read_loan_book(changed).book, now=later, log=log)
    assert (second.created, second.updated, second.unchanged, second.rescheduled) == (0, 2, 0, 1)
    inst = await Installment.get(loan__loan_id="L1", installment_no=2)
    assert (str(inst.due_date), Decimal(inst.amount_due)) == ("2027-01-05", Decimal("25.00"))
    entries = await LogEntry.filter(chain="borrower:B1", seq__gt=1).order_by("seq").values_list("kind", "data")
    assert [kind for kind, _ in entries] == ["borrower.updated", "installment.rescheduled", "loanbook.imported"]
    assert json.loads(entries[0][1]) == {"changes": {"full_name": {"old": "Li Wei", "new": "Li Wei Jr"}}}
    assert json.loads(entries[1][1]) == {
        "loan_id": "L1", "installment_no": 2, "old_due_date": "2027-01-01", "new_due_date": "2027-01-05"
    }  # fmt: skip
    repriced = {"loan_id": "L1", "installment_no": 2, "old_amount_due": "20.00", "new_amount_due": "25.00"}
    assert json.loads(entries[2][1]) == {"amounts_changed": [repriced]}
    system = await LogEntry.filter(chain="system").order_by("seq").values_list("data", flat=True)
    assert [json.loads(d)["borrowers_created"] for d in system] == [["B1"], []]  # type: ignore[arg-type]
    assert (await log.verify()).first_break is None


async def test_text_and_numbers_at_their_edges_are_stored_as_given(db: str) -> None:
    from storage.loanbook import parse_loan_rows
    from storage.models import Borrower

    names = ['Zoë "Z" \\ Ng 😀', "李\u2028伟", "O'Brien, Jr."]
    chats = [2**63 - 1, -(2**63), None]
    rows = [
        {"borrower_id": f"B{i}", "full_name": name, "phone": "+8613800138000", "telegram_chat_id": chat,
         "locale": "zh", "timezone": "Asia/Shanghai", "preferred_channel": "sms", "loan_id": f"L{i}",
         "product": "p\\q", "currency": "CNY", "installment_no": 999_999_999, "due_date": "9999-12-31",
         "amount_due": "999999999999.99"}
        for i, (name, chat) in enumerate(zip(names, chats, strict=True))
    ]  # fmt: skip
    parsed = parse_loan_rows(rows)  # type: ignore[arg-type]
    assert parsed.errors == []
    log = InteractionLog(SECRET)
    result = await importer.import_loan_rows(parsed.rows, now=NOW, log=log)
    assert result.created == 3
    stored = await Borrower.all().order_by("borrower_id").values_list("full_name", "telegram_chat_id")
    assert stored == list(zip(names, chats, strict=True))
    inst = await Installment.get(loan__loan_id="L0")
    assert (inst.installment_no, str(inst.due_date), Decimal(inst.amount_due)) == (
        999_999_999, "9999-12-31", Decimal("999999999999.99")
    )  # fmt: skip
    story = json.loads(await LogEntry.get(chain="borrower:B0").values_list("data", flat=True))  # type: ignore[arg-type]
    assert story["borrower"]["full_name"] == names[0] and story["borrower"]["telegram_chat_id"] == 2**63 - 1
    again = await importer.import_loan_rows(parsed.rows, now=NOW, log=log)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert (await log.verify()).first_break is None
