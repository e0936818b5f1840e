"""What a reply leads to: pure functions from facts to a ``Plan`` (no I/O; ``now`` is given).

Each intent has a row in ``INTENT_RULES``. The primary intent and every intent in ``also`` are
acted on ("stop texting me, I'm reporting you" opens a complaint *and* opts out); exactly one
answer goes back, chosen by ``_choose_reply``:

1. an opt-out confirmation, when this reply opts the channel out, replaces every other answer
   (the borrower asked us to stop: one confirmation, nothing else);
2. on a channel that stays opted out only HELP is answered;
3. otherwise the answer of the first intent in precedence order that has one.

Senders we cannot name (unknown, or a phone shared by several borrowers) only ever get public
answers (HELP, opt-out / opt-in confirmations, the neutral answer), built from the lender's name
and contact alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

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
from bot.conversation.complaint_category import complaint_category
from bot.conversation.facts import (
    Ambiguous,
    BorrowerFacts,
    CodeFacts,
    Context,
    Inbound,
    LoanFocus,
    Matched,
    Owed,
    Sender,
    Settings,
    Unknown,
)
from bot.conversation.keywords import is_bare_yes
from bot.conversation.understand import Understanding
from config.policy import Policy
from scheduler.money import format_date, format_money
from scheduler.rendering import balance_context

# Below this the classifier's reading is not trusted: the borrower gets one clarifying question.
LOW_CONFIDENCE: Final = 0.5
# Acted on even when the classifier is unsure: a missed complaint or opt-out costs the borrower
# more than a case that staff close.
PROTECTIVE: Final = frozenset({"complaint", "dispute", "opt_out", "wrong_number", "hardship"})
# When the writer says they are not the borrower, nothing that touches or discloses the debt.
WRONG_PERSON_SAFE: Final = frozenset({"wrong_number", "complaint", "opt_out", "help", "acknowledge", "other"})
SUMMARY_CHARS: Final = 500


# --- the situation a rule looks at ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Situation:
    inbound: Inbound
    matched: Matched
    understanding: Understanding
    settings: Settings
    policy: Policy
    now: datetime

    @property
    def borrower(self) -> BorrowerFacts:
        return self.matched.borrower

    @property
    def today(self) -> date:
        """The borrower's local date when they wrote (a late handling does not move it)."""
        return self.inbound.received_at.astimezone(ZoneInfo(self.borrower.timezone)).date()

    @property
    def context(self) -> Context | None:
        ctx = self.matched.context
        return ctx if ctx is not None and ctx.active(self.inbound.received_at) else None

    @property
    def locale(self) -> str:
        return self.borrower.locale

    def common(self) -> dict[str, Any]:
        return {
            "lender_name": self.settings.lender_name,
            "lender_contact": self.settings.lender_contact,
            "borrower_name": self.borrower.full_name,
        }

    def excerpt(self) -> str:
        return self.inbound.text[:SUMMARY_CHARS]

    def twilio_answers(self, intent: str) -> bool:
        """Twilio Advanced Opt-Out answers its exact keywords itself: we only record them."""
        if not self.settings.twilio_manages_opt_out or self.inbound.channel != "sms":
            return False
        return intent in (self.inbound.provider_keyword, self.understanding.exact_keyword)


@dataclass(frozen=True, slots=True)
class Outcome:
    actions: tuple[Action, ...] = ()
    reply: Reply | None = None
    # The question this answer asks, so the next reply is read in its context.
    follow: SetContext | None = None


@dataclass(frozen=True, slots=True)
class IntentRule:
    intent: str
    handle: Callable[[Situation], Outcome]
    summary: str


def public_context(settings: Settings) -> dict[str, Any]:
    return {"lender_name": settings.lender_name, "lender_contact": settings.lender_contact}


def money_text(amount: Decimal, currency: str, locale: str) -> str:
    from babel.numbers import get_currency_precision

    digits = get_currency_precision(currency)
    return format_money(amount.quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP), currency, locale)


def amount_due(focus: LoanFocus, owed: Sequence[Owed], by: date) -> Decimal:
    """What a promise without an amount is for: the loan's installments due by the promised date,
    or, when none is due by then, the next installment."""
    on_loan = [o for o in owed if o.loan_pk == focus.loan_pk]
    due = [o for o in on_loan if o.due_date <= by] or on_loan[:1]
    return sum((o.outstanding for o in due), Decimal(0))


