"""``apply_plan``: the one function through which a borrower's message changes state.

Everything a plan asks for — promises, pauses, opt-outs, links, cases, the conversation context,
the answer (an outbound row the dispatcher sends) and the ``handled`` mark on the inbound row —
is written in one transaction, and every change is recorded in the interaction log as it is
made (so the log reads in the order things happened). A crash anywhere before the commit leaves
nothing behind: the inbound row's lease expires and it is handled again from scratch.

Staff notifications about new cases go out only after the commit, so a rolled-back case is
never announced.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from bot.conversation.actions import (
    Action,
    ClearContext,
    LinkTelegram,
    MarkPhoneWrong,
    Note,
    OpenCase,
    PauseReminders,
    Plan,
    RecordPromise,
    Reply,
    SetAddressOptOut,
    SetContext,
    SetOptOut,
    SetTelegramUsable,
    UnlinkTelegram,
)
from bot.conversation.facts import Inbound
from bot.conversation.understand import Understanding
from config.policy import Policy
from scheduler.money import format_date
from storage.cases import CaseNotifier, open_case
from storage.inbound import mark_handled
from storage.interaction_log import InteractionLog, LogEvent
from storage.linking import use_code
from storage.models import AddressOptOut, Borrower, Case, ContactPause, ConversationContext, Message, Promise
from storage.outbox import NewOutbound, store_outbound

log = logging.getLogger(__name__)


class LostClaim(Exception):
    """Another process took the inbound message over (our lease ran out): roll back."""


class Conflict(Exception):
    """The world changed under the decision (a link code used meanwhile): roll back, decide again."""


@dataclass
class Applied:
    cases: list[tuple[Case, bool]] = field(default_factory=list)
    replies: list[Message] = field(default_factory=list)
    promises: list[Promise] = field(default_factory=list)


@dataclass
class _Run:
    """The state of one application: who the chain belongs to, what was opened so far."""

    plan: Plan
    inbound: Inbound
    now: datetime
    log: InteractionLog
    policy: Policy
    borrower: Borrower | None
    applied: Applied
    announce: list[tuple[Case, bool]]
    actor: str

    @property
    def chain(self) -> str | None:
        return self.borrower.borrower_id if self.borrower else None

    async def record(self, kind: str, data: dict[str, Any], borrower: Borrower | None = None) -> None:
        who = borrower if borrower is not None else self.borrower
        await self.log.append(LogEvent(kind, self.now, who.borrower_id if who else None, self.actor, data))


async def apply_plan(
    plan: Plan,
    inbound: Inbound,
    *,
    understanding: Understanding | None,
    owner: str,
    now: datetime,
    log: InteractionLog,
    policy: Policy,
    notify: CaseNotifier | None = None,
) -> Applied:
    """Commit ``plan`` for ``inbound`` (claimed by ``owner``); then announce new cases."""
    applied = Applied()
    announce: list[tuple[Case, bool]] = []
    async with in_transaction():
        borrower = await Borrower.get_or_none(id=plan.borrower_pk) if plan.borrower_pk is not None else None
        run = _Run(plan, inbound, now, log, policy, borrower, applied, announce, "borrower")
        await run.record(*_received_event(inbound, understanding, plan))
        run.actor = "system"
        for action in plan.actions:
            await _EFFECTS[type(action)](run, action)
        if plan.reply is not None:
            await _store_reply(run, plan.reply)
        payload = await Message.filter(id=inbound.message_pk).first().values_list("payload", flat=True)
        merged: dict[str, Any] = {**(payload if isinstance(payload, dict) else {}), "decision": list(plan.why)}
        if understanding is not None:
            merged["nlu"] = understanding.as_record()
        handled = await mark_handled(
            inbound.message_pk, owner, now, borrower_id=plan.borrower_pk, intent=plan.intent[:32], payload=merged
        )
        if not handled:
            raise LostClaim(f"inbound message {inbound.message_pk} is no longer ours")
    if notify is not None:
        for case, created in announce:
            try:
                await notify(case, created)
            except Exception:  # the case is in the console queue either way
                log_failure("staff notification for case %s failed", case.id)
    return applied


def log_failure(message: str, *args: object) -> None:
    log.exception(message, *args)


def _received_event(inbound: Inbound, understanding: Understanding | None, plan: Plan) -> tuple[str, dict[str, Any]]:
    data: dict[str, Any] = {
        "event_id": inbound.event_id,
        "channel": inbound.channel,
        "from": inbound.address,
        "text": inbound.text,
        "kind": inbound.kind,
        "received_at": inbound.received_at.isoformat(),
    }
    if understanding is not None:
        data.update(understanding.as_record())
    else:
        data["intent"] = plan.intent
    if inbound.kind in ("blocked", "unblocked"):
        return "telegram.chat_member", data
    return "message.received", data


# --- one function per action type -------------------------------------------------------------


async def _record_promise(run: _Run, a: RecordPromise) -> None:
    superseded = await Promise.filter(borrower_id=a.borrower_pk, loan_id=a.loan_pk, status="open").all()
    promise = await Promise.create(
        borrower_id=a.borrower_pk,
        loan_id=a.loan_pk,
        promised_date=a.promised_date,
        amount=a.amount,
        paid_before=a.paid_before,
        status="open",
        source="borrower",
        created_at=run.now,
    )
    for old in superseded:
        await Promise.filter(id=old.id, status="open").update(status="cancelled", settled_at=run.now)
        await ContactPause.filter(
            borrower_id=a.borrower_pk, reason="promise", note=f"promise:{old.id}", cancelled_at__isnull=True
        ).update(cancelled_at=run.now)
        await run.record("promise.cancelled", {"promise_id": old.id, "superseded_by": promise.id})
    await ContactPause.create(
        borrower_id=a.borrower_pk,
        loan_id=a.loan_id,
        reason="promise",
        start_date=a.pause_start,
        end_date=a.promised_date,
        note=f"promise:{promise.id}",
        created_at=run.now,
    )
    await run.record(
        "promise.recorded",
        {
            "promise_id": promise.id,
            "loan_id": a.loan_id,
            "promised_date": a.promised_date.isoformat(),
            "amount": f"{a.amount:.2f}",
            "currency": a.currency,
            "paid_before": f"{a.paid_before:.2f}",
        },
    )
    await run.record(
        "contact.paused",
        {"reason": "promise", "start": a.pause_start.isoformat(), "end": a.promised_date.isoformat(),
         "promise_id": promise.id},
    )  # fmt: skip
    run.applied.promises.append(promise)


async def _pause(run: _Run, a: PauseReminders) -> None:
    covering = await ContactPause.filter(
        borrower_id=a.borrower_pk,
        reason=a.reason,
        cancelled_at__isnull=True,
        start_date__lte=a.start,
        end_date__gte=a.end,
    ).exists()
    if covering:
        return
    await ContactPause.create(
        borrower_id=a.borrower_pk,
        loan_id=a.loan_id,
        reason=a.reason,
        start_date=a.start,
        end_date=a.end,
        note=f"reply:{run.inbound.message_pk}",
        created_at=run.now,
    )
    await run.record("contact.paused", {"reason": a.reason, "start": a.start.isoformat(), "end": a.end.isoformat()})


async def _open_case(run: _Run, a: OpenCase) -> None:
    borrower = await Borrower.get(id=a.borrower_pk) if a.borrower_pk is not None else None
    details = {**a.details, "inbound_message_id": run.inbound.message_pk}
    if a.category:
        details["category"] = a.category
    if borrower is None and a.dedupe:
        open_ones = Case.filter(kind=a.kind, borrower_id__isnull=True, category=a.dedupe).exclude(status="resolved")
        existing = await open_ones.first()
        if existing is not None:
            await run.record(
                "case.event",
                {"case_id": existing.id, "reference": existing.reference, "kind": a.kind, "summary": a.summary,
                 **details},
                borrower=None,
            )  # fmt: skip
            run.applied.cases.append((existing, False))
            return

    async def later(case: Case, created: bool) -> None:
        run.announce.append((case, created))

    case, created = await open_case(
        borrower=borrower,
        kind=a.kind,
        now=run.now,
        policy=run.policy,
        log=run.log,
        loan_pk=a.loan_pk,
        summary=a.summary,
        details=details,
        notify=later,
    )
    category = a.category or a.dedupe
    if created and category:
        await Case.filter(id=case.id).update(category=category)
        case.category = category
    run.applied.cases.append((case, created))


async def _contact_field(run: _Run, borrower_pk: int, column: str, value: object, because: str) -> None:
    borrower = await Borrower.get(id=borrower_pk)
    if getattr(borrower, column) == value:
        return
    await Borrower.filter(id=borrower_pk).update(**{column: value})
    await run.record(
        "borrower.contact_changed", {"field": column, "value": value, "because": because}, borrower=borrower
    )


async def _set_opt_out(run: _Run, a: SetOptOut) -> None:
    column = "sms_opted_out" if a.channel == "sms" else "telegram_opted_out"
    because = "the borrower asked to stop" if a.opted_out else "the borrower asked to resume"
    await _contact_field(run, a.borrower_pk, column, a.opted_out, because)


async def _set_address_opt_out(run: _Run, a: SetAddressOptOut) -> None:
    if a.opted_out:
        await AddressOptOut.get_or_create(channel=a.channel, address=a.address, defaults={"opted_out_at": run.now})
    else:
        await AddressOptOut.filter(channel=a.channel, address=a.address).delete()
    await run.record(
        "address.opted_out" if a.opted_out else "address.opted_in",
        {"channel": a.channel, "address": a.address},
        borrower=None,
    )


async def _mark_phone_wrong(run: _Run, a: MarkPhoneWrong) -> None:
    await _contact_field(run, a.borrower_pk, "phone_wrong", True, "the person at this number says it is not theirs")


async def _set_usable(run: _Run, a: SetTelegramUsable) -> None:
    await _contact_field(run, a.borrower_pk, "telegram_usable", a.usable, a.because)


async def _link(run: _Run, a: LinkTelegram) -> None:
    if a.code_id is not None and not await use_code(a.code_id, a.chat_id, run.now):
        raise Conflict("the link code was used or expired meanwhile")
    borrower = await Borrower.get(id=a.borrower_pk)
    previous = borrower.telegram_chat_id
    await Borrower.filter(id=a.borrower_pk).update(telegram_chat_id=a.chat_id, telegram_usable=True)
    await run.record(
        "telegram.linked",
        {"chat_id": a.chat_id, "via": a.via, "previous_chat_id": previous, "code_id": a.code_id},
        borrower=borrower,
    )


async def _unlink(run: _Run, a: UnlinkTelegram) -> None:
    borrower = await Borrower.get(id=a.borrower_pk)
    updated = await Borrower.filter(id=a.borrower_pk, telegram_chat_id=a.chat_id).update(telegram_chat_id=None)
    if updated:
        await run.record("telegram.unlinked", {"chat_id": a.chat_id, "because": a.because}, borrower=borrower)


async def _set_context(run: _Run, a: SetContext) -> None:
    data = {"amount": f"{a.amount}" if a.amount is not None else None}
    await ConversationContext.filter(borrower_id=a.borrower_pk).delete()
    await ConversationContext.create(
        borrower_id=a.borrower_pk,
        awaiting=a.awaiting,
        channel=a.channel,
        expires_at=a.expires_at,
        data=data,
        created_at=run.now,
    )
    await run.record("conversation.asked", {"awaiting": a.awaiting, "until": a.expires_at.isoformat(), **data})


async def _clear_context(run: _Run, a: ClearContext) -> None:
    await ConversationContext.filter(borrower_id=a.borrower_pk).delete()


async def _note(run: _Run, a: Note) -> None:
    await run.record(a.kind, dict(a.data))


_EFFECTS: dict[type, Callable[[_Run, Any], Awaitable[None]]] = {
    RecordPromise: _record_promise,
    PauseReminders: _pause,
    OpenCase: _open_case,
    SetOptOut: _set_opt_out,
    SetAddressOptOut: _set_address_opt_out,
    MarkPhoneWrong: _mark_phone_wrong,
    SetTelegramUsable: _set_usable,
    LinkTelegram: _link,
    UnlinkTelegram: _unlink,
    SetContext: _set_context,
    ClearContext: _clear_context,
    Note: _note,
}
assert set(_EFFECTS) == set(Action.__args__), "every action type needs its effect"


# --- the answer ------------------------------------------------------------------------------------


def _acknowledged_case(run: _Run, reply: Reply) -> Case | None:
    if reply.reference_of is None:
        return None
    return next((c for c, _ in run.applied.cases if c.kind == reply.reference_of), None)


async def _reply_context(run: _Run, reply: Reply) -> dict[str, Any]:
    context = dict(reply.context)
    case = _acknowledged_case(run, reply)
    if case is None:
        return context
    context["reference"] = case.reference
    if reply.reference_of == "complaint":
        due = case.first_response_due or case.opened_at
        borrower = run.borrower
        zone = ZoneInfo(borrower.timezone) if borrower else ZoneInfo("UTC")
        context["first_response_due"] = format_date(due.astimezone(zone).date(), borrower.locale if borrower else "en")
    return context


async def _store_reply(run: _Run, reply: Reply) -> None:
    inbound = run.inbound
    key = reply.key or f"reply:{inbound.message_pk}:{reply.template}"
    payload: dict[str, Any] = {
        "prerendered": True,
        "template": reply.template,
        "context": await _reply_context(run, reply),
        "guard_kind": "auto_reply",
        "collection_related": False,
        "fixed_channel": True,
        "answer_to_opt_out_or_help": reply.answer_to_opt_out_or_help,
        # Answers go to the phone or chat that wrote, which is not always the one on file
        # (a wrong number being unlinked, a sender we cannot name).
        "to": inbound.address,
        "in_reply_to": inbound.message_pk,
    }
    if reply.locale is not None:
        payload["locale"] = reply.locale
    acknowledged = _acknowledged_case(run, reply)
    if acknowledged is not None:
        # The case's acknowledged_at is set when this answer is handed to the provider.
        payload["acknowledges_case"] = acknowledged.id
    if run.borrower is not None:
        stored = await store_outbound(
            [NewOutbound(key=key, borrower_pk=run.borrower.id, kind=reply.template, channel=inbound.channel,
                         not_before=None, not_after=None, payload=payload, urgent=True)],
            run.now,
        )  # fmt: skip
    else:
        stored = await _store_unaddressed(key, reply.template, inbound.channel, inbound.address, payload, run.now)
    if stored:
        run.applied.replies.extend(stored)
        await run.record("reply.planned", {"key": key, "template": reply.template, "channel": inbound.channel})
    else:
        await run.record("reply.not_repeated", {"key": key, "template": reply.template})


async def _store_unaddressed(
    key: str, template: str, channel: str, address: str, payload: dict[str, Any], now: datetime
) -> list[Message]:
    """An answer to someone who is no borrower we can name: no borrower row, the address only."""
    if await Message.filter(idempotency_key=key).exists():
        return []
    row = await Message.create(
        borrower_id=None,
        direction="out",
        channel=channel,
        kind=template,
        idempotency_key=key,
        status="planned",
        address=address[:64],
        created_at=now,
        updated_at=now,
        payload=payload,
        urgent=True,
    )
    return [row]
