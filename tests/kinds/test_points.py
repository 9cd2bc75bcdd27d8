"""The ``points`` question: single positions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from accord.kinds import QUESTION_KINDS
from accord.kinds.questions.shape_matching import dense_pairs
from tests.kinds.fuzz import accepts, check_or_problem, json_values, near, problem, question

KIND = QUESTION_KINDS["points"]
DATA = {"img": {"src": "s3://b/k.jpg", "width": 100, "height": 80}}


def config(**options: Any) -> Any:
    return question("points", **{"target": "img", "labels": ["seed", "eye"]} | options)


def point(i: int, x: Any, y: Any, label: str = "seed", **extra: Any) -> dict[str, Any]:
    return {"id": f"p{i}", "label": label, "x": x, "y": y} | extra


def answer(*objects: dict[str, Any]) -> dict[str, Any]:
    return {"objects": list(objects)}


def test_accepts_points() -> None:
    accepts(config(), answer(point(0, 0, 0), point(1, 100.5, 80.5, "eye", score=0.2)), DATA)


@pytest.mark.parametrize(
    ("obj", "path", "message"),
    [
        (
            point(0, 101, 5),
            "objects[0].x",
            "(101, 5) lies outside the 100×80 image; keep x in 0..100 and y in 0..80",
        ),
        (
            point(0, 5, -0.7),
            "objects[0].y",
            "(5, -0.7) lies outside the 100×80 image; keep x in 0..100 and y in 0..80",
        ),
        (point(0, "5", 5), "objects[0].x", "expected a number, got a string"),
        (point(0, 5, True), "objects[0].y", "expected a number, got true"),
        (point(0, 5, float("nan")), "objects[0].y", "expected a finite number, got nan"),
        ({"id": "a", "label": "seed", "x": 1}, "objects[0].y", "missing"),
        (
            point(0, 1, 1, points=[]),
            "objects[0].points",
            "unknown key; an object has "
            "attributes, group, hidden, id, label, locked, occluded, score, truncated, x, y, z",
        ),
    ],
)
def test_refuses_with_the_path(obj: dict[str, Any], path: str, message: str) -> None:
    found = problem(config(), answer(obj), DATA)
    assert (found.path, found.message) == (path, message)


def test_radius_is_positive() -> None:
    with pytest.raises(ValidationError):
        config(radius=0)


def test_distance_by_radius() -> None:
    c = config()
    a = answer(point(0, 10, 10), point(1, 50, 50, "eye"))
    assert KIND.distance(c, a, a) == 0.0
    assert KIND.distance(c, a, answer(point(0, 16, 18), point(1, 50, 59, "eye"))) == 0.0
    assert KIND.distance(c, a, answer(point(0, 10, 21), point(1, 61, 50, "eye"))) == 1.0
    assert KIND.distance(c, a, answer(point(0, 10, 21), point(1, 55, 50, "eye"))) == 0.5
    assert (
        KIND.distance(config(radius=12), a, answer(point(0, 10, 21), point(1, 61, 50, "eye")))
        == 0.0
    )
    # the same place under another label does not match
    assert KIND.distance(c, answer(point(0, 1, 1)), answer(point(0, 1, 1, "eye"))) == 1.0


def test_matching_is_one_to_one_and_prefers_the_closer_pair() -> None:
    c = config()
    a = answer(point(0, 10, 10), point(1, 18, 10))
    b = answer(point(0, 16, 10), point(1, 26, 10))
    # greedily pairing the closest (18, 16) would leave 10 and 26 apart; the optimal
    # assignment pairs 10-16 and 18-26, both within the radius
    assert KIND.distance(c, a, b) == 0.0
    assert KIND.distance(c, answer(point(0, 10, 10)), b) == pytest.approx(1 - 2 / 3)


def test_consensus_of_noisy_copies_is_close_to_the_truth() -> None:
    c = config()
    truth = answer(point(0, 20, 20), point(1, 60, 40, "eye"))
    noisy = [answer(point(0, 20 + d, 20 - d), point(1, 60 - d, 40, "eye")) for d in (-2, 1, 3)]
    found = KIND.consensus(c, noisy)
    assert KIND.distance(c, found.answer, truth) == 0.0
    assert found.confidence == pytest.approx(1.0)


coordinates = st.one_of(st.floats(-5, 110), st.integers(-5, 110), json_values)
points = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["a", "b"]),
        "label": st.just("seed"),
        "x": coordinates,
        "y": coordinates,
    }
)


@settings(max_examples=300, deadline=None)
@given(near(st.fixed_dictionaries({"objects": st.lists(near(points), max_size=3)})))
def test_fuzz_never_crashes(value: Any) -> None:
    c = config()
    if check_or_problem(c, value, DATA):
        assert KIND.distance(c, value, value) == 0.0


def same_pairs(kind: Any, c: Any, a: list[Any], b: list[Any]) -> None:
    """The kind's fast pair search finds exactly the pairs the full matrix has."""
    row, col, sim = kind.pairs(c, a, b)
    d_row, d_col, d_sim = dense_pairs(lambda x, y: kind.similarity(c, x, y), a, b, 0.5)
    fast = sorted(zip(row.tolist(), col.tolist(), sim.round(9).tolist(), strict=True))
    full = sorted(zip(d_row.tolist(), d_col.tolist(), d_sim.round(9).tolist(), strict=True))
    assert fast == full


places = st.lists(st.tuples(st.floats(0, 100), st.floats(0, 80)), min_size=1, max_size=20)


@settings(max_examples=200, deadline=None)
@given(places, places, st.floats(0.5, 30))
def test_the_pair_search_misses_nothing(first: list[Any], second: list[Any], radius: float) -> None:
    a = [point(i, x, y) for i, (x, y) in enumerate(first)]
    b = [point(i, x, y) for i, (x, y) in enumerate(second)]
    same_pairs(KIND, config(radius=radius), a, b)
