"""Layer 4b: the grievance safety net, run after every specific rule.

The complaint tables in ``keywords`` name kinds of complaint (charges called robbery, being
ignored, a regulator, contact with the borrower's family); however many phrasings they learn,
a fresh set of replies brings new ones. This layer is general by construction instead: a reply
that expresses dissatisfaction, outrage or accusation *directed at the lender* is a complaint even
when no specific pattern matched it. It needs two things, in the same clause or, when the
grievance names no target of its own ("… . Disgraceful.", "this is thievery", "I'm 19 and that was
humiliating"), in one of the two clauses before it:

* a **grievance**: an affect word ("unacceptable", "out of line", "ghosted", 不满, 太过分, 还有脸, 阴阳怪气),
  a rhetorical challenge ("how dare", "what's wrong with you people", 凭啥扣我, 至于吗, 人呢) or a
  sarcasm marker (真nb, 来得真容易);
* a **reference to the lender**: the second person as the one acting ("you charged", "you people",
  "your app"), the lender's staff, app or company (collector, agent, support, 催收, 客服, 贵司), or
  what only the lender does to a borrower (fees, charges, calls, 罚息, 扣我).

So "I'm fed up with my job", "my landlord is a joke", "ridiculous week" or 老板太过分了 (a grievance
about someone or something else), "your staff were not rude at all" (negated) and "your agent was
lovely" (the lender without a grievance) stay what they are. A lender that promised something
("your agent promised a call back", 说好了三天内回电) and then did not deliver ("nobody called", 人呢,
没下文) is a grievance too. Words that only voice a grievance ("rude", "ridiculous", "fed up", 太过分,
离谱) live here and nowhere else: on their own they name no kind of complaint.

The layer only ever adds evidence for ``complaint``; it never takes any away, and it runs only
when no specific complaint rule fired, so what it catches is its own contribution (the
classifier can be asked to leave it out, which is how bench/nlu_eval.py measures it).
"""

from __future__ import annotations

from typing import Final

from .cue import MEDIUM, Cue
from .lazyre import lazy

# The evidence the net adds: one named cue (weighted like a medium-strength rule). Its pattern
# never matches: ``finds_grievance`` decides, and the classifier adds this cue when it does.
NET: Final = Cue("complaint", MEDIUM, "en", lazy(r"(?!)"))

# --- clauses ------------------------------------------------------------------------------
# Sentences end at . ! ? (not a decimal point), Chinese full stops, newlines; clauses also at
# commas, semicolons and, in Chinese, at the spaces SMS writers use as commas.
_CLAUSE_BREAK: Final = lazy(r"[.!?]+(?!\d)|[,;:，。！？；：\n]+|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")

