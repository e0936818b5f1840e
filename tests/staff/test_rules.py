"""The staff issue's decisions as tables and pure functions: routing, SLA arithmetic, roles,
sessions and CSRF, login throttling, staff-chat posts. No server, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.console import session
from bot.staff_chat import announcement
from config.errors import ConfigError
from config.policy import CASE_KINDS, DEFAULT_POLICY_PATH, QUEUES, Span, _read_toml, load_policy, parse_policy
from scheduler.sla import sla_clock, span_text
from scheduler.tiers import loan_classification
from storage.case_actions import raised
from storage.cases import add_working_days, case_route, risk_level, sla_deadlines
from storage.permissions import can_act, check_queues, may, takes_new_work, workable_queues
from storage.staff import ThrottleState, after_failure, hash_password, locked_until, verify_password

POLICY = load_policy()
SHANGHAI = ZoneInfo("Asia/Shanghai")

# --- routing --------------------------------------------------------------------------------


def test_every_kind_routes_by_default_as_before() -> None:
    expected = {
        "complaint": ("complaints", "high"),
        "dispute": ("disputes", "high"),
        "hardship": ("hardship", "normal"),
        "overdue_90": ("legal", "high"),
        "overdue_30": ("collections", "normal"),
        "unclear": ("collections", "low"),
        "send_unknown": ("collections", "normal"),
        "early_warning": ("collections", "high"),
    }
    for kind in CASE_KINDS:
        route = case_route(kind, POLICY)
        assert route.queue in QUEUES
        if kind in expected:
            assert (route.queue, route.priority) == expected[kind], kind


def _with_rules(rules: str) -> object:
    data = _read_toml(DEFAULT_POLICY_PATH)
    import tomllib

    data["routing"] = tomllib.loads(rules)["routing"]
    return parse_policy(data)


def test_the_first_matching_row_wins_on_dpd_amount_and_risk() -> None:
    base = "\n".join(
        f'{{ kind = "{k}", queue = "collections" }},' for k in CASE_KINDS if k not in ("hardship", "broken_promise")
    )
    policy = _with_rules(
        "[routing]\nrules = [\n"
        '{ kind = "hardship", min_dpd = 91, queue = "legal", priority = "urgent" },\n'
        '{ kind = "hardship", min_amount = "5000.00", queue = "hardship", priority = "high" },\n'
        '{ kind = "hardship", queue = "hardship" },\n'
        '{ kind = "broken_promise", risk = ["doubtful", "loss"], queue = "legal", priority = "high" },\n'
        '{ kind = "broken_promise", min_dpd = 1, max_dpd = 30, queue = "collections", priority = "low" },\n'
        '{ kind = "broken_promise", queue = "collections" },\n' + base + "\n]\n"
    )
    route = policy.routing.route  # type: ignore[attr-defined]
    assert (route("hardship", dpd=120).queue, route("hardship", dpd=120).priority) == ("legal", "urgent")
    assert route("hardship", dpd=10, amount=Decimal("5000.00")).priority == "high"
    assert route("hardship", dpd=10, amount=Decimal("4999.99")).priority == "normal"
    assert route("broken_promise", dpd=200, risk="doubtful").queue == "legal"
    assert route("broken_promise", dpd=30).priority == "low"  # max_dpd is inclusive
    assert route("broken_promise", dpd=31).priority == "normal"


@pytest.mark.parametrize(
    ("rules", "named"),
    [
        ('[{ kind = "hardship", queue = "nowhere" }]', "routing.rules.0.queue"),
        ('[{ kind = "sadness", queue = "hardship" }]', "routing.rules.0.kind"),
        ('[{ kind = "hardship", queue = "hardship", priority = "meh" }]', "routing.rules.0.priority"),
        ('[{ kind = "hardship", queue = "hardship", risk = ["scary"] }]', "routing.rules.0.risk"),
        ('[{ kind = "hardship", queue = "hardship", colour = "red" }]', "routing.rules.0.colour"),
        ('[{ kind = "hardship", queue = "hardship", min_dpd = 10, max_dpd = 5 }]', "routing.rules.0"),
        ('[{ kind = "hardship", min_dpd = 3, queue = "hardship" }]', "routing"),
    ],
)
def test_a_bad_routing_table_names_the_key(tmp_path: Path, rules: str, named: str) -> None:
    override = tmp_path / "policy.toml"
    override.write_text(f"[routing]\nrules = {rules}\n")
    with pytest.raises(ConfigError) as exc:
        load_policy(override)
    assert f"'{named}" in str(exc.value)


def test_an_unknown_rule_key_lists_the_allowed_ones(tmp_path: Path) -> None:
    override = tmp_path / "policy.toml"
    override.write_text('[routing]\nrules = [{ kind = "hardship", queue = "hardship", colour = "red" }]\n')
    with pytest.raises(ConfigError, match="allowed here: kind, max_dpd, min_amount, min_dpd, priority, queue, risk"):
        load_policy(override)


def test_a_missing_catch_all_names_the_kinds() -> None:
    with pytest.raises(ConfigError, match="dispute"):
        _with_rules('[routing]\nrules = [{ kind = "hardship", queue = "hardship" }]\n')


def test_risk_is_the_five_level_classification() -> None:
    for dpd in range(0, 420):
        assert risk_level(dpd, POLICY) == loan_classification(dpd, POLICY), dpd


# --- SLA arithmetic -------------------------------------------------------------------------------


def at_shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def test_working_days_skip_weekends_in_the_team_calendar() -> None:
    # Friday 20:00 in Shanghai is Friday 12:00 UTC: one working day later is Monday 20:00 there.
    friday = at_shanghai(2026, 12, 4, 20, 0).astimezone(UTC)
    monday = add_working_days(friday, 1, "CN", "Asia/Shanghai")
    assert monday.astimezone(SHANGHAI) == at_shanghai(2026, 12, 7, 20, 0)
    assert monday.tzinfo == UTC
    # Saturday: the count starts from Monday.
    assert add_working_days(at_shanghai(2026, 12, 5, 9, 0), 1, "CN", "Asia/Shanghai") == at_shanghai(2026, 12, 7, 9)


def test_public_holidays_are_not_working_days() -> None:
    # China's National Day week: 2026-10-01..07 are holidays or the weekend.
    start = at_shanghai(2026, 9, 30, 10, 0)
    assert add_working_days(start, 1, "CN", "Asia/Shanghai") == at_shanghai(2026, 10, 8, 10, 0)
    # The same dates are ordinary working days for a US team.
    assert add_working_days(start, 1, "US", "Asia/Shanghai") == at_shanghai(2026, 10, 1, 10, 0)


def test_deadlines_per_queue_from_the_policy() -> None:
    opened = at_shanghai(2026, 12, 2, 10, 0)  # Wednesday
    first, resolution = sla_deadlines("complaints", opened, POLICY)
    assert first == at_shanghai(2026, 12, 3, 10, 0)
    assert resolution == opened + timedelta(days=15)
    first, resolution = sla_deadlines("legal", opened, POLICY)
    assert first == at_shanghai(2026, 12, 4, 10, 0) and resolution is None
    first, resolution = sla_deadlines("collections", opened, POLICY)
    assert resolution == at_shanghai(2026, 12, 16, 10, 0)  # ten working days


def test_sla_spans_and_their_validation(tmp_path: Path) -> None:
    override = tmp_path / "policy.toml"
    override.write_text('[sla.queues.hardship]\nfirst_response = "4 hours"\nresolution = "3 calendar days"\n')
    policy = load_policy(override)
    assert policy.sla_for("hardship") == (Span(4, "hours"), Span(3, "calendar_days"))
    opened = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)
    assert sla_deadlines("hardship", opened, policy) == (opened + timedelta(hours=4), opened + timedelta(days=3))
    for toml, named in [
        ('[sla.queues.legal]\nfirst_response = "soon"\n', "sla.queues.legal.first_response"),
        ('[sla.queues.complaints]\nfirst_response = "1 hour"\n', "sla.queues.complaints"),
        ('[sla]\ntimezone = "Moon/Base"\n', "sla.timezone"),
        ("[console]\nlogin_max_failures = 0\n", "console.login_max_failures"),
    ]:
        override.write_text(toml)
        with pytest.raises(ConfigError) as exc:
            load_policy(override)
        assert f"'{named}" in str(exc.value)


def test_the_clock_runs_first_response_then_resolution() -> None:
    now = datetime(2026, 12, 2, 12, tzinfo=UTC)
    due = now + timedelta(hours=3, minutes=5)
    clock = sla_clock(status="open", first_response_due=due, first_response_at=None, resolve_due=None, now=now)
    assert clock is not None and clock.name == "first_response" and clock.describe() == "3h 05m left"
    late = sla_clock(
        status="assigned", first_response_due=now - timedelta(days=1, hours=2), first_response_at=None,
        resolve_due=None, now=now,
    )  # fmt: skip
    assert late is not None and late.breached and late.describe() == "overdue by 1d 2h"
    answered = sla_clock(
        status="assigned", first_response_due=now - timedelta(hours=1), first_response_at=now - timedelta(hours=2),
        resolve_due=now + timedelta(days=2), now=now,
    )  # fmt: skip
    assert answered is not None and answered.name == "resolution" and not answered.breached
    assert (
        sla_clock(status="resolved", first_response_due=due, first_response_at=None, resolve_due=due, now=now) is None
    )
    assert span_text(timedelta(minutes=7)) == "7m"


def test_priority_rises_one_step_and_stops_at_the_top() -> None:
    assert [raised(p) for p in ("low", "normal", "high", "urgent")] == ["normal", "high", "urgent", "urgent"]


# --- roles ----------------------------------------------------------------------------------------


def test_roles_table() -> None:
    assert workable_queues("agent", ["hardship"]) == {"hardship"}
    assert not can_act("agent", ["hardship"], "collections")
    assert can_act("complaints", ["collections"], "complaints")
    assert not can_act("complaints", ["collections"], "collections")  # complaints queue only
    assert workable_queues("supervisor", []) == set(QUEUES) == workable_queues("admin", [])
    assert not may("agent", "complaints_register") and may("complaints", "complaints_register")
    assert may("supervisor", "assign_others") and not may("agent", "assign_others")
    assert may("admin", "manage_staff") and not may("supervisor", "manage_staff")
    assert not can_act("wizard", QUEUES, "hardship")
    # Automatic assignment goes to members of the queue only.
    assert takes_new_work("agent", ["hardship"], "hardship")
    assert not takes_new_work("supervisor", [], "hardship")
    with pytest.raises(ValueError, match="unknown queue 'vip'"):
        check_queues(["hardship", "vip"])


# --- sessions, CSRF, passwords, throttling ---------------------------------------------------


def test_session_cookies_are_signed_expire_and_carry_the_epoch() -> None:
    key = session.derive_session_key(b"secret")
    now = datetime(2026, 12, 2, tzinfo=UTC)
    cookie, token = session.issue(key, 7, 3, now)
    read = session.read(key, cookie, now + timedelta(hours=1), timedelta(hours=12))
    assert read == token and (read.staff_id, read.epoch) == (7, 3)
    assert session.read(key, cookie, now + timedelta(hours=13), timedelta(hours=12)) is None
    assert session.read(session.derive_session_key(b"other"), cookie, now, timedelta(hours=12)) is None
    forged = cookie.replace("7.3.", "1.3.", 1)
    assert session.read(key, forged, now, timedelta(hours=12)) is None
    assert session.read(key, "garbage", now, timedelta(hours=12)) is None
    csrf = session.csrf_for_session(key, token)
    assert session.same(csrf, csrf) and not session.same(None, csrf) and not session.same("x", csrf)
    _, other = session.issue(key, 7, 3, now)
    assert session.csrf_for_session(key, other) != csrf  # per session
    assert session.derive_session_key(b"secret") != b"secret"


def test_passwords_are_salted_scrypt() -> None:
    first, second = hash_password("correct horse 42", n=2**10), hash_password("correct horse 42", n=2**10)
    assert first != second and first.startswith("scrypt$1024$")
    assert verify_password("correct horse 42", first) and not verify_password("correct horse 43", first)
    assert not verify_password("x", "md5$abc") and not verify_password("x", "scrypt$broken")


def test_five_failures_lock_the_key_for_a_while() -> None:
    now = datetime(2026, 12, 2, tzinfo=UTC)
    lock = timedelta(minutes=15)
    state = ThrottleState()
    for i in range(4):
        state = after_failure(state, now + timedelta(seconds=i), 5, lock)
        assert locked_until(state, now + timedelta(seconds=i)) is None
    state = after_failure(state, now + timedelta(seconds=5), 5, lock)
    assert locked_until(state, now + timedelta(seconds=6)) == now + timedelta(seconds=5) + lock
    assert locked_until(state, now + timedelta(minutes=21)) is None
    # After the lock, one more failure starts a fresh count.
    state = after_failure(state, now + timedelta(minutes=21), 5, lock)
    assert state.failures == 1 and locked_until(state, now + timedelta(minutes=21)) is None
    # Failures spread over more than the window are forgotten.
    slow = ThrottleState()
    for i in range(10):
        slow = after_failure(slow, now + timedelta(minutes=16 * i), 5, lock)
    assert slow.locked_until is None


# --- staff chat ---------------------------------------------------------------------------------


def test_a_staff_chat_post_says_only_what_a_colleague_needs() -> None:
    post = announcement(
        reference="CASE-1", borrower_name="Li <Wei> & Co", queue="hardship", kind="broken_promise",
        days_past_due=31, case_id=9, overdue=False, console_base_url="https://duebot.example/",
    )  # fmt: skip
    assert post.text.splitlines() == [
        "New case: CASE-1",
        "Borrower: Li <Wei> & Co",
        "Queue: hardship · broken promise",
        "Days past due: 31",
    ]
    assert post.buttons == (("Take", "callback:case:take:9"), ("Open", "url:https://duebot.example/console/cases/9"))
    overdue = announcement(
        reference="CASE-1", borrower_name=None, queue="hardship", kind="hardship", days_past_due=0, case_id=9,
        overdue=True, console_base_url=None,
    )  # fmt: skip
    assert overdue.text.startswith("First response overdue") and overdue.buttons == (("Take", "callback:case:take:9"),)
