"""The document's fragments say what the checks take: the same values pass both, or neither."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from bot.api import fields
from bot.inputs import reference
from storage.loanbook import check_amount, check_id, check_positive_int, check_text

WHITE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


def takes(check: Callable[..., Any], value: str, *args: Any) -> bool:
    try:
        check(value.strip(), *args)
    except ValueError:
        return False
    return True


def matches(schema: dict[str, Any], value: str) -> bool:
    found = re.search(schema["pattern"], value) is not None
    if found and "not" in schema:
        found = re.search(schema["not"]["pattern"], value) is None
    return found


@pytest.mark.parametrize(
    ("schema", "check", "args", "values"),
    [
        (fields.text(5), check_text, (5,), ["abcde", " abcde\x85", "abcdef", "", WHITE, "a\x01b", "a\ufeff", "\x1fab"]),
        (fields.AMOUNT_STRING, check_amount, (), ["1", "0.01", "0", "0.00", "1.234", " 12.5 ", "١٢", "1e2", "-1"]),
        (
            fields.INSTALLMENT_NO["anyOf"][1],
            check_positive_int,
            (),
            ["1", "0", "000", "999999999", "1000000000", " 7 ", "٣", "+1"],
        ),
    ],
)
def test_a_pattern_and_its_check_agree(
    schema: dict[str, Any], check: Callable[..., Any], args: tuple[Any, ...], values: list[str]
) -> None:
    for value in values:
        assert matches(schema, value) == takes(check, value, *args), repr(value)


def test_an_id_is_the_same_in_a_path_and_a_body() -> None:
    for value in ["B1", "L/2026:1", "-B1", "B 1", "B" * 64, "B" * 65, "", " B1"]:
        assert (re.fullmatch(fields.REFERENCE["pattern"], value) is not None) == (reference(value) is not None)
        assert (reference(value) is not None) == (value == value.strip() and takes(check_id, value)), repr(value)
