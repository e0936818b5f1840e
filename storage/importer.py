"""Applying validated loan-book and payment rows to the database in bulk, all or nothing."""

from __future__ import annotations

import asyncio
import json
from array import array
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import repeat
from typing import Any, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from storage.allocation import InstallmentBalance, PaymentAmount, allocate
from storage.bulk import Bulk
from storage.interaction_log import InteractionLog, LogEvent, PreparedEvent, append_bulk
from storage.loanbook import LoanBook, LoanRow, PaymentRow, RowError, RowsRefused, amount_of
from storage.models import Installment, Loan, Payment
from storage.plan_inputs import mark_for_planning

Progress = Callable[[int], None]
_CHUNK = 5000
T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Rollback(Exception):
    pass


R = TypeVar("R", LoanRow, PaymentRow)


def untouched(rows: Sequence[R], errors: Iterable[RowError]) -> list[R]:
    """The rows no error names: what may still be tried against the database."""
    bad = {e.where for e in errors}
    return [r for r in rows if r.where not in bad]


async def refusals(attempt: Callable[[], Awaitable[object]]) -> list[RowError]:
    """What the database would refuse in rows that passed the file's own checks: ``attempt`` (an
    import of them) runs in a transaction that is always rolled back. Lets a file with bad fields
    report its conflicts with the database (a loan of another borrower, an unknown loan) too."""
    try:
        async with in_transaction():
            await attempt()
            raise _Rollback
    except RowsRefused as refused:
        return list(refused.errors)
    except (_Rollback, IntegrityError):
        return []


@dataclass(frozen=True, slots=True)
class LoanImportResult:
    created: int
    updated: int
    unchanged: int
    borrowers: int
    loans: int
    installments: int
    rescheduled: int  # installments whose due date changed: their reminders are planned anew


@dataclass(frozen=True, slots=True)
class PaymentImportResult:
    created: int
    unchanged: int
    installments_paid: int
    loans_paid_off: int
    overpaid: dict[str, Decimal] = field(default_factory=dict)  # loan id -> paid beyond what it owes


_BORROWER_FIELDS = ("full_name", "phone", "telegram_chat_id", "locale", "timezone", "preferred_channel")
_BORROWER_COLUMNS = (
    "id", "borrower_id", *_BORROWER_FIELDS, "sms_opted_out", "telegram_opted_out", "telegram_usable", "phone_wrong",
    "created_at", "updated_at",
)  # fmt: skip
_LOAN_COLUMNS = ("id", "loan_id", "borrower_id", "product", "currency", "status", "created_at", "updated_at")
_INSTALLMENT_COLUMNS = ("loan_id", "installment_no", "due_date", "amount_due", "amount_paid", "state")
BATCH = 50_000  # installment rows compared and written at a time
RECORD_BATCH = 20_000  # installment rows whose borrowers' log records are written at a time
_TURN = 2047  # a long loop lets the event loop turn every 2,048 rows (writes under way go on)


async def import_loan_rows(
    rows: Sequence[LoanRow],
    *,
    now: datetime,
    log: InteractionLog,
    actor: str = "import",
    progress: Progress | None = None,
) -> LoanImportResult:
    """Upsert borrowers, loans and installments. Raises RowsRefused and writes nothing on conflict."""
    return await import_loan_book(LoanBook.of_rows(rows), now=now, log=log, actor=actor, progress=progress)


async def import_loan_book(
    book: LoanBook,
    *,
    now: datetime,
    log: InteractionLog,
    actor: str = "import",
    progress: Progress | None = None,
) -> LoanImportResult:
    """A checked loan book upserted in one transaction; raises RowsRefused and writes nothing when
    a loan belongs to another borrower in the database."""
    async with in_transaction() as conn, LoanBookImport(book, conn, now=now, log=log, actor=actor) as run:
        await run.feed(progress)
        if run.conflicts:
            raise RowsRefused(sorted(run.conflicts, key=lambda e: e.where))
        return await run.finish()


