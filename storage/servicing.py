"""Queries the scheduler needs: installments around their tiers, and a borrower's contact state."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import DoesNotExist

from storage.database import connection, inside_transaction, is_postgres_connection
from storage.models import Borrower, Installment, TickWatermark
from storage.records import BorrowerRecord, ContactSnapshot, MessageInstallment, OwedInstallment, PriorSendRecord

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
UNPAID_SQL = "(" + ", ".join(f"'{s}'" for s in UNPAID_STATES) + ")"  # the same, in a query
_CHUNK = 500  # SQLite: within any SQLite's limit on a statement's variables
_POSTGRES_CHUNK = 50_000  # one array parameter: a preview's 100,000 borrowers in two rounds, not 200


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


def tier_window(now: datetime, days_before: int, days_after: int) -> tuple[date, date]:
    """The due dates (first, last) that can reach a tier today in some zone: from ``days_after``
    days past due to ``days_before`` days ahead, a day's margin for zones 14 hours either side."""
    earliest = (now - timedelta(hours=14)).date() - timedelta(days=days_after + 1)
    latest = (now + timedelta(hours=14)).date() + timedelta(days=days_before + 1)
    return earliest, latest


async def installments_near_tiers(now: datetime, days_before: int, days_after: int) -> list[InstallmentRecord]:
    """Unpaid installments whose due date is close enough to today (in any zone) to reach a tier."""
    earliest, latest = tier_window(now, days_before, days_after)
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
    return [installment_record(r) for r in rows]


def installment_record(r: Any) -> InstallmentRecord:
    """A row of (installment id, borrower id, borrower pk, loan id, number, zone, locale, due date,
    amount due, amount paid, currency, state) as the planner reads it."""
    return InstallmentRecord(
        installment_id=r[0],
        borrower_id=r[1],
        borrower_pk=r[2],
        loan_id=r[3],
        installment_no=r[4],
        timezone=r[5],
        locale=r[6],
        due_date=_day(r[7]),
        outstanding=Decimal(str(r[8])) - Decimal(str(r[9])),
        currency=r[10],
        state=r[11],
    )


async def message_installments(message_id: int) -> list[MessageInstallment]:
    return (await installments_of_messages([message_id])).get(message_id, [])


async def installments_of_messages(message_ids: Sequence[int]) -> dict[int, list[MessageInstallment]]:
    """The installments each message is about, as stored now (one query for the lot)."""
    found: dict[int, list[MessageInstallment]] = defaultdict(list)
    for part in _chunks(sorted(set(message_ids))):
        for r in await _select(
            "SELECT mi.message_id, i.id, l.loan_id, i.installment_no, i.due_date, i.amount_due, i.amount_paid, "
            "l.currency, i.state FROM message_items mi JOIN installments i ON i.id = mi.installment_id "
            "JOIN loans l ON l.id = i.loan_id WHERE mi.message_id {ids}",
            part,
        ):
            found[r["message_id"]].append(
                MessageInstallment(
                    r["id"],
                    r["loan_id"],
                    r["installment_no"],
                    _day(r["due_date"]),
                    Decimal(r["amount_due"]) - Decimal(r["amount_paid"]),
                    r["currency"],
                    r["state"],
                )
            )
    return {
        message_id: sorted(items, key=lambda m: (m.due_date, m.loan_id, m.installment_no))
        for message_id, items in found.items()
    }


# What counts toward the caps: a message handed to a provider, whatever became of it.
CAP_STATUSES = ("sent", "delivered", "undelivered", "failed", "unknown", "sending", "read")
_CAP_STATUSES_SQL = "(" + ", ".join(f"'{s}'" for s in CAP_STATUSES) + ")"
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


def _due_by_today(rows: Iterable[OwedInstallment], zone: str, now: datetime) -> tuple[OwedInstallment, ...]:
    today = now.astimezone(ZoneInfo(zone)).date()
    return tuple(r for r in rows if r.due_date <= today and r.outstanding > 0)


