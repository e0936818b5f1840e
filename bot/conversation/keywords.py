"""Twilio's own keywords: with Advanced Opt-Out on, Twilio answers these itself.

Twilio acts only when the whole message is one of these words (case and surrounding blanks
ignored); anything longer ("please stop") reaches us as free text and is ours to confirm.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

TWILIO_KEYWORDS: Final[Mapping[str, str]] = MappingProxyType(
    {
        **dict.fromkeys(("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"), "opt_out"),
        **dict.fromkeys(("START", "YES", "UNSTOP"), "opt_in"),
        **dict.fromkeys(("HELP", "INFO"), "help"),
    }
)
# Twilio's OptOutType parameter on an inbound webhook names the keyword class it acted on.
OPT_OUT_TYPES: Final[Mapping[str, str]] = MappingProxyType({"STOP": "opt_out", "START": "opt_in", "HELP": "help"})


def twilio_keyword(text: str) -> str | None:
    """The intent Twilio itself acts on for this exact text, or None."""
    return TWILIO_KEYWORDS.get(text.strip().upper())


def is_bare_yes(text: str) -> bool:
    """A bare YES re-subscribes a sender who is opted out (carriers do the same)."""
    return text.strip().strip(".!").upper() == "YES"
