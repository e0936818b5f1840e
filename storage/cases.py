"""Cases (escalations and complaints): at most one open case per borrower and kind.

A new event about an open case of the same kind is added to it (logged) instead of opening
another. Queue and priority come from the policy's routing table (``case_route``), deadlines
from the policy's per-queue SLAs (``sla_deadlines``).
"""

from __future__ import annotations

import secrets
from bisect import bisect_right
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError

# The vocabulary lives in config (the routing table is validated against it when the policy
# loads) and is re-exported here.
from config.policy import CASE_KINDS as CASE_KINDS
from config.policy import PRIORITIES as PRIORITIES
from config.policy import QUEUES as QUEUES
from config.policy import RISK_LEVELS, Policy, Span
from storage.interaction_log import InteractionLog, LogEvent
from storage.models import Borrower, Case, Installment

STATUSES = ("open", "assigned", "waiting", "resolved")


@dataclass(frozen=True, slots=True)
class CaseRoute:
    kind: str
    queue: str
    priority: str


@dataclass(frozen=True, slots=True)
class RoutingFacts:
    """What the routing table looks at besides the kind."""

    dpd: int = 0  # days past due of the oldest unpaid installment (the case's loan, or any)
    amount: Decimal = Decimal(0)  # overdue amount still owed (the case's loan, or all loans)
    risk: str = "normal"  # five-level classification of that dpd


def case_route(kind: str, policy: Policy, facts: RoutingFacts | None = None) -> CaseRoute:
    """Queue and priority from the policy's routing table (the first matching row wins)."""
    facts = facts or RoutingFacts()
    rule = policy.routing.route(kind, dpd=facts.dpd, amount=facts.amount, risk=facts.risk)
    return CaseRoute(kind, rule.queue, rule.priority)


def risk_level(dpd: int, policy: Policy) -> str:
    """The five-level classification of ``dpd`` (as scheduler.tiers.loan_classification; storage
    may not import scheduler, and a test keeps the two in step)."""
    c = policy.classification
    floors = (c.special_mention_from_dpd, c.substandard_from_dpd, c.doubtful_from_dpd, c.loss_from_dpd)
    return RISK_LEVELS[bisect_right(floors, dpd)]


async def routing_facts(borrower: Borrower, loan_pk: int | None, now: datetime, policy: Policy) -> RoutingFacts:
    """Days past due and overdue amount in the borrower's own calendar, read now."""
    today = now.astimezone(ZoneInfo(borrower.timezone)).date()
    query = Installment.filter(loan__borrower_id=borrower.id, state__in=("open", "partially_paid"), due_date__lt=today)
    if loan_pk is not None:
        query = query.filter(loan_id=loan_pk)
    rows = await query.values_list("due_date", "amount_due", "amount_paid")
    if not rows:
        return RoutingFacts()
    dpd = (today - min(due for due, _a, _p in rows)).days
    amount = sum((Decimal(a) - Decimal(p) for _d, a, p in rows), Decimal(0))
    return RoutingFacts(dpd=dpd, amount=max(amount, Decimal(0)), risk=risk_level(dpd, policy))


@cache
def _holidays(country: str, year: int) -> frozenset[date]:
    import holidays

    try:
        return frozenset(holidays.country_holidays(country, years=year).keys())
    except NotImplementedError:
        return frozenset()


def is_working_day(day: date, country: str) -> bool:
    return day.weekday() < 5 and day not in _holidays(country, day.year)


def add_working_days(start: datetime, days: int, country: str, zone: str | None = None) -> datetime:
    """The same wall-clock time ``days`` working days later (weekends and public holidays skipped).

    Days are counted in ``zone``'s calendar when given (the servicing team's), so a case opened
    late on a Friday evening there is not counted as Saturday morning UTC's. Opened on a day off,
    the count starts from the next working day.
    """
    local = start.astimezone(ZoneInfo(zone)) if zone else start
    day = local.date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, country):
            remaining -= 1
    moved = datetime.combine(day, local.time(), tzinfo=local.tzinfo)
    return moved.astimezone(start.tzinfo)


def add_span(start: datetime, span: Span, policy: Policy) -> datetime:
    if span.unit == "hours":
        return start + timedelta(hours=span.amount)
    if span.unit == "calendar_days":
        return start + timedelta(days=span.amount)
    return add_working_days(start, span.amount, policy.complaints.holiday_country, policy.sla.timezone)


def sla_deadlines(queue: str, opened_at: datetime, policy: Policy) -> tuple[datetime, datetime | None]:
    """(first response due, resolution due or None) for a case opened in ``queue`` at ``opened_at``."""
    first, resolution = policy.sla_for(queue)
    return add_span(opened_at, first, policy), (add_span(opened_at, resolution, policy) if resolution else None)