# --- grievances ---------------------------------------------------------------------------
_NEG_EN: Final = r"(?<!\bnot\s)(?<!n't\s)(?<!\bno\s)(?<!\bnever\s)(?<!\bnot\sat\sall\s)(?<!\bnothing\s)"
GRIEVANCE_EN: Final = lazy(
    _NEG_EN + r"\b(?:unacceptable|outrageous|outrage|disgraceful|a\s+disgrace|disgusting|appalling|appalled|scandalous|"
    r"shameful|shameless|out\s+of\s+(?:line|order)|crossed\s+(?:a|the)\s+line|ridiculous|absurd|ludicrous|laughable|"
    r"(?:a|total|complete|absolute|bad|sick)\s+joke|joke\s+of\s+a|scam(?:s|mers?|ming|med)?|thievery|"
    r"(?<!identity\s)theft|thieving|(?<!\ba\s)(?<!armed\s)robbery|robbing\s+(?:me|us|people|borrowers|customers)|rip[\s-]?offs?|ripp(?:ed|ing)\s+(?:me|us|people)\s+off|ghost(?:ed|ing)|fed\s+up|"
    r"sick\s+(?:of|and\s+tired)|tired\s+of\s+(?:being|you|your|these|this|the)|had\s+enough|not\s+good\s+enough|"
    r"shame\s+on\s+you|how\s+dare|bogus|junk\s+(?:fees?|charges?)|sneaky|by\s+stealth|dodgy|shady|crooked|greedy|"
    r"predatory|pathetic|useless|incompetent|unprofessional|rude|disrespectful|humiliat\w+|upsetting|intimidat\w+|"
    r"distressing|degrading|demeaning|insult(?:ing|ed)|bull(?:y|ied|ying)|hounding|furious|livid|fuming|disgusted|"
    r"abusive|abuse(?!\s+of)|aggressive|impolite|condescending|patroni[sz]ing|scold\w*|belittl\w+|relentless|"
    r"yell(?:ed|ing)|shout(?:ed|ing)|swore|swearing|curs(?:ed|ing)|"
    r"(?:very|really|so|extremely|deeply|most)\s+(?:unhappy|upset|angry|disappointed|annoyed|frustrated)|"
    r"not\s+(?:at\s+all\s+)?happy|wtf|what\s+the\s+(?:hell|heck|fuck)|unethical|immoral|unlawful|illegal|unfair|unjust|"
    r"criminal(?!\s+(?:record|court|case|lawyer|charges?|justice|offen[cs]es?))|embarrass(?:ing|ed)|defam\w+|slander\w*|"
    r"(?:breach|invasion|violation)\s+of\s+(?:my\s+|our\s+)?privacy|(?:ain't|not)\s+right\s+(?:at\s+all|and\s+you\s+know)|"
    r"too\s+far|over\s+the\s+top|beyond\s+a\s+joke|low\s+blow|even\s+for\s+you|"
    r"exploitative|extortion(?:ate)?|(?:damag\w+|ruin\w*|hurt)\s+(?:my|our)\s+(?:reputation|name|business|standing)|"
    r"(?:put|putting)\s+(?:it\s+|this\s+)?on\s+record|no\s+way\s+to\s+(?:treat|speak\s+to|talk\s+to)|"
    r"(?:terrible|awful|atrocious|horrible|dreadful|poor|lousy|rubbish|worst|shocking|abysmal|diabolical)\s+"
    r"(?:service|support|treatment|behaviou?r|conduct|attitude|communication|experience|company|practices?|manners)|"
    r"(?:that's|that\s+is|this\s+is|it's|it\s+is)\s+(?:just\s+|simply\s+)?not\s+on\b|"
    r"not\s+how\s+(?:a|an|any|you|your)\b[^.!?]{0,40}?\bshould\b|"
    # a charge the borrower never agreed to
    r"(?:fees?|charges?|interest)\b[^.!?]{0,20}?\b(?:i|we)\s+(?:never|didn't|did\s+not)\s+(?:agr\w*|sign\w*\s+up|"
    r"consent\w*|authori[sz]\w*))\b"
)
# Rhetorical challenges and sarcasm: they accuse without an affect word.
CHALLENGE_EN: Final = lazy(
    r"\bwho\s+do\s+you\s+(?:people\s+|lot\s+|guys\s+)?think\s+you\s+are\b|"
    r"\bwhat(?:'s|\s+is)\s+wrong\s+with\s+(?:you|your|this\s+company)\b|"
    r"\bare\s+you\s+(?:serious|kidding|joking|for\s+real|insane|mad|crazy)\b|"
    r"\byou\s+(?:must\s+be|have\s+got\s+to\s+be|'ve\s+got\s+to\s+be|gotta\s+be)\s+(?:kidding|joking)\b|"
    r"\bwhat\s+kind\s+of\s+(?:a\s+)?(?:company|service|business|lender|people|outfit|operation|place|firm)\b|"
    r"\bwhy\s+(?:on\s+earth|the\s+hell|the\s+heck|tf)\b|\byeah\s+right\b|\bsince\s+when\s+(?:do|does|can|is)\b|"
    r"\bwho\s+does\s+that\b|\band\s+you\s+know\s+it\b|\bhave\s+you\s+(?:no|any)\s+shame\b|"
    r"\bwhat\s+are\s+you\s+(?:playing\s+at|trying\s+to\s+(?:do|pull))\b|\bis\s+(?:that|this)\s+a\s+threat\b|"
    r"\bhow\s+is\s+(?:this|that|it)\s+(?:even\s+)?(?:legal|fair|ok|okay|acceptable|allowed)\b|"
    # the lender's conduct named as the subject of a complaint
    r"\babout\s+(?:how|the\s+way)\s+(?:you|your\s+\w+)\s+(?:\w+\s+){0,2}?(?:treat|spoke|speak|talk|behave|operate|"
    r"harass|handle|conduct|deal)\w*|\b(?:about|regarding|over|into)\s+your\s+(?:conduct|behaviou?r|practices|"
    r"treatment|tactics|methods|harassment)\b|"
    # an emphatic "why did you …?!" about what the lender did
    r"\bwhy\s+(?:did|do|does|would|have|has|are|is|were)\s+(?:you|your\s+\w+|they)\s+(?:\w+\s+){0,2}?(?:charg|call|"
    r"ring|rang|text|contact|phon|threaten|ignor|sen[dt]|tell|told|add|tak|took|keep|kept|hang|hung|harass|visit|"
    r"shout|yell|email|messag|deduct|debit)\w*[^.!?]{0,60}?(?:\?\s*[?!]|!\s*\?|!)"
)
# Who the grievance is about when it is not the lender: the borrower's own life and people.
_ELSEWHERE_EN: Final = lazy(
    r"\b(?:my|our|his|her|their)\s+(?:own\s+)?(?:job|work|boss|manager|employer|landlord|bank|ex|husband|wife|"
    r"partner|family|neighbou?rs?|brother|sister|mum|mom|dad|son|daughter|friends?|life|car|phone|school|"
    r"insurance|insurer|council|government|company|team|kids?|shifts?|hours|pay|salary|health|situation)\b|"
    r"\b(?:myself|the\s+(?:government|economy|traffic|weather|bus|trains?|situation|council|hospital))\b|"
    r"\b(?:week|day|month|year|morning|night|weekend|life|times|traffic|weather|economy|prices|rent)\b|"
    r"\b(?:he|she|they)\s+(?:is|was|are|were)\b"
)
# A genuine question about the lender ("is this a scam?", "are you legit?") is no accusation.
_QUESTION_EN: Final = lazy(
    r"^(?:is|are|was|were|do|does|can|could|will|would|should|am)\b[^.!?]*\b(?:scam\w*|legit\w*|(?:il)?legal|"
    r"lawful|allowed|real|(?:un)?fair|ok|okay)\b"
)

