"""The unit every rule table is built from: one weighted pattern for one intent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .lazyre import LazyPattern, lazy

# Match strengths. They double as the confidence reported for an intent, so they are
# calibrated on purpose: an exact carrier keyword is as sure as we get, a strong
# phrase ("I lost my job") is nearly certain, a weak cue ("ok" inside a sentence) is
# only a hint.
EXACT: Final = 0.99
STRONG: Final = 0.9
MEDIUM: Final = 0.8
WEAK: Final = 0.6


@dataclass(frozen=True, slots=True)
class Cue:
    """A regex that, when it matches the normalised reply, is evidence for ``intent``."""

    intent: str
    weight: float
    lang: str  # "en" or "zh": the language a pattern was written for (polarity picks its tense rules by it)
    pattern: LazyPattern


def cues(intent: str, lang: str, *rows: tuple[float, str]) -> tuple[Cue, ...]:
    """Build a table of cues for one intent from (weight, regex) rows."""
    return tuple(Cue(intent, weight, lang, lazy(regex)) for weight, regex in rows)
