"""The ``tracks`` question: objects followed through a video's frames (docs/video.md, "Tracks").

The interpolation cases below are also web/src/kinds/questions/tracks/fixtures/interpolation.json,
which the browser's vitest reads to prove the TypeScript agrees frame by frame;
``ACCORD_WRITE_FIXTURES=1`` rewrites that file from `track_states`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from pydantic import ValidationError

from accord.kinds import QUESTION_KINDS
from accord.kinds.interface import InterfaceError, parse_interface
from accord.quality.tracks import track_states
from tests.kinds.fuzz import accepts, check_or_problem, json_values, problem, question

KIND = QUESTION_KINDS["tracks"]
DATA = {"clip": {"src": "s3://b/a.mp4", "frames": 50, "fps": 25, "width": 320, "height": 240}}
UNKNOWN = {"clip": "s3://b/a.mp4"}
SKELETON = {"points": ["head", "hand", "foot"], "edges": [[0, 1], [0, 2]]}

FIXTURES = (
    Path(__file__).resolve().parents[2]
    / "web/src/kinds/questions/tracks/fixtures/interpolation.json"
)


def box(frame: int, x: float, y: float, w: float = 10, h: float = 10, **more: Any) -> Any:
    return {"frame": frame, "x": x, "y": y, "w": w, "h": h, **more}


def out(frame: int, **more: Any) -> Any:
    return {"frame": frame, "outside": True, **more}


def track(*keyframes: Any, label: str = "car", id: str = "t1") -> dict[str, Any]:
    return {"id": id, "label": label, "keyframes": list(keyframes)}


CASES: list[dict[str, Any]] = [
    {
        "name": "box: absent before the first keyframe, linear between, held to the last frame",
        "shape": "box",
        "frames": 9,
        "track": track(box(2, 0, 0, 10, 20), box(6, 40, 8, 30, 4)),
    },
    {
        "name": "box: frame count unknown, absent after the last keyframe",
        "shape": "box",
        "frames": None,
        "track": track(box(0, 0, 0), box(2, 10, 10)),
    },
    {
        "name": "box: held before an outside keyframe, absent after it until the next",
        "shape": "box",
        "frames": 10,
        "track": track(box(0, 5, 5), out(3), box(6, 20, 20), out(8)),
    },
    {
        "name": "box: fractional t, float64 a + t * (b - a)",
        "shape": "box",
        "frames": 7,
        "track": track(box(0, 0.1, 0.2, 3.3, 1.7), box(3, 0.7, 1e-3, 9.1, 2.9), box(6, 1, 1, 1, 1)),
    },
    {
        "name": "box rotation: the shorter way round, across 0 and ±180, unnormalised",
        "shape": "box",
        "frames": 13,
        "track": track(
            box(0, 0, 0, rotation=350),
            box(4, 0, 0, rotation=10),
            box(8, 0, 0, rotation=-170),
            box(12, 0, 0, rotation=170),
        ),
    },
    {
        "name": "box rotation: mod is floored ((-360 - 360 + 540) mod 360 = 180), no rotation is 0",
        "shape": "box",
        "frames": 9,
        "track": track(
            box(0, 0, 0, rotation=360),
            box(2, 0, 0, rotation=-360),
            box(4, 0, 0),
            box(8, 0, 0, rotation=-90.5),
        ),
    },
    {
        "name": "point: x, y linearly, held to the end",
        "shape": "point",
        "frames": 6,
        "track": track({"frame": 1, "x": 1, "y": 2}, {"frame": 4, "x": 2, "y": -1}),
    },
    {
        "name": "polygon: same vertex count, vertex to vertex",
        "shape": "polygon",
        "frames": 5,
        "track": track(
            {"frame": 0, "points": [[0, 0], [10, 0], [0, 10]]},
            {"frame": 4, "points": [[4, 4], [20, 4], [4, 12]]},
        ),
    },
    {
        "name": "polygon: 3 and 5 vertices, both resampled to 5 along the perimeter",
        "shape": "polygon",
        "frames": 4,
        "track": track(
            {"frame": 0, "points": [[0, 0], [30, 0], [0, 40]]},
            {"frame": 3, "points": [[0, 0], [10, 0], [10, 10], [5, 15], [0, 10]]},
        ),
    },
    {
        "name": "polygon: a repeated vertex (an edge of length 0) is never landed on",
        "shape": "polygon",
        "frames": 3,
        "track": track(
            {"frame": 0, "points": [[0, 0], [0, 0], [8, 0], [8, 8]]},
            {"frame": 2, "points": [[0, 0], [4, 0], [8, 0], [8, 4], [8, 8], [4, 4]]},
        ),
    },
    {
        "name": "keypoints: labelled in both move (v from k_i), others held as k_i's",
        "shape": "keypoints",
        "frames": 4,
        "track": track(
            {"frame": 0, "points": [[0, 0, 2], [10, 10, 2], [0, 0, 0], [5, 5, 1]]},
            {"frame": 2, "points": [[4, 2, 2], [0, 0, 0], [7, 7, 2], [9, 1, 2]]},
        ),
    },
    {
        "name": "occluded and mutable attributes: k_i's held; an omitted attribute keeps its value",
        "shape": "point",
        "frames": 9,
        "track": track(
            {"frame": 0, "x": 0, "y": 0, "attributes": {"moving": "yes", "speed": 1}},
            {"frame": 2, "x": 2, "y": 0, "occluded": True, "attributes": {"speed": 2}},
            {"frame": 4, "x": 4, "y": 0, "occluded": False},
            out(5, attributes={"moving": "no"}),
            {"frame": 7, "x": 7, "y": 0},
        ),
    },
    {
        "name": "single keyframe: itself, then held to the last frame",
        "shape": "box",
        "frames": 4,
        "track": track(box(1, 1, 1, occluded=True), label="person"),
    },
    {
        "name": "keyframes on adjacent frames, an outside one right after a shape",
        "shape": "point",
        "frames": 5,
        "track": track(
            {"frame": 0, "x": 0, "y": 0},
            {"frame": 1, "x": 1, "y": 1},
            out(2),
            {"frame": 3, "x": 3, "y": 3},
            {"frame": 4, "x": 4, "y": 4},
        ),
    },
]


def expected(case: dict[str, Any]) -> list[list[Any]]:
    """Every frame of the case's video (unknown length: up to 3 past the last keyframe) with
    the track's state there, or None where it is absent."""
    keyframes = case["track"]["keyframes"]
    horizon = case["frames"] if case["frames"] is not None else keyframes[-1]["frame"] + 3
    states = dict(track_states(case["track"], case["shape"], case["frames"]))
    return [[f, states.get(f)] for f in range(horizon)]


