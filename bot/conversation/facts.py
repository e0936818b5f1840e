"""What a decision looks at: plain frozen data, read from the database by ``loading``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

Channel = Literal["sms", "telegram"]
EventKind = Literal["text", "start", "contact", "blocked", "unblocked"]
Awaiting = Literal["promise_date", "clarification"]


def _aware(value: datetime, name: str) -> None:
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Inbound:
    """One thing a person sent us, as stored.

    ``kind`` says what it is: a text, a Telegram ``/start`` (with its deep-link ``start_code``),
    a shared contact card, or the user blocking / unblocking the bot.
    """

    message_pk: int
    event_id: str
    channel: Channel
    address: str  # E.164 phone or Telegram chat id, as the provider gave it
    text: str
    received_at: datetime
    kind: EventKind = "text"
    start_code: str | None = None
    # A shared contact: its phone (E.164 when it parses) and whether it is the sender's own.
    contact_phone: str | None = None
    contact_is_own: bool = False
    # Twilio Advanced Opt-Out: the keyword class Twilio acted on (opt_out, opt_in, help), if any.
    provider_keyword: str | None = None

    def __post_init__(self) -> None:
        _aware(self.received_at, "received_at")


@dataclass(frozen=True, slots=True)
class BorrowerFacts:
    pk: int
    borrower_id: str
    full_name: str
    locale: str
    timezone: str
    phone: str
    telegram_chat_id: int | None
    sms_opted_out: bool
    telegram_opted_out: bool
    telegram_usable: bool
    phone_wrong: bool

    def opted_out_of(self, channel: Channel) -> bool:
        return self.sms_opted_out if channel == "sms" else self.telegram_opted_out


@dataclass(frozen=True, slots=True)
class Owed:
    """An unpaid installment."""

    loan_pk: int
    loan_id: str
    installment_no: int
    due_date: date
    outstanding: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class LoanFocus:
    """The loan a reply is about: the one last reminded about, else the one due soonest."""

    loan_pk: int
    loan_id: str
    currency: str
    paid_total: Decimal  # every payment recorded on the loan so far


@dataclass(frozen=True, slots=True)
class Account:
    owed: tuple[Owed, ...] = ()  # oldest due first
    focus: LoanFocus | None = None
    recent_payment: bool = False  # a payment made within the already-paid window

    def owed_on(self, loan_pk: int) -> tuple[Owed, ...]:
        return tuple(o for o in self.owed if o.loan_pk == loan_pk)


@dataclass(frozen=True, slots=True)
class Context:
    """What we last asked this borrower, valid until ``expires_at``."""

    awaiting: Awaiting
    channel: Channel
    expires_at: datetime
    amount: Decimal | None = None

    def __post_init__(self) -> None:
        _aware(self.expires_at, "expires_at")

    def active(self, now: datetime) -> bool:
        return now < self.expires_at


@dataclass(frozen=True, slots=True)
class Matched:
    borrower: BorrowerFacts
    account: Account
    context: Context | None = None


@dataclass(frozen=True, slots=True)
class Unknown:
    """Nobody we know writes from this phone or chat. ``opted_out``: it asked us to stop before."""

    opted_out: bool = False


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """Several borrowers share this phone or chat: none of them may be disclosed to the sender."""

    borrowers: tuple[BorrowerFacts, ...]


Sender = Matched | Unknown | Ambiguous


@dataclass(frozen=True, slots=True)
class CodeFacts:
    """A ``/start`` code as looked up: whose it is and whether it can still be used."""

    code_id: int
    borrower: BorrowerFacts
    usable: bool
    reason: str  # ok, used, expired


@dataclass(frozen=True, slots=True)
class Settings:
    """The settings a decision needs (a slice of config.settings.Settings)."""

    lender_name: str
    lender_contact: str
    twilio_manages_opt_out: bool = False
