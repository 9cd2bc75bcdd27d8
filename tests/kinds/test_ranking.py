"""The ``ranking`` question: an order of items, best first, optionally with ties."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.kinds import QUESTION_KINDS, InterfaceError, parse_interface
from tests.kinds.fuzz import accepts, check_or_problem, near, problem, question

KIND = QUESTION_KINDS["ranking"]
DATA = {"responses": ["a", "b", "c"]}


def test_permutation_of_the_target_items() -> None:
    config = question("ranking", target="responses")
    accepts(config, {"order": [2, 0, 1]}, DATA)
    found = problem(config, {"order": [2, 0, 2]}, DATA)
    assert (found.path, found.message) == ("order[2]", "index 2 is ranked twice (also at order[0])")
    found = problem(config, {"order": [2, 0]}, DATA)
    assert (found.path, found.message) == ("order", "index 1 is missing; rank every item, 0 to 2")
    found = problem(config, {"order": [2, 0, 3]}, DATA)
    assert (found.path, found.message) == ("order[2]", "3 is not an item; the items are 0 to 2")
    assert problem(config, {"order": [2, 0, True]}, DATA).path == "order[2]"
    assert problem(config, {"order": [2, 0, 1.0]}, DATA).path == "order[2]"
    assert problem(config, {"order": "2,0,1"}, DATA).path == "order"


def test_count_comes_from_the_task() -> None:
    config = question("ranking", target="responses")
    accepts(config, {"order": [1, 0]}, {"responses": ["x", "y"]})
    assert problem(config, {"order": [0]}, {}).message == (
        "the task's 'responses' field is not a list (null)"
    )
    assert problem(config, {"order": [0]}, {"responses": []}).message == (
        "0 is not an item; this task has nothing to rank"
    )


def test_fixed_options() -> None:
    config = question("ranking", options=["speed", {"value": "price"}, "comfort"])
    accepts(config, {"order": [1, 2, 0]})
    assert problem(config, {"order": [1, 2]}).message.startswith("index 0 is missing")


def test_groups_when_ties_are_allowed() -> None:
    config = question("ranking", target="responses", ties=True)
    accepts(config, {"order": [[2], [0, 1]]}, DATA)
    accepts(config, {"order": [2, 0, 1]}, DATA)  # the plain form stays valid
    found = problem(config, {"order": [[2], [0, 2]]}, DATA)
    assert (found.path, found.message) == (
        "order[1][1]",
        "index 2 is ranked twice (also at order[0][0])",
    )
    found = problem(config, {"order": [[2], 0, 1]}, DATA)
    assert found.path == "order[1]"
    assert found.message.startswith("expected a group (a list of indices), got a number")
    assert problem(config, {"order": [[2], [], [0, 1]]}, DATA).message == (
        "an empty group; remove it"
    )
    assert problem(config, {"order": [[2, 0]]}, DATA).message.startswith("index 1 is missing")


def test_groups_refused_without_ties() -> None:
    found = problem(question("ranking", target="responses"), {"order": [[2], [0, 1]]}, DATA)
    assert (found.path, found.message) == ("order[0]", "expected a whole number, got a list")


def test_is_empty_and_csv_cell() -> None:
    config = question("ranking", target="responses", ties=True)
    assert KIND.is_empty(None)
    assert KIND.is_empty({"order": []})
    assert not KIND.is_empty({"order": [0]})
    assert KIND.csv_cell(config, {"order": [2, 0, 1]}) == "[2,0,1]"
    assert KIND.csv_cell(config, {"order": [[2], [0, 1]]}) == "[[2],[0,1]]"


def config_error(**options: Any) -> str:
    interface = {
        "fields": [{"name": "responses", "kind": "text_list"}, {"name": "doc", "kind": "text"}],
        "questions": [{"name": "rank", "kind": "ranking", **options}],
    }
    with pytest.raises(InterfaceError) as caught:
        parse_interface(interface)
    return str(caught.value)


def test_config_needs_exactly_one_source() -> None:
    both = "questions[0]: give exactly one of target (a text_list field whose items are ranked)"
    assert config_error().startswith(both)
    assert config_error(target="responses", options=["a", "b"]).startswith(both)
    assert config_error(target="doc") == (
        "questions[0] (rank): a ranking question works on a field of kind text_list, "
        "but 'doc' is text"
    )
    assert config_error(options=["a", "a"]) == "questions[0].options: option 'a' is listed twice"


indices = near(st.integers(min_value=-1, max_value=3))
orders = st.one_of(st.lists(indices, max_size=5), st.lists(near(st.lists(indices, max_size=3))))
answers = near(st.fixed_dictionaries({"order": near(orders)}))


@settings(max_examples=300, deadline=None)
@given(answers, near(st.just(DATA["responses"])), st.booleans())
def test_any_json_passes_or_is_a_problem(value: Any, items: Any, ties: bool) -> None:
    config = question("ranking", target="responses", ties=ties)
    if check_or_problem(config, value, {"responses": items}):
        order = value["order"]
        flat = [i for group in order for i in group] if order and type(order[0]) is list else order
        assert sorted(flat) == list(range(len(items)))
