"""Borrower-reply understanding (NLU) for duebot, English and Simplified Chinese.

    >>> import datetime as dt
    >>> from bot.nlu import classify
    >>> classify("明天还500", dt.date(2026, 12, 2)).as_json()["promise_date"]
    '2026-12-03'

Rule-based and standard-library only, by design: it starts in a few milliseconds,
explains itself (every decision is a named pattern in a table), and behaves the same
on every machine. Layers, one module each: normalize (with hant: Traditional characters
and written Cantonese read as Simplified Mandarin), keywords (carrier keywords and safety
intents), polarity (negation and tense), rules (intent tables and scoring), dates,
amounts, language; classifier wires them together.
"""

from __future__ import annotations

from .classification import Classification
from .classifier import classify
from .intents import INTENTS, PRECEDENCE

__all__ = ["INTENTS", "PRECEDENCE", "Classification", "classify"]
