"""Reading and validating the loan book and payments (CSV files or API rows). Pure: no database.

Every problem is reported as (line or row, field, message); a file with any problem is
refused whole by the importer, so nothing is half-imported.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Final, Generic, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

T = TypeVar("T")

LOAN_COLUMNS = (
    "borrower_id",
    "full_name",
    "phone",
    "telegram_chat_id",
    "locale",
    "timezone",
    "preferred_channel",
    "loan_id",
    "product",
    "currency",
    "installment_no",
    "due_date",
    "amount_due",
)
OPTIONAL_LOAN_COLUMNS = frozenset({"telegram_chat_id"})
PAYMENT_COLUMNS = ("payment_id", "loan_id", "amount", "paid_at")
LOCALES = ("en", "zh")
CHANNELS = ("sms", "telegram")

# The patterns of the single-field checks below, public: the API's OpenAPI document is written
# from them (``bot.api.fields``), so what it promises and what the checks take cannot drift apart.
DATE_PATTERN: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
AMOUNT_PATTERN: Final = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"
MAX_AMOUNT: Final = Decimal("999999999999.99")
ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$"
CURRENCY_PATTERN: Final = r"^[A-Z]{3}$"
POSITIVE_INT_PATTERN: Final = r"^[0-9]{1,9}$"
MAX_POSITIVE_INT: Final = 999_999_999
CHAT_ID_PATTERN: Final = r"^-?[0-9]{1,40}$"  # then range-checked: a chat id column is 64-bit
FULL_NAME_LIMIT: Final = 200
PRODUCT_LIMIT: Final = 64
_DATE = re.compile(DATE_PATTERN)
_AMOUNT = re.compile(AMOUNT_PATTERN)
_ID = re.compile(ID_PATTERN)
_CURRENCY = re.compile(CURRENCY_PATTERN)
_INT = re.compile(CHAT_ID_PATTERN)
_POSITIVE_INT = re.compile(POSITIVE_INT_PATTERN)
_OFFSET = re.compile(r"(Z|[+-][0-9]{2}:?[0-9]{2})$")
_CONTROL = re.compile("[\x00-\x1f]")


@dataclass(frozen=True, slots=True)
class RowError:
    """``where`` is the physical line of a CSV record (header = 1) or the 0-based row of an API body."""

    where: int
    field: str
    message: str

    def as_line(self) -> str:
        return f"line {self.where}: {self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class LoanRow:
    where: int
    borrower_id: str
    full_name: str
    phone: str  # E.164
    telegram_chat_id: int | None
    locale: str
    timezone: str
    preferred_channel: str
    loan_id: str
    product: str
    currency: str
    installment_no: int
    due_date: date
    amount_due: Decimal

    def borrower_fields(self) -> tuple[object, ...]:
        return (
            self.full_name,
            self.phone,
            self.telegram_chat_id,
            self.locale,
            self.timezone,
            self.preferred_channel,
        )

    def loan_fields(self) -> tuple[object, ...]:
        return (self.borrower_id, self.product, self.currency)


@dataclass(frozen=True, slots=True)
class PaymentRow:
    where: int
    payment_id: str
    loan_id: str
    amount: Decimal
    paid_at: datetime


class RowsRefused(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


# --- single-field checks: each returns the clean value or raises ValueError(message) ---


@cache
def _zone_countries() -> dict[str, str]:
    """IANA zone → ISO country, from zone.tab (the tzdata package, else the system's copy)."""
    text = None
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    except (ModuleNotFoundError, FileNotFoundError):
        system = Path("/usr/share/zoneinfo/zone.tab")
        text = system.read_text() if system.exists() else ""
    mapping: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            mapping[parts[2]] = parts[0]
    return mapping


def country_for_zone(zone: str) -> str | None:
    return _zone_countries().get(zone)


@lru_cache(maxsize=1024)
def check_timezone(value: str) -> str:
    if not value:
        raise ValueError("required (an IANA time zone such as Asia/Shanghai)")
    if "/" not in value and value not in ("UTC", "Etc/UTC"):
        # ZoneInfo accepts legacy abbreviations like "EST"; borrowers need a real region.
        raise ValueError(f"{value!r} is not an IANA time zone (use e.g. America/New_York)")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError):
        raise ValueError(f"unknown IANA time zone {value!r}") from None
    return value


def check_phone(value: str, zone: str | None) -> str:
    """The number in E.164; a national number is read in the country of ``zone``."""
    return _check_phone(value, country_for_zone(zone) if zone else None)


