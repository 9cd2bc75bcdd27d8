"""``segments``: labelled time segments on an ``audio`` field (docs/audio.md, "Segments").

``{"segments": [{"id": "s1", "label": "speech", "start": 1.25, "end": 3.5, "speaker": "A",
"attributes": {...}}]}``: times in seconds, multiples of 0.001, ``0 <= start < end``, ``end``
at most the recording's duration when the task's data gives it; ``speaker`` one of the
question's ``speakers`` (required with ``speaker_required``); ``attributes`` follow the
question's attributes, as for the shape kinds (choice, multi_choice, number, text). With
``overlap: refuse`` two segments of one label may not overlap (touching ends are allowed);
``min_duration`` is the shortest segment (`accord.kinds.questions.time_segments`).

Distance: ``1 -`` the F1 of segments matched one to one (same label, temporal IoU at least
``match_threshold``, optimal assignment), as for video events. Consensus: the medoid answer
by that distance.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from accord.kinds.base import Problem, QuestionConfig, QuestionKind, describe, expect_object
from accord.kinds.questions.options import Options, values
from accord.kinds.questions.shape_matching import Pairs, dense_pairs, matched_f1
from accord.kinds.questions.shapes import Attribute, check_attributes, distinct_attributes
from accord.kinds.questions.time_segments import (
    SPEAKER_REQUIRED_FIELD,
    SPEAKERS_FIELD,
    check_apart,
    check_id,
    check_keys,
    check_speaker,
    duration_of,
    segment_list,
    segment_times,
    time_iou,
)

KEYS = frozenset({"id", "label", "start", "end", "speaker", "attributes"})
NEEDED = ("id", "label", "start", "end")


class SegmentsQuestion(QuestionConfig):
    kind: Literal["segments"] = "segments"
    target: str = Field(description="The audio field the segments are marked on.")
    labels: Options = Field(description="The labels a segment can take (strings or objects).")
    speakers: Options | None = SPEAKERS_FIELD
    speaker_required: bool = SPEAKER_REQUIRED_FIELD
    attributes: list[Attribute] = Field(
        default_factory=list, max_length=100, description="Per-segment attributes."
    )
    overlap: Literal["allow", "refuse"] = Field(
        default="allow", description="Whether two segments of one label may overlap."
    )
    min_duration: float = Field(
        default=0.01, ge=0.001, le=86_400, description="Seconds the shortest segment lasts."
    )
    min_segments: int = Field(default=0, ge=0, description="Fewest segments in an answer.")
    max_segments: int = Field(
        default=10_000, ge=1, le=100_000, description="Most segments in an answer."
    )
    match_threshold: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Temporal IoU two segments of one label need to match (agreement, gold "
        "scores, consensus).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> SegmentsQuestion:
        if self.min_segments > self.max_segments:
            raise ValueError(
                f"min_segments {self.min_segments} is above max_segments {self.max_segments}"
            )
        if self.speaker_required and not self.speakers:
            raise ValueError("speaker_required needs speakers to choose from")
        distinct_attributes(self.attributes)
        return self


class SegmentsKind(QuestionKind[SegmentsQuestion]):
    name = "segments"
    config = SegmentsQuestion
    targets = frozenset({"audio"})
    target_required = True

    def check(self, config: SegmentsQuestion, value: Any, data: Mapping[str, Any]) -> None:
        answer = expect_object(value, {"segments"}, {"segments"})
        segments = segment_list(answer, config.max_segments, config.min_segments)
        duration = duration_of(data, config.target)
        labels = values(config.labels)
        ids: dict[str, int] = {}
        times: list[tuple[int, int]] = []
        for i, segment in enumerate(segments):
            at = f"segments[{i}]"
            check_keys(segment, at, KEYS, NEEDED)
            check_id(segment["id"], at, i, ids)
            label = segment["label"]
            if type(label) is not str or label not in labels:
                shown = repr(label) if type(label) is str else describe(label)
                raise Problem(f"{at}.label", f"{shown} is not one of {sorted(labels)}")
            times.append(segment_times(segment, at, duration, config.min_duration))
            check_speaker(segment, at, config.speakers, config.speaker_required)
            check_attributes(config.attributes, segment.get("attributes"), at)
        if config.overlap == "refuse":
            check_apart(
                times,
                lambda i: str(segments[i]["label"]),
                "segments",
                lambda label: (
                    f"segments of one label ({label!r}) may not overlap in this "
                    "question: shorten one or join them"
                ),
            )

    def is_empty(self, value: Any) -> bool:
        if isinstance(value, dict) and value.get("segments") == [] and len(value) == 1:
            return True
        return super().is_empty(value)

    def answer_distance(self, config: SegmentsQuestion, a: Any, b: Any) -> float:
        """``1 -`` the F1 of the segments matched one to one (same label, temporal IoU at
        least ``match_threshold``, optimal assignment)."""
        if a == b:
            return 0.0
        return 1.0 - matched_f1(
            a["segments"],
            b["segments"],
            lambda x, y: _pairs(config, x, y),
            config.match_threshold,
        )


def _pairs(config: SegmentsQuestion, a: list[dict[str, Any]], b: list[dict[str, Any]]) -> Pairs:
    return dense_pairs(time_iou, a, b, config.match_threshold)


KIND = SegmentsKind()
