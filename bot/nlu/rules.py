"""Layer 4: the intent rule tables and how they are scored.

Each intent has a table of weighted cues (``cue.Cue``) in English and Chinese. Every
table is evaluated on every reply; an intent *fires* when any of its cues matches. The
primary intent is the highest-precedence one that fired (README order), ``also`` is
every other one that fired, and confidence comes from the strength of the matches.

The safety intents' tables live in ``keywords`` and the negation / tense evidence in
``polarity``; this module holds the rest and combines all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from .cue import EXACT, MEDIUM, STRONG, WEAK, Cue, cues, unless
from .intents import OTHER, PRECEDENCE, PROMISE
from .keywords import SAFETY_CUES
from .normalize import ACK_EMOJI

# Thanks for an extension already given ("thanks for the extension", "谢谢你们上次帮我延期") asks for none.
_THANKS_FOR_EXTENSION: Final = (
    r"\b(?:thanks|thank\s+(?:you|u)|cheers|grateful)\s+(?:you\s+|so\s+much\s+|a\s+lot\s+|again\s+)?for\s+"
    r"(?:the|my|your|this|that|approving|granting|giving\s+me|extending)\b[^.!?,]{0,15}?\b(?:extension|extend\w*)\b|"
    r"\bappreciate\s+(?:the|my|your)\s+extension\b|\b(?:kind|good|nice|generous)\s+of\s+you\s+to\s+(?:give|grant|"
    r"approve|allow|extend)\b|"
    r"(?:谢谢|感谢|多谢)[^,，。!?]{0,8}?(?:延期|宽限|展期)(?![^,，。!?]{0,3}(?:吗|么|行不行|可以不))"
)

# "I'm at the hospital visiting my friend", "I work at the hospital": someone else's stay, or a workplace.
_HOSPITAL_NOT_MINE: Final = (
    r"\bvisit\w*|\b(?:work|works|working|worked|shift|shifts|nurse|doctor|porter|cleaner|volunteer\w*)\b"
)

_HARDSHIP_GUARDED: Final[tuple[Cue, ...]] = unless(
    _HOSPITAL_NOT_MINE, cues("hardship", "en", (STRONG, r"\bhospital\b"))
) + unless(
    _THANKS_FOR_EXTENSION,
    cues("hardship", "en", (STRONG, r"\bextension\b|\bextend\s+(?:the\s+|my\s+)?(?:due date|deadline|loan|payment)\b"))
    + cues("hardship", "zh", (STRONG, r"延期|展期|宽限")),
)

HARDSHIP_CUES: Final[tuple[Cue, ...]] = cues(
    "hardship",
    "en",
    (
        STRONG,
        r"\b(?:lost|losing|lose)\s+(?:my|our|his|her|all\s+my|most\s+of\s+my|some\s+of\s+my)\s+(?:job|work|income|"
        r"business|house|home|shifts|hours|contract|clients|customers|overtime|position)\b",
    ),
    (
        STRONG,
        r"\b(?:laid off|got fired|been fired|was fired|unemployed|jobless|out of work|no job|no income|"
        r"furloughed|made redundant)\b",
    ),
    (
        STRONG,
        r"\b(?:hospitali[sz]ed|surgery|cancer|chemo|icu|nicu|picu|intensive care|neonatal|emergency room|"
        r"medical bills?)\b",
    ),
    (STRONG, r"\b(?:passed away|died|death in (?:the|my) family|funeral|bereavement)\b"),
    (
        STRONG,
        r"\b(?:flood|flooded|flooding|hurricane|earthquake|wildfire|bushfire|tornado|typhoon|cyclone|storm damage|"
        r"house fire|disaster|evacuated|destroyed|wiped\s+out|drought|landslide)\b",
    ),
    (MEDIUM, r"\b(?:accident|injured|injury|disabled|disability|pregnant|covid|illness)\b"),
    (MEDIUM, r"\b(?:sick|ill)\b(?!\s+(?:of|and tired)\b)"),
    (
        STRONG,
        r"\bmore time\b|\b(?:more|few more|couple more|extra|\w+ more)\s+(?:days|weeks|months)\b|"
        r"\b(?:one|a|an|another)\s+(?:more|extra)\s+(?:day|week|month)\b|\banother\s+(?:week|month|few days)\b",
    ),
    (
        STRONG,
        r"\bneed\s+(?:some\s+|a little\s+|a bit of\s+)?time\b|"
        r"\bgive\s+me\s+(?:\w+\s+){0,2}?(?:more\s+)?(?:time|days|weeks|months)\b",
    ),
    # "installments" as a request ("pay in installments"), not "this month's installment".
    (
        STRONG,
        r"\bpayment\s+(?:plan|arrangement)\b|\b(?:in|into|by|monthly|smaller|weekly|do|some)\s+instal+ments\b|"
        r"\binstal+ment\s+plan\b|\bpay\s+(?:it\s+)?in\s+(?:parts|pieces)\b|\bsplit\s+(?:the|my|it|this)\b|"
        r"\b(?:do|set up|arrange|have|get|agree)\s+a\s+(?:payment\s+|repayment\s+)?plan\b",
    ),
    (
        STRONG,
        r"\b(?:reduce|lower|decrease|cut)\s+(?:my|the|our)\s+(?:\w+\s+)?(?:payments?|amount|interest|instal+ment|"
        r"balance|rate|fees?)\b|\bpay\s+less\b|\bsmaller\s+payments?\b|\bsettle\s+for\s+less\b|"
        r"\b(?:smaller|lower|little|small)\s+(?:amounts|chunks|bits|sums|portions|instal+ments)\b|"
        r"\bpayment\s+(?:holiday|break|freeze|pause)s?\b|"
        r"\b(?:reduce|lower|decrease|cut)\s+(?:what\s+(?:i|we)\s+owe|(?:my|the|our)\s+debt)\b",
    ),
    (
        STRONG,
        r"\b(?:defer|deferral|deferment|postpone|postponing|pause|suspend|forbearance)\b|"
        r"(?<!for the )(?<!sorry about the )\bdelay\b",
    ),
    (
        STRONG,
        r"\bhardship\b|\b(?:repayment|debt\s+management|debt\s+relief|debt\s+repayment)\s+plan\b|"
        r"\bdebt\s+(?:adviser|advisor|advice|charity|counsell?or)\b|\bstepchange\b|\bnational\s+debtline\b|"
        r"\b(?:financial|money)\s+(?:difficult(?:y|ies)|problems?|trouble|hardship|issues?|crisis)\b",
    ),
    (MEDIUM, r"\bfinancially\b|\bstruggl(?:e|ing)\b|\bbehind on\s+(?:my\s+)?(?:bills|rent|payments)\b"),
    (STRONG, r"\b(?:broke|bankrupt|bankruptcy)\b"),
    (
        STRONG,
        r"\b(?:no|not enough|(?:don't|do not|won't|will not|doesn't) have (?:any|the|enough)?|haven't got (?:any|"
        r"the)?|short (?:of|on))\s*(?:money|cash|funds|income)\b",
    ),
    (
        STRONG,
        r"\b(?:money|cash|things|finances)(?:'s|'re|\s+is|\s+are)\s+(?:really\s+|very\s+|so\s+|a bit\s+)?tight\b|"
        r"\btight on (?:money|cash)\b",
    ),
    (STRONG, r"\b(?:can't|cannot|unable to)\s+work\b"),
    (
        STRONG,
        r"\b(?:can't|cannot|can not|unable to|not able to|no longer able to)\s+(?:\w+\s+)?(?:manage|keep\s+up\s+with|"
        r"cope\s+with)\s+(?:the\s+|these\s+|my\s+|this\s+)?(?:payments?|instal+ments?|repayments?|loan|debt)\b",
    ),
    (
        STRONG,
        r"\b(?:business|shop|store|company|restaurant)\s+(?:\w+\s+)?(?:closed|failed|shut down|went bankrupt|"
        r"collapsed|went under)\b",
    ),
    (MEDIUM, r"\bcan you wait\b|\bwait\s+(?:until|till|a few|a couple)\b"),
    # Asking to move the date is an extension request, never a promise: "can I pay next week instead?",
    # "could the due date be moved?" (but "can I pay by card instead?" chooses a method, and "is it ok
    # if I pay 500 next week" offers a date).
    (
        STRONG,
        r"\b(?:can|could|may|might)\s+(?:i|we)\s+(?:please\s+)?(?:pay|settle|send|transfer|make\s+(?:the\s+|my\s+)?"
        r"payment|do\s+it)\b(?:(?!\b(?:by|with|via|using|through|online|cash|card|app|bank|paypal|cheque|check)\b)"
        r"[^.!?]){0,30}?\b(?:instead|later|late|after\s+(?:the\s+)?(?:due\s+date|deadline))\b|"
        r"\b(?:is\s+it|would\s+it\s+be)\s+(?:ok|okay|alright|all\s+right|possible|fine)\s+(?:if|to)\s+(?:i\s+|we\s+)?"
        r"(?:pay|paid|settle|settled)\b[^.!?]{0,30}?\b(?:instead|later|late)\b|"
        r"\b(?:move|moving|change|changing|push|pushing|shift|reschedul\w*|put|bump)\s+(?:back\s+)?(?:my|the|our)\s+"
        r"(?:due\s+date|payment\s+date|deadline|due\s+day|repayment\s+date)\b|\b(?:due\s+date|payment\s+date|"
        r"deadline|repayment\s+date)\s+(?:can\s+|could\s+|to\s+)?(?:be\s+|get\s+)?(?:moved|changed|pushed|shifted|"
        r"put\s+back|rescheduled)\b",
    ),
    (
        MEDIUM,
        r"\b(?:i'm|i am|we're|we are)\s+(?:a\s+(?:bit|little)\s+|really\s+)?short\b|"
        r"\bcan\s+only\s+(?:afford|pay)\s+(?:a\s+(?:little|bit)|part|half|some|the interest)\b|"
        r"\bcan\s+only\s+(?:afford|pay|manage|do)\s+\$?\d[\d,.]*\s*(?:[a-z]{0,4}\s+)?(?:a|per|each|every)\s+"
        r"(?:month|week|fortnight)\b",
    ),
    (
        STRONG,
        r"\b(?:hours|salary|pay|wages?|income|shifts?)\s+(?:got|were|was|have been|has been|are being)\s+(?:cut|"
        r"reduced|slashed|lowered)\b|\bpay\s+cut\b|\b(?:reduced|cut)\s+(?:my\s+)?hours\b",
    ),
    (
        MEDIUM,
        r"\b(?:can't|cannot|can not|won't be able to|unable to|not able to)\s+(?:make\s+it|do\s+(?:it|that|"
        r"this))\b",
    ),
    (MEDIUM, r"\b(?:times|things)\s+(?:are|have been)\s+(?:really\s+|very\s+|so\s+)?(?:hard|tough|difficult|rough)\b"),
    (
        STRONG,
        r"\b(?:unpaid|maternity|paternity|medical|sick)\s+leave\b|\bbetween\s+jobs\b|\bhad\s+a\s+baby\b|"
        r"\bkeep\s+up\s+with\b|\bskip\s+(?:[\w']+\s+){0,2}?payments?\b|"
        r"\bonly\s+(?:pay|afford)\s+(?:the\s+)?interest\b|\binterest[-\s]only\b",
    ),
) + cues(
    "hardship",
    "zh",
    (
        STRONG,
        r"失业|没(?:有)?工作|丢了工作|工作丢了|被裁|裁员|下岗|被辞退|被开除|没收入|没有收入|没(?:有)?工资|"
        r"工资(?:还|迟迟)?(?:没|没有|被拖欠|拖欠)(?:发|到)?|拖欠工资|欠薪|停薪|无薪|只还(?:利息|本金|一部分)",
    ),
    # Not the hospital as a workplace: 在医院上夜班.
    (STRONG, r"生病|病了|住院|手术|癌|重病|看病|医院(?!上班|上夜班|上白班|值班|工作|打工|当)|受伤|骨折|怀孕|坐月子"),
    (STRONG, r"去世|过世|丧事|葬礼|离世|病逝"),
    (STRONG, r"洪水|水灾|火灾|着火|失火|起火|烧(?:光|没|毁|掉)|被烧|地震|台风|灾|车祸|出事|意外"),
    # "这个月实在没办法": at the end of their means.
    (STRONG, r"实在(?:是)?没(?:有)?办法|真的没(?:有)?办法了"),
    (
        STRONG,
        r"缓(?:几|一|两)?(?:天|下|缓|周|个月)|推迟|晚(?:几|两|一)?(?:天|些|周)|迟(?:几|一|两)?天|"
        r"再等(?:等|几天|一下)?|等(?:几|两)天|暂缓|需要时间|多给(?:我)?(?:点|些|几天)",
    ),
    (STRONG, r"分期|分(?:两|三|几|[0-9]+)(?:期|次)|分批|协商还款|还款计划|停息挂账"),
    (STRONG, r"只能(?:先)?(?:还|付)(?:一部分|一点|一半|部分|利息)"),
    # "下个月才能还": only then can they pay, which asks for more time.
    (STRONG, r"才(?:能|可以|有钱|有能力)(?:还|付|支付)"),
    (STRONG, r"减免|少还|减少|降低|便宜点|打折|免(?:掉|除)?(?:利息|罚息|违约金)"),
    (
        STRONG,
        r"没钱|没有钱|缺钱|手头(?:有点|比较|很|太)?紧|资金(?:紧张|困难|周转)|周转不(?:开|过来)|"
        r"经济(?:困难|压力|不好)|困难|拮据",
    ),
    (STRONG, r"生意(?:不好|失败|亏|赔)|倒闭|破产|亏(?:了|本|损)|关门|停工|停产"),
    # Asking permission to pay late, less or in parts: 能不能先还一部分 / 可不可以晚点还.
    (
        STRONG,
        r"(?:能不能|能否|可不可以|可否|可以|行不行)[^,，。!?]{0,6}?(?:先还|少还|晚还|晚点|还一部分|分|缓|推|延|"
        r"少(?:一)?(?:点|些)|减|降|便宜|打折|免|改到|换到|挪到|往后)",
    ),
    # "下周再还可以吗": asking to pay later, not a promise.
    (
        STRONG,
        r"(?:再|晚点|晚些|延后|推后|往后)[^,，。!?]{0,3}?还[^,，。!?]{0,4}?(?:可以吗|可以不|行吗|行不行|好吗|好不好|成吗)|"
        r"还款日[^,，。!?]{0,4}?(?:改|换|推|延|往后|挪)",
    ),
)

_TIME_BEFORE_ZH: Final = r"(?:天|晚|早|号|日|[一二三四五六日天末]|底|前|后|内|点|月|周|初|午|上|头)"
_NOT_REPAY_AFTER_ZH: Final = r"(?![不没有是在欠得要会能可挺很真那这行差剩多])"

# Promise cues are evaluated on polarity's promise_view, so "can't pay", "paid" and
# "how do I pay" never reach them.
PROMISE_CUES: Final[tuple[Cue, ...]] = cues(
    PROMISE,
    "en",
    (
        STRONG,
        r"(?<!my )(?<!the )(?<!your )(?<!get )(?<!got )(?<!per )\b(?:pay|paying|pays|repay|repaying|settle|"
        r"settling|remit|wire|wiring|deposit|"
        r"depositing)\b(?!\s*(?:day|check|cheque|slip|stub|rise|raise|cut|attention)\b)",
    ),
    (STRONG, r"\btransfer(?:ring)?\b(?!\s+me\b)"),
    (STRONG, r"\bclear(?:ing)?\s+(?:off\s+)?(?:the|my|this|it|all|everything)\b"),
    (
        STRONG,
        r"\b(?:revert|get\s+back\s+to\s+you|come\s+back\s+to\s+you)\s+with\s+(?:the\s+|my\s+)?(?:payment|money|"
        r"funds|amount)\b",
    ),
    (
        STRONG,
        r"\b(?:will|'ll|going to)\s+(?:have|get)\s+(?:[\w$.,']+\s+){0,3}?(?:sent|paid|transferred|deposited|wired|"
        r"cleared|settled)\b",
    ),
    # "didn't pay yet but will tomorrow": the verb is left out.
    (
        MEDIUM,
        r"\b(?:but|and|so)\s+(?:i\s+|we\s+)?(?:will|'ll|can)\s+(?:today|tonight|tomorrow|on\s+\w+|by\s+\w+|"
        r"this\s+\w+|next\s+\w+)\b",
    ),
    (
        STRONG,
        r"\bsend(?:ing)?\s+(?:you\s+|u\s+|over\s+)?(?:(?:the|my|a|some|it|over)\s+)*(?:money|payment|cash|funds|"
        r"amount|balance|it|\$|\d|half|rest|remainder|full|usd|rmb|cny|php|inr|gbp|eur|aud|ngn|rs\b|"
        r"(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|hundred)\b)",
    ),
    (STRONG, r"\bmak(?:e|ing)\s+(?:[\w$.,']+\s+){0,3}?payments?\b"),
    (
        STRONG,
        r"\b(?:will|'ll|going to|should)\s+(?:be|get\s+(?:it|this|that))\s+(?:paid|sent|transferred|deposited|"
        r"wired|made|settled|cleared)\b",
    ),
    (
        MEDIUM,
        r"\b(?:will|'ll|going to)\s+(?:have|get)\s+(?:[\w$']+\s+){0,3}?(?:money|payment|cash|funds|it|"
        r"balance)\b(?!\s+(?:problems?|issues?))",
    ),
    (MEDIUM, r"\byou(?:'ll| will)\s+(?:get|have|receive)\s+(?:it|the money|your money|the payment|payment)\b"),
    (MEDIUM, r"\bget\s+(?:you\s+)?(?:the|your)\s+money\b"),
    (MEDIUM, r"\bi\s+promise\b"),
    (STRONG, r"\bcatch\s+up\s+(?:on\s+|with\s+)?(?:the\s+|my\s+|all\s+)?(?:payments?|balance|arrears|loan)\b"),
    (
        STRONG,
        r"\bpayment\s+(?:will|shall|should|is going to|'ll)\b|"
        r"\bexpect\s+(?:my\s+|the\s+|a\s+|your\s+)?(?:payment|money|transfer|funds)\b",
    ),
    (
        MEDIUM,
        r"\b(?:can|could|will|'ll)\s+do\s+(?:\$|¥|€|£|₱|₦|₹|s\$|rm\s?\d|rs\.?\s?\d|(?:php|inr|ngn|sgd|myr|kes)\s?\d|\d)",
    ),
    # "will sort it this week", "I'll get it sorted" (not "sort it out with my bank")
    (
        MEDIUM,
        r"\b(?:will|'ll|going\s+to|shall|promise\s+to)\s+(?:get\s+)?sort\s+(?:it|this|that|things|everything|the\s+"
        r"(?:payment|balance|bill|loan|arrears|account))\b(?!\s+(?:out\s+)?with\b)|"
        r"\b(?:will|'ll|going\s+to)\s+(?:get|have)\s+(?:it|this|that|everything)\s+sorted\b(?!\s+with\b)",
    ),
    (MEDIUM, r"(?:^|[,.;!]\s*)(?:i\s+)?promise\W*$"),
    # "sorted tomorrow", "will have it sorted by Friday": settled, in British and Irish English
    (
        MEDIUM,
        r"\bsort(?:ed|ing)?\s+(?:it\s+|this\s+|that\s+)?(?:out\s+)?(?:by\s+|on\s+)?(?:today|tonight|tomorrow|"
        r"(?:this|next)\s+(?:week|weekend|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|monday|tuesday|"
        r"wednesday|thursday|friday|saturday|sunday|end\s+of\s+(?:the\s+)?(?:week|month))\b",
    ),
    # Irish English: "I'll lodge the €120 on Thursday"
    (
        STRONG,
        r"\blodg(?:e|ing)\s+(?:(?:the|my|your|it|that|this|some)\s+)?(?:[$€£¥]|\d|money|cash|payment|funds|amount|"
        r"balance|rest|it\b)",
    ),
    (STRONG, r"\bpayment\b(?:[^.!?,;]|,\d){0,25}?\bwill\s+(?:go|be|come|arrive|reach|hit|clear|post)\b"),
    (
        STRONG,
        r"\bpayment\b(?:[^.!?,;]|[.,]\d){0,25}?\b(?:is\s+|'s\s+)?(?:coming|on\s+(?:its|the)\s+way|headed\s+your\s+way)\b",
    ),
    (
        STRONG,
        r"\b(?:drop|bring|hand|mail|post)\s+(?:off\s+)?(?:the\s+|my\s+|a\s+|your\s+)?(?:payment|money|cash|check|"
        r"cheque)\b|\b(?:mail|send)\s+(?:you\s+)?(?:a\s+|the\s+)?(?:check|cheque)\b",
    ),
    (WEAK, r"\bgive\s+me\s+(?:until|till)\b"),
) + cues(
    PROMISE,
    "zh",
    # Not where 还款 is part of a noun: 还款提醒 (reminders), 还款日 (due date), 还款方式 (how to pay).
    (STRONG, r"还(?:款|钱)(?!提醒|通知|短信|信息|日|记录|计划|方式|渠道|账户|账号|金额)"),
    (STRONG, r"(?<!刚)还(?:清|上|完)(?!了)|还给(?:你|您|你们)"),
    (
        STRONG,
        r"(?:会|就|再|先|马上|一定|能|可以|尽快|去|来|准备|打算|争取|保证|立刻|立即|立马|赶紧|抓紧|到时候|"
        r"肯定|才|都|"
        r"全部|全额|一次性|按时|把钱|把款)还" + _NOT_REPAY_AFTER_ZH,
    ),
    (STRONG, r"还(?:你|您)(?:们)?的?(?:钱|款)?(?![不没])"),
    (STRONG, _TIME_BEFORE_ZH + r"还" + _NOT_REPAY_AFTER_ZH),
    (STRONG, r"还\s*(?:[0-9¥$]|[一二两三四五六七八九十](?!直|样|般|下|点|次))"),
    (MEDIUM, r"还(?:吧|的|啦|哈|呢)?\s*(?:$|[,.!?，。！？~])"),
    (STRONG, r"转账|打款|付款|支付|汇款|转钱|打钱|付钱|交钱|缴费|存钱|结清|补上|补交"),
    (STRONG, r"(?:转|付|汇)给?(?:你|您|你们)|打钱给|给(?:你|您)(?:们)?(?:转|打|汇|付)(?![不没])"),
    # 听日俾钱 ("明天给钱"), 我儿子帮我还
    (STRONG, r"(?<![不没别])给(?:你们?|您)?(?:钱|款)(?!了)|(?<![不没别])帮(?:我|忙)还(?![不没])"),
    (
        STRONG,
        r"把(?:钱|款|欠款|余款|尾款|剩下的|这期|本期|这笔(?:钱|款)?|这个月的?|它)[^,，。!?]{0,4}?(?:还|转|打|付|汇|交|存)|"
        r"(?:转|打|汇)过去(?!了)",
    ),
    (
        STRONG,
        r"(?:会|就|马上|立刻|一会儿?|等会儿?|待会儿?|稍后|晚点|回头)(?:就)?(?:转|付|打款|打钱|打过去|汇)(?!人工|"
        r"不|没)",
    ),
    (STRONG, _TIME_BEFORE_ZH + r"(?:转|付|交)(?!人工|发|告|达|身|不|没)"),
)

HUMAN_CUES: Final[tuple[Cue, ...]] = cues(
    "human_request",
    "en",
    (STRONG, r"(?<!n't )(?<!not )(?<!never )(?<!stop )\bcall\s+me\b(?!\s+(?:again|anymore|any more)\b)"),
    (STRONG, r"\bcall\s+(?:me\s+)?back\b|\bcall-?back\b"),
    (
        STRONG,
        r"(?<!n't )(?<!not )(?<!never )\bcall\s+(?:me\s+on\s+)?my\s+(?:mobile|cell|cellphone|phone|number|landline|"
        r"work\s+number|other\s+number|home\s+number)\b|"
        r"\b(?:please|pls|plz|kindly|can\s+you|could\s+you)\s+(?:\w+\s+)?(?:call|ring|phone)\s+(?:me\s+)?again\b|"
        r"\b(?:please|pls|plz|kindly|can\s+you|could\s+you)\s+(?:\w+\s+)?(?:call|ring|phone|contact)\s+my\s+"
        r"(?:wife|husband|partner|son|daughter|mother|mom|mum|father|dad|brother|sister)\b",
    ),
    (STRONG, r"\bgive\s+me\s+a\s+(?:call|ring)\b|\bring\s+me\b|\bphone\s+me\b"),
    # "I would appreciate a telephone call from a member of your team"
    (
        STRONG,
        r"(?<!n't\s)(?<!\bnot\s)\b(?:appreciate|like|want|need|request|welcome)\s+(?:a|an)\s+(?:\w+\s+)?(?:telephone\s+|"
        r"phone\s+)?(?:call|callback|call\s+back|conversation)\s+(?:back\s+)?(?:from|with)\b",
    ),
    (STRONG, r"\b(?:discuss|talk|speak|sort)\b[^.!?]{0,25}?\b(?:on|over|by)\s+(?:the\s+)?phone\b"),
    (
        STRONG,
        r"\b(?:speak|talk|chat)\s+(?:to|with)\s+(?:a|an|the|your|some|someone|somebody|anyone|real|live|human|"
        r"person|agent|manager|supervisor|representative|rep|operator|customer|staff|you guys)\b",
    ),
    (MEDIUM, r"\b(?:real|live|actual)\s+(?:person|human|agent|people)\b|\bhuman being\b|\bhuman\b"),
    (
        EXACT,
        r"^(?:please\s+)?(?:an?\s+)?(?:agent|human|representative|operator|manager|supervisor|real person|live agent|"
        r"customer service|rep)(?:\s+please)?\W*$",
    ),
    (STRONG, r"\b(?:connect|transfer|put)\s+me\s+(?:to|through|with)\b|\bcustomer\s+(?:service|support|care)\b"),
    (
        STRONG,
        r"\b(?:number|phone number|line)\s+(?:i|we)\s+can\s+call\b|"
        r"\bwho\s+(?:can|should)\s+i\s+(?:call|speak to|talk to)\b|"
        r"\bcan\s+i\s+call\s+(?:you|someone|somebody)\b",
    ),
    (
        STRONG,
        r"\b(?:can|could|will|would|have|get|need|let)\s+(?:someone|somebody|an agent|a person|a manager|"
        r"your manager|a human)\s+(?:to\s+)?(?:call|contact|phone|ring)\b",
    ),
) + cues(
    "human_request",
    "zh",
    (EXACT, r"转人工|人工(?:客服|服务|坐席)?|真人|活人"),
    (MEDIUM, r"客服"),
    (
        STRONG,
        r"(?<!不要)(?<!别)(?<!再)(?<!用)给我(?:回|打|来)?(?:个|一个)?电话|"
        r"(?<!不要)(?<!别)(?<!再)打(?:个)?电话(?:给)?我(?!们)|(?<!不要)(?<!别)(?<!再)打我(?:的)?电话|"
        r"电话(?:沟通|联系|聊|谈|详谈|里说)|"
        r"(?<!不要)(?<!别)(?<!再)打(?:个)?电话(?:给|跟|和)我|回(?:个)?电话|回电|致电",
    ),
    (STRONG, r"(?:找|叫|让|跟|和|与|要)(?:你们)?(?:的)?(?:经理|领导|负责人|主管|上级|老板)"),
    (
        STRONG,
        r"(?:让|叫|找)(?:个)?(?:人|客服|工作人员|专人)(?:来)?(?:联系|打|回|跟我)|"
        r"(?<!不要)(?<!别)(?<!再)联系我(?!们)",
    ),
    (STRONG, r"(?:和|跟|与)(?:你们)?的?(?:真人|人工|客服|工作人员|人)(?:说话|聊|沟通|谈|通话|联系)"),
    # "找个会讲广东话的同事打给我"
    (STRONG, r"(?<!不要)(?<!别)(?<!再)(?<!你们)打给我(?=$|[,，。!?！？\s吧啊呀好])"),
    (STRONG, r"(?:想|要|能|可以|麻烦|请)[^,，。!?]{0,3}?(?:跟|和|与)[^,，。!?]{0,10}?通(?:个|一下|一个)?电话"),
)

BALANCE_CUES: Final[tuple[Cue, ...]] = cues(
    "balance_inquiry",
    "en",
    (STRONG, r"\bhow\s+much\b(?!\s+(?:longer|time|more time)\b)|\bmagkano\b"),
    (
        STRONG,
        r"\b(?:what's|what is|what are|whats|check|tell me|send me|show me|share|give me|provide)\s+(?:my|the|our)\s+"
        r"(?:current\s+|"
        r"remaining\s+|outstanding\s+|total\s+|loan\s+|account\s+|next\s+)?(?:balance|amount|total|payoff|"
        r"due date|minimum|outstanding|bill|statement|installment|"
        r"payment)(?!\s+(?:options|methods?|details|link|instructions))",
    ),
    (STRONG, r"^(?:my\s+|current\s+|account\s+)?balance\W*$|\bbalance\s*\?"),
    (
        STRONG,
        r"\b(?:what's|what is|what are|whats|how much (?:is|are))\s+(?:the|my|your)\s+(?:late\s+|penalty\s+|"
        r"monthly\s+|current\s+)?(?:fees?|charges?|interest(?:\s+rate)?|penalt(?:y|ies)|min(?:imum)?(?:\s+payment)?|"
        r"emi|instal+ment)\b(?!\s+(?:options|methods?|details|link|instructions))|"
        r"\b(?:know|find out|confirm|check|see|get)\s+(?:the|my)\s+(?:current\s+|outstanding\s+|remaining\s+)?"
        r"(?:balance|payoff|amount owed|outstanding amount)\b",
    ),
    (
        STRONG,
        r"\bwhen\s+(?:is|was|are)\s+(?:my|the|it|this|that|next)?\s*(?:[\w']+\s+){0,2}?due\b|\bdue\s+date\b|"
        r"\bwhen\s+(?:is|are)\s+(?:my|the)\s+(?:next\s+)?(?:payment|installment|bill)",
    ),
    (STRONG, r"\bwhen\s+(?:do|should|must|will|shall)\s+(?:i|we)\s+(?:need\s+to\s+|have\s+to\s+)?pay\b"),
    (STRONG, r"\bwhat\s+(?:do\s+)?i\s+(?:still\s+)?owe\b|\bamount\s+(?:due|owed|outstanding)\b"),
    (STRONG, r"\b(?:remind|tell)\s+me\s+(?:of\s+|about\s+)?(?:the|my)\s+(?:amount|balance|due date|total)\b"),
    (
        MEDIUM,
        r"\b(?:is|was)\s+(?:my|the)\s+(?:[\w']+\s+)?(?:payment|bill|instal+ment|emi|repayment|loan)\s+due\b",
    ),
    (MEDIUM, r"\bpayoff\b|\bremaining\s+balance\b|\boutstanding\s+balance\b|\bleft\s+(?:on|to pay)\b"),
) + cues(
    "balance_inquiry",
    "zh",
    (STRONG, r"(?:欠|还|剩|差|一共|总共|应还|要还|待还|得还)[^,，。!?]{0,5}?(?:多少|几)"),
    (STRONG, r"(?:费|利息|罚息|违约金)(?:用)?(?:是|有|要|一共|总共|收)?多少"),
    (STRONG, r"(?:还款|到期|扣款|交款|还钱)[^,，。!?]{0,3}?(?:几号|哪天|哪一天|什么时候|啥时候)"),
    (
        STRONG,
        r"(?:几号|哪天|哪一天|啥时候|什么时候)(?:之前|以前|前)(?:要|得|需要|应该|必须)?(?:到期|还|交|扣款|付)",
    ),
    (STRONG, r"多少钱|总共多少|一共多少|余额|账单|欠款(?:金额|总额)|剩余(?:本金|金额|欠款)"),
    (STRONG, r"(?:最后|下|这|本)(?:一)?期[^,，。!?]{0,4}?(?:哪天|几号|什么时候|啥时候|多少)"),
    (
        STRONG,
        r"什么时候(?:到期|还|要还|需要还|交|扣款|截止)|(?:几号|哪天|哪一天|啥时候)(?:到期|还|要还|交|扣款)|"
        r"还款日|到期日|截止日|(?:到期|还款)(?:时间|日期)",
    ),
)

HELP_CUES: Final[tuple[Cue, ...]] = cues(
    "help",
    "en",
    (STRONG, r"^(?:help|info|information|menu|commands|options)\b"),
    (
        STRONG,
        r"\bhow\s+(?:do|can|could|should|would)\s+(?:i|we)\s+(?:make\s+(?:a|the|my)\s+)?pay(?:ment)?\b|"
        r"\bhow\s+to\s+(?:make\s+(?:a\s+)?)?pay(?:ment)?\b|"
        r"\bwhere\s+(?:do|can|could|should)\s+(?:i|we)\s+(?:make\s+(?:a|the)\s+)?pay(?:ment)?\b",
    ),
    (MEDIUM, r"\bpayment\s+(?:options|methods?|details|link|instructions)\b|\bways?\s+to\s+pay\b|\bbank\s+details\b"),
    (WEAK, r"\bwhat\s+is\s+this\s+(?:about|for)\b|\bi\s+need\s+help\b"),
    (MEDIUM, r"\bhow\s+does\s+(?:this|it)\s+work\b"),
    (MEDIUM, r"\bkeywords?\b|\bwhat\s+(?:can|do|should)\s+i\s+(?:reply|text|send|answer)\b"),
) + cues(
    "help",
    "zh",
    (EXACT, r"帮助"),
    (
        STRONG,
        r"(?:怎么|如何)(?:样)?[^,，。!?不]{0,4}?(?:还款|还钱|还|付款|支付|转账|操作|付|缴)|"
        r"(?:还款|支付|付款|转账|缴费)(?:方式|渠道|方法|账号|账户|途径)|(?:在|去)哪(?:里|儿)?(?:还|付|交|缴)|"
        r"使用说明|操作说明",
    ),
)

OPT_IN_CUES: Final[tuple[Cue, ...]] = cues(
    "opt_in",
    "en",
    (STRONG, r"\b(?:subscribe|resubscribe|re-subscribe|opt\s*-?\s*in|optin|unstop)\b|\bopt\s+me\s+(?:back\s+)?in\b"),
    (
        STRONG,
        r"\bstart\s+(?:[\w']+\s+){0,3}?(?:sending|texting|messaging|reminding|receiving|getting)\b|"
        r"\bstart\s+(?:[\w']+\s+){0,2}?(?:reminders|messages|texts)\b",
    ),
    (MEDIUM, r"^start\b"),
    (
        STRONG,
        r"\bresume\s+(?:my\s+|the\s+)?(?:reminders|messages|texts|notifications|alerts)\b|"
        r"\b(?:receive|get|send me)\s+(?:\w+\s+)?(?:messages|texts|reminders|notifications|alerts)\s+again\b|"
        r"\b(?:turn|switch)\s+(?:back\s+)?on\s+(?:\w+\s+)?(?:reminders|messages|notifications|alerts)\b",
    ),
) + cues(
    "opt_in",
    "zh",
    (STRONG, r"(?<!取消)(?<!退)订阅|恢复(?:订阅|短信|通知|提醒|发送)|开启(?:提醒|通知|短信)"),
)

ACK_CUES: Final[tuple[Cue, ...]] = cues(
    "acknowledge",
    "en",
    (
        STRONG,
        r"^(?:ok|okay|k|kk|sure|yes|yep|yeah|yup|yah|alright|all right|fine|cool|great|perfect|noted|understood|"
        r"roger|got it|gotcha|will do|no problem|np|agreed|done|confirmed|sounds\s+(?:good|great|fine|ok)|"
        r"that\s+works|all\s+good|no\s+worries|aye|(?:no|nae)\s+bother|grand)\b|^good\W*$",
    ),
    (
        MEDIUM,
        r"^got\s+(?:your|the)\s+(?:message|text|reminder)|"
        r"\breceived\s+(?:your|the)\s+(?:message|text|reminder)\b",
    ),
    (STRONG, r"\b(?:thanks|thank you|thank u|ty|cheers|much appreciated|appreciate it)\b"),
    (MEDIUM, r"\b(?:got it|noted|understood|gotcha|roger that)\b"),
    (WEAK, r"(?<!not )(?<!n't )\b(?:ok|okay)\b"),
    (STRONG, "[" + "".join(sorted(ACK_EMOJI)) + "]"),
) + cues(
    "acknowledge",
    "zh",
    (STRONG, r"收到|好的|好吧|好滴|好嘞|好哒|好咧|谢谢|多谢|感谢|谢了|知道了|知道啦|(?<![不没])明白|了解|没问题|嗯"),
    (STRONG, r"^(?:好|行|可以|是的?|对|ok)(?:吧|啊|呀|哦|的|滴|嘞|了)?[!！。.~]*$"),
    # Regional: 晓得了 (Sichuan, Wu), 要得 (Sichuan), 中 (Henan)
    (STRONG, r"(?<![不没])晓得|^(?:要得|中)(?:[!！。.~\s]|$)"),
)

# Everything except the safety and polarity tables, which are imported / evaluated elsewhere.
INTENT_CUES: Final[tuple[Cue, ...]] = (
    HARDSHIP_CUES + _HARDSHIP_GUARDED + HUMAN_CUES + BALANCE_CUES + HELP_CUES + OPT_IN_CUES + ACK_CUES
)
ALL_TEXT_CUES: Final[tuple[Cue, ...]] = SAFETY_CUES + INTENT_CUES

OTHER_CONFIDENCE: Final = 0.3  # nothing fired: a guess, and the caller should know it


@dataclass(frozen=True, slots=True)
class Scores:
    """Per-intent evidence for one reply."""

    by_intent: dict[str, float]

    def primary(self) -> tuple[str, float]:
        fired = self.fired()
        if not fired:
            return OTHER, OTHER_CONFIDENCE
        return fired[0], self.by_intent[fired[0]]

    def fired(self) -> list[str]:
        return sorted(self.by_intent, key=PRECEDENCE.__getitem__)


def matching(table: Iterable[Cue], text: str) -> list[Cue]:
    """The cues of ``table`` that count as evidence in ``text`` (see ``Cue.fires``)."""
    return [cue for cue in table if cue.fires(text)]


def score(hits: Iterable[Cue]) -> Scores:
    """Combine cue weights per intent as independent evidence: 1 - prod(1 - w), capped.

    One strong cue gives its own weight; several cues for the same intent reinforce
    each other but never reach certainty (only an exact keyword is 0.99).
    """
    misses: dict[str, float] = {}
    for cue in hits:
        misses[cue.intent] = misses.get(cue.intent, 1.0) * (1.0 - cue.weight)
    return Scores({intent: min(EXACT, 1.0 - miss) for intent, miss in misses.items()})
