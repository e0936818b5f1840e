"""How messages and log entries read in the timeline (pure: rows in, items out)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.conversation.timeline import describe, message_item
from storage.models import Message

AT = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)


def _out(channel: str, body: str, status: str = "sent", **extra: object) -> Message:
    return Message(direction="out", channel=channel, kind="staff_reply", body=body, status=status, actor="staff:amy",
                   created_at=AT, updated_at=AT, sent_at=AT if status == "sent" else None, **extra)  # fmt: skip


def test_a_telegram_body_reads_as_the_borrower_saw_it() -> None:
    # Sent as Telegram HTML: the markup goes, the staff member's own "<i>" comes back as typed.
    item = message_item(_out("telegram", "<b>Northwind</b>\nWe agreed a plan &lt;i&gt;x&lt;/i&gt; &amp; more"))
    assert item.text == "Northwind\nWe agreed a plan <i>x</i> & more"
    assert message_item(_out("sms", "a &lt; b")).text == "a &lt; b"  # SMS is plain text as stored


def test_a_message_never_sent_says_why() -> None:
    item = message_item(_out("sms", "", status="skipped", guard_rule="opted_out", guard_reason="opted out of sms"))
    assert item.text == "not sent (opted_out): opted out of sms"


def test_staff_actions_read_as_sentences_not_json() -> None:
    text, status = describe("case.resolved", {"reference": "HRD-1", "outcome": "plan_agreed", "note": "weekly"})
    assert (text, status) == ("case HRD-1 resolved: plan_agreed (weekly)", "resolved")
    text, _ = describe("case.assigned", {"reference": "HRD-1", "to": "amy", "previous": None})
    assert text == "case HRD-1 assigned to amy"
    assert describe("something.new", {"a": 1})[0] == '{"a": 1}'  # unknown kinds still show their data
