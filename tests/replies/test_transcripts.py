"""Transcripts: the borrower says → the bot answers → the state, for every intent in English and
Chinese, over SMS (signed Twilio webhooks) and Telegram (the webhook route), with the real twilio
and aiogram clients sending the answers to local stand-ins.

One world per language (the database is wiped and the loan book reloaded between transcripts),
so the table stays cheap to run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from storage.models import ContactPause, Promise
from tests.replies.conftest import ReplyWorld

Check = Callable[[ReplyWorld], Awaitable[None]]


@dataclass(frozen=True)
class Turn:
    says: str
    answer: str | None  # the template of the answer; None: no answer at all
    contains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Transcript:
    name: str
    borrower: str
    channel: str
    turns: tuple[Turn, ...]
    check: Check | None = None


# --- state checks ---------------------------------------------------------------------------------


def promise(borrower_id: str, on: date, amount: str) -> Check:
    async def check(world: ReplyWorld) -> None:
        promises = await Promise.filter(borrower__borrower_id=borrower_id).prefetch_related("loan")
        assert [(p.promised_date, Decimal(p.amount), p.status) for p in promises] == [(on, Decimal(amount), "open")]
        pauses = await ContactPause.filter(borrower__borrower_id=borrower_id, reason="promise")
        assert [(p.end_date, p.cancelled_at) for p in pauses] == [(on, None)]

    return check


def case(borrower_id: str, kind: str, queue: str, *, notified: bool = True, loan: str | None = None) -> Check:
    async def check(world: ReplyWorld) -> None:
        cases = await world.cases(borrower_id)
        assert [(c.kind, c.queue, c.status) for c in cases] == [(kind, queue, "open")]
        if loan is not None:
            await cases[0].fetch_related("loan")
            assert cases[0].loan is not None and cases[0].loan.loan_id == loan
        assert ((kind, queue, True) in world.notified.calls) is notified

    return check


def no_case_and_no_promise(borrower_id: str) -> Check:
    async def check(world: ReplyWorld) -> None:
        assert await world.cases(borrower_id) == []
        assert not await Promise.filter(borrower__borrower_id=borrower_id).exists()

    return check


def flag(borrower_id: str, column: str, value: object) -> Check:
    async def check(world: ReplyWorld) -> None:
        assert getattr(await world.borrower(borrower_id), column) == value

    return check


def hardship_pause(borrower_id: str, start: date, end: date) -> Check:
    async def check(world: ReplyWorld) -> None:
        await case(borrower_id, "hardship", "hardship")(world)
        pauses = await ContactPause.filter(borrower__borrower_id=borrower_id, reason="hardship")
        assert [(p.start_date, p.end_date) for p in pauses] == [(start, end)]

    return check


def logged(borrower_id: str, kind: str) -> Check:
    async def check(world: ReplyWorld) -> None:
        assert kind in await world.log_kinds(borrower_id)
        await no_case_and_no_promise(borrower_id)(world)

    return check


def both(*checks: Check) -> Check:
    async def check(world: ReplyWorld) -> None:
        for one in checks:
            await one(world)

    return check


# --- the transcripts ------------------------------------------------------------------------------
# B2: English, SMS, London, £80.50 due Thu 10 Dec. B3: English, Telegram, Los Angeles (still Tue 1 Dec
# there at START), $350.00. B1: Chinese, SMS, Shanghai, ¥1,200.00. B4: Chinese, Telegram, Shanghai, ¥800.00.

ENGLISH: tuple[Transcript, ...] = (
    Transcript(
        "promise with a date",
        "B2",
        "sms",
        (Turn("I will pay on Friday", "promise_confirmed", ("Fri, 4 Dec 2026", "£80.50")),),
        promise("B2", date(2026, 12, 4), "80.50"),
    ),
    Transcript(
        "promise dated in the borrower's own zone",
        "B3",
        "telegram",
        (Turn("I'll pay tomorrow", "promise_confirmed", ("Wed, 2 Dec 2026", "$350.00")),),
        promise("B3", date(2026, 12, 2), "350.00"),
    ),
    Transcript(
        "promise with an amount",
        "B3",
        "telegram",
        (Turn("I can pay 200 on the 10th", "promise_confirmed", ("Thu, 10 Dec 2026", "$200.00")),),
        promise("B3", date(2026, 12, 10), "200.00"),
    ),
    Transcript(
        "promise without a date, then the date alone",
        "B3",
        "telegram",
        (
            Turn("I will pay", "promise_ask_date", ("Tue, 15 Dec 2026",)),
            Turn("next friday", "promise_confirmed", ("Fri, 11 Dec 2026",)),
        ),
        promise("B3", date(2026, 12, 11), "350.00"),
    ),
    Transcript(
        "promise beyond the horizon",
        "B2",
        "sms",
        (Turn("I will pay at the end of next month", "promise_beyond_horizon", ("Wed, 16 Dec 2026",)),),
        case("B2", "promise_review", "collections"),
    ),
    Transcript(
        "already paid, no payment on record",
        "B2",
        "sms",
        (Turn("I already paid", "already_paid_ack", ("check your payment",)),),
        case("B2", "payment_check", "collections"),
    ),
    Transcript(
        "hardship",
        "B3",
        "telegram",
        (Turn("I lost my job and can't pay", "hardship_ack", ("extension", "installment plan", "in touch")),),
        hardship_pause("B3", date(2026, 12, 1), date(2026, 12, 14)),
    ),
    Transcript(
        "complaint",
        "B2",
        "sms",
        (Turn("Your agent was rude, I want to file a complaint", "complaint_ack", ("reference CMP-",)),),
        case("B2", "complaint", "complaints"),
    ),
    Transcript(
        "dispute",
        "B2",
        "sms",
        (Turn("I dispute this debt, it is not mine", "dispute_ack", ("reference DSP-",)),),
        case("B2", "dispute", "disputes", loan="L2"),
    ),
    Transcript(
        "opt-out keyword",
        "B2",
        "sms",
        (Turn("STOP", "opt_out_confirmed", ("unsubscribed",)), Turn("STOP", None)),
        flag("B2", "sms_opted_out", True),
    ),
    Transcript(
        "opt-out in words on Telegram",
        "B3",
        "telegram",
        (Turn("stop messaging me", "opt_out_confirmed", ("no longer receive",)),),
        both(flag("B3", "telegram_opted_out", True), flag("B3", "sms_opted_out", False)),
    ),
    Transcript(
        "complaint that also opts out: both acted on, one last message with the reference",
        "B2",
        "sms",
        (
            Turn(
                "stop texting me, I am reporting you to the regulator",
                "complaint_ack_opt_out",
                ("reference CMP-", "unsubscribed"),
            ),
        ),
        both(flag("B2", "sms_opted_out", True), case("B2", "complaint", "complaints")),
    ),
    Transcript(
        "complaint that also promises: the case opens and the promise is recorded",
        "B2",
        "sms",
        (
            Turn(
                "I will pay £50 on Friday, but your collector called my wife at work and I am not happy",
                "complaint_ack",
                ("reference CMP-",),
            ),
        ),
        both(case("B2", "complaint", "complaints"), promise("B2", date(2026, 12, 4), "50.00")),
    ),
    Transcript(
        "dispute that also opts out: recorded, and one last message",
        "B2",
        "sms",
        (Turn("this is not my debt, stop texting me", "dispute_ack_opt_out", ("dispute", "unsubscribed")),),
        both(flag("B2", "sms_opted_out", True), case("B2", "dispute", "disputes")),
    ),
    Transcript(
        "opt back in",
        "B2",
        "sms",
        (Turn("STOP", "opt_out_confirmed"), Turn("START", "opt_in_confirmed", ("subscribed again",))),
        flag("B2", "sms_opted_out", False),
    ),
    Transcript(
        "a bare YES re-subscribes an opted-out sender",
        "B2",
        "sms",
        (Turn("STOP", "opt_out_confirmed"), Turn("YES", "opt_in_confirmed")),
        flag("B2", "sms_opted_out", False),
    ),
    Transcript(
        "help, also after an opt-out",
        "B2",
        "sms",
        (
            Turn("HELP", "help", ("Northwind Finance", "+1 800 555 0199", "Reply STOP to opt out")),
            Turn("STOP", "opt_out_confirmed"),
            Turn("HELP", "help", ("+1 800 555 0199",)),
            Turn("how much do I owe", None),  # opted out: nothing but HELP goes on this channel
        ),
        flag("B2", "sms_opted_out", True),
    ),
    Transcript(
        "wrong number",
        "B2",
        "sms",
        (Turn("wrong number", "wrong_number_ack", ("wrong number",)),),
        both(flag("B2", "phone_wrong", True), case("B2", "wrong_number", "collections")),
    ),
    Transcript(
        "human request",
        "B3",
        "telegram",
        (Turn("call me please", "human_request_ack", ("member of our team",)),),
        case("B3", "human_request", "collections"),
    ),
    Transcript(
        "balance",
        "B2",
        "sms",
        (Turn("how much do I owe", "balance", ("£80.50", "Thu, 10 Dec 2026")),),
        no_case_and_no_promise("B2"),
    ),
    Transcript("acknowledgement", "B2", "sms", (Turn("ok thanks", None),), logged("B2", "acknowledged")),
    Transcript(
        "unclear twice: one clarifying question, then a case",
        "B2",
        "sms",
        (Turn("asdf qwer", "clarify", ("did not understand",)), Turn("lol", "human_request_ack")),
        case("B2", "unclear", "collections"),
    ),
)

CHINESE: tuple[Transcript, ...] = (
    Transcript(
        "承诺还款（有日期）",
        "B1",
        "sms",
        (Turn("我周五还", "promise_confirmed", ("2026年12月4日", "¥1,200.00", "回复TD退订")),),
        promise("B1", date(2026, 12, 4), "1200.00"),
    ),
    Transcript(
        "承诺还一半：记录应还金额的一半",
        "B1",
        "sms",
        (Turn("我后天还一半", "promise_confirmed", ("2026年12月4日", "¥600.00")),),
        promise("B1", date(2026, 12, 4), "600.00"),
    ),
    Transcript(
        "先还一半，剩下的周五还：承诺在周五前还清",
        "B1",
        "sms",
        (Turn("先还一半，剩下的周五还", "promise_confirmed", ("2026年12月4日", "¥1,200.00")),),
        promise("B1", date(2026, 12, 4), "1200.00"),
    ),
    Transcript(
        "承诺还款（有金额）",
        "B4",
        "telegram",
        (Turn("我明天还500", "promise_confirmed", ("2026年12月3日", "¥500.00")),),
        promise("B4", date(2026, 12, 3), "500.00"),
    ),
    Transcript(
        "承诺还款（无日期，追问后回答）",
        "B4",
        "telegram",
        (
            Turn("我会还的", "promise_ask_date", ("2026年12月16日",)),
            Turn("周五", "promise_confirmed", ("2026年12月4日",)),
        ),
        promise("B4", date(2026, 12, 4), "800.00"),
    ),
    Transcript(
        "承诺还款（超出期限）",
        "B1",
        "sms",
        (Turn("我下个月还", "promise_beyond_horizon", ("2026年12月16日",)),),
        case("B1", "promise_review", "collections"),
    ),
    Transcript(
        "已还款",
        "B1",
        "sms",
        (Turn("我已经还了", "already_paid_ack", ("核实",)),),
        case("B1", "payment_check", "collections"),
    ),
    Transcript(
        "经济困难",
        "B4",
        "telegram",
        (Turn("我失业了还不上", "hardship_ack", ("延期还款", "分期还款", "工作人员")),),
        hardship_pause("B4", date(2026, 12, 2), date(2026, 12, 15)),
    ),
    Transcript(
        "投诉",
        "B1",
        "sms",
        (Turn("我要投诉你们，天天打电话骚扰", "complaint_ack", ("编号CMP-",)),),
        case("B1", "complaint", "complaints"),
    ),
    Transcript(
        "异议",
        "B1",
        "sms",
        (Turn("这笔钱我没借过", "dispute_ack", ("编号DSP-",)),),
        case("B1", "dispute", "disputes", loan="L1"),
    ),
    Transcript(
        "退订",
        "B1",
        "sms",
        (Turn("退订", "opt_out_confirmed", ("您已成功退订",)),),
        flag("B1", "sms_opted_out", True),
    ),
    Transcript(
        "投诉并要求停止发送：告知编号，并确认退订",
        "B1",
        "sms",
        (Turn("别再发短信了，我要投诉你们", "complaint_ack_opt_out", ("编号CMP-", "退订")),),
        both(flag("B1", "sms_opted_out", True), case("B1", "complaint", "complaints")),
    ),
    Transcript(
        "投诉并承诺还款：投诉立案，还款承诺照样记录",
        "B1",
        "sms",
        (Turn("周五还500，但是你们打电话到我单位，太过分了", "complaint_ack", ("编号CMP-",)),),
        both(case("B1", "complaint", "complaints"), promise("B1", date(2026, 12, 4), "500.00")),
    ),
    Transcript(
        "重新订阅",
        "B4",
        "telegram",
        (Turn("不要再发了", "opt_out_confirmed"), Turn("订阅", "opt_in_confirmed", ("重新订阅",))),
        flag("B4", "telegram_opted_out", False),
    ),
    Transcript(
        "帮助（退订后仍回答）",
        "B1",
        "sms",
        (Turn("退订", "opt_out_confirmed"), Turn("帮助", "help", ("Northwind Finance", "+1 800 555 0199"))),
        flag("B1", "sms_opted_out", True),
    ),
    Transcript(
        "打错了",
        "B1",
        "sms",
        (Turn("打错了", "wrong_number_ack", ("号码有误",)),),
        both(flag("B1", "phone_wrong", True), case("B1", "wrong_number", "collections")),
    ),
    Transcript(
        "转人工",
        "B4",
        "telegram",
        (Turn("请让人工客服联系我", "human_request_ack", ("工作人员",)),),
        case("B4", "human_request", "collections"),
    ),
    Transcript(
        "查询欠款",
        "B1",
        "sms",
        (Turn("我还欠多少钱", "balance", ("¥1,200.00", "2026年12月10日")),),
        no_case_and_no_promise("B1"),
    ),
    Transcript("收到", "B1", "sms", (Turn("好的谢谢", None),), logged("B1", "acknowledged")),
    Transcript(
        "无法理解",
        "B4",
        "telegram",
        (Turn("今天天气不错", "clarify", ("没有理解",)), Turn("哈哈", "human_request_ack", ("工作人员",))),
        case("B4", "unclear", "collections"),
    ),
)


async def run_transcript(world: ReplyWorld, transcript: Transcript) -> None:
    label = f"[{transcript.name}]"
    for turn in transcript.turns:
        before = len(world.answers_to(transcript.borrower, transcript.channel))
        response = await world.say(transcript.borrower, transcript.channel, turn.says)
        assert response.status == 200, label
        answers = world.answers_to(transcript.borrower, transcript.channel)[before:]
        replies = [m for m in await world.replies(transcript.borrower) if m.payload.get("in_reply_to")]
        latest = replies[-1] if replies else None
        if turn.answer is None:
            assert answers == [], (label, turn.says, answers)
            continue
        assert len(answers) == 1, (label, turn.says, answers)
        assert latest is not None and latest.kind == turn.answer and latest.status == "sent", (
            label,
            turn.says,
            latest.kind if latest else None,
        )
        assert latest.channel == transcript.channel, label
        for snippet in turn.contains:
            assert snippet in answers[0], (label, turn.says, snippet, answers[0])
    if transcript.check is not None:
        await transcript.check(world)
    # Every message in was handled and recorded, and the log still verifies.
    assert (await world.services.log.verify()).first_break is None, label


async def test_english_transcripts(world: ReplyWorld) -> None:
    for transcript in ENGLISH:
        await world.reset()
        await run_transcript(world, transcript)


async def test_chinese_transcripts(world: ReplyWorld) -> None:
    for transcript in CHINESE:
        await world.reset()
        await run_transcript(world, transcript)


def test_every_intent_has_a_transcript_in_both_languages() -> None:
    from bot.nlu import INTENTS, classify

    for table in (ENGLISH, CHINESE):
        said = {classify(turn.says, date(2026, 12, 2)).intent for t in table for turn in t.turns}
        assert set(INTENTS) - said == set(), set(INTENTS) - said
