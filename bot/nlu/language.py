"""Layer 7: which language a reply is written in ("en", "zh" or "mixed")."""

from __future__ import annotations

from typing import Final

from .lazyre import lazy

_HAN_RE: Final = lazy(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD_RE: Final = lazy(r"[a-z]+")
# Currency codes and the "k" suffix ride along with numbers in Chinese replies
# ("还500rmb", "明天1.5k"); they are units, not English words.
_UNIT_WORDS: Final = frozenset({"k", "rmb", "usd", "cny", "yuan"})


def detect_language(normalized: str) -> str:
    """Classify the script of an already-normalised reply.

    Digits, punctuation and emoji are ignored. Text with no letters at all (numbers,
    emoji, empty) is reported as "en", the product's default language.
    """
    has_han = _HAN_RE.search(normalized) is not None
    has_latin = any(word not in _UNIT_WORDS for word in _LATIN_WORD_RE.findall(normalized))
    if has_han and has_latin:
        return "mixed"
    if has_han:
        return "zh"
    return "en"
