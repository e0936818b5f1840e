"""Applying delivery receipts: statuses only move forward, whatever order callbacks arrive in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.models import Message

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
