"""The ``image_class`` question: whole-image labels, the ``choice`` kind over an image."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from accord.kinds import QUESTION_KINDS
from accord.kinds.interface import InterfaceError, parse_interface
from accord.kinds.questions.choice import ChoiceKind
from tests.kinds.fuzz import accepts, check_or_problem, json_values, problem, question

KIND = QUESTION_KINDS["image_class"]
DATA = {"img": "s3://b/k.jpg"}


def config(**options: Any) -> Any:
    return question("image_class", **{"target": "img", "options": ["cat", "dog", "car"]} | options)


def test_is_the_choice_kind() -> None:
    assert isinstance(KIND, ChoiceKind)
    assert KIND.targets == frozenset({"image"}) and KIND.target_required


def test_one_pick() -> None:
    accepts(config(), {"choice": "cat"}, DATA)
    found = problem(config(), {"choice": "cow"}, DATA)
    assert (found.path, found.message) == (
        "choice",
        "'cow' is not one of the options ['car', 'cat', 'dog']",
    )
    assert problem(config(), {"choices": ["cat"]}, DATA).path == "choices"


def test_several_picks() -> None:
    c = config(multiple=True, max_choices=2)
    accepts(c, {"choices": ["cat", "car"]}, DATA)
    assert problem(c, {"choices": ["cat", "car", "dog"]}, DATA).message == "pick at most 2"
    assert problem(c, {"choices": ["cat", "cat"]}, DATA).message == "an option is picked twice"
    assert KIND.is_empty({"choices": []})


def test_distance_and_consensus() -> None:
    c = config()
    assert KIND.distance(c, {"choice": "cat"}, {"choice": "cat"}) == 0.0
    assert KIND.distance(c, {"choice": "cat"}, {"choice": "dog"}) == 1.0
    found = KIND.consensus(c, [{"choice": "cat"}, {"choice": "cat"}, {"choice": "dog"}])
    assert found.answer == {"choice": "cat"} and found.confidence == pytest.approx(2 / 3)
    several = config(multiple=True)
    assert KIND.distance(several, {"choices": ["cat", "car"]}, {"choices": ["cat"]}) == 0.5
    assert KIND.csv_cell(several, {"choices": ["cat", "car"]}) == "cat|car"


def test_needs_an_image_target() -> None:
    fields = [{"name": "img", "kind": "image"}, {"name": "doc", "kind": "text"}]
    q = {"name": "c", "kind": "image_class", "options": ["a"]}
    iface = parse_interface({"fields": fields, "questions": [q | {"target": "img"}]})
    assert iface.check_result({"c": {"choice": "a"}}, DATA) == []
    with pytest.raises(InterfaceError, match="works on a field of kind image, but 'doc' is text"):
        parse_interface({"fields": fields, "questions": [q | {"target": "doc"}]})
    with pytest.raises(InterfaceError, match="target"):
        parse_interface({"fields": fields, "questions": [q]})


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_fuzz_never_crashes(value: Any) -> None:
    check_or_problem(config(), value, DATA)
    check_or_problem(config(multiple=True), value, DATA)