_HALF: Final = re.compile(r"\bhalf\b|一半|半数")
_REST: Final = re.compile(r"\b(?:rest|remainder|balance|remaining)\b|剩下|剩余|其余|另一半|余下", re.IGNORECASE)


# --- one rule per intent -------------------------------------------------------------------


def _ask_date(s: Situation, amount: Decimal | None, template: str) -> tuple[Reply, SetContext]:
    latest = s.today + timedelta(days=s.policy.promises.horizon_days)
    reply = Reply(template, {**s.common(), "latest_date": format_date(latest, s.locale)})
    follow = SetContext(
        s.borrower.pk,
        "promise_date",
        s.inbound.channel,
        s.now + timedelta(minutes=s.policy.promises.date_question_minutes),
        amount,
    )
    return reply, follow


def _promise(s: Situation) -> Outcome:
    u, account = s.understanding, s.matched.account
    focus = account.focus
    if focus is None or not account.owed_on(focus.loan_pk):
        return Outcome((Note("promise.nothing_owed", {"promise_date": _iso(u.promise_date)}),))
    if u.promise_date is None:
        reply, follow = _ask_date(s, u.amount, "promise_ask_date")
        return Outcome(reply=reply, follow=follow)
    horizon = s.policy.promises.horizon_days
    if u.promise_date > s.today + timedelta(days=horizon):
        case = OpenCase(
            "promise_review",
            f"promised to pay on {u.promise_date.isoformat()}, beyond the {horizon}-day horizon: {s.excerpt()}",
            s.borrower.pk,
            focus.loan_pk,
            details={"promised_date": u.promise_date.isoformat(), "amount": _text(u.amount)},
        )
        reply, follow = _ask_date(s, u.amount, "promise_beyond_horizon")
        return Outcome((case,), reply, follow)
    promised = max(u.promise_date, s.today)
    amount = u.amount if u.amount is not None and u.amount > 0 else amount_due(focus, account.owed, promised)
    if (
        (u.amount is None or u.amount <= 0)
        and _HALF.search(s.inbound.text.lower())
        and not _REST.search(s.inbound.text)
    ):
        # "我后天还一半", "I'll pay half on Friday": half of what is due, not all of it (but "half now,
        # the rest on the 20th" promises the whole by the 20th).
        amount = (amount / 2).quantize(Decimal("0.01"))
    record = RecordPromise(
        borrower_pk=s.borrower.pk,
        loan_pk=focus.loan_pk,
        loan_id=focus.loan_id,
        promised_date=promised,
        amount=amount,
        currency=focus.currency,
        paid_before=focus.paid_total,
        pause_start=s.today,
    )
    reply = Reply(
        "promise_confirmed",
        {
            **s.common(),
            "promise_date": format_date(promised, s.locale),
            "amount": money_text(amount, focus.currency, s.locale),
        },
    )
    return Outcome((record,), reply)


def _already_paid(s: Situation) -> Outcome:
    """Acknowledged. Without a matching payment, a case to check it, and collection contact about
    the loan pauses meanwhile (``payments.claim_pause_days`` at most; resolving the case lifts it)."""
    actions: list[Action] = []
    focus = s.matched.account.focus
    context: dict[str, Any] = {**s.common(), "pause_days": None}
    if not s.matched.account.recent_payment:
        actions.append(
            OpenCase(
                "payment_check",
                f"says the payment was made; no matching payment is recorded: {s.excerpt()}",
                s.borrower.pk,
                focus.loan_pk if focus else None,
            )
        )
        days = s.policy.payments.claim_pause_days
        if days > 0:
            end = s.today + timedelta(days=days - 1)
            actions.append(
                PauseReminders(s.borrower.pk, "payment_claim", s.today, end, focus.loan_id if focus else None)
            )
            context["pause_days"] = days
    return Outcome(tuple(actions), Reply("already_paid_ack", context))


def _hardship(s: Situation) -> Outcome:
    actions: list[Action] = [OpenCase("hardship", s.excerpt(), s.borrower.pk)]
    days = s.policy.hardship.pause_days
    if days > 0:
        actions.append(PauseReminders(s.borrower.pk, "hardship", s.today, s.today + timedelta(days=days - 1)))
    return Outcome(tuple(actions), Reply("hardship_ack", s.common()))


def _complaint(s: Situation) -> Outcome:
    case = OpenCase("complaint", s.excerpt(), s.borrower.pk, category=complaint_category(s.inbound.text))
    return Outcome((case,), Reply("complaint_ack", s.common(), reference_of="complaint"))


