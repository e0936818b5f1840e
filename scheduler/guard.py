"""ContactGuard: may this one message go now, later (and when), or never, and why.

The dispatcher asks just before handing a message to a provider, with the borrower's state and
the installments re-read from the database. The guard is a pure function of its inputs and the
logical clock ``now``; it records nothing.

Rules run in this order; the first that holds the message back gives the verdict:

 1. ``kill_switch``        sending disabled: "later", not_before None (re-asked on every pass).
 2. ``paid``               reminders / follow-ups whose installments are all paid or waived: never.
 3. ``opted_out``          the borrower opted out of this channel: never (the single opt-out
                           confirmation and HELP answers excepted).
 4. ``wrong_number``       SMS to a number marked wrong: never (automatic answers excepted).
 5. ``telegram_unusable``  Telegram chat blocked / not found: never (the caller falls back to SMS).
 6. ``restricted:<kind>``  collection-related and deceased / bankruptcy / attorney / cease /
                           do_not_contact: never.
 7. ``open_complaint``     collection-related while a complaint is open: never.
 8. ``open_dispute``       collection-related about a loan with an open dispute: never.
 9. ``paused:<reason>``    reminder / follow-up on a local date inside a promise, hardship or
                           manual pause (end date inclusive): never.
10. ``answer_to_borrower`` automatic answers, and staff replies within ``reply_exempt_hours`` of
                           the borrower's last message: now, whatever the hour, uncapped.
11. ``stale``              a dated reminder whose window on its local date has closed: never.
12. ``cap_daily``          a reminder / follow-up already went on that local date: never for a
                           dated reminder, later (next day's opening) for an undated follow-up.
13. ``cap_7_days``         the initiated cap over the 7 local dates ending on the send date is
                           full: never for a dated reminder, later (when it frees) otherwise.
14. ``window``             outside the send window (reminders, follow-ups) or the hard window
                           (staff-initiated): later, at the next opening.
Nothing held it back: ``clear``, now.

Why this order:
- The kill switch is the operator's override: nothing leaves, so it is asked first. It answers
  "later" rather than "never" because the switch may come back on while a tier's window is
  still open; a reminder never goes late anyway, because once the switch is back on the stale
  rule refuses any reminder whose window has closed.
- Then the reasons that no waiting can cure and that say the most, most final first: paid, then
  whether the channel can reach the borrower at all, then the protections of collection contact.
  A reminder to a deceased borrower at 23:00 is recorded as ``restricted:deceased``, not as
  "outside the window".
- Answers to the borrower's own message come after those protections (an answer still honours
  opt-outs and restrictions) but before staleness, caps and windows, which they are exempt from.
- Staleness before caps and windows: a closed tier window is final and must not read "later".
- Caps before the window: caps are judged on the local date the message would actually go (the
  next window opening), so a message that would be refused on arrival is refused now instead of
  deferred to a slot where it could not go.

Boundaries: every window is half-open [start, end): 09:00 is inside, 20:00 is not (19:59 is the
last minute to send); likewise 08:00 is inside the hard window, 21:00 not. "Within N hours" is
inclusive: a reply exactly N hours after the borrower's message is still within. Caps count a
prior send from the moment it was handed to a provider (``PriorSend.at``), in the borrower's
local dates; sends after ``now`` are ignored (replaying an earlier logical clock), and so are
earlier attempts of the same logical message (a fallback to another channel).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from config.policy import Policy, Window
from scheduler.planning import local_instant, require_aware, window_instants, zone_for

MessageKind = Literal["reminder", "followup", "staff_reply", "auto_reply"]
MESSAGE_KINDS: tuple[MessageKind, ...] = get_args(MessageKind)
Channel = Literal["sms", "telegram"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)
# Ordered most specific first: when several are set, the verdict names the first.
Restriction = Literal["deceased", "bankruptcy", "attorney", "cease", "do_not_contact"]
RESTRICTIONS: tuple[Restriction, ...] = get_args(Restriction)
PauseReason = Literal["promise", "hardship", "manual", "payment_claim"]
PAUSE_REASONS: tuple[PauseReason, ...] = get_args(PauseReason)
Decision = Literal["now", "later", "never"]
DECISIONS: tuple[Decision, ...] = get_args(Decision)
# What a prior send counted as: a reminder / follow-up (daily cap and 7-day cap) or another
# message we initiated (7-day cap only).
CountedKind = Literal["reminder", "followup", "other"]
COUNTED_KINDS: tuple[CountedKind, ...] = get_args(CountedKind)

SCHEDULED_KINDS: frozenset[MessageKind] = frozenset({"reminder", "followup"})
ANSWER_KINDS: frozenset[MessageKind] = frozenset({"auto_reply", "staff_reply"})
INITIATED_KINDS: frozenset[MessageKind] = frozenset({"reminder", "followup", "staff_reply"})
ALL_KINDS: frozenset[MessageKind] = frozenset(MESSAGE_KINDS)


# --- validation helpers -------------------------------------------------------------------


def _require_bool(value: object, name: str) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be a bool, got {value!r}")


def _require_choice(value: object, choices: tuple[str, ...], name: str) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {value!r}")


def _require_plain_date(value: object, name: str) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValueError(f"{name} must be a date, got {value!r}")


def _require_str_set(value: object, name: str) -> None:
    if not isinstance(value, frozenset) or not all(isinstance(item, str) and item for item in value):
        raise ValueError(f"{name} must be a frozenset of non-empty strings, got {value!r}")


# --- inputs -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InstallmentState:
    """An installment the message is about, as re-read at send time."""

    installment_id: int
    loan_id: str
    settled: bool  # paid or waived

    def __post_init__(self) -> None:
        if not isinstance(self.installment_id, int) or isinstance(self.installment_id, bool):
            raise ValueError(f"installment_id must be an int, got {self.installment_id!r}")
        if not isinstance(self.loan_id, str) or not self.loan_id:
            raise ValueError(f"loan_id must be a non-empty string, got {self.loan_id!r}")
        _require_bool(self.settled, "settled")


@dataclass(frozen=True, slots=True)
class Prospect:
    """One message about to be handed to a provider.

    A dated prospect (a planned reminder tier) carries ``local_date`` and the window instants
    ``not_before`` / ``not_after`` from the plan; it may go only on that date. An undated
    follow-up may wait for a later day. ``message_key`` names the logical message: an earlier
    attempt of the same message (a fallback to another channel) does not count against it.
    """

    kind: MessageKind
    channel: Channel
    collection_related: bool
    loan_ids: frozenset[str] = frozenset()
    installments: tuple[InstallmentState, ...] = ()
    local_date: date | None = None
    not_before: datetime | None = None
    not_after: datetime | None = None
    message_key: str | None = None
    # Only for auto_reply: the single opt-out confirmation and HELP answers reach an opted-out borrower.
    answer_to_opt_out_or_help: bool = False

    def __post_init__(self) -> None:
        _require_choice(self.kind, MESSAGE_KINDS, "kind")
        _require_choice(self.channel, CHANNELS, "channel")
        _require_bool(self.collection_related, "collection_related")
        _require_bool(self.answer_to_opt_out_or_help, "answer_to_opt_out_or_help")
        _require_str_set(self.loan_ids, "loan_ids")
        if not isinstance(self.installments, tuple) or not all(
            isinstance(item, InstallmentState) for item in self.installments
        ):
            raise ValueError("installments must be a tuple of InstallmentState")
        self._check_dating()
        self._check_kind_rules()

    def _check_dating(self) -> None:
        parts = (self.local_date, self.not_before, self.not_after)
        if all(part is None for part in parts):
            return
        if any(part is None for part in parts):
            raise ValueError("local_date, not_before and not_after go together")
        assert self.local_date is not None and self.not_before is not None and self.not_after is not None
        _require_plain_date(self.local_date, "local_date")
        require_aware(self.not_before, "not_before")
        require_aware(self.not_after, "not_after")
        if not self.not_before < self.not_after:
            raise ValueError("not_before must be before not_after")

    def _check_kind_rules(self) -> None:
        if self.kind in SCHEDULED_KINDS and not self.collection_related:
            raise ValueError(f"a {self.kind} is collection-related by nature")
        if self.kind == "reminder" and (not self.dated or not self.installments):
            raise ValueError("a reminder needs its local date, window instants and installments")
        if self.kind not in SCHEDULED_KINDS and self.dated:
            raise ValueError("only reminders and follow-ups carry a planned local date")
        if self.answer_to_opt_out_or_help and self.kind != "auto_reply":
            raise ValueError("answer_to_opt_out_or_help applies to auto_reply only")

    @property
    def dated(self) -> bool:
        return self.local_date is not None

    @property
    def all_loan_ids(self) -> frozenset[str]:
        return self.loan_ids | {item.loan_id for item in self.installments}


@dataclass(frozen=True, slots=True)
class Pause:
    """Reminders pause on local dates start..end, both inclusive (a promise covers its promised date)."""

    start: date
    end: date
    reason: PauseReason
    # A pause about one loan (a claim to have paid it) holds only messages about that loan.
    loan_id: str | None = None

    def __post_init__(self) -> None:
        _require_plain_date(self.start, "start")
        _require_plain_date(self.end, "end")
        if self.end < self.start:
            raise ValueError(f"pause ends ({self.end}) before it starts ({self.start})")
        _require_choice(self.reason, PAUSE_REASONS, "reason")

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactState:
    """The borrower as re-read at send time.

    Every field is required (keyword-only): a forgotten protection must not default to "none".
    """

    timezone: str
    locale: str
    sms_opted_out: bool
    telegram_opted_out: bool
    telegram_usable: bool
    phone_wrong: bool
    restrictions: frozenset[Restriction]
    open_complaint: bool
    disputed_loan_ids: frozenset[str]
    pauses: tuple[Pause, ...]
    last_inbound_at: datetime | None

    def __post_init__(self) -> None:
        zone_for(self.timezone)
        if not isinstance(self.locale, str):
            raise ValueError(f"locale must be a string, got {self.locale!r}")
        flags = ("sms_opted_out", "telegram_opted_out", "telegram_usable", "phone_wrong", "open_complaint")
        for name in flags:
            _require_bool(getattr(self, name), name)
        _require_str_set(self.restrictions, "restrictions")
        for kind in self.restrictions:
            _require_choice(kind, RESTRICTIONS, "restriction")
        _require_str_set(self.disputed_loan_ids, "disputed_loan_ids")
        if not isinstance(self.pauses, tuple) or not all(isinstance(p, Pause) for p in self.pauses):
            raise ValueError("pauses must be a tuple of Pause")
        if self.last_inbound_at is not None:
            require_aware(self.last_inbound_at, "last_inbound_at")

    def opted_out_of(self, channel: Channel) -> bool:
        return self.sms_opted_out if channel == "sms" else self.telegram_opted_out


@dataclass(frozen=True, slots=True)
class PriorSend:
    """A message handed to a provider that counted toward the caps (see ``counts_toward_caps``)."""

    at: datetime
    kind: CountedKind
    message_key: str | None = None

    def __post_init__(self) -> None:
        require_aware(self.at, "at")
        _require_choice(self.kind, COUNTED_KINDS, "kind")


@dataclass(frozen=True, slots=True)
class SendHistory:
    sends: tuple[PriorSend, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.sends, tuple) or not all(isinstance(s, PriorSend) for s in self.sends):
            raise ValueError("sends must be a tuple of PriorSend")


@dataclass(frozen=True, slots=True)
class Verdict:
    decision: Decision
    rule: str
    reason: str
    # For "later": the instant (UTC) to ask again; None means "ask again on the next pass".
    not_before: datetime | None = None

    def __post_init__(self) -> None:
        _require_choice(self.decision, DECISIONS, "decision")
        if not self.rule or not self.reason:
            raise ValueError("a verdict names its rule and reason")
        if self.not_before is not None:
            if self.decision != "later":
                raise ValueError("only a 'later' verdict carries not_before")
            require_aware(self.not_before, "not_before")


# --- the situation every rule looks at ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Situation:
    """Everything a rule looks at, with the borrower's zone, window and next slot worked out once."""

    prospect: Prospect
    state: ContactState
    history: SendHistory
    policy: Policy
    now: datetime
    sending_enabled: bool
    zone: ZoneInfo
    window: Window
    # The earliest instant >= now at which the message's window is open; None when a dated
    # message's window has closed (or is empty) on its date.
    slot: datetime | None

    def local_date_of(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def local_text(self, instant: datetime) -> str:
        return instant.astimezone(self.zone).isoformat(timespec="minutes")

    def window_label(self) -> str:
        opens, closes, label = _window_bounds(self.prospect.kind, self.window)
        return f"{label} {opens:%H:%M}–{closes:%H:%M} {self.state.timezone}"

    def opening_on(self, day: date) -> datetime:
        opens, _closes, _label = _window_bounds(self.prospect.kind, self.window)
        return local_instant(day, opens, self.zone)


def _window_bounds(kind: MessageKind, window: Window) -> tuple[time, time, str]:
    """Reminders and follow-ups use the send window; anything else we initiate, the hard window."""
    if kind in SCHEDULED_KINDS:
        return window.send_start, window.send_end, "send window"
    return window.hard_start, window.hard_end, "hard window"


def _dated_window(prospect: Prospect, window: Window, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The planned instants, narrowed to the window in force now (locale or zone may have changed)."""
    assert prospect.local_date is not None and prospect.not_before is not None
    assert prospect.not_after is not None
    opens, closes = window_instants(prospect.local_date, window.send_start, window.send_end, zone)
    return max(prospect.not_before, opens), min(prospect.not_after, closes)


def _next_slot(prospect: Prospect, now: datetime, window: Window, zone: ZoneInfo) -> datetime | None:
    if prospect.kind == "auto_reply":
        return now
    if prospect.dated:
        opens, closes = _dated_window(prospect, window, zone)
        return None if now >= closes or opens >= closes else max(now, opens)
    opens_at, closes_at, _label = _window_bounds(prospect.kind, window)
    today = now.astimezone(zone).date()
    # Today's window if it has not closed yet, else tomorrow's (windows lie inside one day).
    for day in (today, today + timedelta(days=1)):
        opens, closes = window_instants(day, opens_at, closes_at, zone)
        if now < closes:
            return max(now, opens)
    raise AssertionError("tomorrow's window always closes after now")


# --- rules --------------------------------------------------------------------------------

Check = Callable[[Situation], Verdict | None]


@dataclass(frozen=True, slots=True)
class Rule:
    """A row of the rule table: applies to ``kinds``; ``check`` returns a verdict to stop, None to pass."""

    name: str
    kinds: frozenset[MessageKind]
    check: Check
    summary: str


def _never(rule: str, reason: str) -> Verdict:
    return Verdict("never", rule, reason)


def _kill_switch(s: Situation) -> Verdict | None:
    if s.sending_enabled:
        return None
    return Verdict("later", "kill_switch", "sending is disabled (DUEBOT_SENDING_ENABLED=false): held back")


def _paid(s: Situation) -> Verdict | None:
    items = s.prospect.installments
    if items and all(item.settled for item in items):
        return _never("paid", "every installment this message is about is paid or waived (re-checked now)")
    return None


def _opted_out(s: Situation) -> Verdict | None:
    if s.prospect.answer_to_opt_out_or_help or not s.state.opted_out_of(s.prospect.channel):
        return None
    return _never("opted_out", f"the borrower opted out of {s.prospect.channel}")


def _wrong_number(s: Situation) -> Verdict | None:
    # An automatic answer goes back to whoever just wrote from the number; nothing else does.
    if s.prospect.channel != "sms" or not s.state.phone_wrong or s.prospect.kind == "auto_reply":
        return None
    return _never("wrong_number", "the phone number is marked wrong")


def _telegram_unusable(s: Situation) -> Verdict | None:
    if s.prospect.channel != "telegram" or s.state.telegram_usable:
        return None
    return _never("telegram_unusable", "the Telegram chat cannot be used (blocked or gone); fall back to SMS")


def _restricted(s: Situation) -> Verdict | None:
    if not s.prospect.collection_related:
        return None
    for kind in RESTRICTIONS:
        if kind in s.state.restrictions:
            reason = f"the borrower is marked {kind}: no collection-related contact"
            return _never(f"restricted:{kind}", reason)
    return None


def _open_complaint(s: Situation) -> Verdict | None:
    if not s.prospect.collection_related or not s.state.open_complaint:
        return None
    return _never("open_complaint", "an open complaint pauses collection contact; a later tier is planned anew")


def _open_dispute(s: Situation) -> Verdict | None:
    if not s.prospect.collection_related:
        return None
    disputed = sorted(s.prospect.all_loan_ids & s.state.disputed_loan_ids)
    if not disputed:
        return None
    return _never("open_dispute", f"open dispute on loan {', '.join(disputed)}")


def _paused(s: Situation) -> Verdict | None:
    # The planned date for a tier; otherwise the day the follow-up would go.
    day = s.prospect.local_date
    if day is None:
        assert s.slot is not None  # undated messages always have a next slot
        day = s.local_date_of(s.slot)
    loans = s.prospect.all_loan_ids
    for pause in s.state.pauses:
        if pause.covers(day) and (pause.loan_id is None or pause.loan_id in loans):
            return _never(
                f"paused:{pause.reason}",
                f"reminders paused ({pause.reason}) {pause.start}–{pause.end}, covering {day}",
            )
    return None


def _answer_to_borrower(s: Situation) -> Verdict | None:
    if s.prospect.kind == "auto_reply":
        return Verdict("now", "answer_to_borrower", "automatic answer to the borrower's own message")
    last = s.state.last_inbound_at
    exempt = timedelta(hours=s.policy.caps.reply_exempt_hours)
    if last is not None and s.now - last <= exempt:
        return Verdict("now", "answer_to_borrower", f"staff reply within {_hours(exempt)} of the borrower's message")
    return None


def _stale(s: Situation) -> Verdict | None:
    if not s.prospect.dated or s.slot is not None:
        return None
    assert s.prospect.local_date is not None
    _opens, closes = _dated_window(s.prospect, s.window, s.zone)
    closed = s.local_text(closes)
    return _never("stale", f"the {s.window_label()} on {s.prospect.local_date} closed at {closed}; never sent late")


def _counted_before(s: Situation, kinds: frozenset[CountedKind]) -> list[date]:
    """Local dates of prior sends of ``kinds`` that count against this message, oldest first."""
    key = s.prospect.message_key
    return sorted(
        s.local_date_of(send.at)
        for send in s.history.sends
        if send.kind in kinds and send.at <= s.now and (key is None or send.message_key != key)
    )


_SCHEDULED_COUNTED: frozenset[CountedKind] = frozenset({"reminder", "followup"})
_ALL_COUNTED: frozenset[CountedKind] = frozenset(COUNTED_KINDS)


def _daily_cap(s: Situation) -> Verdict | None:
    assert s.slot is not None  # a dated message without a slot was stopped as stale
    day = s.local_date_of(s.slot)
    cap = s.policy.caps.reminders_per_local_day
    sent = sum(1 for sent_on in _counted_before(s, _SCHEDULED_COUNTED) if sent_on == day)
    if sent < cap:
        return None
    reason = f"{sent} reminder(s) or follow-up(s) already went on {day} (cap {cap} per local day)"
    if s.prospect.dated or cap == 0:
        return _never("cap_daily", f"{reason}; skipped, never sent late")
    opening = s.opening_on(day + timedelta(days=1))
    return Verdict("later", "cap_daily", f"{reason}; next opening {s.local_text(opening)}", opening)


def _seven_day_cap(s: Situation) -> Verdict | None:
    assert s.slot is not None
    if not counts_toward_caps(s.prospect.kind, s.slot, s.state.last_inbound_at, s.policy):
        return None
    day = s.local_date_of(s.slot)
    first_day = day - timedelta(days=6)
    cap = s.policy.caps.initiated_per_7_local_days
    in_window = [sent_on for sent_on in _counted_before(s, _ALL_COUNTED) if first_day <= sent_on <= day]
    if len(in_window) < cap:
        return None
    reason = f"{len(in_window)} messages initiated on the local dates {first_day}–{day} (cap {cap})"
    if s.prospect.dated or cap == 0:
        return _never("cap_7_days", f"{reason}; skipped, never sent late")
    # Room for one more once the oldest (len - cap + 1) sends have left the 7-date window.
    frees_on = in_window[len(in_window) - cap] + timedelta(days=7)
    opening = s.opening_on(frees_on)
    return Verdict("later", "cap_7_days", f"{reason}; next opening {s.local_text(opening)}", opening)


def _window(s: Situation) -> Verdict | None:
    assert s.slot is not None
    if s.slot <= s.now:
        return None
    return Verdict(
        "later",
        "window",
        f"outside the {s.window_label()}; next opening {s.local_text(s.slot)}",
        s.slot,
    )


RULES: tuple[Rule, ...] = (
    Rule("kill_switch", ALL_KINDS, _kill_switch, "sending disabled: hold everything back"),
    Rule("paid", SCHEDULED_KINDS, _paid, "all installments paid or waived (re-checked)"),
    Rule("opted_out", ALL_KINDS, _opted_out, "opted out of this channel"),
    Rule("wrong_number", ALL_KINDS, _wrong_number, "SMS to a number marked wrong"),
    Rule("telegram_unusable", ALL_KINDS, _telegram_unusable, "Telegram chat blocked or gone"),
    Rule("restricted", ALL_KINDS, _restricted, "collection contact with a do-not-contact restriction"),
    Rule("open_complaint", ALL_KINDS, _open_complaint, "collection contact during an open complaint"),
    Rule("open_dispute", ALL_KINDS, _open_dispute, "collection contact about a disputed loan"),
    Rule("paused", SCHEDULED_KINDS, _paused, "reminder on a paused local date"),
    Rule("answer_to_borrower", ANSWER_KINDS, _answer_to_borrower, "answers go at once, uncapped"),
    Rule("stale", SCHEDULED_KINDS, _stale, "the tier's window on its date has closed"),
    Rule("cap_daily", SCHEDULED_KINDS, _daily_cap, "one reminder or follow-up per local day"),
    Rule("cap_7_days", INITIATED_KINDS, _seven_day_cap, "initiated messages in 7 local dates"),
    Rule("window", INITIATED_KINDS, _window, "send window / hard window"),
)


# --- public entry points ------------------------------------------------------------------


def _hours(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def counts_toward_caps(kind: MessageKind, now: datetime, last_inbound_at: datetime | None, policy: Policy) -> bool:
    """Whether a message of ``kind`` handed to a provider at ``now`` counts toward the caps.

    Reminders and follow-ups always count, automatic answers never. A staff reply counts unless
    the borrower wrote within ``staff_reply_uncounted_hours`` (or within ``reply_exempt_hours``,
    whichever is longer: an exempt reply counts toward no cap).
    """
    _require_choice(kind, MESSAGE_KINDS, "kind")
    require_aware(now, "now")
    if kind in SCHEDULED_KINDS:
        return True
    if kind == "auto_reply":
        return False
    if last_inbound_at is None:  # a staff message out of the blue is initiated contact
        return True
    require_aware(last_inbound_at, "last_inbound_at")
    caps = policy.caps
    uncounted = timedelta(hours=max(caps.staff_reply_uncounted_hours, caps.reply_exempt_hours))
    return now - last_inbound_at > uncounted


class ContactGuard:
    """Runs the rule table for one prospective message."""

    __slots__ = ("policy", "rules")

    def __init__(self, policy: Policy, rules: tuple[Rule, ...] = RULES) -> None:
        self.policy = policy
        self.rules = rules

    def decide(
        self,
        prospect: Prospect,
        state: ContactState,
        history: SendHistory,
        *,
        now: datetime,
        sending_enabled: bool,
    ) -> Verdict:
        require_aware(now, "now")
        _require_bool(sending_enabled, "sending_enabled")
        situation = self._situation(prospect, state, history, now, sending_enabled)
        for rule in self.rules:
            if prospect.kind in rule.kinds:
                verdict = rule.check(situation)
                if verdict is not None:
                    return verdict
        return Verdict("now", "clear", "no rule holds this message back")

    def _situation(
        self, prospect: Prospect, state: ContactState, history: SendHistory, now: datetime, enabled: bool
    ) -> Situation:
        zone = zone_for(state.timezone)
        window = self.policy.windows.for_borrower(state.locale, state.timezone)
        return Situation(
            prospect=prospect,
            state=state,
            history=history,
            policy=self.policy,
            now=now,
            sending_enabled=enabled,
            zone=zone,
            window=window,
            slot=_next_slot(prospect, now, window, zone),
        )
