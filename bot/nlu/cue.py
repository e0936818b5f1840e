"""The unit every rule table is built from: one weighted pattern for one intent."""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    """A regex that, when it matches the normalised reply, is evidence for ``intent``.

    ``unless`` names the context that takes the evidence back: when it occurs anywhere in
    the reply the cue does not count ("reported it to the police" is no complaint in a
    reply about identity theft; "thanks for the extension" asks for none).
    """

    intent: str
    weight: float
    lang: str  # "en" or "zh": the language a pattern was written for (polarity picks its tense rules by it)
    pattern: LazyPattern
    unless: LazyPattern | None = None

    def fires(self, text: str) -> bool:
        """Whether the cue counts as evidence in ``text``."""
        return self.pattern.search(text) is not None and (self.unless is None or self.unless.search(text) is None)


def cues(intent: str, lang: str, *rows: tuple[float, str]) -> tuple[Cue, ...]:
    """Build a table of cues for one intent from (weight, regex) rows."""
    return tuple(Cue(intent, weight, lang, lazy(regex)) for weight, regex in rows)


def unless(context: str, table: tuple[Cue, ...]) -> tuple[Cue, ...]:
    """The cues of ``table``, each taken back in a reply where ``context`` (a regex) occurs."""
    guard = lazy(context)
    return tuple(replace(cue, unless=guard) for cue in table)
