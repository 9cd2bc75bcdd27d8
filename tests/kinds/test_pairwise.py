"""The ``pairwise`` question: A, B or a tie, with an optional strength."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from accord.kinds import QUESTION_KINDS
from tests.kinds.fuzz import accepts, check_or_problem, near, problem, question

KIND = QUESTION_KINDS["pairwise"]
DATA = {"responses": ["first answer", "second answer"]}


def test_a_b_or_tie() -> None:
    config = question("pairwise")
    for answer in ({"choice": "A"}, {"choice": "B", "strength": 3}, {"choice": "tie"}):
        accepts(config, answer)
    found = problem(config, {"choice": "C"})
    assert (found.path, found.message) == ("choice", "'C' is not one of A, B, tie")
    assert problem(config, {"choice": "a"}).path == "choice"
    assert problem(config, {}).path == "choice"
    assert problem(config, {"choice": "A", "why": "x"}).path == "why"


def test_strength() -> None:
    config = question("pairwise", max_strength=3)
    assert problem(config, {"choice": "A", "strength": 4}).message == "4 is above the maximum 3"
    assert problem(config, {"choice": "A", "strength": 0}).message == "0 is below the minimum 1"
    for bad in (True, 2.0, "2", None):
        assert problem(config, {"choice": "A", "strength": bad}).path == "strength"
    found = problem(config, {"choice": "tie", "strength": 1})
    assert (found.path, found.message) == ("strength", "a tie has no strength; remove it")


def test_strength_required() -> None:
    config = question("pairwise", strength_required=True, max_strength=5)
    found = problem(config, {"choice": "B"})
    assert (found.path, found.message) == ("strength", "required; say how much better, 1 to 5")
    accepts(config, {"choice": "B", "strength": 5})
    accepts(config, {"choice": "tie"})


def test_ties_can_be_refused() -> None:
    found = problem(question("pairwise", allow_tie=False), {"choice": "tie"})
    assert found.message == "a tie is not allowed in this question; pick A or B"


def test_target_must_hold_two_candidates() -> None:
    config = question("pairwise", target="responses")
    accepts(config, {"choice": "A"}, DATA)
    found = problem(config, {"choice": "A"}, {"responses": ["a", "b", "c"]})
    assert (found.path, found.message) == (
        "",
        "the task's 'responses' field has 3 items; a pairwise compares 2",
    )
    assert problem(config, {"choice": "A"}, {}).message == (
        "the task's 'responses' field is not a list (null)"
    )


def test_csv_cell() -> None:
    config = question("pairwise")
    assert KIND.csv_cell(config, {"choice": "A", "strength": 2}) == "A:2"
    assert KIND.csv_cell(config, {"choice": "B"}) == "B"
    assert KIND.csv_cell(config, {"choice": "tie"}) == "tie"


def test_is_empty() -> None:
    assert KIND.is_empty(None)
    assert KIND.is_empty({})
    assert not KIND.is_empty({"choice": "tie"})


def test_config() -> None:
    with pytest.raises(ValidationError):
        question("pairwise", max_strength=0)
    with pytest.raises(ValidationError):
        question("pairwise", tie=True)


answers = near(
    st.fixed_dictionaries(
        {"choice": near(st.sampled_from(["A", "B", "tie"]))},
        optional={"strength": near(st.integers(min_value=-1, max_value=5))},
    )
)


@settings(max_examples=300, deadline=None)
@given(answers, near(st.just(DATA["responses"])), st.booleans(), st.booleans())
def test_any_json_passes_or_is_a_problem(
    value: Any, items: Any, allow_tie: bool, required: bool
) -> None:
    config = question(
        "pairwise", target="responses", allow_tie=allow_tie, strength_required=required
    )
    if check_or_problem(config, value, {"responses": items}):
        assert value["choice"] in ("A", "B", "tie")
