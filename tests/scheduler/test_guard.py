from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from config.policy import load_policy, parse_policy
from scheduler.guard import (
    RESTRICTIONS,
    RULES,
    ContactGuard,
    ContactState,
    InstallmentState,
    Pause,
    PriorSend,
    Prospect,
    SendHistory,
    Verdict,
    counts_toward_caps,
)

POLICY = load_policy()
GUARD = ContactGuard(POLICY)
# London in December is on UTC, so local times read the same as the instants below.
ZONE = "Europe/London"
DAY = date(2026, 12, 1)


def at(hhmm: str, day: int = 1, month: int = 12) -> datetime:
    return datetime.fromisoformat(f"2026-{month:02d}-{day:02d}T{hhmm}").replace(tzinfo=UTC)


STATE = ContactState(
    timezone=ZONE,
    locale="en",
    sms_opted_out=False,
    telegram_opted_out=False,
    telegram_usable=True,
    phone_wrong=False,
    restrictions=frozenset(),
    open_complaint=False,
    disputed_loan_ids=frozenset(),
    pauses=(),
    last_inbound_at=None,
)

REMINDER = Prospect(
    kind="reminder",
    channel="sms",
    collection_related=True,
    loan_ids=frozenset({"L1"}),
    installments=(InstallmentState(1, "L1", settled=False),),
    local_date=DAY,
    not_before=at("09:00"),
    not_after=at("20:00"),
    message_key="reminder:B1:T0:2026-12-01",
)
FOLLOWUP = Prospect(kind="followup", channel="sms", collection_related=True, loan_ids=frozenset({"L1"}))
STAFF = Prospect(kind="staff_reply", channel="sms", collection_related=True, loan_ids=frozenset({"L1"}))
AUTO = Prospect(kind="auto_reply", channel="sms", collection_related=False)


def sends(*instants: datetime, kind: str = "other", key: str | None = None) -> tuple[PriorSend, ...]:
    return tuple(PriorSend(at=instant, kind=kind, message_key=key) for instant in instants)  # type: ignore[arg-type]


@dataclass
class Case:
    prospect: Prospect
    now: datetime
    state: dict[str, Any] = field(default_factory=dict)
    history: tuple[PriorSend, ...] = ()
    enabled: bool = True

    def decide(self) -> Verdict:
        return GUARD.decide(
            self.prospect,
            replace(STATE, **self.state),
            SendHistory(self.history),
            now=self.now,
            sending_enabled=self.enabled,
        )


def run(case: Case, decision: str, rule: str, not_before: datetime | None) -> Verdict:
    verdict = case.decide()
    assert (verdict.decision, verdict.rule, verdict.not_before) == (decision, rule, not_before)
    return verdict


WINDOW_CASES = [
    pytest.param(Case(REMINDER, at("08:59")), "later", "window", at("09:00"), id="reminder 08:59 later"),
    pytest.param(Case(REMINDER, at("00:30")), "later", "window", at("09:00"), id="reminder after midnight later"),
    pytest.param(Case(REMINDER, at("09:00")), "now", "clear", None, id="reminder exactly 09:00 goes"),
    pytest.param(Case(REMINDER, at("19:59")), "now", "clear", None, id="reminder 19:59 goes"),
    pytest.param(Case(REMINDER, at("20:00")), "never", "stale", None, id="reminder 20:00 stale (end exclusive)"),
    pytest.param(Case(REMINDER, at("10:00", day=2)), "never", "stale", None, id="reminder next day stale"),
    pytest.param(
        Case(REMINDER, at("15:00", day=30, month=11)),
        "later",
        "window",
        at("09:00"),
        id="reminder the day before",
    ),
    pytest.param(Case(FOLLOWUP, at("08:30")), "later", "window", at("09:00"), id="undated followup uses send window"),
    pytest.param(Case(FOLLOWUP, at("20:00")), "later", "window", at("09:00", day=2), id="undated followup waits a day"),
    pytest.param(Case(STAFF, at("07:59")), "later", "window", at("08:00"), id="staff 07:59 later (hard window)"),
    pytest.param(Case(STAFF, at("08:00")), "now", "clear", None, id="staff exactly 08:00 goes"),
    pytest.param(Case(STAFF, at("20:59")), "now", "clear", None, id="staff 20:59 goes"),
    pytest.param(Case(STAFF, at("21:00")), "later", "window", at("08:00", day=2), id="staff 21:00 next morning"),
]


