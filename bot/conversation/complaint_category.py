"""What a complaint is about, for the complaint register: a table of topics, first match wins.

The order is the order of seriousness a complaints officer reads them in:

- ``regulator``: the borrower takes it outside: a regulator or ombudsman (FCA, FOS, CFPB, 银保监,
  12378), a lawyer or solicitor, a court, the police, the press or TV, social media and public reviews;
- ``staff_conduct``: how someone behaved: rude, shouting, swearing, threats (a threat by the lender to
  sue or to call the police is this, not ``regulator``);
- ``contact_practice``: harassment; contact with family, neighbours, friends or the workplace; contact
  too often or at night;
- ``fees_charges``: fees, interest and penalties, and charges called unfair or extortionate ("daylight
  robbery", 高利贷, 罚息收得太黑了);
- ``data_privacy``: personal data shared, leaked or sold;
- ``unresponsive``: being ignored: no reply, nobody answers, on hold, passed around (客服不回, 没人接).
  It comes after the topics above because what the borrower was ignored about is the substance
  ("emailed three times about the late fee and heard nothing" is ``fees_charges``);
- ``staff_conduct`` again for a complaint that names only an agent or 客服 and nothing else;
- ``other`` when nothing fits.

Each row is one regex on the reply's normalised text (lower case, Simplified Chinese, SMS spellings
expanded). A row may name spans to leave out before it is tried: a lender's threat ("threatened to
take me to court", 威胁说要起诉我) is not the borrower going to court. Pure: it reads the reply's text
and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bot.nlu.normalize import normalize

# In the register's order of seriousness; ``other`` last. Every row below files under one of these.
COMPLAINT_CATEGORIES: Final[tuple[str, ...]] = (
    "regulator",
    "staff_conduct",
    "contact_practice",
    "fees_charges",
    "data_privacy",
    "unresponsive",
    "other",
)


@dataclass(frozen=True, slots=True)
class ComplaintTopic:
    category: str
    lang: str  # "en" or "zh": the language the pattern is written for
    pattern: re.Pattern[str]
    # Spans blanked out before ``pattern`` is tried (words that look like the topic but are not it).
    ignore: re.Pattern[str] | None = None


def _rows(category: str, lang: str, *regexes: str, ignore: str | None = None) -> tuple[ComplaintTopic, ...]:
    masked = re.compile(ignore) if ignore is not None else None
    return tuple(ComplaintTopic(category, lang, re.compile(regex), masked) for regex in regexes)


# --- shared vocabulary ---------------------------------------------------------------------------

_COUNT: Final = (
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|fifty|"
    r"several|multiple|many|so many|countless|a dozen|dozens of|a few|a couple of)"
)
# The borrower as the one who called ("I called 5 times", "I've rung my mum"): put before a contact
# verb so that only the lender's contact counts as contact practice.
_NOT_BORROWER: Final = (
    r"(?<!\bi )(?<!\bwe )(?<!i've )(?<!we've )(?<!i'd )(?<!i'll )(?<!i'm )(?<!we're )(?<!i have )"
    r"(?<!i had )(?<!i just )(?<!i also )(?<!i even )(?<!i then )(?<!i already )(?<!i was )(?<!i've been )"
    r"(?<!i have been )(?<!\bfor )(?<!\bthanks )(?<!i tried )(?<!i keep )(?<!i kept )"
)
# The lender's side: who is said to have done (or not done) something.
_LENDER: Final = (
    r"(?:you|you guys|you people|you lot|they|he|she|your\s+(?:[\w-]+\s+)?(?:team|staff|agents?|people|"
    r"company|firm|office|line|helpline|phone\s+line|support|department|collectors?|reps?|representatives?|"
    r"advis[eo]rs?|customer\s+service|(?:live\s+)?chat)|the\s+(?:company|office|helpline|agent|collector))"
)
# Family, friends, neighbours and the workplace.
_THIRD_PARTIES: Final = (
    r"(?:employer|boss|work|workplace|office|job|family|mother|mom|mum|mommy|mummy|father|dad|daddy|wife|"
    r"husband|partner|ex|girlfriend|boyfriend|fianc[eé]e?|kids?|children|son|daughter|grand(?:son|daughter|"
    r"ma|pa|mother|father|parents)|friends?|neighbou?rs?|parents|relatives|relations|in-?laws|colleagues?|"
    r"co-?workers?|sister|brother|siblings?|cousins?|aunt|uncle|manager|supervisor|church|school|landlord|"
    r"references?|flatmates?|housemates?|contacts)"
)
_CONTACTED: Final = (
    r"(?:called|calling|calls|contacted|contacting|contacts|texted|texting|texts|messaged|messaging|messages|"
    r"rang|ringing|rings|phoned|phoning|phones|emailed|emailing|emails|wrote\s+to|writing\s+to|writes\s+to|"
    r"told|telling|tells|visited|visiting|bother(?:ed|ing|s)|pester(?:ed|ing|s)|hound(?:ed|ing|s)|"
    r"spoke\s+to|speaking\s+to|talked\s+to|talking\s+to|showed\s+up\s+at|turned\s+up\s+at|"
    r"came\s+to|coming\s+to|went\s+to|knock(?:ed|ing|s)\s+on|shamed|shaming|involved|involving|disclosed\s+\w+\s+to|"
    r"discuss(?:ed|ing)\s+(?:my\s+)?(?:debt|loan|account|arrears|situation)\s+with)"
)
_CONTACT_BASE: Final = r"(?:call|contact|text|message|ring|phone|email|bother|harass|visit|tell|involve|pester|hound)"
_CONTACT_ANY: Final = (
    r"(?:call\w*|rang|ring\w*|text\w*|messag\w*|phon\w*|contact\w*|email\w*|bother\w*|chas\w*|hound\w*|"
    r"pester\w*|spam\w*|bombard\w*)"
)
_OFTEN: Final = (
    rf"(?:{_COUNT}\s*(?:times|x)|every\s+(?:single\s+)?(?:day|hour|morning|evening|night|weekend|few\s+(?:hours|"
    r"minutes))|everyday|all\s+day|day\s+and\s+night|night\s+and\s+day|constantly|non-?stop|repeatedly|"
    r"relentlessly|incessantly|so\s+often|so\s+much|again\s+and\s+again|over\s+and\s+over|daily|hourly|"
    r"morning,?\s+noon\s+and\s+night|at\s+all\s+hours|round\s+the\s+clock|all\s+the\s+time)"
)
_ODD_HOUR: Final = (
    r"(?:midnight|night|dawn|the\s+middle\s+of\s+the\s+night|(?:[1-7]|12)(?::\d\d)?\s*(?:am|a\.m\.)|"
    r"(?:9|10|11)(?::\d\d)?\s*(?:pm|p\.m\.)|(?:[1-7]|12)\s+in\s+the\s+morning)"
)
# Whom a borrower goes to.
_REGULATORS: Final = (
    r"(?:fca|financial\s+conduct\s+authority|fos|financial\s+ombudsman(?:\s+service)?|ombudsm[ae]n|cfpb|"
    r"consumer\s+financial\s+protection\s+bureau|ftc|federal\s+trade\s+commission|bbb|better\s+business\s+"
    r"bureau|attorney\s+general|trading\s+standards|ico|information\s+commissioner(?:'s\s+office)?|asic|afca|"
    r"mas|rbi|bsp|cbn|sebi|occ|regulators?|watchdog|consumer\s+protection(?:\s+(?:agency|office|bureau))?)"
)
_LAWYER: Final = (
    r"(?:lawyers?|solicitors?|attorneys?|barristers?|legal\s+(?:team|counsel|advisers?|advisors?|advice|aid|"
    r"representatives?|representation|department))"
)
# A lawyer about the borrower's own affairs is no threat to the lender.
_OWN_AFFAIRS: Final = (
    r"(?![^.!?]{0,30}?\babout\s+(?:my\s+|our\s+|the\s+|a\s+|filing\s+(?:for\s+)?)?(?:bankruptcy|insolvency|"
    r"divorce|separation|custody|estate|will|iva|debt\s+relief|house\s+sale|conveyancing|probate))"
)
_PRESS: Final = (
    r"(?:press|papers|newspapers?|journalists?|reporters?|media|tv|television|news|bbc|itv|sky\s+news|"
    r"radio|tabloids?|daily\s+mail|the\s+sun|watchdog)"
)
_SOCIAL: Final = (
    r"(?:twitter|facebook|instagram|tiktok|reddit|youtube|linkedin|mumsnet|social\s+media|online|"
    r"the\s+internet|the\s+web|trustpilot|google(?:\s+reviews?)?|yelp)"
)

# A lender's threat: the borrower reporting it is not the borrower going to court or the police.
_THREAT_SPAN: Final = r"(?:[^.!?,;]{0,50}?(?=[.!?,;]|\s+(?:and|so|but|because|now|then|which)\b|$)|[^.!?,;]{0,30})"
_LENDER_THREAT_EN: Final = (
    rf"\b(?:threat\w*|warn(?:ed|ing|s)?)\s+(?:me\s+|us\s+)?(?:with|to)\s+{_THREAT_SPAN}|"
    r"\b(?:threat\w*|warn(?:ed|ing|s)?|said|says|saying|told\s+(?:me|us)|tell(?:ing|s)?\s+(?:me|us)|claim(?:ed|s)?)\s+"
    r"(?:that\s+)?(?:(?:you|they|he|she|it)(?:'d|'ll|\s+would|\s+will|\s+could|\s+can|\s+are\s+going\s+to|"
    r"\s+were\s+going\s+to|\s+was\s+going\s+to)|(?:i|we)(?:'d|'ll|\s+would|\s+will|\s+could)\s+(?:be|get))\s+"
    rf"{_THREAT_SPAN}|"
    r"\b(?:sue|suing|sued)\s+me\b|\b(?:take|taking|took|drag\w*)\s+me\s+to\s+(?:small\s+claims\s+)?court\b|"
    r"\bhave\s+me\s+arrested\b|\bsend\w*\s+(?:the\s+)?(?:police|bailiffs|cops)\s+(?:to|round|after)\b|"
    # reporting the borrower to the credit bureaus is no regulator either
    r"\breport\w*\s+(?:[\w']+\s+){0,2}?to\s+(?:the\s+|all\s+the\s+)?(?:credit|bureaus?|experian|equifax|transunion|"
    r"cibil)\w*"
)
_LENDER_THREAT_ZH: Final = (
    r"(?:威胁|恐吓|扬言|吓唬|说要|说会|还说|要挟)(?:我)?(?:说)?[^,，。!?；;]{0,14}?"
    r"(?=[,，。!?；;]|所以|我要|我就|我会|我已经|$)|起诉我|告我|把我告|抓我|让我坐牢"
)

# --- the table -----------------------------------------------------------------------------------

COMPLAINT_TOPICS: Final[tuple[ComplaintTopic, ...]] = (
    # A threat to take it outside: regulators, ombudsmen, lawyers, courts, the police, press, social media.
    *_rows(
        "regulator",
        "en",
        rf"\b{_REGULATORS}\b",
        rf"(?<!power of ){_LAWYER}\b(?!\s+friends?\b){_OWN_AFFAIRS}",
        r"\b(?:sue|sues|suing|sued)\b|\blawsuit\b|\bclass\s+action\b|\blegal\s+(?:action|proceedings|route)\b|"
        r"\bcease\s+and\s+desist\b|\bletter\s+before\s+action\b|\bsmall\s+claims\b|\btribunal\b|"
        r"\b(?:to|in|into|before)\s+(?:the\s+)?(?:small\s+claims\s+|county\s+|civil\s+)?court\b|"
        r"\bcourt\s+(?:action|case|claim|proceedings|order|summons)\b|\bpress(?:ing)?\s+charges\b",
        r"\b(?:police|cops)\b(?!\s+(?:officer|constable|man|woman)s?\b)|\bpolice\s+report\b",
        r"\breport(?:ing|ed|s)?\s+(?:you|this\s+company|your\s+(?:company|firm|agents?|staff|collectors?|"
        r"business|lot|behaviou?r|conduct)|them|this\s+(?:harassment|behaviou?r|conduct))\b|"
        r"\breport(?:ing|ed)?\s+(?:it|this)\b(?!\s+(?:error|mistake|issue|problem|payment|missing|lost|stolen)\b)|"
        r"\b(?:lodg\w*|fil(?:e|ed|es|ing)|mak(?:e|ing))\s+(?:a\s+|an\s+)?(?:formal\s+|official\s+)?(?:report|complaint|"
        r"case|claim)\s+(?:with|to|against)\b|\breport(?:ing)?\s*你们",
        r"\b(?:go|goes|going|gone|went|tell\w*|told|contact\w*|call\w*|rang|ring\w*|writ\w*|wrote|email\w*|"
        r"speak\w*|spoke|talk\w*|send\w*|sent|sell\w*|sold|tak\w*\s+(?:this|it|the\s+story)|pass\w*|"
        r"forward\w*|shar\w*|complain\w*|escalat\w*|report\w*)\b[^.!?]{0,30}?\b(?:to|with)\s+(?:the\s+|a\s+|my\s+|"
        rf"our\s+|local\s+|national\s+|every\s+|any\s+)*{_PRESS}\b",
        rf"\b{_PRESS}\s+(?:will|would|'ll|is\s+going\s+to|are\s+going\s+to|would\s+love|might)\b|"
        r"\b(?:story|article|piece|expos[eé])\s+(?:on|about)\s+(?:you|your|this\s+company)\b|\b(?:journalists?|"
        r"reporters?)\b|\b(?:do|doing|write|writing|run|running|publish\w*)\s+(?:a|an)\s+(?:story|piece|article|"
        r"expos[eé]|feature)\b|"
        r"\bname\s+and\s+shame\b|\bgo(?:ing|es)?\s+viral\b",
        r"\b(?:post\w*|put\w*|shar\w*|tweet\w*|expos\w*|plaster\w*|broadcast\w*|upload\w*|screenshot\w*|"
        r"blast\w*|splash\w*)\b[^.!?]{0,30}?\b(?:on|to|all\s+over|across)\s+(?!your\s)(?:the\s+)?"
        rf"{_SOCIAL}\b",
        r"\b(?:one|1|zero|0|no)[\s-]*stars?\b|\b(?:bad|terrible|honest|negative|scathing|awful|damning)\s+"
        r"reviews?\b|\breviews?\s+(?:on|to)\s+(?:trustpilot|google|yelp)\b|\btrustpilot\b|"
        r"\beveryone\s+(?:on\s+\w+\s+)?(?:(?:will|is\s+going\s+to|should|gonna|can)\s+(?:know|see|hear)|knows|sees|"
        r"hears)\b|\b(?:leav\w*|writ\w*|post\w*)\s+(?:a\s+|some\s+)?(?:\w+\s+)?reviews?\b",
        r"\bcitizens\s+advice\b|\b(?:my|an?|our|local)\s+(?:mp|member\s+of\s+parliament|congress(?:wo)?man|"
        r"senator|councill?or)\b",
        ignore=_LENDER_THREAT_EN,
    ),
    *_rows(
        "regulator",
        "zh",
        r"银保监|银监|保监|金融监管|国家金融监督|监管(?:局|部门|机构|单位)|金管局|金管会|人民银行|央行|"
        r"(?<!\d)(?:12378|12363|12315|12345)(?![\d元块.])|市长热线|消协|消费者协会|消委会|工商局|工商部门|找工商|市场监管",
        r"报警|(?:打|报|拨)110|警察|派出所|公安|起诉|(?<![警转报广公预通劝])告(?:你们|你|贵司|你司)|"
        r"告到(?:你们|法院|银保监|监管|消协|倒闭)|打官司|仲裁|"
        r"法律(?:途径|程序|手段|武器)|律师函|(?<!离婚)律师(?!费|朋友|同学)|法院|法庭",
        r"媒体|电视台|报社|报纸|记者|曝光|揭露|黑猫|上新闻|"
        r"(?:抖音|微博|小红书|快手|b站|网上|知乎|朋友圈)[^,，。!?]{0,6}?(?:发(?:视频|帖|文章?|出来|布|微博)|曝|"
        r"挂(?:出来|你们)|晒)|"
        r"(?:发|晒|挂|传|放|曝|写)(?:到|在|上)[^,，。!?]{0,6}?(?:网上|微博|抖音|小红书|朋友圈|知乎|贴吧|快手|"
        r"网络|b站|论坛)|让(?:大家|所有人|全网)(?:都)?(?:看看|评评理|知道|来看)",
        ignore=_LENDER_THREAT_ZH,
    ),
    # How someone behaved.
    *_rows(
        "staff_conduct",
        "en",
        r"(?<!to be )(?<!sound )(?<!be so )\brude\b(?!\s+awakening)|\b(?:abusive|aggressive|insulting|"
        r"disrespectful|unprofessional|condescending|patroni[sz]ing|belittl\w+|demeaning|degrading|hostile|"
        r"intimidat\w+|bull(?:y|ying|ied)|sarcastic|arrogant|impolite|nasty|horrible\s+to\s+me)\b"
        r"(?!\s+(?:interest|charges?|fees?|rates?|lending|terms|apr)\b)",
        r"\b(?:yell\w*|shout\w*|scream\w*|swore|swear\w*|curs(?:ed|ing)|cuss\w*|insult\w*|mock\w*|"
        r"laugh(?:ed|ing)\s+at|lied\s+to|lying\s+to|snapp\w*\s+at|hung\s+up\s+on|hang(?:s|ing)?\s+up\s+on)\s*"
        r"(?:at\s+)?(?:me|us|my)\b|\b(?:swore|swearing|shouted|shouting|yelled|yelling|screamed|screaming)\b",
        r"\bthreat\w*|\barrest\w*|\bbailiffs?\b|\b(?:go(?:ing)?|went|sen[dt]\w*|put\w*|end\s+up|be|with|throw\w*|"
        r"lock\w*\s+(?:me\s+)?up)\s+(?:me\s+)?(?:to\s+|in\s+|into\s+)?(?:jail|prison)\b",
        r"\b(?:called|calling|call|calls|treat\w*)\s+me\s+(?:like\s+)?(?:a|an)\s+(?:deadbeat|liar|thief|criminal|"
        r"loser|idiot|fraud|scammer|beggar|crook|scrounger|waste)\b|"
        r"\bthe\s+way\s+(?:your|the|that|this|he|she|they)\s+(?:\w+\s+){0,2}?(?:spoke|spoken|talked|speaks|talks|"
        r"talk|speak|treated|treats|treat|behaved|behaves|behave|dealt)\b|\bhow\s+(?:i|we)\s+(?:was|were|am|are|"
        r"have\s+been|got|get)\s+(?:being\s+)?(?:treated|spoken\s+to|talked\s+to)\b|"
        r"\b(?:spoke|talked|speaks|talks)\s+to\s+me\s+like\b|"
        r"\b(?:tone|attitude|manner|behaviou?r)\s+(?:of|from)\s+(?:your|the|that)\b|\b(?:his|her|their|"
        r"your\s+\w+'s)\s+(?:tone|attitude|manner)\b",
    ),
    *_rows(
        "staff_conduct",
        "zh",
        r"态度[^,，。!?]{0,4}?(?:差|恶劣|不好|嚣张|蛮横|傲慢|凶|冷漠)|(?:骂|辱骂|谩骂|脏话|爆粗|侮辱|羞辱|"
        r"嘲讽|挖苦|人身攻击)|(?:吼|凶)(?:我|人)|冲我(?:吼|喊|发火)|太凶|大吼",
        r"(?:说话|语气|口气)[^,，。!?]{0,3}?(?:难听|冲|凶|恶劣|不客气|很差|太差)|难听|没(?:有)?礼貌|"
        r"不礼貌|没素质|素质[^,，。!?]{0,3}?差|挂我(?:的)?电话|阴阳怪气|冷嘲热讽|"
        r"(?:客服|催收员?|对方|他|她|你们的人)[^,，。!?]{0,6}?不耐烦",
        r"威胁|恐吓|扬言|要挟|吓唬|暴力催收|抓我|坐牢|(?:说我|骂我是)(?:是)?(?:骗子|老赖|无赖|小偷)",
    ),
    # Harassment, third parties, too often, at night.
    *_rows(
        "contact_practice",
        "en",
        r"\bhar+as+\w*",
        rf"{_NOT_BORROWER}\b{_CONTACTED}\s+(?:me\s+at\s+|us\s+at\s+)?(?:my|our)\s+(?:[\w-]+\s+)?{_THIRD_PARTIES}\b",
        rf"\b(?:you|they|he|she|did|does|do|don't|do\s+not|didn't|never|stop|quit|why|anyone|anybody|someone|"
        rf"somebody|collectors?|agents?|people|staff|right\s+to)\s+(?:[\w']+\s+){{0,2}}?{_CONTACT_BASE}\w*\s+"
        rf"(?:my|our)\s+(?:[\w-]+\s+)?{_THIRD_PARTIES}\b",
        rf"\b(?:my|our)\s+(?:[\w-]+\s+)?{_THIRD_PARTIES}\s+(?:(?:has|have|had|is|are|was|were|keeps?|kept)\s+)?"
        r"(?:been\s+|now\s+|also\s+|even\s+)?(?:getting|receiving|got|gotten|gets|received|receives|had|taking|"
        r"answering|called|contacted|texted|rung|phoned)\b[^.!?]{0,20}?\b(?:calls?|texts?|messages?|letters?|"
        r"emails?|visits?|by\s+you|from\s+you|about\s+my)\b",
        rf"{_NOT_BORROWER}\b(?:calls?|texts?|messages?|visits?|calling|texting|ringing|turn(?:ing|ed)\s+up|"
        r"show(?:ing|ed)\s+up|knock(?:ing|ed)|came|coming)\s+(?:to\s+|at\s+|on\s+)my\s+(?:work|workplace|"
        r"office|job|home|house|door|doorstep|parents|mum|mom)\b|\b(?:calls|texts)\s+at\s+(?:work|night)\b|"
        rf"{_NOT_BORROWER}\b{_CONTACT_ANY}\s+me\s+at\s+(?:work|the\s+office|my\s+(?:work|office|job)|home)\b",
        rf"{_NOT_BORROWER}\b{_CONTACT_ANY}\s+(?:me|us)\b(?!\s+back)[^.!?]{{0,25}}?\b{_OFTEN}",
        rf"{_NOT_BORROWER}\b{_CONTACT_ANY}\s+(?:[\w']+\s+){{0,2}}?{_COUNT}\s*(?:times|x)\s+(?:a|per|every|each|"
        r"in\s+(?:a|one|an))\s+(?:day|night|hour|morning|week)\b",
        r"\b(?:get|gets|getting|got|receiv\w*)\s+(?:like\s+|about\s+|over\s+|up\s+to\s+|at\s+least\s+)?"
        rf"{_COUNT}\s+(?:calls|texts|messages|reminders|emails|voicemails)\b",
        r"(?<!\bmy )\b(?:\d+(?:st|nd|rd|th)|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\s+"
        r"(?:call|text|message|reminder)\s+(?:today|this\s+morning|tonight|in\s+(?:a|one)\s+day)\b",
        r"(?<!made )(?<!left )(?<!sent )(?<!after )(?<!despite )(?<!called )(?<!rang )(?<!phoned )(?<!emailed )"
        r"(?<!called you )(?<!rang you )(?<!rung you )(?<!phoned you )(?<!emailed you )(?<!texted you )"
        rf"(?<!tried )\b{_COUNT}\s*(?:x|times)?\s*(?:calls|texts|messages|"
        r"reminders)?\s+(?:a|per|every|each)\s+(?:day|night|hour|morning)\b(?![^.!?]{0,30}\b(?:nobody|no\s+one|"
        r"no\s+(?:reply|answer|response)|heard\s+nothing)\b)",
        r"(?<!made )(?<!left )(?<!sent )(?<!after )(?<!despite )\b(?:too\s+many|so\s+many|constant|nonstop|"
        r"non-stop|endless|relentless|incessant|repeated|nuisance|daily|harassing)\s+(?:phone\s+)?(?:calls|texts|"
        r"messages|reminders|emails|contact)\b",
        r"\b(?:sick\s+(?:and\s+tired\s+)?of|fed\s+up\s+(?:with|of)|tired\s+of)\s+(?:your|these|the|all\s+(?:these|"
        r"your|the))\s+(?:\w+\s+)?(?:calls|texts|messages|reminders|emails)\b",
        rf"{_NOT_BORROWER}\b(?:keeps?|kept)\s+(?:on\s+)?(?:calling|texting|messaging|ringing|phoning|contacting|"
        r"emailing|bothering|chasing|hounding|pestering)\b",
        rf"{_NOT_BORROWER}\b{_CONTACT_ANY}\s+(?:[\w']+\s+){{0,3}}?(?:at|after|past|before|around|in)\s+(?:the\s+)?"
        rf"{_ODD_HOUR}|\b(?:woke|wake|wakes|waking)\s+(?:me|us|my\s+\w+)\b|\b(?:midnight|night-?time|late-?night|"
        r"early[\s-]morning|middle[\s-]of[\s-]the[\s-]night)\s+(?:phone\s+)?(?:calls|texts|messages)\b|"
        r"\b(?:on|at)\s+(?:a\s+)?sundays?\s+(?:morning|night)\b",
    ),
    *_rows(
        "contact_practice",
        "zh",
        r"骚扰|通讯录|紧急联系人|轰炸",
        r"(?<!我)(?<!我要)(?<!我会)(?<!我先)(?<!我就)(?<!我得)"
        r"(?:打|发|联系|上门|通知|告诉|催|闹|打电话给|发短信给|发信息给|打到|打去|找到|找上|找去|给|"
        r"call\w*|text\w*|messag\w*|contact\w*)"
        r"[^,，。!?]{0,6}?我(?:的|们)?[前原现老]?"
        r"(?:家人|家里|老家|父母|爸妈|爸爸|妈妈|爸|妈|老婆|老公|孩子|同事|领导|单位|"
        r"公司|朋友|亲戚|邻居|学校|老板|室友|房东)",
        r"(?<!我)(?:去|来|到)(?:了)?我(?:的|们)?[前原现老]?(?:家里|老家|单位|公司|学校|家)[^,，。!?]{0,4}?"
        r"(?:闹|找|催|要债|要钱|堵|骚扰|讨债)|"
        r"(?:家人|家里人|父母|爸妈|同事|领导|朋友|亲戚|老婆|老公|孩子|邻居|老板|全家)(?:们)?(?:都|也)?(?:收到|接到)"
        r"(?:了)?[^,，。!?]{0,4}?(?:短信|电话|信息|消息)|(?:亲戚|家族|同学|同事|工作)群",
        r"(?<!我)(?<!我都)(?<!我也)"
        r"(?:天天|每天|每日|一天到晚|一直|老是|总是|反复|不停(?:地)?|频繁|半夜|大半夜|深更半夜|凌晨|大晚上|"
        r"这么晚|那么晚|这么早|大清早|深夜|夜里|晚上(?:\d+|十一|十二|十)点|早上[五六\d]点)"
        r"[^,，。!?]{0,6}?(?:打|发|催|call)"
        r"(?!不通|不进|(?:了|过)?(?:你们|客服|贵司|你司))",
        r"(?<!我)(?<!我都)(?<!我也)(?:一天|一个?晚上|一个?上午|一个?下午|一个?小时)"
        r"[^,，。!?]{0,6}?[两二三四五六七八九十几\d][^,，。!?]{0,3}?(?:次|个|条|通|遍)"
        r"(?![^,，。!?]{0,8}?(?:不通|没人|没有人|无人))",
        r"(?:电话|短信|信息|消息)[^,，。!?]{0,3}?(?:太|很|这么|那么|过于)(?:频繁|多了|烦)|"
        r"(?:家人|父母|爸妈|同事|领导|朋友|亲戚|邻居|老板|全家|全村)(?:们)?(?:都|也|全)知道",
    ),
    # Fees, interest, penalties; charges called unfair or extortionate.
    *_rows(
        "fees_charges",
        "en",
        r"\b(?:fees?|surcharges?|penalt(?:y|ies)|overcharg\w*|apr|interest\s+rates?)\b|"
        r"(?<!\bin )(?<!\bfree of )(?<!\bpress )\bcharg(?:es?|ed|ing)\b(?!\s+(?:of|me\s+with\s+(?:a\s+)?crime))|"
        r"(?<!\bno )(?<!\bany )(?<!\bin )\binterest\b(?!\s+(?:in|of)\b)",
        r"\b(?:rip[\s-]?offs?|ripp(?:ing|ed)\s+(?:me|us|people|customers|borrowers|everyone)\s+off|"
        r"(?:daylight|highway)\s+(?:robbery|theft)|robbery|robb(?:ing|ed)\s+(?:me|us|people|customers|borrowers)|"
        r"extort\w*|usur(?:y|ious)|loan\s*sharks?|predatory|exploitative|bloodsuck\w*|blood[\s-]sucking|"
        r"leeches|vultures|bleed(?:ing)?\s+(?:me|us|people|borrowers)\s+dry|legali[sz]ed\s+(?:theft|robbery)|"
        r"money[\s-]grab\w*|cash[\s-]grab\w*|gouging|fleec\w*|(?<!identity )thieves|crooks|scalp\w*)\b",
        r"\bpaid\s+(?:back\s+)?(?:more\s+than\s+)?(?:double|twice|triple|three\s+times)\b|"
        r"\bmore\s+than\s+(?:i|we)\s+(?:ever\s+)?borrowed\b|\b(?:owe|owing)\s+(?:more|double|twice)\s+than\b",
    ),
    *_rows(
        "fees_charges",
        "zh",
        r"利息|罚息|利率|年化|手续费|服务费|管理费|违约金|滞纳金|逾期费|律师费|催收费|费用|收费|扣费|多扣|"
        r"砍头息|利滚利|息费",
        r"高利贷|套路贷|乱收费|(?<!天)(?:太|真|好|很|这么|那么|也太|忒)黑(?!夜|天|名单)|黑心|坑(?:人|钱|爹|死)|"
        r"(?:太|好|真|也太|很)坑|抢钱|吸血|扒皮|暴利|宰人|割韭菜|霸王条款|比本金(?:还)?(?:高|多)|还了(?:两|三|几)倍|"
        r"吃相[^,，。!?]{0,3}?难看|(?:扣|罚)(?:了|我)?\d+|罚款",
    ),
    # Personal data.
    *_rows(
        "data_privacy",
        "en",
        r"\b(?:privacy|personal\s+(?:data|information|details)|my\s+data|data\s+(?:protection|breach)|gdpr|"
        r"subject\s+access|leak\w*|(?:sold|sell\w*|shar\w*|pass\w*\s+on)\s+my\s+(?:data|details|information|"
        r"number))\b",
    ),
    *_rows("data_privacy", "zh", r"隐私|泄露|泄漏|个人信息|个人资料|资料外泄|(?:卖|出卖)(?:了)?我的(?:信息|资料|号码)"),
    # Being ignored: no reply, nobody answers, on hold, passed around.
    *_rows(
        "unresponsive",
        "en",
        r"\b(?:nobody|no\s*-?\s*one|noone|not\s+(?:a|one)\s+(?:single\s+)?(?:person|soul))\s+(?:[\w']+\s+){0,2}?"
        r"(?:answers?|answered|answering|picks?\s+up|picked\s+up|picking\s+up|repl(?:y|ies|ied|ying)|"
        r"respond(?:s|ed|ing)?|gets?\s+back|got\s+back|getting\s+back|calls?\s+(?:me\s+)?back|called\s+(?:me\s+)?"
        r"back|returns?|returned|bothers?|bothered|cares?|cared|helps?|helped|reads?|pick\s+up|answer|get\s+back|"
        r"call\s+(?:me\s+)?back|return|acknowledg\w*)\b(?!\s+(?:when|as|because)\s+you\b|\s+your\s+calls?\b)",
        rf"\b{_LENDER}\s+(?:still\s+)?(?:never|don't|do\s+not|didn't|did\s+not|won't|will\s+not|can't|cannot|"
        r"haven't|have\s+not|hasn't|has\s+not|doesn't|does\s+not|refuse\s+to|refused\s+to)\s+(?:even\s+|ever\s+|"
        r"once\s+|bother(?:ed)?\s+to\s+|got\s+|yet\s+)?(?:answers?|answered|repl(?:y|ies|ied)|respond(?:s|ed)?|"
        r"gets?\s+back|got\s+back|gotten\s+back|calls?\s+(?:me\s+|us\s+)?back|called\s+(?:me\s+|us\s+)?back|"
        r"returns?|returned|picks?\s+up|picked\s+up|acknowledg\w*|reads?|listens?)\b",
        r"\bheard\s+nothing\b|\b(?:haven't|have\s+not|hasn't|not|never)\s+(?:yet\s+)?heard\s+(?:anything|a\s+thing|"
        r"back|a\s+word|from\s+(?:you|anyone|anybody|your))\b|\b(?:got|had|received|get)\s+nothing\s+back\b|"
        r"\bno\s+(?:reply|replies|response|responses|answer|callback|call\s*back|acknowledge?ment|word|feedback)\b"
        r"(?!\s+(?:needed|necessary|required|of\s+a\s+lie)\b)|\bstill\s+nothing\b|\bnever\s+(?:got|had|received)"
        r"\s+(?:a|any)\s+(?:reply|response|answer|callback|call\s*back)\b",
        r"\bstill\s+(?:waiting|no\s+(?:reply|response|answer|word))\b|\bwait\w*\s+(?:[\w']+\s+){0,4}?(?:for|on)\s+"
        r"(?:a|an|any|your|the|my|someone|somebody|anyone|you)\s*(?:to\s+)?(?:reply|response|answer|callback|"
        r"call\s*back|get\s+back|respond|call)\b",
        r"(?<!\bi )(?<!i've )(?<!\bwe )\bignor(?:ed|ing|es|e)\s+(?:me|us|my|our|all|every|each|any)\b|"
        r"\bradio\s+silence\b|"
        r"\brun\s*-?\s*around\b|\bfob\w*\s+(?:me\s+|us\s+)?off\b|\bbrushed\s+(?:me\s+)?off\b|\bpillar\s+to\s+post\b|"
        r"\b(?:passed|transferred|pushed|bounced)\s+(?:me\s+)?(?:around|from\s+one)\b|\bghost(?:ed|ing)\s+(?:me|us)\b|"
        r"\b(?:goes|go|went|going)\s+(?:straight\s+)?to\s+(?:voicemail|an\s+answering\s+machine)\b|"
        r"\bunanswered\b|\bleft\s+on\s+read\b|\bvoicemails?\s+(?:full|never)\b|\b(?:rings?|rang|ringing)\s+out\b|"
        r"\b(?:line|call|phone)\s+(?:just\s+)?(?:goes|went|going)\s+dead\b|\bcut\s+(?:me\s+)?off\b|\bnot\s+a\s+"
        r"(?:peep|word|squeak|dicky\s+bird)\b|\btr(?:y|ying|ied)\s+to\s+(?:reach|get\s+hold\s+of|get\s+through\s+"
        r"to|contact|speak\s+to|talk\s+to)\s+(?:someone|anyone|anybody|you|a\s+(?:real\s+)?(?:human|person))\b",
        r"\b(?:can't|cannot|couldn't|could\s+not|impossible\s+to|unable\s+to|no\s+way\s+to|never\s+able\s+to)\s+"
        r"(?:ever\s+)?(?:get\s+through|get\s+hold\s+of|reach|contact|get\s+through\s+to|get\s+a\s+(?:reply|response|"
        r"answer|human|person))\b(?!\s+(?:my|me|family|work)\b)|\b(?:can't|cannot|couldn't|could\s+not|"
        r"impossible\s+to|unable\s+to)\s+(?:speak|talk)\s+(?:to|with)\s+(?:anyone|anybody|a\s+(?:real\s+)?"
        r"(?:human|person)|someone|a\s+manager)\b",
        r"\b(?:on|kept\s+on|left\s+on)\s+hold\s+(?:for\s+)?(?:over\s+|almost\s+|nearly\s+|about\s+|more\s+than\s+)?"
        rf"(?:{_COUNT}|an?|half\s+an?)\s*(?:hours?|hrs?|minutes?|mins?|ages|forever)\b|\b(?:kept|left|been|sat|"
        r"waited|stuck)\s+(?:me\s+)?on\s+hold\b(?!\s+with\s+(?:my|the|our)\b)",
        r"\b(?:emailed|e-mailed|called|rang|phoned|messaged|texted|written|wrote|sent|left|chased|tried)\s+"
        rf"(?:[\w']+\s+){{0,4}}?{_COUNT}\s+(?:times|emails|mails|letters|messages|voicemails|texts|requests)\b"
        r"[^.!?]{0,60}?\b(?:nothing|nobody|no\s+one|never|ignored|still|zero|no\s+(?:reply|response|answer))\b",
        r"(?<!\bi )(?<!\bwe )\bnever\s+(?:call|ring|get|write|phone|rang|got|wrote)\w*\s+(?:me\s+|us\s+)?back\b|"
        r"\b(?:called|rung|rang|phoned|emailed|messaged|contacted|written\s+to|wrote\s+to)\s+(?:your|the)\s+"
        rf"(?:[\w-]+\s+){{0,2}}?(?:helpline|line|number|office|team|customer\s+service|support|complaints\s+\w+)\s+"
        rf"(?:[\w']+\s+){{0,2}}?{_COUNT}\s+times\b|"
        r"\b(?:answer|respond\s+to|reply\s+to|read)\s+(?:my|our)\s+(?:\w+\s+)?(?:emails|calls|messages|letters|"
        r"texts|queries|questions|complaint|voicemails)\b|\b(?:call|get|ring|phone)\w*\s+(?:me\s+)?back\b[^.!?]{0,30}?"
        r"\b(?:nobody|no\s+one|never)\b|\bpromised\s+(?:me\s+)?(?:a\s+call\s*back|a\s+callback|a\s+reply|to\s+call)\b|"
        r"\b(?:wait\w*|queu\w*)\b[^.!?]{0,30}?\bfor\s+(?:over\s+|almost\s+|nearly\s+|about\s+|more\s+than\s+)?"
        rf"(?:an?|half\s+an?|{_COUNT})\s*(?:hours?|hrs?|days|weeks|months)\b",
        r"\b(?:why|when)\s+(?:won't|will|don't|doesn't|can't|does|do|is)\s+(?:you|anyone|anybody|someone|somebody|"
        r"no\s+one|nobody)\s+(?:ever\s+)?(?:answer|reply|respond|get\s+back|call\s+(?:me\s+)?back|pick\s+up)\b",
    ),
    *_rows(
        "unresponsive",
        "zh",
        r"没(?:有)?(?:一个)?人(?:接|理|回|管|处理|搭理|回应|回复|跟进|联系我)|无人(?:接听|回复|回应|处理|理会)|"
        r"(?<!我)(?<!我也)(?<!我都)(?<!我就)不(?:回|复)(?!家|来|去|头|国|老家)|"
        r"(?<!我)(?<!我也)(?<!我都)没(?:有)?(?:回(?:复|消息|信息|音|应|我)|答复)|已读不回|"
        r"不理(?:我|人)|不搭理|爱理不理|不闻不问|置之不理|不予理会|装死|没人管",
        r"没(?:有)?人\s*(?:reply|answer|respond|pick\s*up|call\s*back)|(?:接通|接了|一接)(?:就|又)?(?:挂|断)|"
        r"排队[^,，。!?]{0,6}?(?:小时|钟头|半天|一天)|石沉大海|杳无音信|没(?:有)?(?:了)?下文|"
        r"(?:等了|已经|到现在|至今)[^,，。!?]{0,8}?(?:都|也|还)?没(?:有)?(?:任何)?"
        r"(?:消息|回音|回复|音讯|动静|答复|结果)|打不通|接不通|转不(?:到|进|了|通)|忙音|"
        r"说好[^,，。!?]{0,4}?回(?:电|复|我|个电话)|(?:没有|没)(?:任何)?进展|"
        r"没人跟进|耐心等待|(?:只会|就会|每次都|总是)说[^,，。!?]{0,6}?(?:等|处理|反馈|核实)|一直占线|总是占线|"
        r"(?:全|都|只有)是机器人|联系不上(?:你们|客服|人工|任何人|人)|找不到人",
        r"踢皮球|推来推去|互相推(?:诿|脱)?|推诿|敷衍|答非所问|(?:一直|总是|又)让我等|让我等[^,，。!?]{0,4}?(?:等|没)",
    ),
    # Only the person is named ("I want to complain about your agent"): staff conduct.
    *_rows(
        "staff_conduct",
        "en",
        r"\b(?:agents?|reps?|representatives?|staff|collectors?|employees?|operators?|advis[eo]rs?|callers?|"
        r"handlers?|case\s*workers?|(?:man|woman|lady|guy|girl|person|bloke|chap)\s+(?:on\s+the\s+phone|i\s+spoke\s+"
        r"to|who\s+(?:called|rang|phoned)))\b",
    ),
    *_rows("staff_conduct", "zh", r"催收员|催收人员|催收的人|客服|工作人员|业务员|专员|你们的人"),
)


def complaint_category(text: str) -> str:
    """The register's category for a complaint: the first topic that matches, else ``other``."""
    normalized = normalize(text)
    masked: dict[re.Pattern[str], str] = {}
    for topic in COMPLAINT_TOPICS:
        subject = normalized
        if topic.ignore is not None:
            if topic.ignore not in masked:
                masked[topic.ignore] = topic.ignore.sub(" ", normalized)
            subject = masked[topic.ignore]
        if topic.pattern.search(subject):
            return topic.category
    return "other"
