"""The classifier's reading of a reply, adjusted by what we last asked the borrower.

``bot.nlu.classify`` has no context by design. Two things only the conversation knows:

- after "on what date will you pay?", a bare "Friday" or "the 20th" is the promised date;
- a promise that is not the primary intent ("I'll pay tomorrow but I want to complain") still
  carries a date and an amount, which the classifier fills only for a primary promise.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from bot.conversation.facts import Context
from bot.conversation.keywords import twilio_keyword
from bot.nlu import classify
from bot.nlu.intents import PROMISE

# When the borrower was asked for a date, these readings may just be the date on its own.
_DATE_ANSWER_INTENTS: Final = frozenset({"other", "acknowledge", PROMISE})


@dataclass(frozen=True, slots=True)
class Understanding:
    text: str
    intent: str
    also: tuple[str, ...]
    confidence: float
    language: str
    promise_date: date | None
    amount: Decimal | None
    classified_as: str  # the classifier's own primary intent, before context
    via_context: str | None = None  # "promise_date" when read as the answer to our question
    exact_keyword: str | None = None  # the whole text is one of Twilio's keywords

    def intents(self) -> tuple[str, ...]:
        """The primary intent then every other one the reply carries, each once."""
        return tuple(dict.fromkeys((self.intent, *self.also)))

    def as_record(self) -> dict[str, object]:
        return {
            "intent": self.intent,
            "classified_as": self.classified_as,
            "also": list(self.also),
            "confidence": round(self.confidence, 2),
            "language": self.language,
            "promise_date": self.promise_date.isoformat() if self.promise_date else None,
            "amount": f"{self.amount}" if self.amount is not None else None,
            "via_context": self.via_context,
        }


def promise_details(text: str, today: date) -> tuple[date | None, Decimal | None]:
    """The date and amount a promise names, by the classifier's own conventions."""
    from bot.nlu import amounts, dates
    from bot.nlu.normalize import normalize

    normalized = normalize(text)
    mentions = dates.find_dates(normalized, today)
    return dates.promise_date(mentions, normalized), amounts.extract_amount(
        normalized, [(m.start, m.end) for m in mentions]
    )


def understand(text: str, today: date, context: Context | None, now: datetime) -> Understanding:
    c = classify(text, today)
    found = Understanding(
        text=text,
        intent=c.intent,
        also=c.also,
        confidence=c.confidence,
        language=c.language,
        promise_date=c.promise_date,
        amount=c.amount,
        classified_as=c.intent,
        exact_keyword=twilio_keyword(text),
    )
    if found.intent != PROMISE and PROMISE in found.also:
        when, amount = promise_details(text, today)
        found = replace(found, promise_date=when, amount=amount)
    active = context if context is not None and context.active(now) else None
    if active is None or active.awaiting != "promise_date":
        return found
    if found.intent in _DATE_ANSWER_INTENTS and found.promise_date is None:
        when, amount = promise_details(text, today)
        if when is not None:
            return replace(
                found,
                intent=PROMISE,
                also=tuple(i for i in found.also if i != PROMISE),
                confidence=max(found.confidence, 0.9),
                promise_date=when,
                amount=amount if amount is not None else active.amount,
                via_context="promise_date",
            )
    if found.intent == PROMISE and found.amount is None and active.amount is not None:
        return replace(found, amount=active.amount, via_context="promise_date")
    return found
