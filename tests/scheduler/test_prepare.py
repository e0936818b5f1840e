"""The pure step of dispatch (scheduler.prepare): which channel, what the guard says, what text.
No database and no network: the inputs are the plain records a batch loads."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from config.policy import load_policy
from scheduler.guard import ContactGuard, Verdict
from scheduler.prepare import (
    NEXT_PASS,
    Attempt,
    Job,
    Letterhead,
    choose,
    compose,
    compose_unaddressed,
    contact_state,
    deferral,
    send_history,
    wants_invite,
    with_effect,
)
from scheduler.rendering import MessageRenderer
from storage.records import BorrowerRecord, ContactSnapshot, MessageInstallment, OutboxRecord, PriorSendRecord

POLICY = load_policy()
GUARD = ContactGuard(POLICY)
RENDERER = MessageRenderer()
LETTERHEAD = Letterhead("Northwind Finance", "+1 800 555 0199", "https://duebot.example/webhooks/twilio/status")
# 10:00 in New York on 7 Dec 2026: the T-3 day of an installment due on 10 Dec, inside the window.
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
BOTH = frozenset({"sms", "telegram"})

BORROWER = BorrowerRecord(
    id=7,
    borrower_id="B7",
    full_name="Ada Stone",
    phone="+12125550100",
    telegram_chat_id=555777,
    locale="en",
    timezone="America/New_York",
    preferred_channel="sms",
    sms_opted_out=False,
    telegram_opted_out=False,
    telegram_usable=True,
    phone_wrong=False,
)
REMINDER = OutboxRecord(
    id=41,
    borrower_pk=7,
    channel="sms",
    kind="before_due",
    tier="T-3",
    local_date=date(2026, 12, 7),
    not_before=datetime(2026, 12, 7, 14, 0, tzinfo=UTC),
    not_after=datetime(2026, 12, 8, 1, 0, tzinfo=UTC),
    key="reminder:B7:T-3:2026-12-07",
    attempt_of=None,
    payload={"offset_days": -3, "loan_ids": ["L7"]},
    urgent=False,
    attempts=0,
    guard_rule=None,
    status="claimed",
    lease_owner="host:1/1",
)
ITEM = MessageInstallment(70, "L7", 1, date(2026, 12, 10), Decimal("350.00"), "USD", "open")
SNAPSHOT = ContactSnapshot(
    borrower=BORROWER,
    restrictions=frozenset(),
    open_complaint=False,
    disputed_loan_ids=frozenset(),
    pauses=(),
    last_inbound_at=None,
    prior_sends=(),
)


def job(message: OutboxRecord = REMINDER, borrower: BorrowerRecord = BORROWER, **items: Any) -> Job:
    return Job(message, message, borrower, items.get("items", (ITEM,)))


def decide(
    the_job: Job, snapshot: ContactSnapshot = SNAPSHOT, *, channels: frozenset[str] = BOTH, **kw: Any
) -> Attempt | Verdict:
    snap = replace(snapshot, borrower=the_job.borrower)
    return choose(
        the_job,
        contact_state(snap),
        send_history(snap),
        guard=GUARD,
        channels=channels,
        now=kw.pop("now", NOW),
        sending_enabled=kw.pop("sending_enabled", True),
        **kw,
    )


def outcome(step: Attempt | Verdict) -> tuple[str, str]:
    """("send", channel) or (decision, rule)."""
    return ("send", step.channel) if isinstance(step, Attempt) else (step.decision, step.rule)


ANSWER = replace(
    REMINDER,
    kind="help",
    tier=None,
    local_date=None,
    not_before=None,
    not_after=None,
    key="answer:B7:1",
    channel="telegram",
    urgent=True,
    payload={
        "prerendered": True,
        "template": "help",
        "context": {"lender_name": "Northwind Finance", "lender_contact": "+1 800 555 0199"},
        "guard_kind": "auto_reply",
        "collection_related": False,
        "fixed_channel": True,
        "to": "999000",
    },
)

CASES: list[tuple[str, Job, ContactSnapshot, dict[str, Any], tuple[str, str]]] = [
    ("the preferred channel when nothing holds it", job(), SNAPSHOT, {}, ("send", "sms")),
    (
        "Telegram preferred",
        job(borrower=replace(BORROWER, preferred_channel="telegram")),
        SNAPSHOT,
        {},
        ("send", "telegram"),
    ),
    (
        "Telegram preferred, no chat: SMS in the same pass",
        job(borrower=replace(BORROWER, preferred_channel="telegram", telegram_chat_id=None)),
        SNAPSHOT,
        {},
        ("send", "sms"),
    ),
    (
        "opted out of SMS: Telegram instead",
        job(borrower=replace(BORROWER, sms_opted_out=True)),
        SNAPSHOT,
        {},
        ("send", "telegram"),
    ),
    (
        "opted out of SMS, Telegram off: the opt-out is the reason, not the channel",
        job(borrower=replace(BORROWER, sms_opted_out=True)),
        SNAPSHOT,
        {"channels": frozenset({"sms"})},
        ("never", "opted_out"),
    ),
    (
        "wrong number, chat blocked: the last channel's reason",
        job(borrower=replace(BORROWER, phone_wrong=True, telegram_usable=False)),
        SNAPSHOT,
        {},
        ("never", "telegram_unusable"),
    ),
    (
        "SMS off, no Telegram preference: Telegram",
        job(),
        SNAPSHOT,
        {"channels": frozenset({"telegram"})},
        ("send", "telegram"),
    ),
    (
        "no channel configured",
        job(borrower=replace(BORROWER, telegram_chat_id=None)),
        SNAPSHOT,
        {"channels": frozenset()},
        ("never", "channel_off"),
    ),
    ("kill switch", job(), SNAPSHOT, {"sending_enabled": False}, ("later", "kill_switch")),
    ("paid since it was planned", job(items=(replace(ITEM, state="paid"),)), SNAPSHOT, {}, ("never", "paid")),
    ("open complaint", job(), replace(SNAPSHOT, open_complaint=True), {}, ("never", "open_complaint")),
    ("disputed loan", job(), replace(SNAPSHOT, disputed_loan_ids=frozenset({"L7"})), {}, ("never", "open_dispute")),
    (
        "cease restriction",
        job(),
        replace(SNAPSHOT, restrictions=frozenset({"cease"})),
        {},
        ("never", "restricted:cease"),
    ),
    (
        "promise pause over the tier's date",
        job(),
        replace(SNAPSHOT, pauses=((date(2026, 12, 6), date(2026, 12, 8), "promise", None),)),
        {},
        ("never", "paused:promise"),
    ),
    (
        "a reminder already went that local day",
        job(),
        replace(SNAPSHOT, prior_sends=(PriorSendRecord(NOW - timedelta(hours=1), "reminder", "reminder:B7:D+1:x"),)),
        {},
        ("never", "cap_daily"),
    ),
    (
        "an earlier attempt of the same message does not count against it",
        job(),
        replace(SNAPSHOT, prior_sends=(PriorSendRecord(NOW - timedelta(hours=1), "reminder", REMINDER.key),)),
        {},
        ("send", "sms"),
    ),
    ("the tier's window closed", job(), SNAPSHOT, {"now": datetime(2026, 12, 8, 2, 0, tzinfo=UTC)}, ("never", "stale")),
    (
        "before the window opens",
        job(),
        SNAPSHOT,
        {"now": datetime(2026, 12, 7, 13, 0, tzinfo=UTC)},
        ("later", "window"),
    ),
    (
        "after SMS refused it for good, Telegram",
        job(),
        SNAPSHOT,
        {"start": 1, "verdict": Verdict("never", "no_channel_left", "sms refused it (twilio:21610)")},
        ("send", "telegram"),
    ),
    (
        "after SMS refused it, Telegram blocked: the channel's own reason",
        job(borrower=replace(BORROWER, telegram_usable=False)),
        SNAPSHOT,
        {"start": 1, "verdict": Verdict("never", "no_channel_left", "sms refused it (twilio:21610)")},
        ("never", "telegram_unusable"),
    ),
    (
        "after SMS refused it, no chat on file: nothing left",
        job(borrower=replace(BORROWER, telegram_chat_id=None)),
        SNAPSHOT,
        {"start": 1, "verdict": Verdict("never", "no_channel_left", "sms refused it (twilio:21610)")},
        ("never", "no_address"),
    ),
    (
        "an answer goes to the chat that wrote, on its channel only, whatever the hour",
        job(ANSWER, borrower=replace(BORROWER, telegram_usable=False), items=()),
        SNAPSHOT,
        {"now": datetime(2026, 12, 7, 4, 0, tzinfo=UTC)},
        ("send", "telegram"),
    ),
    (
        "an answer's channel off: no other channel",
        job(ANSWER, items=()),
        SNAPSHOT,
        {"channels": frozenset({"sms"})},
        ("never", "channel_off"),
    ),
]


@pytest.mark.parametrize(("what", "the_job", "snapshot", "options", "expected"), CASES, ids=[c[0] for c in CASES])
def test_choose(
    what: str, the_job: Job, snapshot: ContactSnapshot, options: dict[str, Any], expected: tuple[str, str]
) -> None:
    assert outcome(decide(the_job, snapshot, **options)) == expected


def test_an_answer_goes_to_the_address_that_wrote() -> None:
    step = decide(job(ANSWER, items=()))
    assert isinstance(step, Attempt) and step.address == "999000"


def attempt(the_job: Job) -> Attempt:
    step = decide(the_job)
    assert isinstance(step, Attempt), step
    return step


def composed_text(the_job: Job, link: str | None = None, **kw: Any) -> tuple[str, Any]:
    composed = compose(
        the_job,
        attempt(the_job),
        renderer=RENDERER,
        letterhead=LETTERHEAD,
        policy=POLICY,
        now=NOW,
        newest_inbound_at=kw.get("newest_inbound_at"),
        telegram_link=link,
    )
    return composed.text, composed


COMPOSE_CASES: list[tuple[str, Job, str | None, list[str], list[str]]] = [
    ("the amount still owed and the due date", job(), None, ["$350.00", "10 Dec 2026", "Ada Stone"], ["t.me"]),
    (
        "what was paid is not quoted",
        job(items=(ITEM, replace(ITEM, installment_id=71, loan_id="L8", state="paid", outstanding=Decimal(0)))),
        None,
        ["$350.00"],
        ["L8"],
    ),
    ("an invitation link when one is handed in", job(), "t.me/duebot?start=abc", ["t.me/duebot?start=abc"], []),
    ("Chinese", job(borrower=replace(BORROWER, locale="zh")), None, ["US$350.00"], []),
]


@pytest.mark.parametrize(
    ("what", "the_job", "link", "present", "absent"), COMPOSE_CASES, ids=[c[0] for c in COMPOSE_CASES]
)
def test_compose(what: str, the_job: Job, link: str | None, present: list[str], absent: list[str]) -> None:
    text, composed = composed_text(the_job, link)
    for part in present:
        assert part in text
    for part in absent:
        assert part not in text
    assert composed.outbound.idempotency_key == f"{REMINDER.key}#sms"
    assert composed.outbound.status_callback == LETTERHEAD.status_callback_url
    assert composed.segments is not None and composed.counted


def test_a_telegram_message_is_html_without_a_status_callback() -> None:
    the_job = job(borrower=replace(BORROWER, preferred_channel="telegram", full_name="Ada <&> Stone"))
    text, composed = composed_text(the_job)
    assert composed.outbound.channel == "telegram" and composed.outbound.parse_mode_html
    assert composed.outbound.status_callback is None and composed.segments is None
    assert "Ada &lt;&amp;&gt; Stone" in text


@pytest.mark.parametrize(
    ("kind", "newest_inbound", "counted"),
    [
        ("auto_reply", None, False),
        ("staff_reply", None, True),
        ("staff_reply", NOW - timedelta(hours=2), False),  # the borrower wrote within a day
        ("staff_reply", NOW - timedelta(days=2), True),
    ],
)
def test_what_counts_toward_the_caps(kind: str, newest_inbound: datetime | None, counted: bool) -> None:
    message = replace(ANSWER, payload={**ANSWER.payload, "guard_kind": kind, "to": None, "fixed_channel": False})
    message = replace(message, payload={**message.payload, "template": "help"})
    _text, composed = composed_text(job(message, items=()), newest_inbound_at=newest_inbound)
    assert composed.counted is counted


@pytest.mark.parametrize(
    ("borrower", "message", "channel", "invited"),
    [
        (replace(BORROWER, preferred_channel="telegram", telegram_chat_id=None), REMINDER, "sms", True),
        (replace(BORROWER, preferred_channel="telegram", telegram_usable=False), REMINDER, "sms", True),
        (replace(BORROWER, preferred_channel="telegram"), REMINDER, "sms", False),  # a usable chat
        (replace(BORROWER, preferred_channel="sms", telegram_chat_id=None), REMINDER, "sms", False),
        (
            replace(BORROWER, preferred_channel="telegram", telegram_chat_id=None, telegram_opted_out=True),
            REMINDER,
            "sms",
            False,
        ),
        (replace(BORROWER, preferred_channel="telegram", telegram_chat_id=None), REMINDER, "telegram", False),
        (
            replace(BORROWER, preferred_channel="telegram", telegram_chat_id=None),
            replace(REMINDER, kind="overdue_early"),
            "sms",
            False,
        ),
    ],
)
def test_wants_invite(borrower: BorrowerRecord, message: OutboxRecord, channel: str, invited: bool) -> None:
    assert wants_invite(borrower, message, channel) is invited


@pytest.mark.parametrize(
    ("effect", "column", "value"),
    [
        ("sms_opted_out", "sms_opted_out", True),
        ("invalid_number", "phone_wrong", True),
        ("not_mobile", "phone_wrong", True),
        ("telegram_blocked", "telegram_usable", False),
        ("chat_not_found", "telegram_usable", False),
    ],
)
def test_a_refusal_changes_the_contact_data(effect: str, column: str, value: bool) -> None:
    changed = with_effect(BORROWER, effect)
    assert changed is not None and getattr(changed, column) is value
    assert with_effect(changed, effect) is None  # already so: nothing to record


@pytest.mark.parametrize("effect", [None, "channel_misconfigured", "region_not_permitted"])
def test_a_refusal_without_a_contact_effect(effect: str | None) -> None:
    assert with_effect(BORROWER, effect) is None


def test_a_deferral_asks_again_at_the_window_or_next_pass_and_logs_once_per_reason() -> None:
    opening = NOW + timedelta(hours=3)
    assert deferral(REMINDER, Verdict("later", "window", "outside", opening), NOW) == (opening, True)
    assert deferral(REMINDER, Verdict("later", "kill_switch", "held"), NOW) == (NOW + NEXT_PASS, True)
    held = replace(REMINDER, guard_rule="kill_switch")
    assert deferral(held, Verdict("later", "kill_switch", "held"), NOW) == (NOW + NEXT_PASS, False)


UNKNOWN_SENDER = replace(
    ANSWER,
    borrower_pk=None,
    channel="sms",
    payload={**ANSWER.payload, "template": "neutral_unknown_sender", "to": "+447400123456", "locale": "xx"},
)


@pytest.mark.parametrize(
    ("message", "channels", "enabled", "expected"),
    [
        (UNKNOWN_SENDER, BOTH, True, "sms"),
        (replace(UNKNOWN_SENDER, payload={**UNKNOWN_SENDER.payload, "template": "balance"}), BOTH, True, "no_borrower"),
        (replace(UNKNOWN_SENDER, payload={**UNKNOWN_SENDER.payload, "to": None}), BOTH, True, "no_borrower"),
        (UNKNOWN_SENDER, frozenset({"telegram"}), True, "channel_off"),
        (UNKNOWN_SENDER, BOTH, False, "kill_switch"),
    ],
)
def test_an_answer_to_an_unknown_sender(
    message: OutboxRecord, channels: frozenset[str], enabled: bool, expected: str
) -> None:
    step = compose_unaddressed(
        message, renderer=RENDERER, letterhead=LETTERHEAD, channels=channels, sending_enabled=enabled
    )
    if isinstance(step, Verdict):
        assert step.rule == expected
        return
    assert step.outbound.channel == expected and step.outbound.to == "+447400123456"
    assert step.outbound.urgent and not step.counted
    assert "Northwind Finance" in step.text