def _fixture_text() -> str:
    cases = [case | {"expected": expected(case)} for case in CASES]
    return json.dumps(cases, indent=1, ensure_ascii=False) + "\n"


def test_interpolation_fixtures_match_track_states() -> None:
    text = _fixture_text()
    if os.environ.get("ACCORD_WRITE_FIXTURES") == "1":
        FIXTURES.write_text(text, encoding="utf-8")
    assert json.loads(FIXTURES.read_text(encoding="utf-8")) == json.loads(text), (
        "interpolation.json is out of date: run with ACCORD_WRITE_FIXTURES=1 and check the diff"
    )


# -- the question and its checks -----------------------------------------------------------


def config(**options: Any) -> Any:
    base = {
        "target": "clip",
        "shape": "box",
        "labels": ["car", "person"],
        "attributes": [
            {"name": "color", "type": "choice", "options": ["red", "blue"]},
            {"name": "moving", "type": "choice", "options": ["yes", "no"], "mutable": True},
        ],
    }
    return question("tracks", **base | options)


def answer(*tracks: Any) -> dict[str, Any]:
    return {"tracks": list(tracks)}


def test_targets_a_video_and_checks_its_config() -> None:
    assert KIND.targets == frozenset({"video"}) and KIND.target_required
    iface = {
        "fields": [{"name": "photo", "kind": "image"}],
        "questions": [
            {"name": "q", "kind": "tracks", "target": "photo", "shape": "box", "labels": ["a"]}
        ],
    }
    with pytest.raises(InterfaceError, match="video"):
        parse_interface(iface)
    for bad, words in [
        ({"shape": "point", "rotation": True}, "rotation is for box tracks"),
        ({"shape": "keypoints"}, "need a skeleton"),
        ({"skeleton": SKELETON}, "need a skeleton"),
        ({"shape": "keypoints", "skeleton": SKELETON, "sigmas": [0.1]}, "one per skeleton point"),
        ({"shape": "circle"}, "shape"),
        ({"attributes": [{"name": "a", "type": "text"}, {"name": "a", "type": "text"}]}, "twice"),
    ]:
        with pytest.raises(ValidationError, match=words):
            config(**bad)
    assert config(shape="keypoints", skeleton=SKELETON).shape_question().kind == "keypoints"


