"""Layer 2: carrier keywords and the safety intents.

Carrier keywords (STOP, START, HELP, 退订, TD, ...) are legal obligations, so a reply
that *is* one of them is decided here, exactly and with the highest confidence.

The safety intents — complaint, dispute, opt-out in plain words, wrong number — sit at
the top of the precedence order: whatever else a reply says, these must be acted on,
and none of them may ever be read as a promise to pay.
"""

from __future__ import annotations

from typing import Final

from .cue import EXACT, MEDIUM, STRONG, WEAK, Cue, cues, unless
from .lazyre import lazy

# Whole-message keywords (after normalisation and stripping punctuation).
# A bare "yes" is deliberately absent: to the classifier it is an acknowledgement;
# only the conversation layer, knowing the sender opted out, may treat it as START.
CARRIER_KEYWORDS: Final[dict[str, str]] = {
    **dict.fromkeys(
        (
            "stop",
            "stopall",
            "stop all",
            "unsubscribe",
            "cancel",
            "end",
            "quit",
            "optout",
            "opt out",
            "revoke",
            "退订",
            "td",
        ),
        "opt_out",
    ),
    **dict.fromkeys(("start", "unstop", "订阅"), "opt_in"),
    **dict.fromkeys(("help", "info", "帮助"), "help"),
}
_EDGES: Final = lazy(r"^[\W_]+|[\W_]+$")


def carrier_keyword(normalized: str) -> str | None:
    """The intent of a reply that consists of one carrier keyword, else None."""
    return CARRIER_KEYWORDS.get(_EDGES.sub("", normalized))


_CONTACT_VERB: Final = r"(?:text|message|contact|call|email|e-mail|sms|write to|bother|send|ring|phone|harass|spam)"
_RELATIVES: Final = (
    r"(?:employer|boss|work|workplace|office|job|family|mother|mom|mum|father|dad|wife|husband|partner|"
    r"kids|children|son|daughter|friends?|neighbou?rs?|parents|relatives|colleagues?|co-?workers?|"
    r"sister|brother|manager|church|school)"
)
_SURNAMES: Final = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)

OPT_OUT_CUES: Final[tuple[Cue, ...]] = cues(
    "opt_out",
    "en",
    (STRONG, r"^(?:please\s+|and\s+)?stop\b(?!\s+by\b)"),
    (
        STRONG,
        r"\bstop\s+(?:texting|messaging|sending|calling|contacting|emailing|bothering|harassing|spamming|"
        r"pestering|writing|reminding|it|now|please|with)\b|"
        # "stop the/these/your …" only about contact: "stop the late fees" is not an opt-out.
        r"\bstop\s+(?:these|those|your|the|all|this)(?:\s+[\w']+){0,2}?\s+(?:messages?|texts?|sms|calls?|"
        r"reminders?|notifications?|alerts?|emails?|spam|harassment|nonsense)\b|"
        r"\bstop\s+(?:these|those|this|all|it)\W*$",
    ),
    (STRONG, r"\bstop\W*$"),
    (STRONG, rf"\b(?:don't|do not|never|quit|no longer)\s+(?:\w+\s+)?{_CONTACT_VERB}\w*\s+(?:me|this number)\b"),
    (STRONG, r"\bleave me alone\b"),
    (STRONG, r"\b(?:remove|take|delete)\s+(?:me|my number)\s+(?:from|off)\b|\b(?:remove|delete)\s+my\s+number\b"),
    (STRONG, r"\bno more\s+(?:\w+\s+)?(?:messages|texts|sms|calls|reminders|emails|notifications)\b"),
    (EXACT, r"\b(?:unsubscribe|opt\s*-?\s*out|optout)\b"),
    (
        STRONG,
        r"\b(?:don't|do not)\s+want\s+(?:\w+\s+){0,3}?(?:messages|texts|sms|calls|reminders|notifications)\b|"
        r"\b(?:don't|do not|no longer)\s+(?:want|wish|like)\s+to\s+(?:receive|get|be contacted)\b|"
        r"\bremove\s+me\b",
    ),
    (
        STRONG,
        r"\b(?:cancel|end)\s+(?:the\s+|these\s+|your\s+|my\s+|all\s+)?(?:messages|texts|reminders|notifications|"
        r"subscription|alerts)\b",
    ),
) + cues(
    "opt_out",
    "zh",
    (EXACT, r"退订|取消订阅|拒收|退出短信"),
    (STRONG, r"取消(?:短信|提醒|通知|推送|消息|发送)|关闭(?:短信|提醒|通知|推送)"),
    # Not 催 ("别催了" = don't rush me): that is impatience, not a request to stop messages.
    (STRONG, r"(?:不要|别|不用|勿|请勿|不必|不准)再?(?:给我|跟我)?(?:发|传|联系|骚扰|烦|提醒|通知)"),
    (STRONG, r"停止(?:发送|发|推送|短信|通知|联系|催收|提醒)?"),
    (STRONG, r"(?:不想|不希望|不愿意)再?(?:收到|接到|看到)"),
    (STRONG, r"(?:删除|删掉|移除)(?:我的?)?(?:号码|手机号|信息)|把我的?(?:号码|手机号)[^,，。!?]{0,8}?(?:删|移除)"),
    (STRONG, r"\btd\b"),
)
# "请发短信别打电话": asking for texts instead of calls chooses a channel; it stops nothing.
_OPT_OUT_GUARDED: Final[tuple[Cue, ...]] = unless(
    r"(?<!不要)(?<!别)(?:发|用|回)(?:个)?(?:短信|微信|信息|消息|邮件)(?!了)|(?:短信|微信|邮件)(?:联系|沟通|通知)",
    cues("opt_out", "zh", (STRONG, r"(?:不要|别|不用|勿|请勿|不必|不准)再?(?:给我|跟我)?打")),
)

# --- complaint vocabulary, by the kinds of complaint borrowers make (README: "complains about
# treatment, fees, contact, staff; threatens to report to a regulator") -----------------------

