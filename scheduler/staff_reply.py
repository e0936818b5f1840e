"""A staff member's reply to a borrower: asked of the contact guard now, then stored and sent.

The guard is asked synchronously, with the inputs the dispatcher builds (contact snapshot, state,
send history), so the console and the API can say at once why a reply may not go: a reply is
never queued for later behind the staff member's back. Allowed, it is stored as an outbound row
and the dispatcher is kicked; the dispatcher asks the guard again at send time, as for anything.

The reply goes on the borrower's channel: the one they last wrote on, else their preferred one.
Replies on complaint and dispute cases are answers about the complaint or dispute itself, not
collection contact, so an open complaint or dispute does not hold them back (opt-outs, a wrong
number, the hard window and the kill switch still do).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from config.policy import Policy
from scheduler.dispatch import contact_state, send_history
from scheduler.guard import ContactGuard, Prospect, Verdict
from storage.case_actions import CaseActionError, mark_first_response
from storage.interaction_log import InteractionLog, LogEvent
from storage.models import Borrower, Case, Loan, Message
from storage.outbox import NewOutbound, store_outbound
from storage.servicing import contact_snapshot

Kick = Callable[[datetime], Awaitable[object]]
MAX_REPLY = 1600  # ten SMS segments
NOT_COLLECTION = frozenset({"complaint", "dispute"})


@dataclass(frozen=True, slots=True)
class ReplyOutcome:
    accepted: bool
    verdict: Verdict
    channel: str | None
    message_id: int | None = None


async def reply_channel(borrower: Borrower) -> str:
    last = await Message.filter(borrower_id=borrower.id, direction="in").order_by("-created_at").first()
    if last is not None and last.channel in ("sms", "telegram"):
        return last.channel
    return borrower.preferred_channel


def _address(borrower: Borrower, channel: str) -> str | None:
    if channel == "sms":
        return borrower.phone or None
    return str(borrower.telegram_chat_id) if borrower.telegram_chat_id is not None else None


def _refusal(rule: str, reason: str) -> Verdict:
    return Verdict("never", rule, reason)


async def reply_verdict(
    case: Case,
    *,
    now: datetime,
    policy: Policy,
    sending_enabled: bool,
    channels: Collection[str] | None = None,
    message_key: str | None = None,
) -> tuple[str, Verdict]:
    """(the channel a reply would go on, the guard's verdict on it now). Also the console's preview."""
    borrower: Borrower | None = case.borrower
    if borrower is None:
        return "sms", _refusal("no_borrower", "the case has no borrower")
    loan: Loan | None = case.loan
    channel = await reply_channel(borrower)
    if channels is not None and channel not in channels:
        return channel, _refusal("channel_off", f"the {channel} channel is not configured")
    if _address(borrower, channel) is None:
        return channel, _refusal("no_address", f"no {channel} address on file")
    snapshot = await contact_snapshot(borrower.id, now)
    prospect = Prospect(
        kind="staff_reply",
        channel=channel,  # type: ignore[arg-type]
        collection_related=case.kind not in NOT_COLLECTION,
        loan_ids=frozenset({loan.loan_id}) if loan is not None else frozenset(),
        message_key=message_key,
    )
    verdict = ContactGuard(policy).decide(
        prospect, contact_state(snapshot), send_history(snapshot), now=now, sending_enabled=sending_enabled
    )
    return channel, verdict


async def reply_to_borrower(
    case: Case,
    text: str,
    *,
    actor: str,
    now: datetime,
    policy: Policy,
    log: InteractionLog,
    sending_enabled: bool,
    lender_name: str,
    lender_contact: str,
    channels: Collection[str] | None = None,
    kick: Kick | None = None,
) -> ReplyOutcome:
    """Reply on the case's borrower's channel if the guard allows it now; else say why (logged).

    ``case`` needs ``borrower`` and ``loan`` fetched. ``channels``: the configured ones (None: any).
    """
    if case.status == "resolved":
        raise CaseActionError("case_resolved", f"case {case.reference} is resolved; reopen it to reply")
    text = text.strip()
    if not text:
        raise CaseActionError("invalid", "the reply is empty")
    if len(text) > MAX_REPLY:
        raise CaseActionError("invalid", f"the reply is longer than {MAX_REPLY} characters")
    borrower: Borrower | None = case.borrower
    if borrower is None:
        raise CaseActionError("invalid", "the case has no borrower to reply to")
    loan: Loan | None = case.loan
    key = f"staff_reply:{case.id}:{secrets.token_hex(6)}"
    channel, verdict = await reply_verdict(
        case, now=now, policy=policy, sending_enabled=sending_enabled, channels=channels, message_key=key
    )
    base = {"case_id": case.id, "reference": case.reference, "channel": channel, "text": text}
    if verdict.decision != "now":
        await log.append(
            LogEvent(
                "case.reply_refused",
                now,
                borrower.borrower_id,
                actor,
                {**base, "rule": verdict.rule, "reason": verdict.reason},
            )
        )
        return ReplyOutcome(False, verdict, channel)
    rows = await store_outbound(
        [
            NewOutbound(
                key=key,
                borrower_pk=borrower.id,
                kind="staff_reply",
                channel=channel,
                not_before=now,
                not_after=None,
                actor=actor,
                urgent=True,
                payload={
                    "prerendered": True,
                    "template": "staff_reply",
                    "context": {
                        "lender_name": lender_name,
                        "lender_contact": lender_contact,
                        "borrower_name": borrower.full_name,
                        "text": text,
                    },
                    "guard_kind": "staff_reply",
                    "collection_related": case.kind not in NOT_COLLECTION,
                    "fixed_channel": True,
                    "loan_ids": [loan.loan_id] if loan is not None else [],
                    "case_id": case.id,
                },
            )
        ],
        now,
    )
    await mark_first_response(case, now)
    await log.append(
        LogEvent("case.reply", now, borrower.borrower_id, actor, {**base, "key": key, "rule": verdict.rule})
    )
    if kick is not None:
        await kick(now)
    return ReplyOutcome(True, verdict, channel, rows[0].id if rows else None)
