"""The ``keypoints`` question: named skeletons with per-point visibility."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from accord.kinds import QUESTION_KINDS
from tests.kinds.fuzz import accepts, check_or_problem, json_values, near, problem, question
from tests.kinds.test_points import same_pairs

KIND = QUESTION_KINDS["keypoints"]
DATA = {"img": {"src": "s3://b/k.jpg", "width": 200, "height": 160}}
SKELETON = {
    "points": ["head", "left_hand", "right_hand", "foot"],
    "edges": [[0, 1], [0, 2], [0, 3]],
}
POSE = [[50, 20, 2], [30, 50, 2], [70, 50, 1], [50, 100, 2]]


def config(**options: Any) -> Any:
    return question(
        "keypoints", **{"target": "img", "labels": ["person"], "skeleton": SKELETON} | options
    )


def pose(i: int = 0, points: Any = None, dx: float = 0, dy: float = 0) -> dict[str, Any]:
    if points is None:
        points = [[x + dx, y + dy, v] if v else [x, y, v] for x, y, v in POSE]
    return {"id": f"k{i}", "label": "person", "points": points}


def answer(*objects: dict[str, Any]) -> dict[str, Any]:
    return {"objects": list(objects)}


def test_accepts_poses() -> None:
    partial = [[50, 20, 2], [0, 0, 0], [0, 0, 0], [50.5, 100.5, 1]]
    accepts(config(), answer(pose(0), pose(1, partial), pose(2, dx=100)), DATA)
    accepts(config(), answer(pose(0, [[0, 0, 0]] * 4)), DATA)


@pytest.mark.parametrize(
    ("points", "path", "message"),
    [
        (
            POSE[:3],
            "objects[0].points",
            "3 points; give exactly one [x, y, v] per skeleton "
            "point (4: head, left_hand, right_hand, foot)",
        ),
        ([*POSE[:3], [1, 2]], "objects[0].points[3]", "expected [x, y, v], got a list"),
        (
            [*POSE[:3], [1, 2, 3]],
            "objects[0].points[3][2]",
            "3 is not a visibility: 0 not labelled, 1 labelled but hidden, 2 visible",
        ),
        (
            [*POSE[:3], [1, 2, 1.5]],
            "objects[0].points[3][2]",
            "1.5 is not a visibility: 0 not labelled, 1 labelled but hidden, 2 visible",
        ),
        (
            [*POSE[:3], [1, 2, 0]],
            "objects[0].points[3]",
            "an unlabelled point (v = 0) has x = y = 0; set v to 1 or 2, or x and y to 0",
        ),
        ([*POSE[:3], [1, 2, True]], "objects[0].points[3][2]", "expected a number, got true"),
        (
            [*POSE[:3], [201, 2, 2]],
            "objects[0].points[3]",
            "(201, 2) lies outside the 200×160 image; keep x in 0..200 and y in 0..160",
        ),
    ],
)
def test_refuses_with_the_path(points: Any, path: str, message: str) -> None:
    found = problem(config(), answer(pose(0, points)), DATA)
    assert (found.path, found.message) == (path, message)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"skeleton": {"points": ["a", "a"]}}, "a skeleton point name is listed twice"),
        (
            {"skeleton": {"points": ["a", "b"], "edges": [[0, 2]]}},
            "edges\\[0\\]: \\[0, 2\\] must join two different points 0..1",
        ),
        ({"skeleton": {"points": ["a", "b"], "edges": [[1, 1]]}}, "must join two different"),
        ({"skeleton": {"points": []}}, "at least 1 item"),
        ({"sigmas": [0.1]}, "sigmas has 1 values; give one per skeleton point \\(4\\)"),
        ({"sigmas": [0.1, 0.1, 0, 0.1]}, "sigmas must be above 0"),
    ],
)
def test_declaration_rules(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        config(**options)


def test_distance_by_oks() -> None:
    c = config()
    a = answer(pose(0), pose(1, dx=100))
    assert KIND.distance(c, a, a) == 0.0
    # a few pixels off on a skeleton 40 × 80 px: OKS well above 0.5
    assert KIND.distance(c, a, answer(pose(0, dx=2, dy=-1), pose(1, dx=101))) == 0.0
    # the whole skeleton 40 px away: no match
    assert KIND.distance(c, a, answer(pose(0, dx=40), pose(1, dx=60))) == 1.0
    # a skeleton with no labelled point matches nothing
    blank = answer(pose(0, [[0, 0, 0]] * 4))
    assert KIND.distance(c, answer(pose(0)), blank) == 1.0
    # wide sigmas forgive more
    assert KIND.distance(config(sigmas=[5.0] * 4), a, answer(pose(0, dx=40), pose(1, dx=60))) == 0.0


def test_consensus_of_noisy_copies_is_close_to_the_truth() -> None:
    c = config()
    truth = answer(pose(0), pose(1, dx=100))
    noisy = [answer(pose(0, dx=d), pose(1, dx=100 - d, dy=d)) for d in (-2, 1, 3)]
    found = KIND.consensus(c, noisy)
    assert KIND.distance(c, found.answer, truth) == 0.0
    assert found.confidence == pytest.approx(1.0)


triples = st.lists(
    st.one_of(
        st.tuples(st.floats(-5, 210), st.floats(-5, 170), st.sampled_from([0, 1, 2])).map(list),
        json_values,
    ),
    min_size=3,
    max_size=5,
)
poses = st.fixed_dictionaries(
    {"id": st.sampled_from(["a", "b"]), "label": st.just("person"), "points": near(triples)}
)


@settings(max_examples=300, deadline=None)
@given(near(st.fixed_dictionaries({"objects": st.lists(near(poses), max_size=3)})))
def test_fuzz_never_crashes(value: Any) -> None:
    c = config()
    if check_or_problem(c, value, DATA):
        assert KIND.distance(c, value, value) == 0.0


skeletons = st.lists(
    st.lists(
        st.one_of(
            st.tuples(st.floats(0, 200), st.floats(0, 160), st.sampled_from([1, 2])).map(list),
            st.just([0, 0, 0]),
        ),
        min_size=4,
        max_size=4,
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(skeletons, skeletons, st.sampled_from([None, [0.02] * 4, [0.5, 0.1, 0.1, 1.0]]))
def test_the_pair_search_misses_nothing(first: Any, second: Any, sigmas: Any) -> None:
    a = [pose(i, p) for i, p in enumerate(first)]
    b = [pose(i, p) for i, p in enumerate(second)]
    same_pairs(KIND, config(sigmas=sigmas), a, b)
