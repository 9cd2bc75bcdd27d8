"""Per-frame shapes: the shape kinds (boxes, polygons, polylines, points, keypoints) on a
``video`` field, every object carrying its ``frame`` (docs/video.md, "Per-frame shapes")."""

from __future__ import annotations

from typing import Any

import pytest

from accord.kinds import QUESTION_KINDS
from accord.kinds.interface import Interface, InterfaceError, parse_interface

VIDEO = {"src": "s3://b/clip.mp4", "frames": 10, "fps": 25, "width": 64, "height": 48}
IMAGE = {"src": "s3://b/k.jpg", "width": 64, "height": 48}
SKELETON = {"points": ["head", "tail"], "edges": [[0, 1]]}
KINDS: dict[str, dict[str, Any]] = {
    "boxes": {"x": 1, "y": 2, "w": 10, "h": 10},
    "polygons": {"points": [[1, 1], [20, 1], [10, 15]]},
    "polylines": {"points": [[1, 1], [20, 5]]},
    "points": {"x": 3, "y": 4},
    "keypoints": {"points": [[1, 1, 2], [10, 10, 1]]},
}


def interface(kind: str = "boxes", target: str = "clip") -> Interface:
    extra = {"skeleton": SKELETON} if kind == "keypoints" else {}
    return parse_interface(
        {
            "fields": [{"name": "clip", "kind": "video"}, {"name": "img", "kind": "image"}],
            "questions": [
                {"name": "q", "kind": kind, "target": target, "labels": ["car", "person"]} | extra
            ],
        }
    )


def obj(i: int = 0, kind: str = "boxes", **more: Any) -> dict[str, Any]:
    return {"id": f"o{i}", "label": "car"} | KINDS[kind] | more


def problems(iface: Interface, *objects: dict[str, Any], data: Any = None) -> list[str]:
    found = iface.check_result(
        {"q": {"objects": list(objects)}}, {"clip": VIDEO, "img": IMAGE} if data is None else data
    )
    return [f"{p.path}: {p.message}" for p in found]


def test_the_interface_tells_the_question_its_target_kind() -> None:
    assert interface().question("q").target_kind == "video"  # type: ignore[union-attr]
    assert interface(target="img").question("q").target_kind == "image"  # type: ignore[union-attr]
    for kind in ("masks", "image_class"):
        assert "video" not in QUESTION_KINDS[kind].targets
    with pytest.raises(InterfaceError, match="a masks question works on a field of kind image"):
        parse_interface(
            {
                "fields": [{"name": "clip", "kind": "video"}],
                "questions": [{"name": "m", "kind": "masks", "target": "clip", "labels": ["a"]}],
            }
        )


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_takes_objects_with_frames_on_a_video(kind: str) -> None:
    iface = interface(kind)
    assert problems(iface, obj(0, kind, frame=0), obj(1, kind, frame=9)) == []
    assert problems(iface, obj(0, kind)) == ["result.q.objects[0].frame: missing"]
    image = interface(kind, target="img")
    assert problems(image, obj(0, kind)) == []
    assert problems(image, obj(0, kind, frame=0)) == [
        "result.q.objects[0].frame: this question draws on the image 'img', which has no "
        "frames; remove frame (it is for shapes on a video)"
    ]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (10, "frame 10 is past the video's last frame, 9 (10 frames)"),
        (-1, "frame -1 is before the first frame, 0"),
        (2.0, "expected a whole frame number, got a number"),
        ("3", "expected a whole frame number, got a string"),
        (None, "expected a whole frame number, got null"),
    ],
)
def test_frame_refusals_name_the_object(frame: Any, message: str) -> None:
    found = problems(interface(), obj(0, frame=0), obj(1, frame=frame))
    assert found == [f"result.q.objects[1].frame: {message}"]


def test_frames_unknown_and_bounds_from_the_video() -> None:
    bare = {"clip": "s3://b/clip.mp4", "img": IMAGE}
    assert problems(interface(), obj(0, frame=123_456), data=bare) == []  # no count, no size
    assert problems(interface(), obj(0, frame=1, x=60)) == [
        "result.q.objects[0].w: x + w = 70 is past the video frame's right edge (64); "
        "keep the box inside the video frame"
    ]
    assert problems(interface("points"), obj(0, "points", frame=1, y=50)) == [
        "result.q.objects[0].y: (3, 50) lies outside the 64×48 video frame; "
        "keep x in 0..64 and y in 0..48"
    ]
    assert problems(interface(), obj(0, frame=1), data={"img": IMAGE}) == [
        "result.q: the task has no 'clip' video"
    ]


def test_distance_matches_only_within_a_frame() -> None:
    iface = interface()
    config = iface.question("q")
    kind = QUESTION_KINDS["boxes"]
    a = {"objects": [obj(0, frame=0), obj(1, frame=5, x=30)]}
    same = {"objects": [obj(7, frame=5, x=30), obj(8, frame=0)]}
    moved = {"objects": [obj(0, frame=1), obj(1, frame=5, x=30)]}
    assert kind.distance(config, a, same) == 0.0
    assert kind.distance(config, a, moved) == pytest.approx(0.5)  # frame 0 vs 1: no match
    other = {"objects": [obj(0, frame=2), obj(1, frame=3, x=30)]}
    assert kind.distance(config, a, other) == 1.0
    for name in ("points", "polylines", "polygons", "keypoints"):
        shaped = interface(name)
        one = {"objects": [obj(0, name, frame=0)]}
        two = {"objects": [obj(0, name, frame=4)]}
        assert QUESTION_KINDS[name].distance(shaped.question("q"), one, two) == 1.0
        assert QUESTION_KINDS[name].distance(shaped.question("q"), one, one) == 0.0


def test_box_consensus_fuses_per_frame() -> None:
    config = interface().question("q")
    kind = QUESTION_KINDS["boxes"]
    answers = [
        {"objects": [obj(0, frame=0), obj(1, frame=5, x=30)]},
        {"objects": [obj(0, frame=0, x=2), obj(1, frame=5, x=31)]},
        {"objects": [obj(0, frame=5, x=1), obj(1, frame=6, x=30)]},
    ]
    found = kind.consensus(config, answers)
    frames = sorted((o["frame"], round(o["x"])) for o in found.answer["objects"])
    # frame 0: two of three drew it; frame 5: the two at x 30-31 agree (the third's box at x 1
    # there overlaps nothing); frame 6: one of three, dropped.
    assert frames == [(0, 2), (5, 30)]
    assert problems(interface(), *found.answer["objects"]) == []