@lru_cache(maxsize=4096)
def _check_phone(value: str, region: str | None) -> str:
    if not value:
        raise ValueError("required (E.164, e.g. +14155550123)")
    if value.startswith("+") and (fast := _valid_e164(value)) is not None:
        return fast
    import phonenumbers

    if not value.startswith("+") and region is None:
        raise ValueError(f"{value!r} is not in E.164 form and the time zone gives no country to read it in")
    try:
        number = phonenumbers.parse(value, None if value.startswith("+") else region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{value!r} is not a phone number ({exc._msg})") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"{value!r} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_E164 = re.compile(r"\+[1-9][0-9]{2,16}")


def _valid_e164(value: str) -> str | None:
    """``value`` itself when it is a valid number already written in E.164, decided without
    ``phonenumbers.parse`` and its per-type checks (most of a check's cost); None when the full
    check must decide.

    For a plus and ASCII digits, parse takes the country calling code as the shortest known prefix
    and keeps the rest unless it starts with a zero (Italian leading zeros) or with the region's
    national prefix (which it may strip): such numbers go to the full parse, every other one is
    what parse would make of it. Validity is then ``phonenumbers.is_valid_number``'s rule on the
    metadata (``_NumberRules``), so the answer and the E.164 form are the same."""
    if not _E164.fullmatch(value):
        return None
    codes = _calling_codes()
    for size in (1, 2, 3):
        written = value[1 : 1 + size]
        if written in codes:  # the first (shortest) known code is the one parse takes
            rules = _rules_for(codes[written])
            national = value[1 + size :]
            if rules is None or len(national) < 2 or national[0] == "0" or rules.strips_prefix(national):
                return None
            return value if rules.valid(national) else None
    return None


_NUMBER_TYPES = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
    "fixed_line", "mobile",
)  # fmt: skip


class _RegionRules:
    """``phonenumbers``' validity test of a national number in one region: the general pattern,
    then any number type (``_number_type_helper`` is not UNKNOWN); each pattern applies only to
    the lengths it lists. The type patterns for each length are joined into one expression."""

    def __init__(self, metadata: Any) -> None:
        self.leading = re.compile(metadata.leading_digits) if metadata.leading_digits else None
        self.general = self._desc(metadata.general_desc)
        self.types = [d for d in (self._desc(getattr(metadata, name)) for name in _NUMBER_TYPES) if d is not None]
        self._by_length: dict[int, re.Pattern[str] | None] = {}

    @staticmethod
    def _desc(desc: Any) -> tuple[frozenset[int], re.Pattern[str]] | None:
        pattern = desc.national_number_pattern if desc is not None else None
        if not pattern:
            return None
        return frozenset(desc.possible_length), re.compile(pattern)

    def valid(self, national: str) -> bool:
        size = len(national)
        general = self.general
        if general is None or (general[0] and size not in general[0]) or not general[1].fullmatch(national):
            return False
        if size not in self._by_length:
            patterns = [p.pattern for lengths, p in self.types if not lengths or size in lengths]
            self._by_length[size] = re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None
        joined = self._by_length[size]
        return joined is not None and joined.fullmatch(national) is not None


class _NumberRules:
    """``phonenumbers.is_valid_number`` for one country calling code: the region is the only one,
    or the first of its regions whose leading digits match or that finds the number valid; then
    the number must be valid there."""

    def __init__(self, code: int, regions: tuple[str, ...]) -> None:
        from phonenumbers import PhoneMetadata

        self.regions: list[_RegionRules | None] = []
        for region in regions:
            if len(regions) == 1:
                metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, region)
            else:
                metadata = PhoneMetadata.metadata_for_region(region.upper(), None)
            self.regions.append(_RegionRules(metadata) if metadata is not None else None)
        main = PhoneMetadata.metadata_for_region_or_calling_code(code, regions[0])
        prefix = main.national_prefix_for_parsing if main is not None else None
        self.prefix = re.compile(prefix) if prefix else None

    def strips_prefix(self, national: str) -> bool:
        return self.prefix is not None and self.prefix.match(national) is not None

    def valid(self, national: str) -> bool:
        if len(self.regions) == 1:
            only = self.regions[0]
            return only is not None and only.valid(national)
        for rules in self.regions:
            if rules is None:
                continue
            if rules.leading is not None:
                if rules.leading.match(national):
                    return rules.valid(national)
            elif rules.valid(national):
                return True
        return False


@cache
def _calling_codes() -> dict[str, int]:
    """Country calling codes as written."""
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

    return {str(code): code for code in COUNTRY_CODE_TO_REGION_CODE}


@cache
def _rules_for(code: int) -> _NumberRules | None:
    """A calling code's rules (its regions' metadata loaded on first use); None for a code the
    full check must handle."""
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata, region_code_for_country_code

    regions = tuple(COUNTRY_CODE_TO_REGION_CODE.get(code, ()))
    main = PhoneMetadata.metadata_for_region_or_calling_code(code, region_code_for_country_code(code))
    return _NumberRules(code, regions) if main is not None and regions else None


def check_id(value: str) -> str:
    if not value:
        raise ValueError("required")
    if not _ID.match(value):
        raise ValueError(f"{value!r}: use up to 64 letters, digits and . _ : / -")
    return value