def test_accepts_the_spec_example() -> None:
    example = answer(
        track(
            box(0, 10, 20, 30, 40, attributes={"moving": "yes"}),
            box(10, 30, 20, 30, 40, occluded=True),
            out(25),
            box(40, 5, 5, 10, 10),
        )
        | {"attributes": {"color": "red"}, "score": 0.9},
        track(box(3, 0, 0), id="t2", label="person"),
    )
    accepts(config(), example, DATA)
    accepts(config(), answer(), DATA)
    accepts(config(), answer(track(box(0, 0, 0), box(5000, 2000, 9, 9, 9))), UNKNOWN)
    accepts(config(rotation=True), answer(track(box(0, 100, 100, rotation=-45))), DATA)


def test_accepts_every_shape() -> None:
    poly = {"frame": 0, "points": [[0, 0], [10, 0], [5, 8]]}
    accepts(config(shape="polygon"), answer(track(poly, out(3), poly | {"frame": 9})), DATA)
    accepts(config(shape="point"), answer(track({"frame": 4, "x": 320, "y": 0})), DATA)
    skeleton = config(shape="keypoints", skeleton=SKELETON)
    pose = {"frame": 2, "points": [[1, 1, 2], [0, 0, 0], [5, 5, 1]]}
    accepts(skeleton, answer(track(pose, pose | {"frame": 3})), DATA)


def _p(j: int, path: str) -> str:
    return f"tracks[0].keyframes[{j}]{path}"


