"""How payments settle installments: oldest unpaid first. Pure, so it can be re-run at will.

Allocation is recomputed from all of a loan's payments each time, which makes applying a
payment idempotent and indifferent to the order payments arrive in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class InstallmentBalance:
    installment_id: int
    due_order: tuple[object, ...]  # (due_date, installment_no)
    amount_due: Decimal
    waived: bool = False


@dataclass(frozen=True, slots=True)
class PaymentAmount:
    amount: Decimal
    paid_at: datetime


@dataclass(frozen=True, slots=True)
class Allocation:
    installment_id: int
    amount_paid: Decimal
    state: str  # open, partially_paid, paid, waived
    paid_at: datetime | None


@dataclass(frozen=True, slots=True)
class LoanAllocation:
    installments: tuple[Allocation, ...]
    total_paid: Decimal
    unallocated: Decimal  # paid beyond everything owed

    @property
    def paid_off(self) -> bool:
        return all(a.state in ("paid", "waived") for a in self.installments)


def allocate(installments: Sequence[InstallmentBalance], payments: Sequence[PaymentAmount]) -> LoanAllocation:
    ordered_payments = sorted(payments, key=lambda p: p.paid_at)
    total = sum((p.amount for p in ordered_payments), ZERO)
    remaining = total
    # Running totals tell which payment completed each installment (its paid_at).
    cumulative: list[tuple[Decimal, datetime]] = []
    running = ZERO
    for p in ordered_payments:
        running += p.amount
        cumulative.append((running, p.paid_at))
    allocated = ZERO
    result: list[Allocation] = []
    for inst in sorted(installments, key=lambda i: i.due_order):
        if inst.waived:
            result.append(Allocation(inst.installment_id, ZERO, "waived", None))
            continue
        take = min(remaining, inst.amount_due)
        remaining -= take
        allocated += take
        if take >= inst.amount_due:
            paid_at = next((at for amount, at in cumulative if amount >= allocated), None)
            result.append(Allocation(inst.installment_id, take, "paid", paid_at))
        elif take > 0:
            result.append(Allocation(inst.installment_id, take, "partially_paid", None))
        else:
            result.append(Allocation(inst.installment_id, ZERO, "open", None))
    return LoanAllocation(tuple(result), total, remaining)