@pytest.mark.parametrize("case,decision,rule,not_before", WINDOW_CASES)
def test_windows(case: Case, decision: str, rule: str, not_before: datetime | None) -> None:
    run(case, decision, rule, not_before)


def test_window_reason_names_window_zone_and_next_opening() -> None:
    verdict = Case(REMINDER, at("08:59")).decide()
    assert verdict.reason == ("outside the send window 09:00–20:00 Europe/London; next opening 2026-12-01T09:00+00:00")
    assert "hard window 08:00–21:00" in Case(STAFF, at("21:30")).decide().reason


def _new_york_reminder(day: date, opens: datetime, closes: datetime) -> Prospect:
    return replace(REMINDER, local_date=day, not_before=opens, not_after=closes)


@pytest.mark.parametrize(
    "prospect,now,decision,not_before",
    [
        pytest.param(
            _new_york_reminder(date(2026, 3, 8), at("13:00", 8, 3), at("00:00", 9, 3)),
            at("12:59", 8, 3),
            "later",
            at("13:00", 8, 3),
            id="NY spring forward 08:59 EDT later",
        ),
        pytest.param(
            _new_york_reminder(date(2026, 3, 8), at("13:00", 8, 3), at("00:00", 9, 3)),
            at("13:00", 8, 3),
            "now",
            None,
            id="NY spring forward 09:00 EDT goes",
        ),
        pytest.param(
            _new_york_reminder(date(2026, 11, 1), at("14:00", 1, 11), at("01:00", 2, 11)),
            at("13:30", 1, 11),
            "later",
            at("14:00", 1, 11),
            id="NY fall back 08:30 EST later",
        ),
        pytest.param(
            _new_york_reminder(date(2026, 11, 1), at("14:00", 1, 11), at("01:00", 2, 11)),
            at("00:59", 2, 11),
            "now",
            None,
            id="NY fall back 19:59 EST goes",
        ),
    ],
)
def test_windows_across_dst(prospect: Prospect, now: datetime, decision: str, not_before: datetime | None) -> None:
    verdict = Case(prospect, now, state={"timezone": "America/New_York"}).decide()
    assert (verdict.decision, verdict.not_before) == (decision, not_before)


def test_locale_window_narrows_the_planned_window() -> None:
    guard = ContactGuard(parse_policy({"windows": {"by_locale": {"zh": {"send_start": "10:00"}}}}))
    state = replace(STATE, locale="zh")
    verdict = guard.decide(REMINDER, state, SendHistory(), now=at("09:30"), sending_enabled=True)
    assert (verdict.decision, verdict.not_before) == ("later", at("10:00"))


ANSWER_CASES = [
    pytest.param(Case(AUTO, at("03:00")), "now", "answer_to_borrower", None, id="auto reply at 03:00"),
    pytest.param(
        Case(
            AUTO,
            at("12:00"),
            history=sends(*[at("10:00", day=d, month=11) for d in range(25, 31)], at("09:00")),
        ),
        "now",
        "answer_to_borrower",
        None,
        id="auto reply ignores a full cap",
    ),
    pytest.param(
        Case(STAFF, at("23:00"), state={"last_inbound_at": at("22:01")}),
        "now",
        "answer_to_borrower",
        None,
        id="staff reply 59 min after at 23:00",
    ),
    pytest.param(
        Case(STAFF, at("23:00"), state={"last_inbound_at": at("22:00")}),
        "now",
        "answer_to_borrower",
        None,
        id="staff reply exactly 60 min after",
    ),
    pytest.param(
        Case(STAFF, at("23:00"), state={"last_inbound_at": at("21:59")}),
        "later",
        "window",
        at("08:00", day=2),
        id="staff reply 61 min after waits for hard window",
    ),
    pytest.param(
        Case(STAFF, at("12:00"), state={"last_inbound_at": at("10:59")}),
        "now",
        "clear",
        None,
        id="staff reply 61 min after inside hard window",
    ),
]


@pytest.mark.parametrize("case,decision,rule,not_before", ANSWER_CASES)
def test_answers_to_the_borrower(case: Case, decision: str, rule: str, not_before: datetime | None) -> None:
    run(case, decision, rule, not_before)


TELEGRAM_REMINDER = replace(REMINDER, channel="telegram")

