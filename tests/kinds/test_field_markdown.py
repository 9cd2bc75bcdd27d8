"""The ``markdown`` field kind: a string rendered as Markdown."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from accord.kinds import FIELD_KINDS
from tests.kinds.fuzz import field, json_values

KIND = FIELD_KINDS["markdown"]


def test_accepts_strings_within_max_length() -> None:
    check = KIND.data_check(field("markdown", max_length=10))
    assert check("# Title") is None
    assert check("<b>x</b> and more") == ("17 characters, more than the field's max_length 10")


def test_refuses_what_is_not_a_string() -> None:
    check = KIND.data_check(field("markdown"))
    assert check(None) == "expected a string, got null"
    assert check({"a": 1}) == "expected a string, got an object"


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_any_json_gets_none_or_a_reason(value: Any) -> None:
    result = KIND.data_check(field("markdown"))(value)
    assert result is None or isinstance(result, str)
