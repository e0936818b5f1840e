"""Layer 1: turn a raw SMS / chat reply into one canonical form.

Every later layer (keywords, polarity, rules, dates, amounts) is written against this
form only: lower case, half-width, ASCII apostrophes, common SMS spellings expanded,
emoji reduced to the few that mean something, single spaces. Keeping that in one place
is what lets the rule tables stay small.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from .hant import to_simplified
from .lazyre import lazy

# Replies longer than this are not conversational; cutting them bounds the regex work
# (and so the latency) for hostile or accidental megabyte-sized input.
MAX_CHARS: Final = 2000

# Emoji that borrowers use to say "ok / thanks". They survive normalisation so the
# acknowledge rules can see them; every other emoji is neutral and becomes a space.
ACK_EMOJI: Final = frozenset("👍👌🙏✅✔🆗")

# Skin-tone modifiers, variation selectors and the zero-width joiner only decorate the
# emoji before them; dropping them turns "👍🏽" into "👍".
_EMOJI_DECORATION: Final = frozenset(
    [chr(c) for c in range(0x1F3FB, 0x1F400)] + ["\ufe0e", "\ufe0f", "\u200d", "\u20e3"]
)

_QUOTES: Final = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'", "\u201c": '"', "\u201d": '"'})

# SMS spellings and common typos -> the word the rule tables are written for.
# Whole words only; contractions are restored with their apostrophe because the
# negation rules look for "can't", "won't", "don't".
TYPOS: Final[dict[str, str]] = {
    "stpo": "stop",
    "sotp": "stop",
    "stopp": "stop",
    "stp": "stop",
    "unsub": "unsubscribe",
    "unsubscibe": "unsubscribe",
    "unsubcribe": "unsubscribe",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tmrow": "tomorrow",
    "tmw": "tomorrow",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "2mrw": "tomorrow",
    "2mro": "tomorrow",
    "tomoro": "tomorrow",
    "tomorow": "tomorrow",
    "tommorow": "tomorrow",
    "tommorrow": "tomorrow",
    "tomorrw": "tomorrow",
    "tomm": "tomorrow",
    "2day": "today",
    "2nite": "tonight",
    "tonite": "tonight",
    "tnite": "tonight",
    "pls": "please",
    "w": "with",
    "plz": "please",
    "plse": "please",
    "pleas": "please",
    "plez": "please",
    "u": "you",
    "ur": "your",
    "r": "are",
    "b4": "before",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "bcuz": "because",
    "im": "i'm",
    "ive": "i've",
    "cant": "can't",
    "cannt": "can't",
    "wont": "won't",
    "dont": "don't",
    "doesnt": "doesn't",
    "didnt": "didn't",
    "isnt": "isn't",
    "wasnt": "wasn't",
    "havent": "haven't",
    "hasnt": "hasn't",
    "couldnt": "couldn't",
    "shouldnt": "shouldn't",
    "wouldnt": "wouldn't",
    "aint": "ain't",
    "thats": "that's",
    "whats": "what's",
    "its": "it's",
    "youre": "you're",
    "theyre": "they're",
    "theres": "there's",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "got to",
    "thx": "thanks",
    "thnx": "thanks",
    "thanx": "thanks",
    "tks": "thanks",
    "tq": "thank you",
    "okey": "okay",
    "okie": "okay",
    "kk": "ok",
    "msg": "message",
    "msgs": "messages",
    "txt": "text",
    "txts": "texts",
    "pymt": "payment",
    "pmt": "payment",
    "paymnt": "payment",
    "paymt": "payment",
    "payed": "paid",
    "alredy": "already",
    "allready": "already",
    "alrdy": "already",
    "alr": "already",
    "aldy": "already",
    "nxt": "next",
    "wk": "week",
    "wks": "weeks",
    "mth": "month",
    "mnth": "month",
    "amt": "amount",
    "bal": "balance",
    "acct": "account",
    "fri": "friday",
    "thu": "thursday",
    "thur": "thursday",
    "thurs": "thursday",
    "tue": "tuesday",
    "tues": "tuesday",
    "weds": "wednesday",
    "eom": "end of the month",
    "eow": "end of the week",
    "when's": "when is",
    "where's": "where is",
    "how's": "how is",
    "who's": "who is",
}
_TYPO_RE: Final = lazy(
    r"(?<![a-z0-9'])(" + "|".join(sorted(map(re.escape, TYPOS), key=len, reverse=True)) + r")(?![a-z0-9'])"
)
# "ill" is a real word (sick) but before a verb it is "I'll" with the apostrophe lost.
_ILL_RE: Final = lazy(
    r"(?<![a-z'])ill(?= (?:pay|send|transfer|be|do|make|try|call|get|have|settle|clear|wire|deposit)\b)"
)
# "sooo", "pleeease", "stoppp": three or more of one letter are never English spelling. A word
# that is nothing but the run ("BBB", the Better Business Bureau) is an acronym and stays.
_REPEATS_RE: Final = lazy(r"(?<=[a-z])([a-z])\1{2,}|([a-z])\2{2,}(?=[a-z])")
_HAN: Final = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Latin words glued to Chinese ("friday还款", "tmr还钱") get a space so that English
# patterns can use \b (which treats Han characters as word characters).
_LATIN_HAN_RE: Final = lazy(rf"(?<=[a-z])(?=[{_HAN}])|(?<=[{_HAN}])(?=[a-z])")
_SPACES_RE: Final = lazy(r"\s+")
# A dropped g marked by an apostrophe ("cussin'", "fixin'", "callin'") is the -ing form.
_G_DROPPED_RE: Final = lazy(r"(?<=[a-z]{2}in)'(?![a-z])")


def normalize(text: str) -> str:
    """Return the canonical form of a reply (see module docstring). Never raises."""
    text = text[:MAX_CHARS]
    # NFKC folds full-width Latin, digits and punctuation ("ＳＴＯＰ", "２００", "，", "￥")
    # onto their ASCII forms, so one set of patterns serves both keyboards.
    text = unicodedata.normalize("NFKC", text)[:MAX_CHARS]
    text = _strip_symbols(text).translate(_QUOTES).lower()
    text = _G_DROPPED_RE.sub("g", text)
    # One set of Chinese patterns: Traditional characters and Cantonese words become Mandarin.
    text = to_simplified(text)
    text = _REPEATS_RE.sub(lambda m: m.group(1) or m.group(2), text)
    text = _LATIN_HAN_RE.sub(" ", text)
    text = _ILL_RE.sub("i'll", text)
    text = _TYPO_RE.sub(lambda m: TYPOS[m.group(1)], text)
    return _SPACES_RE.sub(" ", text).strip()


def _strip_symbols(text: str) -> str:
    """Drop emoji decoration, turn neutral emoji / control / unassigned chars into spaces."""
    out: list[str] = []
    for ch in text:
        if ch in ACK_EMOJI:
            out.append(f" {ch} ")
        elif ch in _EMOJI_DECORATION:
            continue
        else:
            category = unicodedata.category(ch)
            if category == "Cf":
                # Zero-width characters inside a word ("st\u200bop") must not split it.
                continue
            # So: pictographs and other symbols; C*: controls, surrogates, private use,
            # unassigned. None of them carries meaning for the rules, and surrogates
            # would otherwise break encoding further down.
            out.append(" " if category == "So" or category[0] == "C" else ch)
    return "".join(out)