async def loan_conflicts(book: LoanBook) -> list[RowError]:
    """Loans of the book that the database gives to another borrower, each at the loan's first row
    without any problem of its own (what the import would refuse). Reads only."""
    errors: list[RowError] = []
    async with in_transaction() as conn:
        wanted = [lid for i, lid in enumerate(book.loan_ids) if book.loan_line[i] >= 0]
        async for _pk, lid, owner, _product, _currency in _stored_loans(Bulk(conn), wanted):
            if owner != book.loans[book.loan_index[lid]][0]:
                errors.append(_conflict(book, lid, owner))
    return sorted(errors, key=lambda e: e.where)


def _stored_loans(bulk: Bulk, loan_ids: Sequence[str]) -> AsyncIterator[tuple[Any, ...]]:
    return bulk.select_in(
        "SELECT l.id, l.loan_id, b.borrower_id, l.product, l.currency FROM loans l "
        "JOIN borrowers b ON b.id = l.borrower_id WHERE l.loan_id {keys}",
        loan_ids,
        "text",
    )


def _conflict(book: LoanBook, loan_id: str, owner: str) -> RowError:
    return RowError(book.loan_line[book.loan_index[loan_id]], "loan_id", f"loan {loan_id} belongs to borrower {owner}")


# The loan-book import's story of each borrower ("loanbook.imported"), written straight as the
# canonical JSON (``storage.chain.canonical_json``) of {"amounts_changed": [...], "borrower": {...},
# "installments_created": [...]}: keys sorted, no spaces, strings as json writes them unescaped
# (``encode_basestring``). Tests check it against canonical_json.
_string = json.encoder.encode_basestring


def created_json(loan_id: str, number: int, due: str, amount: str) -> str:
    return (
        f'{{"amount_due":{_string(amount)},"due_date":{_string(due)},"installment_no":{number},'
        f'"loan_id":{_string(loan_id)}}}'
    )


def changed_json(loan_id: str, number: int, old: str, new: str) -> str:
    return (
        f'{{"installment_no":{number},"loan_id":{_string(loan_id)},"new_amount_due":{_string(new)},'
        f'"old_amount_due":{_string(old)}}}'
    )


def story_json(borrower: Sequence[Any] | None, created: Sequence[str] | None, changed: Sequence[str] | None) -> str:
    """``borrower`` in _BORROWER_FIELDS order (a borrower the import created), the JSON items."""
    parts = []
    if changed:
        parts.append(f'"amounts_changed":[{",".join(changed)}]')
    if borrower is not None:
        name, phone, chat, locale, zone, channel = borrower
        parts.append(
            f'"borrower":{{"full_name":{_string(name)},"locale":{_string(locale)},"phone":{_string(phone)},'
            f'"preferred_channel":{_string(channel)},"telegram_chat_id":{"null" if chat is None else int(chat)},'
            f'"timezone":{_string(zone)}}}'
        )
    if created:
        parts.append(f'"installments_created":[{",".join(created)}]')
    return "{" + ",".join(parts) + "}"


def _day_of(stored: object) -> int:
    """The ordinal of a stored date (a date, or its ISO text)."""
    if isinstance(stored, date):
        return stored.toordinal()
    return date.fromisoformat(str(stored)[:10]).toordinal()


