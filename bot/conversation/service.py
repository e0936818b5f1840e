"""Handling one stored inbound message: facts → understanding → decision → ``apply_plan`` → kick.

The caller has claimed the row (``storage.inbound.claim_inbound``); ``apply_plan`` marks it
handled in the same transaction as its effects. After the commit the dispatcher is kicked so
the answer leaves at once rather than on the next scheduler pass.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.conversation import facts
from bot.conversation.actions import Plan
from bot.conversation.apply import apply_plan
from bot.conversation.decide import decide_contact, decide_membership, decide_start, decide_text
from bot.conversation.facts import EventKind, Inbound, Matched, Sender
from bot.conversation.keywords import OPT_OUT_TYPES
from bot.conversation.loading import identify_chat, identify_phone, load_code, owners_of_phone
from bot.conversation.understand import Understanding, understand
from bot.logmask import mask_phone
from config.policy import Policy
from config.settings import Settings
from storage.cases import CaseNotifier
from storage.inbound import mark_handled
from storage.interaction_log import InteractionLog
from storage.models import Message

log = logging.getLogger(__name__)
Kick = Callable[[datetime], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class TelegramEvent:
    """A Telegram update reduced to what the conversation needs (built by the aiogram handlers)."""

    kind: EventKind
    chat_id: int
    text: str = ""
    start_code: str | None = None
    contact_phone: str | None = None
    contact_user_id: int | None = None
    from_user_id: int | None = None
    language_code: str | None = None


def e164(phone: str | None) -> str | None:
    """A phone as Telegram shares it ("8613800138000", "+44 7400 123456") in E.164, or None."""
    if not phone:
        return None
    import phonenumbers

    digits = "".join(ch for ch in phone if ch.isdigit())
    if not digits:
        return None
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _language(code: str | None) -> str:
    return "zh" if (code or "").lower().startswith("zh") else "en"


class ConversationService:
    def __init__(
        self,
        *,
        settings: Settings,
        policy: Policy,
        log: InteractionLog,
        clock: Callable[[], datetime],
        kick: Kick | None = None,
        notify: CaseNotifier | None = None,
    ) -> None:
        self.policy = policy
        self.log = log
        self.clock = clock
        self.kick = kick
        self.notify = notify
        self.decision_settings = facts.Settings(
            lender_name=settings.lender_name,
            lender_contact=settings.lender_contact,
            twilio_manages_opt_out=settings.twilio_manages_opt_out,
        )

    # --- SMS -----------------------------------------------------------------------------------

    async def handle_sms(self, row: Message, owner: str) -> Plan:
        form = row.payload.get("form", {}) if isinstance(row.payload, dict) else {}
        inbound = Inbound(
            message_pk=row.id,
            event_id=row.provider_event_id or "",
            channel="sms",
            address=row.address,
            text=row.body,
            received_at=row.created_at,
            provider_keyword=OPT_OUT_TYPES.get(str(form.get("OptOutType", "")).upper()),
        )
        sender = await identify_phone(row.address, row.created_at)
        return await self._text(inbound, sender, owner)

    # --- Telegram ------------------------------------------------------------------------------

    async def handle_telegram(self, row: Message, event: TelegramEvent, owner: str) -> Plan:
        contact = e164(event.contact_phone)
        inbound = Inbound(
            message_pk=row.id,
            event_id=row.provider_event_id or "",
            channel="telegram",
            address=str(event.chat_id),
            text=event.text,
            received_at=row.created_at,
            kind=event.kind,
            start_code=event.start_code or None,
            contact_phone=contact,
            contact_is_own=event.contact_user_id is not None and event.contact_user_id == event.from_user_id,
        )
        sender = await identify_chat(event.chat_id, row.created_at)
        language = _language(event.language_code)
        if event.kind == "start":
            code = await load_code(event.start_code, self.clock()) if event.start_code else None
            plan = decide_start(inbound, sender, code, settings=self.decision_settings, language=language)
            return await self._commit(plan, inbound, None, owner)
        if event.kind == "contact":
            owners = await owners_of_phone(contact)
            plan = decide_contact(inbound, sender, owners, settings=self.decision_settings, language=language)
            return await self._commit(plan, inbound, None, owner)
        if event.kind in ("blocked", "unblocked"):
            plan = decide_membership(inbound, sender, blocked=event.kind == "blocked")
            return await self._commit(plan, inbound, None, owner)
        return await self._text(inbound, sender, owner)

    async def ignore(self, row: Message, owner: str, why: str) -> None:
        """An update nobody handles (a group message, an edit): handled, nothing to do."""
        await mark_handled(row.id, owner, self.clock(), payload={**(row.payload or {}), "ignored": why})

    # --- shared --------------------------------------------------------------------------------

    async def _text(self, inbound: Inbound, sender: Sender, owner: str) -> Plan:
        if isinstance(sender, Matched):
            zone = ZoneInfo(sender.borrower.timezone)
            context = sender.context
        else:
            zone, context = ZoneInfo("UTC"), None
        today = inbound.received_at.astimezone(zone).date()
        understanding = understand(inbound.text, today, context, inbound.received_at)
        now = self.clock()
        plan = decide_text(inbound, sender, understanding, settings=self.decision_settings, policy=self.policy, now=now)
        return await self._commit(plan, inbound, understanding, owner)

    async def _commit(self, plan: Plan, inbound: Inbound, understanding: Understanding | None, owner: str) -> Plan:
        now = self.clock()
        await apply_plan(
            plan,
            inbound,
            understanding=understanding,
            owner=owner,
            now=now,
            log=self.log,
            policy=self.policy,
            notify=self.notify,
        )
        log.info(
            "inbound %s from %s on %s: %s%s",
            inbound.message_pk,
            mask_phone(inbound.address) if inbound.channel == "sms" else "a chat",
            inbound.channel,
            plan.intent,
            f" → {plan.reply.template}" if plan.reply else "",
        )
        if plan.reply is not None and self.kick is not None:
            try:
                await self.kick(now)
            except Exception:  # the answer is stored; the next scheduler pass sends it
                log.exception("dispatching the answer to inbound %s failed", inbound.message_pk)
        return plan
