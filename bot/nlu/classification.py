"""The result object handed to the rest of duebot."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Classification:
    """What one borrower reply means.

    ``promise_date`` and ``amount`` are only ever set when ``intent`` is
    ``promise_to_pay`` (README contract); ``also`` holds the other intents the reply
    carries, in precedence order, without the primary one.
    """

    text: str
    intent: str
    confidence: float
    promise_date: dt.date | None
    amount: Decimal | None
    language: str
    also: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        """A JSON-ready dict with exactly the documented keys and value shapes."""
        return {
            "text": self.text,
            "intent": self.intent,
            "confidence": round(self.confidence, 2),
            "promise_date": self.promise_date.isoformat() if self.promise_date else None,
            "amount": _json_number(self.amount),
            "language": self.language,
            "also": list(self.also),
        }


def _json_number(amount: Decimal | None) -> int | float | None:
    # Whole amounts stay ints (200, not 200.0) so consumers comparing with integers from
    # other systems see equal values; fractional ones become floats (1200.5).
    if amount is None:
        return None
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)
