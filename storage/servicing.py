"""Queries the scheduler needs: installments around their tiers, and a borrower's contact state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from storage.models import Borrower, Case, ContactPause, Installment, Message, MessageItem, Restriction, TickWatermark

UNPAID_STATES = ("open", "partially_paid")


@dataclass(frozen=True, slots=True)
class InstallmentRecord:
    installment_id: int
    borrower_id: str
    borrower_pk: int
    loan_id: str
    installment_no: int
    timezone: str
    locale: str
    due_date: date
    outstanding: Decimal
    currency: str
    state: str


async def installments_near_tiers(now: datetime, days_before: int, days_after: int) -> list[InstallmentRecord]:
    """Unpaid installments whose due date is close enough to today (in any zone) to reach a tier."""
    earliest = (now - timedelta(hours=14)).date() - timedelta(days=days_after + 1)
    latest = (now + timedelta(hours=14)).date() + timedelta(days=days_before + 1)
    rows = await Installment.filter(
        state__in=UNPAID_STATES, due_date__gte=earliest, due_date__lte=latest, loan__status="active"
    ).values_list(
        "id",
        "loan__borrower__borrower_id",
        "loan__borrower_id",
        "loan__loan_id",
        "installment_no",
        "loan__borrower__timezone",
        "loan__borrower__locale",
        "due_date",
        "amount_due",
        "amount_paid",
        "loan__currency",
        "state",
    )
    return [
        InstallmentRecord(
            installment_id=r[0],
            borrower_id=r[1],
            borrower_pk=r[2],
            loan_id=r[3],
            installment_no=r[4],
            timezone=r[5],
            locale=r[6],
            due_date=r[7],
            outstanding=Decimal(r[8]) - Decimal(r[9]),
            currency=r[10],
            state=r[11],
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class MessageInstallment:
    installment_id: int
    loan_id: str
    installment_no: int
    due_date: date
    outstanding: Decimal
    currency: str
    state: str


async def message_installments(message_id: int) -> list[MessageInstallment]:
    ids = await MessageItem.filter(message_id=message_id).values_list("installment_id", flat=True)
    if not ids:
        return []
    rows = await Installment.filter(id__in=list(ids)).values_list(
        "id", "loan__loan_id", "installment_no", "due_date", "amount_due", "amount_paid", "loan__currency", "state"
    )
    return [
        MessageInstallment(r[0], r[1], r[2], r[3], Decimal(r[4]) - Decimal(r[5]), r[6], r[7])
        for r in sorted(rows, key=lambda r: (r[3], r[1], r[2]))
    ]


@dataclass(frozen=True, slots=True)
class PriorSendRecord:
    at: datetime
    kind: str
    key: str | None


@dataclass(frozen=True, slots=True)
class ContactSnapshot:
    borrower: Borrower
    restrictions: frozenset[str]
    open_complaint: bool
    disputed_loan_ids: frozenset[str]
    pauses: tuple[tuple[date, date, str], ...]
    last_inbound_at: datetime | None
    prior_sends: tuple[PriorSendRecord, ...]


async def contact_snapshot(borrower_pk: int, now: datetime) -> ContactSnapshot:
    borrower = await Borrower.get(id=borrower_pk)
    kinds: list[str] = await Restriction.filter(borrower_id=borrower_pk, lifted_at__isnull=True).values_list(
        "kind", flat=True
    )  # type: ignore[assignment]
    restrictions = frozenset(kinds)
    open_cases = (
        await Case.filter(borrower_id=borrower_pk).exclude(status="resolved").values_list("kind", "loan__loan_id")
    )
    pauses = await ContactPause.filter(borrower_id=borrower_pk, cancelled_at__isnull=True).values_list(
        "start_date", "end_date", "reason"
    )
    last_inbound = (
        await Message.filter(borrower_id=borrower_pk, direction="in", created_at__lte=now)
        .order_by("-created_at")
        .first()
        .values_list("created_at", flat=True)
    )
    window_start = now - timedelta(days=9)
    sends = await Message.filter(
        borrower_id=borrower_pk,
        direction="out",
        sent_at__gte=window_start,
        counts_toward_caps=True,
        status__in=("sent", "delivered", "undelivered", "failed", "unknown", "sending", "read"),
    ).values_list("sent_at", "kind", "idempotency_key", "tier")
    return ContactSnapshot(
        borrower=borrower,
        restrictions=restrictions,
        open_complaint=any(kind == "complaint" for kind, _ in open_cases),
        disputed_loan_ids=frozenset(loan for kind, loan in open_cases if kind == "dispute" and loan),
        pauses=tuple((s, e, r) for s, e, r in pauses),
        last_inbound_at=last_inbound if isinstance(last_inbound, datetime) else None,
        prior_sends=tuple(
            PriorSendRecord(at=at, kind=_counted_kind(kind, tier), key=(key or "").split("#", 1)[0] or None)
            for at, kind, key, tier in sends
            if at is not None
        ),
    )


def _counted_kind(kind: str, tier: str | None) -> str:
    if tier is None:
        return "other"
    return "reminder" if tier.startswith("T") else "followup"


async def watermark(name: str) -> datetime | None:
    row = await TickWatermark.get_or_none(name=name)
    return row.at if row else None


async def set_watermark(name: str, at: datetime) -> None:
    await TickWatermark.update_or_create(name=name, defaults={"at": at})