def _dispute(s: Situation) -> Outcome:
    focus = s.matched.account.focus
    case = OpenCase("dispute", s.excerpt(), s.borrower.pk, focus.loan_pk if focus else None)
    return Outcome((case,), Reply("dispute_ack", s.common(), reference_of="dispute"))


def _opt_out(s: Situation) -> Outcome:
    channel = s.inbound.channel
    if s.borrower.opted_out_of(channel):
        return Outcome((Note("opt_out.repeated", {"channel": channel}),))
    change = SetOptOut(s.borrower.pk, channel, True)
    if s.twilio_answers("opt_out"):
        return Outcome((change,))
    return Outcome((change,), Reply("opt_out_confirmed", public_context(s.settings), answer_to_opt_out_or_help=True))


def _opt_in(s: Situation) -> Outcome:
    channel = s.inbound.channel
    if not s.borrower.opted_out_of(channel):
        return Outcome((Note("opt_in.already_subscribed", {"channel": channel}),))
    change = SetOptOut(s.borrower.pk, channel, False)
    if s.twilio_answers("opt_in"):
        return Outcome((change,))
    return Outcome((change,), Reply("opt_in_confirmed", public_context(s.settings)))


def _help(s: Situation) -> Outcome:
    if s.twilio_answers("help"):
        return Outcome((Note("help.answered_by_twilio"),))
    return Outcome(reply=Reply("help", public_context(s.settings), answer_to_opt_out_or_help=True))


def _wrong_number(s: Situation) -> Outcome:
    inbound = s.inbound
    change: Action
    if inbound.channel == "sms":
        change = MarkPhoneWrong(s.borrower.pk)
    else:
        change = UnlinkTelegram(s.borrower.pk, int(inbound.address), "the person in this chat says it is not theirs")
    case = OpenCase("wrong_number", f"{inbound.channel} {inbound.address}: {s.excerpt()}", s.borrower.pk)
    # Public template: whoever wrote is presumably not the borrower.
    return Outcome((change, case), Reply("wrong_number_ack", public_context(s.settings)))


def _human(s: Situation) -> Outcome:
    case = OpenCase("human_request", s.excerpt(), s.borrower.pk)
    return Outcome((case,), Reply("human_request_ack", s.common()))


def _balance(s: Situation) -> Outcome:
    owed = s.matched.account.owed
    if not owed:
        # Nothing is owed in the loan book: a person answers rather than a template guessing.
        case = OpenCase("human_request", f"asked for the balance; nothing is owed: {s.excerpt()}", s.borrower.pk)
        return Outcome((case,), Reply("human_request_ack", s.common()))
    currency = owed[0].currency
    context = balance_context(
        lender_name=s.settings.lender_name,
        lender_contact=s.settings.lender_contact,
        borrower_name=s.borrower.full_name,
        locale=s.locale,
        currency=currency,
        items=[(o.loan_id, o.installment_no, o.due_date, o.outstanding) for o in owed if o.currency == currency],
    )
    return Outcome(reply=Reply("balance", context))


def _acknowledge(s: Situation) -> Outcome:
    if is_bare_yes(s.inbound.text) and s.borrower.opted_out_of(s.inbound.channel):
        return _opt_in(s)
    return Outcome((Note("acknowledged"),))


def _other(s: Situation) -> Outcome:
    ctx = s.context
    if ctx is not None and ctx.awaiting == "clarification":
        case = OpenCase("unclear", f"still unclear after a clarifying question: {s.excerpt()}", s.borrower.pk)
        return Outcome((case,), Reply("human_request_ack", s.common()))
    follow = SetContext(
        s.borrower.pk,
        "clarification",
        s.inbound.channel,
        s.now + timedelta(minutes=s.policy.promises.date_question_minutes),
    )
    return Outcome(reply=Reply("clarify", s.common()), follow=follow)


