"""The ``text`` field kind: a plain string."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from accord.kinds import FIELD_KINDS
from tests.kinds.fuzz import field, json_values

KIND = FIELD_KINDS["text"]


def test_accepts_any_string() -> None:
    check = KIND.data_check(field("text"))
    assert check("") is None
    assert check("Alice met Bob. 😀") is None


def test_refuses_what_is_not_a_string() -> None:
    check = KIND.data_check(field("text"))
    assert check(3) == "expected a string, got a number"
    assert check(["a"]) == "expected a string, got a list"
    assert check(True) == "expected a string, got true"


def test_max_length_counts_code_points() -> None:
    check = KIND.data_check(field("text", max_length=3))
    assert check("😀😀😀") is None
    assert check("abcd") == "4 characters, more than the field's max_length 3"


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_any_json_gets_none_or_a_reason(value: Any) -> None:
    result = KIND.data_check(field("text", max_length=5))(value)
    assert result is None or isinstance(result, str)
