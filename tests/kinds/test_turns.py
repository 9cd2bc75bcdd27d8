"""The ``turns`` question: per-turn judgements over a chat field."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.kinds import QUESTION_KINDS, InterfaceError, parse_interface
from tests.kinds.fuzz import accepts, check_or_problem, near, problem, question

KIND = QUESTION_KINDS["turns"]
CHAT = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "Hello!"},
    {"role": "user", "content": "Capital of France?"},
    {"role": "assistant", "content": "Paris."},
]
DATA = {"chat": CHAT}
LABELS = ["helpful", "harmful", {"value": "off_topic", "label": "Off topic"}]


def rated(**options: Any) -> Any:
    return question("turns", **{"target": "chat", "rating": {"min": 1, "max": 5}, **options})


def labelled(**options: Any) -> Any:
    return question("turns", **{"target": "chat", "labels": LABELS, **options})


def turns(*items: dict[str, Any]) -> dict[str, Any]:
    return {"turns": list(items)}


def test_rating_turns() -> None:
    accepts(rated(), turns({"index": 2, "rating": 4}, {"index": 4, "rating": 1}), DATA)
    found = problem(rated(), turns({"index": 2, "rating": 6}), DATA)
    assert (found.path, found.message) == ("turns[0].rating", "6 is above the maximum 5")
    assert problem(rated(), turns({"index": 2, "rating": True}), DATA).path == "turns[0].rating"
    assert problem(rated(), turns({"index": 2, "labels": ["helpful"]}), DATA).path == (
        "turns[0].labels"
    )


def test_only_eligible_roles_are_judged() -> None:
    found = problem(rated(), turns({"index": 1, "rating": 3}), DATA)
    assert (found.path, found.message) == (
        "turns[0].index",
        "turn 1 is a 'user' turn; only assistant turns are judged",
    )
    accepts(rated(roles=[]), turns({"index": 0, "rating": 3}), DATA)
    accepts(rated(roles=["user"]), turns({"index": 3, "rating": 3}), DATA)


def test_index_problems() -> None:
    found = problem(rated(), turns({"index": 5, "rating": 3}), DATA)
    assert (found.path, found.message) == (
        "turns[0].index",
        "5 is not a turn; the chat has 5 turns",
    )
    assert problem(rated(), turns({"index": -1, "rating": 3}), DATA).path == "turns[0].index"
    assert problem(rated(), turns({"index": False, "rating": 3}), DATA).path == "turns[0].index"
    found = problem(rated(), turns({"index": 2, "rating": 3}, {"index": 2, "rating": 4}), DATA)
    assert (found.path, found.message) == (
        "turns[1].index",
        "turn 2 is judged twice (also turns[0])",
    )


def test_labels_one_or_several() -> None:
    accepts(labelled(), turns({"index": 2, "labels": ["helpful"]}), DATA)
    found = problem(labelled(), turns({"index": 2, "labels": ["helpful", "harmful"]}), DATA)
    assert (found.path, found.message) == ("turns[0].labels", "2 labels; pick exactly one")
    assert problem(labelled(), turns({"index": 2, "labels": "helpful"}), DATA).path == (
        "turns[0].labels"
    )
    assert problem(labelled(), turns({"index": 2, "labels": []}), DATA).message == "pick a label"
    several = labelled(multiple=True)
    accepts(several, turns({"index": 2, "labels": ["helpful", "off_topic"]}), DATA)
    found = problem(several, turns({"index": 2, "labels": ["helpful", "rude"]}), DATA)
    assert found.path == "turns[0].labels[1]"
    assert problem(
        several, turns({"index": 2, "labels": ["helpful", "helpful"]}), DATA
    ).message == ("a label is picked twice")


def test_all_turns() -> None:
    config = rated(all_turns=True)
    accepts(config, turns({"index": 4, "rating": 2}, {"index": 2, "rating": 5}), DATA)
    found = problem(config, turns({"index": 4, "rating": 2}), DATA)
    assert (found.path, found.message) == (
        "turns",
        "turn 2 (assistant) is not judged; judge every such turn",
    )
    assert KIND.is_empty(turns())  # an empty answer is left to `required`


def test_task_data_must_be_a_chat() -> None:
    answer = turns({"index": 0, "rating": 3})
    assert problem(rated(), answer, {}).message == "the task's 'chat' field is not a chat (null)"
    assert problem(rated(), answer, {"chat": ["hi"]}).message == (
        "the task's 'chat' field: turn 0 has no role"
    )


def test_is_empty_and_csv_cell() -> None:
    assert KIND.is_empty(None)
    assert KIND.is_empty({})
    assert KIND.is_empty({"turns": []})
    answer = turns({"index": 2, "rating": 4})
    assert not KIND.is_empty(answer)
    assert orjson.loads(KIND.csv_cell(rated(), answer)) == answer


def config_error(**options: Any) -> str:
    interface = {
        "fields": [{"name": "chat", "kind": "chat"}, {"name": "doc", "kind": "text"}],
        "questions": [{"name": "per_turn", "kind": "turns", **options}],
    }
    with pytest.raises(InterfaceError) as caught:
        parse_interface(interface)
    return str(caught.value)


def test_config_errors() -> None:
    one = "questions[0]: give exactly one of rating ({min, max}) and labels"
    assert config_error(target="chat") == one
    assert config_error(target="chat", rating={}, labels=["a"]) == one
    assert config_error(target="chat", rating={}, multiple=True) == (
        "questions[0]: multiple applies to labels only; remove it"
    )
    assert config_error(target="chat", rating={"min": 3, "max": 2}).endswith(
        "max: must be greater than min (3)"
    )
    assert config_error(target="doc", labels=["a"]) == (
        "questions[0] (per_turn): a turns question works on a field of kind chat, but 'doc' is text"
    )
    assert config_error(labels=["a"]).startswith("questions[0].target: ")


def test_config_error_path_keeps_the_rating_option() -> None:
    assert config_error(target="chat", rating={"min": 3, "max": 2}) == (
        "questions[0].rating.max: must be greater than min (3)"
    )


index = near(st.integers(min_value=-1, max_value=6))
items = st.fixed_dictionaries(
    {"index": index},
    optional={
        "rating": near(st.integers(min_value=0, max_value=6)),
        "labels": near(st.lists(near(st.sampled_from(["helpful", "harmful"])), max_size=3)),
    },
)
answers = near(st.fixed_dictionaries({"turns": near(st.lists(near(items), max_size=4))}))


@settings(max_examples=300, deadline=None)
@given(answers, near(st.just(CHAT)), st.booleans(), st.booleans(), st.booleans())
def test_any_json_passes_or_is_a_problem(
    value: Any, chat: Any, by_rating: bool, multiple: bool, all_turns: bool
) -> None:
    if by_rating:
        config = rated(all_turns=all_turns)
    else:
        config = labelled(multiple=multiple, all_turns=all_turns)
    check_or_problem(config, value, {"chat": chat})