def check_text(value: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise ValueError("required")
    if len(value) > limit:
        raise ValueError(f"longer than {limit} characters")
    if _CONTROL.search(value):
        raise ValueError("contains control characters")
    return value


def check_choice(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of: {', '.join(allowed)}")
    return value


def check_date(value: str) -> date:
    if not _DATE.match(value):
        raise ValueError(f"{value!r} is not a date in YYYY-MM-DD form")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a calendar date") from None


def check_amount(value: str, *, allow_zero: bool = False) -> Decimal:
    if not _AMOUNT.match(value):
        raise ValueError(f"{value!r} is not an amount like 1200.00 (digits, at most two decimals)")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount") from None
    if amount <= 0 and not (allow_zero and amount == 0):
        raise ValueError("must be greater than zero")
    return amount.quantize(Decimal("0.01"))


def check_positive_int(value: str) -> int:
    if not _POSITIVE_INT.fullmatch(value) or int(value) < 1:
        raise ValueError(f"{value!r} is not a whole number from 1")
    return int(value)


def check_chat_id(value: str) -> int | None:
    if value == "":
        return None
    if not _INT.fullmatch(value):
        raise ValueError(f"{value!r} is not a Telegram chat id (a whole number)")
    number = int(value)
    if not -(2**63) <= number < 2**63:  # the column is a signed 64-bit integer
        raise ValueError(f"{value!r} is out of range for a Telegram chat id")
    return number


@cache
def _known_currencies() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def check_currency(value: str) -> str:
    if not _CURRENCY.match(value) or value not in _known_currencies():
        raise ValueError(f"{value!r} is not an ISO 4217 currency code (e.g. USD, CNY)")
    return value


@cache
def currencies() -> tuple[str, ...]:
    """Every code ``check_currency`` takes, sorted."""
    return tuple(sorted(c for c in _known_currencies() if _CURRENCY.match(c)))


@cache
def timezones() -> tuple[str, ...]:
    """Every installed IANA zone ``check_timezone`` takes, sorted."""
    from zoneinfo import available_timezones

    found = []
    for zone in available_timezones():
        try:
            found.append(check_timezone(zone))
        except ValueError:
            continue
    return tuple(sorted(found))


def check_instant(value: str) -> datetime:
    if not value:
        raise ValueError("required (ISO-8601 with offset, e.g. 2026-12-01T10:00:00+08:00)")
    if not _OFFSET.search(value):
        raise ValueError(f"{value!r} has no UTC offset (add Z or +HH:MM)")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO-8601 time") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset")
    return parsed


# --- rows ---


def _cell(raw: Mapping[str, object], name: str) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value).strip()


def _could_be_national(phone: str) -> bool:
    """Digits and the usual separators, enough of them: a number waiting for its country."""
    return sum(ch.isdigit() for ch in phone) >= 6 and all(ch.isdigit() or ch in " ()-./" for ch in phone)


def validate_loan_row(raw: Mapping[str, object], where: int) -> tuple[LoanRow | None, list[RowError]]:
    row, errors, _clean = _validate_loan_row(raw, where)
    return row, errors


def _validate_loan_row(
    raw: Mapping[str, object], where: int
) -> tuple[LoanRow | None, list[RowError], dict[str, object]]:
    """The row, its errors, and the fields that passed (for the cross-row rules of a bad row too)."""
    errors: list[RowError] = []
    clean: dict[str, object] = {}

    def take(name: str, check: object, *args: object) -> None:
        try:
            clean[name] = check(_cell(raw, name), *args)  # type: ignore[operator]
        except ValueError as exc:
            errors.append(RowError(where, name, str(exc)))

    take("borrower_id", check_id)
    take("full_name", check_text, FULL_NAME_LIMIT)
    take("timezone", check_timezone)
    zone = clean.get("timezone")
    phone = _cell(raw, "phone")
    if isinstance(zone, str) or phone.startswith("+") or not _could_be_national(phone):
        take("phone", check_phone, zone if isinstance(zone, str) else None)
    # else: a national number is read in the zone's country; the zone's own error says why it is not.
    take("telegram_chat_id", check_chat_id)
    take("locale", check_choice, LOCALES)
    take("preferred_channel", check_choice, CHANNELS)
    take("loan_id", check_id)
    take("product", check_text, PRODUCT_LIMIT)
    take("currency", check_currency)
    take("installment_no", check_positive_int)
    take("due_date", check_date)
    take("amount_due", check_amount)
    if errors:
        return None, errors, clean
    return LoanRow(where=where, **clean), [], clean  # type: ignore[arg-type]


def validate_payment_row(raw: Mapping[str, object], where: int) -> tuple[PaymentRow | None, list[RowError]]:
    errors: list[RowError] = []
    clean: dict[str, object] = {}
    for name, check in (
        ("payment_id", check_id),
        ("loan_id", check_id),
        ("amount", check_amount),
        ("paid_at", check_instant),
    ):
        try:
            clean[name] = check(_cell(raw, name))
        except ValueError as exc:
            errors.append(RowError(where, name, str(exc)))
    if errors:
        return None, errors
    return PaymentRow(where=where, **clean), []  # type: ignore[arg-type]