# Charges, fees, interest: what a complaint about money is about.
_CHARGES: Final = (
    r"(?:fees?|charges?|charging|charged|interest|apr|rates?|penalt(?:y|ies)|surcharges?|costs?|"
    r"this loan|your loans?|lending)"
)
# Words that call charges unfair or extortionate; on their own they are already a complaint.
_FLEECED: Final = (
    r"rip[\s-]?offs?|ripping\s+(?:me|us|people|customers)\s+off|(?:daylight|highway)\s+robbery|"
    r"(?<!\ba\s)(?<!\bof\s)(?<!\barmed\s)robbery|extortion(?:ate)?|"
    r"exploitative|exploit(?:ing|ation)|predatory|loan\s*shark(?:s|ing)?|usur(?:y|ious)|bloodsuckers?|vultures|leeches|"
    r"crooks|thieves|bleed(?:ing)?\s+(?:\w+\s+)?dry|taking\s+the\s+(?:piss|mickey|mick)|racket|"
    r"cheat(?:ing|ed|s)?\s+(?:me|us|people|customers|borrowers)|daylight\s+theft|(?:a|total|complete|absolute)\s+con|"
    # "ah long": loan shark in Malaysian and Singaporean English
    r"robb(?:ing|ed)\s+(?:people|us|me|customers|borrowers|the\s+poor|\w+\s+blind)|ah\s*longs?|(?:is|it's|that's|this\s+is|pure|plain|outright|legali[sz]ed|basically|just|nothing\s+(?:but|short\s+of)|"
    r"nothing\s+less\s+than)\s+(?:\w+\s+)?(?:theft|stealing)|stealing\s+(?:from\s+)?(?:me|us|people|customers|borrowers|"
    r"the\s+poor)|legali[sz]ed\s+(?:\w+\s+)?(?:robbery|extortion|usury|scam|mugging)"
)
# Words that, said of charges, make a complaint of them ("your interest rates are criminal").
_OUTRAGE: Final = (
    r"ridiculous|outrageous|too\s+(?:high|much|steep)|unfair|unjust|excessive|insane|crazy|criminal|scam|"
    r"obscene|disgusting|a\s+joke|absurd|greedy|shameful|kidding|joking|unreasonable|extortionate|"
    r"unbelievable|immoral|wicked|unacceptable|daylight|robbery|rip[\s-]?off|theft|stealing|a\s+racket|scandalous|"
    r"shocking|a\s+disgrace|disgraceful|steep|unreal"
)
# Whom a borrower goes to: regulators, ombudsmen, courts, the police, the press, the public.
_AUTHORITY: Final = (
    r"(?:cfpb|ftc|bbb|fca|fos|asic|afca|mas|rbi|occ|better business bureau|attorney general|ombudsman|"
    r"regulators?|consumer protection|consumer financial protection|trading standards|financial conduct authority|"
    r"tribunal|press|papers|newspapers?|media|(?:local\s+)?news\s+(?:channels?|stations?|desk)|"
    r"(?:local|national|evening|tv)\s+news|the\s+news|watchdog|bbc|itv|cnn|radio|consumer\s+(?:programme|program|show|"
    r"council|affairs|association|rights\s+\w+)|ofcom|cbn|central\s+bank|bank\s+negara|bnm|bangko\s+sentral|bsp|fccpc|"
    r"journalists?|reporters?|tv|television|mp|congress(?:wo)?man|senator|councill?or|"
    r"lawyers?|solicitors?|attorneys?|legal\s+(?:team|counsel|aid)|"
    r"twitter|facebook|reddit|tiktok|instagram|youtube|linkedin|social media|trustpilot|yelp|google\s+reviews?|"
    r"review\s+sites?|consumer\s+forums?|(?:facebook|whatsapp|community|neighbourhood|neighborhood)\s+groups?|"
    r"nextdoor|forums?)"
)
# The police: a report to them is a complaint about the lender, unless the reply is about someone
# who stole the borrower's identity (then the report is about the thief, and the reply a dispute).
_POLICE: Final = r"(?:police|cops|garda[ií]?|law\s+enforcement)"
_IDENTITY_THEFT: Final = (
    r"identity\s+(?:theft|fraud|thief|was\s+stolen)|stole\s+my\s+(?:identity|id|details|card)|stolen\s+(?:identity|id|"
    r"card|passport|wallet|phone|details)|\bin\s+my\s+name\b|\bsomeone\s+(?:else\s+)?(?:\w+\s+)?(?:used|stole|opened|"
    r"took\s+out|applied)|(?:card|id|passport|wallet|phone|details)\s+(?:was|were|got|had\s+been|has\s+been)\s+stolen|"
    r"冒用|盗用|冒名|被(?:人)?(?:盗|冒用|盗用|冒名)|身份(?:证|信息)?被|不是我(?:本人)?(?:借|贷|开|办|申请|注册|签)|"
    r"(?:别人|有人)(?:用|拿|冒)(?:了)?我的?(?:身份|名字|名义|证件|手机|信息)"
)
# A police report about the borrower's own loss (a card replaced, a wallet stolen, a break-in) is no
# complaint about the lender either.
_OWN_LOSS: Final = (
    r"\b(?:card|wallet|phone|purse|bag|id|passport)(?:'s|\s+is|\s+was|\s+has\s+been|\s+got)?\s+(?:been\s+|now\s+)?"
    r"(?:replaced|cancel\w*|blocked|lost|stolen|taken)\b|\b(?:lost|replac\w+|cancel\w*|block\w*)\s+my\s+(?:card|"
    r"wallet|phone|purse|id|passport)\b|\bbroken\s+into\b|\bburgl\w+|\b(?:was|were|got|been)\s+(?:robbed|mugged|"
    r"scammed|hacked)\b|被偷|被抢|被骗|(?:手机|钱包|卡|身份证)(?:丢|掉)了|遗失|补办"
)
# Debt charities and advisers: going to them is a complaint only when it is not for help with the debt.
_ADVISERS: Final = (
    r"(?:citizens\s+advice(?:\s+bureau)?|stepchange|national\s+debtline|moneyhelper|money\s+advice\s+service|"
    r"(?:debt|financial|credit)\s+(?:advisers?|advisors?|charity|counsell?ors?))"
)
_DEBT_HELP: Final = (
    r"payment\s+plan|repayment\s+plan|budget|debt\s+(?:management|relief|advice|plan|solution)|breathing\s+space|"
    r"\biva\b|\bdro\b|bankruptcy|insolvency|(?:manage|sort\s+out|deal\s+with)\s+my\s+(?:debts|money|finances)|"
    r"help(?:ing)?\s+me\s+(?:with|to|sort|manage)|afford"
)
# A lawyer consulted about the borrower's own affairs ("talking to my lawyer about bankruptcy") is
# not a threat to the lender.
_OWN_AFFAIRS: Final = (
    r"(?!\s+about\s+(?:my\s+|the\s+|filing\s+(?:for\s+)?)?(?:bankruptcy|insolvency|divorce|estate|will|options))"
)
_ESCALATE_VERB: Final = (
    r"(?:go|going|goes|went|gone|escalat\w*|report\w*|writ(?:e|ing)|wrote|written|complain\w*|contact\w*|"
    r"tak(?:e|ing)\s+(?:this|it|you|u|the matter)|rais(?:e|ing)\s+(?:this|it)|forward\w*|lodg\w*|fil(?:e|ed|ing)|"
    r"tell\w*|told|send\w*|sent|post\w*|shar(?:e|ing)|tag\w*|speak\w*|talk\w*|consult\w*|hand\w*|refer\w*|"
    r"pass\w*|expos\w*|draft\w*|prepar\w*)"
)
# Family, friends, neighbours and the workplace: contact with them is a complaint.
_THIRD_PARTIES: Final = (
    r"(?:employer|boss|work|workplace|office|job|family|mother|mom|mum|mommy|mummy|father|dad|daddy|wife|husband|"
    r"partner|ex|girlfriend|boyfriend|fianc[eé]e?|kids?|children|son|daughter|grand(?:son|daughter|ma|pa|mother|"
    r"father|parents)|friends?|neighbou?rs?|parents|relatives|relations|in-?laws|colleagues?|co-?workers?|"
    r"sister|brother|siblings?|cousins?|aunt|uncle|manager|supervisor|church|school|landlord|references?|"
    r"(?:elderly|old|sick)\s+(?:mother|father|mum|mom|dad|parents)|pastor|priest|imam|vicar|minister|referees?|"
    r"guarantors?|hr(?:\s+(?:department|dept|team|manager|lady|office))?|human\s+resources|personnel|payroll|granny|"
    r"gran|nan|nana|nanny|mam|mammy|ma|auntie|aunty|ex-?(?:wife|husband|partner|girlfriend|boyfriend)|flatmates?|"
    r"housemates?|room-?mates?|tenants?|clients?|customers?|students?|teachers?|doctor|carers?|care\s+home|"
    r"emergency\s+contacts?|contacts|contact\s+list|phone\s*book|workmates?|mates|team|staff|family\s+members?)"
)
# Past, progressive and third-person forms: what someone did, not a request ("call my wife").
_CONTACTED: Final = (
    r"(?:called|calling|calls|contacted|contacting|contacts|texted|texting|texts|messaged|messaging|messages|"
    r"rang|ringing|rings|phoned|phoning|phones|emailed|emailing|emails|told|telling|tells|harass\w*|"
    r"bother(?:ed|ing|s)|spoke\s+to|speaking\s+to|talked\s+to|talking\s+to|wrote\s+to|writing\s+to|"
    r"showed\s+up\s+at|turned\s+up\s+at|came\s+to|coming\s+to|shamed|shaming|visited|whatsapp(?:ed|ing)|"
    r"dm'?(?:ed|ing)|spamm(?:ed|ing)|approached|approaching|chas(?:ed|ing)|hound(?:ed|ing)|stalk(?:ed|ing)|"
    r"embarrass(?:ed|ing)|humiliat(?:ed|ing)|threaten(?:ed|ing)|(?:swore|swearing|shouted|shouting|yelled|yelling|"
    r"screamed|screaming|cursed|cursing|cussed|cussing)\s+at)"
)
_CONTACT_BASE: Final = r"(?:call|contact|text|message|ring|phone|email|bother|harass|visit|tell|involve)"
# The borrower as the one who called ("I called my mum, she'll lend me the money") or a thank-you
# ("thanks for calling my wife back"): not a complaint.
_NOT_THEM: Final = (
    r"(?<!\bi\s)(?<!\bwe\s)(?<!\bi've\s)(?<!\bwe've\s)(?<!\bi'm\s)(?<!\bwe're\s)(?<!\bi'll\s)(?<!\bi\sjust\s)"
    r"(?<!\bi\shave\s)(?<!\bi\shad\s)(?<!\bi\swas\s)(?<!\bi\sam\s)(?<!\bi've\sbeen\s)(?<!\bi\salready\s)"
    r"(?<!\bi\swill\s)(?<!\bfor\s)(?<!\bthanks\s)(?<!\bnot\s)(?<!n't\s)"
)
# Being ignored: a reply that never came, a line nobody answers.
_NOBODY: Final = r"(?:nobody|no\s*-?\s*one|noone|not\s+(?:a|one)\s+(?:single\s+)?(?:person|soul))"
_YOU_SIDE: Final = (
    r"(?:you|you\s+guys|you\s+people|your\s+(?:team|staff|agents?|people|company|office|line|helpline|"
    r"phone\s+line|support|customer\s+\w+|(?:live\s+)?chat))"
)
_ANSWER: Final = (
    r"(?:answers?|answered|picks?\s+up|picked\s+up|repl(?:y|ies|ied)|respond(?:s|ed)?|gets?\s+back|got\s+back|"
    r"calls?\s+(?:me\s+)?back|called\s+(?:me\s+)?back|returns?|returned|reads?|does|did|bothers?|bothered|cares?|"
    r"cared|helps?|helped|"
    r"answer|reply|respond|pick\s+up|get\s+back|call\s+(?:me\s+)?back|return)"
)
_COUNT: Final = (
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|several|multiple|many|so many|"
    r"a dozen|dozens(?:\s+of)?|loads\s+of|tons\s+of|hundreds\s+of)"
)
# Hours at which nobody should be called: night and the small hours.
_ODD_HOUR: Final = (
    r"(?:midnight|(?:[1-7]|12)(?::\d\d)?\s*(?:am|a\.m\.)|(?:10|11)(?::\d\d)?\s*(?:pm|p\.m\.)|night|dawn|"
    r"the middle of the night|(?:[89]|1[0-2]|eight|nine|ten|eleven|twelve)(?::\d\d)?\s*(?:o'clock\s+)?at\s+night|"
    r"(?:[1-6]|one|two|three|four|five|six)(?::\d\d)?\s*(?:o'clock\s+)?in\s+the\s+morning)"
)
# A reply that asks for a call or a text at some hour is arranging contact, not complaining about it.
_ARRANGING: Final = (
    r"\b(?:can|could)\s+(?:i|you|we|someone)\s+(?:get|have|do|arrange|schedule|book|give|call|text|ring)\b|"
    r"\b(?:prefer|rather|best\s+(?:time|to))\b|"
    # the borrower's own late message: "sorry for the midnight text"
    r"\b(?:sorry|apologi[sz]e|apologies)\s+(?:for|about)\s+(?:the|my|this|that|texting|messaging|replying|writing)\b"
)
# Asking the lender to contact someone ("please call my wife about the loan, she handles it").
_ASKING_TO_CONTACT: Final = (
    r"\b(?:can|could|would|will)\s+(?:you|someone)\s+(?:please\s+)?(?:call|contact|text|message|ring|phone|email|speak|"
    r"talk)|\b(?:please|kindly)\s+(?:call|contact|text|message|ring|phone|email|speak|talk)|\b(?:speak|talk)\s+to\s+my\b|"
    r"\bhandles?\b|\bdeals?\s+with\b"
)

# The borrower's people, in Chinese: contact with them about the debt is a complaint.
_ZH_PEOPLE: Final = (
    r"(?:家人|家里人|家属|家里|老家|父母|爸妈|爸爸|妈妈|老爸|老妈|老婆|老公|媳妇|丈夫|妻子|爱人|同事|领导|上司|单位|公司|朋友|"
    r"亲戚|亲人|通讯录|紧急联系人|联系人|邻居|街坊|孩子|儿子|女儿|老人|学校|老师|同学|老板|房东|前任|前女友|前男友|前妻|前夫|"
    r"男朋友|女朋友|对象|室友|舍友|哥哥|姐姐|弟弟|妹妹|兄弟|姐妹|爷爷|奶奶|外婆|外公|姥姥|姥爷|公婆|岳父|岳母|亲家|客户|"
    r"合伙人|hr|人事|担保人)"
)
# The borrower who called their own people ("我给我妈打电话借了钱"): not the lender's doing.
_ZH_MY_OWN_CALL: Final = (
    r"(?:^|[,，。!?！？；;\s])我(?:刚|刚才|刚刚|已经|自己|先|会|去|昨天|今天|也|就)?(?:打|给|联系|找|跟|问|告诉|发)"
)
_ZH_BORROWING: Final = r"(?![^,，。!?]{0,4}?(?:借|凑|帮我还|帮忙|拿钱|要钱))"
# Asking the lender to contact them ("你们可以联系我老婆，她管钱").
_ZH_ASKING_TO_CONTACT: Final = (
    r"(?:可以|能不能|能否|请|麻烦|直接|就)(?:你们)?(?:联系|打给|打|找|打电话给|通知)|管钱|负责还|帮我还"
)
# Thanks for not calling them ("谢谢你们没有打电话给我家人").
_ZH_THANKS_FOR_NOT: Final = r"(?:谢谢|感谢|多谢|幸好|还好)[^。!?]{0,10}?(?:没有?|不|别)(?:打|联系|找|告诉|发)"

