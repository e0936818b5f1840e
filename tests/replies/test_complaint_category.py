"""The complaint register's topics: the first row of the table that matches wins."""

from __future__ import annotations

import pytest

from bot.conversation.complaint_category import COMPLAINT_CATEGORIES, COMPLAINT_TOPICS, complaint_category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I'm reporting you to the CFPB", "regulator"),
        ("your agent was rude and I will report you to the regulator", "regulator"),  # the regulator first
        ("我要去银保监投诉你们", "regulator"),
        ("Your collector yelled at me", "staff_conduct"),
        ("客服态度太差了，我要投诉", "staff_conduct"),
        ("you called my employer, I want to complain", "contact_practice"),
        ("天天打电话骚扰我家人，投诉", "contact_practice"),
        ("the late fee is a rip-off, complaint", "fees_charges"),
        ("利息太高了 我要投诉", "fees_charges"),
        ("you leaked my personal data, complaint", "data_privacy"),
        ("I want to file a complaint", "other"),
        ("我要投诉", "other"),
    ],
)
def test_complaint_category(text: str, category: str) -> None:
    assert complaint_category(text) == category


# Going to a regulator, an ombudsman, a lawyer or solicitor, a court, the police, the press or TV,
# social media and public reviews: all filed as ``regulator``.
@pytest.mark.parametrize(
    "text",
    [
        "My solicitor will be in touch.",
        "Reporting u to the FCA!!",
        "This is going straight to the Financial Ombudsman",
        "I've spoken to my lawyer and he says these letters are illegal",
        "Keep this up and I'll see you in court",
        "If your man turns up at my door again I'm calling the police",
        "I'll be going to the papers with this",
        "The BBC would love to hear how you treat people",
        "I'm posting every one of your texts on Facebook so people can see",
        "Expect a one star review on Trustpilot",
        "I have written to my MP about your company",
        "Trading standards will be hearing about this",
        "I'm taking legal advice",
        "I've handed the screenshots to a journalist at the local paper, talk to the press",
        "我要找律师",
        "再这样我就打12378",
        "我已经向银保监会反映了",
        "我要找媒体曝光你们",
        "我会去法院起诉你们",
        "已经报警了，等着吧",
        "我把聊天记录发到微博上让大家评评理",
        "我要打电话给电视台",
        "我會找律師處理",  # Traditional
        "我已经在黑猫上发帖了",
        "I'll make sure everyone on Facebook knows what you are",
        "Will be lodging a report with the RBI about the way you operate",
        "告到你们倒闭",
        "我要在抖音上发视频揭露你们",
    ],
)
def test_taking_it_outside_is_regulator(text: str) -> None:
    assert complaint_category(text) == "regulator"


# Rude agents: how someone behaved, including a lender's threats.
@pytest.mark.parametrize(
    "text",
    [
        "The woman who rang me this morning was incredibly rude",
        "Your agent swore at me on the phone",
        "He shouted at me and then hung up on me",
        "Your collector threatened to tell everyone I'm a thief",
        "He called me a deadbeat, who do you think you are",
        "The way your agent talked to me was disgusting",
        "你们催收员说话太难听了",
        "客服态度恶劣",
        "打电话来就骂人",
        "骂我是老赖",
        "一接通就挂我电话，什么态度",
        "你們的人語氣好兇",  # Traditional
        "i want to speak to a manager about how i was treated",
        "说话阴阳怪气",
    ],
)
def test_rude_agents_are_staff_conduct(text: str) -> None:
    assert complaint_category(text) == "staff_conduct"


# Harassment: contact with family, neighbours, friends or the workplace, too often, at night.
@pytest.mark.parametrize(
    "text",
    [
        "Why are you ringing my mum about my loan?",
        "Your agent rang my neighbours and told them I owe money",
        "Stop calling me at work, my manager is not happy",
        "You've texted me 6 times today",
        "Calls at 11pm and 6am are not acceptable",
        "Your messages woke my baby up at midnight",
        "I get 10 calls a day from you",
        "You keep calling, this is harassment",
        "You contacted my references without asking me",
        "My wife has been getting calls about my account",
        "你们是不是爆我通讯录了",
        "打到我单位去了，让我怎么做人",
        "半夜十二点还在打电话",
        "一天打二十多次电话，还让不让人活",
        "给我家人发短信算什么",
        "连我爸妈都接到你们的电话了",
        "你哋成日打去我公司",  # Cantonese
        "Your man was knocking on my neighbour's door asking about me",
        "That's the third call today",
        "My boss got a letter from you",
        "你们给我前公司打电话干什么",
        "连我邻居都知道我欠钱了",
        "一个小时打了五次",
        "你们的人去我单位闹",
        "你们这样call我老板 is totally not ok",  # code-switched
    ],
)
def test_harassment_is_contact_practice(text: str) -> None:
    assert complaint_category(text) == "contact_practice"


