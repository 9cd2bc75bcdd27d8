"""``transcript``: what is said, segment by segment, on an ``audio`` field (docs/audio.md,
"Transcripts").

``{"segments": [{"id": "s1", "start": 0.5, "end": 2.25, "text": "hello there",
"speaker": "A"}]}``: the time rules of ``segments`` (`accord.kinds.questions.time_segments`:
seconds, multiples of 0.001, ``0 <= start < end <= duration``), ``speaker`` one of the
question's ``speakers``; each ``text`` is checked by the rules of ``text`` questions
(``min_length``, ``max_length``, ``rules``, ``checks``: `accord.kinds.questions.text` runs
them), a failure named at ``segments[i].text``. With ``overlap: refuse`` no two segments may
overlap (touching ends are allowed).

Distance: the word edit distance of the two transcripts (each read as its segments' texts in
time order joined by a space, words split on whitespace) over the longer one's word count:
the word error rate with the longer as the reference, the same both ways, at most 1 (two
empty transcripts: 0). Gold scores use the same distance. Consensus: the medoid.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from accord.kinds.base import Problem, QuestionConfig, QuestionKind, expect_object
from accord.kinds.questions.options import Options
from accord.kinds.questions.text import KIND as TEXT
from accord.kinds.questions.text import TextQuestion, TextRules
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
)
from accord.quality.text import edit_distance

KEYS = frozenset({"id", "start", "end", "text", "speaker"})
NEEDED = ("id", "start", "end", "text")


class TranscriptQuestion(TextRules, QuestionConfig):
    """With the text rules (`TextRules`) each segment's text is checked by."""

    kind: Literal["transcript"] = "transcript"
    target: str = Field(description="The audio field transcribed.")
    speakers: Options | None = SPEAKERS_FIELD
    speaker_required: bool = SPEAKER_REQUIRED_FIELD
    overlap: Literal["allow", "refuse"] = Field(
        default="allow", description="Whether two segments may overlap in time."
    )
    min_duration: float = Field(
        default=0.01, ge=0.001, le=86_400, description="Seconds the shortest segment lasts."
    )
    min_segments: int = Field(default=0, ge=0, description="Fewest segments in an answer.")
    max_segments: int = Field(
        default=10_000, ge=1, le=100_000, description="Most segments in an answer."
    )

    @model_validator(mode="after")
    def _consistent(self) -> TranscriptQuestion:
        if self.min_segments > self.max_segments:
            raise ValueError(
                f"min_segments {self.min_segments} is above max_segments {self.max_segments}"
            )
        if self.speaker_required and not self.speakers:
            raise ValueError("speaker_required needs speakers to choose from")
        return self

    def text_rules(self) -> TextQuestion:
        """The ``text`` question whose check each segment's text passes."""
        return TextQuestion(
            name=self.name,
            min_length=self.min_length,
            max_length=self.max_length,
            rules=self.rules,
            checks=self.checks,
        )


class TranscriptKind(QuestionKind[TranscriptQuestion]):
    name = "transcript"
    config = TranscriptQuestion
    targets = frozenset({"audio"})
    target_required = True

    def check(self, config: TranscriptQuestion, value: Any, data: Mapping[str, Any]) -> None:
        answer = expect_object(value, {"segments"}, {"segments"})
        segments = segment_list(answer, config.max_segments, config.min_segments)
        duration = duration_of(data, config.target)
        text_rules = config.text_rules()
        ids: dict[str, int] = {}
        times: list[tuple[int, int]] = []
        for i, segment in enumerate(segments):
            at = f"segments[{i}]"
            check_keys(segment, at, KEYS, NEEDED)
            check_id(segment["id"], at, i, ids)
            times.append(segment_times(segment, at, duration, config.min_duration))
            try:
                TEXT.check(text_rules, {"text": segment["text"]}, data)
            except Problem as problem:
                raise problem.under(at) from None
            check_speaker(segment, at, config.speakers, config.speaker_required)
        if config.overlap == "refuse":
            check_apart(
                times,
                lambda i: "",
                "segments",
                lambda _: "segments of this transcript may not overlap: move one's edge",
            )

    def is_empty(self, value: Any) -> bool:
        if isinstance(value, dict) and value.get("segments") == [] and len(value) == 1:
            return True
        return super().is_empty(value)

    def answer_distance(self, config: TranscriptQuestion, a: Any, b: Any) -> float:
        """The word edit distance of the two transcripts over the longer one's word count:
        the word error rate with the longer as the reference, so that the distance is the
        same both ways (agreement pairs have no order) and never above 1. A gold answer's
        usual WER (gold as the reference) is the same figure whenever the gold is the longer."""
        first, second = full_text(a["segments"]).split(), full_text(b["segments"]).split()
        longest = max(len(first), len(second))
        return edit_distance(first, second) / longest if longest else 0.0


def full_text(segments: list[dict[str, Any]]) -> str:
    """The segments' texts in time order (start, then end), joined by a space."""
    ordered = sorted(segments, key=lambda s: (s["start"], s["end"]))
    return " ".join(str(s["text"]) for s in ordered)


KIND = TranscriptKind()
