"""The ``rubric`` question: named criteria, each pass/fail or a score."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.kinds import QUESTION_KINDS, InterfaceError, parse_interface
from accord.kinds.questions.rubric import RubricKind
from tests.kinds.fuzz import accepts, check_or_problem, near, problem, question

KIND = QUESTION_KINDS["rubric"]
assert isinstance(KIND, RubricKind)
CRITERIA = [
    {"name": "accuracy", "label": "Accurate", "type": "pass_fail", "weight": 2},
    {"name": "style", "type": "score", "min": 1, "max": 5},
    {"name": "depth", "min": 0, "max": 10, "weight": 0.5, "description": "Goes past the obvious"},
]


def config(**options: Any) -> Any:
    return question("rubric", **{"criteria": CRITERIA, **options})


def answer(**criteria: Any) -> dict[str, Any]:
    return {"criteria": {"accuracy": True, "style": 4, "depth": 10, **criteria}}


def test_accepts_every_criterion_judged() -> None:
    accepts(config(), answer())
    accepts(config(), {**answer(), "comment": "Cites sources."})


def test_every_criterion_must_be_judged() -> None:
    found = problem(config(), {"criteria": {"accuracy": False, "depth": 0}})
    assert (found.path, found.message) == (
        "criteria.style",
        "style is not judged yet; every criterion needs a verdict (2 of 3 judged)",
    )


def test_every_criterion_left_out_is_named_by_its_title() -> None:
    found = problem(config(), {"criteria": {"style": 3}})
    assert (found.path, found.message) == (
        "criteria.accuracy",
        "Accurate and depth are not judged yet; every criterion needs a verdict (1 of 3 judged)",
    )
    assert problem(config(), {"criteria": {}, "comment": "off topic"}).message == (
        "Accurate, style and depth are not judged yet; every criterion needs a verdict "
        "(0 of 3 judged)"
    )
    many = [{"name": f"c{i}", "type": "pass_fail"} for i in range(12)]
    assert problem(question("rubric", criteria=many), {"criteria": {"c0": True}}).message == (
        "c1, c2, c3, c4, c5, c6, c7 and 4 more are not judged yet; every criterion needs a "
        "verdict (1 of 12 judged)"
    )


def test_unknown_criterion() -> None:
    found = problem(config(), answer(tone=3))
    assert (found.path, found.message) == (
        "criteria.tone",
        "no such criterion; the criteria are accuracy, depth, style",
    )


def test_judgement_types() -> None:
    found = problem(config(), answer(accuracy=1))
    assert (found.path, found.message) == (
        "criteria.accuracy",
        "expected true (pass) or false (fail), got a number",
    )
    assert problem(config(), answer(style=True)).path == "criteria.style"
    assert problem(config(), answer(style=4.0)).path == "criteria.style"
    assert problem(config(), answer(style=6)).message == "6 is above the maximum 5"
    assert problem(config(), answer(depth=-1)).message == "-1 is below the minimum 0"


def test_answer_shape() -> None:
    assert problem(config(), {**answer(), "comment": 3}).path == "comment"
    assert problem(config(), {**answer(), "score": 3}).path == "score"
    assert problem(config(), {"criteria": [True, 4, 10]}).path == "criteria"
    assert problem(config(), {"comment": "only"}).path == "criteria"


def test_weighted_score() -> None:
    # (2 * 1 + 1 * (4 - 1) / 4 + 0.5 * (10 - 0) / 10) / (2 + 1 + 0.5)
    assert KIND.weighted_score(config(), answer()) == pytest.approx((2 + 0.75 + 0.5) / 3.5)
    worst = answer(accuracy=False, style=1, depth=0)
    assert KIND.weighted_score(config(), worst) == 0.0
    best = answer(style=5)
    assert KIND.weighted_score(config(), best) == pytest.approx(1.0)


def test_is_empty_and_csv_cell() -> None:
    assert KIND.is_empty(None)
    assert KIND.is_empty({"criteria": {}})
    assert KIND.is_empty({"criteria": {}, "comment": ""})
    assert not KIND.is_empty({"criteria": {}, "comment": "Not judged: off topic."})
    assert not KIND.is_empty(answer())
    value = {**answer(), "comment": "ok"}
    assert orjson.loads(KIND.csv_cell(config(), value)) == value


def config_error(criteria: list[dict[str, Any]], **options: Any) -> str:
    interface = {
        "fields": [{"name": "reply", "kind": "markdown"}, {"name": "chat", "kind": "chat"}],
        "questions": [
            {"name": "sentiment", "kind": "choice", "options": ["pos", "neg"]},
            {"name": "stars", "kind": "rating"},
            {"name": "judge", "kind": "rubric", "criteria": criteria, **options},
        ],
    }
    with pytest.raises(InterfaceError) as caught:
        parse_interface(interface)
    return str(caught.value)


def test_config_errors_name_the_criterion() -> None:
    ok = {"name": "accuracy", "type": "pass_fail"}
    assert config_error([ok, {"name": "style", "min": 5, "max": 5}]) == (
        "questions[2].criteria[1].max: must be greater than min (5)"
    )
    assert config_error([ok, {"name": "style", "weight": 0}]).startswith(
        "questions[2].criteria[1].weight: "
    )
    assert config_error([ok, {"name": "bad name"}]).startswith("questions[2].criteria[1].name: ")
    assert config_error([ok, {"name": "x", "type": "stars"}]).startswith(
        "questions[2].criteria[1].type: "
    )
    assert config_error([ok, dict(ok)]) == (
        "questions[2].criteria: the criterion name 'accuracy' is used twice"
    )
    assert config_error([{"name": "a", "type": "pass_fail", "max": 3}]) == (
        "questions[2].criteria[0]: min and max apply to score criteria only; remove them"
    )
    assert config_error([]).startswith("questions[2].criteria: ")


def test_target_is_any_judged_field() -> None:
    for target in ("reply", "chat"):
        interface = {
            "fields": [{"name": "reply", "kind": "markdown"}, {"name": "chat", "kind": "chat"}],
            "questions": [
                {"name": "judge", "kind": "rubric", "target": target, "criteria": CRITERIA}
            ],
        }
        assert parse_interface(interface).questions[0].target == target


judgements = near(st.booleans(), st.integers(min_value=-1, max_value=11))
answers = near(
    st.fixed_dictionaries(
        {
            "criteria": near(
                st.fixed_dictionaries(
                    {"accuracy": judgements, "style": judgements},
                    optional={"depth": judgements, "tone": judgements},
                )
            )
        },
        optional={"comment": near(st.text(max_size=5))},
    )
)


@settings(max_examples=300, deadline=None)
@given(answers)
def test_any_json_passes_or_is_a_problem(value: Any) -> None:
    if check_or_problem(config(), value, {}):
        assert 0.0 <= KIND.weighted_score(config(), value) <= 1.0