CHANNEL_CASES = [
    pytest.param(Case(REMINDER, at("12:00"), {"sms_opted_out": True}), "never", "opted_out", id="sms opted out"),
    pytest.param(Case(TELEGRAM_REMINDER, at("12:00"), {"sms_opted_out": True}), "now", "clear", id="telegram ok"),
    pytest.param(
        Case(TELEGRAM_REMINDER, at("12:00"), {"telegram_opted_out": True}),
        "never",
        "opted_out",
        id="telegram opted out",
    ),
    pytest.param(Case(REMINDER, at("12:00"), {"telegram_opted_out": True}), "now", "clear", id="sms still ok"),
    pytest.param(
        Case(STAFF, at("12:00"), {"sms_opted_out": True, "last_inbound_at": at("11:50")}),
        "never",
        "opted_out",
        id="staff reply honours opt-out",
    ),
    pytest.param(Case(AUTO, at("12:00"), {"sms_opted_out": True}), "never", "opted_out", id="auto reply honours it"),
    pytest.param(
        Case(replace(AUTO, answer_to_opt_out_or_help=True), at("03:00"), {"sms_opted_out": True}),
        "now",
        "answer_to_borrower",
        id="opt-out confirmation or HELP answer goes",
    ),
    pytest.param(Case(REMINDER, at("12:00"), {"phone_wrong": True}), "never", "wrong_number", id="wrong number"),
    pytest.param(
        Case(TELEGRAM_REMINDER, at("12:00"), {"phone_wrong": True}),
        "now",
        "clear",
        id="wrong number not telegram",
    ),
    pytest.param(
        Case(AUTO, at("12:00"), {"phone_wrong": True}),
        "now",
        "answer_to_borrower",
        id="auto reply to wrong number",
    ),
    pytest.param(
        Case(TELEGRAM_REMINDER, at("12:00"), {"telegram_usable": False}),
        "never",
        "telegram_unusable",
        id="telegram unusable",
    ),
    pytest.param(Case(REMINDER, at("12:00"), {"telegram_usable": False}), "now", "clear", id="sms fallback ok"),
]


@pytest.mark.parametrize("case,decision,rule", CHANNEL_CASES)
def test_channels(case: Case, decision: str, rule: str) -> None:
    run(case, decision, rule, None)


@pytest.mark.parametrize("kind", RESTRICTIONS)
@pytest.mark.parametrize(
    "prospect", [REMINDER, FOLLOWUP, STAFF], ids=["reminder", "followup", "collection staff reply"]
)
def test_each_restriction_stops_collection_contact(kind: str, prospect: Prospect) -> None:
    run(Case(prospect, at("12:00"), {"restrictions": frozenset({kind})}), "never", f"restricted:{kind}", None)


@pytest.mark.parametrize("kind", RESTRICTIONS)
def test_restrictions_leave_non_collection_messages(kind: str) -> None:
    staff = replace(STAFF, collection_related=False)
    run(Case(staff, at("12:00"), {"restrictions": frozenset({kind})}), "now", "clear", None)


def test_most_specific_restriction_is_named() -> None:
    verdict = Case(REMINDER, at("12:00"), {"restrictions": frozenset({"cease", "deceased"})}).decide()
    assert verdict.rule == "restricted:deceased"


def test_restriction_outranks_window() -> None:
    run(
        Case(REMINDER, at("23:00"), {"restrictions": frozenset({"attorney"})}),
        "never",
        "restricted:attorney",
        None,
    )


GROUPED = replace(
    REMINDER,
    loan_ids=frozenset({"L1", "L2"}),
    installments=(InstallmentState(1, "L1", settled=False), InstallmentState(2, "L2", settled=False)),
)

PROTECTION_CASES = [
    pytest.param(Case(REMINDER, at("12:00"), {"open_complaint": True}), "never", "open_complaint", id="complaint"),
    pytest.param(
        Case(replace(STAFF, collection_related=False), at("12:00"), {"open_complaint": True}),
        "now",
        "clear",
        id="complaint team reply still goes",
    ),
    pytest.param(
        Case(AUTO, at("12:00"), {"open_complaint": True}),
        "now",
        "answer_to_borrower",
        id="complaint ack goes",
    ),
    pytest.param(
        Case(REMINDER, at("12:00"), {"disputed_loan_ids": frozenset({"L1"})}),
        "never",
        "open_dispute",
        id="dispute on this loan",
    ),
    pytest.param(
        Case(REMINDER, at("12:00"), {"disputed_loan_ids": frozenset({"L2"})}),
        "now",
        "clear",
        id="dispute on another loan only",
    ),
    pytest.param(
        Case(GROUPED, at("12:00"), {"disputed_loan_ids": frozenset({"L2"})}),
        "never",
        "open_dispute",
        id="grouped message mentions the disputed loan",
    ),
]


