"""The dispatcher: claims due outbound messages, asks the contact guard, sends, records the outcome.

Order of a send: claim (lease) → guard verdict on fresh data → render with the amount owed now →
wait for the channel's pace → mark ``sending`` → hand to the provider → record the provider id.
``sending`` is marked only once the pace lets the request leave, so a crash while waiting leaves a
``claimed`` row that goes back to the queue, and a crash after ``sending`` leaves the row to become
``unknown`` (never resent blindly). A channel that refuses for good (blocked
chat, opted-out number) is recorded as a failed attempt and the other channel is tried at once.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from config.policy import Policy
from scheduler.channel import (
    Channel,
    Leaving,
    OutboundMessage,
    PermanentSendError,
    RetryableSendError,
    SendError,
    UncertainSendError,
    backoff_delay,
)
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
from storage.cases import mark_acknowledged
from storage.counters import CounterBatch
from storage.database import inside_transaction
from storage.delivery import apply_pending_receipts
from storage.interaction_log import InteractionLog, LogEvent
from storage.models import Borrower, Message
from storage.outbox import claim_due, finish, release
from storage.servicing import ContactSnapshot, MessageInstallment, contact_snapshot, message_installments

log = logging.getLogger(__name__)

# Verdicts about one channel only: the other channel may still reach the borrower.
CHANNEL_RULES = frozenset({"opted_out", "wrong_number", "telegram_unusable", "no_address", "channel_off"})
# Effects of a permanent refusal on the borrower's contact data.
EFFECTS: Mapping[str, tuple[str, bool]] = {
    "sms_opted_out": ("sms_opted_out", True),
    "invalid_number": ("phone_wrong", True),
    "not_mobile": ("phone_wrong", True),
    "unroutable": ("phone_wrong", True),
    "telegram_blocked": ("telegram_usable", False),
    "chat_not_found": ("telegram_usable", False),
}
IN_PASS_RETRY_LIMIT_SECONDS = 5.0


def wall_clock() -> datetime:
    return datetime.now(UTC)


class NotLeaving(Exception):
    """Raised by the leaving hook: the request must not leave. ``give_back``: the dispatcher is
    stopping, so the message goes back to the queue; otherwise the claim was lost to another."""

    def __init__(self, message_id: int, *, give_back: bool) -> None:
        super().__init__(message_id)
        self.give_back = give_back


NEXT_PASS = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class DispatchSettings:
    sending_enabled: bool
    lender_name: str
    lender_contact: str
    status_callback_url: str | None = None
    concurrency: int = 8


@dataclass(frozen=True, slots=True)
class DispatchEvent:
    """One line of what happened to one message in this pass (for summaries and the demo)."""

    at: datetime
    borrower_id: str
    message_key: str
    outcome: str  # sent, failed, unknown, deferred, skipped, retry
    channel: str | None = None
    rule: str | None = None
    reason: str | None = None
    text: str | None = None


@dataclass
class DispatchSummary:
    outcomes: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    events: list[DispatchEvent] = field(default_factory=list)

    def add(self, event: DispatchEvent) -> None:
        self.events.append(event)
        label = (
            event.outcome
            if event.channel is None or event.outcome not in ("sent", "failed")
            else (f"{event.outcome}:{event.channel}")
        )
        self.outcomes[label] += 1
        if event.rule:
            self.rules[f"{event.outcome}:{event.rule}"] += 1


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
        pauses=tuple(Pause(start, end, reason) for start, end, reason in snapshot.pauses),  # type: ignore[arg-type]
        last_inbound_at=snapshot.last_inbound_at,
    )


def send_history(snapshot: ContactSnapshot) -> SendHistory:
    return SendHistory(tuple(PriorSend(s.at, s.kind, s.key) for s in snapshot.prior_sends))  # type: ignore[arg-type]


def guard_kind(message: Message) -> MessageKind:
    explicit = message.payload.get("guard_kind") if isinstance(message.payload, dict) else None
    if explicit:
        return explicit
    return "followup" if (message.tier or "").startswith("D+") else "reminder"


def answer_address(message: Message, channel: str) -> str | None:
    """An answer goes to the phone or chat that wrote (``payload.to``), on that channel only: not
    always the one on file (a wrong number's chat being unlinked, a sender we cannot name)."""
    to = message.payload.get("to") if isinstance(message.payload, dict) else None
    if to and message.payload.get("fixed_channel") and channel == message.channel:
        return str(to)
    return None


def answering(state: ContactState, message: Message, channel: str) -> ContactState:
    """The chat that has just written to us can take the answer, whatever the file says about it
    (a chat being unlinked as a wrong number)."""
    if channel == "telegram" and answer_address(message, channel) is not None:
        return replace(state, telegram_usable=True)
    return state


def channel_order(borrower: Borrower, message: Message) -> list[str]:
    if message.payload.get("fixed_channel"):
        return [message.channel]
    first = borrower.preferred_channel
    return [first, "sms" if first == "telegram" else "telegram"]


# A Telegram deep link ("t.me/<bot>?start=<code>") inviting the borrower to link a chat, or None
# (handed in by the composition root when Telegram is on; it knows the bot and issues the code).
TelegramInvite = Callable[[Borrower, datetime], Awaitable[str | None]]


def wants_invite(borrower: Borrower, message: Message, channel: str) -> bool:
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


class Dispatcher:
    def __init__(
        self,
        *,
        policy: Policy,
        settings: DispatchSettings,
        channels: Mapping[str, Channel],
        renderer: MessageRenderer,
        log: InteractionLog,
        counters: CounterBatch,
        owner: str,
        invite: TelegramInvite | None = None,
        lease_clock: Callable[[], datetime] = wall_clock,
    ) -> None:
        self.policy = policy
        self.settings = settings
        self.channels = channels
        self.renderer = renderer
        self.log = log
        self.counters = counters
        self.owner = owner
        self.invite = invite
        self.lease_clock = lease_clock
        self.guard = ContactGuard(policy)
        self._claims = itertools.count(1)
        self._stopping = False
        # Tasks whose message has not left yet (claimed, guarded, waiting for the pace): a stop may
        # cancel them and give their messages back; those whose request is leaving are let finish.
        self._not_left: set[asyncio.Task[None]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        # One message per borrower at a time in this process: the caps are judged on a snapshot of
        # the borrower's sends, so two of their messages handled concurrently would both pass them.
        self._borrower_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    async def run(self, now: datetime, *, limit: int | None = None, urgent_only: bool = False) -> DispatchSummary:
        """Claim and handle due messages in batches until none is due (or ``limit`` handled).
        ``urgent_only``: answers to borrowers only (the answer lane)."""
        summary = DispatchSummary()
        handled = 0
        # Inside a caller's transaction (``tick --dry-run``) every query shares one connection, which
        # cannot run two queries at once (asyncpg) nor interleave savepoints (SQLite): one at a time.
        in_transaction = inside_transaction()
        semaphore = asyncio.Semaphore(1 if in_transaction else max(1, self.settings.concurrency))

        async def guarded(message_id: int, claim: str) -> None:
            async with semaphore:
                try:
                    await self.handle(message_id, now, summary, claim=claim)
                except asyncio.CancelledError:  # stopped before it left: back to the queue
                    await asyncio.shield(release(message_id, claim, now))
                    raise
                except Exception:  # one bad message must not stop the pass; it stays claimed → recovered
                    log.exception("dispatch of message %s failed", message_id)
                    summary.outcomes["error"] += 1

        while not self._stopping and (limit is None or handled < limit):
            batch = (
                self.policy.sending.batch_size
                if limit is None
                else min(self.policy.sending.batch_size, limit - handled)
            )
            # Each claim has an owner of its own, so a claim that expired and was taken again (even
            # by this process) can never be sent by the task that held it before.
            claim = f"{self.owner[:48]}/{next(self._claims)}"
            ids = await claim_due(
                claim,
                now,
                batch,
                self.policy.sending.lease_seconds,
                lease_from=self.lease_clock(),
                urgent_only=urgent_only,
            )
            if not ids:
                break
            tasks = [asyncio.get_running_loop().create_task(guarded(i, claim)) for i in ids]
            self._tasks.update(tasks)
            self._not_left.update(tasks)
            try:
                await asyncio.gather(*tasks, return_exceptions=True)
            finally:
                self._tasks.difference_update(tasks)
                self._not_left.difference_update(tasks)
            handled += len(ids)
        return summary

    async def stop(self, grace: float = 10.0) -> None:
        """Take no more work; give back what has not left; let requests already leaving finish
        (up to ``grace`` seconds, then they are cancelled and their rows become ``unknown``)."""
        self._stopping = True
        for task in list(self._not_left):
            task.cancel()
        pending = [t for t in self._tasks if not t.done()]
        if pending:
            _done, late = await asyncio.wait(pending, timeout=grace)
            for task in late:
                task.cancel()

    def _leaving(self, message_id: int, claim: str, now: datetime, changes: dict[str, Any]) -> Leaving:
        """The hook an adapter calls once the pace lets the request leave: mark ``sending`` now."""
        task = asyncio.current_task()

        async def mark_sending() -> None:
            if self._stopping:
                raise NotLeaving(message_id, give_back=True)
            until = self.lease_clock() + timedelta(seconds=self.policy.sending.lease_seconds)
            updated = await asyncio.shield(
                Message.filter(id=message_id, lease_owner=claim, status="claimed").update(
                    status="sending", lease_until=until, updated_at=now, **changes
                )
            )
            if updated != 1:
                raise NotLeaving(message_id, give_back=False)
            self._not_left.discard(task)

        return mark_sending

    async def handle(self, message_id: int, now: datetime, summary: DispatchSummary, *, claim: str) -> None:
        message = await Message.get(id=message_id)
        if message.lease_owner != claim or message.status != "claimed":
            return  # the claim was lost (expired and taken again) before this task began
        if message.borrower_id is None:
            await self._handle_unaddressed(message, now, summary, claim)
            return
        lock = self._borrower_locks.get(message.borrower_id)
        if lock is None:
            lock = self._borrower_locks[message.borrower_id] = asyncio.Lock()
        async with lock:
            await self._handle(message, now, summary, claim)

    async def _handle(self, message: Message, now: datetime, summary: DispatchSummary, claim: str) -> None:
        assert message.borrower_id is not None
        base = await Message.get(id=message.attempt_of) if message.attempt_of else message
        snapshot = await contact_snapshot(message.borrower_id, now)
        items = await message_installments(base.id)
        borrower = snapshot.borrower
        state = contact_state(snapshot)
        history = send_history(snapshot)
        kind = guard_kind(message)
        events: list[LogEvent] = []
        verdict: Verdict | None = None
        attempt_no = 0
        for channel in channel_order(borrower, message):
            address = answer_address(message, channel) or self._address(borrower, channel)
            # A fallback channel that is off or has no address must not hide why the channel
            # before it said no (the skip would read "no telegram address", not "opted out").
            kept = verdict is not None and verdict.rule in CHANNEL_RULES
            if channel not in self.channels:
                if not kept:
                    verdict = Verdict("never", "channel_off", f"the {channel} channel is not configured")
                continue
            if address is None:
                if not kept:
                    verdict = Verdict("never", "no_address", f"no {channel} address on file")
                continue
            prospect = self._prospect(message, base, kind, channel, items)
            verdict = self.guard.decide(
                prospect,
                answering(state, message, channel),
                history,
                now=now,
                sending_enabled=self.settings.sending_enabled,
            )
            if verdict.decision != "now":
                if verdict.decision == "never" and verdict.rule in CHANNEL_RULES:
                    continue
                break
            outcome = await self._send(
                message, base, channel, address, borrower, items, kind, now, events, summary, claim
            )
            if outcome is None:  # delivered to a provider, or a final failure recorded
                await self.log.append_many(events)
                return
            attempt_no += 1
            await self._record_failed_attempt(message, base, channel, address, outcome, now, attempt_no)
            state = contact_state(await contact_snapshot(borrower.id, now))
            verdict = Verdict("never", "no_channel_left", f"{channel} refused it ({outcome.code})")
        assert verdict is not None
        if verdict.decision == "later":
            await self._defer(message, now, verdict, events, summary, claim)
        else:
            await self._finish_never(message, now, summary, verdict, events)
        await self.log.append_many(events)

    def _address(self, borrower: Borrower, channel: str) -> str | None:
        if channel == "sms":
            return borrower.phone or None
        return str(borrower.telegram_chat_id) if borrower.telegram_chat_id is not None else None

    def _prospect(
        self, message: Message, base: Message, kind: MessageKind, channel: str, items: Sequence[MessageInstallment]
    ) -> Prospect:
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
            message_key=base.idempotency_key,
            answer_to_opt_out_or_help=bool(message.payload.get("answer_to_opt_out_or_help", False)),
        )

    def _render(
        self,
        message: Message,
        channel: str,
        borrower: Borrower,
        items: Sequence[MessageInstallment],
        telegram_link: str | None = None,
    ) -> tuple[str, int | None]:
        if message.payload.get("prerendered"):
            rendered = self.renderer.render(
                message.payload["template"], channel, borrower.locale, message.payload.get("context", {})
            )
        else:
            owed = [i for i in items if i.state not in ("paid", "waived") and i.outstanding > 0]
            currency = owed[0].currency if owed else "USD"
            same_currency = [i for i in owed if i.currency == currency]
            offset = int(message.payload.get("offset_days", 0))
            context = reminder_context(
                lender_name=self.settings.lender_name,
                lender_contact=self.settings.lender_contact,
                borrower_name=borrower.full_name,
                locale=borrower.locale,
                currency=currency,
                items=[
                    (i.loan_id, i.installment_no, i.due_date, i.outstanding.quantize(Decimal("0.01")))
                    for i in same_currency
                ],
                days_past_due=offset,
                telegram_link=telegram_link,
            )
            rendered = self.renderer.render(message.kind, channel, borrower.locale, context)
        return rendered.text, (rendered.segments.segments if rendered.segments else None)

    async def _send(
        self,
        message: Message,
        base: Message,
        channel: str,
        address: str,
        borrower: Borrower,
        items: Sequence[MessageInstallment],
        kind: MessageKind,
        now: datetime,
        events: list[LogEvent],
        summary: DispatchSummary,
        claim: str,
    ) -> PermanentSendError | None:
        """Send on one channel. Returns the refusal when the next channel should be tried."""
        link = None
        if self.invite is not None and wants_invite(borrower, base, channel):
            link = await self.invite(borrower, now)
        text, segments = self._render(message, channel, borrower, items, link)
        counted = counts_toward_caps(
            kind, now, None if kind != "staff_reply" else await self._last_inbound(borrower), self.policy
        )
        outbound = OutboundMessage(
            idempotency_key=f"{base.idempotency_key}#{channel}",
            channel=channel,
            to=address,
            text=text,
            status_callback=self.settings.status_callback_url if channel == "sms" else None,
            parse_mode_html=channel == "telegram",
            urgent=message.urgent,
        )
        attempts = message.attempts
        while True:
            attempts += 1
            leaving = self._leaving(
                message.id,
                claim,
                now,
                {"channel": channel, "address": address, "body": text, "segments": segments, "attempts": attempts},
            )
            try:
                receipt = await self.channels[channel].send(outbound, leaving=leaving)
            except NotLeaving as stop:
                if stop.give_back:
                    await release(message.id, claim, now)
                else:
                    log.warning("lost the claim on message %s; not sending", message.id)
                return None
            except RetryableSendError as exc:
                delay = backoff_delay(
                    attempts,
                    self.policy.sending.backoff_base_seconds,
                    self.policy.sending.backoff_max_seconds,
                    exc.retry_after,
                )
                if attempts >= self.policy.sending.max_attempts:
                    await self._final_failure(
                        message, now, channel, exc, "retries exhausted", events, summary, borrower
                    )
                    return None
                if delay <= IN_PASS_RETRY_LIMIT_SECONDS:
                    await self._back_to_claimed(message.id, claim, now)  # nothing left: not "sending"
                    await asyncio.sleep(delay)
                    continue
                await release(
                    message.id, claim, now, next_attempt_at=now + timedelta(seconds=delay), error_code=exc.code
                )
                events.append(
                    LogEvent(
                        "message.retry",
                        now,
                        borrower.borrower_id,
                        data={
                            "key": base.idempotency_key,
                            "channel": channel,
                            "error": exc.code,
                            "retry_in_seconds": delay,
                        },
                    )
                )
                summary.add(
                    DispatchEvent(now, borrower.borrower_id, base.idempotency_key or "", "retry", channel, exc.code)
                )
                return None
            except UncertainSendError as exc:
                await finish(
                    message.id,
                    now,
                    "unknown",
                    error_code=exc.code,
                    sent_at=now,
                    counts_toward_caps=counted,
                    guard_reason="the provider may have the message; not resent",
                )
                events.append(
                    LogEvent(
                        "message.unknown",
                        now,
                        borrower.borrower_id,
                        data={
                            "key": base.idempotency_key,
                            "channel": channel,
                            "to": address,
                            "error": exc.code,
                            "text": text,
                        },
                    )
                )
                summary.add(
                    DispatchEvent(
                        now, borrower.borrower_id, base.idempotency_key or "", "unknown", channel, exc.code, text=text
                    )
                )
                self.counters.add("duebot_messages_total", channel=channel, outcome="unknown")
                return None
            except PermanentSendError as exc:
                await self._apply_effect(borrower, exc, now, events)
                events.append(
                    LogEvent(
                        "message.failed",
                        now,
                        borrower.borrower_id,
                        data={
                            "key": base.idempotency_key,
                            "channel": channel,
                            "to": address,
                            "error": exc.code,
                            "effect": exc.effect,
                            "detail": exc.detail,
                        },
                    )
                )
                summary.add(
                    DispatchEvent(
                        now, borrower.borrower_id, base.idempotency_key or "", "failed", channel, exc.code, exc.detail
                    )
                )
                self.counters.add("duebot_messages_total", channel=channel, outcome="failed")
                await self._back_to_claimed(message.id, claim, now)  # the next channel may still take it
                return exc
            except SendError as exc:  # the base class: treat as uncertain, the safe side
                await finish(message.id, now, "unknown", error_code=exc.code, sent_at=now, counts_toward_caps=counted)
                summary.add(
                    DispatchEvent(now, borrower.borrower_id, base.idempotency_key or "", "unknown", channel, exc.code)
                )
                return None
            await finish(
                message.id,
                now,
                "sent",
                provider_message_id=receipt.provider_message_id,
                sent_at=now,
                counts_toward_caps=counted,
                guard_rule="clear",
                guard_reason=None,
                error_code=None,
            )
            acknowledges = base.payload.get("acknowledges_case") if isinstance(base.payload, dict) else None
            if acknowledges is not None:
                await mark_acknowledged(int(acknowledges), now)
            # A receipt that arrived before this record of the send committed can be applied now.
            await apply_pending_receipts(now, log=self.log, provider_message_id=receipt.provider_message_id)
            events.append(
                LogEvent(
                    "message.sent",
                    now,
                    borrower.borrower_id,
                    data={
                        "key": base.idempotency_key,
                        "channel": channel,
                        "to": address,
                        "text": text,
                        "provider_message_id": receipt.provider_message_id,
                        "segments": segments,
                        "tier": base.tier,
                        "kind": message.kind,
                    },
                )
            )
            summary.add(
                DispatchEvent(now, borrower.borrower_id, base.idempotency_key or "", "sent", channel, text=text)
            )
            self.counters.add("duebot_messages_total", channel=channel, outcome="sent")
            return None

    async def _back_to_claimed(self, message_id: int, claim: str, now: datetime) -> None:
        await Message.filter(id=message_id, lease_owner=claim, status="sending").update(
            status="claimed", updated_at=now
        )

    async def _last_inbound(self, borrower: Borrower) -> datetime | None:
        row = await Message.filter(borrower_id=borrower.id, direction="in").order_by("-created_at").first()
        return row.created_at if row else None

    async def _apply_effect(
        self, borrower: Borrower, exc: PermanentSendError, now: datetime, events: list[LogEvent]
    ) -> None:
        if exc.effect is None or exc.effect not in EFFECTS:
            return
        column, value = EFFECTS[exc.effect]
        if getattr(borrower, column) == value:
            return
        await Borrower.filter(id=borrower.id).update(**{column: value})
        setattr(borrower, column, value)
        events.append(
            LogEvent(
                "borrower.contact_changed",
                now,
                borrower.borrower_id,
                data={"field": column, "value": value, "because": exc.effect, "error": exc.code},
            )
        )

    async def _record_failed_attempt(
        self,
        message: Message,
        base: Message,
        channel: str,
        address: str,
        exc: PermanentSendError,
        now: datetime,
        n: int,
    ) -> None:
        await Message.create(
            borrower_id=message.borrower_id,
            direction="out",
            channel=channel,
            kind=message.kind,
            tier=message.tier,
            local_date=message.local_date,
            idempotency_key=f"{base.idempotency_key}#{channel}-{message.id}-{n}",
            attempt_of=base.id,
            status="failed",
            address=address,
            body=message.body,
            error_code=exc.code,
            guard_reason=exc.detail[:500],
            counts_toward_caps=False,
            created_at=now,
            updated_at=now,
            payload={"attempt": n},
        )

    async def _final_failure(
        self,
        message: Message,
        now: datetime,
        channel: str,
        exc: SendError,
        why: str,
        events: list[LogEvent],
        summary: DispatchSummary,
        borrower: Borrower,
    ) -> None:
        await finish(message.id, now, "failed", error_code=exc.code, guard_reason=why)
        events.append(
            LogEvent(
                "message.failed",
                now,
                borrower.borrower_id,
                data={"key": message.idempotency_key, "channel": channel, "error": exc.code, "why": why},
            )
        )
        summary.add(
            DispatchEvent(now, borrower.borrower_id, message.idempotency_key or "", "failed", channel, exc.code, why)
        )
        self.counters.add("duebot_messages_total", channel=channel, outcome="failed")

    async def _defer(
        self,
        message: Message,
        now: datetime,
        verdict: Verdict,
        events: list[LogEvent],
        summary: DispatchSummary,
        claim: str,
    ) -> None:
        # "Ask again next pass" must not mean "again in this pass": the claim loop would spin.
        retry_at = (
            verdict.not_before if verdict.not_before is not None and verdict.not_before > now else now + NEXT_PASS
        )
        changes: dict[str, Any] = {
            "guard_rule": verdict.rule,
            "guard_reason": verdict.reason,
            "next_attempt_at": retry_at,
        }
        await release(message.id, claim, now, **changes)
        borrower_id = await self._borrower_id(message)
        if message.guard_rule != verdict.rule:  # log a hold once per reason, not once per pass
            events.append(
                LogEvent(
                    "message.deferred",
                    now,
                    borrower_id,
                    data={
                        "key": message.idempotency_key,
                        "rule": verdict.rule,
                        "reason": verdict.reason,
                        "not_before": verdict.not_before.isoformat() if verdict.not_before else None,
                    },
                )
            )
            self.counters.add("duebot_guard_decisions_total", rule=verdict.rule, decision="later")
        summary.add(
            DispatchEvent(
                now, borrower_id or "", message.idempotency_key or "", "deferred", None, verdict.rule, verdict.reason
            )
        )

    async def _finish_never(
        self,
        message: Message,
        now: datetime,
        summary: DispatchSummary,
        verdict: Verdict,
        events: list[LogEvent] | None = None,
    ) -> None:
        await finish(message.id, now, "skipped", guard_rule=verdict.rule, guard_reason=verdict.reason)
        borrower_id = await self._borrower_id(message)
        entry = LogEvent(
            "message.skipped",
            now,
            borrower_id,
            data={"key": message.idempotency_key, "rule": verdict.rule, "reason": verdict.reason, "tier": message.tier},
        )
        if events is None:
            await self.log.append(entry)
        else:
            events.append(entry)
        self.counters.add("duebot_guard_decisions_total", rule=verdict.rule, decision="never")
        if verdict.rule == "stale":
            self.counters.add("duebot_stale_skips_total")
        summary.add(
            DispatchEvent(
                now, borrower_id or "", message.idempotency_key or "", "skipped", None, verdict.rule, verdict.reason
            )
        )

    async def _handle_unaddressed(self, message: Message, now: datetime, summary: DispatchSummary, claim: str) -> None:
        """An answer to a sender who is no borrower we can name (unknown, or a phone several
        borrowers share): only a public template (it discloses nothing), only to the address that
        wrote, on its channel. It answers their own message, so only the kill switch holds it."""
        payload = message.payload if isinstance(message.payload, dict) else {}
        template, address, channel = payload.get("template"), answer_address(message, message.channel), message.channel
        if not (payload.get("prerendered") and template in PUBLIC_KINDS and address):
            await self._finish_never(message, now, summary, Verdict("never", "no_borrower", "no borrower to send to"))
            return
        if channel not in self.channels:
            reason = f"the {channel} channel is not configured"
            await self._finish_never(message, now, summary, Verdict("never", "channel_off", reason))
            return
        events: list[LogEvent] = []
        if not self.settings.sending_enabled:
            reason = "sending is disabled (DUEBOT_SENDING_ENABLED=false): held back"
            await self._defer(message, now, Verdict("later", "kill_switch", reason), events, summary, claim)
            await self.log.append_many(events)
            return
        locale = payload.get("locale") if payload.get("locale") in LOCALES else "en"
        rendered = self.renderer.render(str(template), channel, str(locale), payload.get("context", {}))
        segments = rendered.segments.segments if rendered.segments else None
        key = message.idempotency_key or ""
        outbound = OutboundMessage(
            idempotency_key=f"{key}#{channel}",
            channel=channel,
            to=address,
            text=rendered.text,
            status_callback=self.settings.status_callback_url if channel == "sms" else None,
            parse_mode_html=channel == "telegram",
            urgent=True,
        )
        changes = {"address": address, "body": rendered.text, "segments": segments, "attempts": message.attempts + 1}
        data: dict[str, Any] = {"key": key, "channel": channel, "to": address, "text": rendered.text, "kind": template}
        try:
            leaving = self._leaving(message.id, claim, now, changes)
            receipt = await self.channels[channel].send(outbound, leaving=leaving)
        except NotLeaving as stop:
            if stop.give_back:
                await release(message.id, claim, now)
            return
        except (PermanentSendError, RetryableSendError) as exc:  # a courtesy answer: not retried
            await finish(message.id, now, "failed", error_code=exc.code, guard_reason=exc.detail[:500])
            events.append(LogEvent("message.failed", now, None, data={**data, "error": exc.code}))
            summary.add(DispatchEvent(now, "", key, "failed", channel, exc.code, exc.detail))
        except SendError as exc:
            await finish(message.id, now, "unknown", error_code=exc.code, sent_at=now, counts_toward_caps=False)
            events.append(LogEvent("message.unknown", now, None, data={**data, "error": exc.code}))
            summary.add(DispatchEvent(now, "", key, "unknown", channel, exc.code))
        else:
            await finish(
                message.id, now, "sent", provider_message_id=receipt.provider_message_id, sent_at=now,
                counts_toward_caps=False, guard_rule="answer_to_sender", guard_reason=None,
            )  # fmt: skip
            events.append(
                LogEvent("message.sent", now, None, data={**data, "provider_message_id": receipt.provider_message_id})
            )
            summary.add(DispatchEvent(now, "", key, "sent", channel, text=rendered.text))
            self.counters.add("duebot_messages_total", channel=channel, outcome="sent")
        await self.log.append_many(events)

    async def _borrower_id(self, message: Message) -> str | None:
        if message.borrower_id is None:
            return None
        value = await Borrower.filter(id=message.borrower_id).first().values_list("borrower_id", flat=True)
        return str(value) if value is not None else None
