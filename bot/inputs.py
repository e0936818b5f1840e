"""Reading what callers send: ids in paths and queries, JSON bodies. Pure: no web, no database.

Whatever the database cannot hold is refused here, as the caller's mistake (a 4xx), never left to
fail at the database (a 5xx): row ids beyond PostgreSQL's ``integer``, references longer than their
``varchar``, NUL characters (PostgreSQL's ``text`` and ``jsonb`` refuse them) and unpaired
surrogates (not UTF-8), JSON nested deeper than anything we read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from storage.loanbook import ID_PATTERN

# Primary keys are ``IntField``: PostgreSQL's integer.
MAX_ROW_ID: Final = 2**31 - 1
# ``BigIntField`` (Telegram chat and user ids): a signed 64-bit integer.
MIN_BIGINT: Final = -(2**63)
MAX_BIGINT: Final = 2**63 - 1
# No body we read nests deeper than a handful of levels (a Telegram update: about ten).
MAX_JSON_DEPTH: Final = 64
# The loan book's ids (borrower_id, loan_id, payment_id): see ``storage.loanbook.check_id``.
_REFERENCE: Final = re.compile(ID_PATTERN)
_ROW_ID: Final = re.compile(r"[0-9]{1,10}")
_UNSTORABLE: Final = re.compile("[\x00\ud800-\udfff]")


class BadJson(ValueError):
    """The body is not JSON we read; the message says why (for a 400)."""


def row_id(text: str) -> int | None:
    """A database row id written in a URL or a form ("12"), or None: ASCII digits only, in range."""
    if not _ROW_ID.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ROW_ID else None


def reference(text: str) -> str | None:
    """A loan-book id (borrower, loan, payment) as written, or None when it cannot be one."""
    return text if _REFERENCE.fullmatch(text) else None


def in_bigint(value: int) -> bool:
    return MIN_BIGINT <= value <= MAX_BIGINT


def unstorable(text: str) -> str | None:
    """Why a string cannot be stored (a NUL, an unpaired surrogate), or None when it can."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    return "contains a NUL character" if found.group() == "\x00" else "contains an unpaired surrogate (not UTF-8)"


def shorten(text: str, limit: int = 80) -> str:
    """For echoing a caller's value in an error message without echoing all of it."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def json_problem(value: Any, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """Why a parsed JSON value cannot be taken (too deep, a string or key that cannot be stored)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            problem = unstorable(item)
            if problem:
                return f"a string {problem}"
            continue
        if not isinstance(item, Mapping | list):
            continue
        if depth > max_depth:
            return f"nested deeper than {max_depth} levels"
        if isinstance(item, Mapping):
            for key, child in item.items():
                stack.append((key, depth))
                stack.append((child, depth + 1))
        else:
            stack.extend((child, depth + 1) for child in item)
    return None


def _no_constants(name: str) -> Any:
    raise BadJson(f"{name} is not a JSON number")


def parse_json(raw: bytes, *, exact_numbers: bool) -> Any:
    """A request body (UTF-8 JSON) parsed, or BadJson.

    ``exact_numbers``: numbers with a fraction or exponent become ``Decimal`` (10.1 is exactly
    Decimal("10.1")), so no amount is ever read through a float; otherwise they are floats (what a
    Telegram update's coordinates are, and what its stored JSON can hold).
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadJson("the body is not UTF-8") from None
    try:
        value = json.loads(text, parse_float=Decimal if exact_numbers else float, parse_constant=_no_constants)
    except BadJson:
        raise
    except RecursionError:
        raise BadJson(f"the body is nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError:  # JSONDecodeError, and integers longer than Python reads (4,300 digits)
        raise BadJson("the body is not valid JSON") from None
    problem = json_problem(value)
    if problem:
        raise BadJson(f"the body is not JSON we can take: {problem}")
    return value