@pytest.mark.parametrize("case,decision,rule", PROTECTION_CASES)
def test_complaints_and_disputes(case: Case, decision: str, rule: str) -> None:
    run(case, decision, rule, None)


def pause(start: str, end: str, reason: str = "promise", loan: str | None = None) -> tuple[Pause, ...]:
    return (Pause(date.fromisoformat(start), date.fromisoformat(end), reason, loan),)  # type: ignore[arg-type]


# The reminder is planned for 2026-12-01.
PAUSE_CASES = [
    pytest.param(pause("2026-11-28", "2026-12-01"), "never", "paused:promise", id="promised date inclusive"),
    pytest.param(pause("2026-12-01", "2026-12-01"), "never", "paused:promise", id="one-day promise"),
    pytest.param(pause("2026-12-02", "2026-12-05"), "now", "clear", id="pause starts tomorrow"),
    pytest.param(pause("2026-11-20", "2026-11-30"), "now", "clear", id="pause ended yesterday"),
    pytest.param(pause("2026-11-25", "2026-12-10", "hardship"), "never", "paused:hardship", id="hardship"),
    pytest.param(pause("2026-12-01", "2026-12-03", "manual"), "never", "paused:manual", id="manual"),
    pytest.param(
        pause("2026-11-30", "2026-12-04", "payment_claim", "L1"), "never", "paused:payment_claim", id="claimed paid"
    ),
    pytest.param(
        pause("2026-11-30", "2026-12-04", "payment_claim", "L9"), "now", "clear", id="another loan claimed paid"
    ),
]


@pytest.mark.parametrize("pauses,decision,rule", PAUSE_CASES)
def test_pauses(pauses: tuple[Pause, ...], decision: str, rule: str) -> None:
    run(Case(REMINDER, at("12:00"), {"pauses": pauses}), decision, rule, None)


def test_pause_does_not_hold_back_an_answer() -> None:
    run(
        Case(AUTO, at("12:00"), {"pauses": pause("2026-11-28", "2026-12-05")}),
        "now",
        "answer_to_borrower",
        None,
    )


@pytest.mark.parametrize(
    "settled,now,decision,rule",
    [
        pytest.param((True,), at("12:00"), "never", "paid", id="paid"),
        pytest.param((True,), at("03:00"), "never", "paid", id="paid outranks window"),
        pytest.param((True, True), at("12:00"), "never", "paid", id="all of a group paid"),
        pytest.param((True, False), at("12:00"), "now", "clear", id="one of a group still owed"),
        pytest.param((False,), at("12:00"), "now", "clear", id="unpaid"),
    ],
)
def test_paid_is_rechecked(settled: tuple[bool, ...], now: datetime, decision: str, rule: str) -> None:
    items = tuple(InstallmentState(i + 1, "L1", settled=s) for i, s in enumerate(settled))
    run(Case(replace(REMINDER, installments=items), now), decision, rule, None)


@pytest.mark.parametrize(
    "prospect",
    [REMINDER, STAFF, AUTO, replace(REMINDER, installments=(InstallmentState(1, "L1", True),))],
    ids=["reminder", "staff reply", "auto reply", "even a paid reminder"],
)
def test_kill_switch_holds_everything_back(prospect: Prospect) -> None:
    verdict = run(Case(prospect, at("12:00"), enabled=False), "later", "kill_switch", None)
    assert "held back" in verdict.reason


def test_kill_switch_then_stale_once_back_on() -> None:
    # Held back while the switch is off; switched back on after the window closed, it never goes late.
    run(Case(REMINDER, at("21:00"), enabled=False), "later", "kill_switch", None)
    run(Case(REMINDER, at("21:00"), enabled=True), "never", "stale", None)


