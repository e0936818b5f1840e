"""The channel used by ``tick --dry-run``: it accepts nothing for delivery and contacts no provider."""

from __future__ import annotations

from datetime import UTC, datetime

from scheduler.channel import Leaving, OutboundMessage, SendReceipt


class DryRunChannel:
    """Answers as if the provider had accepted, so the pass can show what *would* go."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.would_send: list[OutboundMessage] = []

    async def send(self, message: OutboundMessage, *, leaving: Leaving | None = None) -> SendReceipt:
        if leaving is not None:
            await leaving()
        self.would_send.append(message)
        return SendReceipt(
            provider_message_id=f"dry-run:{message.idempotency_key}", status="dry-run", sent_at=datetime.now(UTC)
        )

    async def close(self) -> None:
        return None
