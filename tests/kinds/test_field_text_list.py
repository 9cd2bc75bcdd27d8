"""The ``text_list`` field kind: a list of strings."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from pydantic import ValidationError

from accord.kinds import FIELD_KINDS
from tests.kinds.fuzz import field, json_values

KIND = FIELD_KINDS["text_list"]


def test_accepts_a_list_of_strings() -> None:
    check = KIND.data_check(field("text_list"))
    assert check(["a", "b"]) is None


def test_item_count_bounds() -> None:
    check = KIND.data_check(field("text_list", min_items=2, max_items=3))
    assert check(["a"]) == "1 items, fewer than the field's min_items 2"
    assert check(["a", "b", "c", "d"]) == "4 items, more than the field's max_items 3"
    assert check(["a", "b", "c"]) is None


def test_default_needs_one_item() -> None:
    assert KIND.data_check(field("text_list"))([]) == (
        "0 items, fewer than the field's min_items 1"
    )


def test_refuses_non_strings_naming_the_item() -> None:
    check = KIND.data_check(field("text_list"))
    assert check(["a", 2]) == "item [1]: expected a string, got a number"
    assert check("a") == "expected a list of strings, got a string"


def test_config_bounds() -> None:
    with pytest.raises(ValidationError):
        field("text_list", max_items=0)
    with pytest.raises(ValidationError):
        field("text_list", min_items=-1)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_any_json_gets_none_or_a_reason(value: Any) -> None:
    result = KIND.data_check(field("text_list", max_items=3))(value)
    assert result is None or isinstance(result, str)