DAILY_CAP_CASES = [
    pytest.param(sends(at("10:00"), kind="reminder"), "never", "cap_daily", id="a reminder already went today"),
    pytest.param(sends(at("10:00"), kind="followup"), "never", "cap_daily", id="a followup already went today"),
    pytest.param(sends(at("19:00", day=30, month=11), kind="reminder"), "now", "clear", id="one went yesterday"),
    pytest.param(sends(at("10:00")), "now", "clear", id="other initiated message is not a reminder"),
    pytest.param(
        sends(at("10:00"), kind="reminder", key="reminder:B1:T0:2026-12-01"),
        "now",
        "clear",
        id="earlier attempt of the same message (fallback)",
    ),
    pytest.param(sends(at("13:00"), kind="reminder"), "now", "clear", id="send after now is ignored"),
]


@pytest.mark.parametrize("history,decision,rule", DAILY_CAP_CASES)
def test_daily_cap(history: tuple[PriorSend, ...], decision: str, rule: str) -> None:
    run(Case(REMINDER, at("12:00"), history=history), decision, rule, None)


def test_daily_cap_counts_local_dates() -> None:
    # 03:00 UTC on Dec 1 is 19:00 on Nov 30 in Los Angeles: a different local date.
    state = {"timezone": "America/Los_Angeles"}
    prospect = replace(REMINDER, not_before=at("17:00"), not_after=at("04:00", day=2))
    yesterday_local = sends(at("03:00"), kind="reminder")
    run(Case(prospect, at("18:00"), state, yesterday_local), "now", "clear", None)
    today_local = sends(at("17:30"), kind="reminder")
    run(Case(prospect, at("18:00"), state, today_local), "never", "cap_daily", None)


def test_daily_cap_defers_an_undated_followup_to_the_next_day() -> None:
    run(
        Case(FOLLOWUP, at("12:00"), history=sends(at("10:00"), kind="reminder")),
        "later",
        "cap_daily",
        at("09:00", 2),
    )


def days(*day_numbers: int) -> tuple[PriorSend, ...]:
    """One initiated message at noon on each of these days (<= 0 means November 30 + n)."""
    return sends(*[at("12:00", d) if d > 0 else at("12:00", 30 + d, 11) for d in day_numbers])


SEVEN_DAY_CASES = [
    pytest.param(
        Case(REMINDER, at("15:00"), history=days(-5, -4, -3, -2, -1, 0)),
        "now",
        "clear",
        None,
        id="6 in 7 local dates",
    ),
    pytest.param(
        Case(REMINDER, at("15:00"), history=days(-5, -4, -3, -2, -1, 0, 1)),
        "never",
        "cap_7_days",
        None,
        id="7 in 7 local dates (oldest 6 days ago)",
    ),
    pytest.param(
        Case(REMINDER, at("15:00"), history=days(-6, -4, -3, -2, -1, 0, 1)),
        "now",
        "clear",
        None,
        id="oldest of 7 was 7 local dates ago",
    ),
    pytest.param(
        Case(STAFF, at("15:00"), history=days(-5, -4, -3, -2, -1, 0, 1)),
        "later",
        "cap_7_days",
        at("08:00", 2),
        id="staff message waits until the oldest leaves the window",
    ),
    pytest.param(
        Case(STAFF, at("15:00"), history=days(-5, -4, -3, -2, -1, 0, 1, 1)),
        "later",
        "cap_7_days",
        at("08:00", 3),
        id="8 sends: the two oldest must leave",
    ),
    pytest.param(
        Case(STAFF, at("15:00"), history=days(-5, -5, -3, -2, -1, 0, 1, 1)),
        "later",
        "cap_7_days",
        at("08:00", 2),
        id="8 sends: the two oldest leave together",
    ),
    pytest.param(
        Case(FOLLOWUP, at("15:00"), history=days(-5, -4, -3, -2, -1, 0, 1)),
        "later",
        "cap_7_days",
        at("09:00", 2),
        id="undated followup waits in the send window",
    ),
    pytest.param(
        Case(STAFF, at("15:00"), {"last_inbound_at": at("09:00")}, days(-5, -4, -3, -2, -1, 0, 1)),
        "now",
        "clear",
        None,
        id="staff reply within 24 h of the borrower is not capped",
    ),
    pytest.param(
        Case(STAFF, at("22:00"), history=days(-5, -4, -3, -2, -1, 0, 1)),
        "later",
        "window",
        at("08:00", 2),
        id="judged on the date it would go: tomorrow has room",
    ),
]


@pytest.mark.parametrize("case,decision,rule,not_before", SEVEN_DAY_CASES)
def test_seven_local_dates_cap(case: Case, decision: str, rule: str, not_before: datetime | None) -> None:
    run(case, decision, rule, not_before)