_BORROWER_DESCRIPTION: Final = ("full_name", "phone", "telegram_chat_id", "locale", "timezone", "preferred_channel")
_LOAN_DESCRIPTION: Final = ("borrower_id", "product", "currency")


class _Missing:
    """A field a row does not give (its check failed): it takes no part in a description."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Final = _Missing()


class _Bad:
    """A failed check, as a column cache keeps it."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


_CACHE_LIMIT = 50_000  # distinct raw values a column cache keeps before it starts afresh


def _checked(check: Callable[..., object], value: str, *args: object) -> object:
    try:
        return check(value, *args)
    except ValueError as exc:
        return _Bad(str(exc))


class _Column:
    """A column's checks by raw cell, remembered: most columns of a loan book hold few distinct
    values (zones, currencies, dates, amounts), so each is checked once."""

    __slots__ = ("args", "check", "results")

    def __init__(self, check: Callable[..., object], *args: object) -> None:
        self.check = check
        self.args = args
        self.results: dict[str, object] = {}

    def __call__(self, raw: str) -> object:
        """The clean value, or a _Bad."""
        found = self.results.get(raw, MISSING)
        if found is MISSING:
            if len(self.results) >= _CACHE_LIMIT:
                self.results.clear()
            found = self.results[raw] = _checked(self.check, raw.strip(), *self.args)
        return found

    def good(self, raw: str) -> Any:
        """The clean value; ValueError when the check fails."""
        found = self.results.get(raw, MISSING)
        if found is MISSING:
            found = self(raw)
        if isinstance(found, _Bad):
            raise ValueError(found.message)
        return found


def _ordinal(value: str) -> int:
    return check_date(value).toordinal()


def _cents(value: str) -> int:
    return int(check_amount(value).scaleb(2))


def amount_of(cents: int) -> Decimal:
    """The amount a number of cents stands for, as ``check_amount`` gives it (two places)."""
    return Decimal(cents).scaleb(-2)


@dataclass(slots=True)
class LoanBook:
    """Checked loan-book rows, held compactly for the import: each borrower and each loan once, by
    index in order of first appearance, with its description; each installment row as four numbers
    (loan index, installment number, due date as a proleptic ordinal, amount in cents), in file
    order. A million installments of 200,000 loans take some tens of megabytes."""

    borrower_index: dict[str, int] = field(default_factory=dict)
    borrower_ids: list[str] = field(default_factory=list)
    # In _BORROWER_DESCRIPTION order; MISSING for a field no row gave (never so in a clean book).
    borrowers: list[tuple[object, ...]] = field(default_factory=list)
    loan_index: dict[str, int] = field(default_factory=dict)
    loan_ids: list[str] = field(default_factory=list)
    loans: list[tuple[object, ...]] = field(default_factory=list)  # _LOAN_DESCRIPTION order
    # Where each loan's first row without any problem is (-1: none): a conflict with the database
    # (the loan belongs to another borrower) is reported there.
    loan_line: array[int] = field(default_factory=lambda: array("q"))
    inst_loan: array[int] = field(default_factory=lambda: array("i"))
    inst_no: array[int] = field(default_factory=lambda: array("i"))
    inst_due: array[int] = field(default_factory=lambda: array("i"))
    inst_cents: array[int] = field(default_factory=lambda: array("q"))

    def __len__(self) -> int:
        return len(self.inst_loan)

    def borrower(self, borrower_id: str) -> int:
        index = self.borrower_index.get(borrower_id)
        if index is None:
            index = self.borrower_index[borrower_id] = len(self.borrower_ids)
            self.borrower_ids.append(borrower_id)
            self.borrowers.append(())
        return index

    def loan(self, loan_id: str) -> int:
        index = self.loan_index.get(loan_id)
        if index is None:
            index = self.loan_index[loan_id] = len(self.loan_ids)
            self.loan_ids.append(loan_id)
            self.loans.append(())
            self.loan_line.append(-1)
        return index

    def add_installment(self, loan: int, number: int, due: int, cents: int) -> None:
        self.inst_loan.append(loan)
        self.inst_no.append(number)
        self.inst_due.append(due)
        self.inst_cents.append(cents)

    @classmethod
    def of_rows(cls, rows: Iterable[LoanRow]) -> LoanBook:
        """Rows already checked (the API's, the demo's): each borrower and loan as its first row
        describes it."""
        book = cls()
        for row in rows:
            b = book.borrower(row.borrower_id)
            if not book.borrowers[b]:
                book.borrowers[b] = row.borrower_fields()
            loan = book.loan(row.loan_id)
            if not book.loans[loan]:
                book.loans[loan] = row.loan_fields()
                book.loan_line[loan] = row.where
            book.add_installment(loan, row.installment_no, row.due_date.toordinal(), int(row.amount_due.scaleb(2)))
        return book