_NEG_ZH: Final = r"(?<![不没别])"
GRIEVANCE_ZH: Final = lazy(
    r"不满|(?<![不没])(?:太|好|也太|真|这么|那么|有点|很)?过分|凭(?:什么|啥)(?![^,，。!?！？\s]{0,3}?(?:要|让|找|叫)?"
    r"(?:我|俺)?(?:来)?(?:还|付|承担|负责|买单|背))|还有脸|有脸(?:催|要|收|扣|打|发)|(?:你们?|是不是)有病|"
    r"有病(?:吧|啊|吗|呀)|恶心(?:人|死)|(?:太|真|好|很|真是|特别)恶心|"
    + _NEG_ZH
    + r"(?:无耻|黑心|离谱|欺人太甚|阴阳怪气|缺德|霸道|不讲理|不讲道理|"
    r"说话不算(?:数|话)|不守信用|强盗|土匪|流氓|垃圾|可恶|忍无可忍|差劲|糊弄|忽悠|敷衍|不合理)|"
    r"坑(?:人|钱|爹|死|我)|(?:太|好|真|也太|很)坑|被坑|骗子(?!吗|吧)|骗人|搞什么|什么态度|什么玩意|"
    r"欺负人|受不了|气死|至于吗|至于么|人呢|(?:好好|会不会)说话|上点心|(?:要不要|不要)脸|丢不丢人|"
    r"(?:给|讨)(?:我)?(?:个|一个)?说法|合理(?:的)?解释|这就是你们的|这叫什么|"
    r"有没有(?:人性|良心|王法|底线)|没(?:有)?良心|违法|违规|非法|侵犯(?:隐私|权益|个人信息)|吓唬|让不让人活|烦死|"
    r"烦不烦|想干(?:嘛|什么)|嘴脸|摆设|(?<!不)狠|抢钱|吸血|威胁|恐吓|霸王|几个意思|什么意思[?？]{2}|没完没了|"
    r"神经病|有完没完|王法|天理|丢(?:死)?人|丢脸|没(?:有)?底线|太凶|凶什么|(?:没|不)(?:有)?礼貌|"
    # sarcasm: "you're really something", "easy money, isn't it"
    r"(?:真|真的|可真|太)\s?(?:nb|牛|厉害|行|可以|有你们的|会做生意|会赚钱)|来得(?:真|可真|太)容易|呵呵"
)
# The borrower's own people and life as the target ("老板太过分了").
_ELSEWHERE_ZH: Final = lazy(
    r"老板|房东|包工头|工头|老公|老婆|媳妇|家里|爸|妈|朋友|同事|领导|单位|银行|政府|医院|学校|保险|自己|他们(?!公司)|"
    r"这周|这个月|今天|最近|日子|生活|天气|工作(?!人员)|"
    r"(?<!你们)(?<!贵)(?<!这家)(?<!你们这)公司"
)

