"""The API's request fields: the schema fragments of the OpenAPI document, written from the same
patterns, limits and choices the checks use (``storage.loanbook``, ``bot.inputs``,
``storage.case_actions``), and the JSON types each body field may have, which the handlers check.

A field the checks strip (every string field of a body) is documented with the white space around
it allowed; every string of a body is without NUL characters (a body holding one is a 400
``bad_json``). The few rules no JSON Schema can say (a phone number's validity, rules across rows
or against the book, an outcome that fits the case's kind) are in the descriptions and answered
with a 4xx.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from bot.inputs import MAX_ROW_ID
from storage.loanbook import (
    AMOUNT_PATTERN,
    CHANNELS,
    DATE_PATTERN,
    FULL_NAME_LIMIT,
    ID_PATTERN,
    LOCALES,
    MAX_AMOUNT,
    MAX_POSITIVE_INT,
    POSITIVE_INT_PATTERN,
    PRODUCT_LIMIT,
    currencies,
    timezones,
)

# What ``str.strip()`` takes away, spelt out: ``\s`` differs between Python's ``re`` and the
# ECMAScript patterns JSON Schema means (U+0085 and U+001C..U+001F are white space to Python only).
_WHITE: Final = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE = rf"[{_WHITE}]*"


def _inner(pattern: str) -> str:
    """An anchored pattern's body."""
    assert pattern.startswith("^") and pattern.endswith("$"), pattern
    return pattern[1:-1]


def stripped(pattern: str) -> str:
    """``pattern`` with white space allowed around it (the checks strip it first)."""
    return f"^{_SPACE}(?:{_inner(pattern)}){_SPACE}$"


def text(limit: int | None = None, *, controls: bool = False) -> dict[str, Any]:
    """A string that is not empty once stripped, at most ``limit`` characters then, without NUL
    (``controls``: other control characters allowed inside; else none of U+0000..U+001F)."""
    bad = r"\x00" if controls else r"\x00-\x1f"
    middle = "*" if limit is None else f"{{0,{limit - 2}}}"
    solid = f"[^{bad}{_WHITE}]"
    return {"type": "string", "pattern": rf"^{_SPACE}{solid}(?:[^{bad}]{middle}{solid})?{_SPACE}$"}


# --- path and query ------------------------------------------------------------------------------

# Ids as written, in a path, a query or a body: the API's ids are the book's keys, so no white space
# around them either (a body's is a 422, ``id_errors``; a path's an unknown id, 404).
REFERENCE: Final = {"type": "string", "pattern": ID_PATTERN, "description": "up to 64 letters, digits and . _ : / -"}
ROW_ID: Final = {"type": "integer", "minimum": 1, "maximum": MAX_ROW_ID}

# --- body fields ---------------------------------------------------------------------------------

BODY_ID: Final = REFERENCE
AMOUNT_STRING: Final = {
    "type": "string",
    "pattern": stripped(AMOUNT_PATTERN),
    "not": {"pattern": rf"^{_SPACE}0*(\.0*)?{_SPACE}$"},
}
AMOUNT_NUMBER: Final = {"type": "number", "exclusiveMinimum": 0, "maximum": float(MAX_AMOUNT), "multipleOf": 0.01}
AMOUNT: Final = {
    "anyOf": [AMOUNT_STRING, AMOUNT_NUMBER],
    "example": "350.00",
    "description": "digits with at most two decimals, more than zero; best a string. A JSON number is read as "
    "the exact decimal it is written as, never as a float, and meets the same rule (10.1 yes; 10.123, 1e2 "
    "and -5 no: 422)",
}
DATE: Final = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
INSTANT: Final = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$",
    "description": "ISO-8601 with offset",
}
CURRENCY: Final = {"type": "string", "enum": list(currencies()), "description": "ISO 4217"}
TIMEZONE: Final = {"type": "string", "enum": list(timezones()), "description": "IANA time zone"}
INSTALLMENT_NO: Final = {
    "anyOf": [
        {"type": "integer", "minimum": 1, "maximum": MAX_POSITIVE_INT},
        {"type": "string", "pattern": stripped(POSITIVE_INT_PATTERN), "not": {"pattern": rf"^{_SPACE}0*{_SPACE}$"}},
    ]
}
CHAT_ID: Final = {
    "anyOf": [
        {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1},
        # As a string: up to 18 digits, always within the 64-bit column (the check reads up to its range).
        {"type": "string", "pattern": rf"^{_SPACE}(?:-?[0-9]{{1,18}})?{_SPACE}$"},
        {"type": "null"},
    ],
    "description": "a Telegram chat id; empty or null: none",
}
PHONE: Final = {
    "type": "string",
    "format": "phone",
    "pattern": r"^[^\x00]*[0-9][^\x00]*$",
    "description": "E.164 (+14155550123), or the national form read in the time zone's country; a number "
    "libphonenumber finds valid (else 422)",
}

