"""The ``events`` question: labelled frame segments on a video field."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from pydantic import ValidationError

from accord.kinds import QUESTION_KINDS
from accord.kinds.interface import InterfaceError, parse_interface
from accord.quality.events import segment_iou
from tests.kinds.fuzz import accepts, check_or_problem, json_values, problem, question

KIND = QUESTION_KINDS["events"]
DATA = {"clip": {"src": "s3://b/a.mp4", "frames": 100, "fps": 25}}
UNKNOWN_LENGTH = {"clip": "s3://b/a.mp4"}


def config(**options: Any) -> Any:
    base = {
        "target": "clip",
        "labels": ["pick", "place"],
        "attributes": [
            {"name": "hand", "type": "choice", "options": ["left", "right"]},
            {"name": "count", "type": "number", "min": 1},
        ],
    }
    return question("events", **base | options)


def ev(start: int, end: int, label: str = "pick", id: str | None = None, **more: Any) -> Any:
    return {"id": id or f"{label}{start}", "label": label, "start": start, "end": end, **more}


def answer(*events: Any) -> dict[str, Any]:
    return {"events": list(events)}


def test_targets_a_video() -> None:
    assert KIND.targets == frozenset({"video"}) and KIND.target_required
    iface = {
        "fields": [{"name": "photo", "kind": "image"}],
        "questions": [{"name": "q", "kind": "events", "target": "photo", "labels": ["a"]}],
    }
    with pytest.raises(InterfaceError, match="video"):
        parse_interface(iface)
    with pytest.raises(ValidationError):
        question("events", target="clip")  # labels are required


def test_accepts_events_within_the_video() -> None:
    c = config()
    value = answer(ev(0, 0), ev(10, 99, "place", attributes={"hand": "left", "count": 2}))
    accepts(c, value, DATA)
    accepts(c, answer(), DATA)
    accepts(c, answer(ev(5, 5000)), UNKNOWN_LENGTH)  # no frame count: only >= 0


@pytest.mark.parametrize(
    ("value", "path", "message"),
    [
        ([], "", "expected an object with 'events'"),
        ({"events": {}}, "events", "expected a list of events, got an object"),
        (answer(ev(0, 1), 3), "events[1]", "expected an object, got a number"),
        (answer(ev(0, 1) | {"frame": 1}), "events[0].frame", "unknown key; an event has"),
        (answer({"id": "a", "label": "pick", "start": 1}), "events[0].end", "missing"),
        (answer(ev(0, 1), ev(4, 5, id="pick0")), "events[1].id", "'pick0' is also the id"),
        (answer(ev(0, 1, "drop")), "events[0].label", "'drop' is not one of"),
        (answer(ev(-1, 1)), "events[0].start", "frame -1 is before the first frame, 0"),
        (answer(ev(1.5, 3)), "events[0].start", "expected a whole frame number, got a number"),
        (answer(ev(0, 5), ev(3, 100)), "events[1].end", "frame 100 is past the video's last"),
        (answer(ev(0, 1), ev(9, 8)), "events[1].end", "frame 8 is before the start, frame 9"),
        (
            answer(ev(0, 1, attributes={"hand": "both"})),
            "events[0].attributes.hand",
            "'both' is not one of",
        ),
        (
            answer(ev(0, 1, attributes={"count": 0})),
            "events[0].attributes.count",
            "0 is below the minimum 1",
        ),
        (answer(ev(0, 1, attributes={"size": 1})), "events[0].attributes.size", "no such"),
    ],
)
def test_refusals_name_their_path(value: Any, path: str, message: str) -> None:
    found = problem(config(), value, DATA)
    assert found.path == path
    assert found.message.startswith(message), found.message


def test_past_the_end_message_says_the_length() -> None:
    found = problem(config(), answer(ev(3, 100)), DATA)
    assert found.message == "frame 100 is past the video's last frame, 99 (100 frames)"


def test_overlap_of_one_label() -> None:
    value = answer(ev(0, 10), ev(20, 30, "place"), ev(10, 15, id="second"))
    found = problem(config(), value, DATA)
    assert found.path == "events[2]"
    assert "'pick' frames 10..15 overlap events[0] (0..10)" in found.message
    accepts(config(overlap="allow"), value, DATA)
    accepts(config(), answer(ev(0, 9), ev(10, 15), ev(5, 12, "place")), DATA)  # touching


def test_min_frames_required_attributes_and_counts() -> None:
    found = problem(config(min_frames=5), answer(ev(0, 3)), DATA)
    assert found.path == "events[0].end" and "spans 4 frames" in found.message
    accepts(config(min_frames=5), answer(ev(0, 4)), DATA)
    c = config(attributes=[{"name": "hand", "type": "choice", "options": ["l"], "required": True}])
    assert problem(c, answer(ev(0, 1)), DATA).path == "events[0].attributes.hand"
    assert problem(config(min_events=1), answer(), DATA).path == "events"
    assert problem(config(max_events=1), answer(ev(0, 1), ev(5, 6)), DATA).path == "events"
    assert problem(config(), answer(), {}).message == "the task has no 'clip' video"


def test_segment_iou_counts_whole_frames() -> None:
    iou = segment_iou(np.array([[0, 9], [5, 5]]), np.array([[5, 14], [10, 19], [5, 5]]))
    assert iou.tolist() == [[5 / 15, 0.0, 0.1], [0.1, 0.0, 1.0]]


def test_distance_is_one_minus_matched_f1() -> None:
    c = config()
    a = answer(ev(0, 9), ev(20, 29, "place"))
    assert KIND.distance(c, a, a) == 0.0
    # Same segments, ids differ: still identical.
    assert KIND.distance(c, a, answer(ev(0, 9, id="x"), ev(20, 29, "place", id="y"))) == 0.0
    # One matches (IoU 8/12 >= 0.5), the other's label differs.
    b = answer(ev(2, 11), ev(20, 29, "pick", id="other"))
    assert KIND.distance(c, a, b) == pytest.approx(1 - 2 * 1 / 4)
    # IoU 5/15 is below the threshold: nothing matches; a lower threshold matches it.
    far = answer(ev(5, 14))
    one = answer(ev(0, 9))
    assert KIND.distance(c, one, far) == 1.0
    assert KIND.distance(config(match_threshold=0.3), one, far) == 0.0
    assert KIND.distance(c, answer(), answer()) == 0.0
    assert KIND.distance(c, answer(), one) == 1.0
    assert KIND.is_empty(answer()) and not KIND.is_empty(one)


def test_consensus_is_the_medoid() -> None:
    c = config()
    close = answer(ev(0, 9), ev(20, 29, "place"))
    also = answer(ev(1, 9), ev(21, 29, "place"))
    odd = answer(ev(50, 60))
    found = KIND.consensus(c, [odd, close, also])
    assert found.answer == close
    assert found.confidence == pytest.approx(1 - 0.5)  # 0 to `also`, 1 to `odd`
    assert KIND.consensus(c, [answer(), None, close]).answer is None


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_never_crashes(value: Any) -> None:
    check_or_problem(config(), value, DATA)
    check_or_problem(config(), {"events": [value]}, DATA)
