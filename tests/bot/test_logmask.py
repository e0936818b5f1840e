from __future__ import annotations

import logging

import pytest

from bot.logmask import MaskingFilter, mask_phone, mask_phones_in


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("sent to +8613800138000", "8613800138000"),
        ("sent to +1 415 555 0123 ok", "415 555 0123"),
        ("chat 987654321012 linked", "987654321012"),
    ],
)
def test_phone_numbers_are_masked(text: str, hidden: str) -> None:
    masked = mask_phones_in(text)
    assert hidden not in masked
    assert "…" in masked


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-28 11:49:36,692 INFO",
        "GET /healthz from 127.0.0.1",
        "next run at 2026-11-28T11:50:36+00:00",
        "id 12345",
    ],
)
def test_times_dates_and_addresses_are_left_alone(text: str) -> None:
    assert mask_phones_in(text) == text


def test_filter_masks_formatted_records() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "to %s", ("+447400123456",), None)
    assert MaskingFilter().filter(record) is True
    assert "447400123456" not in record.getMessage()
    assert mask_phone("+447400123456").endswith("56")
