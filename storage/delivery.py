"""Applying delivery receipts: statuses only move forward, whatever order callbacks arrive in.

A receipt can arrive before our own record of the send has committed (the provider answers the
send, then calls back at once); it is kept (``PendingReceipt``) and applied when the message's
provider id is recorded, or by the next pass. An undelivered SMS is tried on Telegram when the
borrower has a usable chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from storage.interaction_log import InteractionLog, LogEvent
from storage.models import Borrower, Message, PendingReceipt

FAILED: Final = ("undelivered", "failed")
# A receipt for a provider id we never recorded is kept this long, then dropped.
PENDING_FOR: Final = timedelta(days=2)

# Rank of each provider status. A callback whose rank is not above the stored one changes nothing;
# final states share the top rank so a late "sent" never overwrites "delivered" or "failed".
STATUS_RANK: dict[str, int] = {
    "planned": 0,
    "claimed": 1,
    "sending": 2,
    "unknown": 3,
    "accepted": 4,
    "scheduled": 4,
    "queued": 5,
    "sending_provider": 6,
    "sent": 7,
    "delivered": 9,
    "undelivered": 9,
    "failed": 9,
    "canceled": 9,
    "read": 10,
    "partially_delivered": 8,
    "receiving": 5,
    "received": 9,
}
# Twilio says "sending" for its own hand-off; ours means "about to call the provider".
PROVIDER_ALIASES = {"sending": "sending_provider"}
STORED_AS = {"sending_provider": "sent", "accepted": "sent", "scheduled": "sent", "queued": "sent"}


@dataclass(frozen=True, slots=True)
class ReceiptResult:
    message: Message | None
    applied: bool
    old_status: str | None
    new_status: str | None


def known_status(status: str) -> bool:
    return PROVIDER_ALIASES.get(status, status) in STATUS_RANK


async def apply_receipt(provider_message_id: str, status: str, error_code: str | None, now: datetime) -> ReceiptResult:
    message = await Message.get_or_none(provider_message_id=provider_message_id, direction="out")
    if message is None:
        return ReceiptResult(None, False, None, None)
    incoming = PROVIDER_ALIASES.get(status, status)
    stored = STORED_AS.get(incoming, incoming)
    current_rank = STATUS_RANK.get(message.status, 0)
    # A provider-side status below "sent" still tells us the provider has it: resolve "unknown".
    if STATUS_RANK[incoming] <= current_rank and not (message.status == "unknown" and stored == "sent"):
        return ReceiptResult(message, False, message.status, message.status)
    if stored == message.status:
        return ReceiptResult(message, False, message.status, message.status)
    old = message.status
    changes: dict[str, object] = {"status": stored, "updated_at": now}
    if error_code:
        changes["error_code"] = f"twilio:{error_code}"
    # Conditional on the status we read, so two racing callbacks cannot move it backwards.
    updated = await Message.filter(id=message.id, status=old).update(**changes)
    if not updated:
        return await apply_receipt(provider_message_id, status, error_code, now)
    message.status = stored
    return ReceiptResult(message, True, old, stored)


async def receive_receipt(
    provider_message_id: str, status: str, error_code: str | None, now: datetime, *, log: InteractionLog, actor: str
) -> ReceiptResult:
    """Apply a provider's receipt and record it; keep it for later if the message is not known yet."""
    result = await apply_receipt(provider_message_id, status, error_code, now)
    if result.message is None:
        await PendingReceipt.create(
            provider_message_id=provider_message_id, status=status, error_code=error_code, received_at=now
        )
        return result
    if result.applied:
        await _record(result, provider_message_id, status, error_code, now, log, actor)
    return result


async def apply_pending_receipts(now: datetime, *, log: InteractionLog, provider_message_id: str | None = None) -> int:
    """Apply kept receipts whose message is now known (all, or one provider id's), oldest first;
    drop those older than ``PENDING_FOR``. Returns how many were applied."""
    query = (
        PendingReceipt.all()
        if provider_message_id is None
        else PendingReceipt.filter(provider_message_id=provider_message_id)
    )
    applied = 0
    for pending in await query.order_by("id"):
        result = await apply_receipt(pending.provider_message_id, pending.status, pending.error_code, now)
        if result.message is None:
            if pending.received_at < now - PENDING_FOR:
                await PendingReceipt.filter(id=pending.id).delete()
            continue
        if result.applied:
            applied += 1
            await _record(result, pending.provider_message_id, pending.status, pending.error_code, now, log, "twilio")
        await PendingReceipt.filter(id=pending.id).delete()
    return applied


async def _record(
    result: ReceiptResult,
    provider_message_id: str,
    status: str,
    error_code: str | None,
    now: datetime,
    log: InteractionLog,
    actor: str,
) -> None:
    message = result.message
    assert message is not None
    borrower = await Borrower.get_or_none(id=message.borrower_id) if message.borrower_id else None
    await log.append(
        LogEvent(
            f"message.{result.new_status}",
            now,
            borrower.borrower_id if borrower else None,
            actor,
            {
                "key": message.idempotency_key,
                "provider_message_id": provider_message_id,
                "status": status,
                "error_code": error_code,
                "previous": result.old_status,
            },
        )
    )
    if result.new_status in FAILED and borrower is not None:
        await fall_back_to_telegram(message, borrower, now)


async def fall_back_to_telegram(message: Message, borrower: Borrower, now: datetime) -> None:
    """An undelivered SMS becomes another attempt of the same message, on Telegram."""
    if borrower.telegram_chat_id is None or not borrower.telegram_usable or borrower.telegram_opted_out:
        return
    base_id = message.attempt_of or message.id
    base = await Message.get(id=base_id)
    key = f"{base.idempotency_key}#telegram-fallback"
    if await Message.filter(idempotency_key=key).exists():
        return
    await Message.create(
        borrower_id=borrower.id,
        direction="out",
        channel="telegram",
        kind=base.kind,
        tier=base.tier,
        local_date=base.local_date,
        idempotency_key=key,
        attempt_of=base.id,
        status="planned",
        not_before=None,
        not_after=base.not_after,
        created_at=now,
        updated_at=now,
        payload={**base.payload, "fixed_channel": True},
    )
