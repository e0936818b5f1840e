"""What a decision asks for: state changes, at most one answer, and notes for the record.

Plain frozen data. ``apply.apply_plan`` is the only code that turns these into database changes,
so every effect of a reply can be read here in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bot.conversation.facts import Awaiting, Channel


@dataclass(frozen=True, slots=True)
class RecordPromise:
    """A new promise; it supersedes the borrower's open promises on the same loan."""

    borrower_pk: int
    loan_pk: int
    loan_id: str
    promised_date: date
    amount: Decimal
    currency: str
    paid_before: Decimal
    pause_start: date  # reminders pause from here through the promised date


@dataclass(frozen=True, slots=True)
class PauseReminders:
    borrower_pk: int
    reason: str  # hardship, manual (promise pauses come with RecordPromise)
    start: date
    end: date
    loan_id: str | None = None


@dataclass(frozen=True, slots=True)
class OpenCase:
    """Open a case (or add to the open one of that kind). ``borrower_pk`` None: about a sender
    we cannot name (a shared phone); ``dedupe`` then keeps one open case per sender."""

    kind: str
    summary: str
    borrower_pk: int | None
    loan_pk: int | None = None
    dedupe: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    category: str | None = None  # a complaint's topic, for the complaint register


@dataclass(frozen=True, slots=True)
class SetOptOut:
    borrower_pk: int
    channel: Channel
    opted_out: bool


@dataclass(frozen=True, slots=True)
class SetAddressOptOut:
    """A phone or chat we cannot name opts out (or back in)."""

    channel: Channel
    address: str
    opted_out: bool


@dataclass(frozen=True, slots=True)
class MarkPhoneWrong:
    borrower_pk: int


@dataclass(frozen=True, slots=True)
class LinkTelegram:
    borrower_pk: int
    chat_id: int
    via: str  # start_code, contact
    code_id: int | None = None


@dataclass(frozen=True, slots=True)
class UnlinkTelegram:
    borrower_pk: int
    chat_id: int
    because: str


@dataclass(frozen=True, slots=True)
class SetTelegramUsable:
    borrower_pk: int
    usable: bool
    because: str


@dataclass(frozen=True, slots=True)
class SetContext:
    borrower_pk: int
    awaiting: Awaiting
    channel: Channel
    expires_at: datetime
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ClearContext:
    borrower_pk: int


@dataclass(frozen=True, slots=True)
class Note:
    """Something worth recording that changes nothing (an acknowledgement, an unknown sender)."""

    kind: str
    data: Mapping[str, Any] = field(default_factory=dict)


Action = (
    RecordPromise
    | PauseReminders
    | OpenCase
    | SetOptOut
    | SetAddressOptOut
    | MarkPhoneWrong
    | LinkTelegram
    | UnlinkTelegram
    | SetTelegramUsable
    | SetContext
    | ClearContext
    | Note
)


@dataclass(frozen=True, slots=True)
class Reply:
    """The answer, rendered by the dispatcher from ``template`` for the borrower's locale.

    ``reference_of``: fill ``reference`` (and for complaints ``first_response_due``) from the case
    of that kind that the same plan opens. ``key`` overrides the per-message idempotency key
    (the neutral answer to unknown senders goes at most once a day per address).
    """

    template: str
    context: Mapping[str, Any]
    answer_to_opt_out_or_help: bool = False
    reference_of: str | None = None
    key: str | None = None
    locale: str | None = None  # for senders with no borrower: the language they wrote in


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything one inbound message leads to."""

    borrower_pk: int | None
    intent: str  # what the reply was taken to mean (after context)
    actions: tuple[Action, ...] = ()
    reply: Reply | None = None
    why: tuple[str, ...] = ()  # the rules that fired, for the record

    def cases(self) -> tuple[OpenCase, ...]:
        return tuple(a for a in self.actions if isinstance(a, OpenCase))
