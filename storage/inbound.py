"""Inbound messages and updates: stored once before the webhook answers, then claimed and handled.

A reply is a ``Message`` row with ``direction="in"``: ``received`` when stored, ``handling`` while a
process works on it (with a lease), ``handled`` when its effects are committed, ``failed`` after
too many attempts. A process that dies while handling leaves an expired lease; the row is then
claimed again (nothing of the first attempt was committed: the effects and the ``handled`` mark
go in one transaction). ``provider_event_id`` (Twilio's MessageSid, ``tg:<update_id>``) is unique,
so a provider's retry or a duplicate delivery stores nothing new.

What can never be handled (an SMS whose From is not a phone number, a Telegram update of a kind we
do not take or that is not a valid update) is stored ``ignored`` with its reason (``error_code`` a
short code, ``payload["ignored"]`` a sentence) and is never claimed or retried.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.functions import Count

from storage.database import inside_transaction
from storage.models import Borrower, Message

RECEIVED = "received"
HANDLING = "handling"
HANDLED = "handled"
FAILED = "failed"
IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class Ignored:
    """Why an inbound message can never be handled: ``code`` is short and from a fixed set (the
    metrics label, ``error_code``); ``reason`` is a sentence naming nothing personal (numbers masked)."""

    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class NewInbound:
    """What a webhook (or the poller) stores before answering."""

    event_id: str  # MessageSid or "tg:<update_id>"
    channel: str  # sms, telegram
    kind: str  # inbound (a text from a person), telegram_update (anything else Telegram sends)
    address: str  # the sender's phone or chat id ("" when the update has none)
    body: str
    received_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    ignored: Ignored | None = None  # stored as ``ignored``, never handled

    def __post_init__(self) -> None:
        if self.received_at.tzinfo is None:
            raise ValueError("received_at must be timezone-aware")
        if not self.event_id:
            raise ValueError("an inbound message needs its provider event id")


async def store_inbound(item: NewInbound) -> tuple[Message, bool]:
    """Store the message unless its event id is known. Returns (row, created).

    A webhook is one INSERT: the unique event id turns a repeat into an IntegrityError, and only
    then is the stored row read. Inside a caller's transaction (where a failed statement would spoil
    it on PostgreSQL) the id is looked up first."""
    if inside_transaction():
        existing = await Message.get_or_none(provider_event_id=item.event_id)
        if existing is not None:
            return existing, False
    ignored = item.ignored
    try:
        row = await Message.create(
            direction="in",
            channel=item.channel,
            kind=item.kind,
            status=RECEIVED if ignored is None else IGNORED,
            provider_event_id=item.event_id,
            address=item.address[:64],
            body=item.body,
            counts_toward_caps=False,
            actor="borrower",
            created_at=item.received_at,
            updated_at=item.received_at,
            error_code=None if ignored is None else ignored.code[:40],
            payload=item.payload if ignored is None else {**item.payload, "ignored": ignored.reason},
        )
    except IntegrityError:  # stored already: a provider's retry, or a racing delivery of the same event
        return await Message.get(provider_event_id=item.event_id), False
    return row, True


async def claim_inbound(message_id: int, owner: str, now: datetime, lease_seconds: int) -> bool:
    """received (or handling with an expired lease) → handling, owned by ``owner``."""
    claimable = Q(status=RECEIVED) | Q(status=HANDLING, lease_until__lt=now)
    updated = (
        await Message.filter(claimable, id=message_id, direction="in")
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            status=HANDLING,
            lease_owner=owner,
            lease_until=now + timedelta(seconds=lease_seconds),
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )
    return updated == 1


async def mark_handled(message_id: int, owner: str, now: datetime, **changes: Any) -> bool:
    """handling → handled; meant to run inside the transaction that commits the effects."""
    updated = await Message.filter(id=message_id, status=HANDLING, lease_owner=owner).update(
        status=HANDLED, lease_owner=None, lease_until=None, next_attempt_at=None, updated_at=now, **changes
    )
    return updated == 1


async def give_back(message_id: int, owner: str, now: datetime, *, retry_at: datetime, error: str) -> None:
    """A failed attempt: back to received, to be tried again at ``retry_at``."""
    await Message.filter(id=message_id, status=HANDLING, lease_owner=owner).update(
        status=RECEIVED,
        lease_owner=None,
        lease_until=None,
        next_attempt_at=retry_at,
        error_code=error[:40],
        updated_at=now,
    )


async def give_up(message_id: int, owner: str, now: datetime, *, error: str) -> None:
    await Message.filter(id=message_id, status=HANDLING, lease_owner=owner).update(
        status=FAILED, lease_owner=None, lease_until=None, error_code=error[:40], updated_at=now
    )


async def pending_inbound(now: datetime, *, after: int = 0, limit: int = 500) -> list[Message]:
    """Stored but not handled (never claimed, due for a retry, or abandoned by a dead process),
    oldest first, from the id after ``after`` on: a page of at most ``limit``."""
    return await Message.filter(_pending(now), direction="in", id__gt=after).order_by("id").limit(limit)


async def count_pending_inbound(now: datetime) -> int:
    """How many stored messages wait to be handled (``/healthz`` while a restart recovers)."""
    return await Message.filter(_pending(now), direction="in").count()


def _pending(now: datetime) -> Q:
    due = Q(status=RECEIVED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    return due | Q(status=HANDLING, lease_until__lt=now)


async def ignored_counts() -> list[tuple[str, str, int]]:
    """(channel, reason code, how many) of inbound stored ``ignored``; rows are never deleted, so
    these are counters."""
    rows = (
        await Message.filter(direction="in", status=IGNORED)
        .annotate(n=Count("id"))
        .group_by("channel", "error_code")
        .values_list("channel", "error_code", "n")
    )
    return [(str(channel), str(code or ""), int(n)) for channel, code, n in rows]


# --- matching a sender ----------------------------------------------------------------------


async def borrowers_by_phone(phone: str) -> list[Borrower]:
    """Borrowers whose phone is this E.164 number; a number marked wrong belongs to someone else now."""
    if not phone:
        return []
    return await Borrower.filter(phone=phone, phone_wrong=False).order_by("id")


async def borrowers_by_chat(chat_id: int) -> list[Borrower]:
    return await Borrower.filter(telegram_chat_id=chat_id).order_by("id")
