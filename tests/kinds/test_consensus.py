"""Per-kind distance between two answers and consensus of several (`QuestionKind`)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.kinds import QUESTION_KINDS
from accord.kinds.base import QuestionConfig
from accord.quality.rankings import borda, kendall_distance
from tests.kinds.fuzz import question

CHAT = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}] * 2


def distance(config: QuestionConfig, a: Any, b: Any) -> float:
    return QUESTION_KINDS[config.kind].distance(config, a, b)


def consensus(config: QuestionConfig, *answers: Any, weights: list[float] | None = None) -> Any:
    found = QUESTION_KINDS[config.kind].consensus(config, list(answers), weights)
    assert 0.0 <= found.confidence <= 1.0
    return found.answer, round(found.confidence, 4)


def test_choice() -> None:
    one = question("choice", options=["pos", "neg", "neu"])
    assert distance(one, {"choice": "pos"}, {"choice": "pos"}) == 0
    assert distance(one, {"choice": "pos"}, {"choice": "neg"}) == 1
    assert consensus(one, {"choice": "pos"}, {"choice": "neg"}, {"choice": "pos"}) == (
        {"choice": "pos"},
        round(2 / 3, 4),
    )
    # A tie goes to the first answer given; weights tip it.
    assert consensus(one, {"choice": "neg"}, {"choice": "pos"})[0] == {"choice": "neg"}
    weighed = consensus(one, {"choice": "neg"}, {"choice": "pos"}, weights=[1, 3])
    assert weighed == ({"choice": "pos"}, 0.75)
    many = question("choice", options=["a", "b", "c"], multiple=True)
    assert distance(many, {"choices": ["a", "b"]}, {"choices": ["b", "c"]}) == pytest.approx(2 / 3)
    answer, confidence = consensus(
        many, {"choices": ["a", "b"]}, {"choices": ["a"]}, {"choices": ["a", "c"]}
    )
    assert answer == {"choices": ["a"]}
    assert confidence == round((1 + 2 / 3 + 2 / 3) / 3, 4)


def test_empty_answers_count_against_the_others() -> None:
    one = question("choice", options=["pos", "neg"])
    assert distance(one, None, None) == 0
    assert distance(one, None, {"choice": "pos"}) == 1
    assert consensus(one, None, None, {"choice": "pos"}) == (None, round(2 / 3, 4))
    assert consensus(one, None, {"choice": "pos"}, {"choice": "pos"}) == (
        {"choice": "pos"},
        round(2 / 3, 4),
    )


def test_rating_median_and_spread() -> None:
    config = question("rating", min=1, max=5)
    assert distance(config, {"rating": 1}, {"rating": 5}) == 1
    assert distance(config, {"rating": 2}, {"rating": 3}) == 0.25
    answer, confidence = consensus(config, {"rating": 2}, {"rating": 3}, {"rating": 5})
    assert answer == {"rating": 3}
    assert confidence == round(1 - (0.25 + 0 + 0.5) / 3, 4)
    # The median is always one of the ratings given (the lower one), so it stays on the grid.
    assert consensus(config, {"rating": 2}, {"rating": 3})[0] == {"rating": 2}


def test_pairwise() -> None:
    config = question("pairwise", max_strength=3)
    assert distance(config, {"choice": "A"}, {"choice": "B"}) == 1
    assert distance(config, {"choice": "A"}, {"choice": "tie"}) == 0.5
    assert distance(config, {"choice": "A", "strength": 1}, {"choice": "A", "strength": 3}) == (
        pytest.approx(1 / 3)
    )
    answer, confidence = consensus(
        config,
        {"choice": "A", "strength": 1},
        {"choice": "A", "strength": 3},
        {"choice": "A", "strength": 2},
        {"choice": "B"},
    )
    assert answer == {"choice": "A", "strength": 2}
    assert confidence == 0.75


def test_ranking_kendall_and_borda() -> None:
    config = question("ranking", options=["x", "y", "z"])
    assert distance(config, {"order": [0, 1, 2]}, {"order": [0, 1, 2]}) == 0
    assert distance(config, {"order": [0, 1, 2]}, {"order": [2, 1, 0]}) == 1
    assert distance(config, {"order": [0, 1, 2]}, {"order": [1, 0, 2]}) == pytest.approx(1 / 3)
    answer, _ = consensus(config, {"order": [0, 1, 2]}, {"order": [1, 0, 2]}, {"order": [0, 2, 1]})
    assert answer == {"order": [0, 1, 2]}
    tied = question("ranking", options=["x", "y", "z"], ties=True)
    assert distance(tied, {"order": [[0, 1], [2]]}, {"order": [0, 1, 2]}) == pytest.approx(1 / 6)
    assert consensus(tied, {"order": [0, 1, 2]}, {"order": [1, 0, 2]})[0] == {
        "order": [[0, 1], [2]]
    }
    assert borda([[0, 1, 2], [2, 1, 0]]) == [0, 1, 2]
    assert kendall_distance([0], [0]) == 0


def test_rubric_per_criterion() -> None:
    config = question(
        "rubric",
        criteria=[
            {"name": "ok", "type": "pass_fail"},
            {"name": "style", "min": 1, "max": 5, "weight": 3},
        ],
    )
    a = {"criteria": {"ok": True, "style": 1}, "comment": "meh"}
    b = {"criteria": {"ok": False, "style": 5}}
    assert distance(config, a, b) == 1
    assert distance(config, a, {"criteria": {"ok": True, "style": 3}}) == pytest.approx(0.375)
    c = {"criteria": {"ok": True, "style": 4}}
    answer, _ = consensus(config, a, b, c)
    assert answer == {"criteria": {"ok": True, "style": 4}}


def test_spans_majority_and_f1() -> None:
    config = question("spans", target="t", labels=["PER", "LOC"])
    alice = {"start": 0, "end": 5, "label": "PER", "text": "Alice"}
    paris = {"start": 9, "end": 14, "label": "LOC"}
    assert distance(config, {"spans": [alice]}, {"spans": [alice]}) == 0
    assert distance(config, {"spans": [alice, paris]}, {"spans": [alice]}) == pytest.approx(1 / 3)
    assert distance(config, {"spans": []}, {"spans": [alice]}) == 1
    answer, confidence = consensus(
        config, {"spans": [alice, paris]}, {"spans": [alice]}, {"spans": [paris, alice]}
    )
    assert answer == {"spans": [alice, paris]}
    assert confidence == round(1 - (1 / 3) / 3, 4)


def test_text_medoid() -> None:
    config = question("text")
    assert distance(config, {"text": "abcd"}, {"text": "abce"}) == 0.25
    assert distance(config, {"text": " same"}, {"text": "same "}) == 0
    answer, confidence = consensus(
        config, {"text": "the cat sat"}, {"text": "the cat sat."}, {"text": "a dog ran"}
    )
    assert answer == {"text": "the cat sat"}
    assert 0 < confidence < 1


def test_turns_by_rating_and_labels() -> None:
    rated = question("turns", target="c", rating={"min": 1, "max": 5})
    a = {"turns": [{"index": 1, "rating": 5}, {"index": 3, "rating": 1}]}
    b = {"turns": [{"index": 1, "rating": 1}]}
    assert distance(rated, a, b) == 1  # turn 1: 1 apart; turn 3: judged by one only
    assert distance(rated, a, a) == 0
    answer, _ = consensus(rated, a, b, {"turns": [{"index": 1, "rating": 4}]})
    assert answer == {"turns": [{"index": 1, "rating": 4}]}
    labelled = question("turns", target="c", labels=["good", "bad"], multiple=True)
    x = {"turns": [{"index": 1, "labels": ["good", "bad"]}]}
    y = {"turns": [{"index": 1, "labels": ["good"]}]}
    assert distance(labelled, x, y) == 0.5
    assert consensus(labelled, x, y, y)[0] == {"turns": [{"index": 1, "labels": ["good"]}]}


ANSWERS: dict[str, tuple[dict[str, Any], st.SearchStrategy[Any]]] = {
    "choice": (
        {"options": ["a", "b", "c"], "multiple": True, "min_choices": 0},
        st.lists(st.sampled_from("abc"), unique=True).map(lambda c: {"choices": c}),
    ),
    "rating": ({"min": 0, "max": 10}, st.integers(0, 10).map(lambda r: {"rating": r})),
    "ranking": (
        {"options": ["a", "b", "c", "d"]},
        st.permutations([0, 1, 2, 3]).map(lambda o: {"order": o}),
    ),
    "text": ({}, st.text(max_size=12).map(lambda t: {"text": t})),
    "spans": (
        {"target": "t", "labels": ["A", "B"], "overlap": True},
        st.lists(
            st.tuples(st.integers(0, 5), st.integers(1, 4), st.sampled_from("AB")),
            unique=True,
            max_size=4,
        ).map(lambda s: {"spans": [{"start": a, "end": a + n, "label": x} for a, n, x in s]}),
    ),
}


@pytest.mark.parametrize("kind", sorted(ANSWERS))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_distance_is_a_symmetric_share(kind: str, data: st.DataObject) -> None:
    options, answers = ANSWERS[kind]
    config = question(kind, **options)
    a, b = data.draw(answers), data.draw(answers)
    d = distance(config, a, b)
    assert 0.0 <= d <= 1.0
    assert d == pytest.approx(distance(config, b, a))
    assert distance(config, a, a) == 0
    group = data.draw(st.lists(answers, min_size=1, max_size=5))
    QUESTION_KINDS[kind].consensus(config, group)  # never raises


def test_task_consensus_agreement_and_skills() -> None:
    from accord.kinds.consensus import Skills, lowest_agreement, task_consensus

    label = question("choice", options=["pos", "neg"])
    answers = [
        (1, {"q": {"choice": "pos"}}),
        (2, {"q": {"choice": "neg"}}),
        (3, {"q": {"choice": "neg"}}),
    ]
    found = task_consensus([label], answers)
    assert found[0].answer == {"choice": "neg"} and found[0].method == "majority"
    assert round(found[0].agreement or 0, 4) == 0.3333 and found[0].n == 3
    assert lowest_agreement(found) == found[0].agreement
    assert task_consensus([label], answers[:1])[0].agreement is None, "one answer: no pair"
    # Annotators 2 and 3 always say the opposite of the truth; 1 is right: pos wins.
    flipped = [[0.05, 0.95], [0.95, 0.05]]
    skills = Skills(
        {
            "classes": ["pos", "neg"],
            "priors": [0.5, 0.5],
            "annotators": {"1": [[0.9, 0.1], [0.1, 0.9]], "2": flipped, "3": flipped},
        }
    )
    weighed = task_consensus([label], answers, {"q": skills})[0]
    assert weighed.answer == {"choice": "pos"} and weighed.method == "dawid_skene"
    assert weighed.confidence > 0.99