COMPLAINT_CUES: Final[tuple[Cue, ...]] = cues(
    "complaint",
    "en",
    (STRONG, r"\bcomplain(?:t|ts|ing|ed)?\b"),
    # Treatment and staff. Words that only voice a grievance ("rude", "ridiculous", "fed up", "a joke")
    # name no kind of complaint and are the grievance net's (grievance.py): they count there when the
    # reply aims them at the lender, so "my boss is rude" and "fed up with my job" stay what they are.
    (
        MEDIUM,
        r"\b(?:find|found)\s+(?:this|it)\s+(?:\w+\s+)?distressing\b|"
        r"\b(?:called|calling|call|calls|treat\w*)\s+me\s+(?:like\s+)?(?:a|an)\s+(?:deadbeat|liar|thief|criminal|loser|"
        r"idiot|fraud|scammer|beggar|crook)\b",
    ),
    (STRONG, r"\bthreat(?:en|ened|ening|ens|s)?\b"),
    (MEDIUM, r"\b(?:not|isn't|is\s+not|aren't)\s+(?:even\s+)?legal\b"),
    (STRONG, r"\b(?:no|what)\s+right\s+(?:do\s+you\s+have\s+|you\s+have\s+|have\s+you\s+got\s+)?to\b"),
    (
        MEDIUM,
        r"\b(?:hung|hang|hanging)\s+up\s+on\s+(?:me|us|my\s+\w+)\b|\b(?:was|got|been|get|getting|keep\s+getting)\s+"
        r"hung\s+up\s+on\b|\b(?:transferred|on\s+hold|put\s+through)\b[^.!?]{0,30}?\b(?:cut\s+off|disconnected|"
        r"hung\s+up)\b|\b(?:swore|cursed|cussed|lied|yelled|screamed|shouted)\s+at\s+me\b|"
        r"\blied\s+to\s+me\b|\bthe\s+way\s+(?:your|the|that|this)\s+(?:\w+\s+){0,2}?(?:spoke|talked|speaks|talks|"
        r"treated|treats|behaved)\b|\bhow\s+dare\s+you\b|\bshame\s+on\s+you\b|\blow\s+blow\b|\bnot\s+cool\b|"
        r"\bdone\s+being\s+(?:polite|nice)\b|\bbreach\s+of\s+(?:my\s+)?privacy\b|\bnone\s+of\s+(?:their|his|her|"
        r"your)\s+business\b|\bdisappointed\s+(?:with|in|by)\s+(?:you|your|this)\b",
    ),
    (
        MEDIUM,
        r"\b(?:that|this|it)(?:'s|\s+is|\s+was)\s+not\s+(?:ok|okay|acceptable|on|cool|fair|right\s+to)\b|"
        r"\b(?:is|was|are)\s+not\s+(?:ok|okay|acceptable)\b",
    ),
    (MEDIUM, r"\bhow\s+(?:i|we)\s+(?:was|were|am|are|have been|got)\s+(?:being\s+)?treated\b"),
    (
        MEDIUM,
        r"\bhow\s+you\s+(?:treat\w*|operate|do\s+business|harass\w*|talk\s+to|speak\s+to|talked\s+to|spoke\s+to)\b",
    ),
    # Charges called unfair or extortionate.
    (STRONG, rf"\b(?:{_FLEECED})\b"),
    (MEDIUM, rf"\b{_CHARGES}\b[^.]{{0,50}}?\b(?:{_OUTRAGE})\b"),
    (
        MEDIUM,
        r"\b(?:hidden|excessive|unfair|illegal|outrageous|ridiculous|unjust|extortionate|crazy|insane|criminal|"
        r"obscene|absurd|greedy)\s+(?:late\s+|penalty\s+|admin\s+)?(?:fees?|charges?|interest|rates?)\b",
    ),
    (MEDIUM, r"\bwhy\s+(?:am i|was i|were we|are you|did you|do you|is there)\s+(?:still\s+)?(?:being\s+)?charg"),
    (
        MEDIUM,
        rf"\b{_CHARGES}\s+on\s+top\s+of\s+{_CHARGES}\b|\bpaid\s+(?:back\s+)?(?:more|double|twice|triple|three times)"
        r"\b[^.!?]{0,25}?\b(?:than|what)\s+(?:i|we)\s+borrowed\b",
    ),
    (
        MEDIUM,
        r"\b(?:you(?:'re| are)|you guys are|you people are|you lot are|your company is)\s+(?:a\s+(?:bunch\s+of\s+)?)?"
        r"(?:scam|crooks|thieves|criminals|liars|a\s+joke|a\s+disgrace|useless|pathetic|relentless|shameless)\b",
    ),
    # Being ignored.
    (
        MEDIUM,
        # not "sorry, nobody answered when you called": the borrower's side missing the lender's call
        rf"\b{_NOBODY}\s+(?:[\w']+\s+){{0,4}}?{_ANSWER}\b(?!\s+(?:when|as|because)\s+you\b|\s+your\s+calls?\b)|"
        rf"\b{_YOU_SIDE}\s+(?:never|don't|do not|didn't|did not|won't|will not|can't|cannot|haven't|have not|"
        rf"hasn't|has not|doesn't|does not)\s+(?:even\s+|ever\s+|once\s+|bother\s+to\s+)?{_ANSWER}\b|"
        r"\b(?:reply|response|answer|callback|call\s*back)\s+(?:that\s+)?never\s+(?:came|arrived|happened|comes)\b",
    ),
    (
        MEDIUM,
        r"\bheard\s+nothing\b|\b(?:got|had|received|get)\s+nothing\s+back\b|\bno\s+(?:reply|replies|response|responses|answer|"
        r"word|callback|call\s*back|feedback)\s+(?:back\s+|at all\s+|yet\s+)?(?:till|until|since|from(?!\s+my\b)|"
        r"after|so far|to date|in|for|ever|at all)\b|\bwith\s+no\s+(?:reply|response|answer)\b|\bstill\s+nothing\b|"
        r"\bstill\s+(?:waiting|no\s+(?:reply|response|answer|word))\s+(?:on|for)\s+(?:a\s+|an\s+|that\s+|the\s+|"
        r"your\s+|my\s+|any\s+)?(?:reply|response|answer|callback|call\s*back|call|email|letter|statement|refund|"
        r"someone|anyone|you)\b(?![^.!?,]{0,20}\bfrom\s+(?:the|my|his|her)\b)|\bignor(?:ed|ing)\s+(?:me|us|my)\b|\brun\s*-?around\b|\btransferred\s+around\b",
    ),
    (
        MEDIUM,
        rf"\b(?:been|was|were|kept|waited|sat|stuck|left)\s+on\s+hold\b(?!\s+with\s+(?:my|the|our)\b)|\bon\s+hold\s+(?:for\s+)?(?:over\s+|almost\s+|nearly\s+)?"
        rf"(?:{_COUNT}|an?|half\s+an?)\s*(?:hours?|hrs?|minutes?|mins?)\b|"
        rf"\b(?:{_COUNT}|an?|half\s+an?)\s*(?:hours?|hrs?|minutes?|mins?)\s+on\s+hold\b(?!\s+with\s+(?:my|the|our)\b)",
    ),
    (
        MEDIUM,
        rf"\b(?:emailed|called|rang|phoned|messaged|texted|written|wrote|sent|left|asked|requested|chased|contacted|"
        rf"followed\s+up|reached\s+out)\s+(?:[\w']+\s+){{0,4}}?"
        rf"{_COUNT}\s+(?:times|emails|mails|letters|messages|voicemails|texts)\b[^.!?]{{0,60}}?\b(?:nothing|no\s+"
        r"(?:reply|response|answer|one)|nobody|never|ignored|still|not\s+(?:a|one))\b|\b(?:emailed|called|rang|phoned|messaged|"
        rf"texted)\s+(?:you\s+)?{_COUNT}\s+times\W+nothing\b",
    ),
    (
        MEDIUM,
        r"\b(?:terrible|poor|worst|awful|pathetic|shocking|appalling|horrible|rubbish|lousy|bad|"
        r"disgraceful|zero)\s+(?:customer\s+)?(?:service|support|company|communication)\b",
    ),
    # Regulators, ombudsmen, lawyers, courts, the police and the press.
    (
        STRONG,
        r"\b(?:cfpb|ftc|bbb|better business bureau|attorney general|ombudsman|regulators?|consumer protection|"
        r"consumer financial protection|trading standards|financial conduct authority)\b",
    ),
    (STRONG, r"(?<!\byou\s)(?<!\bthey\s)(?<!\bto\s)\breport(?:ing|ed|s)?\s+(?:you|your|them|u|ur|him|her)\b"),
    (
        STRONG,
        rf"\b{_ESCALATE_VERB}\s+(?:[\w']+\s+){{0,5}}?(?:to|with|at|on|in|into|about|before)\s+"
        rf"(?:(?:the|my|a|an|our|your)\s+)?(?:local\s+|own\s+|whole\s+|national\s+|community\s+)?{_AUTHORITY}\b"
        rf"{_OWN_AFFAIRS}",
    ),
    (
        STRONG,
        r"\b(?:call\w*|contact\w*|consult\w*|hir(?:e|ed|ing)|get|getting|got|see|seeing|instruct\w*|retain\w*|"
        r"speak\w*\s+(?:to|with)|spoke\s+(?:to|with)|talk\w*\s+(?:to|with)|going\s+to|go\s+to|went\s+to)\s+"
        rf"(?:my|a|an|our)\s+(?:lawyer|solicitor|attorney|legal\s+team)\b(?!\s+friend){_OWN_AFFAIRS}",
    ),
    (
        STRONG,
        rf"\b{_AUTHORITY}\s+(?:will|would|'ll|is\s+going\s+to|are\s+going\s+to|shall)\s+(?:still\s+|also\s+|soon\s+)?"
        r"(?:be\s+)?(?:hear|know|"
        r"love|learn|find out|be interested|be in touch|contact\w*|writ\w+|send\w*|call\w*|deal|take|get involved)|"
        r"\b(?:lawyer|solicitor|attorney|legal team)\s+(?:is|are|has|have|'s)\s+(?:now\s+)?(?:getting\s+|been\s+)?"
        r"(?:involved|in touch|on (?:it|this|the case))\b|\b(?:letter|call|email|hear|word)\s+from\s+(?:my|our|a)\s+"
        r"(?:lawyer|solicitor|attorney|legal\s+team)\b",
    ),
    (
        STRONG,
        r"\b(?:sue|sues|suing|sued)\s+(?:you|u|your|them|this|the)\b|\blawsuit\b|\bclass\s+action\b|"
        r"\blegal\s+action\b|\bcease\s+and\s+desist\b|\b(?:see|take|taking|drag|dragging)\s+(?:you\s+|u\s+|this\s+|"
        r"it\s+)?(?:all\s+the\s+way\s+|straight\s+)?(?:in|to)\s+(?:small\s+claims\s+)?court\b|\bsmall\s+claims\b|\blawyer(?:ing)?\s+up\b|"
        r"\b(?:go|going|went)\s+to\s+court\b",
    ),
    # The press or a regulator taking an interest: "a journalist is very interested in your fees".
    (
        STRONG,
        rf"\b{_AUTHORITY}\b[^.!?]{{0,40}}?\b(?:interested\s+in|looking\s+into|investigating|digging\s+into|asking\s+"
        r"(?:questions\s+)?about|writing\s+(?:a\s+\w+\s+)?about)\s+(?:you|your|this\s+company|the\s+way\s+you|how\s+you)\b",
    ),
    (
        STRONG,
        r"\b(?:forward\w*|send\w*|sent|hand\w*|pass\w*|show\w*|screenshot\w*)\s+(?:[\w']+\s+){0,4}?to\s+"
        r"(?:my|a|the)\s+(?:lawyer|solicitor|attorney|regulator|ombudsman|mp)\b",
    ),
    (
        STRONG,
        r"\b(?:1|one)[\s-]*star\s+reviews?\b|\b(?:post\w*|shar\w*|put\w*|tag\w*|expos\w*|screenshot\w*)\s+"
        r"(?:[\w']+\s+){0,5}?(?:on|to|all over)\s+(?:twitter|facebook|reddit|tiktok|instagram|youtube|social media|"
        r"online|the internet|trustpilot|yelp)\b|\b(?:tell|telling|let)\s+everyone\b|\beveryone\s+(?:on\s+\w+\s+)?"
        r"(?:will|is going to|gonna)\s+(?:know|see|hear)\b|"
        r"\bso\s+(?:that\s+)?everyone\s+(?:knows|sees|can see|hears)\b|"
        r"\b(?:doing|write|writing|run|running)\s+a\s+(?:story|piece|article)\s+on\b",
    ),
    # Contact with family, neighbours or the workplace, or contact too often.
    (STRONG, r"\bhar+as+(?:ing|ment|ed|es|er|ers)?\b"),
    (
        STRONG,
        rf"\b{_NOT_THEM}{_CONTACTED}\s+(?:me\s+at\s+)?my\s+(?:[\w'-]+\s+){{0,3}}?{_THIRD_PARTIES}\b|"
        rf"\b(?:did|does|do|don't|do not|didn't|never|stop|quit|why|anyone|anybody|someone|somebody|collector|agent|"
        rf"collectors|agents|people|dey)\s+(?:[\w']+\s+){{0,2}}?{_CONTACT_BASE}\s+my\s+(?:\w+\s+)?{_THIRD_PARTIES}\b",
    ),
    (
        MEDIUM,
        r"\b(?:calls?|texts?|messages?|visits?|calling|texting|ringing|turning\s+up)\s+(?:to\s+|at\s+)my\s+"
        r"(?:work|workplace|office|job|home|house|parents|mum|mom)\b|\b(?:calls|texts)\s+at\s+(?:work|night)\b|"
        r"\b(?:don't|do not|never|stop|quit)\s+(?:\w+\s+)?(?:call|text|ring|phone|contact)(?:ing)?\s+me\s+at\s+"
        r"(?:work|the office|my work|my office|my job|night)\b",
    ),
    (
        MEDIUM,
        r"\b(?:calling|called|texting|texted|messaging|messaged|contacting|contacted|ringing|rang|phoning|phoned|"
        r"telephoned)\s+me\s+(?:\w+\s+){0,2}?(?:at work|at night|every day|everyday|all day|constantly|"
        rf"non-?stop|repeatedly|{_COUNT}\s*(?:times|x)|so much|so often|late at night|early in the morning)\b",
    ),
    (
        MEDIUM,
        rf"\b(?:calling|called|calls|texting|texted|texts|messaging|messaged|messages|ringing|rang|phoning|phoned|"
        rf"emails?)\s+(?:me\s+|us\s+)?(?:at|after|past|before)\s+{_ODD_HOUR}\b",
    ),
    (
        MEDIUM,
        rf"\b{_COUNT}\s*(?:x|times|calls|texts|messages|reminders)\s+(?:a|per|every|each|in\s+(?:a|one))\s+"
        r"(?:day|night|hour|morning)\b(?!\s+from\s+(?:my|the|our)\b)|"
        rf"\b(?:got|had|received|getting)\s+{_COUNT}\s+(?:calls|texts|messages|reminders)\b[^.!?]{{0,20}}?"
        r"\b(?:today|yesterday|this morning|tonight|last night|in (?:a|one) day|this week)\b|"
        r"\b(?:\d+(?:st|nd|rd|th)|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\s+(?:call|text|message|"
        r"reminder)\s+(?:today|this\s+morning|tonight|this\s+week|since|in\s+(?:a|one)\s+day)\b",
    ),
    (MEDIUM, r"\bkeep\s+(?:on\s+)?(?:calling|texting|messaging|contacting|bothering|ringing)\b"),
    (
        MEDIUM,
        r"\b(?:too many|so many|constant|nonstop|non-stop|endless|relentless)\s+(?:calls|texts|messages|"
        r"reminders|harassment)\b",
    ),
    # Contact through the borrower's people, their contacts list, their door.
    (
        STRONG,
        rf"\b{_NOT_THEM}(?:sent|sending|sends|forward(?:ed|ing)|show(?:ed|ing|n)|shar(?:ed|ing)|post(?:ed|ing)|"
        r"leak(?:ed|ing)|disclos(?:ed|ing)|reveal(?:ed|ing)|spread(?:ing)?|publish(?:ed|ing))\s+(?:[\w']+\s+){0,3}?"
        r"(?:messages?|texts?|voice\s*notes?|letters?|e?mails?|details|screenshots?|photos?|pictures?|debts?|loan|"
        r"info|information|id|notices?|reminders?|demands?)\s+(?:\w+\s+){0,2}?to\s+(?:all\s+)?(?:my\s+(?:\w+\s+)?"
        rf"{_THIRD_PARTIES}|everyone|everybody)\b",
    ),
    (
        STRONG,
        r"\b(?:everyone|everybody|all|people|whole)\s+(?:in|on|from)\s+my\s+(?:contacts?(?:\s+list)?|phone\s*book|"
        r"address\s+book|phone|whatsapp|facebook|friends\s+list)\b|\b(?:accessed|accessing|went\s+through|raided|"
        r"harvest(?:ed|ing)|scraped|used)\s+my\s+(?:contacts|contact\s+list|phone\s*book|address\s+book)\b",
    ),
    (
        STRONG,
        r"\b(?:sent|sending)\s+(?:a\s+|an\s+|some\s+|two\s+|three\s+|your\s+|his\s+|their\s+)?(?:man|men|guy|guys|bloke|"
        r"person|people|someone|somebody|agents?|collectors?|goons?|thugs?|heavies|bailiffs?|debt\s+collectors?)\s+"
        r"(?:round|over|to\s+(?:my|our)|to\s+knock|to\s+the\s+house)\b|"
        r"\b(?:knock\w*|bang\w*|pound\w*|hammer\w*)\s+on\s+(?:my|our)\s+(?:front\s+)?(?:door|window|gate)\b|"
        r"\b(?:showed|turned|showing|turning|shows|turns)\s+up\s+(?:at|on)\s+(?:my|our)\s+(?:\w+\s+)?(?:door|doorstep|"
        r"house|home|flat|apartment|place|work|office|workplace)\b|"
        r"\bknows?\s+where\s+(?:i|we|my\s+\w+)\s+(?:live|lives|work|works|stay|stays)\b",
    ),
    (
        MEDIUM,
        r"\b(?:calls?|texts?|messages?|reminders?|phone|ringing|buzzing|you|your\s+\w+)\s+(?:\w+\s+){0,2}?"
        r"(?:woke|wakes|waking|woken)\s+(?:me|us|my\s+(?:\w+\s+)?(?:baby|babies|kids?|children|wife|husband|partner|"
        r"family|son|daughter|mum|mom|dad|parents|newborn|whole\s+house))\b",
    ),
    (
        MEDIUM,
        r"\b(?<!\bthe\s)(?<!\bon\s)(?<!\bby\s)(?<!\bbefore\s)(?<!\buntil\s)(?<!\btill\s)(?<!\bafter\s)"
        r"(?:\d+(?:st|nd|rd|th)|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|umpteenth|nth)\s+"
        r"(?:one\s+)?(?:today|this\s+morning|this\s+afternoon|tonight|this\s+week|this\s+hour|in\s+(?:a|one)\s+day)\b|"
        r"\b(?:\d+(?:st|nd|rd|th)|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|umpteenth|nth)\s+"
        r"(?:one|call|text|message|reminder)\s+(?:today|this\s+morning|this\s+afternoon|tonight|this\s+week|since|"
        r"in\s+(?:a|one)\s+day)\b|"
        rf"(?<!\bsent\s)(?<!\bmade\s)(?<!\bi\s)(?<!\bwe\s)\b{_COUNT}\s+(?:calls|texts|messages|reminders|e?mails|sms|"
        r"missed\s+calls)\s+(?:from\s+(?:you|your\s+\w+)(?:\s+(?:guys|people|lot))?\s+)?(?:already\s+)?(?:today|"
        r"this\s+(?:morning|afternoon|evening|week)|tonight|yesterday|last\s+night|before\s+(?:lunch|noon|breakfast|"
        r"midday|\d+|nine|ten|eight|seven)|since\s+(?:this\s+morning|breakfast|dawn|yesterday|\d+|lunch|monday|tuesday|"
        r"wednesday|thursday|friday|saturday|sunday)|in\s+(?:the\s+)?(?:last|past|under|one|a|an|less\s+than|just)\s+"
        r"(?:\w+\s+)?(?:hours?|hrs?|minutes?|mins?|day|days|morning))\b",
    ),
    # Treatment, in words that do not name it: shouting at the borrower's people, threats of jail,
    # an apology demanded, a promise the lender went back on.
    (
        MEDIUM,
        r"\b(?:should\s+be\s+ashamed|ashamed\s+of\s+(?:yourselves|yourself|your\s*selves|you|your\s+(?:company|staff|"
        r"agents?|business))|have\s+you\s+(?:no|any)\s+shame)\b|"
        rf"\b{_NOT_THEM}(?:swore|swearing|swear|cursed|cursing|cuss(?:ed|ing)?|yell(?:ed|ing)?|scream(?:ed|ing)?|"
        r"shout(?:ed|ing)?|laugh(?:ed|ing)|snapp(?:ed|ing)|mock(?:ed|ing))\s+at\s+(?:me|us|my\s+(?:\w+\s+)?"
        rf"{_THIRD_PARTIES}|her|him|them|people|customers)\b|"
        r"\b(?:said|told|telling|says|saying|threaten\w*)\b[^.!?]{0,30}?\b(?:go|going|be\s+sent|be\s+put|end\s+up|"
        r"be\s+thrown)\s+(?:to|in|into)\s+(?:jail|prison|gaol)\b|"
        r"\b(?:want|demand|expect|deserve|need)\s+(?:an?\s+)?(?:written\s+|formal\s+|full\s+|proper\s+)?apology\b|"
        r"\bapology\s+in\s+writing\b|\b(?:won't|will\s+not|refuse\s+to)\s+be\s+(?:spoken|talked)\s+to\s+like\s+that\b|"
        r"\b(?:don't|do\s+not|never)\s+(?:speak|talk)\s+to\s+me\s+like\s+that\b|"
        r"\b(?:well|way|bang|totally|completely|absolutely|so|really|bit)\s+out\s+of\s+order\b|"
        r"\bis\s+(?:this|that)\s+how\s+(?:a|an|you|your|any)\b[^.!?]{0,40}?\b(?:operates?|behaves?|treats?|"
        r"does\s+business|works?|acts?|conducts?|talks?|speaks?)\b|"
        r"\bhow\s+is\s+(?:this|that|it)\s+(?:even\s+)?(?:legal|allowed|fair|ethical|acceptable)\b|"
        r"\bis\s+(?:this|that|it)\s+even\s+legal\b|"
        r"\bwent\s+back\s+on\s+(?:your|their|his|her|the)\s+(?:word|promise|agreement|deal)\b|"
        r"\bbr(?:o|ea)ke?\s+(?:your|their|his|her|the)\s+(?:promise|word|agreement)\b|\breneg(?:ed|ing|ue)\b|"
        r"\byou\s+(?:agreed|promised|said)\b[^.!?]{0,50}?\b(?:and|but)\s+(?:then\s+|now\s+|still\s+|yet\s+)*"
        r"(?:you(?:'re|\s+are)?\s+|your\s+\w+\s+(?:is\s+|are\s+)?)?(?:still\s+|now\s+|then\s+)?(?:called|rang|texted|"
        r"charged|added|chased|chasing|calling|texting|charging|sent|took|keep|kept)\b",
    ),
    # Charges: a loan made to cost a multiple, charges added without a word.
    (
        MEDIUM,
        r"\b(?:make|made|making|turn(?:ed|ing|s)?|grow(?:n|s)?|grew|balloon(?:ed|ing)?)\s+(?:a|my|the|an|this)\s+"
        r"(?:[$€£¥₱₦]|rm|rs\.?|php|ngn|inr|kes|ksh)?\s*\d[\d,.]*\s*k?\s*(?:[a-z]{1,6}\s+)?(?:loan|debt)\s+"
        r"(?:cost\s+(?:me\s+|us\s+)?|into\s+|in\s+to\s+)(?:over\s+|nearly\s+|almost\s+)?(?:[$€£¥₱₦]|rm|rs\.?|php|ngn|"
        r"inr|kes|ksh)?\s*\d|"
        r"\b(?:fees?|charges?|interest|penalt(?:y|ies)|[$€£¥]\s*\d+)\b[^.!?]{0,40}?\bwith(?:out)?\s+(?:no|any)\s+"
        r"(?:explanation|warning|notice|reason)\b|"
        r"\b(?:never|didn't|did\s+not|wasn't|weren't)\s+(?:\w+\s+){0,2}?(?:told|disclosed|mentioned|explained)\b"
        r"[^.!?]{0,30}?\b(?:fees?|charges?|interest|penalt(?:y|ies))\b",
    ),
    # Being ignored, given the runaround, looped by a bot.
    (
        MEDIUM,
        r"\bstill\s+(?:no|not\s+(?:a|one|any))\s+(?:single\s+)?(?:reply|replies|response|responses|answer|callback|"
        r"call\s*back|word\s+(?:from\s+(?:you|your|anyone|anybody|someone)|back)|feedback|update|acknowledg\w+)\b|"
        r"\bnot\s+(?:a|one)\s+(?:single\s+)?(?:reply|response|answer|callback|call\s*back|word\s+(?:back|from\s+you))\b|"
        r"\bnot\s+even\s+(?:a|an|one)\s+(?:reply|response|answer|acknowledg\w+|callback)\b|"
        r"\b(?:second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|umpteenth|nth|hundredth|\d+(?:st|nd|rd|th))\s+"
        r"time\s+(?:i've|i\s+have|we've|i'm|i\s+am|i|we)\s+(?:\w+\s+)?(?:written|writ(?:e|ing)|e-?mailed|e-?mailing|"
        r"called|calling|call|rang|ring(?:ing)?|phoned|phoning|asked|asking|messaged|messaging|texted|texting|"
        r"contacted|contacting|chased|chasing|explained|explaining|told|telling|complained|raised|requested|"
        r"requesting|sent|sending)\b|"
        r"\b(?:reply|response|answer|callback|call\s*back|refund|statement|letter|email)\b[^.!?]{0,30}?\bnever\s+"
        r"(?:came|arrived|happened|comes|showed|turned\s+up)\b",
    ),
    (
        MEDIUM,
        r"\b(?:pass(?:ed|ing)?|bounc(?:ed|ing)|shunt(?:ed|ing)|push(?:ed|ing)|transferr(?:ed|ing)|kick(?:ed|ing)|"
        r"fobb(?:ed|ing)|fob|ping-?pong(?:ed|ing)?|redirect(?:ed|ing))\s+(?:me\s+|us\s+)?(?:around|about|"
        r"back\s+and\s+forth|from\s+(?:one|pillar|department|person|team|agent|\w+\s+to)|between|off)\b|"
        r"\bpillar\s+to\s+post\b|\b(?:round|around)\s+in\s+circles\b|\b(?:in|into)\s+(?:a|an\s+endless|the\s+same)\s+"
        r"loop\b|\bloop(?:s|ing|ed)?\s+(?:me\s+)?(?:back|round|around)\b|\bkeeps?\s+looping\b|"
        r"\bsame\s+(?:\w+\s+){0,2}?(?:options|answers?|repl(?:y|ies)|responses?|script|menu|message)\s+(?:again|"
        r"over\s+and\s+over|every\s+time|each\s+time)\b|\b(?:keeps?|kept|just)\s+(?:giving|sending|telling|showing|"
        r"repeating)\s+(?:me\s+)?(?:the\s+same|back\s+the\s+same)\b|"
        r"\b(?:chat\s*bot|bot|automated\s+(?:system|line|service|replies|messages|menu)|robot|virtual\s+assistant|ivr|"
        r"phone\s+menu)\b[^.!?]{0,40}?\b(?:useless|rubbish|pointless|hopeless|(?:doesn't|does\s+not|can't|cannot|"
        r"won't|will\s+not|never)\s+(?:\w+\s+)?(?:understand|help|work|answer|let|connect|transfer|put)|"
        r"loop\w*|circles|same)\b|"
        rf"\b{_NOBODY}\s+(?:[\w']+\s+){{0,4}}?(?:take|takes|taking|took)\s+(?:any\s+)?(?:ownership|responsibility)\b|"
        rf"\b{_NOBODY}\s+(?:[\w']+\s+){{0,3}}?(?:knows?|seems\s+to\s+know)\s+anything\b",
    ),
    # Going to the regulator, an MP, the press or a review site in so many words.
    (
        STRONG,
        r"\b(?:contact\w*|e-?mail(?:ed|ing)?|call(?:ing|ed)?|ring(?:ing)?|rang|phon(?:e|ed|ing)|messag(?:e|ed|ing)|"
        r"tweet\w*|dm(?:'?ed|ing)?|tag(?:ged|ging)?|cc'?(?:ed|ing)?|inform\w*|notif\w*|alert\w*)\s+(?:in\s+)?"
        r"(?:(?:my|the|our|your)\s+)?"
        rf"{_AUTHORITY}\b(?!\s+friend){_OWN_AFFAIRS}|"
        rf"\b{_AUTHORITY}(?:'s\s+\w+)?\s+(?:has|have|had)\s+been\s+(?:informed|told|notified|contacted|copied|cc'?d|"
        r"made\s+aware|sent|alerted)\b|"
        rf"\b{_AUTHORITY}\s+(?:say|says|said|told\s+me|confirmed|agrees?)\b[^.!?]{{0,50}}?\b(?:illegal|not\s+allowed|"
        r"unlawful|against\s+the\s+(?:law|rules|regulations)|breach\w*)",
    ),
    (
        MEDIUM,
        r"\b(?:oh\s+)?(?:great|wonderful|brilliant|fantastic|lovely|perfect|super|marvell?ous|fab|awesome|yay|goody|"
        r"joy|splendid|excellent|terrific)\W+(?:yet\s+)?another\s+(?:\w+\s+)?(?:reminder|text|message|call|sms|email|"
        r"notification|letter|one)\b|\byet\s+another\s+(?:\w+\s+)?(?:reminder|text|message|call|sms|email|"
        r"notification|letter)\b|"
        # Sarcasm: praise taken back ("Very reasonable. Not."), being missed, thanks for nothing.
        r"\b(?:very|so|how|real|really|super|truly|most|extremely)\s+(?:reasonable|fair|generous|kind|considerate|"
        r"thoughtful|helpful|professional|classy|ethical|nice|decent|understanding|sensible)\b[^a-z]{0,6}\bnot\W*$|"
        r"\byou(?:\s+guys|\s+people|\s+lot)?\s+(?:must|really)\s+(?:really\s+)?(?:love|miss|like|adore|fancy)\s+me\b|"
        r"\bmiss(?:ing)?\s+me\s+(?:that|this|so)\s+much\b|\bthanks\s+for\s+nothing\b|"
        r"\b(?:love|loving|adore|enjoy)\s+(?:how|that|the\s+way)\s+(?:you|your\s+\w+)\s+(?:\w+\s+){0,2}?(?:charg\w*|"
        r"ignor\w*|hang\s+up|hung\s+up|call\w*\s+my|text\w*\s+my|keep\s+\w+ing|add\w*\s+(?:a|another|more)\s+"
        r"(?:fee|charge))",
    ),
    (
        STRONG,
        # Workplace, neighbours, church: contact there is a grievance even in thanks ("thanks for calling my boss").
        r"\b(?<!\bi\s)(?<!\bwe\s)(?<!\bi've\s)(?<!\bi'm\s)(?<!\bi\sjust\s)(?<!\bi\shave\s)(?<!\bi\shad\s)(?<!\bnot\s)"
        rf"(?:{_CONTACTED}|of\s+you\s+to\s+{_CONTACT_BASE})\s+my\s+(?:\w+\s+)?(?:employer|boss|manager|supervisor|hr|"
        r"work|workplace|office|colleagues?|co-?workers?|neighbou?rs?|landlord|pastor|church|referees?|clients?|"
        r"customers?)\b|"
        rf"\b{_NOT_THEM}(?:left|leaving|leaves)\s+(?:a\s+|an\s+)?(?:voicemail|message|note|letter|card|voice\s*note)s?\s+"
        rf"(?:for|with)\s+my\s+(?:\w+\s+)?{_THIRD_PARTIES}\b|"
        rf"\b(?:why|how\s+come)\b[^.!?]{{0,20}}?\bmy\s+(?:\w+\s+)?{_THIRD_PARTIES}\s+(?:is\s+|are\s+|has\s+been\s+|keeps?\s+)?"
        r"(?:getting|got|receiving|received|gets)\s+(?:\w+\s+){0,2}?(?:calls?|texts?|messages?|letters?|voicemails?|"
        r"e?mails?|visits?)\b|"
        rf"\bmy\s+(?:\w+\s+)?{_THIRD_PARTIES}\s+(?:is\s+|are\s+|has\s+been\s+|keeps?\s+)?(?:getting|got|receiving|"
        r"received|gets)\s+(?:\w+\s+){0,2}?(?:calls?|texts?|messages?|letters?|voicemails?|e?mails?|visits?)\s+"
        r"(?:\w+\s+){0,3}?about\s+(?:my|me|the)\s+(?:debt|loan|account|arrears|payments?|balance|money)\b|"
        r"\b(?:said|says|threaten\w*|told\s+me)\s+(?:that\s+)?(?:he'd|she'd|they'd|he\s+would|she\s+would|"
        r"they\s+would|he'll|she'll|they'll|he\s+will|she\s+will|they\s+will|someone\s+(?:will|would)|to)\s+(?:come|"
        r"turn\s+up|show\s+up|visit|be|send\s+(?:people|someone|somebody|men|a\s+man|agents?|collectors?|bailiffs?))\s+"
        r"(?:round\s+|over\s+)?(?:to|at)\s+my\s+(?:\w+\s+)?(?:house|home|door|flat|place|work|office|workplace)\b",
    ),
    (
        MEDIUM,
        r"\bwak(?:e|ing|en)\s+(?:up\s+)?to\s+(?:another|more|your|"
        + _COUNT
        + r")\s+(?:\w+\s+)?(?:calls?|texts?|messages?|reminders?)\b|"
        r"(?:^|[.!?]\s*)(?:oh\s+look\W+|wow\W+|ugh\W+|seriously\W+)?another\s+(?:\w+\s+)?(?:reminder|text|message|"
        r"call)\s*[?!]|"
        r"\b(?:1|one|zero|0)[\s-]*stars?\b(?!\s+(?:hotel|motel|restaurant|accommodation|place|rated\s+hotel))|"
        r"\bfees?\s+(?:to|for)\s+(?:pay(?:ing)?|clear(?:ing)?)\s+(?:a|the|my|your)\s+(?:fees?|charges?)\b|"
        r"\b(?:every|each)\s+(?:single\s+)?time\s+i\s+(?:call|ring|phone|get\s+through|contact|message|email|ask|"
        r"chase)\b|\b(?:and|but)\s+(?:then\s+)?nothing\s+(?:ever\s+)?(?:happens|gets\s+done|changes|came\s+of\s+it)\b|"
        rf"\b(?:{_COUNT}|a|an)\s+(?:days?|weeks?|months?)\s+(?:and|now|later|on)\s+(?:still\s+)?(?:no|not\s+a)\s+"
        r"(?:single\s+)?(?:reply|response|answer|word|callback|call\s*back|update)\b|"
        r"\b(?:callback|call\s*back|reply|response|refund|statement|answer|update|copy|breakdown)\b[^!?]{0,50}?"
        r"\bstill\s+(?:waiting|nothing)\b|"
        r"\b(?:your|the)\s+(?:phone\s+)?(?:line|number|helpline|phones?|office|switchboard)\s+(?:just\s+|always\s+)?"
        r"(?:rings?\s+out|goes\s+(?:straight\s+)?to\s+voicemail|is\s+(?:always\s+)?(?:busy|engaged|dead)|never\s+"
        r"(?:gets\s+)?answer\w*)|"
        # the borrower keeping evidence: an escalation in the making
        r"\b(?:saved|screenshot(?:ted)?|recorded|kept|keeping|logged|logging)\s+(?:every|all|each)\s+(?:single\s+)?"
        r"(?:message|text|call|one|email)s?\b|\b(?:lawyer|solicitor|attorney)\s+(?:has|have|now\s+has|already\s+has)\s+"
        r"(?:copies|everything|all\s+of\s+(?:it|them)|the\s+(?:messages|texts|screenshots|recordings|evidence))\b|"
        # charges: worse than a loan shark, a fee demanded back, the lender's own fault
        r"\b(?:worse|higher|greedier|steeper)\s+than\s+(?:a\s+|the\s+|any\s+)?(?:payday\s+(?:lenders?|loans?)|"
        r"loan\s*sharks?|mafia|gangsters?|mob|pawn\s*shops?|ah\s*longs?)\b|\bmake\s+(?:a\s+|the\s+)?(?:payday\s+lender|"
        r"loan\s*shark|mafia|mob|gangster|bank)s?\s+blush\b|"
        r"\b(?:want|demand|expect)\s+(?:the|my|a|this|that|those|these)\s+(?:\w+\s+)?(?:fees?|charges?|interest|penalty)\s+"
        r"(?:refunded|back|reversed)\b|"
        r"\b(?:been\s+)?waiting\s+(?:for\s+)?(?:over\s+|nearly\s+|almost\s+)?(?:"
        + _COUNT
        + r"|a|an)\s+(?:days?|weeks?|months?)\s+(?:for|on)\s+(?:the|a|an|my|your)\s+(?:\w+\s+)?(?:reply|response|"
        r"answer|callback|call\s*back|refund|statement|letter|email|update|decision|confirmation)\b|"
        rf"\b{_NOBODY}\s+(?:[\w']+\s+){{0,3}}?(?:fix|fixes|fixed|sorts?|sorted|solves?|solved|resolves?|resolved)\s+"
        r"(?:it|anything|this|the\s+(?:problem|issue)|my\s+\w+)\b|"
        r"\b(?:different|another)\s+(?:answer|story|excuse)\s+(?:every|each)\s+time\b|"
        r"\b(?:everyone|every\s+(?:agent|person|one))\s+(?:tells|says|gives)\s+(?:me\s+)?(?:something|a)\s+different\b",
    ),
    # Sent by a debt adviser in so many words: what the lender does is not allowed.
    (
        STRONG,
        rf"\b{_ADVISERS}\s+(?:say|says|said|told\s+me|confirmed|reckons?|agrees?)\b[^.!?]{{0,50}}?\b(?:illegal|"
        r"not\s+allowed|isn't\s+allowed|unlawful|against\s+the\s+(?:law|rules|regulations)|breach\w*|(?:can't|cannot|"
        r"shouldn't|should\s+not|aren't\s+allowed\s+to|not\s+allowed\s+to)\s+(?:do|charge|call|contact|add|text))",
    ),
) + cues(
    "complaint",
    "zh",
    (EXACT, r"投诉|举报|控告|检举"),
    (STRONG, r"骚扰|曝光"),
    # Regulators, the police, the courts, lawyers, the press and the public.
    (
        STRONG,
        r"银保监|银监|保监|金融监管|监管(?:局|部门|机构)|金管会|金管局|人民银行|人行|(?<!\d)(?:12378|12363|12315)(?!\d)|消协|"
        r"消费者协会|消委会|起诉你们|告你们|打官司|仲裁|法律(?:途径|程序|手段)|"
        r"律师函|(?:找|请|咨询(?:了|过)?|联系|交给|委托|让)(?:个|了)?律师(?!朋友|同学|亲戚|费)|"
        r"律师(?:会|来|去)?(?:联系|找|跟)你们|(?:去|上|到)法院|(?:法院|法庭)见|(?:去|到|上)法庭",
    ),
    (
        STRONG,
        r"媒体|电视台|报社|(?:有|找|联系|告诉|发给|交给)(?:个|一个|了)?(?:做)?记者|黑猫|"
        r"(?:发|晒|挂|传|放)(?:到|在|上)[^,，。!?]{0,6}?(?:网上|微博|抖音|小红书|朋友圈|知乎|贴吧|快手|网络)|"
        r"让大家(?:都)?(?:看看|评评理|知道|来看)",
    ),
    # Treatment and staff.
    (
        STRONG,
        r"态度[^,，。!?]{0,4}?(?:差|恶劣|不好|嚣张|蛮横)|骂(?:人|我)|辱骂|脏话|威胁|恐吓|暴力催收|"
        r"爆(?:我的?)?通讯录|高利贷|套路贷|乱收费|乱扣|违规催收|"
        r"收费(?:太|很|过)?高|(?<!是不是)骗子(?!吗)|骗钱|素质[^,，。!?]{0,3}?差|没素质|"
        r"什么(?:破|烂)|什么服务(?!费)|怎么做人|跟你们没完",
    ),
    (STRONG, r"(?:说话|语气|口气)(?:太|很|非常|特别)?(?:难听|冲|凶|不客气|恶劣)|难听"),
    # Charges called unfair or extortionate.
    (
        STRONG,
        r"(?:手续费|利息|罚息|违约金|服务费|管理费|费用)[^,，。!?]{0,6}?(?:太|这么|那么|好)(?:高|多|贵)|"
        r"凭什么(?:收|扣)|(?:这么|那么|太)多(?:的)?(?:手续费|利息|罚息|违约金|服务费|管理费|费用)",
    ),
    (
        STRONG,
        r"(?:太|真|好|很|这么|那么|忒|也太)黑(?!夜|天)|黑心|坑(?:人|钱|爹|死)|(?:太|好|真|也太|很)坑|抢钱|吸血|"
        r"扒皮|砍头息|暴利|宰人|割韭菜|霸王条款|吃相[^,，。!?]{0,3}?难看|"
        r"良心(?:不会痛|不痛|被狗吃|何在|在哪|呢)|没(?:有)?良心|"
        r"(?:利息|罚息|费用|手续费|违约金)[^,，。!?]{0,4}?比本金(?:还)?(?:高|多)",
    ),
    # Being ignored.
    (
        STRONG,
        r"没(?:有)?(?:一个)?人(?:接|理|回|管|处理|搭理)|(?:不|没)(?:回复|回消息|回信息|回我|理我|理人)|"
        r"(?:客服|你们|他们|人工|电话|邮件|信息|消息|留言)[^,，。!?]{0,4}?(?:一直|根本|都|也|从来|还)?(?:不|没)(?:有)?"
        r"(?:回|理)|石沉大海|(?:没|没有)(?:了)?下文|打不通|占线|"
        r"(?:等了|已经)[^,，。!?]{0,8}?(?:都|也|还)?没(?:有)?(?:消息|回音|回复|音讯|动静)|踢皮球|推给别人|推来推去|"
        r"互相推|答非所问|敷衍|(?:接通|接了|一接)(?:就|又)?挂|挂我(?:的)?电话|(?:就|直接|又)挂了",
    ),
    # Contact with family, friends, neighbours and the workplace, or too often.
    (
        MEDIUM,
        r"(?:天天|每天|一天|一直|老是|总是|反复|不停(?:地)?|频繁|半夜|大半夜|大晚上)[^,，。!?]{0,6}?(?:给我)?"
        r"(?:打(?!工|算|车|球|卡|折|扮|听|开|印|[一两几三](?:份|工))|发(?!现|工资|薪|烧|展)|催|提醒)[^,，。!?]{0,4}?(?:电话|短信|信息)?",
    ),
    (
        MEDIUM,
        r"(?:凌晨|深夜|夜里|半夜|大半夜|大晚上|一大早|清晨|晚上(?:十一|十二|11|12)点|(?:早上|早晨)(?:[五六]|[56])点)"
        r"(?!以?后|之后|以?前|之前)[^,，。!?]{0,8}?(?:打(?!工|算|车|球|卡|折)|发(?!现|工资|薪)|催|提醒|来电|打来|骚扰)|"
        r"(?:一上午|一早上|一下午|一晚上|一整天|一天之内|一小时|一个小时|半天|半小时|今天|今早|这周|一周|一个月)"
        r"(?:就|都|已经|内|里|之内)?(?:给我|给我家里)?(?:打|发|催)了?(?:我)?(?:[0-9]+|[两二三四五六七八九十几多]+)[多来几]?"
        r"(?:个|通|条|次|遍)|(?:打|发)了?(?:我)?(?:十|[二三四五六七八九几]十|[1-9][0-9])[几多来]?(?:个|通|条|次)",
    ),
    (MEDIUM, r"(?:短信|电话|信息|消息)[^,，。!?]{0,3}?(?:太|很|这么|那么|过于)(?:频繁|多了|烦)"),
    # Charges: interest on interest, robbery, fees never disclosed, rates above the legal cap.
    (
        STRONG,
        r"利滚利|驴打滚|越还越多|变相(?:高利贷|收费|收息|放贷)|(?<!被)(?<!遭)(?<!遇到)抢劫|(?<!被)打劫|明抢|吃人不吐骨头|"
        r"大耳窿|放高利|隐形(?:收费|费用|消费)|偷偷(?:收|扣|加)|莫名(?:其妙)?(?:多|扣|收)|"
        r"(?:借|贷)(?:款)?的时候(?:根本|也|都)?没(?:说|告诉|提|讲)|"
        r"(?:年化|利率|利息)[^,，。!?]{0,8}?(?:超过|超|高于|高达)[^,，。!?]{0,3}?(?:24|36)|超过法定|法定上限",
    ),
    # Being ignored, passed around, looped by a bot.
    (
        STRONG,
        r"绕圈子|兜圈子|车轱辘话|翻来覆去|来来回回|(?:都|就|只)(?:是|会)?(?:那|这)(?:几|两|一)句|一问三不知|推诿|"
        r"不归(?:他|她|我们|他们|我)?管|(?:转|找|联系)不(?:到|了|上)(?:人工|客服|真人)|"
        r"人工(?:客服)?(?:永远|一直|根本)?(?:转不|打不|找不|联系不)|联系不上(?:你们|客服)|"
        r"一(?:封|条|个|次|句)(?:都|也)(?:没|不)(?:有)?(?:回|理)|已读不回|形同虚设|摆设|"
        r"(?:机器人|智能客服|自动回复)[^,，。!?]{0,10}?(?:没用|听不懂|答非所问|绕|解决不了|转不)",
    ),
    # Regulators, hotlines, the courts, going public.
    (
        STRONG,
        r"金融监管总局|监管总局|金融监督管理|金融局|证监会|市场监管|工商局|工商部门|信访|市长热线|(?<!\d)12345(?!\d)|315晚会|央视|维权|"
        r"申诉|(?:向|到|去|给|找)[^,，。!?]{0,10}?(?:反映|申诉|举报|上报)|"
        r"(?:网上|微博|抖音|小红书|朋友圈|知乎|贴吧|快手|b站|头条|黑猫)(?:上|里)?(?:写|发帖|发了|晒|挂|曝|揭|吐槽|避雷)|"
        r"发(?:到)?(?:抖音|微博|小红书|朋友圈|网上|知乎|快手)|避雷|告(?:到|上)?(?:法院|法庭)|"
        r"(?:告|起诉)(?:你们|你|贵公司|平台)|传票",
    ),
    # Threats, broken word, inhumanity.
    (
        STRONG,
        r"吓唬|冒充(?:公检法|警察|法院|律师)|(?:说|扬言|威胁|吓)[^,，。!?]{0,4}?(?:要|会)?(?:来|去)?(?:上门|坐牢|抓我|抓人|"
        r"判刑|起诉我|告我)|上门(?:催收|闹|堵|讨债)|(?:说要|要来|扬言)上门|说话不算(?:数|话)|出尔反尔|言而无信|"
        r"不守信用|不讲信用|说一套做一套|(?:说好|答应)(?:了|的)?[^。!?]{0,12}?(?:结果|却|又|还是|怎么)[^。!?]{0,6}?"
        r"(?:(?:又|还)(?:来)?(?:催|打|发|扣|收)|不认|不算|变卦|反悔)|没(?:有)?人性|有没有人性|丧尽天良|缺德",
    ),
    (
        STRONG,
        r"(?:怎么|为什么|咋|何不|干脆|不如)(?:不)?去抢|(?:合法|违法|国家允许|法律允许|受法律保护)(?:吗|么|嘛)|"
        r"(?:年化|利率|年利率|利息)[^,，。!?]{0,6}?(?:都|竟然|居然|快|已经)[^,，。!?]{0,3}?\d+\s*%|"
        r"打不进|(?:一直|永远|还在)(?:在)?排队|排(?:了)?(?:队)?[^,，。!?]{0,3}?(?:[0-9]+|[两二三四五六七八九十几半]+)(?:个)?"
        r"(?:小时|钟头)|说法(?:都|也|全|总是)?不一(?:样|致)|(?:一直|总是|都|老是)说(?:在)?(?:处理|核实|反馈|跟进|上报)|"
        r"(?:问|催|打|联系)了?(?:[0-9]+|[两二三四五六七八九十几多]+)(?:遍|次|回)[^,，。!?]{0,6}?(?:都|还|也)(?:说|是|没|不)|"
        r"(?:在|到|去)(?:网上|微博|抖音|小红书|朋友圈|知乎|贴吧|快手|b站|头条|黑猫)(?:上)?[^,，。!?]{0,4}?(?:公开|曝光|"
        r"发帖|发文|写|揭|吐槽|讲讲|说说|评评理)|"
        r"(?:一天|一上午|一早上|一下午|一晚上|一整天|今天|今早)(?:就|都|已经|内|里|之内)?(?:[0-9]+|[两二三四五六七八九十几多]+)"
        r"[多来几]?(?:个|通|条|次)(?:电话|短信|信息|消息|催收)|"
        r"(?:费|利息|罚息|违约金)[^,，。!?]{0,6}?(?:根本|从来|都|也)?没(?:有)?(?:提前)?(?:告诉|告知|说明|说)(?:过)?|"
        r"(?:费|利息|罚息|扣|收)[^,，。!?]{0,4}?莫名其妙|一个(?:回复|回音|电话|消息|答复)(?:都|也)没|"
        r"(?:连)?一(?:条|封)(?:回复|回音|消息|答复)(?:都|也)没|录(?:了)?音(?:了|为证)|(?:全程|通话|电话)录音|留证|(?:保留|收集)(?:了)?证据|取证|"
        r"(?:凌晨|深夜|夜里|半夜|大半夜|大晚上)(?:[一二两三四五六\d]+点(?:多|半)?)?(?:的|打来的|发来的)(?:电话|短信|来电|"
        r"催收|信息|消息)|(?:公司|单位|家里|家门口|学校)(?:来|去)?闹|闹到",
    ),
    # Sarcasm: praise for a lender who calls at night or ten times a day.
    (
        MEDIUM,
        r"可真(?:会|行|敬业|勤快|有你们的|够)|真(?:会做生意|会赚钱|会算账)|服了你们|佩服你们|谢谢你们全家|"
        r"(?:真|可真|真是|好)(?:贴心|周到|敬业|勤快|尽职)(?:啊|呀|哈)?[^。!?]{0,20}?(?:半夜|凌晨|深夜|一天|天天|每天|"
        r"[0-9十几]+(?:个|通|条|次))",
    ),
)

