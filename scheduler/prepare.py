"""The pure step of dispatch: what to do with one claimed message, from the data of its batch.

Given the message (and the logical message it is an attempt of), the borrower, the installments
it is about and the borrower's contact state, :func:`choose` walks the message's channels in order
and asks the contact guard about each, returning the channel to send on or the verdict that holds
the message back; :func:`compose` renders the text for that channel and builds the request. No
database, no network: the dispatcher (``scheduler.dispatch``) loads the data, sends and records.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from config.policy import Policy
from scheduler.channel import OutboundMessage
from scheduler.guard import (
    ContactGuard,
    ContactState,
    InstallmentState,
    MessageKind,
    Pause,
    PriorSend,
    Prospect,
    SendHistory,
    Verdict,
    counts_toward_caps,
)
from scheduler.rendering import INVITING_STAGES, LOCALES, PUBLIC_KINDS, MessageRenderer, reminder_context
from storage.records import BorrowerRecord, ContactSnapshot, MessageInstallment, OutboxRecord, OwedInstallment

__all__ = [
    "CHANNEL_RULES",
    "EFFECTS",
    "NEXT_PASS",
    "Attempt",
    "Composed",
    "Job",
    "Letterhead",
    "address_of",
    "answer_address",
    "answering",
    "channel_order",
    "choose",
    "compose",
    "compose_unaddressed",
    "contact_state",
    "deferral",
    "guard_kind",
    "prospect",
    "send_history",
    "wants_invite",
    "with_effect",
]

# Verdicts about one channel only: the other channel may still reach the borrower.
CHANNEL_RULES: Final = frozenset({"opted_out", "wrong_number", "telegram_unusable", "no_address", "channel_off"})
# Effects of a permanent refusal on the borrower's contact data: (column, new value).
EFFECTS: Final[Mapping[str, tuple[str, bool]]] = {
    "sms_opted_out": ("sms_opted_out", True),
    "invalid_number": ("phone_wrong", True),
    "not_mobile": ("phone_wrong", True),
    "unroutable": ("phone_wrong", True),
    "telegram_blocked": ("telegram_usable", False),
    "chat_not_found": ("telegram_usable", False),
}
# "Ask again next pass" must not mean "again in this pass": the claim loop would spin.
NEXT_PASS: Final = timedelta(seconds=30)


# --- the data of one message --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Job:
    """One claimed message with what its batch loaded for it."""

    message: OutboxRecord
    base: OutboxRecord  # the logical message: itself, or the one this fallback attempt belongs to
    borrower: BorrowerRecord
    items: tuple[MessageInstallment, ...]

    @property
    def key(self) -> str:
        return self.base.key or ""


@dataclass(frozen=True, slots=True)
class Letterhead:
    """What every message says of the lender, and where delivery reports go."""

    lender_name: str
    lender_contact: str
    status_callback_url: str | None = None


def contact_state(snapshot: ContactSnapshot) -> ContactState:
    b = snapshot.borrower
    return ContactState(
        timezone=b.timezone,
        locale=b.locale,
        sms_opted_out=b.sms_opted_out,
        telegram_opted_out=b.telegram_opted_out,
        telegram_usable=b.telegram_usable and b.telegram_chat_id is not None,
        phone_wrong=b.phone_wrong,
        restrictions=snapshot.restrictions,  # type: ignore[arg-type]
        open_complaint=snapshot.open_complaint,
        disputed_loan_ids=snapshot.disputed_loan_ids,
        pauses=tuple(_pause(*row) for row in snapshot.pauses),
        last_inbound_at=snapshot.last_inbound_at,
    )


def _owed_now(about: Sequence[MessageInstallment], owing: Sequence[OwedInstallment], currency: str) -> Decimal:
    """The installments a reminder is about, and every other one due by today, in ``currency``."""
    mine = {i.installment_id for i in about}
    total = sum((i.outstanding for i in about if i.currency == currency), Decimal(0))
    others = (o.outstanding for o in owing if o.currency == currency and o.installment_id not in mine)
    return (total + sum(others, Decimal(0))).quantize(Decimal("0.01"))


def _pause(start: date, end: date, reason: str, loan_id: str | None) -> Pause:
    """A promise or hardship pause holds all the borrower's reminders (one conversation about their
    money); a claim to have paid holds only the loan claimed paid."""
    return Pause(start, end, reason, loan_id if reason == "payment_claim" else None)  # type: ignore[arg-type]


def send_history(snapshot: ContactSnapshot) -> SendHistory:
    return SendHistory(tuple(PriorSend(s.at, s.kind, s.key) for s in snapshot.prior_sends))  # type: ignore[arg-type]


def with_effect(borrower: BorrowerRecord, effect: str | None) -> BorrowerRecord | None:
    """The borrower as a permanent refusal with ``effect`` leaves them; None when nothing changes."""
    if effect is None or effect not in EFFECTS:
        return None
    column, value = EFFECTS[effect]
    if getattr(borrower, column) == value:
        return None
    changes: dict[str, Any] = {column: value}
    return replace(borrower, **changes)


# --- which channel, and may it go ---------------------------------------------------------


def guard_kind(message: OutboxRecord) -> MessageKind:
    explicit = message.payload.get("guard_kind")
    if explicit:
        return explicit
    return "followup" if (message.tier or "").startswith("D+") else "reminder"


def answer_address(message: OutboxRecord, channel: str) -> str | None:
    """An answer goes to the phone or chat that wrote (``payload.to``), on that channel only: not
    always the one on file (a wrong number's chat being unlinked, a sender we cannot name)."""
    to = message.payload.get("to")
    if to and message.payload.get("fixed_channel") and channel == message.channel:
        return str(to)
    return None


def address_of(borrower: BorrowerRecord, channel: str) -> str | None:
    if channel == "sms":
        return borrower.phone or None
    return str(borrower.telegram_chat_id) if borrower.telegram_chat_id is not None else None


def answering(state: ContactState, message: OutboxRecord, channel: str) -> ContactState:
    """The chat that has just written to us can take the answer, whatever the file says about it
    (a chat being unlinked as a wrong number)."""
    if channel == "telegram" and answer_address(message, channel) is not None:
        return replace(state, telegram_usable=True)
    return state


def channel_order(borrower: BorrowerRecord, message: OutboxRecord) -> list[str]:
    if message.payload.get("fixed_channel"):
        return [message.channel]
    first = borrower.preferred_channel
    return [first, "sms" if first == "telegram" else "telegram"]


def prospect(job: Job, channel: str) -> Prospect:
    message, base, items = job.message, job.base, job.items
    kind = guard_kind(message)
    dated = base.local_date is not None and base.not_before is not None and base.not_after is not None
    return Prospect(
        kind=kind,
        channel=channel,  # type: ignore[arg-type]
        collection_related=bool(message.payload.get("collection_related", kind in ("reminder", "followup"))),
        loan_ids=frozenset(i.loan_id for i in items) or frozenset(message.payload.get("loan_ids", [])),
        installments=tuple(
            InstallmentState(i.installment_id, i.loan_id, i.state in ("paid", "waived") or i.outstanding <= 0)
            for i in items
        ),
        local_date=base.local_date if dated else None,
        not_before=base.not_before if dated else None,
        not_after=base.not_after if dated else None,
        message_key=base.key,
        answer_to_opt_out_or_help=bool(message.payload.get("answer_to_opt_out_or_help", False)),
    )


@dataclass(frozen=True, slots=True)
class Attempt:
    """Send on ``channel`` (the ``position``-th of the message's channels) to ``address``."""

    position: int
    channel: str
    address: str
    verdict: Verdict


def choose(
    job: Job,
    state: ContactState,
    history: SendHistory,
    *,
    guard: ContactGuard,
    channels: Collection[str],
    now: datetime,
    sending_enabled: bool,
    start: int = 0,
    verdict: Verdict | None = None,
) -> Attempt | Verdict:
    """The first channel from ``start`` on that the guard lets the message go on now, or the verdict
    that holds it back. ``verdict``: why the channels before ``start`` did not take it."""
    order = channel_order(job.borrower, job.message)
    for position in range(start, len(order)):
        channel = order[position]
        address = answer_address(job.message, channel) or address_of(job.borrower, channel)
        # A fallback channel that is off or has no address must not hide why the channel
        # before it said no (the skip would read "no telegram address", not "opted out").
        kept = verdict is not None and verdict.rule in CHANNEL_RULES
        if channel not in channels:
            if not kept:
                verdict = Verdict("never", "channel_off", f"the {channel} channel is not configured")
            continue
        if address is None:
            if not kept:
                verdict = Verdict("never", "no_address", f"no {channel} address on file")
            continue
        verdict = guard.decide(
            prospect(job, channel),
            answering(state, job.message, channel),
            history,
            now=now,
            sending_enabled=sending_enabled,
        )
        if verdict.decision == "now":
            return Attempt(position, channel, address, verdict)
        if verdict.decision == "never" and verdict.rule in CHANNEL_RULES:
            continue
        return verdict
    assert verdict is not None  # every message has at least one channel
    return verdict


def deferral(message: OutboxRecord, verdict: Verdict, now: datetime) -> tuple[datetime, bool]:
    """When to ask again about a message held back for later, and whether to log it (a hold is
    logged once per reason, not once per pass)."""
    retry_at = verdict.not_before if verdict.not_before is not None and verdict.not_before > now else now + NEXT_PASS
    return retry_at, message.guard_rule != verdict.rule


# --- what to send -------------------------------------------------------------------------


def wants_invite(borrower: BorrowerRecord, message: OutboxRecord, channel: str) -> bool:
    """An SMS reminder to a borrower who prefers Telegram but has no chat we can use (and has not
    opted out of Telegram) may carry a link that lets them move to Telegram."""
    return (
        channel == "sms"
        and message.kind in INVITING_STAGES
        and not message.payload.get("prerendered")
        and borrower.preferred_channel == "telegram"
        and not borrower.telegram_opted_out
        and (borrower.telegram_chat_id is None or not borrower.telegram_usable)
    )


@dataclass(frozen=True, slots=True)
class Composed:
    """A request ready to leave, and what the outbox records with it."""

    outbound: OutboundMessage
    segments: int | None
    counted: bool  # counts toward the caps once handed to the provider

    @property
    def text(self) -> str:
        return self.outbound.text


def compose(
    job: Job,
    attempt: Attempt,
    *,
    renderer: MessageRenderer,
    letterhead: Letterhead,
    policy: Policy,
    now: datetime,
    newest_inbound_at: datetime | None,
    telegram_link: str | None = None,
    owing: Sequence[OwedInstallment] = (),
) -> Composed:
    """Render the message for ``attempt``'s channel, with the amounts still owed: the installments
    it is about and, when the borrower owes more now on other installments or loans in that
    currency (``owing``: what is due by their today), the whole of it."""
    message, borrower, channel = job.message, job.borrower, attempt.channel
    if message.payload.get("prerendered"):
        rendered = renderer.render(
            message.payload["template"], channel, borrower.locale, message.payload.get("context", {})
        )
    else:
        owed = [i for i in job.items if i.state not in ("paid", "waived") and i.outstanding > 0]
        currency = owed[0].currency if owed else "USD"
        context = reminder_context(
            lender_name=letterhead.lender_name,
            lender_contact=letterhead.lender_contact,
            borrower_name=borrower.full_name,
            locale=borrower.locale,
            currency=currency,
            items=[
                (i.loan_id, i.installment_no, i.due_date, i.outstanding.quantize(Decimal("0.01")))
                for i in owed
                if i.currency == currency
            ],
            days_past_due=int(message.payload.get("offset_days", 0)),
            telegram_link=telegram_link,
            owed=_owed_now(owed, owing, currency),
        )
        # The variant the plan chose (a strategy's or an experiment arm's), where this channel has it.
        variant = message.payload.get("variant")
        if variant is not None and not renderer.has_template(message.kind, channel, borrower.locale, variant):
            variant = None
        rendered = renderer.render(message.kind, channel, borrower.locale, context, variant)
    kind = guard_kind(message)
    counted = counts_toward_caps(kind, now, None if kind != "staff_reply" else newest_inbound_at, policy)
    outbound = OutboundMessage(
        idempotency_key=f"{job.key}#{channel}",
        channel=channel,
        to=attempt.address,
        text=rendered.text,
        status_callback=letterhead.status_callback_url if channel == "sms" else None,
        parse_mode_html=channel == "telegram",
        urgent=message.urgent,
    )
    return Composed(outbound, rendered.segments.segments if rendered.segments else None, counted)


def compose_unaddressed(
    message: OutboxRecord,
    *,
    renderer: MessageRenderer,
    letterhead: Letterhead,
    channels: Collection[str],
    sending_enabled: bool,
) -> Composed | Verdict:
    """An answer to a sender who is no borrower we can name (unknown, or a phone several borrowers
    share): only a public template (it discloses nothing), only to the address that wrote, on its
    channel. It answers their own message, so only the kill switch holds it."""
    payload: Mapping[str, Any] = message.payload
    template, address, channel = payload.get("template"), answer_address(message, message.channel), message.channel
    if not (payload.get("prerendered") and template in PUBLIC_KINDS and address):
        return Verdict("never", "no_borrower", "no borrower to send to")
    if channel not in channels:
        return Verdict("never", "channel_off", f"the {channel} channel is not configured")
    if not sending_enabled:
        return Verdict("later", "kill_switch", "sending is disabled (DUEBOT_SENDING_ENABLED=false): held back")
    locale = payload.get("locale") if payload.get("locale") in LOCALES else "en"
    rendered = renderer.render(str(template), channel, str(locale), payload.get("context", {}))
    outbound = OutboundMessage(
        idempotency_key=f"{message.key or ''}#{channel}",
        channel=channel,
        to=address,
        text=rendered.text,
        status_callback=letterhead.status_callback_url if channel == "sms" else None,
        parse_mode_html=channel == "telegram",
        urgent=True,
    )
    return Composed(outbound, rendered.segments.segments if rendered.segments else None, False)
