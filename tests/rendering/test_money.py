"""Money and dates per locale: exact, never floats, short enough for SMS."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from scheduler.money import format_date, format_money


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("350.00", "USD", "en", "$350.00"),
        ("350", "USD", "en", "$350.00"),
        ("12345.67", "USD", "en", "$12,345.67"),
        ("1200.00", "CNY", "en", "CN¥1,200.00"),
        ("1200.00", "CNY", "zh", "¥1,200.00"),
        ("12345.67", "CNY", "zh", "¥12,345.67"),
        ("350.00", "USD", "zh", "US$350.00"),
        ("0", "USD", "en", "$0.00"),
        ("0.10", "USD", "en", "$0.10"),
        ("5000", "JPY", "en", "¥5,000"),
        ("5000.00", "JPY", "en", "¥5,000"),
        ("1234567.89", "USD", "en", "$1,234,567.89"),
    ],
)
def test_format_money(amount: str, currency: str, locale: str, expected: str) -> None:
    assert format_money(Decimal(amount), currency, locale) == expected


def test_money_is_exact() -> None:
    total = Decimal("0.10") + Decimal("0.20")
    assert format_money(total, "USD", "en") == "$0.30"


@pytest.mark.parametrize("amount", [350.0, 350])
def test_floats_and_ints_refused(amount: object) -> None:
    with pytest.raises(TypeError):
        format_money(amount, "USD", "en")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "match"),
    [
        (Decimal("1.005"), "USD", "en", "more than 2 decimals"),
        (Decimal("5000.5"), "JPY", "en", "more than 0 decimals"),
        (Decimal("NaN"), "USD", "en", "finite"),
        (Decimal("Infinity"), "USD", "en", "finite"),
        (Decimal("1.00"), "XYZ", "en", "currency"),
        (Decimal("1.00"), "USD", "fr", "locale"),
    ],
)
def test_bad_money(amount: Decimal, currency: str, locale: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        format_money(amount, currency, locale)


@pytest.mark.parametrize(
    ("d", "locale", "expected"),
    [
        (date(2026, 12, 1), "en", "Tue, 1 Dec 2026"),
        (date(2026, 12, 31), "en", "Thu, 31 Dec 2026"),
        (date(2027, 1, 4), "en", "Mon, 4 Jan 2027"),
        (date(2026, 12, 1), "zh", "2026年12月1日"),
        (date(2027, 1, 4), "zh", "2027年1月4日"),
    ],
)
def test_format_date(d: date, locale: str, expected: str) -> None:
    assert format_date(d, locale) == expected


def test_format_date_refuses_datetime_and_unknown_locale() -> None:
    with pytest.raises(TypeError):
        format_date(datetime(2026, 12, 1, 23, 0), "en")
    with pytest.raises(ValueError, match="locale"):
        format_date(date(2026, 12, 1), "de")
