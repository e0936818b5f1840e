"""Queries behind the calendar escalations and the SLA watch, and the marks that make them once-only.

A mark (kind, ref) records that an event was escalated: installment 17 crossed 30 days past
due, message 40 was left ``unknown``, case 9 missed its first response. Candidates are read with
the marked ones excluded in the database, so a pass stays cheap however long the book is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.expressions import Q, Subquery

from storage.database import connection, is_postgres_connection
from storage.models import Borrower, Case, EscalationMark, Installment, Message
from storage.servicing import UNPAID_SQL, UNPAID_STATES

# Neither channel can carry a message, in SQL: written exactly as the partial index that holds
# these borrowers (``storage/database.py``), so both databases use that index for it.
UNREACHABLE = "(phone_wrong OR phone = '') AND (telegram_chat_id IS NULL OR NOT telegram_usable)"
# No zone is more than 14 hours ahead of UTC: a bound on every borrower's local date.
_MAX_AHEAD = timedelta(hours=14)


def _marked(kind: str) -> Subquery:
    return Subquery(EscalationMark.filter(kind=kind).values("ref"))


async def mark(kind: str, refs: Sequence[int], now: datetime, case_id: int | None = None) -> None:
    if refs:
        await EscalationMark.bulk_create(
            [EscalationMark(kind=kind, ref=ref, case_id=case_id, created_at=now) for ref in refs],
            ignore_conflicts=True,
        )


async def unmark(kind: str, refs: Sequence[int]) -> None:
    if refs:
        await EscalationMark.filter(kind=kind, ref__in=list(refs)).delete()


@dataclass(frozen=True, slots=True)
class OverdueInstallment:
    installment_id: int
    borrower_pk: int
    loan_pk: int
    due_date: date
    dpd: int


async def overdue_unmarked(kind: str, now: datetime, min_dpd: int) -> list[OverdueInstallment]:
    """Unpaid installments of active loans at least ``min_dpd`` days past due in the borrower's
    own calendar, not yet marked ``kind``."""
    latest_due = (now + _MAX_AHEAD).date() - timedelta(days=min_dpd)
    rows = (
        await Installment.filter(state__in=UNPAID_STATES, due_date__lte=latest_due, loan__status="active")
        .exclude(id__in=_marked(kind))
        .values_list("id", "loan__borrower_id", "loan_id", "due_date", "loan__borrower__timezone")
    )
    found = []
    for installment_id, borrower_pk, loan_pk, due, zone in rows:
        dpd = (now.astimezone(ZoneInfo(zone)).date() - due).days
        if dpd >= min_dpd:
            found.append(OverdueInstallment(installment_id, borrower_pk, loan_pk, due, dpd))
    return found


async def unknown_unmarked() -> list[Message]:
    """Outbound messages whose send state is unknown (the provider may or may not have them)."""
    return (
        await Message.filter(direction="out", status="unknown", borrower_id__isnull=False)
        .exclude(id__in=_marked("send_unknown"))
        .order_by("id")
    )


def _unreachable() -> Q:
    """Neither channel can carry a message (as opposed to the borrower having opted out: a choice)."""
    no_sms = Q(phone_wrong=True) | Q(phone="")
    no_telegram = Q(telegram_chat_id__isnull=True) | Q(telegram_usable=False)
    return no_sms & no_telegram


async def unreachable_overdue(now: datetime) -> tuple[list[Borrower], list[int]]:
    """(borrowers owing overdue money we cannot reach, not yet marked; marked borrowers reachable again)."""
    today_bound = (now + _MAX_AHEAD).date()
    conn = connection()
    postgres = is_postgres_connection(conn)
    # Driven by the unreachable borrowers (a partial index holds just them: ``UNREACHABLE``), so
    # the check costs what they number, not what the book does.
    sql = (
        f"SELECT b.id FROM borrowers b WHERE {UNREACHABLE} "
        "AND NOT EXISTS (SELECT 1 FROM escalation_marks m WHERE m.kind = 'unreachable' AND m.ref = b.id) "
        "AND EXISTS (SELECT 1 FROM loans l JOIN installments i ON i.loan_id = l.id WHERE l.borrower_id = b.id "
        f"AND l.status = 'active' AND i.state IN {UNPAID_SQL} AND i.due_date < {'$1' if postgres else '?'})"
    )
    _, rows = await conn.execute_query(sql, [today_bound if postgres else today_bound.isoformat()])
    newly = await Borrower.filter(id__in=[r[0] for r in rows]).order_by("id") if rows else []
    marked_ids = await EscalationMark.filter(kind="unreachable").values_list("ref", flat=True)
    reachable_again: list[int] = (
        await Borrower.filter(id__in=list(marked_ids)).exclude(_unreachable()).values_list("id", flat=True)  # type: ignore[assignment]
        if marked_ids
        else []
    )
    # The query's bound is loose (any zone); keep those whose own local date makes them overdue.
    overdue = []
    for borrower in newly:
        today = now.astimezone(ZoneInfo(borrower.timezone)).date()
        if await Installment.filter(
            loan__borrower_id=borrower.id, state__in=UNPAID_STATES, due_date__lt=today, loan__status="active"
        ).exists():
            overdue.append(borrower)
    return overdue, reachable_again


async def first_response_missed(now: datetime) -> list[Case]:
    """Open cases past their first-response deadline with no response yet, not yet announced."""
    return (
        await Case.filter(first_response_due__lt=now, first_response_at__isnull=True)
        .exclude(status="resolved")
        .exclude(id__in=_marked("sla_first_response"))
        .prefetch_related("borrower", "assignee")
        .order_by("first_response_due")
    )