# Charges called unfair or extortionate, with or without naming the fee.
@pytest.mark.parametrize(
    "text",
    [
        "£45 for one missed payment is daylight robbery",
        "It's daylight robbery",
        "You're nothing but loan sharks",
        "This interest is extortionate",
        "I've paid back double what I borrowed and still owe",
        "Predatory lending, plain and simple",
        "Why was I charged twice for one late payment",
        "罚息收得太黑了",
        "你们就是高利贷",
        "服务费收这么多，抢钱啊",
        "利息比本金还高",
        "这就是套路贷",
        "你们这是吸血",
        "Bloody hell, another admin charge?",
        "逾期一天就扣200，吃相太难看了",
        "罰息收得太黑了",  # Traditional
    ],
)
def test_unfair_charges_are_fees_charges(text: str) -> None:
    assert complaint_category(text) == "fees_charges"


# Being ignored: no reply, nobody answers, on hold, passed around.
@pytest.mark.parametrize(
    "text",
    [
        "I've emailed three times and heard nothing",
        "Nobody ever answers your phone line",
        "Your team never replies to emails",
        "Been on hold for 45 minutes, again",
        "I've left 4 voicemails and still no callback",
        "Still waiting for someone to get back to me",
        "Impossible to get through to anyone",
        "You lot keep fobbing me off",
        "Three weeks and no response to my letter",
        "Why will nobody call me back?",
        "打了十几次电话都没人接",
        "客服不回",
        "发了三封邮件，石沉大海",
        "在线客服一直不回复",
        "打你们客服电话一直打不通",
        "问了好几次都在踢皮球",
        "等了一个月都没有回复",
        "打咗十幾次電話都冇人接",  # Cantonese
        "你哋啲客服唔覆",  # Cantonese
        "I've been trying to reach someone for two weeks",
        "Your phone just rings out every single time",
        "Your collections team ignores every email I send",
        "you keep telling me someone will call me back and nobody ever does",
        "打你们电话永远是忙音",
        "说好的回电呢",
        "工单提交一周了没有任何进展",
        "customer service 根本没人 reply，发了五封 email 了",  # code-switched
    ],
)
def test_being_ignored_is_unresponsive(text: str) -> None:
    assert complaint_category(text) == "unresponsive"


