"""A borrower's whole story, oldest first: messages in and out (with delivery status and intent)
from the messages table, and everything else — guard decisions, cases, promises, pauses, contact
changes, staff actions — from the interaction log.

Log entries that only repeat a message row (received, planned, sent, delivery receipts) are left
out: the row carries the same facts with its latest status.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from tortoise.expressions import Q

from storage.interaction_log import timeline_entries
from storage.models import Borrower, LogEntry, Message
from storage.views import plain_text

# Log kinds a message row already shows.
MESSAGE_LIFECYCLE: Final = frozenset(
    {
        "message.received",
        "message.planned",
        "message.sent",
        "message.delivered",
        "message.undelivered",
        "message.failed",
        "message.read",
        "message.unknown",
        "message.canceled",
        "message.partially_delivered",
        "reply.planned",
    }
)


WORDS = ("risk_tier", "variant", "experiment", "arm")


@dataclass(frozen=True, slots=True)
class TimelineItem:
    at: datetime
    direction: str  # in, out, internal
    channel: str | None
    kind: str
    text: str
    intent: str | None
    status: str | None
    actor: str
    order: int  # the log position: a tie-break within one instant
    words: dict[str, str] | None = None  # a reminder's risk tier, variant, experiment and arm

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "at": self.at.isoformat(),
            "direction": self.direction,
            "channel": self.channel,
            "kind": self.kind,
            "text": self.text,
            "intent": self.intent,
            "status": self.status,
            "actor": self.actor,
        }
        if self.words:
            out["words"] = self.words
        return out


def _g(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


# How an internal entry reads, per log kind; the status column it shows.
Describe = Callable[[Mapping[str, Any]], tuple[str, str | None]]
DESCRIBE: Final[Mapping[str, Describe]] = {
    "case.opened": lambda d: (
        f"{_g(d, 'kind')} case {_g(d, 'reference')} opened in {_g(d, 'queue')}: {_g(d, 'summary')}",
        "open",
    ),
    "case.event": lambda d: (f"added to case {_g(d, 'reference')}: {_g(d, 'summary')}", None),
    "promise.recorded": lambda d: (
        f"promise to pay {_g(d, 'amount')} {_g(d, 'currency')} by {_g(d, 'promised_date')} on loan {_g(d, 'loan_id')}",
        "open",
    ),
    "promise.kept": lambda d: (f"promise {_g(d, 'promise_id')} kept: paid {_g(d, 'paid')}", "kept"),
    "promise.partly_kept": lambda d: (
        f"promise {_g(d, 'promise_id')} partly kept: paid {_g(d, 'paid')} of {_g(d, 'amount')}",
        "partly_kept",
    ),
    "promise.broken": lambda d: (f"promise {_g(d, 'promise_id')} broken: nothing paid by the date", "broken"),
    "risk.tier_changed": lambda d: (f"risk tier {_g(d, 'from')} → {_g(d, 'to')} (score {_g(d, 'score')})", None),
    "promise.cancelled": lambda d: (
        f"promise {_g(d, 'promise_id')} replaced by promise {_g(d, 'superseded_by')}",
        "cancelled",
    ),
    "contact.paused": lambda d: (
        f"reminders paused ({_g(d, 'reason')}) {_g(d, 'start')} to {_g(d, 'end')}",
        None,
    ),
    "borrower.contact_changed": lambda d: (
        f"{_g(d, 'field')} set to {_g(d, 'value')} ({_g(d, 'because')})",
        None,
    ),
    "message.skipped": lambda d: (f"not sent ({_g(d, 'rule')}): {_g(d, 'reason')}", _g(d, "rule") or None),
    "message.deferred": lambda d: (f"held back ({_g(d, 'rule')}): {_g(d, 'reason')}", _g(d, "rule") or None),
    "message.retry": lambda d: (f"retrying in {_g(d, 'retry_in_seconds')} s after {_g(d, 'error')}", "retry"),
    "telegram.linked": lambda d: (f"Telegram chat {_g(d, 'chat_id')} linked ({_g(d, 'via')})", None),
    "telegram.unlinked": lambda d: (f"Telegram chat {_g(d, 'chat_id')} unlinked ({_g(d, 'because')})", None),
    "conversation.asked": lambda d: (f"waiting for {_g(d, 'awaiting')} until {_g(d, 'until')}", None),
    "payment.recorded": lambda d: (
        f"payment {_g(d, 'payment_id')} of {_g(d, 'amount')} on loan {_g(d, 'loan_id')}",
        None,
    ),
    "payment.overpaid": lambda d: (f"loan {_g(d, 'loan_id')}: {_g(d, 'beyond_owed')} paid beyond what it owes", None),
    "promise.nothing_owed": lambda d: (f"promise for {_g(d, 'promise_date')} not recorded: nothing is owed", None),
    "case.assigned": lambda d: (f"case {_g(d, 'reference')} assigned to {_g(d, 'to')}", "assigned"),
    "case.unassigned": lambda d: (
        f"case {_g(d, 'reference')} back in its queue (was {_g(d, 'from')}: {_g(d, 'why')})",
        "open",
    ),
    "case.note": lambda d: (f"note on case {_g(d, 'reference')}: {_g(d, 'text')}", None),
    "case.reply": lambda d: (f"staff reply on case {_g(d, 'reference')}: {_g(d, 'text')}", None),
    "case.reply_refused": lambda d: (
        f"staff reply on case {_g(d, 'reference')} held back ({_g(d, 'rule')}): {_g(d, 'reason')}",
        _g(d, "rule") or None,
    ),
    "case.resolved": lambda d: (
        f"case {_g(d, 'reference')} resolved: {_g(d, 'outcome')}" + (f" ({_g(d, 'note')})" if d.get("note") else ""),
        "resolved",
    ),
    "case.reopened": lambda d: (f"case {_g(d, 'reference')} reopened: {_g(d, 'reason')}", "open"),
    "case.priority_raised": lambda d: (
        f"case {_g(d, 'reference')} priority {_g(d, 'old')} → {_g(d, 'new')} ({_g(d, 'why')})",
        None,
    ),
    "contact.resumed": lambda d: (f"reminders resumed ({_g(d, 'pause_reason')} pause lifted: {_g(d, 'reason')})", None),
    "restriction.set": lambda d: (f"restriction set: {_g(d, 'kind')} {_g(d, 'note')}".rstrip(), None),
    "restriction.lifted": lambda d: (f"restriction lifted: {_g(d, 'kind')} {_g(d, 'note')}".rstrip(), None),
    "borrower.contact_corrected": lambda d: (
        f"{_g(d, 'field')} corrected from {_g(d, 'old') or '—'} to {_g(d, 'new') or '—'} ({_g(d, 'reason')})",
        None,
    ),
    "borrower.updated": lambda d: (
        "loan book changed: " + ", ".join(f"{k} {v}" for k, v in sorted(dict(d.get("changes") or {}).items())),
        None,
    ),
    "evidence.exported": lambda d: (f"evidence exported ({_g(d, 'format')})", None),
    "telegram.link_code_issued": lambda d: (f"Telegram link code issued, valid until {_g(d, 'expires_at')}", None),
    "acknowledged": lambda d: ("acknowledged; no answer needed", None),
    "opt_out.repeated": lambda d: (f"asked again to stop on {_g(d, 'channel')}: already opted out", None),
    "inbound.unknown_sender": lambda d: (f"a message from an unknown {_g(d, 'channel')} sender", None),
    "address.opted_out": lambda d: (f"{_g(d, 'channel')} {_g(d, 'address')} asked us to stop", None),
    "address.opted_in": lambda d: (f"{_g(d, 'channel')} {_g(d, 'address')} asked to hear from us again", None),
}


def _imported(d: Mapping[str, Any]) -> tuple[str, str | None]:
    parts = []
    if d.get("borrower"):
        parts.append("borrower added to the loan book")
    for item in d.get("installments_created") or []:
        parts.append(
            f"installment {item.get('installment_no')} of loan {item.get('loan_id')}: "
            f"{item.get('amount_due')} due {item.get('due_date')}"
        )
    for item in d.get("amounts_changed") or []:
        parts.append(
            f"installment {item.get('installment_no')} of loan {item.get('loan_id')}: amount due "
            f"{item.get('old_amount_due')} → {item.get('new_amount_due')}"
        )
    return "loan book: " + "; ".join(parts), None


DESCRIBE_MORE: Final[Mapping[str, Describe]] = {"loanbook.imported": _imported}


def describe(kind: str, data: Mapping[str, Any]) -> tuple[str, str | None]:
    how = DESCRIBE.get(kind) or DESCRIBE_MORE.get(kind)
    if how is not None:
        return how(data)
    return json.dumps(dict(data), ensure_ascii=False, sort_keys=True, default=str), None


# Log kinds that settle an outbound message: the message sits in the story where the last of
# these was recorded (its ``at`` is the message's send or skip time).
SETTLING: Final = frozenset({"message.sent", "message.skipped", "message.failed", "message.unknown"})
UNANCHORED: Final = 2**62  # a message with no log entry: after everything recorded at its instant


def _data(entry: LogEntry) -> dict[str, Any]:
    try:
        data = json.loads(entry.data)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {"value": data}


def shown_text(m: Message) -> str:
    return plain_text(m.body or "", m.channel) if m.direction == "out" else (m.body or "")


def message_words(payload: Mapping[str, Any] | None) -> dict[str, str] | None:
    """What a reminder's payload says of its words (see ``scheduler.experiments.Wording``)."""
    words = {k: str(payload[k]) for k in WORDS if payload and payload.get(k) is not None}
    return words or None


