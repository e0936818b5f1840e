"""Case actions in storage: one function per action, each logged with the member as actor."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from storage import case_actions as actions
from storage.case_actions import CaseActionError, actor_for, load_case
from storage.cases import open_case, routing_facts
from storage.models import Borrower, Case, ContactPause, Loan, LogEntry, Promise, Restriction, StaffUser
from storage.staff import set_available
from tests.staff.conftest import NOW, Env, open_env, seed_env


async def _loaded(case: Case) -> Case:
    fresh = await load_case(case.id)
    assert fresh is not None
    return fresh


async def _events(borrower_id: str) -> list[tuple[str, str, dict[str, object]]]:
    rows = await LogEntry.filter(chain=f"borrower:{borrower_id}").order_by("seq")
    return [(r.kind, r.actor, json.loads(r.data)) for r in rows]


async def test_routing_facts_come_from_the_loan_book(env: Env) -> None:
    await seed_env(env)
    b1 = await Borrower.get(borrower_id="B1")
    facts = await routing_facts(b1, None, NOW, env.services.policy)
    # Installment 1 due 2026-11-01 is 31 days past due on 2026-12-02 in Shanghai; two are overdue.
    assert (facts.dpd, facts.amount, facts.risk) == (31, Decimal("2400.00"), "special_mention")
    b3 = await Borrower.get(borrower_id="B3")
    assert (await routing_facts(b3, None, NOW, env.services.policy)).dpd == 0


async def test_one_open_case_per_kind_and_its_deadlines(env: Env) -> None:
    await seed_env(env)
    b1 = await Borrower.get(borrower_id="B1")
    policy = env.services.policy
    first, created = await open_case(borrower=b1, kind="complaint", now=NOW, policy=policy, log=env.log)
    again, created_again = await open_case(borrower=b1, kind="complaint", now=NOW, policy=policy, log=env.log)
    assert created and not created_again and again.id == first.id
    assert first.queue == "complaints" and first.priority == "high"
    assert first.first_response_due == NOW + timedelta(days=1)  # Wednesday → Thursday, same hour
    assert first.resolve_due == NOW + timedelta(days=15)


async def test_take_is_first_come_and_take_next_picks_the_most_urgent(env: Env) -> None:
    made = await seed_env(env)
    low = await open_env(env, "B1", "hardship", at=NOW - timedelta(hours=5))
    urgent = await open_env(env, "B2", "hardship", at=NOW - timedelta(hours=1))
    await Case.filter(id=urgent.id).update(priority="urgent")
    taken = await actions.take_next(made["amy"], frozenset({"hardship"}), now=NOW, log=env.log)
    assert taken is not None and taken.id == urgent.id and taken.assignee is not None
    assert taken.status == "assigned" and taken.assignee.username == "amy"
    with pytest.raises(CaseActionError, match="already assigned to amy"):
        await actions.take(await _loaded(urgent), made["sam"], now=NOW, log=env.log)
    # Two members racing for the last case: exactly one gets it.
    results = await asyncio.gather(
        actions.take(await _loaded(low), made["amy"], now=NOW, log=env.log),
        actions.take(await _loaded(low), made["sam"], now=NOW, log=env.log),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Case) for r in results) == 1
    assert await actions.take_next(made["amy"], frozenset({"hardship"}), now=NOW, log=env.log) is None
    assigned = [e for e in await _events("B2") if e[0] == "case.assigned"]
    assert assigned == [("case.assigned", "staff:amy", {"case_id": urgent.id, "reference": urgent.reference,
                                                       "to": "amy", "previous": None})]  # fmt: skip


async def test_least_loaded_available_member_of_the_queue(env: Env) -> None:
    made = await seed_env(env)
    bea = await StaffUser.create(username="bea", password_hash="x", role="agent", queues=["hardship"], created_at=NOW)
    busy = await open_env(env, "B1", "hardship")
    await actions.take(await _loaded(busy), made["amy"], now=NOW, log=env.log)
    waiting = await open_env(env, "B2", "hardship")
    assigned = await actions.auto_assign(await _loaded(waiting), now=NOW, log=env.log, actor="staff:sam")
    assert assigned.assignee is not None and assigned.assignee.username == "bea"  # amy already has one
    assert (await actions.least_loaded("hardship")).username == "amy"  # type: ignore[union-attr]  # 1 each: by name
    await set_available(bea, False, now=NOW, log=env.log, actor="staff:bea")
    await set_available(made["amy"], False, now=NOW, log=env.log, actor="staff:amy")
    assert await actions.least_loaded("hardship") is None
    with pytest.raises(CaseActionError, match="no available member"):
        await actions.auto_assign(await _loaded(waiting), now=NOW, log=env.log, actor="staff:sam")


async def test_resolve_then_reopen_and_the_one_open_case_rule(env: Env) -> None:
    made = await seed_env(env)
    case = await open_env(env, "B1", "hardship")
    actor = actor_for(made["amy"])
    with pytest.raises(CaseActionError, match="unknown outcome"):
        await actions.resolve(await _loaded(case), "vanished", now=NOW, log=env.log, actor=actor)
    with pytest.raises(CaseActionError, match="does not end a hardship case"):
        await actions.resolve(await _loaded(case), "complaint_upheld", now=NOW, log=env.log, actor=actor)
    resolved = await actions.resolve(await _loaded(case), "plan_agreed", "weekly plan", now=NOW, log=env.log,
                                     actor=actor)  # fmt: skip
    assert (resolved.status, resolved.outcome, resolved.open_key) == ("resolved", "plan_agreed", None)
    assert resolved.first_response_at == NOW
    with pytest.raises(CaseActionError, match="resolved"):
        await actions.assign(resolved, made["amy"], now=NOW, log=env.log, actor=actor)
    newer = await open_env(env, "B1", "hardship", at=NOW + timedelta(hours=1))
    assert newer.id != case.id
    with pytest.raises(CaseActionError, match=f"already has an open hardship case \\({newer.reference}\\)"):
        await actions.reopen(resolved, "borrower called back", now=NOW, log=env.log, actor=actor)
    await actions.resolve(await _loaded(newer), "no_action", now=NOW, log=env.log, actor=actor)
    reopened = await actions.reopen(await _loaded(case), "borrower called back", now=NOW, log=env.log, actor=actor)
    assert reopened.status == "open" and reopened.outcome is None and reopened.open_key is not None
    kinds = [(k, a) for k, a, _ in await _events("B1") if k in ("case.resolved", "case.reopened")]
    assert kinds == [("case.resolved", actor), ("case.resolved", actor), ("case.reopened", actor)]


async def test_promises_pauses_restrictions_and_contact_corrections(env: Env) -> None:
    made = await seed_env(env)
    case = await _loaded(await open_env(env, "B1", "hardship"))
    actor = actor_for(made["amy"])
    loan = await Loan.get(loan_id="L1")
    with pytest.raises(CaseActionError, match="in the past"):
        await actions.record_promise(case, loan, date(2026, 12, 1), Decimal("100.00"), now=NOW, log=env.log,
                                     actor=actor)  # fmt: skip
    promise = await actions.record_promise(case, loan, date(2026, 12, 20), Decimal("600.00"), now=NOW, log=env.log,
                                           actor=actor)  # fmt: skip
    assert (promise.source, promise.status) == ("staff", "open")
    pause = await ContactPause.get(borrower_id=case.borrower_id, reason="promise")
    assert (pause.start_date, pause.end_date) == (date(2026, 12, 2), date(2026, 12, 20))
    with pytest.raises(CaseActionError, match="positive"):
        actions.parse_amount("-3")

    manual = await actions.pause_contact(case.borrower, date(2026, 12, 9), "in hospital", now=NOW, log=env.log,  # type: ignore[arg-type]
                                         actor=actor)  # fmt: skip
    await actions.resume_contact(case.borrower, manual.id, "back home", now=NOW, log=env.log, actor=actor)  # type: ignore[arg-type]
    assert (await ContactPause.get(id=manual.id)).cancelled_at == NOW

    b1 = await Borrower.get(borrower_id="B1")
    _row, created = await actions.set_restriction(b1, "attorney", "Smith & Co", now=NOW, log=env.log, actor=actor)
    _row, again = await actions.set_restriction(b1, "attorney", "", now=NOW, log=env.log, actor=actor)
    assert created and not again
    with pytest.raises(CaseActionError, match="unknown restriction"):
        await actions.set_restriction(b1, "vacation", "", now=NOW, log=env.log, actor=actor)
    assert await actions.lift_restriction(b1, "attorney", "withdrew", now=NOW, log=env.log, actor=actor)
    assert not await actions.lift_restriction(b1, "attorney", now=NOW, log=env.log, actor=actor)
    assert await Restriction.filter(borrower_id=b1.id, lifted_at__isnull=True).count() == 0

    await Borrower.filter(id=b1.id).update(phone_wrong=True)
    b1 = await Borrower.get(id=b1.id)
    with pytest.raises(CaseActionError, match="phone"):
        await actions.correct_contact(b1, "phone", "12", "typo", now=NOW, log=env.log, actor=actor)
    # Another borrower's phone or chat would carry B1's debt to them: refused, naming whose it is.
    with pytest.raises(CaseActionError, match="borrower B2's"):
        await actions.correct_contact(b1, "phone", "+14155550123", "typo", now=NOW, log=env.log, actor=actor)
    with pytest.raises(CaseActionError, match="borrower B2's"):
        await actions.correct_contact(b1, "telegram_chat_id", "987654321", "x", now=NOW, log=env.log, actor=actor)
    await actions.correct_contact(b1, "phone", "+8613900139000", "borrower called from new number", now=NOW,
                                  log=env.log, actor=actor)  # fmt: skip
    fresh = await Borrower.get(id=b1.id)
    assert fresh.phone == "+8613900139000" and not fresh.phone_wrong
    await actions.correct_contact(fresh, "telegram_chat_id", "4242", "linked by phone", now=NOW, log=env.log,
                                  actor=actor)  # fmt: skip

    events = await _events("B1")
    corrected = [d for k, a, d in events if k == "borrower.contact_corrected" and a == actor]
    assert corrected[0]["old"] == "+8613800138000" and corrected[0]["new"] == "+8613900139000"
    assert corrected[1]["old"] is None and corrected[1]["new"] == 4242
    kinds = {k for k, a, _ in events if a == actor}
    assert kinds >= {"promise.recorded", "contact.paused", "contact.resumed", "restriction.set",
                     "restriction.lifted", "borrower.contact_corrected"}  # fmt: skip
    assert await Promise.filter(borrower_id=b1.id).count() == 1
    assert (await env.log.verify("B1")).first_break is None


async def test_notes_are_logged_and_bounded(env: Env) -> None:
    made = await seed_env(env)
    case = await _loaded(await open_env(env, "B1", "hardship"))
    await actions.add_note(case, "  called, no answer  ", now=NOW, log=env.log, actor=actor_for(made["amy"]))
    with pytest.raises(CaseActionError, match="empty"):
        await actions.add_note(case, "   ", now=NOW, log=env.log, actor=actor_for(made["amy"]))
    with pytest.raises(CaseActionError, match="longer"):
        await actions.add_note(case, "x" * 5000, now=NOW, log=env.log, actor=actor_for(made["amy"]))
    notes = [d for k, a, d in await _events("B1") if k == "case.note"]
    assert notes == [{"case_id": case.id, "reference": case.reference, "text": "called, no answer"}]