def deadlines(
    kind: str, opened_at: datetime, policy: Policy, queue: str | None = None
) -> tuple[datetime | None, datetime | None]:
    return sla_deadlines(queue or case_route(kind, policy).queue, opened_at, policy)


def new_reference(kind: str, now: datetime) -> str:
    prefix = {"complaint": "CMP", "dispute": "DSP"}.get(kind, "CASE")
    return f"{prefix}-{now:%y%m%d}-{secrets.token_hex(3).upper()}"


CaseNotifier = Callable[[Case, bool], Awaitable[None]]


async def open_case(
    *,
    borrower: Borrower | None,
    kind: str,
    now: datetime,
    policy: Policy,
    log: InteractionLog,
    loan_pk: int | None = None,
    summary: str = "",
    actor: str = "system",
    details: dict[str, Any] | None = None,
    notify: CaseNotifier | None = None,
    facts: RoutingFacts | None = None,
) -> tuple[Case, bool]:
    """Open a case of ``kind`` or add this event to the borrower's open one. Returns (case, created).

    Queue and priority come from the policy's routing table, fed with ``facts`` (read from the
    loan book now when not given).
    """
    if facts is None and borrower is not None:
        facts = await routing_facts(borrower, loan_pk, now, policy)
    route = case_route(kind, policy, facts)
    open_key = f"{borrower.id}:{kind}" if borrower is not None else None
    existing = await Case.get_or_none(open_key=open_key) if open_key else None
    borrower_id = borrower.borrower_id if borrower else None
    if existing is None:
        first_due, resolve_due = sla_deadlines(route.queue, now, policy)
        for _ in range(5):
            try:
                case = await Case.create(
                    reference=new_reference(kind, now),
                    borrower=borrower,
                    loan_id=loan_pk,
                    kind=kind,
                    queue=route.queue,
                    priority=route.priority,
                    opened_at=now,
                    first_response_due=first_due,
                    resolve_due=resolve_due,
                    summary=summary[:2000],
                    open_key=open_key,
                )
                break
            except IntegrityError:
                existing = await Case.get_or_none(open_key=open_key) if open_key else None
                if existing is not None:
                    break
        else:  # pragma: no cover - five reference collisions in a row
            raise RuntimeError("could not allocate a case reference")
        if existing is None:
            await log.append(
                LogEvent(
                    "case.opened",
                    now,
                    borrower_id,
                    actor,
                    {
                        "case_id": case.id,
                        "reference": case.reference,
                        "kind": kind,
                        "queue": route.queue,
                        "priority": route.priority,
                        "summary": summary,
                        **(details or {}),
                    },
                )
            )
            if notify is not None:
                await notify(case, True)
            return case, True
    assert existing is not None
    await log.append(
        LogEvent(
            "case.event",
            now,
            borrower_id,
            actor,
            {
                "case_id": existing.id,
                "reference": existing.reference,
                "kind": kind,
                "summary": summary,
                **(details or {}),
            },
        )
    )
    return existing, False


async def open_case_for(borrower_pk: int, **kwargs: Any) -> tuple[Case, bool]:
    """``open_case`` for a borrower known by ``borrowers.id`` (for steps that read the book set-based)."""
    return await open_case(borrower=await Borrower.get(id=borrower_pk), **kwargs)


async def mark_acknowledged(case_id: int, at: datetime) -> None:
    """The borrower was sent the case's acknowledgement (its reference) at ``at``; the first one counts."""
    await Case.filter(id=case_id, acknowledged_at__isnull=True).update(acknowledged_at=at)


async def open_cases(borrower: Borrower, kind: str | None = None) -> list[Case]:
    query = Case.filter(borrower=borrower).exclude(status="resolved")
    if kind is not None:
        query = query.filter(kind=kind)
    return await query.order_by("opened_at")


def case_json(
    case: Case, assignee: str | None = None, borrower_id: str | None = None, loan_id: str | None = None
) -> dict[str, Any]:
    """The API's case object (GET /api/v1/cases items and the case actions' answers)."""
    return {
        "id": case.id,
        "reference": case.reference,
        "borrower_id": borrower_id,
        "loan_id": loan_id,
        "kind": case.kind,
        "queue": case.queue,
        "status": case.status,
        "priority": case.priority,
        "opened_at": case.opened_at.isoformat(),
        "first_response_due": case.first_response_due.isoformat() if case.first_response_due else None,
        "resolve_due": case.resolve_due.isoformat() if case.resolve_due else None,
        "assignee": assignee,
    }