# Cues taken back in some contexts (``Cue.unless``): arranging a call, asking the lender to contact someone,
# identity theft, asking a debt charity for help, praise.
_COMPLAINT_GUARDED: Final[tuple[Cue, ...]] = (
    unless(
        # "£40 for being one day late??" is outrage; "is it $20 for being late?" a question.
        r"^(?:is|are|do|does|what|how|will|would|can|could)\b",
        cues(
            "complaint",
            "en",
            (
                MEDIUM,
                r"(?:[$€£¥]\s*\d+|(?<!\d)\d+\s*(?:dollars|quid|pounds|euros|bucks))\s+(?:[\w']+\s+){0,3}?(?:(?:just|only)\s+for\s+"
                r"(?:being\s+)?(?:(?:a|one|1|two|2|a\s+few|few)\s+(?:days?|hours?|minutes?)\s+)?late|for\s+(?:being\s+)?"
                r"(?:only\s+|just\s+)?(?:a|one|1|two|2|a\s+few|few)\s+(?:days?|hours?|minutes?)\s+late|for\s+(?:being\s+)?"
                r"late\s+(?:once|one\s+time|just\s+once))\b",
            ),
        ),
    )
    + unless(
        # Sarcastic praise of a charge or a call; sincere praise comes with something done for the borrower.
        r"waiv\w*|extension|extend\w*|refund\w*|reduc\w*|remov\w*|cancel\w*|forg[ia]ve\w*|discount\w*|freez\w*|\bplan\b",
        cues(
            "complaint",
            "en",
            (
                MEDIUM,
                r"\b(?:fees?|charges?|penalt\w+|interest|calls?|texts?|reminders?|messages?)\b[^.!?]{0,80}?[.!?,]\s*"
                r"(?:wow\W+)?how\s+(?:very\s+)?(?:generous|kind|thoughtful|considerate|lovely|nice|sweet|caring|"
                r"reasonable|fair)\b",
            ),
        ),
    )
    + unless(
        _ARRANGING,
        cues(
            "complaint",
            "en",
            # "the 11pm phone call", "a 6am text", "midnight calls"
            (
                MEDIUM,
                rf"\b{_ODD_HOUR}\s+(?:(?:phone|wake[\s-]?up|collection|debt|reminder)\s+)?(?:calls?|texts?|messages?|"
                r"reminders?|visits?|knocks?|sms|e?mails?)\b|\b(?:a|the|another|that|this|your)\s+(?:phone\s+)?(?:call|text|"
                rf"message|reminder|visit)\s+(?:at|after|past)\s+{_ODD_HOUR}\b|\b(?:a|another|the|your|one|this)\s+"
                r"(?:phone\s+)?(?:call|text)\s+(?:at|to)\s+(?:work|night|my\s+(?:work|office|job|workplace))\b|"
                rf"\b(?:it's|it\s+is)\s+{_ODD_HOUR}\b[^?]{{0,40}}?\b(?:call|text|messag|ring|remind)\w*",
            ),
        ),
    )
    + unless(
        _ASKING_TO_CONTACT,
        cues(
            "complaint",
            "en",
            # Someone of the borrower's told about the debt: "kind of you to call my mother about my loan".
            (
                STRONG,
                rf"\b{_NOT_THEM}(?:call|contact|text|messag|ring|rang|phon|email|tell|told|visit|approach|ask|question)\w*\s+"
                rf"my\s+(?:\w+\s+)?{_THIRD_PARTIES}\b[^.!?]{{0,30}}?\babout\s+(?:my|the|this|our)\s+(?:loan|debt|arrears|"
                r"account|payments?|balance|money|situation|finances|late\s+payments?)\b",
            ),
        ),
    )
    + unless(
        _IDENTITY_THEFT + "|" + _OWN_LOSS,
        cues(
            "complaint",
            "en",
            (
                STRONG,
                rf"\b{_ESCALATE_VERB}\s+(?:[\w']+\s+){{0,5}}?(?:to|with|at|on|in|into|about|before)\s+"
                rf"(?:(?:the|my|a|an|our|your)\s+)?{_POLICE}\b|"
                r"\b(?:call\w*|ring\w*|rang|phon\w*|contact\w*|get(?:ting)?|got|involv\w*)\s+(?:in\s+)?the\s+"
                rf"{_POLICE}\b|\b{_POLICE}\s+(?:report|complaint|case)\b|\b{_POLICE}\s+(?:will|would|'ll|are\s+going\s+to)\s+"
                r"(?:be\s+)?(?:hear|know|contact\w*|call\w*|deal|take|get\s+involved|be\s+in\s+touch)",
            ),
            (
                STRONG,
                r"(?<!\byou\s)(?<!\bthey\s)(?<!\bto\s)\breport(?:ing|ed|s)?\s+(?:this|it|the\s+\w+)\b"
                r"(?!\s+(?:\w+\s+){0,2}?to\s+(?:the\s+|a\s+)?credit)|\breported\s+to\b(?!\s+(?:the\s+|a\s+)?credit)",
            ),
        ),
    )
    + unless(
        _DEBT_HELP,
        cues(
            "complaint",
            "en",
            (
                STRONG,
                rf"\b{_ESCALATE_VERB}\s+(?:[\w']+\s+){{0,5}}?(?:to|with|at|about|before)\s+(?:(?:the|my|a|an|our)\s+)?"
                rf"{_ADVISERS}\b",
            ),
        ),
    )
    + unless(
        r"\b(?:5|five|4|four|good|great|positive|glowing|nice|excellent|lovely|brilliant)[\s-]+(?:star|review)",
        cues(
            "complaint",
            "en",
            (
                STRONG,
                r"\b(?:leav(?:e|ing)|left|writ(?:e|ing)|wrote|written|post(?:ed|ing)?|put(?:ting)?)\s+(?:a\s+|an\s+|my\s+|"
                r"some\s+)?(?:[\w-]+\s+)?reviews?\b",
            ),
        ),
    )
    + unless(
        _ZH_ASKING_TO_CONTACT + "|" + _ZH_THANKS_FOR_NOT,
        cues(
            "complaint",
            "zh",
            (
                STRONG,
                r"(?:你们|你|催收(?:员|的|人员)?|他们|客服|贵公司|平台|有人|业务员|工作人员)[^,，。!?]{0,8}?(?:给|打给|联系|找|"
                r"骚扰|打电话给|发短信给|发信息给|告诉(?:了)?|通知(?:了)?|打到|打去|打|催到|爆|闹到|找到|上门|跑到|跑去|来到|到)"
                rf"(?:了)?(?:我(?:的)?)?(?:所有|全部|每个)?(?:的)?{_ZH_PEOPLE}",
            ),
        ),
    )
    + unless(
        _ZH_MY_OWN_CALL + "|" + _ZH_ASKING_TO_CONTACT + "|" + _ZH_THANKS_FOR_NOT,
        cues(
            "complaint",
            "zh",
            (
                STRONG,
                r"(?<!我)(?:骚扰|打电话给|发短信给|发信息给|打给)(?:我(?:的)?)?(?:家人|家里人|父母|爸妈|爸爸|妈妈|老婆|老公|同事|"
                r"领导|单位|公司|朋友|亲戚|通讯录)" + _ZH_BORROWING,
            ),
            # Contact with the borrower's people, family, friends, neighbours and the workplace.
            (
                STRONG,
                rf"(?<!我)(?:给|打给|联系|找|骚扰|打电话给|发短信给|发信息给|告诉(?:了)?|通知(?:了)?)我的?{_ZH_PEOPLE}"
                + _ZH_BORROWING
                + r"|(?<!我)(?:打电话给|发短信给|发信息给|打给|骚扰|联系)我?(?:的)?(?:妈|爸|爹|娘)",
            ),
            (
                STRONG,
                rf"(?<!我)(?:打|发|找|闹|催|联系|上门)[^,，。!?]{{0,5}}?我的?{_ZH_PEOPLE}" + _ZH_BORROWING + r"|"
                rf"(?<!我)(?:给|到)我的?(?:[^,，。!?]{{1,3}}的)?{_ZH_PEOPLE}[^,，。!?]{{0,3}}?(?:打|发|催)|"
                rf"{_ZH_PEOPLE}(?:们)?(?:都|也)(?:收到|接到)(?:了)?[^,，。!?]{{0,4}}?(?:短信|电话|信息|消息)|"
                r"(?:亲戚|家族|同学|同事|工作)群",
            ),
        ),
    )
    + unless(
        _IDENTITY_THEFT + "|" + _OWN_LOSS,
        cues(
            "complaint",
            "zh",
            (
                STRONG,
                r"报警|报案|立案|(?:找|去|到|叫|告诉|联系|上|交给|给)(?:了)?(?:警察|派出所|公安(?:局)?|110)|"
                r"(?:警察|派出所|公安局|公安)见|打(?:了)?110",
            ),
        ),
    )
)

