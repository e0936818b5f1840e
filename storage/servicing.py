"""Queries the scheduler needs: installments around their tiers, and a borrower's contact state."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from tortoise.exceptions import DoesNotExist
from tortoise.functions import Max

from storage.models import Borrower, Case, ContactPause, Installment, Message, MessageItem, Restriction, TickWatermark
from storage.records import BorrowerRecord, ContactSnapshot, MessageInstallment, PriorSendRecord

__all__ = [
    "BorrowerRecord",
    "ContactSnapshot",
    "InstallmentRecord",
    "MessageInstallment",
    "PriorSendRecord",
    "contact_snapshot",
    "contact_snapshots",
    "installments_near_tiers",
    "installments_of_messages",
    "message_installments",
    "set_watermark",
    "watermark",
]

UNPAID_STATES = ("open", "partially_paid")
_CHUNK = 500


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


async def message_installments(message_id: int) -> list[MessageInstallment]:
    return (await installments_of_messages([message_id])).get(message_id, [])


async def installments_of_messages(message_ids: Sequence[int]) -> dict[int, list[MessageInstallment]]:
    """The installments each message is about, as stored now (two queries for the lot)."""
    links: dict[int, list[int]] = defaultdict(list)
    for part in _chunks(message_ids):
        for message_id, installment_id in await MessageItem.filter(message_id__in=part).values_list(
            "message_id", "installment_id"
        ):
            links[message_id].append(installment_id)
    wanted = sorted({i for ids in links.values() for i in ids})
    found: dict[int, MessageInstallment] = {}
    for part in _chunks(wanted):
        for r in await Installment.filter(id__in=part).values_list(
            "id", "loan__loan_id", "installment_no", "due_date", "amount_due", "amount_paid", "loan__currency", "state"
        ):
            found[r[0]] = MessageInstallment(r[0], r[1], r[2], r[3], Decimal(r[4]) - Decimal(r[5]), r[6], r[7])
    return {
        message_id: sorted(
            (found[i] for i in ids if i in found), key=lambda m: (m.due_date, m.loan_id, m.installment_no)
        )
        for message_id, ids in links.items()
    }


# What counts toward the caps: a message handed to a provider, whatever became of it.
CAP_STATUSES = ("sent", "delivered", "undelivered", "failed", "unknown", "sending", "read")
_BORROWER_FIELDS = (
    "id",
    "borrower_id",
    "full_name",
    "phone",
    "telegram_chat_id",
    "locale",
    "timezone",
    "preferred_channel",
    "sms_opted_out",
    "telegram_opted_out",
    "telegram_usable",
    "phone_wrong",
)


async def contact_snapshot(borrower_pk: int, now: datetime) -> ContactSnapshot:
    snapshot = (await contact_snapshots([borrower_pk], now)).get(borrower_pk)
    if snapshot is None:
        raise DoesNotExist(Borrower)
    return snapshot


async def contact_snapshots(borrower_pks: Iterable[int], now: datetime) -> dict[int, ContactSnapshot]:
    """Each borrower's contact state at ``now`` (as ``contact_snapshot``), a few queries for the lot:
    the borrower, open restrictions, open cases, pauses, their last message and the sends that
    count toward the caps. Borrowers that do not exist are missing from the answer."""
    pks = sorted(set(borrower_pks))
    borrowers: dict[int, BorrowerRecord] = {}
    restrictions: dict[int, set[str]] = defaultdict(set)
    complaints: set[int] = set()
    disputed: dict[int, set[str]] = defaultdict(set)
    pauses: dict[int, list[tuple[date, date, str]]] = defaultdict(list)
    last_inbound: dict[int, datetime] = {}
    newest_inbound: dict[int, datetime] = {}
    sends: dict[int, list[PriorSendRecord]] = defaultdict(list)
    window_start = now - timedelta(days=9)
    for part in _chunks(pks):
        for row in await Borrower.filter(id__in=part).values_list(*_BORROWER_FIELDS):
            borrowers[row[0]] = BorrowerRecord(*row)
        for pk, kind in await Restriction.filter(borrower_id__in=part, lifted_at__isnull=True).values_list(
            "borrower_id", "kind"
        ):
            restrictions[pk].add(kind)
        for pk, kind, loan in (
            await Case.filter(borrower_id__in=part)
            .exclude(status="resolved")
            .values_list("borrower_id", "kind", "loan__loan_id")
        ):
            if kind == "complaint":
                complaints.add(pk)
            elif kind == "dispute" and loan:
                disputed[pk].add(loan)
        for pk, start, end, reason in (
            await ContactPause.filter(borrower_id__in=part, cancelled_at__isnull=True)
            .order_by("id")
            .values_list("borrower_id", "start_date", "end_date", "reason")
        ):
            pauses[pk].append((start, end, reason))
        inbound = Message.filter(borrower_id__in=part, direction="in")
        for target, query in ((last_inbound, inbound.filter(created_at__lte=now)), (newest_inbound, inbound)):
            for pk, at in (
                await query.group_by("borrower_id").annotate(at=Max("created_at")).values_list("borrower_id", "at")
            ):
                if isinstance(at, datetime):
                    target[pk] = at
        for pk, at, kind, key, tier in await Message.filter(
            borrower_id__in=part,
            direction="out",
            sent_at__gte=window_start,
            counts_toward_caps=True,
            status__in=CAP_STATUSES,
        ).values_list("borrower_id", "sent_at", "kind", "idempotency_key", "tier"):
            if at is not None:
                sends[pk].append(
                    PriorSendRecord(at=at, kind=_counted_kind(kind, tier), key=(key or "").split("#", 1)[0] or None)
                )
    return {
        pk: ContactSnapshot(
            borrower=borrower,
            restrictions=frozenset(restrictions.get(pk, ())),
            open_complaint=pk in complaints,
            disputed_loan_ids=frozenset(disputed.get(pk, ())),
            pauses=tuple(pauses.get(pk, ())),
            last_inbound_at=last_inbound.get(pk),
            prior_sends=tuple(sends.get(pk, ())),
            newest_inbound_at=newest_inbound.get(pk),
        )
        for pk, borrower in borrowers.items()
    }


def _chunks(values: Sequence[int], size: int = _CHUNK) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def _counted_kind(kind: str, tier: str | None) -> str:
    if tier is None:
        return "other"
    return "reminder" if tier.startswith("T") else "followup"


async def watermark(name: str) -> datetime | None:
    row = await TickWatermark.get_or_none(name=name)
    return row.at if row else None


async def set_watermark(name: str, at: datetime) -> None:
    await TickWatermark.update_or_create(name=name, defaults={"at": at})
