"""The ``rating`` question: a number on a scale."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.kinds import QUESTION_KINDS, InterfaceError, parse_interface
from tests.kinds.fuzz import accepts, check_or_problem, near, problem, question

KIND = QUESTION_KINDS["rating"]


def test_defaults_are_one_to_five_stars() -> None:
    config = question("rating")
    for rating in (1, 2, 3, 4, 5, 4.0):
        accepts(config, {"rating": rating})
    assert problem(config, {"rating": 0}).message == "0 is below the minimum 1"
    assert problem(config, {"rating": 6}).message == "6 is above the maximum 5"
    found = problem(config, {"rating": 2.5})
    assert found.path == "rating"
    assert found.message == "2.5 is not one of the ratings: they go from 1 to 5 in steps of 1"


@pytest.mark.parametrize("bad", [True, False, None, "4", [4], {"v": 4}, math.nan, math.inf])
def test_refuses_what_is_not_a_number(bad: Any) -> None:
    assert problem(question("rating"), {"rating": bad}).path == "rating"


def test_answer_shape() -> None:
    config = question("rating")
    assert problem(config, 4).message == "expected an object with 'rating'"
    assert problem(config, {"rating": 4, "x": 1}).path == "x"
    assert problem(config, {"score": 4}).path == "score"


def test_step_grid_from_min_tolerates_rounding() -> None:
    config = question("rating", min=0, max=1, step=0.1)
    accepts(config, {"rating": 0.1 + 0.2})  # 0.30000000000000004
    accepts(config, {"rating": 0.7})
    accepts(config, {"rating": 1})
    assert problem(config, {"rating": 0.75}).path == "rating"
    half = question("rating", min=1, max=5, step=0.5)
    accepts(half, {"rating": 4.5})
    assert problem(half, {"rating": 4.25}).path == "rating"


def test_negative_scale() -> None:
    config = question("rating", min=-3, max=3, style="scale")
    accepts(config, {"rating": -3})
    accepts(config, {"rating": 0})
    assert problem(config, {"rating": -4}).path == "rating"


def test_csv_cell_is_the_number() -> None:
    config = question("rating", step=0.5)
    assert KIND.csv_cell(config, {"rating": 4}) == "4"
    assert KIND.csv_cell(config, {"rating": 4.0}) == "4"
    assert KIND.csv_cell(config, {"rating": 4.5}) == "4.5"


def test_is_empty() -> None:
    assert KIND.is_empty(None)
    assert KIND.is_empty({})
    assert not KIND.is_empty({"rating": 1})


def config_error(**options: Any) -> str:
    interface = {
        "fields": [{"name": "doc", "kind": "text"}],
        "questions": [{"name": "stars", "kind": "rating", **options}],
    }
    with pytest.raises(InterfaceError) as caught:
        parse_interface(interface)
    return str(caught.value)


def test_config_errors_name_the_option() -> None:
    assert config_error(min=5, max=5) == "questions[0].max: must be greater than min (5)"
    assert config_error(step=0).startswith("questions[0].step: ")
    assert config_error(step=math.inf).startswith("questions[0].step: ")
    assert config_error(style="hearts").startswith("questions[0].style: ")
    assert config_error(max=5, step=3) == (
        "questions[0].step: max 5 is not on the grid of steps of 3 from min 1; "
        "choose a step that divides max - min"
    )


def test_labels_are_keyed_by_ratings() -> None:
    config = question("rating", labels={"1": "poor", "5": "great"})
    assert config.labels == {"1": "poor", "5": "great"}
    question("rating", step=0.5, labels={"4.5": "nearly"})
    assert config_error(labels={"6": "x"}) == (
        "questions[0].labels: '6' is not one of the ratings this scale offers"
    )
    assert config_error(labels={"2.5": "x"}).endswith("is not one of the ratings this scale offers")
    assert config_error(labels={"good": "x"}) == "questions[0].labels: 'good' is not a number"
    assert config_error(labels={"1.0": "x"}) == (
        "questions[0].labels: write the rating '1.0' as '1'"
    )


ratings = st.one_of(
    st.integers(min_value=-2, max_value=8),
    st.floats(min_value=-2, max_value=8),
    st.sampled_from([1e308, -1e308, 2**70, True, math.nan, -math.inf]),
)


@settings(max_examples=200, deadline=None)
@given(near(st.fixed_dictionaries({"rating": near(ratings)})), st.sampled_from([1, 0.5, 0.1]))
def test_any_json_passes_or_is_a_problem(value: Any, step: float) -> None:
    config = question("rating", min=0, max=5, step=step)
    if check_or_problem(config, value, {}):
        assert 0 <= value["rating"] <= 5
