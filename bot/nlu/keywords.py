"""Layer 2: carrier keywords and the safety intents.

Carrier keywords (STOP, START, HELP, 退订, TD, ...) are legal obligations, so a reply
that *is* one of them is decided here, exactly and with the highest confidence.

The safety intents — complaint, dispute, opt-out in plain words, wrong number — sit at
the top of the precedence order: whatever else a reply says, these must be acted on,
and none of them may ever be read as a promise to pay.
"""

from __future__ import annotations

from typing import Final

from .cue import EXACT, MEDIUM, STRONG, WEAK, Cue, cues
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
    (STRONG, r"(?:不要|别|不用|勿|请勿|不必|不准)再?(?:给我|跟我)?(?:发|打|联系|骚扰|烦|提醒|通知)"),
    (STRONG, r"停止(?:发送|发|推送|短信|通知|联系|催收|提醒)?"),
    (STRONG, r"(?:不想|不希望|不愿意)再?(?:收到|接到|看到)"),
    (STRONG, r"(?:删除|删掉|移除)(?:我的?)?(?:号码|手机号|信息)|把我的?(?:号码|手机号)[^,，。!?]{0,8}?(?:删|移除)"),
    (STRONG, r"\btd\b"),
)

COMPLAINT_CUES: Final[tuple[Cue, ...]] = cues(
    "complaint",
    "en",
    (STRONG, r"\bcomplain(?:t|ts|ing|ed)?\b"),
    (STRONG, r"\breport(?:ing|ed)?\s+(?:you|this|your|it|them|u)\b"),
    (
        STRONG,
        r"\b(?:cfpb|ftc|bbb|better business bureau|attorney general|ombudsman|regulators?|consumer protection|"
        r"consumer financial protection)\b",
    ),
    (STRONG, r"\bharass(?:ing|ment|ed|es)?\b"),
    (
        MEDIUM,
        r"\b(?:rude|disrespectful|unprofessional|abusive|abuse|aggressive|insulting|insulted|yelled|yelling|"
        r"shouted|shouting|swore|cursed|disgusting|appalling|outrageous|bully(?:ing)?)\b",
    ),
    (STRONG, r"\bthreat(?:en|ened|ening|ens|s)?\b"),
    (MEDIUM, r"\b(?:unacceptable|illegal|unlawful|unfair|ridiculous|scandalous|extortion)\b"),
    (
        STRONG,
        rf"\b(?:called|calling|call|contacted|contacting|texted|texting|messaged|told|emailed|harassed|bothering|"
        rf"bothered)\s+my\s+{_RELATIVES}\b",
    ),
    (
        MEDIUM,
        r"\b(?:calling|call|texting|messaging|contacting)\s+me\s+(?:\w+\s+){0,2}?(?:at work|at night|every day|"
        r"everyday|all day|constantly|non-?stop|repeatedly|\d+ times|so much|so often|late at night|"
        r"early in the morning)\b",
    ),
    (MEDIUM, r"\bkeep\s+(?:on\s+)?(?:calling|texting|messaging|contacting|bothering)\b"),
    (
        MEDIUM,
        r"\b(?:too many|so many|constant|nonstop|non-stop|endless|relentless)\s+(?:calls|texts|messages|"
        r"reminders|harassment)\b|\bis a joke\b",
    ),
    (
        MEDIUM,
        r"\b(?:fees?|charges?|interest)\b[^.!?]{0,30}\b(?:ridiculous|outrageous|too high|unfair|excessive|insane|"
        r"crazy|robbery|scam)\b",
    ),
    (MEDIUM, r"\b(?:hidden|excessive|unfair|illegal|outrageous|ridiculous)\s+(?:fees?|charges?|interest)\b"),
    (MEDIUM, r"\bwhy\s+(?:am i|was i|were we|are you|did you|do you|is there)\s+(?:being\s+)?charg"),
    (MEDIUM, r"\b(?:sick of|fed up|sick and tired)\b"),
    (MEDIUM, r"\bhow\s+(?:i|we)\s+(?:was|were|am|are|have been|got)\s+(?:being\s+)?treated\b"),
    (
        MEDIUM,
        r"\bscammers?\b|"
        r"\b(?:you(?:'re| are)|you guys are|your company is)\s+(?:a\s+)?(?:scam|crooks|thieves|criminals)\b",
    ),
    (
        MEDIUM,
        r"\b(?:hung|hang|hanging)\s+up\s+on\s+me\b|\b(?:swore|cursed|cussed|lied|yelled|screamed|shouted)\s+at\s+me\b|"
        r"\blied\s+to\s+me\b",
    ),
    (MEDIUM, r"\b(?:lawyer|attorney|solicitor|sue you|suing you|legal action against you)\b"),
) + cues(
    "complaint",
    "zh",
    (EXACT, r"投诉|举报|控告"),
    (STRONG, r"骚扰|曝光你们"),
    (
        STRONG,
        r"银保监|银监|保监|金融监管|监管(?:局|部门|机构)|人民银行|人行|12378|12363|12315|消协|消费者协会|报警|"
        r"警察|派出所|公安|律师|起诉你们|告你们",
    ),
    (
        STRONG,
        r"态度(?:很|太|非常|极其|特别)?(?:差|恶劣|不好|嚣张|蛮横)|骂(?:人|我)|辱骂|脏话|威胁|恐吓|暴力催收|"
        r"爆(?:我的?)?通讯录|太凶|凶什么|太过分|过分了|不要脸|无耻|流氓|高利贷|套路贷|乱收费|乱扣|"
        r"收费(?:太|很|过)?高|违规|违法|非法|骗子",
    ),
    (
        STRONG,
        r"(?:给|打给|联系|找|骚扰)(?:我(?:的)?)?(?:家人|家里人|父母|爸妈|爸爸|妈妈|老婆|老公|同事|领导|单位|公司|"
        r"朋友|亲戚|通讯录)",
    ),
    (
        MEDIUM,
        r"(?:天天|每天|一天|一直|老是|总是|反复|不停(?:地)?|频繁|半夜|大半夜)[^,，。!?]{0,6}?(?:给我)?(?:打|发|"
        r"催)[^,，。!?]{0,4}?(?:电话|短信|信息)?",
    ),
    (
        STRONG,
        r"(?:打|发|找|闹|催|联系|上门)[^,，。!?]{0,5}?我的?(?:公司|单位|家里|老家|家人|父母|爸妈|同事|领导|朋友|"
        r"亲戚|老婆|老公|孩子)",
    ),
    (MEDIUM, r"有病吧|神经病|烦死了|烦不烦|有完没完|王法|天理"),
    (MEDIUM, r"(?:短信|电话|信息|消息)[^,，。!?]{0,3}?(?:太|很|这么|那么|过于)(?:频繁|多了|烦)"),
    (
        STRONG,
        r"(?:手续费|利息|罚息|违约金|服务费|管理费|费用)[^,，。!?]{0,6}?(?:太|这么|那么|好)(?:高|多|贵)|"
        r"凭什么(?:收|扣)|(?:这么|那么|太)多(?:的)?(?:手续费|利息|罚息|违约金|服务费|管理费|费用)",
    ),
    (STRONG, r"(?:说话|语气|口气)(?:太|很|非常|特别)?(?:难听|冲|凶|不客气|恶劣)|难听"),
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
    (STRONG, r"\bnot\s+what\s+i\s+(?:owe|borrowed)\b"),
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
    (STRONG, r"(?:没|没有|从没|从来没|从来没有|根本没|根本没有)[^,，。!?不]{0,6}?(?:借|贷|申请)(?!口)|没(?:有)?办过"),
    (
        STRONG,
        r"金额(?:不对|有误|错|有问题|不符)|数目不对|数额不对|账(?:目)?不对|算错|多算|多收|多扣|不对吧|"
        r"算(?:得|的)?(?:不对|有问题|有误)|"
        r"(?:利息|金额|账单|数字|费用|罚息)[^,，。!?]{0,4}?(?:不对|有误|错了|有问题)",
    ),
    (STRONG, r"没(?:有)?欠|不欠|不该还|凭什么(?:要我)?还"),
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
        r"\bnot\s+the\s+(?:person|one|guy|man|woman|lady)\s+(?:you(?:'re| are)\s+)?(?:looking for|after|want|"
        r"trying to reach)\b",
    ),
    (STRONG, r"\bnot\s+(?:[a-z]+'s|his|her|their)\s+(?:phone|number|cell|mobile)\b"),
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
    (STRONG, rf"我不是(?!周[一二三四五六日天末])[{_SURNAMES}][\u4e00-\u9fff]{{1,2}}(?:$|[,.!?，。！？\s]|本人)"),
)

SAFETY_CUES: Final[tuple[Cue, ...]] = COMPLAINT_CUES + DISPUTE_CUES + OPT_OUT_CUES + WRONG_NUMBER_CUES