def _describe(
    known: list[tuple[object, ...]],
    lines: array[int],
    field_lines: dict[int, tuple[int, ...]],
    index: int,
    values: tuple[object, ...],
    where: int,
) -> int | None:
    """The one-description rule for a borrower or loan: a field first given at one line must read
    the same on every later line. Returns where the first differing field was first given.
    ``lines`` holds where each description was first given; ``field_lines`` the line of each field
    for the few whose fields were first given on different lines."""
    before = known[index]
    if not before:
        known[index] = values
        lines[index] = where
        return None
    if before == values:
        return None
    at: tuple[int, ...] = field_lines.get(index) or (lines[index],) * len(values)
    differs: int | None = None
    filled: list[object] | None = None
    filled_lines: list[int] = []
    for i, value in enumerate(values):
        if value is MISSING:
            continue
        old = before[i]
        if old is MISSING:
            if filled is None:
                filled, filled_lines = list(before), list(at)
            filled[i] = value
            filled_lines[i] = where
        elif old != value and differs is None:
            differs = at[i]
    if filled is not None:
        known[index] = tuple(filled)
        field_lines[index] = tuple(filled_lines)
    return differs


class LoanBookReader:
    """Checks loan-book records one at a time, as they are read: each field (with per-column caches),
    then the cross-row rules — one installment per (loan, number), one description per borrower and
    per loan; a row with a bad field still takes part in those with its valid fields. Rows without a
    problem go into ``book``; with ``keep_rows``, every row whose fields are good goes into ``rows``
    as a LoanRow (as ``parse_loans_csv`` gives them).

    Three paths give the same answers: a record that repeats the previous good record's borrower and
    loan cells (a book sorted by loan) is checked only for its installment cells; any other record
    is first checked on the assumption that all is well; a record with a problem is checked field by
    field for the messages.

    What is kept to find an installment given twice: per loan, while its rows come one line after
    another with numbers one after another (as books are written), only where the run starts and
    how long it is; the (loan, number) of other loans in a dictionary."""

    def __init__(self, unit: str = "line", *, keep_rows: bool = False) -> None:
        self.unit = unit
        self.errors: list[RowError] = []
        self.rows: list[LoanRow] | None = [] if keep_rows else None
        self.book = LoanBook()
        self.records = 0
        self._borrower_lines: array[int] = array("q")
        self._borrower_field_lines: dict[int, tuple[int, ...]] = {}
        self._loan_lines: array[int] = array("q")
        self._loan_field_lines: dict[int, tuple[int, ...]] = {}
        # Per loan: the line and number of its first installment row, and how many rows follow it
        # line by line, number by number (0: none yet; -1: the loan's rows are in _seen instead).
        self._run_line: array[int] = array("q")
        self._run_number: array[int] = array("q")
        self._run_length: array[int] = array("q")
        self._seen: dict[int, int] = {}  # loan index << 30 | installment number -> first line
        self._zone = _Column(check_timezone)
        self._chat = _Column(check_chat_id)
        self._locale = _Column(check_choice, LOCALES)
        self._channel = _Column(check_choice, CHANNELS)
        self._product = _Column(check_text, PRODUCT_LIMIT)
        self._currency = _Column(check_currency)
        self._number = _Column(check_positive_int)
        self._due = _Column(_ordinal)
        self._amount = _Column(_cents)
        self._phones: dict[tuple[str, str | None], object] = {}
        # The last good record's borrower and loan cells, and their indexes.
        self._last_borrower: list[str] | None = None
        self._last_loan: list[str] | None = None
        self._last = (0, 0)

    def consume(self, records: Iterable[tuple[int, list[str]]], every: int) -> Iterator[int]:
        """Check ``records`` (line, cells in LOAN_COLUMNS order), yielding the line reached every
        ``every`` records (to show progress, or let other work go on)."""
        numbers, dues, amounts = self._number.results, self._due.results, self._amount.results
        run_line, run_number, run_length = self._run_line, self._run_number, self._run_length
        book = self.book
        inst_loan, inst_no, inst_due, inst_cents = book.inst_loan, book.inst_no, book.inst_due, book.inst_cents
        count = 0
        for where, cells in records:
            count += 1
            if count == every:
                count = 0
                self.records += every
                yield where
            # A book sorted by loan: the record repeats the last good one's borrower and loan, and
            # carries on its loan's run of installments.
            if self.rows is None and cells[0:7] == self._last_borrower and cells[7:10] == self._last_loan:
                number = numbers.get(cells[10])
                due = dues.get(cells[11])
                cents = amounts.get(cells[12])
                if type(number) is int and type(due) is int and type(cents) is int:
                    loan = self._last[1]
                    length = run_length[loan]
                    if length > 0 and where == run_line[loan] + length and number == run_number[loan] + length:
                        run_length[loan] = length + 1
                        inst_loan.append(loan)
                        inst_no.append(number)
                        inst_due.append(due)
                        inst_cents.append(cents)
                        continue
            self._add(where, cells)
        self.records += count

    def add(self, where: int, cells: list[str]) -> None:
        """One record: its cells in LOAN_COLUMNS order (unstripped)."""
        self.records += 1
        self._add(where, cells)

    def _add(self, where: int, cells: list[str]) -> None:
        try:
            zone = self._zone.good(cells[5])
            fields = (
                check_id(cells[0].strip()),
                check_text(cells[1], 200),
                self._good_phone(cells[2].strip(), zone),
                self._chat.good(cells[3]),
                self._locale.good(cells[4]),
                zone,
                self._channel.good(cells[6]),
                check_id(cells[7].strip()),
                self._product.good(cells[8]),
                self._currency.good(cells[9]),
                self._number.good(cells[10]),
                self._due.good(cells[11]),
                self._amount.good(cells[12]),
            )
        except ValueError:
            self._add_with_problems(where, cells)
            return
        if self.rows is not None:
            self.rows.append(_loan_row(where, fields))
        self._cross_row(where, cells, fields, [])

    def _good_phone(self, raw: str, zone: str) -> str:
        found = self._phone(raw, zone)
        if isinstance(found, _Bad):
            raise ValueError(found.message)
        return found  # type: ignore[return-value]

    def _phone(self, raw: str, zone: str | None) -> object:
        region = country_for_zone(zone) if zone and not raw.startswith("+") else None
        key = (raw, region)
        found = self._phones.get(key, MISSING)
        if found is MISSING:
            if len(self._phones) >= _CACHE_LIMIT:
                self._phones.clear()
            found = self._phones[key] = _checked(_check_phone, raw, region)
        return found

    def _add_with_problems(self, where: int, cells: list[str]) -> None:
        """Field by field, in the order the errors are reported; fields that fail are MISSING."""
        errors: list[RowError] = []
        zone = self._zone(cells[5])
        phone_raw = cells[2].strip()
        phone: object = MISSING
        if isinstance(zone, str) or phone_raw.startswith("+") or not _could_be_national(phone_raw):
            phone = self._phone(phone_raw, zone if isinstance(zone, str) else None)
        # else: a national number is read in the zone's country; the zone's own error says why it is not.
        checked = (
            ("borrower_id", _checked(check_id, cells[0].strip())),
            ("full_name", _checked(check_text, cells[1], FULL_NAME_LIMIT)),
            ("phone", phone),
            ("telegram_chat_id", self._chat(cells[3])),
            ("locale", self._locale(cells[4])),
            ("timezone", zone),
            ("preferred_channel", self._channel(cells[6])),
            ("loan_id", _checked(check_id, cells[7].strip())),
            ("product", self._product(cells[8])),
            ("currency", self._currency(cells[9])),
            ("installment_no", self._number(cells[10])),
            ("due_date", self._due(cells[11])),
            ("amount_due", self._amount(cells[12])),
        )
        for index in _ERROR_ORDER:
            name, value = checked[index]
            if isinstance(value, _Bad):
                errors.append(RowError(where, name, value.message))
        fields = tuple(MISSING if isinstance(value, _Bad) else value for _name, value in checked)
        if self.rows is not None and not errors:  # good fields, whatever the cross-row rules say
            self.rows.append(_loan_row(where, fields))
        self._cross_row(where, cells, fields, errors)

    def _first_seen(self, loan: int, number: int, where: int) -> int | None:
        """Note installment ``number`` of ``loan`` at ``where``; where it was first, if it was."""
        length = self._run_length[loan]
        if length == 0:
            self._run_line[loan], self._run_number[loan], self._run_length[loan] = where, number, 1
            return None
        if length > 0:
            start, first = self._run_line[loan], self._run_number[loan]
            if first <= number < first + length:
                return start + number - first
            if where == start + length and number == first + length:
                self._run_length[loan] = length + 1
                return None
            for k in range(length):  # the run ends: its installments go where the rest are
                self._seen[loan << 30 | (first + k)] = start + k
            self._run_length[loan] = -1
        key = loan << 30 | number
        first_at = self._seen.get(key)
        if first_at is None:
            self._seen[key] = where
        return first_at

    def _cross_row(self, where: int, cells: list[str], fields: tuple[object, ...], errors: list[RowError]) -> None:
        """The cross-row rules for a record's good fields (in LOAN_COLUMNS order, MISSING where a
        check failed), after its field ``errors``; a record with no problem goes into the book."""
        unit = self.unit
        book = self.book
        borrower_id, loan_id, number = fields[0], fields[7], fields[10]
        loan = -1
        if loan_id is not MISSING:
            loan = book.loan(loan_id)  # type: ignore[arg-type]
            if len(self._loan_lines) <= loan:
                self._loan_lines.append(where)
                self._run_line.append(0)
                self._run_number.append(0)
                self._run_length.append(0)
            if number is not MISSING:
                first_at = self._first_seen(loan, number, where)  # type: ignore[arg-type]
                if first_at is not None:
                    errors.append(
                        RowError(
                            where,
                            "installment_no",
                            f"loan {loan_id} installment {number} appears twice (first at {unit} {first_at})",
                        )
                    )
        b = -1
        if borrower_id is not MISSING:
            b = book.borrower(borrower_id)  # type: ignore[arg-type]
            if len(self._borrower_lines) <= b:
                self._borrower_lines.append(where)
            differs = _describe(book.borrowers, self._borrower_lines, self._borrower_field_lines, b, fields[1:7], where)
            if differs is not None:
                errors.append(
                    RowError(where, "borrower_id", f"borrower {borrower_id} is described differently than at "
                             f"{unit} {differs}")
                )  # fmt: skip
            borrower_id = book.borrower_ids[b]  # one string per borrower, however many rows
        if loan >= 0:
            terms = (borrower_id, fields[8], fields[9])
            differs = _describe(book.loans, self._loan_lines, self._loan_field_lines, loan, terms, where)
            if differs is not None:
                errors.append(
                    RowError(where, "loan_id", f"loan {loan_id} is described differently than at {unit} {differs}")
                )
        if errors:
            self.errors.extend(errors)
            self._last_borrower = self._last_loan = None
            return
        if book.loan_line[loan] < 0:
            book.loan_line[loan] = where
        book.add_installment(loan, number, fields[11], fields[12])  # type: ignore[arg-type]
        self._last_borrower, self._last_loan, self._last = cells[0:7], cells[7:10], (b, loan)

    def finish(self) -> None:
        """Errors in line order; for one line, its field errors first, then its cross-row errors.
        What only the checks needed is let go: the book and the errors remain."""
        self.errors.sort(key=lambda e: e.where)
        self._seen.clear()
        self._phones.clear()
        for column in (self._zone, self._chat, self._locale, self._channel, self._product, self._currency,
                       self._number, self._due, self._amount):  # fmt: skip
            column.results.clear()
        self._borrower_lines = self._loan_lines = self._run_line = self._run_number = self._run_length = array("q")
        self._borrower_field_lines.clear()
        self._loan_field_lines.clear()
        self._last_borrower = self._last_loan = None