def message_item(m: Message, order: int = UNANCHORED) -> TimelineItem:
    if m.direction == "in":
        return TimelineItem(m.created_at, "in", m.channel, "message", m.body, m.intent, m.status, m.actor, order)
    at = m.sent_at or (m.updated_at if m.status in ("skipped", "failed") else m.created_at)
    text = shown_text(m)
    if not text and m.status in ("skipped", "failed") and m.guard_reason:
        text = f"not sent ({m.guard_rule or m.status}): {m.guard_reason}"
    return TimelineItem(at, "out", m.channel, m.kind, text, None, m.status, m.actor, order, message_words(m.payload))


def log_item(entry: LogEntry, data: Mapping[str, Any] | None = None) -> TimelineItem | None:
    if entry.kind in MESSAGE_LIFECYCLE:
        return None
    data = _data(entry) if data is None else data
    text, status = describe(entry.kind, data)
    channel = data.get("channel") if isinstance(data.get("channel"), str) else None
    return TimelineItem(entry.at, "internal", channel, entry.kind, text, None, status, entry.actor, entry.seq)


def merge(messages: Iterable[Message], entries: Iterable[LogEntry]) -> list[TimelineItem]:
    """Oldest first. Things recorded at the same instant (a logical clock, one pass) keep the order
    they were recorded in: each message takes the place of the log entry that records it."""
    anchors: dict[tuple[str, str], int] = {}
    items: list[TimelineItem] = []
    for entry in entries:
        data = _data(entry)
        if entry.kind == "message.received" and data.get("event_id"):
            anchors.setdefault(("in", str(data["event_id"])), entry.seq)
        elif entry.kind in SETTLING and data.get("key"):
            anchors[("out", str(data["key"]))] = entry.seq  # the last one settles it
        item = log_item(entry, data)
        if item is not None:
            items.append(item)
    for m in messages:
        key = ("in", m.provider_event_id or "") if m.direction == "in" else ("out", m.idempotency_key or "")
        items.append(message_item(m, anchors.get(key, UNANCHORED)))
    # At one instant and one log position, the message comes before what was recorded about it.
    items.sort(key=lambda i: (i.at, i.order, i.direction == "internal"))
    return items


async def borrower_timeline(borrower: Borrower) -> list[dict[str, Any]]:
    # Planned messages have not happened yet: they join the story when they are sent (or skipped).
    not_future = Q(direction="in") | ~Q(status="planned")
    messages = await Message.filter(not_future, borrower_id=borrower.id).order_by("id")
    entries = await timeline_entries(borrower.borrower_id)
    return [item.as_json() for item in merge(messages, entries)]
