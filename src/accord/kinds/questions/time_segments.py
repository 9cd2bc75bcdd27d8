"""What the ``segments`` and ``transcript`` questions share: time segments on an ``audio``
field, in seconds (docs/audio.md).

A segment has an ``id`` (1-64 characters, unique in the answer), ``start`` and ``end`` in
seconds, each a multiple of 0.001 (millisecond alignment: the player snaps to milliseconds,
and exports stay exact), ``0 <= start < end``, ``end`` at most the recording's duration when
the task's data gives it (`accord.kinds.fields.audio.audio_duration`), and at least
``min_duration`` long; optionally a ``speaker`` from the question's speakers. With ``overlap:
refuse`` two segments of one group (one label, or the whole transcript) may not overlap;
touching ends (one's end the next one's start) are allowed.

Temporal IoU of two segments is computed on whole milliseconds with
`accord.quality.events.segment_iou` (inclusive frames): ``[start, end)`` in seconds is the
inclusive millisecond range ``start_ms .. end_ms - 1``, so the IoU is the exact one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from pydantic import Field

from accord.kinds.base import Problem, describe
from accord.kinds.fields.audio import audio_duration
from accord.kinds.questions.options import Options, values
from accord.kinds.questions.shapes import MAX_ID
from accord.quality.data import FloatArray
from accord.quality.events import segment_iou

MAX_SECONDS = 1_000_000.0  # any time's bound, the recording's duration known or not
ALIGNMENT = 1e-6  # milliseconds a time may be off a whole millisecond (float rounding)

SPEAKERS_FIELD = Field(
    default=None,
    description="The speakers a segment may name (strings or objects); unset: no speakers.",
)
SPEAKER_REQUIRED_FIELD = Field(
    default=False, description="Every segment must name one of the speakers."
)


def milliseconds(value: Any, path: str) -> int:
    """``value`` (seconds) as whole milliseconds; `Problem` at ``path`` unless it is a
    non-negative number of seconds that is a multiple of 0.001."""
    if type(value) not in (int, float) or not math.isfinite(value):
        raise Problem(path, f"expected a number of seconds, got {describe(value)}")
    if value < 0:
        raise Problem(path, f"{value} s is before the recording's start, 0 s")
    if value > MAX_SECONDS:
        raise Problem(path, f"{value} s is past {MAX_SECONDS:,.0f} s, the longest time taken")
    ms = round(value * 1000)
    if abs(value * 1000 - ms) > ALIGNMENT:
        raise Problem(
            path,
            f"{value} s is not a whole number of milliseconds; give seconds with at most 3 "
            f"decimals, e.g. {ms / 1000:.3f}",
        )
    return int(ms)


def segment_times(
    segment: Mapping[str, Any], at: str, duration: float | None, min_duration: float
) -> tuple[int, int]:
    """The segment's start and end in milliseconds, checked (see the module)."""
    start = milliseconds(segment["start"], f"{at}.start")
    end = milliseconds(segment["end"], f"{at}.end")
    if end <= start:
        raise Problem(
            f"{at}.end",
            f"{segment['end']} s is not after the start, {segment['start']} s; a segment "
            "ends after it starts",
        )
    if duration is not None and end > round(duration * 1000):
        raise Problem(
            f"{at}.end", f"{segment['end']} s is past the recording's end, {duration:g} s"
        )
    if end - start < round(min_duration * 1000):
        raise Problem(
            f"{at}.end",
            f"the segment lasts {(end - start) / 1000:g} s; segments of this question last "
            f"at least {min_duration:g} s",
        )
    return start, end


def check_id(value: Any, at: str, i: int, ids: dict[str, int], noun: str = "segments") -> None:
    if type(value) is not str:
        raise Problem(f"{at}.id", f"expected a string, got {describe(value)}")
    if not 1 <= len(value) <= MAX_ID:
        raise Problem(f"{at}.id", f"must be 1 to {MAX_ID} characters, not {len(value)}")
    first = ids.setdefault(value, i)
    if first != i:
        raise Problem(f"{at}.id", f"{value!r} is also the id of {noun}[{first}]")


def check_speaker(
    segment: Mapping[str, Any], at: str, speakers: Options | None, required: bool
) -> None:
    """The segment's ``speaker``: one of ``speakers``, present when ``required``."""
    if "speaker" not in segment:
        if required and speakers:
            raise Problem(f"{at}.speaker", f"missing; name one of {sorted(values(speakers))}")
        return
    speaker = segment["speaker"]
    if not speakers:
        raise Problem(f"{at}.speaker", "this question has no speakers; leave speaker out")
    known = values(speakers)
    if type(speaker) is not str or speaker not in known:
        shown = repr(speaker) if type(speaker) is str else describe(speaker)
        raise Problem(f"{at}.speaker", f"{shown} is not one of {sorted(known)}")


def check_apart(
    times: Sequence[tuple[int, int]],
    group: Callable[[int], str],
    noun: str,
    why: Callable[[str], str],
) -> None:
    """`Problem` unless no two segments of one group overlap (touching ends allowed);
    ``times`` are milliseconds, ``group(i)`` the group of segment i, ``why(group)`` the end
    of the message."""
    by_group: dict[str, list[int]] = {}
    for i in range(len(times)):
        by_group.setdefault(group(i), []).append(i)
    for name, indices in by_group.items():
        order = sorted(indices, key=lambda i: times[i])
        reach = -1  # the segment reaching furthest right so far
        for i in order:
            if reach >= 0 and times[i][0] < times[reach][1]:
                first, second = sorted((reach, i))
                a, b = times[first], times[second]
                raise Problem(
                    f"{noun}[{second}]",
                    f"{b[0] / 1000:g}..{b[1] / 1000:g} s overlaps {noun}[{first}] "
                    f"({a[0] / 1000:g}..{a[1] / 1000:g} s); {why(name)}",
                )
            if reach < 0 or times[i][1] > times[reach][1]:
                reach = i


def duration_of(data: Mapping[str, Any], target: str) -> float | None:
    if target not in data:
        raise Problem("", f"the task has no {target!r} recording")
    return audio_duration(data, target)


def segment_list(answer: Mapping[str, Any], most: int, fewest: int = 0) -> list[Any]:
    segments = answer["segments"]
    if type(segments) is not list:
        raise Problem("segments", f"expected a list of segments, got {describe(segments)}")
    if len(segments) > most:
        raise Problem("segments", f"{len(segments)} segments; this question allows at most {most}")
    if len(segments) < fewest:
        raise Problem("segments", f"{len(segments)} segments; mark at least {fewest}")
    return segments


def check_keys(segment: Any, at: str, keys: frozenset[str], needed: Sequence[str]) -> None:
    if type(segment) is not dict:
        raise Problem(at, f"expected an object, got {describe(segment)}")
    if not keys.issuperset(segment):
        key = sorted(set(segment) - keys)[0]
        raise Problem(f"{at}.{key}", f"unknown key; a segment has {', '.join(sorted(keys))}")
    for key in needed:
        if key not in segment:
            raise Problem(f"{at}.{key}", "missing")


def time_iou(a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]]) -> FloatArray:
    """``(len(a), len(b))`` temporal IoU of segments in seconds (exact, on milliseconds)."""
    return segment_iou(_inclusive_ms(a), _inclusive_ms(b))


def _inclusive_ms(segments: Sequence[Mapping[str, Any]]) -> FloatArray:
    rows = [(round(s["start"] * 1000), round(s["end"] * 1000) - 1) for s in segments]
    return np.array(rows, dtype=np.float64).reshape(len(rows), 2)
