"""Plain records read from the database for the dispatcher: no ORM objects, no database calls.

The queries that fill them live in ``storage.servicing`` and ``storage.dispatching``; the pure
step of dispatch (``scheduler.prepare``) reads them without importing the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class BorrowerRecord:
    """A borrower's contact data as stored."""

    id: int
    borrower_id: str
    full_name: str
    phone: str
    telegram_chat_id: int | None
    locale: str
    timezone: str
    preferred_channel: str
    sms_opted_out: bool
    telegram_opted_out: bool
    telegram_usable: bool
    phone_wrong: bool


@dataclass(frozen=True, slots=True)
class PriorSendRecord:
    at: datetime
    kind: str
    key: str | None


@dataclass(frozen=True, slots=True)
class OwedInstallment:
    """An unpaid installment due by the borrower's today (what they owe now, any loan)."""

    installment_id: int
    currency: str
    outstanding: Decimal
    due_date: date


@dataclass(frozen=True, slots=True)
class ContactSnapshot:
    """Everything the contact guard needs about one borrower, read at one moment."""

    borrower: BorrowerRecord
    restrictions: frozenset[str]
    open_complaint: bool
    disputed_loan_ids: frozenset[str]
    pauses: tuple[tuple[date, date, str, str | None], ...]  # start, end, reason, loan id (None: all)
    last_inbound_at: datetime | None  # the borrower's last message up to the pass's ``now``
    prior_sends: tuple[PriorSendRecord, ...]
    newest_inbound_at: datetime | None = None  # their newest message, whatever ``now`` says
    owing: tuple[OwedInstallment, ...] = ()  # unpaid installments due by their today, every loan


@dataclass(frozen=True, slots=True)
class MessageInstallment:
    installment_id: int
    loan_id: str
    installment_no: int
    due_date: date
    outstanding: Decimal
    currency: str
    state: str


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """An outbound message row as the dispatcher reads it when its batch is claimed."""

    id: int
    borrower_pk: int | None
    channel: str
    kind: str
    tier: str | None
    local_date: date | None
    not_before: datetime | None
    not_after: datetime | None
    key: str | None  # the idempotency key
    attempt_of: int | None
    payload: dict[str, Any]
    urgent: bool
    attempts: int
    guard_rule: str | None
    status: str
    lease_owner: str | None
    body: str = ""  # what was last recorded as sent (an earlier attempt's text), else empty
