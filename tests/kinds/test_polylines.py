"""The ``polylines`` question: open lines of 2 or more points."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.kinds import QUESTION_KINDS
from accord.kinds.questions.polylines import resample
from tests.kinds.fuzz import accepts, check_or_problem, near, problem, question
from tests.kinds.test_points import same_pairs

KIND = QUESTION_KINDS["polylines"]
DATA = {"img": {"src": "s3://b/k.jpg", "width": 100, "height": 80}}
LINE = [[0, 10], [50, 10], [50, 60]]


def config(**options: Any) -> Any:
    return question("polylines", **{"target": "img", "labels": ["lane", "edge"]} | options)


def line(i: int = 0, points: Any = None, **extra: Any) -> dict[str, Any]:
    return {"id": f"l{i}", "label": "lane", "points": LINE if points is None else points} | extra


def answer(*objects: dict[str, Any]) -> dict[str, Any]:
    return {"objects": list(objects)}


def test_accepts_lines() -> None:
    accepts(config(), answer(line(0), line(1, [[0, 0], [100, 80]], label="edge")), DATA)
    # lines may cross themselves
    accepts(config(), answer(line(0, [[0, 0], [10, 10], [10, 0], [0, 10]])), DATA)


@pytest.mark.parametrize(
    ("points", "path", "message"),
    [
        ([[0, 0]], "objects[0].points", "1 points; a line has 2 to 10000 points"),
        ([[0, 0], [1, 2, 3]], "objects[0].points[1]", "expected [x, y], got a list"),
        ([[0, 0], [1, None]], "objects[0].points[1][1]", "expected a number, got null"),
        (
            [[0, 0], [float("-inf"), 1]],
            "objects[0].points[1][0]",
            "expected a finite number, got -inf",
        ),
        (
            [[0, 0], [50, 81]],
            "objects[0].points[1]",
            "(50, 81) lies outside the 100×80 image; keep x in 0..100 and y in 0..80",
        ),
    ],
)
def test_refuses_with_the_path(points: Any, path: str, message: str) -> None:
    found = problem(config(), answer(line(0, points)), DATA)
    assert (found.path, found.message) == (path, message)


def test_max_points() -> None:
    found = problem(config(max_points=2), answer(line(0)), DATA)
    assert (found.path, found.message) == (
        "objects[0].points",
        "3 points; a line has 2 to 2 points",
    )


def test_resample_keeps_the_ends_and_spaces_evenly() -> None:
    out = resample([[0, 0], [10, 0], [10, 10]], 5)
    assert out.tolist() == [[0, 0], [5, 0], [10, 0], [10, 5], [10, 10]]
    assert resample([[3, 4], [3, 4]], 3).tolist() == [[3, 4]] * 3


def test_distance() -> None:
    c = config()
    a = answer(line(0), line(1, [[0, 70], [90, 70]], label="edge"))
    assert KIND.distance(c, a, a) == 0.0
    # drawn the other way round: the same line
    reverse = answer(line(0, LINE[::-1]), line(1, [[90, 70], [0, 70]], label="edge"))
    assert KIND.distance(c, a, reverse) == 0.0
    # 8 px away on average (radius 10): matches; 30 px away: does not
    near_lines = answer(line(0, [[x, y + 8] for x, y in LINE]), a["objects"][1])
    assert KIND.distance(c, a, near_lines) == 0.0
    far = answer(line(0, [[x + 30, y] for x, y in LINE]), line(1, [[0, 0], [90, 0]], label="edge"))
    assert KIND.distance(c, a, far) == 1.0
    assert KIND.distance(config(radius=40), a, far) == 0.5


def test_consensus_of_noisy_copies_is_close_to_the_truth() -> None:
    c = config()
    truth = answer(line(0))
    noisy = [answer(line(0, [[x + d, y] for x, y in LINE])) for d in (2.0, 0.5, 3.0)]
    noisy[2]["objects"].append(line(9, [[0, 79], [99, 79]], label="edge"))
    found = KIND.consensus(c, noisy)
    assert found.answer in noisy[:2]  # the medoid: an answer without the stray line
    assert KIND.distance(c, found.answer, truth) == 0.0
    assert 0.5 < found.confidence < 1.0


lines = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["a", "b"]),
        "label": st.just("lane"),
        "points": near(st.lists(st.lists(st.floats(-5, 110), min_size=2, max_size=2), max_size=4)),
    }
)


@settings(max_examples=300, deadline=None)
@given(near(st.fixed_dictionaries({"objects": st.lists(near(lines), max_size=3)})))
def test_fuzz_never_crashes(value: Any) -> None:
    c = config()
    if check_or_problem(c, value, DATA):
        assert KIND.distance(c, value, value) == 0.0


paths = st.lists(
    st.lists(st.tuples(st.floats(0, 100), st.floats(0, 80)).map(list), min_size=2, max_size=5),
    min_size=1,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(paths, paths, st.floats(1, 40))
def test_the_pair_search_misses_nothing(first: list[Any], second: list[Any], radius: float) -> None:
    a = [line(i, p) for i, p in enumerate(first)]
    b = [line(i, p) for i, p in enumerate(second)]
    same_pairs(KIND, config(radius=radius), a, b)