# Words that look like one topic but are about another.
@pytest.mark.parametrize(
    ("text", "category"),
    [
        # the lender's threat of court or arrest is staff conduct, not the borrower going outside
        ("Your agent threatened to take me to court", "staff_conduct"),
        ("Your agent said I'd be arrested if I didn't pay today", "staff_conduct"),
        ("催收员威胁说要起诉我", "staff_conduct"),
        ("你们的人说再不还就抓我去坐牢", "staff_conduct"),
        # a lawyer about the borrower's own affairs, power of attorney
        ("I'm seeing a solicitor about my divorce and you keep ringing my wife", "contact_practice"),
        ("My daughter has power of attorney and you still ring me every day", "contact_practice"),
        ("律师费也要我出？太黑了", "fees_charges"),
        # a platform or TV as where the borrower saw or contacted the lender
        ("I saw your advert on TV and the interest is a rip-off", "fees_charges"),
        ("I messaged you on Facebook three times and heard nothing", "unresponsive"),
        ("I posted on your Facebook page and nobody replied", "unresponsive"),
        ("在抖音上看到你们的广告，利息这么高", "fees_charges"),
        ("网上还款一直失败，客服不回", "unresponsive"),
        # "press", "sue", "court" inside other words
        ("I pressed 1 like the recording said and nobody picked up", "unresponsive"),
        ("I have an issue with the penalty", "fees_charges"),
        ("I'm under a lot of pressure and the admin fees are excessive", "fees_charges"),
        ("I sent you the papers last week and heard nothing", "unresponsive"),
        # the borrower as the one who calls, many times
        ("I've made so many calls and nobody answers", "unresponsive"),
        ("I called 5 times a day last week, nobody picked up", "unresponsive"),
        ("I keep calling and it goes straight to voicemail", "unresponsive"),
        ("我一直打你们客服电话，打不通", "unresponsive"),
        ("我每天都打你们电话，没人接", "unresponsive"),
        ("我不回你们消息是因为在住院，你们就打到我单位", "contact_practice"),
        # the borrower's own family and friends, not contact by the lender
        ("I called my mum to borrow the money and you still added a late fee", "fees_charges"),
        ("Thanks for calling my wife back, but the penalty is unfair", "fees_charges"),
        ("我找朋友借了钱还你们，罚息还这么高", "fees_charges"),
        # "not to be rude", "in charge", "interested", "rude" as a polite preface
        ("I'm sorry to be rude but the interest is daylight robbery", "fees_charges"),
        ("The person in charge never calls back", "unresponsive"),
        ("I'm not interested in excuses, nobody has replied in a month", "unresponsive"),
        # an agent named, but the complaint is about being ignored
        ("Your agent was polite enough but nobody replied to my email", "unresponsive"),
        # 工商银行 is a bank, 告诉 is "tell", 投诉到底 is "complain to the end"
        ("我用工商银行还的款，罚息还这么高", "fees_charges"),
        ("告诉你们，利息太高了", "fees_charges"),
        ("我要投诉到底", "other"),
        ("广告到处都是，利息却这么高", "fees_charges"),  # 广告 is an advert, not 告 (sue)
        ("我还了12378元还收我罚息", "fees_charges"),  # an amount, not the 12378 hotline
        ("网上还款发现扣了两次钱，客服不回", "unresponsive"),
        ("My husband is in prison so money is tight, and your fees are crazy", "fees_charges"),
        ("You said you would report it to the credit bureau, the late fee is a joke", "fees_charges"),
        ("我等得不耐烦了，客服还不回", "unresponsive"),  # the borrower's impatience
        ("客服很不耐烦", "staff_conduct"),
        ("I rang you 6 times a day for a week and nobody picked up", "unresponsive"),
        ("My third call today and still no answer", "unresponsive"),
        ("I called my boss to ask for an advance, your fees are unfair", "fees_charges"),
        ("罚息太黑了，我明天去我公司借钱", "fees_charges"),
        ("I'll pay by 9pm, sorry, but your agent was rude", "staff_conduct"),
        ("I'm sick of your messages", "contact_practice"),
        ("You called my mother about my loan, how dare you", "contact_practice"),
        ("Your caseworker lied to me about the balance", "staff_conduct"),  # "balance" is not a charge
    ],
)
def test_hard_negatives(text: str, category: str) -> None:
    assert complaint_category(text) == category


# Two topics in one reply: the more serious wins; what the borrower was ignored about is the substance.
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Your agent threatened me with court, so I've reported you to the FCA", "regulator"),
        ("Nobody answers and my solicitor will be in touch", "regulator"),
        ("Your agent was rude and then called my boss", "staff_conduct"),
        ("You called my boss and your fees are daylight robbery", "contact_practice"),
        ("I emailed three times about the late fee and heard nothing", "fees_charges"),
        ("I asked for my data under GDPR weeks ago and heard nothing", "data_privacy"),
        ("I want to complain about the agent I spoke to yesterday", "staff_conduct"),
        ("客服态度差，打了十几次都没人接", "staff_conduct"),
        ("天天打电话催，打过去又没人接", "contact_practice"),
        ("罚息太黑了，找客服也没人理", "fees_charges"),
        ("催收员威胁要爆我通讯录，我已经报警了", "regulator"),
        ("我要投诉你们的客服", "staff_conduct"),
        ("我告你们", "regulator"),
        ("You said you'd call back and nobody did, I'm going to the ombudsman", "regulator"),
        # naming the collector does not make contact too often a matter of staff conduct
        ("Your collector called me 5 times today, I want to complain", "contact_practice"),
    ],
)
def test_first_topic_wins(text: str, category: str) -> None:
    assert complaint_category(text) == category


def test_every_row_files_under_a_known_category_in_both_languages() -> None:
    assert {topic.category for topic in COMPLAINT_TOPICS} == set(COMPLAINT_CATEGORIES) - {"other"}
    for category in set(COMPLAINT_CATEGORIES) - {"other"}:
        assert {topic.lang for topic in COMPLAINT_TOPICS if topic.category == category} == {"en", "zh"}


def test_any_text_gets_a_known_category() -> None:
    for text in ("", "   ", "🙂", "x" * 5000, "投诉" * 2000, "call my " * 500):
        assert complaint_category(text) in COMPLAINT_CATEGORIES