INTENT_RULES: tuple[IntentRule, ...] = (
    IntentRule("complaint", _complaint, "complaints case with a reference; collection contact pauses while open"),
    IntentRule("dispute", _dispute, "disputes case on the loan; collection on it pauses until resolved"),
    IntentRule("opt_out", _opt_out, "channel opted out at once; one confirmation"),
    IntentRule("wrong_number", _wrong_number, "number marked wrong (or chat unlinked); case to fix contact data"),
    IntentRule("hardship", _hardship, "hardship case; reminders paused for the policy's hardship pause"),
    IntentRule("already_paid", _already_paid, "acknowledged; a case to verify when no payment matches"),
    IntentRule("promise_to_pay", _promise, "promise recorded and reminders paused, or a date asked for"),
    IntentRule("human_request", _human, "collections case; a person will answer"),
    IntentRule("balance_inquiry", _balance, "the amount owed and the next due date"),
    IntentRule("help", _help, "lender name, contact and opt-out instructions (always answered)"),
    IntentRule("opt_in", _opt_in, "channel opted back in"),
    IntentRule("acknowledge", _acknowledge, "logged, no answer (a bare YES re-subscribes an opted-out sender)"),
    IntentRule("other", _other, "one clarifying question, then an unclear case"),
)
_RULE_FOR: Final[Mapping[str, IntentRule]] = {rule.intent: rule for rule in INTENT_RULES}


def rule_for(intent: str) -> IntentRule:
    return _RULE_FOR.get(intent, _RULE_FOR["other"])


# --- a text from a known borrower -------------------------------------------------------------


def _intents_to_act_on(s: Situation) -> tuple[list[str], list[str]]:
    u = s.understanding
    intents = list(u.intents())
    why: list[str] = []
    trusted = u.exact_keyword is not None or u.via_context is not None or u.confidence >= LOW_CONFIDENCE
    if not trusted:
        intents = [i for i in intents if i in PROTECTIVE] or ["other"]
        why.append(f"low confidence ({u.confidence:.2f}): only protective intents acted on")
    if "wrong_number" in intents:
        intents = [i for i in intents if i in WRONG_PERSON_SAFE]
        why.append("wrong person: nothing about the debt")
    return intents, why


def _choose_reply(s: Situation, outcomes: Sequence[tuple[str, Outcome]]) -> tuple[Reply | None, SetContext | None]:
    channel = s.inbound.channel
    opting_out = [o for _, o in outcomes if any(isinstance(a, SetOptOut) and a.opted_out for a in o.actions)]
    if opting_out:
        # One last message: the opt-out confirmation, which also carries a complaint's or a
        # dispute's reference when the same reply raised one (it is owed to the borrower).
        for _, o in outcomes:
            owed = o.reply
            if owed is not None and owed.reference_of in ("complaint", "dispute"):
                return replace(owed, template=f"{owed.template}_opt_out", answer_to_opt_out_or_help=True), None
        return opting_out[0].reply, None
    opting_in = any(isinstance(a, SetOptOut) and not a.opted_out for _, o in outcomes for a in o.actions)
    if s.borrower.opted_out_of(channel) and not opting_in:
        for _, o in outcomes:
            if o.reply is not None and o.reply.answer_to_opt_out_or_help:
                return o.reply, None
        return None, None
    for _, o in outcomes:
        if o.reply is not None:
            return o.reply, o.follow
    return None, None


def decide_text(
    inbound: Inbound,
    sender: Sender,
    understanding: Understanding,
    *,
    settings: Settings,
    policy: Policy,
    now: datetime,
) -> Plan:
    if isinstance(sender, Matched):
        return _decide_matched(Situation(inbound, sender, understanding, settings, policy, now))
    return _decide_stranger(inbound, sender, understanding, settings)


def _decide_matched(s: Situation) -> Plan:
    intents, why = _intents_to_act_on(s)
    outcomes = [(intent, rule_for(intent).handle(s)) for intent in intents]
    actions: list[Action] = [a for _, o in outcomes for a in o.actions]
    if s.inbound.channel == "telegram" and not s.borrower.telegram_usable:
        actions.append(SetTelegramUsable(s.borrower.pk, True, "the borrower wrote again"))
    reply, follow = _choose_reply(s, outcomes)
    if follow is not None:
        actions.append(follow)
    elif s.matched.context is not None and intents != ["acknowledge"]:
        # The question was answered (or the subject changed): later replies are read afresh.
        actions.append(ClearContext(s.borrower.pk))
    why.extend(f"{intent}: {rule_for(intent).summary}" for intent in intents)
    return Plan(s.borrower.pk, intents[0], tuple(actions), reply, tuple(why))


# --- senders we cannot name ---------------------------------------------------------------------


def stranger_locale(understanding: Understanding) -> str:
    return "zh" if understanding.language == "zh" else "en"


def neutral_reply(inbound: Inbound, settings: Settings, locale: str) -> Reply:
    """At most one neutral answer a day per address: a stranger (or a bot) writing again and again
    must not make us send an SMS for each message."""
    day = inbound.received_at.date().isoformat()
    return Reply(
        "neutral_unknown_sender",
        public_context(settings),
        key=f"neutral:{inbound.channel}:{inbound.address}:{day}",
        locale=locale,
    )


