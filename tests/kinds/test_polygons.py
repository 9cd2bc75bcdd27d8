"""The ``polygons`` question: closed outlines, simple unless allowed otherwise."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from accord.kinds import QUESTION_KINDS
from accord.quality.polygons import polygon_iou
from tests.kinds.fuzz import accepts, check_or_problem, json_values, near, problem, question

KIND = QUESTION_KINDS["polygons"]
DATA = {"img": {"src": "s3://b/k.jpg", "width": 100, "height": 80}}
SQUARE = [[10, 10], [30, 10], [30, 30], [10, 30]]
BOWTIE = [[10, 10], [30, 30], [30, 10], [10, 30]]


def config(**options: Any) -> Any:
    return question("polygons", **{"target": "img", "labels": ["leaf", "stem"]} | options)


def poly(i: int = 0, points: Any = None, **extra: Any) -> dict[str, Any]:
    return {"id": f"p{i}", "label": "leaf", "points": SQUARE if points is None else points} | extra


def answer(*objects: dict[str, Any]) -> dict[str, Any]:
    return {"objects": list(objects)}


def where(value: Any, **options: Any) -> tuple[str, str]:
    found = problem(config(**options), value, DATA)
    return found.path, found.message


def shifted(points: Sequence[Sequence[float]], dx: float, dy: float = 0.0) -> list[list[float]]:
    return [[x + dx, y + dy] for x, y in points]


def test_accepts_polygons() -> None:
    triangle = [[0, 0], [100.5, 0], [50, 80.5]]
    accepts(config(), answer(poly(0), poly(1, triangle, label="stem", z=3)), DATA)


@pytest.mark.parametrize(
    ("points", "path", "message"),
    [
        ([[0, 0], [1, 1]], "objects[0].points", "2 points; a polygon has 3 to 10000 points"),
        ("x", "objects[0].points", "expected a list of points, got a string"),
        ([[0, 0], [1, 1], [2]], "objects[0].points[2]", "expected [x, y], got a list"),
        ([[0, 0], [1, 1], 5], "objects[0].points[2]", "expected [x, y], got a number"),
        ([[0, 0], [1, 1], [2, "3"]], "objects[0].points[2][1]", "expected a number, got a string"),
        ([[0, 0], [1, 1], [2, False]], "objects[0].points[2][1]", "expected a number, got false"),
        (
            [[0, 0], [1, 1], [float("nan"), 3]],
            "objects[0].points[2][0]",
            "expected a finite number, got nan",
        ),
        (
            [[0, 0], [1, 1], [2, 10**400]],
            "objects[0].points[2][1]",
            f"expected a finite number, got {10**400!r}",
        ),
        (
            [[0, 0], [101, 0], [50, 50]],
            "objects[0].points[1]",
            "(101, 0) lies outside the 100×80 image; keep x in 0..100 and y in 0..80",
        ),
        (
            [[0, -1], [10, 0], [5, 5]],
            "objects[0].points[0]",
            "(0, -1) lies outside the 100×80 image; keep x in 0..100 and y in 0..80",
        ),
        (
            [*SQUARE, [10, 10]],
            "objects[0].points[4]",
            "repeats the first point; a polygon closes by itself, remove the last point",
        ),
        (
            BOWTIE,
            "objects[0].points",
            "the outline crosses or touches itself (or all its points "
            "lie on one line); redraw it, or split it into several polygons",
        ),
        (
            [[0, 0], [5, 5], [10, 10]],
            "objects[0].points",
            "the outline crosses or touches "
            "itself (or all its points lie on one line); redraw it, or split it into several "
            "polygons",
        ),
    ],
)
def test_refuses_with_the_path(points: Any, path: str, message: str) -> None:
    assert where(answer(poly(1), poly(0, points))) == (path.replace("[0]", "[1]", 1), message)


def test_self_intersection_may_be_allowed() -> None:
    accepts(config(self_intersection="allow"), answer(poly(0, BOWTIE)), DATA)
    with pytest.raises(ValidationError):
        config(self_intersection="ignore")


def test_self_intersection_may_be_accepted_with_a_warning() -> None:
    """``warn``: the server takes the outline (the browser shows the warning); the other
    checks still run."""
    warn = config(self_intersection="warn")
    accepts(warn, answer(poly(0, BOWTIE), poly(1)), DATA)
    assert where(answer(poly(0, [*BOWTIE, BOWTIE[0]])), self_intersection="warn") == (
        f"objects[0].points[{len(BOWTIE)}]",
        "repeats the first point; a polygon closes by itself, remove the last point",
    )
    assert where(answer(poly(0, BOWTIE)), self_intersection="refuse")[0] == "objects[0].points"


def test_max_points() -> None:
    assert where(answer(poly(0, [[1, 1], [2, 1], [2, 2], [1, 2]])), max_points=3) == (
        "objects[0].points",
        "4 points; a polygon has 3 to 3 points",
    )
    with pytest.raises(ValidationError):
        config(max_points=2)


def test_distance() -> None:
    c = config()
    a = answer(poly(0), poly(1, shifted(SQUARE, 50), label="stem"))
    assert KIND.distance(c, a, a) == 0.0
    far = answer(poly(0, shifted(SQUARE, 60, 40)), poly(1, shifted(SQUARE, 20), label="stem"))
    assert KIND.distance(c, a, far) == 1.0
    # the square moved by 2 px keeps IoU 0.82: both match
    assert KIND.distance(c, a, answer(poly(0, shifted(SQUARE, 2)), a["objects"][1])) == 0.0
    # the same outline under another label does not match
    assert KIND.distance(c, answer(poly(0)), answer(poly(0, label="stem"))) == 1.0


def circle(cx: float, cy: float, r: float, n: int = 100) -> list[list[float]]:
    return [
        [cx + r * math.cos(2 * math.pi * k / n), cy + r * math.sin(2 * math.pi * k / n)]
        for k in range(n)
    ]


def test_consensus_of_noisy_copies_is_close_to_the_truth() -> None:
    c = config()
    truth = answer(poly(0, circle(40, 40, 20)), poly(1, circle(80, 40, 10), label="stem"))
    noisy = [
        answer(poly(0, circle(40 + d, 40, 20)), poly(1, circle(80, 40 - d, 10), label="stem"))
        for d in (-1.0, 0.0, 1.5)
    ]
    found = KIND.consensus(c, noisy)
    assert KIND.distance(c, found.answer, truth) == 0.0
    assert found.confidence == pytest.approx(1.0)
    accepts(c, found.answer, DATA)


def test_five_hundred_polygons_of_a_hundred_points_are_checked() -> None:
    data = {"img": {"src": "s3://b/k", "width": 2000, "height": 2000}}
    objects = [poly(i, circle(50 + (i % 20) * 95, 50 + (i // 20) * 75, 30)) for i in range(500)]
    accepts(config(), {"objects": objects}, data)


points = st.lists(
    st.one_of(st.lists(st.floats(-5, 110), min_size=2, max_size=2), json_values), max_size=6
)
polygons = st.fixed_dictionaries(
    {"id": st.sampled_from(["a", "b"]), "label": st.just("leaf"), "points": near(points)}
)


@settings(max_examples=300, deadline=None)
@given(near(st.fixed_dictionaries({"objects": st.lists(near(polygons), max_size=3)})))
def test_fuzz_never_crashes(value: Any) -> None:
    c = config()
    if check_or_problem(c, value, DATA):
        assert KIND.distance(c, value, value) == 0.0


def test_all_points_together_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("accord.kinds.questions.shapes.MAX_TOTAL_POINTS", 7)
    found = problem(config(), answer(poly(0), poly(1)), DATA)
    assert (found.path, found.message) == (
        "objects",
        "8 points in all; an answer has at most 7: simplify the shapes or split the image",
    )


def star(draw: st.DrawFn) -> list[list[float]]:
    """A random star-shaped (so simple) polygon."""
    n = draw(st.integers(3, 12))
    cx, cy = draw(st.floats(20, 80)), draw(st.floats(20, 60))
    angles = sorted(
        draw(st.lists(st.floats(0, 2 * math.pi - 0.01), min_size=n, max_size=n, unique=True))
    )
    radii = draw(st.lists(st.floats(2, 20), min_size=n, max_size=n))
    return [
        [cx + r * math.cos(t), cy + r * math.sin(t)] for t, r in zip(angles, radii, strict=True)
    ]


stars = st.composite(star)


@settings(max_examples=40, deadline=None)
@given(st.lists(stars(), min_size=1, max_size=3), st.lists(stars(), min_size=1, max_size=3))
def test_iou_is_the_quality_modules(first: list[Any], second: list[Any]) -> None:
    assume(all(shapely.Polygon(p).is_valid for p in first + second))  # simple outlines only
    a = [poly(i, p) for i, p in enumerate(first)]
    b = [poly(i, p) for i, p in enumerate(second)]
    found = KIND.similarity(config(), a, b)  # type: ignore[attr-defined]
    for i, p in enumerate(first):
        for j, q in enumerate(second):
            # the two sides compute the areas in another order: last bits differ
            assert found[i, j] == pytest.approx(polygon_iou(p, q), abs=1e-5)


def test_self_intersecting_outlines_compare_by_their_area() -> None:
    c = config(self_intersection="allow")
    bowtie = answer(poly(0, BOWTIE))
    assert KIND.distance(c, bowtie, bowtie) == 0.0
    assert KIND.distance(c, bowtie, answer(poly(0, [[x + 0.5, y] for x, y in BOWTIE]))) == 0.0
    # its two triangles cover half of the square: IoU 0.5, a match; moved away, none
    assert KIND.distance(c, bowtie, answer(poly(0))) == 0.0
    assert KIND.distance(c, bowtie, answer(poly(0, shifted(SQUARE, 12)))) == 1.0
