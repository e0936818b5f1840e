"""The console's queue listing at scale: a count, pages, and the order a team works in, all in the
database (50,000 open cases must not be loaded to show a hundred), and the facts shown per row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tortoise.expressions import RawSQL

from storage.case_views import QueueFilter
from storage.database import connection
from storage.dispatching import _instant
from storage.models import Case
from storage.servicing import UNPAID_SQL

QUEUE_SORTS = ("deadline", "priority", "age", "dpd", "amount")
PAGE_SIZE = 100
_NEXT_DEADLINE = "COALESCE(CASE WHEN first_response_at IS NULL THEN first_response_due END, resolve_due)"
_PRIORITY_RANK = "CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END"
_OLDEST_UNPAID = (
    "(SELECT MIN(i.due_date) FROM installments i JOIN loans l ON l.id = i.loan_id "
    f"WHERE l.borrower_id = cases.borrower_id AND l.status = 'active' AND i.state IN {UNPAID_SQL})"
)
_OVERDUE_CENTS = (
    "(SELECT SUM(CAST(ROUND((i.amount_due - i.amount_paid) * 100) AS BIGINT)) FROM installments i "
    "JOIN loans l ON l.id = i.loan_id WHERE l.borrower_id = cases.borrower_id AND l.status = 'active' "
    f"AND i.state IN {UNPAID_SQL} AND i.due_date < CURRENT_DATE)"
)


@dataclass(frozen=True, slots=True)
class RowFacts:
    """What a queue row shows of the borrower beside the case."""

    oldest_unpaid_due: date | None = None
    overdue: dict[str, Decimal] = field(default_factory=dict)  # per currency, due before their today
    last_in: datetime | None = None
    last_out: datetime | None = None


@dataclass(frozen=True, slots=True)
class QueuePage:
    total: int
    page: int
    pages: int
    cases: list[Case]
    facts: dict[int, RowFacts]  # by borrower pk


def _query(filters: QueueFilter, workable: Collection[str]) -> Any:
    queues = [q for q in workable if filters.queue in (None, q)]
    query = Case.filter(queue__in=sorted(queues) or ["-"])
    if filters.kind:
        query = query.filter(kind=filters.kind)
    if filters.status in (None, "", "active"):
        query = query.exclude(status="resolved")
    else:
        query = query.filter(status=filters.status)
    if filters.assignee == "none":
        query = query.filter(assignee_id__isnull=True)
    elif filters.assignee:
        query = query.filter(assignee__username=filters.assignee)
    return query


def _ordered(query: Any, sort: str) -> Any:
    """Most urgent first, in the database: the nearest deadline (overdue ones lead, cases with none
    last), the highest priority, the oldest, the most days past due or the most overdue money."""
    if sort == "priority":
        return query.annotate(rank=RawSQL(_PRIORITY_RANK)).order_by("rank", "opened_at", "id")
    if sort == "age":
        return query.order_by("opened_at", "id")
    if sort == "dpd":
        none_last = RawSQL(f"CASE WHEN {_OLDEST_UNPAID} IS NULL THEN 1 ELSE 0 END")
        return query.annotate(none=none_last, oldest=RawSQL(_OLDEST_UNPAID)).order_by("none", "oldest", "id")
    if sort == "amount":
        return query.annotate(owed=RawSQL(f"COALESCE({_OVERDUE_CENTS}, 0)")).order_by("-owed", "id")
    none_last = RawSQL(f"CASE WHEN {_NEXT_DEADLINE} IS NULL THEN 1 ELSE 0 END")
    rank = RawSQL(_PRIORITY_RANK)
    return query.annotate(none=none_last, due=RawSQL(_NEXT_DEADLINE), rank=rank).order_by(
        "none", "due", "rank", "opened_at", "id"
    )


async def queue_page(
    filters: QueueFilter, workable: Collection[str], *, sort: str = "deadline", page: int = 1, size: int = PAGE_SIZE
) -> QueuePage:
    query = _query(filters, workable)
    total = await query.count()
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    ordered = _ordered(query, sort if sort in QUEUE_SORTS else "deadline")
    cases = await ordered.offset((page - 1) * size).limit(size).prefetch_related("borrower", "assignee")
    borrowers = sorted({c.borrower_id for c in cases if c.borrower_id is not None})
    return QueuePage(total, page, pages, cases, await row_facts(borrowers))


async def row_facts(borrower_pks: Sequence[int]) -> dict[int, RowFacts]:
    """Oldest unpaid due date, overdue money per currency (due before the UTC date; the page turns
    the due date into days past due in each borrower's own calendar) and the last message each way."""
    if not borrower_pks:
        return {}
    conn = connection()
    ids = ", ".join(str(int(pk)) for pk in borrower_pks)
    today = "CURRENT_DATE"
    _, owed = await conn.execute_query(
        "SELECT l.borrower_id, l.currency, MIN(i.due_date), "
        f"SUM(CASE WHEN i.due_date < {today} THEN CAST(ROUND((i.amount_due - i.amount_paid) * 100) AS BIGINT) "
        "ELSE 0 END) FROM installments i JOIN loans l ON l.id = i.loan_id "
        f"WHERE l.borrower_id IN ({ids}) AND l.status = 'active' AND i.state IN {UNPAID_SQL} "
        "GROUP BY l.borrower_id, l.currency"
    )
    _, last = await conn.execute_query(
        "SELECT borrower_id, MAX(CASE WHEN direction = 'in' THEN created_at END), MAX(sent_at) FROM messages "
        f"WHERE borrower_id IN ({ids}) GROUP BY borrower_id"
    )
    oldest: dict[int, date] = {}
    overdue: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for pk, currency, first_due, cents in owed:
        due = first_due if isinstance(first_due, date) else date.fromisoformat(str(first_due))
        oldest[pk] = min(oldest.get(pk, due), due)
        if cents:
            overdue[pk][str(currency)] = Decimal(int(cents)) / 100
    seen = {pk: (_instant(i), _instant(o)) for pk, i, o in last}
    return {pk: RowFacts(oldest.get(pk), dict(overdue.get(pk, {})), *seen.get(pk, (None, None))) for pk in borrower_pks}