def _public_once(template: str, inbound: Inbound, settings: Settings, locale: str, *, opt_or_help: bool) -> Reply:
    day = inbound.received_at.date().isoformat()
    return Reply(
        template,
        public_context(settings),
        answer_to_opt_out_or_help=opt_or_help,
        key=f"public:{template}:{inbound.channel}:{inbound.address}:{day}",
        locale=locale,
    )


def _shared_case(inbound: Inbound, borrowers: Sequence[BorrowerFacts], what: str) -> OpenCase:
    ids = ", ".join(b.borrower_id for b in borrowers)
    return OpenCase(
        "unclear",
        f"{what} from {inbound.channel} {inbound.address}, which {len(borrowers)} borrowers share ({ids}): "
        f"{inbound.text[:SUMMARY_CHARS]}",
        None,
        dedupe=f"shared:{inbound.channel}:{inbound.address}"[:40],
        details={"borrower_ids": [b.borrower_id for b in borrowers], "address": inbound.address},
    )


def _decide_stranger(inbound: Inbound, sender: Sender, u: Understanding, settings: Settings) -> Plan:
    shared = sender.borrowers if isinstance(sender, Ambiguous) else ()
    locale = stranger_locale(u)
    intents = u.intents() if u.exact_keyword is not None or u.confidence >= LOW_CONFIDENCE else ("other",)
    managed = settings.twilio_manages_opt_out and inbound.channel == "sms"
    twilio_answered = managed and u.exact_keyword is not None
    actions: list[Action] = [
        Note(
            "inbound.ambiguous_sender" if shared else "inbound.unknown_sender",
            {"channel": inbound.channel, "address": inbound.address, "intent": u.intent},
        )
    ]
    if shared:
        actions.append(_shared_case(inbound, shared, "a message"))
    reply: Reply | None
    channel = inbound.channel
    # This phone or chat asked us to stop: only HELP and START are answered on it.
    stopped = (
        sender.opted_out
        if isinstance(sender, Unknown)
        else bool(shared) and all(b.opted_out_of(channel) for b in shared)
    )
    if "opt_out" in intents:
        # Carriers opt out a number, not a person: every borrower on this phone or chat.
        actions += [SetOptOut(b.pk, channel, True) for b in shared if not b.opted_out_of(channel)]
        if isinstance(sender, Unknown) and not sender.opted_out:
            actions.append(SetAddressOptOut(channel, inbound.address, True))
        opt = _public_once("opt_out_confirmed", inbound, settings, locale, opt_or_help=True)
        reply = None if twilio_answered or stopped else opt
    elif "wrong_number" in intents and shared:
        for b in shared:
            change: Action = (
                MarkPhoneWrong(b.pk)
                if channel == "sms"
                else UnlinkTelegram(b.pk, int(inbound.address), "the person in this chat says it is not theirs")
            )
            actions += [change, OpenCase("wrong_number", f"{channel} {inbound.address}: {u.text}", b.pk)]
        reply = _public_once("wrong_number_ack", inbound, settings, locale, opt_or_help=False)
    elif "help" in intents:
        reply = None if twilio_answered else _public_once("help", inbound, settings, locale, opt_or_help=True)
    elif "opt_in" in intents and (shared or stopped):
        actions += [SetOptOut(b.pk, channel, False) for b in shared if b.opted_out_of(channel)]
        if isinstance(sender, Unknown):
            actions.append(SetAddressOptOut(channel, inbound.address, False))
        opt_in = _public_once("opt_in_confirmed", inbound, settings, locale, opt_or_help=True)
        reply = None if twilio_answered else opt_in
    elif stopped:
        reply = None
    else:
        reply = neutral_reply(inbound, settings, locale)
    return Plan(None, intents[0], tuple(actions), reply, ("sender not matched to one borrower: public answers only",))


# --- Telegram: linking a chat, blocking the bot -------------------------------------------------


def _others_on_chat(sender: Sender, keep: int, chat_id: int, because: str) -> list[Action]:
    linked: tuple[BorrowerFacts, ...] = ()
    if isinstance(sender, Matched):
        linked = (sender.borrower,)
    elif isinstance(sender, Ambiguous):
        linked = sender.borrowers
    return [UnlinkTelegram(b.pk, chat_id, because) for b in linked if b.pk != keep]