# --- the lender -----------------------------------------------------------------------------
# "you" as the one acting, not the one paid or thanked ("pay you", "thank you", "see you").
_YOU_SUBJECT: Final = (
    r"(?:^|\b(?:and|but|so|then|when|why|how|that|if|because|now|still|yet|did|do|does|have|has|are|were|can|could|"
    r"would|will|where|who|even|also|just|again|while|after|since)\s+)(?:you|yall|y'all)(?:'re|'ve|'d|'ll)?\s+"
    r"(?!(?:too|as\s+well|again|for|so\s+much)\b)"
)
_NOT_MINE: Final = r"(?<!\bmy\s)(?<!\bour\s)(?<!\bhis\s)(?<!\bher\s)(?<!\btheir\s)(?<!\bi\s)"
LENDER_EN: Final = lazy(
    _YOU_SUBJECT + r"|\b(?:your|ur|yer|yalls?|y'all's)\s+\w|\b(?:you|yall|y'all)\s+(?:guys|people|lot|lots|clowns|"
    r"crooks|lenders?|folks)\b|" + _NOT_MINE + r"\b(?:collectors?|agents?|reps?|representatives?|callers?|staff|"
    r"support|customer\s+(?:service|care|support)|helpline|hotline|chat\s*bot|the\s+bot|the\s+app|app's|the\s+website|"
    r"this\s+company|the\s+company|lenders?|this\s+(?:outfit|firm|lot)|the\s+(?:man|woman|guy|lady|person|girl|bloke)\s+"
    r"(?:on\s+the\s+phone|who\s+(?:called|rang|phoned|texted))|fees?|charges?|charged|charging|surcharges?|interest|"
    r"apr|penalt(?:y|ies)|(?:these|the|all\s+the|your)\s+(?:calls|texts|messages|reminders))\b|"
    # the borrower on the receiving end ("being rung at 9pm"), or left unanswered ("answer my 4 emails")
    r"\b(?:being|been|was|were|get|got|getting)\s+(?:rung|called|phoned|texted|messaged|contacted|chased|harassed|"
    r"hounded|threatened|hung\s+up\s+on|cut\s+off|ignored)\b|\bmy\s+(?:\w+\s+)?(?:emails|calls|letters|messages|"
    r"complaints?|requests?|queries|query|tickets?|voicemails)\b|\b(?:someone|somebody|anyone|anybody|nobody|no\s+one)\s+"
    r"(?:needs?\s+to\s+|has\s+to\s+|to\s+|will\s+|ever\s+|has\s+|even\s+)?(?:answer|reply|respond|call\s+back|get\s+back|"
    r"explain|answered|replied|responded|called\s+back|got\s+back)\w*"
)
LENDER_ZH: Final = lazy(
    r"(?<!还)(?<!给)(?<!欠)(?<!谢谢)(?<!感谢)(?<!谢)你们|贵司|贵公司|贵平台|贵方|平台|你们(?:这家)?公司|这家公司|"
    r"催收|客服|业务员|工作人员|专员|那个(?:男的|女的|人)|app|机器人|系统|"
    r"利息|罚息|服务费|手续费|会员费|担保费|管理费|违约金|砍头息|费用|(?<![我])扣(?:我|了|款|钱)|收(?:我|了)|"
    r"(?<![我自])催|打电话|发短信|轰炸|(?:天天|每天|一直|不停|老是|总是)(?:地)?(?:打|发|催)|退订|(?:别|不要)再发"
)

