"""What a complaint is about, for the complaint register: a table of topics, first match wins.

The order is the order of seriousness a complaints officer reads them in: a threat to go to the
regulator first, then staff conduct, contact practice, fees and data; ``other`` when nothing fits.
Pure: it reads the reply's normalised text and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bot.nlu.normalize import normalize


@dataclass(frozen=True, slots=True)
class ComplaintTopic:
    category: str
    pattern: re.Pattern[str]


def _topic(category: str, regex: str) -> ComplaintTopic:
    return ComplaintTopic(category, re.compile(regex))


COMPLAINT_TOPICS: Final[tuple[ComplaintTopic, ...]] = (
    _topic(
        "regulator",
        r"\b(?:cfpb|ftc|bbb|better business bureau|attorney general|ombudsman|regulators?|consumer protection|"
        r"report(?:ing)? (?:you|this|it|u)|lawyer|sue|court)\b|银保监|金融监管|监管|投诉到|12378|消协|报警|起诉|律师",
    ),
    _topic(
        "staff_conduct",
        r"\b(?:rude|abusive|yelled|yelling|shouted|swore|cursed|insult\w*|threat\w*|agent|rep|staff|collector|"
        r"employee|representative|operator)\b|态度|骂|威胁|恐吓|辱|催收员|客服|工作人员",
    ),
    _topic(
        "contact_practice",
        r"\b(?:harass\w*|too many|every day|all day|at night|midnight|employer|boss|family|wife|husband|mother|"
        r"parents|friends|neighbou?rs?|colleagues?|calls?|calling|texts?|texting|messages)\b|骚扰|爆通讯录|"
        r"家人|父母|同事|朋友|单位|半夜|天天|一直打|打电话|短信",
    ),
    _topic(
        "fees_charges",
        r"\b(?:fees?|charges?|charged|interest|penalt\w*|late fee|overcharg\w*|apr)\b|利息|手续费|费用|罚息|滞纳金|"
        r"收费|砍头息",
    ),
    _topic("data_privacy", r"\b(?:privacy|personal data|my data|leak\w*|gdpr)\b|隐私|泄露|个人信息"),
)


def complaint_category(text: str) -> str:
    normalized = normalize(text)
    for topic in COMPLAINT_TOPICS:
        if topic.pattern.search(normalized):
            return topic.category
    return "other"