DISPUTE_CUES: Final[tuple[Cue, ...]] = cues(
    "dispute",
    "en",
    (
        STRONG,
        r"\b(?:not|isn't|is not|ain't|wasn't|was not)\s+(?:my|mine)\s+(?:loan|debt|account|bill|money|balance|"
        r"signature|contract)\b|\b(?:isn't|is not|not|ain't)\s+mine\b|"
        r"\b(?:isn't|is not|not|wasn't|was not)\s+even\s+(?:my|mine)\b",
    ),
    (STRONG, r"\bnever\s+(?:\w+\s+)?(?:borrowed|took out|taken out|applied|signed|opened|authori[sz]ed|agreed)\b"),
    (
        STRONG,
        r"\bnever\s+(?:had|received|took|got|taken)\s+(?:a\s+|an\s+|any\s+|this\s+|that\s+|the\s+|"
        r"your\s+)?(?:loan|money|debt|account|credit|funds)\b",
    ),
    (STRONG, r"\b(?:didn't|did not)\s+(?:borrow|take out|apply|sign|open|authori[sz]e|agree)\b"),
    # A guarantor or co-signer who says they are not the borrower denies owing it.
    (
        STRONG,
        r"\bnot\s+(?:the|a)\s+(?:borrower|co-?borrower|account\s+holder)\b|\bnever\s+(?:a|the)\s+(?:co-?signer|"
        r"guarantor|co-?borrower|borrower)\b|\bnever\s+(?:co-?signed|guaranteed)\b",
    ),
    # Pidgin and non-native negation: "I no borrow any money from una", "I never borrow".
    (STRONG, r"\b(?:i|we|me)\s+(?:no|never|neva)\s+(?:borrow|collect|take|sign|apply|owe)\b"),
    (
        STRONG,
        r"\bstolen\b[^.!?]{0,30}?\bused\s+(?:to|for)\s+(?:take|get|open|apply|borrow|this)|"
        r"\bused\s+my\s+(?:stolen\s+)?(?:card|id|identity|details|name|passport)\s+to\s+(?:take|get|open|apply|borrow)",
    ),
    (
        STRONG,
        r"\b(?:don't|do not|doesn't|does not)\s+(?:[\w']+\s+){0,3}?owe\b|"
        r"\bowe\s+(?:you\s+)?(?:nothing|no money)\b",
    ),
    (
        STRONG,
        r"\b(?:amount|balance|total|figure|sum|bill|charges?|interest|fees?|number)\b[^.!?]{0,25}?\b(?:is|are|"
        r"was|were|seems|looks)\s+(?:\w+\s+)?(?:wrong|incorrect|not right|not correct|inflated|mistaken|"
        r"a mistake|an error)\b",
    ),
    (STRONG, r"\b(?:wrong|incorrect|inflated)\s+(?:amount|balance|total|figure|sum|charge)\b"),
    (MEDIUM, r"\bonly\s+(?:owe|borrowed|took|had|got)\b"),
    (
        STRONG,
        r"\b(?:amount|balance|total|figure|sum|bill|charges?|interest|fees?)\b[^.!?]{0,25}?\b(?:doesn't|does not|"
        r"don't|isn't|is not|not)\s+(?:look\s+|seem\s+|sound\s+)?(?:right|correct|accurate)\b",
    ),
    (
        STRONG,
        r"\b(?:didn't|did not|never)\s+take\s+(?:out\s+)?(?:a\s+|any\s+|the\s+|this\s+|that\s+)?(?:loan|money|"
        r"credit)\b",
    ),
    (MEDIUM, r"(?<![\d,.])\$?\d[\d,.]*\s*,?\s*(?:not|instead of|rather than)\s+\$?\d"),
    (
        STRONG,
        r"\bno\s+(?:record|recollection|knowledge|memory|idea)\s+of\s+(?:this|that|the|any|a|such)\s+(?:loan|"
        r"debt|account|borrowing)\b|\b(?:don't|do not)\s+(?:remember|recall)\s+(?:taking|borrowing|signing|"
        r"this|that|any|ever)\b",
    ),
    (
        STRONG,
        r"\bnot\s+what\s+i\s+(?:owe|borrowed)\b|"
        r"\b(?:double|twice|triple|three times|more than)\s+what\s+(?:i|we)\s+(?:actually\s+|really\s+)?"
        r"(?:owe|borrowed)\b",
    ),
    (
        STRONG,
        r"\bidentity\s+(?:theft|thief|stolen|fraud)\b|\bstole\s+my\s+identity\b|\bstolen\s+identity\b|"
        r"\bsomeone\s+(?:\w+\s+)?(?:used|stole|opened|took out)\b",
    ),
    (MEDIUM, r"\bfraud(?:ulent)?\b"),
    # A debt discharged (in bankruptcy) or already settled is not owed: a dispute, not hardship.
    (STRONG, r"\b(?:was|been|got)\s+discharged\b|\bdischarged\s+in\b"),
    (
        MEDIUM,
        r"\bprove\b|\bproof\b(?!\s+of\s+(?:payment|transfer|deposit))|\bvalidat(?:e|ion)\b|"
        r"\bverif(?:y|ication)\s+(?:of\s+)?(?:the|this|that|my)?\s*(?:debt|loan)\b",
    ),
    (EXACT, r"\bdisput(?:e|ing|ed)\b"),
    (MEDIUM, r"\b(?:don't|do not)\s+recogni[sz]e\b"),
    (WEAK, r"^\W*what\s+(?:loan|debt)\W*$"),
    (
        MEDIUM,
        r"\b(?:show|send|give|furnish|provide)\s+me\s+(?:with\s+)?(?:the\s+|a\s+|my\s+|your\s+)?(?:signed\s+|"
        r"loan\s+|original\s+)?(?:contract|agreement|"
        r"documents?|paperwork|signature|evidence)\b",
    ),
) + cues(
    "dispute",
    "zh",
    (STRONG, r"不是我(?:本人)?(?:借|贷|欠|办|申请|签|开|注册)|不是我的(?!错)|(?:贷款|借款|钱|账|债|欠款)不是我"),
    # 担保人不是借款人; 我啥时候借过你们钱 ("when did I ever borrow from you?").
    (
        STRONG,
        r"不是(?:借款人|贷款人|借款的人|主贷人)|(?:我|俺)(?:什么|啥|哪)(?:个)?(?:时候|会儿)?(?:借|贷|欠|签|申请)(?:过|了)",
    ),
    (
        STRONG,
        r"(?:没|没有|从没|从来没|从来没有|根本没|根本没有)[^,，。!?不]{0,6}?(?:借|贷|申请|注册|开(?:过)?户|签(?:过)?(?:字|合同|约))"
        r"(?!口)|没(?:有)?办过",
    ),
    (
        STRONG,
        r"金额(?:不对|有误|错|有问题|不符)|数目不对|数额不对|账(?:目)?不对|算错|多算|多收|多扣|不对吧|"
        r"算(?:得|的)?(?:不对|有问题|有误)|"
        r"(?:利息|金额|账单|数字|费用|罚息)[^,，。!?]{0,4}?(?:不对|有误|错了|有问题)",
    ),
    (STRONG, r"没(?:有)?欠|不欠|不该还|凭什么(?:要我)?还|不存在(?:任何|这笔)?(?:欠款|债务|借款|欠债)"),
    (STRONG, r"冒用|盗用|被盗|冒名|冒充|身份(?:被|证被)"),
    (MEDIUM, r"证明|(?<!转账)(?<!付款)(?<!还款)凭证|合同|借条|欠条|证据"),
    (STRONG, r"异议|不认(?!识)(?:账|可)?|不承认"),
    (MEDIUM, r"只借(?:了)?"),
)

