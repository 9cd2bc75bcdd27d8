"""The ``choice`` question: one option, or several."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from accord.kinds import QUESTION_KINDS
from tests.kinds.fuzz import accepts, check_or_problem, near, problem, question

KIND = QUESTION_KINDS["choice"]
OPTIONS = ["pos", {"value": "neg", "label": "Negative", "hint": "Unhappy"}, "neutral"]


def test_single_choice() -> None:
    config = question("choice", options=OPTIONS)
    accepts(config, {"choice": "neg"})
    found = problem(config, {"choice": "meh"})
    assert (found.path, found.message) == (
        "choice",
        "'meh' is not one of the options ['neg', 'neutral', 'pos']",
    )
    assert problem(config, {"choice": 1}).message == "expected a string, got a number"
    assert problem(config, {"choices": ["pos"]}).path == "choices"


def test_multiple_choices() -> None:
    config = question("choice", options=OPTIONS, multiple=True, min_choices=1, max_choices=2)
    accepts(config, {"choices": ["pos", "neg"]})
    assert problem(config, {"choices": ["pos", "x"]}).path == "choices[1]"
    assert problem(config, {"choices": ["pos", "pos"]}).message == "an option is picked twice"
    assert problem(config, {"choices": ["pos", "neg", "neutral"]}).message == "pick at most 2"
    assert problem(config, {"choices": "pos"}).message == "expected a list of option values"


def test_min_choices() -> None:
    config = question("choice", options=OPTIONS, multiple=True, min_choices=2)
    assert problem(config, {"choices": ["pos"]}).message == "pick at least 2"


def test_is_empty() -> None:
    assert KIND.is_empty(None)
    assert KIND.is_empty({})
    assert KIND.is_empty({"choices": []})
    assert not KIND.is_empty({"choice": "pos"})


def test_csv_cell() -> None:
    config = question("choice", options=OPTIONS, multiple=True)
    assert KIND.csv_cell(config, {"choice": "pos"}) == "pos"
    assert KIND.csv_cell(config, {"choices": ["pos", "neg"]}) == "pos|neg"


def test_config_options() -> None:
    config = question("choice", options=OPTIONS)
    assert [o.value for o in config.options] == ["pos", "neg", "neutral"]
    with pytest.raises(ValidationError, match="option 'pos' is listed twice"):
        question("choice", options=["pos", "pos"])
    with pytest.raises(ValidationError):
        question("choice", options=[])
    with pytest.raises(ValidationError):
        question("choice", options=["pos"], colour="red")


answers = near(
    st.fixed_dictionaries({"choice": near(st.sampled_from(["pos", "neg"]))}),
    st.fixed_dictionaries({"choices": near(st.lists(near(st.sampled_from(["pos", "neg"]))))}),
)


def fits(value: Any, multiple: bool, allowed: set[str], most: int) -> bool:
    """The oracle: whether a choice answer fits, written independently of the kind."""
    key = "choices" if multiple else "choice"
    if type(value) is not dict or set(value) != {key}:
        return False
    if not multiple:
        return type(value[key]) is str and value[key] in allowed
    picks = value[key]
    return (
        type(picks) is list
        and all(type(p) is str and p in allowed for p in picks)
        and len(set(picks)) == len(picks)
        and 1 <= len(picks) <= most
    )


@settings(max_examples=300, deadline=None)
@given(answers, st.booleans())
def test_any_json_passes_or_is_a_problem(value: Any, multiple: bool) -> None:
    """Every value gets the verdict it deserves (a checker refusing or accepting everything
    fails), and anything else than a `Problem` escapes."""
    config = question("choice", options=OPTIONS, multiple=multiple, max_choices=2)
    verdict = check_or_problem(config, value, {})
    assert verdict == fits(value, multiple, {"pos", "neg"}, 2), value
