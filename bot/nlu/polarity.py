"""Layer 3: negation and tense around paying.

"I can't pay on Friday" and "周五之前还不了" mention paying and a date, yet are hardship;
"I already paid on Friday" and "昨天已经转账了" are already_paid. Both must never reach
the promise rules. This layer finds those statements (they are evidence for hardship /
already_paid in their own right) and hands the promise rules a *view* of the text in
which they — and questions about paying ("how do I pay?", "要还多少") — are blanked out.
What remains ("I can't pay today but [I will pay Friday]") is free to be a promise.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Final

from .cue import EXACT, MEDIUM, STRONG, WEAK, Cue, cues
from .lazyre import lazy

_PAY_VERB_EN: Final = (
    r"(?:afford(?:\s+to\s+(?:pay|repay|make\s+(?:[\w']+\s+){0,2}?payments?))?|pay|paying|repay|"
    r"make\s+(?:[\w']+\s+){0,2}?payments?|catch\s+up|transfer|send|settle|clear|cover)\b"
)
# Up to three words between "can't" and the verb ("can't really pay", "won't be able to
# pay"), but never across a clause turn ("can't wait, I will pay").
_GAP_EN: Final = r"(?:\s+(?!(?:but|and|so|then|though|i|i'll|i'm|we|will|can)\b)[\w']+){0,3}?"

NEGATED_PAYMENT: Final[tuple[Cue, ...]] = cues(
    "hardship",
    "en",
    (
        STRONG,
        r"\b(?:can't|cannot|can not|couldn't|could not|unable to|won't be able to|will not be able to|"
        r"not able to|not going to be able to|no way (?:i|we) can|impossible (?:for me )?to|"
        r"not in a position to|(?:don't|do not) have (?:the |enough )?(?:money|funds|cash) to|"
        r"(?:don't|do not) have enough to|not enough (?:money )?to)" + _GAP_EN + r"\s+" + _PAY_VERB_EN,
    ),
    # Refusals are not promises either; they are weaker evidence of hardship.
    (
        WEAK,
        r"\b(?:won't|will not|not going to|refuse to|never going to|i'm not|i am not)"
        + _GAP_EN
        + r"\s+(?:pay|paying)\b",
    ),
    # A bare "I can't" / "...but couldn't" answers a reminder: it is about paying.
    (WEAK, r"^(?:no\W*|sorry\W*)?(?:i\s+)?(?:can't|cannot)\W*$|\b(?:couldn't|could not|can't|cannot)\W*$"),
) + cues(
    "hardship",
    "zh",
    (
        EXACT,
        r"还不(?:了|上|起|清|出|完)|(?:没|没有|无)(?:能力|办法|法子|法|钱)[^,，。!?！？]{0,2}?(?:还|支付|偿还|付)|"
        r"无法[^,，。!?！？]{0,4}?(?:还|支付|偿还|付)|无力(?:还|偿还|支付)|不能(?:按时)?(?:还|付|支付)|"
        r"付不(?:起|了|出)|拿不出|凑不(?:齐|够|到|出)|交不(?:起|了|上)|转不了|没有?(?:还款|偿还|支付)能力",
    ),
    (WEAK, r"(?<!还)不(?:想|打算|准备|会)?还(?:了|钱|款)?(?![不没])"),
)

# "haven't paid", "没还": neither a payment made nor a promise.
_NEGATED_PAST: Final = lazy(
    r"\b(?:haven't|have not|hasn't|has not|didn't|did not|not yet|never|not|wasn't|was not|isn't|is not|hadn't)"
    r"\s+(?:yet\s+|been\s+|already\s+|even\s+)*(?:paid|pay|sent|send|transferred|transfer|made)\b|"
    r"(?:还|都)?(?:没|未|没有)(?:有)?(?:还|转|付|打款|打钱|汇|支付|还款|结清|还清)"
)

PAST_PAYMENT: Final[tuple[Cue, ...]] = cues(
    "already_paid",
    "en",
    (
        EXACT,
        r"\balready\s+(?:[\w']+\s+){0,2}?(?:paid|pay|sent|transferred|made|done|settled|cleared|deposited|wired|"
        r"covered|deducted|debited|collected)\b",
    ),
    (STRONG, r"\b(?:paid|pay|sent|transferred)\b[^.!?;]{0,25}\balready\b"),
    (STRONG, r"\bmade\s+(?:[\w']+\s+){0,2}?payments?\b"),
    (
        STRONG,
        r"\b(?:i|we|me|he|she|they|my\s+\w+)\s+(?:don|done)\s+(?:pay|paid|send|sent|transfer|settle|clear|remit)\b|"
        r"\blodged\s+(?:(?:the|my|it|that|this|your)\s+)?(?:[$€£¥]|\d|money|cash|payment|funds|amount|balance|rest|"
        r"it\b)",
    ),
    (
        STRONG,
        r"\bpayment\s+(?:of\s+[$€£¥]?\s*[\d,.]+\s*(?:[a-z]{1,4}\s+)?)?(?:was|has been|is|got|had been|went)\s+"
        r"(?:already\s+)?(?:made|sent|done|completed|"
        r"processed|submitted|through|thru|paid)\b|\b(?:payment|transfer|transaction|deposit)\s+(?:is\s+|was\s+)?"
        r"(?:done|complete|completed|sent|made|successful|went through|went thru|gone through|cleared|posted)\b",
    ),
    (
        STRONG,
        r"\b(?:i|we|i've|i have|we've|just|already)\s+(?:just\s+|already\s+)?(?:sent|transferred|wired|deposited|"
        r"settled|cleared)\b",
    ),
    (
        STRONG,
        r"\b(?:was|were|has been|have been|had been|got)\s+(?:already\s+)?(?:paid|sent|transferred|deposited|"
        r"wired|settled|cleared)\b",
    ),
    (
        STRONG,
        r"\b(?:sent|transferred|wired|deposited)\s+(?:you\s+|over\s+)?(?:the\s+|my\s+|your\s+|it\s+)?(?:money|"
        r"payment|funds|cash|amount|it|\$|\d)",
    ),
    # "settled it through my lawyer last week": settled or cleared, and when, in the past.
    (
        STRONG,
        r"\b(?:settled|cleared|paid\s+off|deducted|debited)\b[^.!?,]{0,50}?\b(?:yesterday|last\s+(?:night|week|month|"
        r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)|\w+\s+days?\s+ago|this\s+morning|earlier\s+today)\b",
    ),
    (
        WEAK,
        r"\b(?:check|see)\s+(?:your|the|my)\s+(?:records|system|account|bank|statement)\b|\breceipt\b|"
        r"\bconfirmation (?:number|code)\b",
    ),
) + cues(
    "already_paid",
    "zh",
    (
        EXACT,
        r"已(?:经)?[^不没未,，。!?！？\s]{0,4}?(?:还|付|转|打款|打钱|汇|支付|结清|缴|交|给(?:了)?(?:你们?|您)?(?:钱|款))"
        r"(?![不没有是在要])",
    ),
    (STRONG, r"(?:还|付|转|打款|打钱|汇|支付|还款|转账|付款|缴)过(?!几|两|一|来|去)"),
    (
        STRONG,
        r"(?:昨天|昨晚|前天|上周|上星期|上个?月|刚才|刚刚|(?<!一)早就|早已|"
        r"之前就)[^不没未,，。!?！？]{0,6}?(?:还|转|付|打款|打钱|汇|缴|交)(?![不没])",
    ),
    (MEDIUM, r"请查收|查收一下|转账记录|付款记录|还款记录|截图"),
    (STRONG, r"(?:还款|转账|付款|汇款|支付|扣款)(?:已经?)?(?:完成|成功|到账)"),
    (
        STRONG,
        r"刚(?:刚|才)?(?:还|转|付|打款|打钱|汇)(?:完|好|过|清|上)|(?:款|钱)(?:已经?|都)(?:打|转|付|汇|还)|"
        r"(?:打|转|汇)过去了",
    ),
)

# Past-tense cues that a future frame turns around: "I'll have it paid off by Friday",
# "明天就还了". They count only when the clause before them has no future marker.
GUARDED_PAST_PAYMENT: Final[tuple[Cue, ...]] = cues(
    "already_paid",
    "en",
    # Not income that arrives ("my pension is paid on the 24th", "wages are paid weekly").
    (
        MEDIUM,
        r"(?<!get )(?<!got )(?<!gets )(?<!getting )(?<!be )(?<!to )"
        r"(?<!pension is )(?<!salary is )(?<!stipend is )(?<!payslip is )"
        r"(?<!paycheck is )(?<!wages are )(?<!benefits are )\bpaid\b",
    ),
    # Non-native past: "I pay yesterday" (but not "I was going to pay yesterday").
    (MEDIUM, r"\bpay\s+(?:[\w']+\s+)?(?:yesterday|last\s+\w+|\w+\s+days?\s+ago)\b"),
) + cues(
    "already_paid",
    "zh",
    (MEDIUM, r"(?<![不没好])(?:还|付|转|打款|打钱|汇款|转账|支付|还款|缴费|付款|还清|结清|还上|还完|交)了"),
)
_FUTURE_EN: Final = lazy(
    r"\b(?:will|'ll|shall|going to|was going to|plan to|want to|wanted to|need to|have to|to be|when|once|after|"
    r"until|can|could|would|if|tried to)\b"
)
_FUTURE_ZH: Final = lazy(
    r"明天|后天|下周|下个?月|月底|会|要|马上|等|过几天|周[一二三四五六日天末]|星期|礼拜|号|"
    r"之后|以后|再|说先|让我|叫我|建议|劝我|要我"
)
_PAST_ZH: Final = lazy(r"已|昨|前天|刚|上周|上个?月|早就")
_FRAME_CHARS: Final = 60
_CLAUSE_BREAK: Final = lazy(r"[.!?;,，。！？；]|\bbut\b|但是|不过")

# Questions about paying are not commitments: "how do I pay?", "when should I pay",
# "几号还款", "要还多少", and noun compounds such as 还款日 / 还款方式.
_QUESTIONS: Final = lazy(
    r"\b(?:how|when|where|what|why|which)(?:\s+much|\s+many|\s+long|\s+else)?\s+(?:do|does|did|can|could|should|"
    r"shall|must|will|would|am|is|are|have|has)\s+(?:i|we|you)\b[^.!?;,]{0,40}|"
    r"\b(?:how|where|when)\s+to\s+(?:make\s+(?:a\s+)?)?pay\w*|\bhow\s+much\b[^.!?;,]{0,40}|"
    # "what's the minimum I need to pay", "is there a fee if I pay late", "can my wife pay for me?"
    r"\b(?:what's|what is|whats|what are)\s+(?:the|my)\s+(?:[\w']+\s+){0,2}?(?:i|we)\s+(?:need|have|must|should|"
    r"got|ought)\s+to\s+(?:pay|repay)\w*|"
    r"\b(?:fees?|charges?|penalt(?:y|ies)|amount|payoff|total|balance|cost|discount|interest|minimum)\b[^.!?;]{0,30}?"
    r"\bif\s+(?:i|we)\s+(?:pay|repay|settle|clear|close)\b(?:\s+(?!i'll\b|i\s+will\b|then\b)[\w$.,']+){0,3}|"
    r"(?:如果|要是|假如|若是?)[^。!?！？]{0,16}?(?:多少|几|吗|么|呢)|"
    # "提前还清的话要多少钱": the condition of a question
    r"[^,，。!?！？\s]{1,12}的话[^。!?！？]{0,12}?(?:多少|几|吗|么|呢|有没有)|"
    # "before I pay anything": no sum, no commitment
    r"\bpay\w*\s+(?:you\s+)?(?:anything|a\s+(?:penny|cent|dime|thing))\b|"
    # "if I clear it today, how much do I owe?": the condition of a question
    r"\bif\s+(?:i|we)\s+(?:pay|repay|settle|clear|close)\b[^.!?;]{0,30}?\b(?:how\s+much|what|will|would|is|are|do|does|"
    r"can)\b[^.!?]*\?|"
    r"\b(?:can|could|may)\s+(?:my\s+\w+|someone|somebody|he|she|they)\s+(?:else\s+)?pay\b[^.!?;,]{0,20}\?|"
    r"(?:可以|能|能不能|可不可以|能否)用[^,，。!?！？]{0,6}?(?:还|付|转|支付)(?:款|钱)?(?:吗|么|不)|"
    # the terms of the loan, not a commitment: 借三千还五千 ("borrowed 3,000, repaying 5,000")
    r"借(?:了)?[0-9一二两三四五六七八九十百千万]+[^,，。!?！？]{0,3}?还(?:了)?[0-9一二两三四五六七八九十百千万]+|"
    r"\bways?\s+(?:to|i\s+can|we\s+can)\s+(?:pay|make)\w*|"
    # a fee for paying is a charge, not a commitment: "is there a fee for paying by card"
    r"\b(?:fees?|charges?|penalt(?:y|ies)|cost|surcharge)\s+(?:for|to|of)\s+(?:late\s+)?pay(?:ing|ment)?\b|"
    r"(?:怎么|怎样|如何|什么时候|啥时候|几号|哪天|哪一天|在哪|去哪|哪里)[^,，。!?！？]{0,3}?(?:还|付|转|交|"
    r"缴)(?:款|钱)?|"
    r"(?:还|付|转|交|缴)(?:款|钱)?[^,，。!?！？]{0,3}?(?:多少|几)|"
    r"还款(?:日|方式|渠道|方法|账号|账户|金额|记录|时间|日期|计划|能力)|"
    r"(?:支付|付款|转账|缴费)(?:方式|渠道|方法|账号|账户|途径)"
)

_MASK: Final = "~"


@dataclass(frozen=True, slots=True)
class Polarity:
    """Negation/tense findings for one reply."""

    hits: tuple[Cue, ...]  # hardship (cannot pay) and already_paid (paid) cues that fired
    promise_view: str  # the text with negated, past and interrogative spans blanked


def analyse(text: str) -> Polarity:
    """Find negated and past-tense payment statements in a normalised reply."""
    hits: list[Cue] = []
    spans: list[tuple[int, int]] = []

    for cue in NEGATED_PAYMENT:
        for m in cue.pattern.finditer(text):
            hits.append(cue)
            spans.append(m.span())
    spans.extend(m.span() for m in _NEGATED_PAST.finditer(text))
    past_view = _blank(text, spans)  # "haven't paid" must not count as "paid"

    for cue in PAST_PAYMENT:
        for m in cue.pattern.finditer(past_view):
            hits.append(cue)
            spans.append(m.span())
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(past_view)]
    for cue in GUARDED_PAST_PAYMENT:
        for m in cue.pattern.finditer(past_view):
            if not _future_frame(past_view, breaks, m.start(), cue.lang):
                hits.append(cue)
                spans.append(m.span())

    spans.extend(m.span() for m in _QUESTIONS.finditer(text))
    return Polarity(tuple(dict.fromkeys(hits)), _blank(text, spans))


def _future_frame(text: str, breaks: list[int], start: int, lang: str) -> bool:
    """Whether the clause leading up to ``start`` is about the future.

    ``breaks`` are the clause-break end positions of ``text``, computed once per reply
    so that many matches in a long reply stay linear.
    """
    clause_start = breaks[bisect.bisect_right(breaks, start) - 1] if breaks and breaks[0] <= start else 0
    # A future marker further back than a short clause is not framing this verb; the
    # bound also keeps many matches in one long reply linear.
    clause = text[max(clause_start, start - _FRAME_CHARS) : start]
    if lang == "zh":
        return bool(_FUTURE_ZH.search(clause)) and not _PAST_ZH.search(clause)
    return bool(_FUTURE_EN.search(clause))


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    # Same length as the input, so positions found in the view are valid in the text.
    chars = list(text)
    for start, end in spans:
        chars[start:end] = _MASK * (end - start)
    return "".join(chars)
