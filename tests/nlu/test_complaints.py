"""Complaints that do not say "complaint" (issue 8, item 9), and the replies that only look like one.

The README's complaint is a reply that "complains about treatment, fees, contact, staff; threatens to
report to a regulator". The kinds that must be caught in both languages, with or without the word:
charges called unfair or extortionate, being ignored, going to a regulator, a lawyer, an ombudsman or
the press, and contact with family, neighbours or the workplace, or contact too often; and the same
said sarcastically ("cheers for the 11pm call"). A complaint that also promises stays a complaint, with
promise_to_pay in ``also``. The lines here are not in the labelled sets: they check that the rules are
general, not fitted to those lines. Each kind has phrasings of its own, written after blind set E
(reviewer_e.jsonl) showed which kinds the rules had been fitted to rather than built for.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.nlu import classify, grievance
from bot.nlu.codeswitch import chinese_view
from bot.nlu.normalize import normalize

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
        # loan-sharking, robbery, a loan made to cost a multiple, fees on fees
        "you're no better than a loan shark",
        "legalised theft, that's what this is",
        "you turned a $300 loan into $900, shame on you",
        "your rates would make a payday lender blush",
        "£40 just for being late once? robbing people blind",
        "charging a fee to pay a fee. unreal.",
        "This interest is not legal in my state and you know it",
        "利滚利，越还越多",
        "借两千要还六千，抢劫啊",
        "罚息一天五十，你们怎么不去抢",
        "年利率都快50%了，国家允许吗",
        "你们这个服务费根本没告诉过我",
        "手续费扣得莫名其妙",
        "利息這麼高，同搶錢有咩分別",
    ],
    "ignored": [
        "I've phoned four times this week and nobody has called me back",
        "no one ever answers your phones",
        "you never reply to my emails",
        "been on hold for an hour, useless",
        "打了一整天电话都没人接",
        "客服一直不回消息",
        "邮件发了好几封，没人回复",
        # no reply, the runaround, a chatbot loop
        "still no reply to my email from last week",
        "four emails now and not a single response",
        "I asked for a callback last Tuesday. Still waiting.",
        "Nobody from your company has bothered to get back to me",
        "every time I call I get passed from one department to another",
        "your staff keep fobbing me off",
        "nobody on your end will take responsibility",
        "each time I call someone says they'll escalate it and nothing happens",
        "the chatbot just sends me round in circles",
        "your bot keeps giving me the same three options, none of them help",
        "your phone line rings out every time",
        "在线客服就是个机器人，翻来覆去就那几句",
        "打了好几次热线都转不到人工",
        "发了三封邮件，一封都没回",
        "客服电话永远打不进去",
        "每次打过去都是不同的人，说法都不一样",
        "问了三遍都说在处理，到底处理什么",
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
        # an MP, Citizens Advice, review sites, the police, evidence kept for a lawyer
        "I'm contacting my MP about this",
        "my MP's office has been informed",
        "I'm going to Citizens Advice about the way you've treated me",
        "I'll be leaving a review on Trustpilot about this",
        "posted about you on the local Facebook group",
        "I've made a police report about your collector",
        "I've saved every message and my solicitor has copies",
        "I'll take this all the way to court if I have to",
        "小红书上写了你们的事",
        "这事我会在微博上公开",
        "我去公安局报案了，你们等着",
        "你們再咁樣我就去消委會投訴",
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
        # the borrower's people and contacts list, night calls, counts, threats, doorstep visits
        "you texted everyone in my phone book",
        "your agent left a voicemail for my boss",
        "why is my sister getting texts about my account",
        "your agent called my 80 year old mother and frightened her",
        "your agent swore at my husband",
        "your guy said he'd come round to my house",
        "a 6am call on a Saturday? seriously?",
        "your call woke my baby up at 7am on a Sunday",
        "seven texts before lunch, give it a rest",
        "你们催收员给我HR打电话了",
        "给我紧急联系人打了十几个电话",
        "你们把我欠钱的事告诉了我邻居",
        "打电话给我前女友是几个意思",
        "凌晨一点还在打电话，有没有人性",
        "一上午打了五个电话",
        "你们的人跑到我公司来闹",
        "你哋打畀我屋企人做咩",
    ],
    "sarcasm": [
        "Thanks for the 6am wake-up call, lovely way to start the day",
        "Great, another text. Third one this morning 🙄",
        "Brilliant, yet another reminder. Really useful.",
        "Wow, a call at 10pm. Thanks so much.",
        "So kind of you to call my mother about my loan, really appreciated",
        "so nice of you to ring my boss, cheers",
        "wow a £25 charge for being 2 days late, how generous",
        "Love waking up to three texts from you lot",
        "Great service as always, 3 weeks and no reply",
        "A fee for paying early. Really fair. Not.",
        "真贴心啊，半夜两点提醒我还款",
        "谢谢你们半夜两点的电话哦",
        "你们可真敬业，周末早上六点就开始打",
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
        "Paying tomorrow. Your fees are still a joke though.",
        "I'll clear it on the 15th, and I'll be reporting your collector to the FCA",
        "I'll settle up Friday, but tell your man to stop shouting at my wife",
        "I'll pay it, but I'm forwarding all of this to the BBC",
        "明天还，但是你们半夜打电话太过分了",
        "我周五还，但你们给我单位打电话这事我会投诉",
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
        # the borrower's own lawyer, fees asked about, a contact asked for, thanks for a favour
        ("my solicitor advised a payment plan, I lost my job", "hardship"),
        ("what's the late fee if I pay Monday?", "balance_inquiry"),
        ("can you call my son, he speaks better English", "human_request"),
        ("谢谢你们上次帮我延期", "acknowledge"),
        ("very kind of you to give me the extension, thank you", "acknowledge"),
        ("Thanks for not calling my work, I'll pay on the 15th", "promise_to_pay"),
        ("好的，周五还，谢谢你们没有打电话给我家人", "promise_to_pay"),
        ("my wife got your text, she'll transfer it tonight", "promise_to_pay"),
        ("你们可以联系我老婆，她管钱", "human_request"),
        ("找朋友借了钱，明天还", "promise_to_pay"),
        ("我给我妈妈打电话借了钱，明天还", "promise_to_pay"),
        # the hours and counts are the borrower's own
        ("sorry about the 1am message, couldn't sleep. Paying Friday", "promise_to_pay"),
        ("I start work at 7am so I'll pay at lunch", "promise_to_pay"),
        ("我凌晨下班，明早转账", "promise_to_pay"),
        ("半夜才看到短信，早上就还", "promise_to_pay"),
        ("一天打两份工，周末还上", "promise_to_pay"),
        # reviews, debt charities and the police, when nobody is being reported
        ("I read your reviews on Trustpilot before borrowing, will pay Friday", "promise_to_pay"),
        ("I'll leave you a good review when it's all done", "other"),
        ("I'm seeing a debt adviser tomorrow about a payment plan", "hardship"),
        ("Citizens Advice will contact you about a repayment plan", "hardship"),
        ("will you report my late payment to the credit bureau?", "other"),
        ("I was the victim of a robbery, they took my cards, need more time", "hardship"),
        ("Not my loan. I've filed a police report for identity fraud.", "dispute"),
        ("有人冒用我身份证借的，已经报警了", "dispute"),
        ("警察叔叔帮我找回了手机，明天还", "promise_to_pay"),
        ("我在派出所办身份证，明天还", "promise_to_pay"),
        ("小红书上有人推荐你们，还能借吗", "other"),
        ("律师说这种情况可以申请分期", "hardship"),
        # a channel chosen, not messages stopped
        ("请发微信，别打电话，上班不方便", "other"),
        ("不要打电话了，也不要发短信了", "opt_out"),
    ],
)
def test_hard_negatives(text: str, intent: str) -> None:
    assert classify(text, WED).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "Can I pay in smaller amounts? My hours got cut",
        "could I pay in smaller chunks, I only get paid fortnightly",
        "Can I get a payment holiday? I've lost most of my shifts",
    ],
)
def test_asking_to_pay_less_is_hardship_not_a_promise(text: str) -> None:
    assert classify(text, WED).intent == "hardship"


@pytest.mark.parametrize(
    ("text", "intent", "date", "amount"),
    [
        # regional ways of promising and of saying it is paid
        ("I'll lodge €80 into your account on Friday", "promise_to_pay", dt.date(2026, 12, 4), 80),
        ("can do ₱2000 on Friday", "promise_to_pay", dt.date(2026, 12, 4), 2000),
        ("will sort it by Friday", "promise_to_pay", dt.date(2026, 12, 4), None),
        ("cheers for the reminder mate, sorted tomorrow", "promise_to_pay", dt.date(2026, 12, 3), None),
        (
            "my accountant said to clear this one first, I'll transfer it tomorrow",
            "promise_to_pay",
            dt.date(2026, 12, 3),
            None,
        ),
        ("妈妈让我先把这笔还了，周五就转", "promise_to_pay", dt.date(2026, 12, 4), None),
        ("I lodged it this morning", "already_paid", None, None),
        ("Abeg, I don pay am yesterday", "already_paid", None, None),
        ("上周就扣款成功了", "already_paid", None, None),
        # a question about settling is not a commitment to settle
        ("if I clear it today how much do I owe?", "balance_inquiry", None, None),
        ("What would the payoff be if I close the loan this week?", "balance_inquiry", None, None),
        ("如果下周一次性还清，要还多少", "balance_inquiry", None, None),
        # denials and wrong numbers in other words
        ("Na wa, I no collect any loan from una", "dispute", None, None),
        ("我从来没在你们这开过户", "dispute", None, None),
        ("I think it's my brother you want, he used to have this number", "wrong_number", None, None),
        ("这是我妈以前的号码，她早就不用了", "wrong_number", None, None),
        ("human please", "human_request", None, None),
        ("我想跟上次那个王先生通个电话", "human_request", None, None),
        ("Aye, no bother", "acknowledge", None, None),
    ],
)
def test_other_intents_in_other_words(text: str, intent: str, date: dt.date | None, amount: int | None) -> None:
    got = classify(text, WED)
    assert (got.intent, got.promise_date, got.amount) == (intent, date, amount)


# --- the grievance safety net (bot/nlu/grievance.py), written after blind set F (reviewer_f.jsonl) ------
# Set F showed that fitting phrases to sets C, D and E did not generalise (86% complaint recall on a fresh
# set). The net is general by construction: a grievance (affect, a rhetorical challenge, sarcasm) aimed at
# the lender. These phrasings are our own; each is checked against the net itself as well as the classifier.


def _net(text: str) -> bool:
    normalized = normalize(text)
    return grievance.finds_grievance(normalized) or grievance.finds_grievance(chinese_view(normalized))


GRIEVANCES: dict[str, list[str]] = {
    # an affect word, and the lender as the one acting, its staff, app or charges
    "affect": [
        "Honestly fed up with your agents ringing me during school pickup",
        "Your support people ghosted me for a fortnight. Not good enough.",
        "Three separate 'admin' charges this month. Absolute thievery.",
        "being phoned at 6am on my day off by someone who wouldn't give a name. Unacceptable.",
        "你们客服说话阴阳怪气的，我真的很不满",
        "贵司的处理方式令我非常不满",
        "天天轰炸，还让不让人活了",
    ],
    # a rhetorical challenge: no affect word at all
    "challenge": [
        "How dare your collector tell me I should sell my car",
        "What kind of company charges a widow thirty dollars to pay by phone?",
        "This is not how a responsible lender should treat a pensioner",
        "凭啥又扣我一笔服务费？",
    ],
    # sarcasm, and a promise the lender did not keep
    "sarcasm and broken promises": [
        "你们这操作真的nb，一个月手续费比利息还多",
        "You said someone would ring me back within 48 hours. No call, no text, nothing.",
        "说好的周一给我回电话，都周四了，人呢",
    ],
}


@pytest.mark.parametrize(
    "text", [t for texts in GRIEVANCES.values() for t in texts], ids=[t for ts in GRIEVANCES.values() for t in ts]
)
def test_the_grievance_net_catches_grievances_aimed_at_the_lender(text: str) -> None:
    assert _net(text)
    assert classify(text, WED).intent == "complaint"


@pytest.mark.parametrize(
    "text",
    [
        "I'll pay on the 12th, but the way your app keeps adding charges is out of line",
        "I'll transfer 300 tomorrow, though your collector's tone yesterday was out of line",
        "Paying in full Friday. Your app double-charged me and support ghosted me.",
        "周五还你们，但是催收员说话太阴阳怪气了",
    ],
)
def test_a_promise_with_a_grievance_is_a_complaint_carrying_the_promise(text: str) -> None:
    got = classify(text, WED)
    assert got.intent == "complaint"
    assert "promise_to_pay" in got.also


def test_the_net_is_a_separate_layer_that_can_be_left_out() -> None:
    text = "Your support people ghosted me for a fortnight. Not good enough."
    assert classify(text, WED).intent == "complaint"
    assert classify(text, WED, grievance_net=False, learned_net=False).intent != "complaint"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # a grievance about someone or something else
        ("I'm fed up with my job, but I'll pay on Friday", "promise_to_pay"),
        ("my landlord is a joke, rent went up again. will pay friday", "promise_to_pay"),
        ("my boss is useless, wages are late, need a few more days", "hardship"),
        ("老板太过分了，工资拖了两个月，能不能宽限几天", "hardship"),
        ("我自己太过分了，拖了这么久，周五一定还", "promise_to_pay"),
        # negative words without the lender
        ("the bus was a joke today, paying tonight", "promise_to_pay"),
        ("ridiculous week at work, sorry, will send it Monday", "promise_to_pay"),
        ("最近真是离谱，啥都涨价，明天还你们", "promise_to_pay"),
        # gratitude and praise, and a grievance word negated
        ("your agent Sam was lovely, thank you, I'll pay on the 9th", "promise_to_pay"),
        ("your staff were not rude at all, thanks for being patient", "acknowledge"),
        ("thanks so much, your team has been brilliant", "acknowledge"),
        ("我妈说你们客服态度很好，明天还", "promise_to_pay"),
        # questions about fees
        ("what's the fee if I pay a day late?", "balance_inquiry"),
        ("how much interest will I be charged next month?", "balance_inquiry"),
        ("利息是多少？", "balance_inquiry"),
        ("提前结清的话有没有手续费", "other"),
    ],
)
def test_the_grievance_net_needs_a_grievance_aimed_at_the_lender(text: str, intent: str) -> None:
    assert not _net(text)
    assert classify(text, WED).intent == intent


# --- unsafe promises: a request to move the date, a guarantor who is not the borrower -----------------


@pytest.mark.parametrize(
    "text",
    [
        "could we settle a fortnight later instead? the harvest is late",
        "would it be ok if I paid next month instead?",
        "any chance my due date can be pushed back to the 20th?",
        "能不能改到下周五再还",
        "月底再还可以吗",
    ],
)
def test_asking_to_move_the_date_is_hardship_never_a_promise(text: str) -> None:
    assert classify(text, WED).intent == "hardship"


@pytest.mark.parametrize(
    ("text", "date", "amount"),
    [
        # offering a date, even as a question, is still a promise
        ("can I pay on Thursday?", dt.date(2026, 12, 3), None),
        ("would it be alright if I pay 200 on Friday?", dt.date(2026, 12, 4), 200),
        ("可以周五还吗", dt.date(2026, 12, 4), None),
    ],
)
def test_offering_a_date_is_a_promise(text: str, date: dt.date, amount: int | None) -> None:
    got = classify(text, WED)
    assert (got.intent, got.promise_date, got.amount) == ("promise_to_pay", date, amount)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("I only co-signed for my nephew, I'm not the borrower", "dispute"),
        ("I was never a guarantor on this account", "dispute"),
        ("我只是担保人，不是借款人，别找我", "dispute"),
        ("我什么时候欠过你们钱？", "dispute"),
        # a guarantor who pays is promising
        ("I'm his guarantor, I'll pay it Friday", "promise_to_pay"),
        ("我是担保人，周五我替他还", "promise_to_pay"),
    ],
)
def test_a_guarantor_who_is_not_the_borrower_disputes(text: str, intent: str) -> None:
    assert classify(text, WED).intent == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # escalation in other words
        ("my lawyer is preparing a complaint to the ombudsman about you", "complaint"),
        ("a reporter from the evening news is looking into your collection practices", "complaint"),
        # a police report about the borrower's own loss
        (
            "my wallet was stolen and I've reported it to the police, will pay once my new card arrives",
            "promise_to_pay",
        ),
        ("手机被偷了，已经报警了，明天还", "promise_to_pay"),
    ],
)
def test_escalation_and_the_borrowers_own_police_report(text: str, intent: str) -> None:
    assert classify(text, WED).intent == intent


@pytest.mark.parametrize(
    ("text", "intent", "date", "amount"),
    [
        # named days and "now"
        ("I'll pay it all by Christmas Eve", "promise_to_pay", dt.date(2026, 12, 24), None),
        ("I'll have it to you by New Year's Day", "promise_to_pay", dt.date(2027, 1, 1), None),
        ("圣诞节前还清", "promise_to_pay", dt.date(2026, 12, 25), None),
        ("I'll pay after Christmas", "promise_to_pay", None, None),
        ("paying it now", "promise_to_pay", WED, None),
        # promises in other words
        ("我老公说下周一给你们转一千", "promise_to_pay", dt.date(2026, 12, 7), 1000),
        ("明天就把这笔还了", "promise_to_pay", dt.date(2026, 12, 3), None),
        ("后天给钱", "promise_to_pay", dt.date(2026, 12, 4), None),
        ("my salary is paid on the 28th, I'll pay you then", "promise_to_pay", dt.date(2026, 12, 28), None),
        # a hospital as a workplace
        ("I'm a nurse at the hospital, paying tomorrow", "promise_to_pay", dt.date(2026, 12, 3), None),
        ("我在医院值班，下班就还", "promise_to_pay", None, None),
        # paid in other words
        ("Kindly note that a payment of £120 was made by standing order yesterday", "already_paid", None, None),
        ("the refund was already deducted from my balance last week", "already_paid", None, None),
        # a call asked for in a letter, a last instalment, regional acknowledgements
        ("I'd welcome a phone call from someone on your team", "human_request", None, None),
        ("最后一期还多少", "balance_inquiry", None, None),
        ("晓得了，谢谢", "acknowledge", None, None),
        # "before I pay anything" commits to nothing
        ("before I pay anything I want to see the agreement", "other", None, None),
    ],
)
def test_other_fixes_after_set_f(text: str, intent: str, date: dt.date | None, amount: int | None) -> None:
    got = classify(text, WED)
    assert (got.intent, got.promise_date, got.amount) == (intent, date, amount)