LOAN_ROW_FIELDS: Final[dict[str, dict[str, Any]]] = {
    "borrower_id": BODY_ID,
    "full_name": text(FULL_NAME_LIMIT),
    "phone": PHONE,
    "telegram_chat_id": CHAT_ID,
    "locale": {"type": "string", "enum": list(LOCALES)},
    "timezone": TIMEZONE,
    "preferred_channel": {"type": "string", "enum": list(CHANNELS)},
    "loan_id": BODY_ID,
    "product": text(PRODUCT_LIMIT),
    "currency": CURRENCY,
    "installment_no": INSTALLMENT_NO,
    "due_date": DATE,
    "amount_due": AMOUNT,
}
LOAN_ROW_OPTIONAL: Final = frozenset({"telegram_chat_id"})
PAYMENT_FIELDS: Final[dict[str, dict[str, Any]]] = {
    "payment_id": BODY_ID,
    "loan_id": BODY_ID,
    "amount": AMOUNT,
    "paid_at": INSTANT,
}


NO_NUL: Final = r"^[^\x00]*$"
# Any JSON a body may hold where the service reads nothing (fields it does not know): no NUL in a
# string or a key (bot.inputs.parse_json refuses the whole body: 400).
ANY_JSON: Final = {
    "description": "any JSON without NUL characters; ignored",
    "anyOf": [
        {"type": "string", "pattern": NO_NUL},
        {"type": ["number", "boolean", "null"]},
        {"type": "array", "items": {"$ref": "#/components/schemas/AnyJson"}},
        {
            "type": "object",
            "propertyNames": {"pattern": NO_NUL},
            "additionalProperties": {"$ref": "#/components/schemas/AnyJson"},
        },
    ],
}


def body_object(fields: Mapping[str, dict[str, Any]], optional: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The schema of a request object: these fields; others are ignored (``AnyJson``)."""
    return {
        "type": "object",
        "required": [name for name in fields if name not in optional],
        "properties": dict(fields),
        "propertyNames": {"pattern": NO_NUL},
        "additionalProperties": {"$ref": "#/components/schemas/AnyJson"},
    }


# --- JSON types, checked by the handlers before the field checks -----------------------------------

_JSON_TYPES: Final = {
    "string": (str,),
    "integer": (int,),
    "number": (int, Decimal, float),
    "null": (type(None),),
}


def _types(schema: Mapping[str, Any]) -> set[str]:
    if "anyOf" in schema:
        return {t for branch in schema["anyOf"] for t in _types(branch)}
    kind = schema.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if kind else set()


def wrong_type(value: object, schema: Mapping[str, Any]) -> str | None:
    """Why ``value`` is not of a JSON type the field's schema allows, or None."""
    allowed = _types(schema)
    if not allowed:
        return None
    ok = any(isinstance(value, _JSON_TYPES[t]) for t in allowed if t in _JSON_TYPES)
    if isinstance(value, bool):
        ok = "boolean" in allowed
    if ok:
        return None
    names = " or ".join(sorted("a number" if t == "number" else f"a {t}" for t in allowed))
    return f"must be {names}"


def type_errors(body: Mapping[str, object], fields: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(field, message) for each field present with a JSON type its schema does not allow."""
    found = []
    for name, schema in fields.items():
        if name in body:
            problem = wrong_type(body[name], schema)
            if problem:
                found.append((name, problem))
    return found


def id_errors(body: Mapping[str, object], names: tuple[str, ...]) -> list[tuple[str, str]]:
    """(field, message) for each id given with white space around it: the id is the key the loan
    is read back by, so it is taken as written or not at all."""
    return [
        (name, "white space around an id")
        for name in names
        if isinstance(value := body.get(name), str) and value and value != value.strip()
    ]
