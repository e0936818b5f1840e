"""Complaints that do not say "complaint" (issue 8, item 9), and the replies that only look like one.

The README's complaint is a reply that "complains about treatment, fees, contact, staff; threatens to
report to a regulator". The kinds that must be caught in both languages, with or without the word:
charges called unfair or extortionate, being ignored, going to a regulator, a lawyer, an ombudsman or
the press, and contact with family, neighbours or the workplace, or contact too often. A complaint
that also promises stays a complaint, with promise_to_pay in ``also``. The lines here are not in the
labelled sets: they check that the rules are general, not fitted to those lines.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.nlu import classify

WED = dt.date(2026, 12, 2)

COMPLAINTS: dict[str, list[str]] = {
    "charges": [
        "your late fees are a total con",
        "these penalty charges are absolutely extortionate",
        "charging interest on interest is criminal",
        "you are loan sharks",
        "利息高得离谱，你们就是吸血鬼",
        "这个服务费太黑了",
        "明天还，但你们收费太坑了",
        "呢啲利息貴到離譜",
    ],
    "ignored": [
        "I've phoned four times this week and nobody has called me back",
        "no one ever answers your phones",
        "you never reply to my emails",
        "been on hold for an hour, useless",
        "打了一整天电话都没人接",
        "客服一直不回消息",
        "邮件发了好几封，没人回复",
    ],
    "escalation": [
        "I'm taking this to the Financial Ombudsman",
        "expect a letter from my solicitor",
        "I'll be speaking to my lawyer about this",
        "going to the press with this",
        "see you in court",
        "我要去银保监会投诉",
        "我会找律师起诉你们",
        "发到微博上让大家评评理",
    ],
    "contact": [
        "your collector called my employer, this is unacceptable",
        "why are you texting my daughter about my debt",
        "five calls a day is harassment",
        "stop calling my neighbours",
        "texting me at 5am is not ok",
        "你们打电话到我单位，让我很难堪",
        "再给我家人打电话我就报警",
        "你哋打俾我公司做乜嘢",
    ],
}


@pytest.mark.parametrize(
    "text", [t for texts in COMPLAINTS.values() for t in texts], ids=[t for ts in COMPLAINTS.values() for t in ts]
)
def test_complaints_without_the_word(text: str) -> None:
    assert classify(text, WED).intent == "complaint"


@pytest.mark.parametrize(
    "text",
    [
        "I'll pay Friday but stop calling my mum",
        "I will pay tomorrow, but your agent called my wife at work and that's harassment",
        "will pay $200 on the 10th, but I've emailed five times and heard nothing",
        "周五还，但你们的罚息太离谱了",
        "明天还500，再给我同事打电话我就去银保监会",
    ],
)
def test_a_complaint_that_also_promises_carries_the_promise_in_also(text: str) -> None:
    got = classify(text, WED)
    assert got.intent == "complaint"
    assert "promise_to_pay" in got.also
    # The conventions keep dates and amounts for primary promises only; the conversation reads them.
    assert got.promise_date is None and got.amount is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("my lawyer friend will lend me the money, paying Friday", "promise_to_pay"),
        ("what are the late fees?", "balance_inquiry"),
        ("call me back", "human_request"),
        ("please call my wife, she handles our bills", "human_request"),
        ("can you call my mobile instead", "human_request"),
        ("sorry I missed your call, can you call me back?", "human_request"),
        ("I called my mum and she'll lend me the money, will pay Friday", "promise_to_pay"),
        ("I spoke to my husband, we will pay on the 15th", "promise_to_pay"),
        ("Thanks for calling my wife back yesterday, I'll pay Monday", "promise_to_pay"),
        ("I'm going to be in court tomorrow, will pay Friday", "promise_to_pay"),
        ("I'll pay the late fee on Friday", "promise_to_pay"),
        ("no problem, I'll pay the interest and the fee on the 10th", "promise_to_pay"),
        ("still waiting on my paycheck, will pay when it lands on Friday", "promise_to_pay"),
        ("my lawyer is handling my bankruptcy", "hardship"),
        ("I feel so useless since I lost my job, can't pay", "hardship"),
        ("my solicitor paid it last week", "already_paid"),
        ("saw your ad in the paper", "other"),
        ("is this a scam?", "other"),
        ("是不是骗子啊", "other"),
        ("律师朋友借我钱了，周四还", "promise_to_pay"),
        ("我给我妈打电话借了钱，明天还", "promise_to_pay"),
        ("跟我老婆说了，她明天帮我还", "promise_to_pay"),
        ("凭良心说，我周五一定还", "promise_to_pay"),
        ("我没骗人，周五肯定还", "promise_to_pay"),
        ("不好意思一直没回，收到了", "acknowledge"),
        ("罚息是多少", "balance_inquiry"),
        ("sorry nobody answered when you called, I was at work. I'll pay Friday", "promise_to_pay"),
        ("I've been on hold with my bank for an hour, will pay tonight", "promise_to_pay"),
        ("I'm talking to my lawyer about bankruptcy", "hardship"),
        ("I know the fees are high, sorry, will pay Friday", "promise_to_pay"),
        ("sorry I've been ignoring your messages, I'll pay on the 10th", "promise_to_pay"),
    ],
)
def test_hard_negatives(text: str, intent: str) -> None:
    assert classify(text, WED).intent == intent