@pytest.mark.parametrize(
    ("value", "path", "message"),
    [
        ([], "", "expected an object with 'tracks'"),
        ({"tracks": {}}, "tracks", "expected a list of tracks, got an object"),
        (answer(3), "tracks[0]", "expected a track object, got a number"),
        (answer(track(box(0, 0, 0)) | {"color": "x"}), "tracks[0].color", "unknown key; a track"),
        (answer({"id": "a", "label": "car"}), "tracks[0].keyframes", "missing"),
        (answer(track(box(0, 0, 0)), track(box(0, 0, 0))), "tracks[1].id", "'t1' is also the id"),
        (answer(track(box(0, 0, 0), id="")), "tracks[0].id", "must be 1 to 64 characters"),
        (answer(track(box(0, 0, 0), label="bus")), "tracks[0].label", "'bus' is not one of"),
        (answer(track(box(0, 0, 0)) | {"score": 2}), "tracks[0].score", "expected a number from"),
        (answer(track()), "tracks[0].keyframes", "no keyframes; a track has at least one"),
        (answer(track(box(0, 0, 0)) | {"keyframes": {}}), "tracks[0].keyframes", "expected a list"),
        (answer(track(box(0, 0, 0), "k")), _p(1, ""), "expected a keyframe object, got a string"),
        (answer(track(box(0, 0, 0, z=1))), _p(0, ".z"), "unknown key; a box keyframe has"),
        (answer(track({"x": 1, "y": 1, "w": 1, "h": 1})), _p(0, ".frame"), "missing"),
        (answer(track(box(0.5, 0, 0))), _p(0, ".frame"), "expected a whole frame number"),
        (answer(track(box(-1, 0, 0))), _p(0, ".frame"), "frame -1 is before the first frame, 0"),
        (
            answer(track(box(0, 0, 0), box(50, 0, 0))),
            _p(1, ".frame"),
            "frame 50 is past the video's last frame, 49 (50 frames)",
        ),
        (
            answer(track(box(0, 0, 0), box(12, 0, 0), box(12, 1, 1))),
            _p(2, ".frame"),
            "frame 12 is not after the previous keyframe's, 12 — keyframes go in frame order",
        ),
        (
            answer(track(box(5, 0, 0), box(3, 0, 0))),
            _p(1, ".frame"),
            "frame 3 is not after the previous keyframe's, 5",
        ),
        (
            answer(track(out(0), box(3, 0, 0))),
            _p(0, ".outside"),
            "the first keyframe is not outside",
        ),
        (
            answer(track(box(0, 0, 0), out(3) | {"x": 1})),
            _p(1, ".x"),
            "an outside keyframe carries no geometry",
        ),
        (answer(track(box(0, 0, 0, outside="no"))), _p(0, ".outside"), "expected true or false"),
        (answer(track(box(0, 0, 0, occluded=1))), _p(0, ".occluded"), "expected true or false"),
        (
            answer(track({"frame": 0, "x": 1, "y": 1, "w": 2})),
            _p(0, ".h"),
            "missing; a box keyframe in view gives x, y, w, h",
        ),
        (answer(track(box(0, 0, 0, w=0))), _p(0, ".w"), "0; must be above 0"),
        (answer(track(box(0, 0, 0), box(1, 0, 0, h=-2))), _p(1, ".h"), "-2; must be above 0"),
        (
            answer(track(box(0, 0, 0), box(1, float("nan"), 0))),
            _p(1, ".x"),
            "expected a finite number",
        ),
        (
            answer(track(box(0, 0, 0), box(1, float("inf"), 0))),
            _p(1, ".x"),
            "expected a finite number",
        ),
        (
            answer(track(box(0, 0, 0), box(1, "3", 0))),
            _p(1, ".x"),
            "expected a number, got a string",
        ),
        (
            answer(track(box(0, 315, 0))),
            _p(0, ".w"),
            "x + w = 325 is past the image's right edge".replace("image", "video"),
        ),
        (
            answer(track(box(0, 0, 0, rotation=10))),
            _p(0, ".rotation"),
            "this question's boxes do not rotate",
        ),
        (
            answer(track(box(0, 0, 0) | {"attributes": {"color": "red"}})),
            _p(0, ".attributes.color"),
            "give 'color' in the track's attributes",
        ),
        (
            answer(track(box(0, 0, 0)) | {"attributes": {"moving": "no"}}),
            "tracks[0].attributes.moving",
            "give 'moving' in the keyframes' attributes",
        ),
        (
            answer(track(box(0, 0, 0, attributes={"moving": "fast"}))),
            _p(0, ".attributes.moving"),
            "'fast' is not one of",
        ),
        (
            answer(track(box(0, 0, 0, attributes={"size": 2}))),
            _p(0, ".attributes.size"),
            "no such attribute",
        ),
        (
            answer(track(box(0, 0, 0)) | {"attributes": []}),
            "tracks[0].attributes",
            "expected an object",
        ),
    ],
)
def test_refusals_name_their_path(value: Any, path: str, message: str) -> None:
    found = problem(config(), value, DATA)
    assert (found.path, found.message[: len(message)]) == (path, message), found


def test_shape_refusals_name_the_keyframe() -> None:
    triangle = [[0, 0], [10, 0], [5, 8]]
    polygon = config(shape="polygon", max_points=4)
    cases = [
        (polygon, {"points": [[0, 0], [10, 0]]}, ".points", "2 points; a polygon has 3 to 4"),
        (
            polygon,
            {"points": [[0, 0], [10, 10], [10, 0], [0, 10]]},
            ".points",
            "the outline crosses",
        ),
        (polygon, {"points": [*triangle, [0, 0]]}, ".points[3]", "repeats the first point"),
        (
            polygon,
            {"points": [[0, 0], [400, 0], [5, 8]]},
            ".points[1]",
            "(400, 0) lies outside the 320×240 video",
        ),
        (
            polygon,
            {"points": [[0, 0], [1, float("nan")], [5, 8]]},
            ".points[1][1]",
            "expected a finite number",
        ),
        (polygon, {"x": 1}, ".x", "unknown key; a polygon keyframe has"),
        (config(shape="point"), {"x": 1, "y": 241}, ".y", "(1, 241) lies outside"),
        (
            config(shape="keypoints", skeleton=SKELETON),
            {"points": [[1, 1, 2]]},
            ".points",
            "1 points; give exactly one [x, y, v] per skeleton point (3",
        ),
        (
            config(shape="keypoints", skeleton=SKELETON),
            {"points": [[1, 1, 2], [1, 1, 3], [0, 0, 0]]},
            ".points[1][2]",
            "3 is not a visibility",
        ),
        (
            config(rotation=True),
            {"x": 10, "y": 10, "w": 20, "h": 20, "rotation": 400},
            ".rotation",
            "400 degrees; give -360 to 360",
        ),
        (
            config(rotation=True),
            {"x": 0, "y": 0, "w": 20, "h": 20, "rotation": 45},
            ".rotation",
            "turned by 45 degrees, the corner",
        ),
    ]
    first = {"frame": 0, "points": triangle}
    for c, key, path, message in cases:
        opening = {"box": box(0, 5, 5), "point": {"frame": 0, "x": 0, "y": 0}}
        start = opening.get(
            c.shape,
            first
            if c.shape == "polygon"
            else {"frame": 0, "points": [[1, 1, 2], [0, 0, 0], [0, 0, 0]]},
        )
        value = answer(track(start, out(2), {"frame": 4, **key}))
        found = problem(c, value, DATA)
        assert found.path == "tracks[0].keyframes[2]" + path, (found, key)
        assert found.message.startswith(message), found.message


