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
        "turn #1 is a 'user' turn; only assistant turns are judged",
    )
    accepts(rated(roles=[]), turns({"index": 0, "rating": 3}), DATA)
    accepts(rated(roles=["user"]), turns({"index": 3, "rating": 3}), DATA)


def test_index_problems() -> None:
    found = problem(rated(), turns({"index": 5, "rating": 3}), DATA)
    assert (found.path, found.message) == (
        "turns[0].index",
        "there is no turn #5; the chat has 5 turns (#0 to #4)",
    )
    assert problem(rated(), turns({"index": -1, "rating": 3}), DATA).path == "turns[0].index"
    assert problem(rated(), turns({"index": False, "rating": 3}), DATA).path == "turns[0].index"
    found = problem(rated(), turns({"index": 2, "rating": 3}, {"index": 2, "rating": 4}), DATA)
    assert (found.path, found.message) == (
        "turns[1].index",
        "turn #2 is judged twice (items 0 and 1 of the list); judge each turn once",
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
        "turn #2 is not judged yet; this question asks you to judge every assistant turn "
        "(1 of 2 judged)",
    )
    assert KIND.is_empty(turns())  # an empty answer is left to `required`


def test_all_turns_names_every_turn_left_out() -> None:
    found = problem(rated(all_turns=True, roles=[]), turns({"index": 2, "rating": 2}), DATA)
    assert (found.path, found.message) == (
        "turns",
        "turns #0, #1, #3 and #4 are not judged yet; this question asks you to judge every "
        "turn (1 of 5 judged)",
    )
    found = problem(
        labelled(all_turns=True, roles=["user", "system"]),
        turns({"index": 3, "labels": ["helpful"]}),
        DATA,
    )
    assert found.message == (
        "turns #0 and #1 are not judged yet; this question asks you to judge every user or "
        "system turn (1 of 3 judged)"
    )


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
    """Every value gets the verdict it deserves (a checker refusing or accepting everything
    fails), and anything else than a `Problem` escapes."""
    if by_rating:
        config = rated(all_turns=all_turns)
    else:
        config = labelled(multiple=multiple, all_turns=all_turns)
    verdict = check_or_problem(config, value, {"chat": chat})
    assert verdict == fits(value, chat, by_rating, multiple, all_turns), (value, chat)


def fits(value: Any, chat: Any, by_rating: bool, multiple: bool, all_turns: bool) -> bool:
    """The oracle: whether a turns answer fits, written independently of the kind (assistant
    turns are judged; ratings 1 to 5; labels helpful, harmful, off_topic)."""
    if type(chat) is not list or not all(
        type(t) is dict and type(t.get("role")) is str for t in chat
    ):
        return False
    key = "rating" if by_rating else "labels"
    if type(value) is not dict or set(value) != {"turns"} or type(value["turns"]) is not list:
        return False
    judged: list[int] = []
    for item in value["turns"]:
        if type(item) is not dict or set(item) != {"index", key} or type(item["index"]) is not int:
            return False
        index = item["index"]
        if not 0 <= index < len(chat) or chat[index]["role"] != "assistant":
            return False
        if by_rating and not (type(item[key]) is int and 1 <= item[key] <= 5):
            return False
        if not by_rating and not good_labels(item[key], multiple):
            return False
        judged.append(index)
    if len(set(judged)) != len(judged):
        return False
    assistant = {i for i, t in enumerate(chat) if t["role"] == "assistant"}
    return not (all_turns and judged and not assistant <= set(judged))


def good_labels(labels: Any, multiple: bool) -> bool:
    allowed = {"helpful", "harmful", "off_topic"}
    return (
        type(labels) is list
        and 0 < len(labels) <= (len(allowed) if multiple else 1)
        and all(type(label) is str and label in allowed for label in labels)
        and len(set(labels)) == len(labels)
    )
