"""Money and dates as borrowers read them, per duebot locale (``en``, ``zh``).

Amounts are ``Decimal`` end to end: a float would quote 0.1 + 0.2 to a borrower. An amount
with more decimals than its currency has is refused rather than rounded, because a reminder
must quote exactly what is owed. Date formats are fixed patterns rather than CLDR's "medium"
style so their length is predictable in SMS.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.numbers import format_currency, get_currency_precision, is_currency

# duebot locale -> the CLDR locale that decides symbols and separators.
# en_US writes "$350.00" and "CN¥1,200.00"; zh_CN writes "¥1,200.00" and "US$350.00".
BABEL_LOCALES: Mapping[str, str] = MappingProxyType({"en": "en_US", "zh": "zh_CN"})

# "Tue, 1 Dec 2026" / "2026年12月1日": short, unambiguous (no 12/1 vs 1/12), GSM-7 safe in English.
DATE_PATTERNS: Mapping[str, str] = MappingProxyType({"en": "EEE, d MMM y", "zh": "y年M月d日"})


@lru_cache(maxsize=16)
def babel_locale(locale: str) -> Locale:
    try:
        return Locale.parse(BABEL_LOCALES[locale])
    except KeyError:
        allowed = ", ".join(BABEL_LOCALES)
        raise ValueError(f"unknown locale {locale!r}; allowed: {allowed}") from None


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    if not isinstance(amount, Decimal):  # floats and ints slip past type hints at run time
        raise TypeError(f"amount must be a Decimal, got {type(amount).__name__}")
    if not amount.is_finite():
        raise ValueError(f"amount must be finite, got {amount}")
    return _format_money(amount, currency, locale)


# Installment amounts and totals repeat across a book; the same amount always reads the same.
@lru_cache(maxsize=4096)
def _format_money(amount: Decimal, currency: str, locale: str) -> str:
    if not _known_currency(currency):
        raise ValueError(f"unknown currency code {currency!r}")
    digits = get_currency_precision(currency)
    if amount != amount.quantize(Decimal(1).scaleb(-digits)):
        raise ValueError(f"amount {amount} has more than {digits} decimals, which {currency} does not allow")
    return format_currency(amount, currency, locale=babel_locale(locale), currency_digits=True)


@lru_cache(maxsize=256)
def _known_currency(code: str) -> bool:
    return is_currency(code)


# A batch of reminders quotes the same few due dates over and over.
@lru_cache(maxsize=1024)
def format_date(d: date, locale: str) -> str:
    # A datetime is refused: its calendar date depends on the time zone, and the caller must
    # decide that (due dates are dates in the borrower's zone), not this formatter.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a date, got {type(d).__name__}")
    cldr = babel_locale(locale)  # validates the locale before the pattern lookup
    return _babel_format_date(d, DATE_PATTERNS[locale], locale=cldr)