def _welcome(settings: Settings) -> Reply:
    # HELP doubles as the welcome: it names the lender, the contact and how to stop, and says
    # nothing about the debt should the wrong person have the code.
    return Reply("help", public_context(settings), answer_to_opt_out_or_help=True)


def decide_start(
    inbound: Inbound, sender: Sender, code: CodeFacts | None, *, settings: Settings, language: str
) -> Plan:
    chat_id = int(inbound.address)
    locale = "zh" if language == "zh" else "en"
    if inbound.start_code and code is not None and code.usable:
        borrower = code.borrower
        actions: list[Action] = [
            *_others_on_chat(sender, borrower.pk, chat_id, f"linked to {borrower.borrower_id} by a /start code"),
            LinkTelegram(borrower.pk, chat_id, "start_code", code.code_id),
        ]
        return Plan(borrower.pk, "link", tuple(actions), _welcome(settings), ("start code: chat linked",))
    actions = []
    if inbound.start_code:
        reason = "unknown" if code is None else code.reason
        actions.append(Note("telegram.link_refused", {"reason": reason, "chat_id": chat_id}))
    if isinstance(sender, Matched):
        return Plan(sender.borrower.pk, "start", tuple(actions), _welcome(settings), ("known chat",))
    actions.append(Note("inbound.unknown_sender", {"channel": "telegram", "address": inbound.address}))
    return Plan(None, "start", tuple(actions), neutral_reply(inbound, settings, locale), ("chat not linked",))


def decide_contact(
    inbound: Inbound,
    sender: Sender,
    owners: Sequence[BorrowerFacts],
    *,
    settings: Settings,
    language: str,
) -> Plan:
    """A shared contact links the chat only when it is the sender's own card (Telegram's contact
    button); a forwarded card proves nothing about who is writing."""
    chat_id = int(inbound.address)
    locale = "zh" if language == "zh" else "en"
    if not inbound.contact_is_own:
        note = Note("telegram.contact_refused", {"reason": "not the sender's own contact", "chat_id": chat_id})
        if isinstance(sender, Matched):
            return Plan(sender.borrower.pk, "contact", (note,), None, ("forwarded contact: links nobody",))
        return Plan(None, "contact", (note,), neutral_reply(inbound, settings, locale), ("forwarded contact",))
    if len(owners) == 1:
        borrower = owners[0]
        actions: list[Action] = [
            *_others_on_chat(sender, borrower.pk, chat_id, f"linked to {borrower.borrower_id} by a shared contact"),
            LinkTelegram(borrower.pk, chat_id, "contact"),
        ]
        return Plan(borrower.pk, "link", tuple(actions), _welcome(settings), ("own contact: chat linked",))
    phone = inbound.contact_phone or ""
    if owners:
        shared = Inbound(
            inbound.message_pk, inbound.event_id, "telegram", phone, "(shared their contact)", inbound.received_at
        )
        case = _shared_case(shared, owners, "a Telegram contact")
        note = Note("inbound.ambiguous_sender", {"channel": "telegram", "address": inbound.address, "phone": phone})
        return Plan(None, "contact", (note, case), neutral_reply(inbound, settings, locale), ("phone shared",))
    note = Note("inbound.unknown_sender", {"channel": "telegram", "address": inbound.address, "phone": phone})
    return Plan(None, "contact", (note,), neutral_reply(inbound, settings, locale), ("no borrower has this phone",))


def decide_membership(inbound: Inbound, sender: Sender, *, blocked: bool) -> Plan:
    """The user blocked (or unblocked) the bot: Telegram is unusable (usable) for them."""
    borrowers: tuple[BorrowerFacts, ...] = ()
    if isinstance(sender, Matched):
        borrowers = (sender.borrower,)
    elif isinstance(sender, Ambiguous):
        borrowers = sender.borrowers
    because = "the user blocked the bot" if blocked else "the user unblocked the bot"
    actions = tuple(SetTelegramUsable(b.pk, not blocked, because) for b in borrowers if b.telegram_usable == blocked)
    pk = borrowers[0].pk if len(borrowers) == 1 else None
    return Plan(pk, "blocked" if blocked else "unblocked", actions, None, (because,))


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _text(value: Decimal | None) -> str | None:
    return f"{value}" if value is not None else None


__all__ = [
    "INTENT_RULES",
    "LOW_CONFIDENCE",
    "Outcome",
    "Situation",
    "amount_due",
    "decide_contact",
    "decide_membership",
    "decide_start",
    "decide_text",
]
