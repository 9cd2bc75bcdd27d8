"""``audio``: a recording the questions of a task work on (docs/audio.md).

A value is a media reference, or an object carrying the reference and what is known of it:

- ``"s3://bucket/key"``, ``"file:///abs/path"`` (a file in the storage's ``media/`` area) or
  ``"http(s)://host/path"``, as for `accord.kinds.fields.image`;
- ``{"src": "<reference>", "duration": S, "sample_rate": R, "channels": C}``: every key but
  ``src`` optional; S a positive number of seconds, R a whole number of samples a second
  (`MIN_RATE`..`MAX_RATE`), C a whole number of channels (1..`MAX_CHANNELS`). What an upload
  answers fits here.

Time questions (``segments``, ``transcript``) check that their segments end within the
recording when its duration is known (`audio_duration`). When a browser reads a task, the
value becomes an object: ``src`` signed, and the waveform data the player draws
(`accord.media.audio_links`): ``waveform_state`` (pending, ready, failed), ``manifest``,
``peaks`` and ``spectrogram`` (signed links) once ready, ``waveform_error`` once failed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

from accord.kinds.base import DataCheck, FieldConfig, FieldKind, describe
from accord.kinds.fields.image import media_object_problem

KEYS = ("src", "duration", "sample_rate", "channels")
MIN_RATE = 1_000
MAX_RATE = 768_000
MAX_CHANNELS = 64


class AudioField(FieldConfig):
    kind: Literal["audio"] = "audio"


class AudioKind(FieldKind[AudioField]):
    name = "audio"
    config = AudioField

    def data_check(self, config: AudioField) -> DataCheck:
        return audio_problem


def _number_problem(key: str, value: Any) -> str | None:
    if key == "sample_rate":
        if type(value) is not int:
            return (
                f"sample_rate: expected a whole number of samples a second, got {describe(value)}"
            )
        if not MIN_RATE <= value <= MAX_RATE:
            return f"sample_rate: {value} Hz is outside {MIN_RATE}..{MAX_RATE}"
        return None
    if key == "channels":
        if type(value) is not int:
            return f"channels: expected a whole number of channels, got {describe(value)}"
        if not 1 <= value <= MAX_CHANNELS:
            return f"channels: {value} is outside 1..{MAX_CHANNELS}"
        return None
    if type(value) not in (int, float) or not value > 0 or not math.isfinite(value):
        return f"duration: expected a positive number of seconds, got {describe(value)}"
    return None


def audio_problem(value: Any) -> str | None:
    """Why ``value`` is not an audio reference (None when it is one)."""
    problem = media_object_problem(value, "an audio", KEYS)
    if problem is not None or type(value) is not dict:
        return problem
    for key in ("duration", "sample_rate", "channels"):
        if key in value and (problem := _number_problem(key, value[key])):
            return problem
    return None


def audio_duration(data: Mapping[str, Any], field_name: str) -> float | None:
    """The duration in seconds the task's data gives for its audio ``field_name``, if any."""
    value = data.get(field_name)
    duration = value.get("duration") if type(value) is dict else None
    if not isinstance(duration, (int, float)) or type(duration) is bool:
        return None
    return float(duration) if duration > 0 and math.isfinite(duration) else None


KIND = AudioKind()
