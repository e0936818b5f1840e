"""Cases (escalations and complaints): at most one open case per borrower and kind.

A new event about an open case of the same kind is added to it (logged) instead of opening
another. Queue, priority and deadlines come from ``case_route`` (a table) and the policy.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from tortoise.exceptions import IntegrityError

from config.policy import Policy
from storage.interaction_log import InteractionLog, LogEvent
from storage.models import Borrower, Case

CASE_KINDS = (
    "hardship",
    "complaint",
    "dispute",
    "broken_promise",
    "promise_review",
    "human_request",
    "wrong_number",
    "payment_check",
    "unclear",
    "unreachable",
    "send_unknown",
    "overdue_30",
    "overdue_90",
)
QUEUES = ("collections", "hardship", "complaints", "disputes", "legal")
PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("open", "assigned", "waiting", "resolved")


@dataclass(frozen=True, slots=True)
class CaseRoute:
    kind: str
    queue: str
    priority: str


# Where each kind of case goes. Read top to bottom; the first row for a kind wins.
ROUTES: tuple[CaseRoute, ...] = (
    CaseRoute("complaint", "complaints", "high"),
    CaseRoute("dispute", "disputes", "high"),
    CaseRoute("hardship", "hardship", "normal"),
    CaseRoute("overdue_90", "legal", "high"),
    CaseRoute("overdue_30", "collections", "normal"),
    CaseRoute("broken_promise", "collections", "normal"),
    CaseRoute("promise_review", "collections", "normal"),
    CaseRoute("human_request", "collections", "normal"),
    CaseRoute("wrong_number", "collections", "normal"),
    CaseRoute("payment_check", "collections", "normal"),
    CaseRoute("unclear", "collections", "low"),
    CaseRoute("unreachable", "collections", "normal"),
    CaseRoute("send_unknown", "collections", "normal"),
)


def case_route(kind: str) -> CaseRoute:
    for route in ROUTES:
        if route.kind == kind:
            return route
    raise ValueError(f"unknown case kind {kind!r}; allowed: {', '.join(CASE_KINDS)}")


@cache
def _holidays(country: str, year: int) -> frozenset[date]:
    import holidays

    try:
        return frozenset(holidays.country_holidays(country, years=year).keys())
    except NotImplementedError:
        return frozenset()


def add_working_days(start: datetime, days: int, country: str) -> datetime:
    """The same time of day ``days`` working days later (weekends and public holidays skipped)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        day = current.date()
        if day.weekday() < 5 and day not in _holidays(country, day.year):
            remaining -= 1
    return current


def deadlines(kind: str, opened_at: datetime, policy: Policy) -> tuple[datetime | None, datetime | None]:
    complaints = policy.complaints
    if kind == "complaint":
        return (
            add_working_days(opened_at, complaints.first_response_working_days, complaints.holiday_country),
            opened_at + timedelta(days=complaints.resolution_calendar_days),
        )
    return add_working_days(opened_at, 1, complaints.holiday_country), None


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
) -> tuple[Case, bool]:
    """Open a case of ``kind`` or add this event to the borrower's open one. Returns (case, created)."""
    route = case_route(kind)
    open_key = f"{borrower.id}:{kind}" if borrower is not None else None
    existing = await Case.get_or_none(open_key=open_key) if open_key else None
    borrower_id = borrower.borrower_id if borrower else None
    if existing is None:
        first_due, resolve_due = deadlines(kind, now, policy)
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
