"""``events``: labelled time segments on a ``video`` field (docs/video.md, "Events").

``{"events": [{"id": "e1", "label": "pick", "start": 12, "end": 40, "attributes": {...}}]}``:
``start`` and ``end`` are frame numbers (frame N is the frame FFmpeg decodes as N, the one
the player shows), both included, ``0 <= start <= end``, and ``end`` below the video's frame
count when the task's data gives it (`accord.kinds.fields.video.video_frames`). ``id`` is
1-64 characters, unique in the answer; ``attributes`` follow the question's attributes, as
for the shape kinds (choice, multi_choice, number, text). With ``overlap: refuse`` two events
of one label may not share a frame; ``min_frames`` is the shortest event.

Distance: ``1 -`` the F1 of events matched one to one (same label, temporal IoU at least
``match_threshold``, optimal assignment; `accord.quality.events`). Consensus: the medoid
answer by that distance (the answer closest to all the others), as for most kinds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator

from accord.kinds.base import Problem, QuestionConfig, QuestionKind, describe, expect_object
from accord.kinds.fields.video import video_frames
from accord.kinds.questions.options import Options, values
from accord.kinds.questions.shape_matching import Pairs, dense_pairs, matched_f1
from accord.kinds.questions.shapes import (
    MAX_ID,
    Attribute,
    check_attributes,
    distinct_attributes,
)
from accord.quality.data import FloatArray
from accord.quality.events import segment_iou

KEYS = frozenset({"id", "label", "start", "end", "attributes"})
NEEDED = ("id", "label", "start", "end")


class EventsQuestion(QuestionConfig):
    kind: Literal["events"] = "events"
    target: str = Field(description="The video field the events are marked on.")
    labels: Options = Field(description="The labels an event can take (strings or objects).")
    attributes: list[Attribute] = Field(
        default_factory=list, max_length=100, description="Per-event attributes."
    )
    overlap: Literal["allow", "refuse"] = Field(
        default="refuse", description="Whether two events of one label may share a frame."
    )
    min_frames: int = Field(default=1, ge=1, description="Frames the shortest event spans.")
    min_events: int = Field(default=0, ge=0, description="Fewest events in an answer.")
    max_events: int = Field(
        default=10_000, ge=1, le=100_000, description="Most events in an answer."
    )
    match_threshold: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Temporal IoU two events of one label need to match (agreement, gold "
        "scores, consensus).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> EventsQuestion:
        if self.min_events > self.max_events:
            raise ValueError(f"min_events {self.min_events} is above max_events {self.max_events}")
        distinct_attributes(self.attributes)
        return self


class EventsKind(QuestionKind[EventsQuestion]):
    name = "events"
    config = EventsQuestion
    targets = frozenset({"video"})
    target_required = True

    def check(self, config: EventsQuestion, value: Any, data: Mapping[str, Any]) -> None:
        answer = expect_object(value, {"events"}, {"events"})
        events = answer["events"]
        if type(events) is not list:
            raise Problem("events", f"expected a list of events, got {describe(events)}")
        if len(events) > config.max_events:
            raise Problem(
                "events", f"{len(events)} events; this question allows at most {config.max_events}"
            )
        if len(events) < config.min_events:
            raise Problem("events", f"{len(events)} events; mark at least {config.min_events}")
        if config.target not in data:
            raise Problem("", f"the task has no {config.target!r} video")
        frames = video_frames(data, config.target)
        ids: dict[str, int] = {}
        for i, event in enumerate(events):
            _event(config, event, i, frames, ids)
        if config.overlap == "refuse":
            _apart(events)

    def is_empty(self, value: Any) -> bool:
        if isinstance(value, dict) and value.get("events") == [] and len(value) == 1:
            return True
        return super().is_empty(value)

    def answer_distance(self, config: EventsQuestion, a: Any, b: Any) -> float:
        """``1 -`` the F1 of the events matched one to one (same label, temporal IoU at least
        ``match_threshold``, optimal assignment)."""
        if a == b:
            return 0.0
        return 1.0 - matched_f1(
            a["events"], b["events"], lambda x, y: _pairs(config, x, y), config.match_threshold
        )


def _pairs(config: EventsQuestion, a: list[dict[str, Any]], b: list[dict[str, Any]]) -> Pairs:
    return dense_pairs(_similarity, a, b, config.match_threshold)


def _similarity(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> FloatArray:
    return segment_iou(_segments(a), _segments(b))


def _segments(events: list[dict[str, Any]]) -> FloatArray:
    rows = [(e["start"], e["end"]) for e in events]
    return np.array(rows, dtype=np.float64).reshape(len(rows), 2)


def _event(
    config: EventsQuestion, event: Any, i: int, frames: int | None, ids: dict[str, int]
) -> None:
    at = f"events[{i}]"
    if type(event) is not dict:
        raise Problem(at, f"expected an object, got {describe(event)}")
    if not KEYS.issuperset(event):
        key = sorted(set(event) - KEYS)[0]
        raise Problem(f"{at}.{key}", f"unknown key; an event has {', '.join(sorted(KEYS))}")
    for key in NEEDED:
        if key not in event:
            raise Problem(f"{at}.{key}", "missing")
    _id(event["id"], i, ids)
    label = event["label"]
    labels = values(config.labels)
    if type(label) is not str or label not in labels:
        shown = repr(label) if type(label) is str else describe(label)
        raise Problem(f"{at}.label", f"{shown} is not one of {sorted(labels)}")
    start = _frame(event["start"], f"{at}.start", frames)
    end = _frame(event["end"], f"{at}.end", frames)
    if end < start:
        raise Problem(f"{at}.end", f"frame {end} is before the start, frame {start}")
    if end - start + 1 < config.min_frames:
        raise Problem(
            f"{at}.end",
            f"the event spans {end - start + 1} frames ({start}..{end}); events of this "
            f"question span at least {config.min_frames}",
        )
    check_attributes(config.attributes, event.get("attributes"), at)


def _id(value: Any, i: int, ids: dict[str, int]) -> None:
    if type(value) is not str:
        raise Problem(f"events[{i}].id", f"expected a string, got {describe(value)}")
    if not 1 <= len(value) <= MAX_ID:
        raise Problem(f"events[{i}].id", f"must be 1 to {MAX_ID} characters, not {len(value)}")
    first = ids.setdefault(value, i)
    if first != i:
        raise Problem(f"events[{i}].id", f"{value!r} is also the id of events[{first}]")


def _frame(value: Any, path: str, frames: int | None) -> int:
    if type(value) is not int:
        raise Problem(path, f"expected a whole frame number, got {describe(value)}")
    if value < 0:
        raise Problem(path, f"frame {value} is before the first frame, 0")
    if frames is not None and value >= frames:
        raise Problem(
            path, f"frame {value} is past the video's last frame, {frames - 1} ({frames} frames)"
        )
    return value


def _apart(events: list[dict[str, Any]]) -> None:
    """Raise unless no two events of one label share a frame (both ends included)."""
    by_label: dict[str, list[int]] = {}
    for i, event in enumerate(events):
        by_label.setdefault(event["label"], []).append(i)
    for label, indices in by_label.items():
        order = sorted(indices, key=lambda i: (events[i]["start"], events[i]["end"]))
        reach = -1  # the event reaching furthest right so far
        for i in order:
            if reach >= 0 and events[i]["start"] <= events[reach]["end"]:
                first, second = sorted((reach, i))
                a, b = events[first], events[second]
                raise Problem(
                    f"events[{second}]",
                    f"{label!r} frames {b['start']}..{b['end']} overlap events[{first}] "
                    f"({a['start']}..{a['end']}); events of one label may not overlap in this "
                    "question: shorten one or join them",
                )
            if reach < 0 or events[i]["end"] > events[reach]["end"]:
                reach = i


KIND = EventsKind()