def test_limits_and_required_attributes() -> None:
    assert (
        problem(
            config(max_tracks=1), answer(track(box(0, 0, 0)), track(box(0, 0, 0), id="b")), DATA
        ).path
        == "tracks"
    )
    many = answer(track(box(0, 0, 0), box(1, 0, 0)), track(box(0, 0, 0), box(1, 0, 0), id="b"))
    found = problem(config(max_keyframes=3), many, DATA)
    assert found.path == "tracks[1].keyframes" and "4 keyframes so far" in found.message
    required = config(
        attributes=[
            {"name": "color", "type": "text", "required": True},
            {"name": "moving", "type": "text", "required": True, "mutable": True},
        ]
    )
    assert problem(required, answer(track(box(0, 0, 0))), DATA).path == "tracks[0].attributes.color"
    found = problem(
        required,
        answer(
            track(box(0, 0, 0), box(3, 0, 0, attributes={"moving": "x"}))
            | {"attributes": {"color": "r"}}
        ),
        DATA,
    )
    assert (
        found.path == "tracks[0].keyframes[0].attributes.moving"
        and "first keyframe" in found.message
    )
    assert problem(config(), answer(), {}).message == "the task has no 'clip' video"


# -- interpolation rules, by hand ------------------------------------------------------------


def states(value: dict[str, Any], shape: Any = "box", frames: int | None = 20) -> dict[int, Any]:
    return dict(track_states(value, shape, frames))


def test_rotation_goes_the_shorter_way_round() -> None:
    found = states(track(box(0, 0, 0, rotation=350), box(4, 0, 0, rotation=10)))
    assert [found[f]["rotation"] for f in range(5)] == [350, 355, 360, 365, 10]
    found = states(track(box(0, 0, 0, rotation=-170), box(2, 0, 0, rotation=170)))
    assert [found[f]["rotation"] for f in range(3)] == [-170, -180, 170]
    found = states(track(box(0, 0, 0), box(2, 0, 0, rotation=90)))
    assert found[1]["rotation"] == 45.0 and found[0]["rotation"] == 0.0


def test_outside_and_hold_rules() -> None:
    found = states(track(box(3, 0, 0), box(5, 10, 0), out(8), box(10, 0, 0)), frames=12)
    assert sorted(found) == [3, 4, 5, 6, 7, 10, 11]
    assert found[4]["x"] == 5 and found[7]["x"] == 10 and not found[7]["keyframe"]
    assert found[11]["x"] == 0 and found[10]["keyframe"]
    assert sorted(states(track(box(3, 0, 0), box(5, 10, 0)), frames=None)) == [3, 4, 5]
    assert sorted(states(track(box(3, 0, 0), out(5)), frames=None)) == [3, 4]
    assert sorted(states(track(box(3, 0, 0), out(5)), frames=30)) == [3, 4]


def test_mutable_attributes_are_held() -> None:
    found = states(
        track(
            box(0, 0, 0, attributes={"moving": "yes", "speed": 1}),
            box(4, 0, 0, attributes={"speed": 2}, occluded=True),
            box(8, 0, 0, attributes={"moving": "no"}),
        ),
        frames=10,
    )
    assert found[3]["attributes"] == {"moving": "yes", "speed": 1} and not found[3]["occluded"]
    assert found[5]["attributes"] == {"moving": "yes", "speed": 2} and found[5]["occluded"]
    assert found[9]["attributes"] == {"moving": "no", "speed": 2} and not found[9]["occluded"]