# Fields in LOAN_COLUMNS order, then the order their errors are reported in (the zone before the
# phone read in its country).
_ERROR_ORDER: Final = (0, 1, 5, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12)


def _loan_row(where: int, fields: tuple[object, ...]) -> LoanRow:
    """A LoanRow from good fields in LOAN_COLUMNS order (due date as ordinal, amount in cents)."""
    bid, name, phone, chat, locale, zone, channel, loan_id, product, currency, number, due, cents = fields
    return LoanRow(
        where=where,
        borrower_id=bid,  # type: ignore[arg-type]
        full_name=name,  # type: ignore[arg-type]
        phone=phone,  # type: ignore[arg-type]
        telegram_chat_id=chat,  # type: ignore[arg-type]
        locale=locale,  # type: ignore[arg-type]
        timezone=zone,  # type: ignore[arg-type]
        preferred_channel=channel,  # type: ignore[arg-type]
        loan_id=loan_id,  # type: ignore[arg-type]
        product=product,  # type: ignore[arg-type]
        currency=currency,  # type: ignore[arg-type]
        installment_no=number,  # type: ignore[arg-type]
        due_date=date.fromordinal(due),  # type: ignore[arg-type]
        amount_due=amount_of(cents),  # type: ignore[arg-type]
    )


def check_payments(rows: Iterable[PaymentRow], unit: str = "line") -> list[RowError]:
    errors: list[RowError] = []
    seen: dict[str, PaymentRow] = {}
    for row in rows:
        first = seen.get(row.payment_id)
        if first is None:
            seen[row.payment_id] = row
        elif (first.loan_id, first.amount, first.paid_at) != (row.loan_id, row.amount, row.paid_at):
            errors.append(
                RowError(
                    row.where,
                    "payment_id",
                    f"{row.payment_id} appears with other content at {unit} {first.where}",
                )
            )
    return errors


