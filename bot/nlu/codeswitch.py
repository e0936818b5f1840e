"""Layer 2b: a Chinese reading of code-switched replies ("别再text我了", "转agent", "amount不对").

Borrowers who write Chinese often drop in an English word for the thing itself: a channel,
a person, money words. The Chinese rule tables are written for Chinese words, and the English
tables need English around the word, so such a reply can fall between them. For a reply that
mixes both scripts, this layer builds a second view in which those English words are replaced
by their Chinese counterparts (a table of frozen rows, longest first) and the spaces left next to
Han characters are dropped; the classifier reads both views. Only used for mixed replies:
English and Chinese replies are read as they are.
"""

from __future__ import annotations

from typing import Final

from .lazyre import lazy

# English word (a regex, whole words) -> the Chinese word the rule tables know.
CODE_SWITCH: Final[tuple[tuple[str, str], ...]] = (
    (r"text(?:ing|ed|s)?|txt|sms|messages?|msgs?", "发短信"),
    (r"call(?:ing|ed|s)?|phone|ring", "打电话"),
    (r"agents?|humans?|real person|customer service|manager|supervisor|operator|rep", "人工"),
    (r"transfer(?:red|ring)?|wired?|sent", "转账"),
    (r"send(?:ing)?", "发"),
    (r"paid|payed", "还了"),
    (r"payment|repayment", "还款"),
    (r"pay|repay", "还"),
    (r"done|finished|completed|complete", "完成"),
    (r"amount|balance|total|bill", "金额"),
    (r"interest", "利息"),
    (r"fees?|charges?", "费用"),
    (r"extend|extension|delay|postpone", "延期"),
    (r"tight|broke", "紧张"),
    (r"wrong|incorrect", "不对"),
    (r"loan|debt", "借款"),
    (r"will|gonna|going to|'ll", "会"),
    (r"already", "已经"),
    (r"tomorrow", "明天"),
    (r"today", "今天"),
    (r"stop", "停止"),
    (r"complain(?:t|ing)?", "投诉"),
    (r"repl(?:y|ies|ied)|respond(?:ed|s)?|answer(?:ed|s)?", "回复"),
    (r"boss", "老板"),
    (r"help", "帮助"),
    (r"installments?", "分期"),
    (r"check", "查"),
)
_HAN: Final = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORDS: Final = tuple((lazy(rf"(?<![a-z'])(?:{en})(?![a-z'])"), zh) for en, zh in CODE_SWITCH)
_SPACE_BY_HAN: Final = lazy(rf"(?<=[{_HAN}])\s+|\s+(?=[{_HAN}])")


def chinese_view(normalized: str) -> str:
    """The reply with its code-switched English words in Chinese (see the module docstring)."""
    text = normalized
    for pattern, chinese in _WORDS:
        text = pattern.sub(chinese, text)
    return _SPACE_BY_HAN.sub("", text)


__all__ = ["CODE_SWITCH", "chinese_view"]