def test_polygons_of_different_counts_are_resampled() -> None:
    square = [[0, 0], [4, 0], [4, 4], [0, 4]]
    eight = [[0, 0], [2, 0], [4, 0], [4, 2], [4, 4], [2, 4], [0, 4], [0, 2]]
    shifted = [[x + 2, y] for x, y in eight]
    found = states(
        track({"frame": 0, "points": square}, {"frame": 2, "points": shifted}), "polygon", 3
    )
    assert found[0]["points"] == square and found[2]["points"] == shifted
    assert found[1]["points"] == [[x + 1, y] for x, y in eight]


def test_keypoints_move_only_where_labelled_in_both() -> None:
    a = {"frame": 0, "points": [[0, 0, 2], [4, 4, 1], [0, 0, 0]]}
    b = {"frame": 2, "points": [[2, 2, 1], [0, 0, 0], [6, 6, 2]]}
    found = states(track(a, b), "keypoints", 3)
    assert found[1]["points"] == [[1, 1, 2], [4, 4, 1], [0, 0, 0]]


# -- distance and consensus ------------------------------------------------------------------


def test_distance_is_one_minus_idf1() -> None:
    c = config()
    a = answer(track(box(0, 0, 0, w=20, h=20), box(9, 90, 0, w=20, h=20)))
    assert KIND.distance(c, a, a) == 0.0
    renamed = answer(track(box(0, 0, 0, w=20, h=20), box(9, 90, 0, w=20, h=20), id="other"))
    assert KIND.distance(c, a, renamed) == 0.0
    # Half the frames: the second answer's track stops at frame 4 (outside from 5).
    half = answer(track(box(0, 0, 0, w=20, h=20), box(4, 40, 0, w=20, h=20), out(5)))
    assert KIND.distance(c, a, half) == pytest.approx(1 - 2 * 5 / (10 + 5))
    assert KIND.distance(c, half, a) == KIND.distance(c, a, half)
    relabelled = answer(track(box(0, 0, 0, w=20, h=20), box(9, 90, 0, w=20, h=20), label="person"))
    assert KIND.distance(c, a, relabelled) == 1.0
    assert KIND.distance(c, answer(), answer()) == 0.0 and KIND.distance(c, answer(), a) == 1.0
    assert KIND.is_empty(answer()) and not KIND.is_empty(a)
    # The video's length is unknown here: a track is held to the last keyframe of either.
    longer = answer(
        track(box(0, 0, 0, w=20, h=20), box(9, 90, 0, w=20, h=20)), track(box(30, 0, 0), id="b")
    )
    assert KIND.distance(c, a, longer) == pytest.approx(1 - 2 * 31 / (31 + 32))


def test_consensus_is_the_medoid() -> None:
    c = config()
    close = answer(track(box(0, 0, 0, w=20, h=20), box(9, 90, 0, w=20, h=20)))
    also = answer(track(box(0, 1, 0, w=20, h=20), box(9, 91, 0, w=20, h=20)))
    odd = answer(track(box(0, 200, 200, w=20, h=20)))
    found = KIND.consensus(c, [odd, close, also])
    assert found.answer == close
    assert KIND.consensus(c, [answer(), None, close]).answer is None


POSE = config(shape="keypoints", skeleton=SKELETON)
POLYGON = config(shape="polygon")
POINT = config(shape="point")


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_never_crashes(value: Any) -> None:
    c = config()
    check_or_problem(c, value, DATA)
    check_or_problem(c, answer(value), DATA)
    check_or_problem(c, answer(track(box(0, 0, 0), value)), DATA)
    check_or_problem(c, answer(track(box(0, 0, 0, attributes=value))), DATA)
    check_or_problem(c, answer(track(box(0, 0, 0), out(value))), DATA)
    check_or_problem(POLYGON, answer(track({"frame": 0, "points": value})), DATA)
    check_or_problem(
        POSE, answer(track({"frame": 0, "points": [value, [0, 0, 0], [1, 1, 1]]})), DATA
    )
    check_or_problem(POINT, answer(track({"frame": 1, "x": value, "y": 0})), DATA)
