"""Applying validated loan-book and payment rows to the database in bulk, all or nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from storage.allocation import InstallmentBalance, PaymentAmount, allocate
from storage.interaction_log import InteractionLog, LogEvent
from storage.loanbook import LoanRow, PaymentRow, RowError, RowsRefused
from storage.models import Borrower, Installment, Loan, Payment

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


async def import_loan_rows(
    rows: Sequence[LoanRow],
    *,
    now: datetime,
    log: InteractionLog,
    actor: str = "import",
    progress: Progress | None = None,
) -> LoanImportResult:
    """Upsert borrowers, loans and installments. Raises RowsRefused and writes nothing on conflict."""
    borrowers: dict[str, LoanRow] = {}
    loans: dict[str, LoanRow] = {}
    for row in rows:
        borrowers.setdefault(row.borrower_id, row)
        loans.setdefault(row.loan_id, row)

    existing_borrowers: dict[str, tuple[Any, ...]] = {}
    for part in _chunks(list(borrowers)):
        for values in await Borrower.filter(borrower_id__in=part).values_list("id", "borrower_id", *_BORROWER_FIELDS):
            existing_borrowers[values[1]] = values
    existing_loans: dict[str, tuple[Any, ...]] = {}
    for part in _chunks(list(loans)):
        for values in await Loan.filter(loan_id__in=part).values_list(
            "id", "loan_id", "borrower__borrower_id", "product", "currency"
        ):
            existing_loans[values[1]] = values

    errors = [
        RowError(row.where, "loan_id", f"loan {row.loan_id} belongs to borrower {existing_loans[row.loan_id][2]}")
        for row in loans.values()
        if row.loan_id in existing_loans and existing_loans[row.loan_id][2] != row.borrower_id
    ]
    if errors:
        raise RowsRefused(errors)

    loan_pks = [v[0] for v in existing_loans.values()]
    existing_installments: dict[tuple[int, int], tuple[Any, ...]] = {}
    for pk_part in _chunks(loan_pks, 2000):
        for values in await Installment.filter(loan_id__in=pk_part).values_list(
            "id", "loan_id", "installment_no", "due_date", "amount_due"
        ):
            existing_installments[(values[1], values[2])] = values

    changed_borrowers = {
        bid
        for bid, row in borrowers.items()
        if bid in existing_borrowers and tuple(existing_borrowers[bid][2:]) != row.borrower_fields()
    }
    changed_loans = {
        lid
        for lid, row in loans.items()
        if lid in existing_loans and (existing_loans[lid][3], existing_loans[lid][4]) != (row.product, row.currency)
    }
    events: list[LogEvent] = []
    for bid in sorted(changed_borrowers):
        old = dict(zip(_BORROWER_FIELDS, existing_borrowers[bid][2:], strict=True))
        new = dict(zip(_BORROWER_FIELDS, borrowers[bid].borrower_fields(), strict=True))
        diff = {k: {"old": old[k], "new": new[k]} for k in _BORROWER_FIELDS if old[k] != new[k]}
        events.append(LogEvent("borrower.updated", now, bid, actor, {"changes": diff}))

    created = updated = unchanged = rescheduled = 0
    # What each borrower's own chain records of this import: new borrowers with their details,
    # new installments, changed amounts (changed due dates and details have events of their own).
    story: dict[str, dict[str, Any]] = {}

    def told(borrower_id: str) -> dict[str, Any]:
        return story.setdefault(borrower_id, {})

    for bid, row in borrowers.items():
        if bid not in existing_borrowers:
            told(bid)["borrower"] = dict(zip(_BORROWER_FIELDS, row.borrower_fields(), strict=True))
    async with in_transaction() as conn:
        new_borrowers = [
            Borrower(borrower_id=bid, **dict(zip(_BORROWER_FIELDS, row.borrower_fields(), strict=True)))
            for bid, row in borrowers.items()
            if bid not in existing_borrowers
        ]
        await Borrower.bulk_create(new_borrowers, batch_size=1000, using_db=conn)
        if changed_borrowers:
            objs = []
            for bid in changed_borrowers:
                obj = Borrower(
                    id=existing_borrowers[bid][0],
                    borrower_id=bid,
                    **dict(zip(_BORROWER_FIELDS, borrowers[bid].borrower_fields(), strict=True)),
                )
                obj._saved_in_db = True
                objs.append(obj)
            await Borrower.bulk_update(objs, fields=list(_BORROWER_FIELDS), batch_size=500, using_db=conn)
        borrower_pk: dict[str, int] = {bid: v[0] for bid, v in existing_borrowers.items()}
        new_ids = [b.borrower_id for b in new_borrowers]
        for part in _chunks(new_ids):
            for pk, bid in await Borrower.filter(borrower_id__in=part).using_db(conn).values_list("id", "borrower_id"):
                borrower_pk[bid] = pk

        new_loans = [
            Loan(
                loan_id=lid,
                borrower_id=borrower_pk[row.borrower_id],
                product=row.product,
                currency=row.currency,
            )
            for lid, row in loans.items()
            if lid not in existing_loans
        ]
        await Loan.bulk_create(new_loans, batch_size=1000, using_db=conn)
        if changed_loans:
            objs_l = []
            for lid in changed_loans:
                obj_l = Loan(
                    id=existing_loans[lid][0],
                    loan_id=lid,
                    borrower_id=borrower_pk[loans[lid].borrower_id],
                    product=loans[lid].product,
                    currency=loans[lid].currency,
                )
                obj_l._saved_in_db = True
                objs_l.append(obj_l)
            await Loan.bulk_update(objs_l, fields=["product", "currency"], batch_size=500, using_db=conn)
        loan_pk: dict[str, int] = {lid: v[0] for lid, v in existing_loans.items()}
        for part in _chunks([loan.loan_id for loan in new_loans]):
            for pk, lid in await Loan.filter(loan_id__in=part).using_db(conn).values_list("id", "loan_id"):
                loan_pk[lid] = pk

        to_create: list[Installment] = []
        to_update: list[Installment] = []
        amounts_changed: set[int] = set()
        for done, row in enumerate(rows, 1):
            lpk = loan_pk[row.loan_id]
            current = existing_installments.get((lpk, row.installment_no))
            if current is None:
                to_create.append(
                    Installment(
                        loan_id=lpk,
                        installment_no=row.installment_no,
                        due_date=row.due_date,
                        amount_due=row.amount_due,
                        amount_paid=Decimal("0.00"),
                        state="open",
                    )
                )
                told(row.borrower_id).setdefault("installments_created", []).append(
                    {"loan_id": row.loan_id, "installment_no": row.installment_no,
                     "due_date": row.due_date.isoformat(), "amount_due": f"{row.amount_due:.2f}"}
                )  # fmt: skip
                created += 1
            elif (current[3], Decimal(current[4])) != (row.due_date, row.amount_due):
                inst = Installment(
                    id=current[0],
                    loan_id=lpk,
                    installment_no=row.installment_no,
                    due_date=row.due_date,
                    amount_due=row.amount_due,
                )
                inst._saved_in_db = True
                to_update.append(inst)
                if current[3] != row.due_date:
                    rescheduled += 1
                    events.append(
                        LogEvent(
                            "installment.rescheduled",
                            now,
                            row.borrower_id,
                            actor,
                            {
                                "loan_id": row.loan_id,
                                "installment_no": row.installment_no,
                                "old_due_date": current[3].isoformat(),
                                "new_due_date": row.due_date.isoformat(),
                            },
                        )
                    )
                if Decimal(current[4]) != row.amount_due:
                    amounts_changed.add(lpk)
                    told(row.borrower_id).setdefault("amounts_changed", []).append(
                        {"loan_id": row.loan_id, "installment_no": row.installment_no,
                         "old_amount_due": f"{Decimal(current[4]):.2f}", "new_amount_due": f"{row.amount_due:.2f}"}
                    )  # fmt: skip
                updated += 1
            elif row.borrower_id in changed_borrowers or row.loan_id in changed_loans:
                updated += 1
            else:
                unchanged += 1
            if progress and done % 2000 == 0:
                progress(done)
        await Installment.bulk_create(to_create, batch_size=2000, using_db=conn)
        if to_update:
            await Installment.bulk_update(to_update, fields=["due_date", "amount_due"], batch_size=500, using_db=conn)
        if amounts_changed:
            await recompute_loans(amounts_changed, conn=conn)
        events.extend(LogEvent("loanbook.imported", now, bid, actor, data) for bid, data in sorted(story.items()))
        events.append(
            LogEvent(
                "import.loans",
                now,
                None,
                actor,
                {
                    "created": created,
                    "updated": updated,
                    "unchanged": unchanged,
                    "rows": len(rows),
                    # The system chain's own record of who exists: a borrower removed from the
                    # database together with their chain is still missed by ``log verify``.
                    "borrowers_created": sorted(b.borrower_id for b in new_borrowers),
                },
            )
        )
        # In the import's transaction: the loan book and its record change together or not at all.
        await log.append_many(events)
        if progress:
            progress(len(rows))
    return LoanImportResult(
        created=created,
        updated=updated,
        unchanged=unchanged,
        borrowers=len(borrowers),
        loans=len(loans),
        installments=len(rows),
        rescheduled=rescheduled,
    )


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
            if result.unallocated > 0:
                overpaid[loan_pk] = result.unallocated
            loan = loans[loan_pk]
            status = "paid_off" if result.paid_off else ("active" if loan.status == "paid_off" else loan.status)
            if status != loan.status:
                if status == "paid_off":
                    paid_off.append(loan_pk)
                loan.status = status
                await loan.save(using_db=conn, update_fields=["status", "updated_at"])
        if changed:
            await Installment.bulk_update(
                changed, fields=["state", "amount_paid", "paid_at"], batch_size=500, using_db=conn
            )
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