# --- a promise the lender did not keep ---------------------------------------------------------
_PROMISED_EN: Final = lazy(
    r"\b(?:you|your\s+\w+(?:\s+\w+)?|the\s+(?:agent|collector|rep|caller|staff)|someone\s+from\s+(?:your|the)\s+\w+)\s+"
    r"(?:promised|assured\s+me|swore|guaranteed|told\s+me\s+(?:you|they|he|she|someone)\s+(?:would|'d)|"
    r"said\s+(?:you|they|he|she|someone)\s+(?:would|'d))\b"
)
_NOT_KEPT_EN: Final = lazy(
    r"\b(?:nobody|no\s*-?\s*one|noone)\s+(?:has\s+|ever\s+|even\s+)?(?:called|rang|phoned|replied|answered|came|"
    r"got\s+back|bothered|did)\b|\bstill\s+(?:no|nothing|waiting|not)\b|\bno\s+(?:call|reply|response|word|callback|"
    r"sign)\b|\b(?:didn't|did\s+not|hasn't|has\s+not|haven't|have\s+not|never)\s+(?:\w+\s+)?(?:call|ring|rang|reply|"
    r"respond|happen|come|came|arrive|get\s+back|answer|phone|follow|hear|heard|do|did)\w*"
)
_PROMISED_ZH: Final = lazy(
    r"(?<!我)(?<!我们)(?:说好|答应|承诺)(?:了|的|过)?[^。!?！？]{0,16}?"
    r"(?:回电|回复|答复|联系我|打给我|处理|退|减免|核实)"
)
_NOT_KEPT_ZH: Final = lazy(
    r"人呢|没(?:了)?下文|没(?:有)?(?:人)?(?:回|联系|理|管|处理|消息|动静)|(?:到现在|至今|一直|迟迟)(?:都|也|还)?(?:没|不)|糊弄"
)


def _clauses(text: str) -> list[str]:
    """The clauses of ``text``, each with the punctuation that ends it ("why did you…??")."""
    clauses, start = [], 0
    for m in _CLAUSE_BREAK.finditer(text):
        clauses.append(text[start : m.end()].strip())
        start = m.end()
    clauses.append(text[start:].strip())
    return [c for c in clauses if c.strip(" .,;:!?，。！？；：")]


def _aggrieved(clause: str) -> tuple[bool, bool]:
    """(a grievance in English, a grievance in Chinese) in one clause."""
    en = (GRIEVANCE_EN.search(clause) is not None and _QUESTION_EN.search(clause) is None) or (
        CHALLENGE_EN.search(clause) is not None
    )
    return en, GRIEVANCE_ZH.search(clause) is not None


def finds_grievance(text: str) -> bool:
    """Whether the normalised reply holds a grievance aimed at the lender (see the module docstring)."""
    promised = _PROMISED_EN.search(text)
    if promised and _NOT_KEPT_EN.search(text, promised.end()):
        return True
    promised = _PROMISED_ZH.search(text)
    if promised and _NOT_KEPT_ZH.search(text, promised.end()):
        return True
    clauses = _clauses(text)
    for i, clause in enumerate(clauses):
        en, zh = _aggrieved(clause)
        if not (en or zh):
            continue
        if (en and LENDER_EN.search(clause)) or (zh and LENDER_ZH.search(clause)):
            return True
        # A grievance about someone else ("my landlord is a joke", "老板太过分了") is theirs.
        if (en and _ELSEWHERE_EN.search(clause)) or (zh and _ELSEWHERE_ZH.search(clause)):
            continue
        # A grievance that names no target of its own ("Disgraceful.", "this is thievery", "太过分了",
        # "I'm 19 and that was humiliating") is about what came just before it: up to two clauses
        # back, unless one of them is about someone else.
        for before in reversed(clauses[max(0, i - 2) : i]):
            if LENDER_EN.search(before) or LENDER_ZH.search(before):
                return True
            if _ELSEWHERE_EN.search(before) or _ELSEWHERE_ZH.search(before):
                break
    return False


__all__ = ["CHALLENGE_EN", "GRIEVANCE_EN", "GRIEVANCE_ZH", "LENDER_EN", "LENDER_ZH", "NET", "finds_grievance"]
