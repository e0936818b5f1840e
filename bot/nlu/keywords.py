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
    (STRONG, r"(?:不要|别|不用|勿|请勿|不必|不准)再?(?:给我|跟我)?(?:发|传|打|联系|骚扰|烦|提醒|通知)"),
    (STRONG, r"停止(?:发送|发|推送|短信|通知|联系|催收|提醒)?"),
    (STRONG, r"(?:不想|不希望|不愿意)再?(?:收到|接到|看到)"),
    (STRONG, r"(?:删除|删掉|移除)(?:我的?)?(?:号码|手机号|信息)|把我的?(?:号码|手机号)[^,，。!?]{0,8}?(?:删|移除)"),
    (STRONG, r"\btd\b"),
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
    r"rip[\s-]?offs?|ripping\s+(?:me|us|people|customers)\s+off|(?:daylight|highway)\s+robbery|robbery|extortion(?:ate)?|"
    r"exploitative|exploit(?:ing|ation)|predatory|loan\s*sharks?|usur(?:y|ious)|bloodsuckers?|vultures|leeches|"
    r"crooks|thieves|bleed(?:ing)?\s+(?:\w+\s+)?dry|taking\s+the\s+(?:piss|mickey|mick)|racket|"
    r"cheat(?:ing|ed|s)?\s+(?:me|us|people|customers|borrowers)|daylight\s+theft|(?:a|total|complete|absolute)\s+con"
)
# Words that, said of charges, make a complaint of them ("your interest rates are criminal").
_OUTRAGE: Final = (
    r"ridiculous|outrageous|too\s+(?:high|much|steep)|unfair|unjust|excessive|insane|crazy|criminal|scam|"
    r"obscene|disgusting|a\s+joke|absurd|greedy|shameful|kidding|joking|unreasonable|extortionate|"
    r"unbelievable|immoral|wicked|unacceptable|daylight|robbery|rip[\s-]?off"
)
# Whom a borrower goes to: regulators, ombudsmen, courts, the police, the press, the public.
_AUTHORITY: Final = (
    r"(?:cfpb|ftc|bbb|fca|fos|asic|afca|mas|rbi|occ|better business bureau|attorney general|ombudsman|"
    r"regulators?|consumer protection|consumer financial protection|trading standards|financial conduct authority|"
    r"police|cops|tribunal|press|papers|newspapers?|media|(?:local\s+)?news\s+(?:channels?|stations?|desk)|"
    r"journalists?|reporters?|tv|television|mp|congress(?:wo)?man|senator|councill?or|"
    r"lawyers?|solicitors?|attorneys?|legal\s+(?:team|counsel|aid)|"
    r"twitter|facebook|reddit|tiktok|instagram|youtube|social media|trustpilot|yelp|google reviews?)"
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
    r"pass\w*|expos\w*)"
)
# Family, friends, neighbours and the workplace: contact with them is a complaint.
_THIRD_PARTIES: Final = (
    r"(?:employer|boss|work|workplace|office|job|family|mother|mom|mum|mommy|mummy|father|dad|daddy|wife|husband|"
    r"partner|ex|girlfriend|boyfriend|fianc[eé]e?|kids?|children|son|daughter|grand(?:son|daughter|ma|pa|mother|"
    r"father|parents)|friends?|neighbou?rs?|parents|relatives|relations|in-?laws|colleagues?|co-?workers?|"
    r"sister|brother|siblings?|cousins?|aunt|uncle|manager|supervisor|church|school|landlord|references?|"
    r"(?:elderly|old|sick)\s+(?:mother|father|mum|mom|dad|parents))"
)
# Past, progressive and third-person forms: what someone did, not a request ("call my wife").
_CONTACTED: Final = (
    r"(?:called|calling|calls|contacted|contacting|contacts|texted|texting|texts|messaged|messaging|messages|"
    r"rang|ringing|rings|phoned|phoning|phones|emailed|emailing|emails|told|telling|tells|harass\w*|"
    r"bother(?:ed|ing|s)|spoke\s+to|speaking\s+to|talked\s+to|talking\s+to|wrote\s+to|writing\s+to|"
    r"showed\s+up\s+at|turned\s+up\s+at|came\s+to|coming\s+to|shamed|shaming)"
)
_CONTACT_BASE: Final = r"(?:call|contact|text|message|ring|phone|email|bother|harass|visit|tell|involve)"
# The borrower as the one who called ("I called my mum, she'll lend me the money") or a thank-you
# ("thanks for calling my wife back"): not a complaint.
_NOT_THEM: Final = (
    r"(?<!\bi\s)(?<!\bwe\s)(?<!\bi've\s)(?<!\bwe've\s)(?<!\bi'm\s)(?<!\bwe're\s)(?<!\bi'll\s)(?<!\bi\sjust\s)"
    r"(?<!\bi\shave\s)(?<!\bi\shad\s)(?<!\bi\swas\s)(?<!\bi\sam\s)(?<!\bi've\sbeen\s)(?<!\bi\salready\s)"
    r"(?<!\bi\swill\s)(?<!\bfor\s)(?<!\bthanks\s)"
)
# Being ignored: a reply that never came, a line nobody answers.
_NOBODY: Final = r"(?:nobody|no\s*-?\s*one|noone|not\s+(?:a|one)\s+(?:single\s+)?(?:person|soul))"
_YOU_SIDE: Final = (
    r"(?:you|you\s+guys|you\s+people|your\s+(?:team|staff|agents?|people|company|office|line|helpline|"
    r"phone\s+line|support|customer\s+\w+|(?:live\s+)?chat))"
)
_ANSWER: Final = (
    r"(?:answers?|answered|picks?\s+up|picked\s+up|repl(?:y|ies|ied)|respond(?:s|ed)?|gets?\s+back|got\s+back|"
    r"calls?\s+(?:me\s+)?back|called\s+(?:me\s+)?back|returns?|returned|reads?|does|did|bothers?|cares?|helps?|"
    r"answer|reply|respond|pick\s+up|get\s+back|call\s+(?:me\s+)?back|return)"
)
_COUNT: Final = (
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|several|multiple|many|so many|a dozen)"
)
# Hours at which nobody should be called: night and the small hours.
_ODD_HOUR: Final = (
    r"(?:midnight|(?:[1-6]|12)(?::\d\d)?\s*(?:am|a\.m\.)|(?:10|11)(?::\d\d)?\s*(?:pm|p\.m\.)|night|dawn|"
    r"the middle of the night)"
)