# --- CSV ---


class CsvSyntaxError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def iter_csv_records(text_stream: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """Yield (physical line where the record starts, cells); quoted newlines are counted."""
    reader = csv.reader(text_stream, strict=True)
    previous_end = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CsvSyntaxError(previous_end + 1, f"not readable as CSV: {exc}") from None
        start = previous_end + 1
        previous_end = reader.line_num
        if not cells or all(not c.strip() for c in cells):
            continue
        yield start, cells


@dataclass(frozen=True, slots=True)
class Parsed(Generic[T]):
    rows: list[T]
    errors: list[RowError]


CsvSource = str | Iterable[str]
"""A whole CSV text, or its lines as a file opened with ``newline=""`` yields them (read as it goes)."""


def _lines(source: CsvSource) -> Iterable[str]:
    if isinstance(source, str):
        return io.StringIO(source.removeprefix("\ufeff"), newline="")
    lines = iter(source)
    first = next(lines, None)
    if first is None:
        return iter(())
    return itertools.chain((first.removeprefix("\ufeff"),), lines)  # no Python step per line


def _read_table(
    source: CsvSource, required: tuple[str, ...], optional: frozenset[str], errors: list[RowError]
) -> Iterator[tuple[int, dict[str, str]]]:
    """The records as {column: cell}, one at a time; a bad header or a record of the wrong shape
    goes to ``errors`` (after a bad header nothing is read)."""
    records = iter_csv_records(_lines(source))
    try:
        first = next(records, None)
    except CsvSyntaxError as exc:
        errors.append(RowError(exc.line, "header", str(exc)))
        return
    if first is None:
        errors.append(RowError(1, "header", "the file is empty; a header line is required"))
        return
    header_line, header = first
    names = [h.strip() for h in header]
    if _header_errors(header_line, names, required, optional, errors):
        return
    try:
        for line, cells in records:
            if len(cells) != len(names):
                errors.append(RowError(line, "row", f"has {len(cells)} fields, the header has {len(names)}"))
                continue
            yield line, dict(zip(names, cells, strict=True))
    except CsvSyntaxError as exc:
        errors.append(RowError(exc.line, "row", str(exc)))


def read_loan_book(
    source: CsvSource, *, keep_rows: bool = False, progress: Callable[[int], None] | None = None, every: int = 20_000
) -> LoanBookReader:
    """Read and check a loan book from a CSV text or a stream of its lines, a record at a time;
    ``progress`` hears the physical line reached every ``every`` records."""
    reader = LoanBookReader(keep_rows=keep_rows)
    for line in reader.consume(loan_records(source, reader.errors), every):
        if progress is not None:
            progress(line)
    reader.finish()
    return reader


def loan_records(source: CsvSource, errors: list[RowError]) -> Iterator[tuple[int, list[str]]]:
    """The loan book's records as (physical line where each starts, cells in LOAN_COLUMNS order);
    a bad header, a record of the wrong shape and unreadable CSV go to ``errors`` (after a bad
    header or unreadable CSV nothing more is read)."""
    records = csv.reader(_lines(source), strict=True)
    previous_end = 0
    header: list[str] | None = None
    order: list[int] | None = None
    width = 0
    try:
        for cells in records:
            start = previous_end + 1
            previous_end = records.line_num
            if not cells or (not cells[0].strip() and all(not c.strip() for c in cells)):
                continue
            if header is None:
                header = [h.strip() for h in cells]
                if _header_errors(start, header, LOAN_COLUMNS, OPTIONAL_LOAN_COLUMNS, errors):
                    return
                width = len(header)
                if header != list(LOAN_COLUMNS):
                    order = [header.index(c) if c in header else -1 for c in LOAN_COLUMNS]
                continue
            if len(cells) != width:
                errors.append(RowError(start, "row", f"has {len(cells)} fields, the header has {width}"))
                continue
            yield start, (cells if order is None else [cells[i] if i >= 0 else "" for i in order])
    except csv.Error as exc:
        errors.append(RowError(previous_end + 1, "header" if header is None else "row", f"not readable as CSV: {exc}"))
        return
    if header is None:
        errors.append(RowError(1, "header", "the file is empty; a header line is required"))


def _header_errors(
    line: int, names: list[str], required: tuple[str, ...], optional: frozenset[str], errors: list[RowError]
) -> bool:
    missing = [c for c in required if c not in names and c not in optional]
    found: list[RowError] = []
    if missing:
        found.append(RowError(line, "header", f"missing column(s): {', '.join(missing)}"))
    duplicated = sorted({n for n in names if names.count(n) > 1 and n})
    if duplicated:
        found.append(RowError(line, "header", f"column(s) named twice: {', '.join(duplicated)}"))
    errors.extend(found)
    return bool(found)


def parse_loans_csv(source: CsvSource) -> Parsed[LoanRow]:
    """The loan book from a CSV text or a stream of its lines (each record is checked as it is read)."""
    reader = read_loan_book(source, keep_rows=True)
    assert reader.rows is not None
    return Parsed(reader.rows, reader.errors)


def parse_payments_csv(source: CsvSource) -> Parsed[PaymentRow]:
    errors: list[RowError] = []
    rows: list[PaymentRow] = []
    for line, raw in _read_table(source, PAYMENT_COLUMNS, frozenset(), errors):
        row, row_errors = validate_payment_row(raw, line)
        errors.extend(row_errors)
        if row is not None:
            rows.append(row)
    errors.extend(check_payments(rows))
    errors.sort(key=lambda e: e.where)
    return Parsed(rows, errors)


def parse_loan_rows(items: list[Mapping[str, object]]) -> Parsed[LoanRow]:
    """API rows: ``where`` is the 0-based index in the request body."""
    reader = LoanBookReader("row", keep_rows=True)
    for index, raw in enumerate(items):
        if not isinstance(raw, Mapping):
            reader.errors.append(RowError(index, "row", "expected an object"))
            continue
        reader.add(index, [_cell(raw, name) for name in LOAN_COLUMNS])
    reader.finish()
    assert reader.rows is not None
    return Parsed(reader.rows, reader.errors)
