"""Which stored replies jump the queue: those that ask us to stop.

An opt-out must take effect at once, whatever else is waiting, so the inbox takes its sender
before every other. Reading the text costs well under a millisecond; the full understanding
happens again, in order, when the message is handled.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from bot.conversation.keywords import OPT_OUT_TYPES, twilio_keyword
from bot.nlu import classify

STOPPING: Final = frozenset({"opt_out"})
# Longer than any reply a person writes: the classifier's cost stays small for whatever arrives.
READ_AT_MOST: Final = 1600


def asks_to_stop(text: str, provider_keyword: str | None = None) -> bool:
    """True when the reply asks to stop messages, alone or with something else ("stop, I'm
    reporting you"), or the provider says it acted on an opt-out keyword."""
    if provider_keyword == "opt_out" or twilio_keyword(text) == "opt_out":
        return True
    if not text.strip():
        return False
    reading = classify(text[:READ_AT_MOST], dt.date(2000, 1, 1))  # dates play no part here
    return reading.intent in STOPPING or any(intent in STOPPING for intent in reading.also)


def is_urgent(message: Any) -> bool:
    """A stored inbound ``Message`` that asks to stop (Twilio's ``OptOutType`` counts too)."""
    payload = message.payload if isinstance(message.payload, dict) else {}
    raw_form = payload.get("form")
    form: dict[str, Any] = raw_form if isinstance(raw_form, dict) else {}
    keyword = OPT_OUT_TYPES.get(str(form.get("OptOutType", "")).upper())
    return asks_to_stop(message.body or "", keyword)
