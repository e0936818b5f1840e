"""The pipeline: normalise -> keywords -> polarity -> rules -> grievance net -> learned net -> dates, amounts."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Final

from . import amounts, dates, grievance, learned, polarity, rules
from .classification import Classification
from .codeswitch import chinese_view
from .cue import EXACT
from .intents import COMPLAINT, PROMISE
from .keywords import carrier_keyword
from .language import detect_language
from .lazyre import lazy
from .normalize import normalize

# Hedged promises ("maybe I can pay Friday", "I'll try to pay") are still promises by the
# README, but the follow-up logic should know they are soft.
_HEDGE: Final = lazy(
    r"\b(?:maybe|might|hope|hopefully|try|trying|perhaps|possibly|probably|if)\b|可能|也许|尽量|"
    r"争取|看看"
)
HEDGE_FACTOR: Final = 0.75


@functools.lru_cache(maxsize=4096)
def _reading(text: str, grievance_net: bool, learned_net: bool) -> tuple[str, str, str, float, tuple[str, ...]]:
    """What the reply says, whatever the date: its normalised text, language, intent, confidence
    and the other intents. Cached: a reply is read for urgency when it arrives and again when it
    is handled, and the rules cost milliseconds a reading."""
    normalized = normalize(text)
    language = detect_language(normalized)

    # A reply that *is* a carrier keyword is decided exactly; nothing else can be in it.
    keyword_intent = carrier_keyword(normalized)
    if keyword_intent is not None:
        return normalized, language, keyword_intent, EXACT, ()

    views = [normalized, chinese_view(normalized)] if language == "mixed" else [normalized]
    hits = []
    for view in views:
        found = polarity.analyse(view)
        hits += [
            *rules.matching(rules.ALL_TEXT_CUES, view),
            *found.hits,
            *rules.matching(rules.PROMISE_CUES, found.promise_view),
        ]
    # The safety net runs after the specific rules: a reply none of them read as a complaint
    # is one still when it aims dissatisfaction, outrage or accusation at the lender.
    if grievance_net and all(cue.intent != COMPLAINT for cue in hits):
        if any(grievance.finds_grievance(view) for view in views):
            hits.append(grievance.NET)
    # The learned net runs last, and only upgrades: a reply no rule read as a complaint is one
    # when the model trained on the labelled sets is confident it is.
    if learned_net and all(cue.intent != COMPLAINT for cue in hits) and learned.is_complaint(normalized):
        hits.append(learned.LEARNED)
    scores = rules.score(set(hits))
    intent, confidence = scores.primary()
    also = tuple(i for i in scores.fired() if i != intent)
    return normalized, language, intent, confidence, also


def classify(text: str, today: dt.date, *, grievance_net: bool = True, learned_net: bool = True) -> Classification:
    """Classify one borrower reply received on ``today`` (the borrower's local date).

    Pure and deterministic: no I/O, no clock, no global state, so it is safe to call
    from any task and trivially testable with any "today". ``grievance_net=False`` leaves
    out the grievance safety net (``grievance``), ``learned_net=False`` the learned complaint
    net (``learned``), so that the contribution of each can be measured.
    """
    normalized, language, intent, confidence, also = _reading(text, grievance_net, learned_net)
    promise_date = amount = None
    if intent == PROMISE:
        mentions = dates.find_dates(normalized, today)
        promise_date = dates.promise_date(mentions, normalized)
        amount = amounts.extract_amount(normalized, [(m.start, m.end) for m in mentions])
        if _HEDGE.search(normalized):
            confidence *= HEDGE_FACTOR
    return Classification(text, intent, confidence, promise_date, amount, language, also)