def test_zero_caps_never_free_up() -> None:
    guard = ContactGuard(parse_policy({"caps": {"reminders_per_local_day": 0, "initiated_per_7_local_days": 0}}))
    state = STATE
    reminder = guard.decide(REMINDER, state, SendHistory(), now=at("12:00"), sending_enabled=True)
    staff = guard.decide(STAFF, state, SendHistory(), now=at("12:00"), sending_enabled=True)
    assert (reminder.decision, reminder.rule) == ("never", "cap_daily")
    assert (staff.decision, staff.rule) == ("never", "cap_7_days")


@pytest.mark.parametrize(
    "kind,now,last_inbound,counts",
    [
        pytest.param("reminder", at("12:00"), at("11:59"), True, id="reminder always"),
        pytest.param("followup", at("12:00"), None, True, id="followup always"),
        pytest.param("auto_reply", at("12:00"), None, False, id="auto reply never"),
        pytest.param("staff_reply", at("12:00"), None, True, id="staff message out of the blue"),
        pytest.param("staff_reply", at("12:00"), at("11:01"), False, id="staff reply within the hour"),
        pytest.param("staff_reply", at("12:00"), at("12:01", 30, 11), False, id="staff reply after 23h59"),
        pytest.param("staff_reply", at("12:00"), at("12:00", 30, 11), False, id="staff reply after exactly 24h"),
        pytest.param("staff_reply", at("12:00"), at("11:59", 30, 11), True, id="staff reply after 24h01"),
    ],
)
def test_counts_toward_caps(kind: str, now: datetime, last_inbound: datetime | None, counts: bool) -> None:
    assert counts_toward_caps(kind, now, last_inbound, POLICY) is counts  # type: ignore[arg-type]


def test_naive_clocks_are_rejected() -> None:
    with pytest.raises(ValueError):
        GUARD.decide(REMINDER, STATE, SendHistory(), now=datetime(2026, 12, 1, 12), sending_enabled=True)
    with pytest.raises(ValueError):
        counts_toward_caps("staff_reply", datetime(2026, 12, 1, 12), None, POLICY)
    with pytest.raises(ValueError):
        replace(STATE, last_inbound_at=datetime(2026, 12, 1, 12))
    with pytest.raises(ValueError):
        PriorSend(at=datetime(2026, 12, 1, 12), kind="reminder")


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(
            lambda: replace(REMINDER, local_date=None, not_before=None, not_after=None), id="undated reminder"
        ),
        pytest.param(lambda: replace(REMINDER, installments=()), id="reminder without installments"),
        pytest.param(lambda: replace(REMINDER, collection_related=False), id="reminder not collection-related"),
        pytest.param(lambda: replace(REMINDER, not_after=at("08:00")), id="window closes before it opens"),
        pytest.param(lambda: replace(REMINDER, answer_to_opt_out_or_help=True), id="HELP flag on a reminder"),
        pytest.param(
            lambda: replace(STAFF, local_date=DAY, not_before=at("09:00"), not_after=at("20:00")),
            id="dated staff reply",
        ),
        pytest.param(lambda: replace(REMINDER, channel="email"), id="unknown channel"),  # type: ignore[arg-type]
        pytest.param(lambda: replace(STATE, restrictions=frozenset({"vip"})), id="unknown restriction"),  # type: ignore[arg-type]
        pytest.param(lambda: replace(STATE, timezone="Nowhere/Land"), id="unknown zone"),
        pytest.param(lambda: Pause(date(2026, 12, 5), date(2026, 12, 1), "promise"), id="pause ends before start"),
        pytest.param(
            lambda: Pause(date(2026, 12, 1), date(2026, 12, 5), "holiday"),  # type: ignore[arg-type]
            id="unknown pause reason",
        ),
        pytest.param(lambda: Verdict("now", "clear", "ok", at("09:00")), id="not_before on a now verdict"),
    ],
)
def test_invalid_inputs_are_rejected(build: Any) -> None:
    with pytest.raises(ValueError):
        build()


def test_rule_table_order() -> None:
    assert [rule.name for rule in RULES] == [
        "kill_switch",
        "paid",
        "opted_out",
        "wrong_number",
        "telegram_unusable",
        "restricted",
        "open_complaint",
        "open_dispute",
        "paused",
        "answer_to_borrower",
        "stale",
        "cap_daily",
        "cap_7_days",
        "window",
    ]
