"""Reading and validating the loan book and payments (CSV files or API rows). Pure: no database.

Every problem is reported as (line or row, field, message); a file with any problem is
refused whole by the importer, so nothing is half-imported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Final, Generic, TypeVar
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

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,2})?$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_INT = re.compile(r"^-?\d{1,40}$")  # then range-checked: a chat id column is 64-bit
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


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


@lru_cache(maxsize=200_000)
def check_phone(value: str, zone: str | None) -> str:
    import phonenumbers

    if not value:
        raise ValueError("required (E.164, e.g. +14155550123)")
    region = country_for_zone(zone) if zone else None
    if not value.startswith("+") and region is None:
        raise ValueError(f"{value!r} is not in E.164 form and the time zone gives no country to read it in")
    try:
        number = phonenumbers.parse(value, None if value.startswith("+") else region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{value!r} is not a phone number ({exc._msg})") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"{value!r} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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
    if any(ord(ch) < 32 for ch in value):
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
    if not re.fullmatch(r"\d{1,9}", value) or int(value) < 1:
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
    take("full_name", check_text, 200)
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
    take("product", check_text, 64)
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


class LoanBookRules:
    """The cross-row rules, one row at a time (a streamed file keeps no row it does not need): one
    installment per (loan, number); one description per borrower and per loan. A row with a bad
    field still takes part with its valid fields."""

    def __init__(self, unit: str = "line") -> None:
        self.unit = unit
        self.seen_installment: dict[tuple[object, object], int] = {}
        self.described: dict[tuple[str, object], dict[str, tuple[object, int]]] = {}

    def add(self, where: int, fields: Mapping[str, object]) -> list[RowError]:
        errors: list[RowError] = []
        unit = self.unit
        loan_id, number = fields.get("loan_id"), fields.get("installment_no")
        if loan_id is not None and number is not None:
            first_at = self.seen_installment.setdefault((loan_id, number), where)
            if first_at != where:
                errors.append(
                    RowError(
                        where,
                        "installment_no",
                        f"loan {loan_id} installment {number} appears twice (first at {unit} {first_at})",
                    )
                )
        for what, field, names in (
            ("borrower", "borrower_id", _BORROWER_DESCRIPTION),
            ("loan", "loan_id", _LOAN_DESCRIPTION),
        ):
            ident = fields.get(field)
            if ident is None:
                continue
            known = self.described.setdefault((what, ident), {})
            differs_from = None
            for name in names:
                if name not in fields:
                    continue
                value, at = known.setdefault(name, (fields[name], where))
                if value != fields[name] and differs_from is None:
                    differs_from = at
            if differs_from is not None:
                errors.append(
                    RowError(where, field, f"{what} {ident} is described differently than at {unit} {differs_from}")
                )
        return errors


def check_loan_book(rows: Iterable[tuple[int, Mapping[str, object]]], unit: str = "line") -> list[RowError]:
    """The cross-row rules (``LoanBookRules``) over a whole book's valid fields."""
    rules = LoanBookRules(unit)
    return [error for where, fields in rows for error in rules.add(where, fields)]


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
    return _without_bom(source)


def _without_bom(lines: Iterable[str]) -> Iterator[str]:
    iterator = iter(lines)
    first = next(iterator, None)
    if first is None:
        return
    yield first.removeprefix("\ufeff")
    yield from iterator


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
    missing = [c for c in required if c not in names and c not in optional]
    header_errors: list[RowError] = []
    if missing:
        header_errors.append(RowError(header_line, "header", f"missing column(s): {', '.join(missing)}"))
    duplicated = sorted({n for n in names if names.count(n) > 1 and n})
    if duplicated:
        header_errors.append(RowError(header_line, "header", f"column(s) named twice: {', '.join(duplicated)}"))
    if header_errors:
        errors.extend(header_errors)
        return
    try:
        for line, cells in records:
            if len(cells) != len(names):
                errors.append(RowError(line, "row", f"has {len(cells)} fields, the header has {len(names)}"))
                continue
            yield line, dict(zip(names, cells, strict=True))
    except CsvSyntaxError as exc:
        errors.append(RowError(exc.line, "row", str(exc)))


def parse_loans_csv(source: CsvSource) -> Parsed[LoanRow]:
    """The loan book from a CSV text or a stream of its lines (each record is validated as it is read)."""
    errors: list[RowError] = []
    rows: list[LoanRow] = []
    rules = LoanBookRules()
    for line, raw in _read_table(source, LOAN_COLUMNS, OPTIONAL_LOAN_COLUMNS, errors):
        row, row_errors, clean = _validate_loan_row(raw, line)
        errors.extend(row_errors)
        errors.extend(rules.add(line, clean))
        if row is not None:
            rows.append(row)
    # Stable: for one line, its field errors come before its cross-row errors, as they are found.
    errors.sort(key=lambda e: e.where)
    return Parsed(rows, errors)


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
    rows: list[LoanRow] = []
    errors: list[RowError] = []
    fields: list[tuple[int, Mapping[str, object]]] = []
    for index, raw in enumerate(items):
        if not isinstance(raw, Mapping):
            errors.append(RowError(index, "row", "expected an object"))
            continue
        row, row_errors, clean = _validate_loan_row(raw, index)
        errors.extend(row_errors)
        fields.append((index, clean))
        if row is not None:
            rows.append(row)
    errors.extend(check_loan_book(fields, unit="row"))
    errors.sort(key=lambda e: e.where)
    return Parsed(rows, errors)