class LoanBookImport:
    """A loan-book import inside the caller's transaction (``async with`` it there).

    ``feed()`` writes whatever the book holds beyond what was fed before — new and changed
    borrowers, loans and installments, compared with what is stored by key, a batch of rows at a
    time — so the CLI feeds a book while it is still being read and the database works alongside;
    each batch's writes run while the next one is prepared. ``finish()`` writes the log records
    (per borrower: a changed description, rescheduled installments, then what the import created
    or re-priced; on the system chain the counts and the borrowers created) and returns the counts.
    Any problem in the file, or ``conflicts`` with the database, and the caller rolls back."""

    def __init__(self, book: LoanBook, conn: Any, *, now: datetime, log: InteractionLog, actor: str = "import") -> None:
        self.book, self.conn, self.bulk = book, conn, Bulk(conn)
        self.now, self.log, self.actor = now, log, actor
        self.conflicts: list[RowError] = []
        self.borrower_pk: array[int] = array("q")
        self.loan_pk: array[int] = array("q")
        self.loan_borrower: array[int] = array("i")
        self.new_borrowers = bytearray()
        self.new_loans = bytearray()
        self.changed_borrowers: dict[int, tuple[Any, ...]] = {}  # index -> description stored before
        self.changed_loans: set[int] = set()
        self.created_rows = bytearray()  # per installment row: 1 when the import creates it
        # Installment rows updated: row -> (due date stored before if it changed, amount before if it changed).
        self.changes: dict[int, tuple[object, object]] = {}
        self.amounts_changed: set[int] = set()  # loan pks
        self.created = self.updated = self.unchanged = self.rescheduled = 0
        self._next_id: dict[str, int] = {}
        self._writing: asyncio.Future[None] | None = None
        self._cache: Any = None

    async def __aenter__(self) -> LoanBookImport:
        self._cache = self.bulk.import_cache()
        await self._cache.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        try:
            await self._settle(cancel=exc[0] is not None)
        finally:
            await self._cache.__aexit__(*exc)

    async def _write(self, job: Awaitable[None]) -> None:
        """Start ``job`` (statements that write) once the one before is done; the caller goes on
        (its long loops let the job take its next step now and then: ``_turn``)."""
        await self._settle()
        self._writing = asyncio.ensure_future(job)
        await asyncio.sleep(0)  # the job's first statement is under way before the caller goes on

    async def _settle(self, *, cancel: bool = False) -> None:
        job, self._writing = self._writing, None
        if job is None:
            return
        if not cancel:
            await job
            return
        job.cancel()  # the transaction is being rolled back; a statement under way finishes first
        with suppress(Exception, asyncio.CancelledError):
            await job

    async def _ids(self, table: str, count: int) -> Sequence[int]:
        if count == 0:
            return []
        if self.bulk.postgres:
            return await self.bulk.reserve_ids(table, count)
        if table not in self._next_id:  # later ones: rows this import has not written yet count too
            self._next_id[table] = (await self.bulk.reserve_ids(table, 1))[0]
        first = self._next_id[table]
        self._next_id[table] = first + count
        return range(first, first + count)

    async def feed(self, progress: Progress | None = None) -> None:
        """Write what the book holds that was not fed before. Stops (and feeds nothing more) at
        the first loan that belongs to another borrower: see ``conflicts``."""
        if self.conflicts:
            return
        book, bulk = self.book, self.bulk
        b0, l0, r0 = len(self.borrower_pk), len(self.loan_pk), len(self.created_rows)
        b1, l1, r1 = len(book.borrower_ids), len(book.loan_ids), len(book)
        self.borrower_pk.extend(array("q", bytes(8 * (b1 - b0))))
        self.new_borrowers.extend(bytes(b1 - b0))
        self.loan_pk.extend(array("q", bytes(8 * (l1 - l0))))
        self.new_loans.extend(bytes(l1 - l0))
        self.loan_borrower.extend(book.borrower_index[d[0]] for d in book.loans[l0:l1])  # type: ignore[index]
        self.created_rows.extend(bytes(r1 - r0))
        async for pk, bid, *stored in bulk.select_in(
            f"SELECT id, borrower_id, {', '.join(_BORROWER_FIELDS)} FROM borrowers WHERE borrower_id {{keys}}",
            book.borrower_ids[b0:b1],
            "text",
        ):
            index = book.borrower_index[bid]
            self.borrower_pk[index] = pk
            if tuple(stored) != book.borrowers[index]:
                self.changed_borrowers[index] = tuple(stored)
        async for pk, lid, owner, product, currency in _stored_loans(bulk, book.loan_ids[l0:l1]):
            index = book.loan_index[lid]
            if owner != book.loans[index][0]:
                self.conflicts.append(_conflict(book, lid, owner))
            self.loan_pk[index] = pk
            if (product, currency) != book.loans[index][1:]:
                self.changed_loans.add(index)
        if self.conflicts:
            return
        stamp = bulk.instant(datetime.now(UTC))
        off, on = bulk.flag(False), bulk.flag(True)
        for first in range(b0, b1, BATCH):  # a batch of rows at a time: what a batch holds is all there is
            new = [i for i in range(first, min(first + BATCH, b1)) if self.borrower_pk[i] == 0]
            rows = []
            for index, pk in zip(new, await self._ids("borrowers", len(new)), strict=True):
                self.borrower_pk[index] = pk
                self.new_borrowers[index] = 1
                rows.append((pk, book.borrower_ids[index], *book.borrowers[index], off, off, on, off, stamp, stamp))
            changed = [(*book.borrowers[i], self.borrower_pk[i]) for i in range(first, min(first + BATCH, b1))
                       if i in self.changed_borrowers]  # fmt: skip
            await self._write(self._write_rows("borrowers", _BORROWER_COLUMNS, rows, _BORROWER_FIELDS, changed))
        for first in range(l0, l1, BATCH):
            new = [i for i in range(first, min(first + BATCH, l1)) if self.loan_pk[i] == 0]
            rows = []
            for index, pk in zip(new, await self._ids("loans", len(new)), strict=True):
                self.loan_pk[index] = pk
                self.new_loans[index] = 1
                owner = self.borrower_pk[self.loan_borrower[index]]
                rows.append((pk, book.loan_ids[index], owner, *book.loans[index][1:], "active", stamp, stamp))
            changed = [(*book.loans[i][1:], self.loan_pk[i]) for i in range(first, min(first + BATCH, l1))
                       if i in self.changed_loans]  # fmt: skip
            await self._write(self._write_rows("loans", _LOAN_COLUMNS, rows, ("product", "currency"), changed))
        for start in range(r0, r1, BATCH):
            await self._installments(start, min(start + BATCH, r1))
            if progress:
                progress(min(start + BATCH, r1))

    async def _write_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: list[tuple[Any, ...]],
        changed_columns: Sequence[str],
        changed: list[tuple[Any, ...]],
    ) -> None:
        await self.bulk.insert(table, columns, rows)
        kinds = {"telegram_chat_id": "bigint"}
        await self.bulk.update(
            table, changed_columns, [*(kinds.get(c, "text") for c in changed_columns), "int"], changed
        )

    async def _installments(self, start: int, end: int) -> None:
        """Rows ``start``..``end`` of the book compared with what is stored; their writes started."""
        book, bulk = self.book, self.bulk
        inst_loan, inst_no, inst_due, inst_cents = book.inst_loan, book.inst_no, book.inst_due, book.inst_cents
        loan_pk, new_loans, loan_borrower = self.loan_pk, self.new_loans, self.loan_borrower
        known = sorted({loan_pk[loan] for loan in inst_loan[start:end] if not new_loans[loan]})
        stored = {
            (lpk, number): (pk, due, amount)
            async for pk, lpk, number, due, amount in bulk.select_in(
                "SELECT id, loan_id, installment_no, due_date, amount_due FROM installments WHERE loan_id {keys}",
                known,
                "int",
            )
        }
        zero = bulk.amount(0)
        if not stored:  # every row new: whole columns at a time
            inserts = list(
                zip(
                    map(loan_pk.__getitem__, inst_loan[start:end]),
                    inst_no[start:end],
                    bulk.days(inst_due[start:end]),
                    bulk.amounts(inst_cents[start:end]),
                    repeat(zero),
                    repeat("open"),
                )
            )
            self.created_rows[start:end] = b"\x01" * (end - start)
            self.created += end - start
            await self._write(self._write_installments(inserts, []))
            return
        inserts = []
        updates: list[tuple[Any, ...]] = []
        day, amount_text, created_rows = bulk.day, bulk.amount, self.created_rows
        changed_borrowers, changed_loans = self.changed_borrowers, self.changed_loans
        for row in range(start, end):
            if not row & _TURN:
                await asyncio.sleep(0)  # the writes under way take their next step
            loan = inst_loan[row]
            lpk = loan_pk[loan]
            number, ordinal, cents = inst_no[row], inst_due[row], inst_cents[row]
            due, amount = day(ordinal), amount_text(cents)
            current = None if new_loans[loan] else stored.get((lpk, number))
            if current is None:
                inserts.append((lpk, number, due, amount, zero, "open"))
                created_rows[row] = 1
                continue
            pk, stored_due, stored_amount = current
            # SQLite gives back the text it was given; PostgreSQL a date and a Decimal.
            due_changed = stored_due != due and _day_of(stored_due) != ordinal
            amount_changed = stored_amount != amount and Decimal(stored_amount) != amount_of(cents)
            if due_changed or amount_changed:
                updates.append((due, amount, pk))
                self.updated += 1
                self.changes[row] = (
                    _day_of(stored_due) if due_changed else None,
                    f"{Decimal(stored_amount):.2f}" if amount_changed else None,
                )
                self.rescheduled += due_changed
                if amount_changed:
                    self.amounts_changed.add(lpk)
            elif loan_borrower[loan] in changed_borrowers or loan in changed_loans:
                self.updated += 1
            else:
                self.unchanged += 1
        self.created += len(inserts)
        await self._write(self._write_installments(inserts, updates))

    async def _write_installments(self, inserts: list[tuple[Any, ...]], updates: list[tuple[Any, ...]]) -> None:
        await self.bulk.insert("installments", _INSTALLMENT_COLUMNS, inserts, plain=True)
        await self.bulk.update("installments", ("due_date", "amount_due"), ("date", "numeric", "int"), updates)

    async def finish(self) -> LoanImportResult:
        """The log records, then the counts; after the last ``feed()``."""
        await self._settle()
        book = self.book
        if any(self.created_rows) or self.changes or self.changed_borrowers:
            await self._record()
        await mark_for_planning(self._touched_borrowers(), self.conn)
        if self.amounts_changed:
            await recompute_loans(await self._with_allocations(sorted(self.amounts_changed)), conn=self.conn)
        summary = {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rows": len(book),
            # The system chain's own record of who exists: a borrower removed from the database
            # together with their chain is still missed by ``log verify``.
            "borrowers_created": sorted(book.borrower_ids[i] for i, new in enumerate(self.new_borrowers) if new),
        }
        # In the import's transaction: the loan book and its record change together or not at all.
        await append_bulk(self.log, [LogEvent("import.loans", self.now, None, self.actor, summary)], self.conn)
        return LoanImportResult(
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            borrowers=len(book.borrower_ids),
            loans=len(book.loan_ids),
            installments=len(book),
            rescheduled=self.rescheduled,
        )

    def _touched_borrowers(self) -> list[int]:
        """The borrowers whose reminders this import can change: new or changed borrowers, loans
        and installment rows (the next pass plans them again)."""
        book, loan_borrower = self.book, self.loan_borrower
        loans = {i for i, new in enumerate(self.new_loans) if new} | self.changed_loans
        loans.update(book.inst_loan[row] for row, new in enumerate(self.created_rows) if new)
        loans.update(book.inst_loan[row] for row in self.changes)
        borrowers = {i for i, new in enumerate(self.new_borrowers) if new} | set(self.changed_borrowers)
        borrowers.update(loan_borrower[loan] for loan in loans)
        return [self.borrower_pk[i] for i in borrowers]

    async def _record(self) -> None:
        """Each borrower's records, in bulk appends of the borrowers whose rows are all done."""
        book, bulk = self.book, self.bulk
        loan_borrower, loan_ids = self.loan_borrower, book.loan_ids
        last_row = array("i", bytes(4 * len(book.borrower_ids)))
        for row, loan in enumerate(book.inst_loan):
            last_row[loan_borrower[loan]] = row
        events: dict[int, list[LogEvent]] = {}
        created: dict[int, list[str]] = {}
        changed: dict[int, list[str]] = {}
        ripe: dict[int, list[int]] = {}  # batch -> borrowers with something to say whose last row is in it

        def borrower_events(borrower: int) -> list[LogEvent]:
            found = events.get(borrower)
            if found is None:
                found = events[borrower] = []
                ripe.setdefault(last_row[borrower] // RECORD_BATCH, []).append(borrower)
                if borrower in self.changed_borrowers:
                    old = dict(zip(_BORROWER_FIELDS, self.changed_borrowers[borrower], strict=True))
                    new = dict(zip(_BORROWER_FIELDS, book.borrowers[borrower], strict=True))
                    diff = {k: {"old": old[k], "new": new[k]} for k in _BORROWER_FIELDS if old[k] != new[k]}
                    bid = book.borrower_ids[borrower]
                    found.append(LogEvent("borrower.updated", self.now, bid, self.actor, {"changes": diff}))
            return found

        for borrower in self.changed_borrowers:
            borrower_events(borrower)
        created_rows, changes = self.created_rows, self.changes
        inst_loan, inst_no = book.inst_loan, book.inst_no
        quoted: dict[int, str] = {}  # loan index -> its id as a JSON string
        for start in range(0, len(book), RECORD_BATCH):
            end = min(start + RECORD_BATCH, len(book))
            dues, amounts = bulk.days(book.inst_due[start:end]), bulk.amounts(book.inst_cents[start:end])
            for row in range(start, end):
                if not row & _TURN:
                    await asyncio.sleep(0)  # the writes under way take their next step
                new = created_rows[row]
                if not new and row not in changes:
                    continue
                loan = inst_loan[row]
                borrower = loan_borrower[loan]
                if borrower not in events:
                    borrower_events(borrower)
                number, due, amount = inst_no[row], dues[row - start], amounts[row - start]
                if new:
                    loan_id = quoted.get(loan)
                    if loan_id is None:
                        loan_id = quoted[loan] = _string(loan_ids[loan])
                    # created_json(), written out (due dates and amounts are digits: nothing to escape)
                    item = (
                        f'{{"amount_due":"{amount}","due_date":"{due}","installment_no":{number},"loan_id":{loan_id}}}'
                    )
                    items = created.get(borrower)
                    if items is None:
                        created[borrower] = [item]
                    else:
                        items.append(item)
                    continue
                old_due, old_amount = changes[row]
                if old_due is not None:
                    events[borrower].append(
                        LogEvent(
                            "installment.rescheduled",
                            self.now,
                            book.borrower_ids[borrower],
                            self.actor,
                            {
                                "loan_id": loan_ids[loan],
                                "installment_no": number,
                                "old_due_date": date.fromordinal(old_due).isoformat(),  # type: ignore[arg-type]
                                "new_due_date": due,
                            },
                        )
                    )
                if old_amount is not None:
                    changed.setdefault(borrower, []).append(changed_json(loan_ids[loan], number, old_amount, amount))  # type: ignore[arg-type]
            batch: list[LogEvent | PreparedEvent] = []
            for borrower in ripe.pop(start // RECORD_BATCH, []):
                batch.extend(events.pop(borrower))
                items, repriced, new = (
                    created.pop(borrower, None),
                    changed.pop(borrower, None),
                    self.new_borrowers[borrower],
                )
                if items or repriced or new:
                    story = story_json(book.borrowers[borrower] if new else None, items, repriced)
                    batch.append(
                        PreparedEvent("loanbook.imported", self.now, book.borrower_ids[borrower], self.actor, story)
                    )
            await self._write(append_bulk(self.log, batch, self.conn))
        await self._settle()

    async def _with_allocations(self, loan_pks: list[int]) -> list[int]:
        """The loans whose allocation a changed amount can change: those with payments, a status
        other than active, or an installment not plainly open (paid, partly paid, waived). For the
        rest the allocation is every installment open with nothing paid, as they already are."""
        paid = "amount_paid <> 0" if self.bulk.postgres else "CAST(amount_paid AS REAL) <> 0"
        return [
            pk
            async for (pk,) in self.bulk.select_in(
                "SELECT l.id FROM loans l WHERE l.id {keys} AND (l.status <> 'active' "
                "OR EXISTS (SELECT 1 FROM payments p WHERE p.loan_id = l.id) "
                "OR EXISTS (SELECT 1 FROM installments i WHERE i.loan_id = l.id "
                f"AND (i.state <> 'open' OR i.paid_at IS NOT NULL OR {paid})))",
                loan_pks,
                "int",
            )
        ]


@dataclass(frozen=True, slots=True)
class Recomputed:
    newly_paid: int  # installments that became paid
    paid_off: list[int]  # loans (pks) that became paid off
    overpaid: dict[int, Decimal]  # loan pk -> paid beyond everything it owes


async def recompute_loans(loan_pks: Iterable[int], *, conn: Any) -> Recomputed:
    """Re-run the allocation for these loans."""
    pks = sorted(set(loan_pks))
    newly_paid = 0
    paid_off: list[int] = []
    overpaid: dict[int, Decimal] = {}
    touched: set[int] = set()  # borrowers whose installments or loans changed
    for part in _chunks(pks, 1000):
        installments = await Installment.filter(loan_id__in=part).using_db(conn).all()
        payments = await Payment.filter(loan_id__in=part).using_db(conn).values_list("loan_id", "amount", "paid_at")
        loans = {loan.id: loan for loan in await Loan.filter(id__in=part).using_db(conn)}
        by_loan: dict[int, list[Installment]] = {}
        for inst in installments:
            by_loan.setdefault(inst.loan_id, []).append(inst)
        pay_by_loan: dict[int, list[PaymentAmount]] = {}
        for loan_id, amount, paid_at in payments:
            pay_by_loan.setdefault(loan_id, []).append(PaymentAmount(Decimal(amount), paid_at))
        changed: list[Installment] = []
        for loan_pk, items in by_loan.items():
            result = allocate(
                [
                    InstallmentBalance(i.id, (i.due_date, i.installment_no), Decimal(i.amount_due), i.state == "waived")
                    for i in items
                ],
                pay_by_loan.get(loan_pk, []),
            )
            by_id = {i.id: i for i in items}
            for alloc in result.installments:
                inst = by_id[alloc.installment_id]
                if (inst.state, Decimal(inst.amount_paid), inst.paid_at) != (
                    alloc.state,
                    alloc.amount_paid,
                    alloc.paid_at,
                ):
                    if alloc.state == "paid" and inst.state != "paid":
                        newly_paid += 1
                    inst.state, inst.amount_paid, inst.paid_at = alloc.state, alloc.amount_paid, alloc.paid_at
                    changed.append(inst)
                    touched.add(loans[loan_pk].borrower_id)
            if result.unallocated > 0:
                overpaid[loan_pk] = result.unallocated
            loan = loans[loan_pk]
            status = "paid_off" if result.paid_off else ("active" if loan.status == "paid_off" else loan.status)
            if status != loan.status:
                if status == "paid_off":
                    paid_off.append(loan_pk)
                loan.status = status
                touched.add(loan.borrower_id)
                await loan.save(using_db=conn, update_fields=["status", "updated_at"])
        if changed:
            await Installment.bulk_update(
                changed, fields=["state", "amount_paid", "paid_at"], batch_size=500, using_db=conn
            )
    await mark_for_planning(touched, conn)
    return Recomputed(newly_paid, paid_off, overpaid)


async def import_payment_rows(
    rows: Sequence[PaymentRow],
    *,
    now: datetime,
    log: InteractionLog,
    actor: str = "import",
    progress: Progress | None = None,
) -> tuple[PaymentImportResult, list[Payment]]:
    """Record new payments and settle installments. Refuses the whole batch on any conflict."""
    loan_ids = sorted({r.loan_id for r in rows})
    loans: dict[str, tuple[int, str]] = {}
    for part in _chunks(loan_ids):
        for pk, lid, bid in await Loan.filter(loan_id__in=part).values_list("id", "loan_id", "borrower__borrower_id"):
            loans[lid] = (pk, bid)
    known: dict[str, tuple[str, Decimal, datetime]] = {}
    for part in _chunks(sorted({r.payment_id for r in rows})):
        for pid, lid, amount, paid_at in await Payment.filter(payment_id__in=part).values_list(
            "payment_id", "loan__loan_id", "amount", "paid_at"
        ):
            known[pid] = (lid, Decimal(amount), paid_at)
    errors: list[RowError] = []
    fresh: dict[str, PaymentRow] = {}
    unchanged = 0
    for row in rows:
        if row.loan_id not in loans:
            errors.append(RowError(row.where, "loan_id", f"unknown loan {row.loan_id}"))
            continue
        prior = known.get(row.payment_id)
        if prior is not None:
            if (prior[0], prior[1], prior[2]) != (row.loan_id, row.amount, row.paid_at):
                errors.append(
                    RowError(
                        row.where,
                        "payment_id",
                        f"{row.payment_id} is already recorded with another amount, loan or time",
                    )
                )
            else:
                unchanged += 1
            continue
        if row.payment_id in fresh:
            unchanged += 1  # the same payment twice in one batch (already checked identical)
            continue
        fresh[row.payment_id] = row
    if errors:
        raise RowsRefused(errors)
    created_rows: list[Payment] = []
    async with in_transaction() as conn:
        created_rows = [
            Payment(
                payment_id=row.payment_id,
                loan_id=loans[row.loan_id][0],
                amount=row.amount,
                paid_at=row.paid_at,
                recorded_at=now,
            )
            for row in fresh.values()
        ]
        await Payment.bulk_create(created_rows, batch_size=2000, using_db=conn)
        recomputed = await recompute_loans({loans[r.loan_id][0] for r in fresh.values()}, conn=conn)
        if progress:
            progress(len(rows))
    events = [
        LogEvent(
            "payment.recorded",
            now,
            loans[row.loan_id][1],
            actor,
            {
                "payment_id": row.payment_id,
                "loan_id": row.loan_id,
                "amount": f"{row.amount:.2f}",
                "paid_at": row.paid_at.isoformat(),
            },
        )
        for row in fresh.values()
    ]
    for lid, (pk, borrower_id) in sorted(loans.items()):
        if pk in recomputed.overpaid:
            extra = f"{recomputed.overpaid[pk]:.2f}"
            events.append(LogEvent("payment.overpaid", now, borrower_id, actor, {"loan_id": lid, "beyond_owed": extra}))
    await log.append_many(events)
    return (
        PaymentImportResult(
            created=len(fresh),
            unchanged=unchanged,
            installments_paid=recomputed.newly_paid,
            loans_paid_off=len(recomputed.paid_off),
            overpaid={lid: recomputed.overpaid[pk] for lid, (pk, _b) in loans.items() if pk in recomputed.overpaid},
        ),
        created_rows,
    )
