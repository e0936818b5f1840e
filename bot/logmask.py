"""Keeping personal data out of application logs: phone numbers and message text are masked.

The interaction log holds the full record; application logs only need enough to debug.
"""

from __future__ import annotations

import logging
import re

# E.164-looking numbers ("+86 138 0013 8000", "+14155550123") and bare runs of 10-15 digits.
# Times, dates and addresses ("11:49:36", "2026-11-28", "127.0.0.1") must not match.
_PHONE = re.compile(r"(?<![\w:.])\+\d[\d \-]{6,18}\d(?![\w:])|(?<![\w:.+-])\d{10,15}(?![\w:.])")


def mask_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if len(digits) < 6:
        return "***"
    return f"+{digits[:2]}…{digits[-2:]}"


def mask_text(text: str) -> str:
    """Length and script only: enough to tell messages apart, nothing of their content."""
    return f"<text {len(text)} chars>"


def mask_phones_in(message: str) -> str:
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), message)


class MaskingFilter(logging.Filter):
    """A last line of defence: masks anything that looks like a phone number in every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            rendered = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            return True
        masked = mask_phones_in(rendered)
        if masked != rendered:
            record.msg, record.args = masked, None
        return True
