"""Replies and the scheduler together: what a reply does to the reminders that follow, promise
follow-up, and the timeline that tells it all in order."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from storage.models import Case, Message, Promise
from tests.replies.conftest import CHATS, PHONES, ReplyWorld

# Due 10 Dec: T-3 is 7 Dec, T-1 is 9 Dec. 02:00 UTC is 10:00 in Shanghai, 10:00 UTC is 10:00 in London.
T3_SHANGHAI = datetime(2026, 12, 7, 2, tzinfo=UTC)
T3_LONDON = datetime(2026, 12, 7, 10, tzinfo=UTC)
T1_SHANGHAI = datetime(2026, 12, 9, 2, tzinfo=UTC)


async def reminders_to(borrower_id: str) -> list[tuple[str | None, str]]:
    rows = await Message.filter(borrower__borrower_id=borrower_id, direction="out", tier__isnull=False).order_by("id")
    return [(m.tier, m.status if m.status != "skipped" else f"skipped:{m.guard_rule}") for m in rows]


async def test_stop_gets_one_confirmation_then_no_sms_but_help_is_still_answered(world: ReplyWorld) -> None:
    await world.sms(PHONES["B2"], "STOP")
    await world.sms(PHONES["B2"], "STOP")
    assert len(world.sms_to(PHONES["B2"])) == 1
    await world.tick(T3_LONDON)
    assert len(world.sms_to(PHONES["B2"])) == 1  # the reminder did not go
    assert await reminders_to("B2") == [("T-3", "skipped:opted_out")]
    assert len(world.sms_to(PHONES["B1"])) == 1  # others still get theirs
    await world.sms(PHONES["B2"], "HELP")
    assert "+1 800 555 0199" in world.sms_to(PHONES["B2"])[-1]


async def test_a_complaint_gets_a_reference_and_pauses_reminders(world: ReplyWorld) -> None:
    await world.sms(PHONES["B2"], "Your collector called me 5 times today, I want to complain")
    [ack] = world.sms_to(PHONES["B2"])
    [case] = await world.cases("B2")
    assert case.reference in ack and case.reference.startswith("CMP-")
    assert case.first_response_due is not None and case.resolve_due is not None
    assert case.first_response_due > case.opened_at
    # The register knows what it is about (contact too often) and when the borrower was told the reference.
    assert case.category == "contact_practice"
    assert case.acknowledged_at == world.clock()
    await world.tick(T3_LONDON)
    assert await reminders_to("B2") == [("T-3", "skipped:open_complaint")]
    assert len(world.sms_to(PHONES["B2"])) == 1


async def test_a_dispute_stops_collection_on_that_loan(world: ReplyWorld) -> None:
    await world.tg(CHATS["B4"], "这笔钱我没借过")
    [case] = await world.cases("B4")
    assert case.kind == "dispute" and case.loan_id is not None
    await world.tick(T3_SHANGHAI)
    assert await reminders_to("B4") == [("T-3", "skipped:open_dispute")]


async def test_a_promise_pauses_reminders_through_its_date_then_they_resume(world: ReplyWorld) -> None:
    await world.sms(PHONES["B1"], "我12月8号还")
    await world.tick(T3_SHANGHAI)
    await world.tick(T1_SHANGHAI)
    assert await reminders_to("B1") == [("T-3", "skipped:paused:promise"), ("T-1", "sent")]


async def test_a_hardship_reply_on_telegram_pauses_reminders_and_tells_the_staff_chat(world: ReplyWorld) -> None:
    await world.tg(CHATS["B3"], "I was in hospital and can't pay this month, can I get more time?")
    [case] = await world.cases("B3")
    assert (case.kind, case.queue) == ("hardship", "hardship")
    assert world.notified.calls == [("hardship", "hardship", True)]
    assert "installment plan" in world.telegram_to(CHATS["B3"])[0]
    await world.tick(datetime(2026, 12, 7, 18, tzinfo=UTC))  # 10:00 in Los Angeles
    assert await reminders_to("B3") == [("T-3", "skipped:paused:hardship")]


async def test_a_broken_promise_opens_a_case_once_the_grace_day_has_ended(world: ReplyWorld) -> None:
    # The trial's case: a promise for Friday was declared broken at 00:00 on Saturday, although
    # posting_grace_days = 1 should give payments all of Saturday to be posted.
    assert world.services.policy.promises.posting_grace_days == 1
    await world.sms(PHONES["B1"], "我周五还")  # Fri 4 Dec
    await world.tick(datetime(2026, 12, 4, 16, tzinfo=UTC))  # 00:00 on Sat 5 Dec in Shanghai: the grace day
    assert (await Promise.get()).status == "open"
    await world.tick(datetime(2026, 12, 5, 15, 59, tzinfo=UTC))  # 23:59 on the 5th: still the grace day
    assert (await Promise.get()).status == "open"
    summary = await world.tick(datetime(2026, 12, 5, 16, tzinfo=UTC))  # the 6th has begun there
    assert summary.follow_ups["promises.broken"] == 1
    promise = await Promise.get()
    assert promise.status == "broken" and promise.settled_at is not None
    [case] = await world.cases("B1", "broken_promise")
    assert case.queue == "collections"
    assert ("broken_promise", "collections", True) in world.notified.calls
    await world.tick(datetime(2026, 12, 6, 16, tzinfo=UTC))
    assert len(await world.cases("B1", "broken_promise")) == 1


async def test_payments_since_the_promise_decide_kept_or_partly_kept(world: ReplyWorld) -> None:
    await world.import_payment("P0,L2,10.00,2026-12-01T09:00:00Z")  # before the promise: not counted
    await world.sms(PHONES["B2"], "I will pay 50 on Friday")
    await world.sms(PHONES["B1"], "我周五还300")
    await world.import_payment("P1,L2,20.00,2026-12-03T09:00:00Z")
    await world.import_payment("P2,L1,300.00,2026-12-03T01:00:00Z")
    summary = await world.tick(datetime(2026, 12, 3, 12, tzinfo=UTC))
    assert summary.follow_ups["promises.kept"] == 1  # B1 paid in full before the date: kept at once
    await world.tick(datetime(2026, 12, 7, 12, tzinfo=UTC))  # Friday's grace day (Saturday) is over everywhere
    promises = {p.borrower_id: p for p in await Promise.all().prefetch_related("borrower")}
    by_borrower = {p.borrower.borrower_id: (p.status, Decimal(p.amount)) for p in promises.values()}
    assert by_borrower == {"B1": ("kept", Decimal("300.00")), "B2": ("partly_kept", Decimal("50.00"))}
    assert await Case.filter(kind="broken_promise").count() == 0
    assert "promise.partly_kept" in await world.log_kinds("B2")


async def test_a_loan_paid_off_settles_its_open_promises_as_kept(world: ReplyWorld) -> None:
    await world.sms(PHONES["B2"], "I will pay on the 12th")
    await world.import_payment("P1,L2,80.50,2026-12-02T10:00:00Z")
    await world.tick(datetime(2026, 12, 2, 12, tzinfo=UTC))
    promise = await Promise.get()
    assert promise.status == "kept" and promise.promised_date == date(2026, 12, 12)


async def test_a_new_promise_replaces_the_open_one(world: ReplyWorld) -> None:
    await world.sms(PHONES["B2"], "I will pay on Friday")
    await world.sms(PHONES["B2"], "Actually I will pay tomorrow")
    statuses = [(p.promised_date, p.status) for p in await Promise.all().order_by("id")]
    assert statuses == [(date(2026, 12, 4), "cancelled"), (date(2026, 12, 3), "open")]


async def test_the_timeline_tells_the_story_in_order(world: ReplyWorld) -> None:
    await world.tick(T3_SHANGHAI)  # the T-3 reminder goes
    world.clock.now = datetime(2026, 12, 7, 3, tzinfo=UTC)
    await world.sms(PHONES["B1"], "我周五还")  # Fri 11 Dec
    world.clock.now = datetime(2026, 12, 7, 4, tzinfo=UTC)
    await world.sms(PHONES["B1"], "你们太过分了，我要投诉")
    await world.tick(T1_SHANGHAI)  # T-1 falls in the promise pause
    await world.sms(PHONES["B1"], "退订")
    await world.sms(PHONES["B1"], "帮助")
    status, body = await world.api("/api/v1/borrowers/B1/timeline")
    assert status == 200
    items = body["items"]
    assert [i["at"] for i in items] == sorted(i["at"] for i in items)
    story = [(i["direction"], i["kind"]) for i in items]
    expected = [
        ("out", "before_due"),
        ("in", "message"),
        ("internal", "promise.recorded"),
        ("internal", "contact.paused"),
        ("out", "promise_confirmed"),
        ("in", "message"),
        ("internal", "case.opened"),
        ("out", "complaint_ack"),
        ("out", "before_due"),
        ("internal", "message.skipped"),
        ("in", "message"),
        ("internal", "borrower.contact_changed"),
        ("out", "opt_out_confirmed"),
        ("in", "message"),
        ("out", "help"),
    ]
    assert [s for s in story if s in expected] == expected, story
    inbound = [i for i in items if i["direction"] == "in"]
    assert [i["intent"] for i in inbound] == ["promise_to_pay", "complaint", "opt_out", "help"]
    assert all(i["status"] == "handled" and i["channel"] == "sms" for i in inbound)
    sent = [i for i in items if i["direction"] == "out" and i["status"] == "sent"]
    assert len(sent) == 5 and "2026年12月11日" in sent[1]["text"]
    skipped = next(i for i in items if i["kind"] == "message.skipped")
    assert skipped["status"] == "open_complaint"


async def test_an_edited_message_row_is_caught_by_verify(world: ReplyWorld) -> None:
    await world.sms(PHONES["B1"], "我周五还")
    log = world.services.log
    assert (await log.verify()).first_break is None
    inbound = await Message.get(direction="in", body="我周五还")
    await Message.filter(id=inbound.id).update(body="我下个月还")
    problem = (await log.verify()).first_break
    assert problem is not None and problem.chain == "borrower:B1" and f"messages row {inbound.id}" in problem.problem
    await Message.filter(id=inbound.id).update(body="我周五还")
    answer = await Message.filter(direction="out", borrower__borrower_id="B1").first()
    assert answer is not None
    await Message.filter(id=answer.id).update(body=answer.body.replace("12月4日", "12月11日"))
    problem = (await log.verify()).first_break
    assert problem is not None and "differs from what this sealed entry records" in problem.problem


async def test_the_borrower_api_shows_pauses_and_a_wrong_number(world: ReplyWorld) -> None:
    await world.sms(PHONES["B2"], "I lost my job, I need more time")
    status, body = await world.api("/api/v1/borrowers/B2")
    assert status == 200 and [p["reason"] for p in body["pauses"]] == ["hardship"]
    assert body["phone_wrong"] is False and body["telegram_usable"] is False  # no chat linked
    await world.sms(PHONES["B1"], "wrong number, I don't know this person")
    status, body = await world.api("/api/v1/borrowers/B1")
    assert body["phone_wrong"] is True


async def test_an_already_paid_claim_pauses_follow_ups_until_the_check_or_the_limit(world: ReplyWorld) -> None:
    # The trial's case: "我已经还了" was answered "we will check", then overdue follow-ups came the
    # next days. Due 10 Dec in Shanghai; the claim on the 11th (D+1) pauses the loan's follow-ups
    # for payments.claim_pause_days (5: the 11th to the 15th), so D+3 is held and D+7 goes.
    assert world.services.policy.payments.claim_pause_days == 5
    world.clock.now = datetime(2026, 12, 11, 1, tzinfo=UTC)  # 09:00 in Shanghai
    await world.sms(PHONES["B1"], "我已经还了")
    [answer] = world.sms_to(PHONES["B1"])
    assert "核实期间（最长5天）我们不会就此发送提醒" in answer
    [case] = await world.cases("B1")
    assert case.kind == "payment_check"
    await world.tick(datetime(2026, 12, 13, 2, tzinfo=UTC))  # D+3, 10:00 in Shanghai
    await world.tick(datetime(2026, 12, 17, 2, tzinfo=UTC))  # D+7: the pause has ended
    assert await reminders_to("B1") == [("D+3", "skipped:paused:payment_claim"), ("D+7", "sent")]


async def test_resolving_the_payment_check_lifts_the_pause_at_once(world: ReplyWorld) -> None:
    from storage.case_actions import resolve

    world.clock.now = datetime(2026, 12, 11, 1, tzinfo=UTC)
    await world.sms(PHONES["B1"], "我已经还了")
    [found] = await world.cases("B1")
    case = await Case.get(id=found.id).prefetch_related("borrower")
    await resolve(case, "no_action", "no payment found", now=world.clock.now, log=world.services.log, actor="staff:amy")
    await world.tick(datetime(2026, 12, 13, 2, tzinfo=UTC))  # D+3 goes: the claim was checked
    assert await reminders_to("B1") == [("D+3", "sent")]
    assert "contact.pause_lifted" in await world.log_kinds("B1")
