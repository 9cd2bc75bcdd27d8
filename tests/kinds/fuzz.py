"""Shared helpers for the kind tests: building configs, and arbitrary JSON for fuzzing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from accord.kinds import FIELD_KINDS, QUESTION_KINDS, Problem
from accord.kinds.base import FieldConfig, QuestionConfig

scalars: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**300), max_value=10**300),
    st.floats(),
    st.sampled_from([1e308, -1e308, 0.5, -0.0, 1.0, 2.0]),
    st.text(max_size=12),
)

# Any JSON value (and a few Python extras JSON parsers may let through: NaN, infinities).
json_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=8), children, max_size=5),
    ),
    max_leaves=25,
)


def near(*good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly plausible values, sometimes anything at all."""
    return st.one_of(*good, json_values)


def question(kind: str, **options: Any) -> QuestionConfig:
    return QUESTION_KINDS[kind].config.model_validate({"name": "q", "kind": kind, **options})


def field(kind: str, **options: Any) -> FieldConfig:
    return FIELD_KINDS[kind].config.model_validate({"name": "f", "kind": kind, **options})


def problem(config: QuestionConfig, value: Any, data: Mapping[str, Any] | None = None) -> Problem:
    """The `Problem` the question's kind raises for ``value``; fails if it raises none."""
    try:
        QUESTION_KINDS[config.kind].check(config, value, data or {})
    except Problem as found:
        return found
    raise AssertionError(f"expected a Problem for {value!r}")


def accepts(config: QuestionConfig, value: Any, data: Mapping[str, Any] | None = None) -> None:
    QUESTION_KINDS[config.kind].check(config, value, data or {})


def check_or_problem(config: QuestionConfig, value: Any, data: Mapping[str, Any]) -> bool:
    """Run the check; True if the value passed. Anything but `Problem` escapes and fails."""
    kind = QUESTION_KINDS[config.kind]
    assert isinstance(kind.is_empty(value), bool)
    try:
        kind.check(config, value, data)
    except Problem as found:
        assert isinstance(found.path, str)
        assert isinstance(found.message, str) and found.message
        return False
    assert isinstance(kind.csv_cell(config, value), str)
    return True