WRONG_NUMBER_CUES: Final[tuple[Cue, ...]] = cues(
    "wrong_number",
    "en",
    (EXACT, r"\bwrong\s+(?:(?:number|person|guy|girl|man|woman|lady|people|phone|contact|no)\b|#)"),
    (STRONG, r"\bnot\s+(?:the\s+)?(?:right|correct)\s+(?:person|number)\b"),
    (STRONG, r"\b(?:no one|nobody|no-one|noone)\s+(?:here\s+|lives here\s+)?(?:by|named|called|with)\b"),
    (
        STRONG,
        r"\b(?:don't|do not)\s+know\s+(?:any(?:one|body)\s+(?:called|named|by)|who\s+(?:[\w']+\s+){0,4}?(?:is|"
        r"are)\b|(?:him|her|them|this person|that person|this guy)\b)",
    ),
    (
        STRONG,
        r"\b(?:no idea|not sure|dunno)\s+who\s+(?:that|this|he|she|they|you(?:'re| are) (?:looking for|after))\b|"
        r"\bthis\s+(?:number|phone)(?:'s|\s+is|\s+has)?\s+(?:been\s+)?mine\b|"
        r"\b(?:i've|i have|we've|we have)\s+had\s+this\s+(?:number|phone)\b",
    ),
    (
        MEDIUM,
        r"\bnever heard of\s+(?:him|her|them|this person|that person)\b|"
        r"\b(?:don't|do not)\s+know\s+(?:a|an|any)\s+[a-z]+(?:\s+[a-z]+)?\W*$",
    ),
    (
        STRONG,
        r"\b(?:new|changed(?: my)?)\s+(?:phone\s+)?number\b|\bgot this (?:number|phone)\b|"
        r"\bthis number (?:is new|was (?:just )?(?:assigned|reassigned|given)|belongs to me|is mine now)\b|"
        r"\bnumber (?:was|has been) reassigned\b",
    ),
    (
        STRONG,
        r"\b(?:he|she|they|(?:that|the|this)\s+(?:guy|person|man|woman|lady|girl))\s+(?:doesn't|does not|don't|"
        r"no longer)\s+(?:use|have|own)\s+(?:this|that|the)\s+(?:number|phone)\b|"
        r"\bno longer (?:his|her|their) (?:number|phone)\b|"
        r"\b(?:number|phone)\s+(?:no\s+longer\s+belongs|(?:doesn't|does not)\s+belong)\s+to\b",
    ),
    (MEDIUM, r"\b(?:doesn't|does not|don't)\s+live\s+here\b"),
    (
        STRONG,
        r"\b(?:he|she|they|my\s+\w+|someone\s+else|the\s+(?:previous|last|old)\s+owner)\s+used\s+to\s+(?:have|own|use)\s+"
        r"(?:this|that|the)\s+(?:number|phone)\b|\bthis\s+(?:number|phone)\s+used\s+to\s+(?:be|belong)\b",
    ),
    (
        STRONG,
        r"\bnot\s+the\s+(?:person|one|guy|man|woman|lady)\s+(?:you(?:'re| are)\s+)?(?:looking for|after|want|"
        r"trying to reach)\b",
    ),
    (STRONG, r"\b(?:not|isn't|is not|no longer)\s+(?:[a-z]+'s|his|her|their)\s+(?:phone|number|cell|mobile)\b"),
    (
        STRONG,
        r"\b(?:hasn't|has not|haven't|have not|hadn't)\s+(?:had|used)\s+(?:this|that|the)\s+(?:number|phone)\b|"
        r"\b(?:it|this|the number|this number)(?:'s|\s+is)\s+mine\s+now\b",
    ),
) + cues(
    "wrong_number",
    "zh",
    # Not an apology for one's own slip: 不好意思发错了 is the borrower who sent something wrongly.
    (EXACT, r"(?<!不好意思)(?<!对不起)(?<!抱歉)(?:发|打|找)错(?:人|了|号|电话|对象)?|(?:搞|弄)错人"),
    (
        STRONG,
        r"号码(?:错了|不对|换人|已经换|是新|是我新)|换号|新(?:办|换|买)的(?:号|卡)|换(?:了)?主人|"
        r"这个号(?:码)?(?:是|已经)?(?:我)?新",
    ),
    (
        STRONG,
        r"不是(?:他|她)的(?:号码|手机|电话)|(?:号码|手机号)不是(?:他|她)的|"
        r"不认识(?:这个人|此人|他|她|你说的|这人)?|不知道(?:你|你们)?(?:说|找)?的?(?:是)?谁|(?:你|你们)找谁",
    ),
    (
        STRONG,
        r"没有(?:叫|名叫|姓)[^,，。!?]{1,4}的人|(?:没有|没)这个人|查无此人|不是本人|"
        r"我?不是(?:他|她)(?:本人)?(?:$|[,.!?，。！？\s])",
    ),
    (
        STRONG,
        r"(?:他|她|我[爸妈哥姐弟妹]|别人|前任|上一个人)(?:的)?(?:以前|之前|原来)的(?:号|号码|手机号|手机)|"
        r"(?:他|她)(?:早就|早|已经|现在)(?:不用|没用|换号)",
    ),
    (STRONG, rf"我不是(?!周[一二三四五六日天末])[{_SURNAMES}][\u4e00-\u9fff]{{1,2}}(?:$|[,.!?，。！？\s]|本人)"),
)

SAFETY_CUES: Final[tuple[Cue, ...]] = (
    COMPLAINT_CUES + _COMPLAINT_GUARDED + DISPUTE_CUES + OPT_OUT_CUES + _OPT_OUT_GUARDED + WRONG_NUMBER_CUES
)