async def contact_snapshots(borrower_pks: Iterable[int], now: datetime) -> dict[int, ContactSnapshot]:
    """Each borrower's contact state at ``now`` (as ``contact_snapshot``), a few queries for the lot:
    the borrower, open restrictions, open cases, pauses, their last message and the sends that
    count toward the caps. Borrowers that do not exist are missing from the answer."""
    pks = sorted(set(borrower_pks))
    borrowers: dict[int, BorrowerRecord] = {}
    restrictions: dict[int, set[str]] = defaultdict(set)
    complaints: set[int] = set()
    disputed: dict[int, set[str]] = defaultdict(set)
    pauses: dict[int, list[tuple[date, date, str, str | None]]] = defaultdict(list)
    last_inbound: dict[int, datetime] = {}
    newest_inbound: dict[int, datetime] = {}
    sends: dict[int, list[PriorSendRecord]] = defaultdict(list)
    owing: dict[int, list[OwedInstallment]] = defaultdict(list)
    window_start = now - timedelta(days=9)
    postgres = is_postgres_connection(connection())
    size = _POSTGRES_CHUNK if postgres else _CHUNK
    # Due by today in any zone (no zone is more than 14 hours ahead); each borrower's own is applied below.
    latest_due = (now + timedelta(hours=14)).date().isoformat()
    due_bound = f"DATE '{latest_due}'" if postgres else f"'{latest_due}'"
    for part in _chunks(pks, size):
        # Six independent reads: at once where the database can take them so (not inside a
        # caller's transaction, whose one connection runs one query at a time). Plain SQL: the
        # ORM built each IN list term by term (1 s of a 100,000-borrower preview's CPU).
        found = await _together(
            _select(f"SELECT {', '.join(_BORROWER_FIELDS)} FROM borrowers WHERE id {{ids}}", part),
            _select("SELECT borrower_id, kind FROM restrictions WHERE borrower_id {ids} AND lifted_at IS NULL", part),
            _select(
                "SELECT c.borrower_id, c.kind, l.loan_id FROM cases c LEFT JOIN loans l ON l.id = c.loan_id "
                "WHERE c.borrower_id {ids} AND c.status <> 'resolved'",
                part,
            ),
            _select(
                "SELECT borrower_id, start_date, end_date, reason, loan_id FROM contact_pauses "
                "WHERE borrower_id {ids} AND cancelled_at IS NULL ORDER BY id",
                part,
            ),
            _select(
                "SELECT borrower_id, MAX(CASE WHEN created_at <= {at} THEN created_at END) AS upto, "
                "MAX(created_at) AS newest FROM messages WHERE borrower_id {ids} AND direction = 'in' "
                "GROUP BY borrower_id",
                part,
                now,
            ),
            _select(
                "SELECT borrower_id, sent_at, kind, idempotency_key, tier FROM messages WHERE borrower_id {ids} "
                f"AND direction = 'out' AND sent_at >= {{at}} AND counts_toward_caps AND status IN {_CAP_STATUSES_SQL}",
                part,
                window_start,
            ),
            _select(
                "SELECT l.borrower_id, i.id, l.currency, i.amount_due, i.amount_paid, i.due_date FROM installments i "
                f"JOIN loans l ON l.id = i.loan_id WHERE l.borrower_id {{ids}} AND l.status = 'active' "
                f"AND i.state IN {UNPAID_SQL} AND i.due_date <= {due_bound}",
                part,
            ),
        )
        for r in found[0]:
            borrowers[r["id"]] = BorrowerRecord(
                *(r[f] for f in _BORROWER_FIELDS[:8]), *(bool(r[f]) for f in _BORROWER_FIELDS[8:])
            )
        for r in found[1]:
            restrictions[r["borrower_id"]].add(r["kind"])
        for r in found[2]:
            if r["kind"] == "complaint":
                complaints.add(r["borrower_id"])
            elif r["kind"] == "dispute" and r["loan_id"]:
                disputed[r["borrower_id"]].add(r["loan_id"])
        for r in found[3]:
            pauses[r["borrower_id"]].append((_day(r["start_date"]), _day(r["end_date"]), r["reason"], r["loan_id"]))
        for r in found[4]:
            if r["upto"] is not None:
                last_inbound[r["borrower_id"]] = _instant(r["upto"])
            if r["newest"] is not None:
                newest_inbound[r["borrower_id"]] = _instant(r["newest"])
        for r in found[5]:
            if r["sent_at"] is not None:
                key = (r["idempotency_key"] or "").split("#", 1)[0] or None
                sends[r["borrower_id"]].append(
                    PriorSendRecord(at=_instant(r["sent_at"]), kind=_counted_kind(r["kind"], r["tier"]), key=key)
                )
        for r in found[6]:
            owing[r["borrower_id"]].append(
                OwedInstallment(
                    r["id"], r["currency"], Decimal(r["amount_due"]) - Decimal(r["amount_paid"]), _day(r["due_date"])
                )
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
            owing=_due_by_today(owing.get(pk, ()), borrower.timezone, now),
        )
        for pk, borrower in borrowers.items()
    }


async def _select(sql: str, ids: list[int], at: datetime | None = None) -> list[dict[str, Any]]:
    """A plain query over many ids: ``{ids}`` in ``sql`` takes the id list, ``{at}`` (after it) the
    instant ``at``. The ORM's query building and conversions cost more than such queries."""
    conn = connection()
    if is_postgres_connection(conn):
        text = sql.format(ids="= ANY($1::int[])", at="$2")
        params: list[Any] = [ids] if at is None else [ids, at.astimezone(UTC)]
    else:  # instants are UTC text on SQLite (see ``UtcDatetimeField``)
        # Numbered parameters: ``{at}`` may come before or after the ids in the text.
        text = sql.format(ids=f"IN ({', '.join(f'?{i}' for i in range(1, len(ids) + 1))})", at=f"?{len(ids) + 1}")
        params = list(ids) if at is None else [*ids, at.astimezone(UTC).isoformat(sep=" ")]
    return await conn.execute_query_dict(text, params)


async def _together(*reads: Awaitable[Any]) -> list[Any]:
    if inside_transaction():
        return [await read for read in reads]
    return list(await asyncio.gather(*reads))


def _instant(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


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