COMPLAINT_CUES: Final[tuple[Cue, ...]] = cues(
    "complaint",
    "en",
    (STRONG, r"\bcomplain(?:t|ts|ing|ed)?\b"),
    # Treatment and staff.
    (
        MEDIUM,
        r"\b(?:rude|disrespectful|unprofessional|abusive|abuse|aggressive|insulting|insulted|yelled|yelling|"
        r"shouted|shouting|swore|cursed|disgusting|appalling|outrageous|bully(?:ing)?|impolite|condescending|"
        r"patroni[sz]ing|humiliat(?:ing|ed|ion)|intimidat(?:ing|ed|ion)|disgraceful|shameful|"
        r"scold(?:ed|ing)?|belittl\w+|degrading|demeaning)\b|\b(?:find|found)\s+(?:this|it)\s+(?:\w+\s+)?distressing\b|"
        r"\b(?:called|calling|call|calls|treat\w*)\s+me\s+(?:like\s+)?(?:a|an)\s+(?:deadbeat|liar|thief|criminal|loser|"
        r"idiot|fraud|scammer|beggar|crook)\b",
    ),
    (STRONG, r"\bthreat(?:en|ened|ening|ens|s)?\b"),
    (MEDIUM, r"\b(?:unacceptable|illegal|unlawful|unfair|ridiculous|scandalous|extortion|unjust|relentless)\b"),
    (STRONG, r"\b(?:no|what)\s+right\s+(?:do\s+you\s+have\s+|you\s+have\s+|have\s+you\s+got\s+)?to\b"),
    (
        MEDIUM,
        r"\b(?:hung|hang|hanging)\s+up\s+on\s+me\b|\b(?:swore|cursed|cussed|lied|yelled|screamed|shouted)\s+at\s+me\b|"
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
        r"\bhow\s+you\s+(?:treat|operate|do\s+business|harass|talk\s+to|speak\s+to)\b|"
        r"\b(?:sick of|fed up|sick and tired)\b",
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
        r"\bscammers?\b|"
        r"\b(?:you(?:'re| are)|you guys are|you people are|you lot are|your company is)\s+(?:a\s+(?:bunch\s+of\s+)?)?"
        r"(?:scam|crooks|thieves|criminals|liars|a\s+joke|a\s+disgrace|useless|pathetic|relentless|shameless)\b",
    ),
    # Being ignored.
    (
        MEDIUM,
        # not "sorry, nobody answered when you called": the borrower's side missing the lender's call
        rf"\b{_NOBODY}\s+(?:[\w']+\s+){{0,2}}?{_ANSWER}\b(?!\s+(?:when|as|because)\s+you\b|\s+your\s+calls?\b)|"
        rf"\b{_YOU_SIDE}\s+(?:never|don't|do not|didn't|did not|won't|will not|can't|cannot|haven't|have not|"
        rf"hasn't|has not|doesn't|does not)\s+(?:even\s+|ever\s+|once\s+|bother\s+to\s+)?{_ANSWER}\b|"
        r"\b(?:reply|response|answer|callback|call\s*back)\s+(?:that\s+)?never\s+(?:came|arrived|happened|comes)\b",
    ),
    (
        MEDIUM,
        r"\bheard\s+nothing\b|\b(?:got|had|received|get)\s+nothing\s+back\b|\bno\s+(?:reply|replies|response|responses|answer|"
        r"word|callback|call\s*back|feedback)\s+(?:back\s+|at all\s+|yet\s+)?(?:till|until|since|from|after|so far|"
        r"to date|in|for|ever|at all)\b|\bwith\s+no\s+(?:reply|response|answer)\b|\bstill\s+nothing\b|"
        r"\bstill\s+(?:waiting|no\s+(?:reply|response|answer|word))\s+(?:on|for)\s+(?:a\s+|an\s+|that\s+|the\s+|"
        r"your\s+|my\s+|any\s+)?(?:reply|response|answer|callback|call\s*back|call|email|letter|statement|refund|"
        r"someone|anyone|you)\b|\bignor(?:ed|ing)\s+(?:me|us|my)\b|\brun\s*-?around\b|\btransferred\s+around\b",
    ),
    (
        MEDIUM,
        rf"\b(?:been|was|were|kept|waited|sat|stuck|left)\s+on\s+hold\b(?!\s+with\s+(?:my|the|our)\b)|\bon\s+hold\s+(?:for\s+)?(?:over\s+|almost\s+|nearly\s+)?"
        rf"(?:{_COUNT}|an?|half\s+an?)\s*(?:hours?|hrs?|minutes?|mins?)\b",
    ),
    (
        MEDIUM,
        rf"\b(?:emailed|called|rang|phoned|messaged|texted|written|wrote|sent|left)\s+(?:[\w']+\s+){{0,4}}?"
        rf"{_COUNT}\s+(?:times|emails|mails|letters|messages|voicemails|texts)\b[^.!?]{{0,60}}?\b(?:nothing|no\s+"
        r"(?:reply|response|answer|one)|nobody|never|ignored|still)\b|\b(?:emailed|called|rang|phoned|messaged|"
        rf"texted)\s+(?:you\s+)?{_COUNT}\s+times\W+nothing\b",
    ),
    (
        MEDIUM,
        r"\b(?:terrible|poor|worst|awful|pathetic|shocking|appalling|horrible|rubbish|lousy|bad|"
        r"disgraceful|zero)\s+(?:customer\s+)?(?:service|support|company|communication)\b|"
        r"(?<!feel\s)(?<!so\s)(?<!i'm\s)(?<!i\sam\s)\b(?:useless|pathetic)\b|\bshambles\b|\bincompetent\b",
    ),
    # Regulators, ombudsmen, lawyers, courts, the police and the press.
    (
        STRONG,
        r"\b(?:cfpb|ftc|bbb|better business bureau|attorney general|ombudsman|regulators?|consumer protection|"
        r"consumer financial protection|trading standards|financial conduct authority)\b",
    ),
    (STRONG, r"\breport(?:ing|ed|s)?\s+(?:you|this|your|it|them|u|ur|him|her|the\s+\w+)\b|\breported\s+to\b"),
    (
        STRONG,
        rf"\b{_ESCALATE_VERB}\s+(?:[\w']+\s+){{0,5}}?(?:to|with|at|on|in|into|about|before)\s+"
        rf"(?:(?:the|my|a|an|our|your)\s+)?{_AUTHORITY}\b{_OWN_AFFAIRS}",
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
        r"it\s+)?(?:in|to)\s+(?:small\s+claims\s+)?court\b|\bsmall\s+claims\b|\blawyer(?:ing)?\s+up\b|"
        r"\b(?:go|going|went)\s+to\s+court\b|"
        r"\b(?:call|calling|phone|ring)\s+the\s+(?:police|cops)\b",
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
        rf"{_NOT_THEM}\b{_CONTACTED}\s+(?:me\s+at\s+)?my\s+(?:\w+\s+)?{_THIRD_PARTIES}\b|"
        rf"\b(?:did|does|do|don't|do not|didn't|never|stop|quit|why|anyone|anybody|someone|somebody|collector|agent|"
        rf"collectors|agents|people)\s+(?:[\w']+\s+){{0,2}}?{_CONTACT_BASE}\s+my\s+(?:\w+\s+)?{_THIRD_PARTIES}\b",
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
        r"(?:day|night|hour|morning)\b|"
        rf"\b(?:got|had|received|getting)\s+{_COUNT}\s+(?:calls|texts|messages|reminders)\b[^.!?]{{0,20}}?"
        r"\b(?:today|yesterday|this morning|tonight|last night|in (?:a|one) day|this week)\b|"
        r"\b(?:\d+(?:st|nd|rd|th)|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\s+(?:call|text|message|"
        r"reminder)\s+(?:today|this\s+morning|tonight|this\s+week|since|in\s+(?:a|one)\s+day)\b",
    ),
    (MEDIUM, r"\bkeep\s+(?:on\s+)?(?:calling|texting|messaging|contacting|bothering|ringing)\b"),
    (
        MEDIUM,
        r"\b(?:too many|so many|constant|nonstop|non-stop|endless|relentless)\s+(?:calls|texts|messages|"
        r"reminders|harassment)\b|\bis a joke\b",
    ),
) + cues(
    "complaint",
    "zh",
    (EXACT, r"投诉|举报|控告|检举"),
    (STRONG, r"骚扰|曝光"),
    # Regulators, the police, the courts, lawyers, the press and the public.
    (
        STRONG,
        r"银保监|银监|保监|金融监管|监管(?:局|部门|机构)|金管会|金管局|人民银行|人行|12378|12363|12315|消协|"
        r"消费者协会|消委会|报警|警察|派出所|公安|起诉你们|告你们|打官司|仲裁|法律(?:途径|程序|手段)|"
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
        r"爆(?:我的?)?通讯录|太凶|凶什么|太过分|过分了|不要脸|无耻|流氓|高利贷|套路贷|乱收费|乱扣|"
        r"收费(?:太|很|过)?高|违规|违法|非法|(?<!是不是)骗子(?!吗)|骗钱|素质[^,，。!?]{0,3}?差|没素质|"
        r"(?:没|不)(?:有)?礼貌|(?:太|真|好|很|真是|特别)恶心|(?:没有|没|还有没有)底线|什么(?:破|烂)|什么服务(?!费)|"
        r"丢(?:死)?人|丢脸|怎么做人|跟你们没完",
    ),
    (STRONG, r"(?:说话|语气|口气)(?:太|很|非常|特别)?(?:难听|冲|凶|不客气|恶劣)|难听"),
    (MEDIUM, r"有病吧|神经病|烦死了|烦不烦|有完没完|王法|天理"),
    # Charges called unfair or extortionate.
    (
        STRONG,
        r"(?:手续费|利息|罚息|违约金|服务费|管理费|费用)[^,，。!?]{0,6}?(?:太|这么|那么|好)(?:高|多|贵)|"
        r"凭什么(?:收|扣)|(?:这么|那么|太)多(?:的)?(?:手续费|利息|罚息|违约金|服务费|管理费|费用)",
    ),
    (
        STRONG,
        r"(?:太|真|好|很|这么|那么|忒|也太)黑(?!夜|天)|黑心|坑(?:人|钱|爹|死)|(?:太|好|真|也太|很)坑|抢钱|吸血|"
        r"扒皮|砍头息|暴利|宰人|割韭菜|霸王条款|离谱|不合理|吃相[^,，。!?]{0,3}?难看|"
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
        STRONG,
        r"(?:给|打给|联系|找|骚扰|打电话给|发短信给|发信息给)(?:我(?:的)?)?(?:家人|家里人|父母|爸妈|爸爸|妈妈|"
        r"老婆|老公|同事|领导|单位|公司|朋友|亲戚|通讯录)|(?:给|打给|联系|找|骚扰|打电话给)我的?(?:邻居|孩子|老人|学校|老板)|"
        r"(?<!我)(?:打电话给|发短信给|发信息给|打给|骚扰|联系)我?(?:的)?(?:妈|爸|爹|娘)",
    ),
    (
        STRONG,
        r"(?:打|发|找|闹|催|联系|上门)[^,，。!?]{0,5}?我的?(?:公司|单位|家里|老家|家人|父母|爸妈|同事|领导|朋友|"
        r"亲戚|老婆|老公|孩子|邻居|学校|老板)|"
        r"(?<!我)(?:给|到)我的?(?:[^,，。!?]{1,3}的)?(?:学校|家人|父母|爸妈|妈|爸|同事|领导|单位|公司|朋友|亲戚|老婆|"
        r"老公|孩子|家里|邻居)[^,，。!?]{0,3}?(?:打|发|催)|"
        r"(?:家人|父母|爸妈|同事|领导|朋友|亲戚|老婆|老公|孩子|邻居)(?:们)?(?:都|也)(?:收到|接到)(?:了)?"
        r"[^,，。!?]{0,4}?(?:短信|电话|信息|消息)|(?:亲戚|家族|同学|同事|工作)群",
    ),
    (
        MEDIUM,
        r"(?:天天|每天|一天|一直|老是|总是|反复|不停(?:地)?|频繁|半夜|大半夜|大晚上)[^,，。!?]{0,6}?(?:给我)?(?:打|发|"
        r"催)[^,，。!?]{0,4}?(?:电话|短信|信息)?",
    ),
    (MEDIUM, r"(?:短信|电话|信息|消息)[^,，。!?]{0,3}?(?:太|很|这么|那么|过于)(?:频繁|多了|烦)"),
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
    (STRONG, r"(?:没|没有|从没|从来没|从来没有|根本没|根本没有)[^,，。!?不]{0,6}?(?:借|贷|申请)(?!口)|没(?:有)?办过"),
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
    (STRONG, rf"我不是(?!周[一二三四五六日天末])[{_SURNAMES}][\u4e00-\u9fff]{{1,2}}(?:$|[,.!?，。！？\s]|本人)"),
)

SAFETY_CUES: Final[tuple[Cue, ...]] = COMPLAINT_CUES + DISPUTE_CUES + OPT_OUT_CUES + WRONG_NUMBER_CUES
