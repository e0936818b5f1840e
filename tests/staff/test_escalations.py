"""Calendar escalations and the SLA watch as scheduler follow-up steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scheduler.routing import Escalations
from scheduler.sla import SlaWatch
from storage.cases import open_case
from storage.importer import import_loan_rows
from storage.loanbook import parse_loans_csv
from storage.models import Borrower, Case, LogEntry, Message
from tests.flows.conftest import HEADER
from tests.staff.conftest import NOW, Env, open_env, seed_env


class Recorder:
    def __init__(self) -> None:
        self.new: list[tuple[str, bool]] = []
        self.overdue: list[str] = []

    async def announce_case(self, case: Case, created: bool) -> None:
        self.new.append((case.kind, created))

    async def announce_overdue(self, case: Case) -> None:
        self.overdue.append(case.reference)


async def test_30_then_90_days_past_due(env: Env) -> None:
    await seed_env(env)
    chat = Recorder()
    step = Escalations(env.services.policy, env.log, notify=chat.announce_case).escalate

    # B1's first installment (due 2026-11-01) is 31 days past due in Shanghai; B2 (due 11-25) is not yet.
    assert await step(NOW) == {"overdue_30.opened": 1}
    case = await Case.get(kind="overdue_30")
    await case.fetch_related("borrower")
    assert (case.queue, case.borrower.borrower_id) == ("collections", "B1")  # type: ignore[union-attr]
    assert chat.new == [("overdue_30", True)]
    assert await step(NOW + timedelta(hours=1)) == {}  # once only

    # B1's second installment (due 12-01) crosses 30 days on 12-31: added to B1's open case;
    # B2 (due 11-25, 36 days past due by then) gets a case of their own.
    assert await step(datetime(2026, 12, 31, 1, tzinfo=UTC)) == {"overdue_30.added": 1, "overdue_30.opened": 1}
    assert await Case.filter(kind="overdue_30").count() == 2

    # Day 90 of the first installment (2027-01-30 in Shanghai): legal, and the collections case is referred.
    # (B3, due 12-20, reaches 30 days in the meantime: its collections case opens in this pass.)
    result = await step(datetime(2027, 1, 30, 1, tzinfo=UTC))
    assert result == {"overdue_90.opened": 1, "overdue_30.referred_to_legal": 1, "overdue_30.opened": 1}
    legal = await Case.get(kind="overdue_90")
    assert (legal.queue, legal.priority) == ("legal", "high")
    referred = await Case.get(id=case.id)
    assert (referred.status, referred.outcome) == ("resolved", "referred_to_legal")
    assert await step(datetime(2027, 1, 30, 2, tzinfo=UTC)) == {}
    kinds = await LogEntry.filter(chain="borrower:B1").values_list("kind", flat=True)
    assert kinds.count("case.opened") == 2 and "case.resolved" in kinds


async def test_an_installment_imported_long_overdue_goes_straight_to_legal(env: Env) -> None:
    await seed_env(env, "B9,Old Debt,+8613800138001,,zh,Asia/Shanghai,sms,L9,consumer,CNY,1,2026-07-01,500.00\n")
    step = Escalations(env.services.policy, env.log).escalate
    assert await step(NOW) == {"overdue_90.opened": 1}
    assert await Case.filter(kind="overdue_30").count() == 0
    assert await step(NOW + timedelta(days=1)) == {}


async def test_a_loan_imported_between_two_passes_of_one_day_is_escalated_at_the_next(env: Env) -> None:
    # Between passes of one local day the overdue book is not read again unless it changed: an
    # import is such a change, whatever the hour.
    await seed_env(env)
    step = Escalations(env.services.policy, env.log).escalate
    assert await step(NOW) == {"overdue_30.opened": 1}
    assert await step(NOW + timedelta(minutes=1)) == {}
    parsed = parse_loans_csv(
        HEADER + "B8,Late Comer,+8613800138008,,zh,Asia/Shanghai,sms,L8,consumer,CNY,1,2026-10-20,300.00\n"
    )
    await import_loan_rows(parsed.rows, now=NOW, log=env.log)
    assert await step(NOW + timedelta(minutes=2)) == {"overdue_30.opened": 1}
    assert await step(NOW + timedelta(minutes=3)) == {}


async def test_messages_of_unknown_fate_and_unreachable_borrowers(env: Env) -> None:
    await seed_env(env)
    step = Escalations(env.services.policy, env.log).escalate
    b2 = await Borrower.get(borrower_id="B2")
    await Message.create(
        borrower=b2, direction="out", channel="telegram", kind="overdue_early", status="unknown",
        idempotency_key="rem:B2:x", created_at=NOW, updated_at=NOW, sent_at=NOW,
    )  # fmt: skip
    # B2 also cannot be reached at all: wrong number, and the Telegram chat blocked us.
    await Borrower.filter(id=b2.id).update(phone_wrong=True, telegram_usable=False)
    later = datetime(2026, 12, 3, 4, tzinfo=UTC)
    result = await step(later)
    # (B1 is 32 days past due by now: its collections case opens in the same pass.)
    assert result == {"overdue_30.opened": 1, "send_unknown.opened": 1, "unreachable.opened": 1}
    unknown = await Case.get(kind="send_unknown")
    assert "check with the provider" in unknown.summary
    assert await step(later + timedelta(hours=1)) == {}
    # Reachable again (a corrected number), then unreachable again: a new escalation.
    await Borrower.filter(id=b2.id).update(phone_wrong=False)
    assert await step(later + timedelta(hours=2)) == {}
    await Borrower.filter(id=b2.id).update(phone_wrong=True)
    assert await step(later + timedelta(hours=3)) == {"unreachable.added": 1}


async def test_a_missed_first_response_raises_priority_and_is_announced_once(env: Env) -> None:
    await seed_env(env)
    chat = Recorder()
    watch = SlaWatch(env.services.policy, env.log, announce=chat.announce_overdue)
    case = await open_env(env, "B1", "hardship")  # first response due Thursday 12:00 Shanghai
    answered = await open_env(env, "B2", "hardship")
    await Case.filter(id=answered.id).update(first_response_at=NOW + timedelta(hours=1))
    assert await watch.check(NOW + timedelta(hours=23)) == {}
    assert await watch.check(NOW + timedelta(days=1, minutes=1)) == {"first_response_missed": 1}
    assert chat.overdue == [case.reference]
    assert (await Case.get(id=case.id)).priority == "high"
    assert await watch.check(NOW + timedelta(days=2)) == {}
    raised = await LogEntry.filter(chain="borrower:B1", kind="case.priority_raised").values_list("data", flat=True)
    assert len(raised) == 1 and '"new":"high"' in raised[0]


async def test_a_case_without_a_borrower_is_still_routed(env: Env) -> None:
    case, created = await open_case(
        borrower=None, kind="wrong_number", now=NOW, policy=env.services.policy, log=env.log
    )
    assert created and case.queue == "collections" and case.first_response_due is not None
