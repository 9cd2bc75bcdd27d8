"""``video``: a video the questions of a task work on (docs/video.md).

A value is a media reference, or an object carrying the reference and what is known of it:

- ``"s3://bucket/key"``, ``"file:///abs/path"`` (a file in the storage's ``media/`` area) or
  ``"http(s)://host/path"``, as for `accord.kinds.fields.image`;
- ``{"src": "<reference>", "frames": N, "fps": F, "width": W, "height": H, "duration": S}``:
  every key but ``src`` optional; N a whole number of frames (≥ 1), F and S positive numbers
  (frames a second, seconds), W and H whole numbers of pixels (both or neither), the size
  as shown (after the rotation the file declares). What an upload answers fits here.

When a browser reads a task, the video's value becomes an object: ``src`` signed, and the
frames the player draws (`accord.media.links`): ``frames_state`` (pending, ready, failed),
``manifest`` and ``frames_data`` (signed links) once ready, ``frames_error`` once failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from accord.kinds.base import DataCheck, FieldConfig, FieldKind, describe
from accord.kinds.fields.image import MAX_SIDE, media_object_problem

KEYS = ("src", "frames", "fps", "width", "height", "duration")
MAX_FRAMES = 10_000_000


class VideoField(FieldConfig):
    kind: Literal["video"] = "video"


class VideoKind(FieldKind[VideoField]):
    name = "video"
    config = VideoField

    def data_check(self, config: VideoField) -> DataCheck:
        return video_problem


def _number_problem(key: str, value: Any) -> str | None:
    if key == "frames":
        if type(value) is not int:
            return f"frames: expected a whole number of frames, got {describe(value)}"
        if not 1 <= value <= MAX_FRAMES:
            return f"frames: {value} is outside 1..{MAX_FRAMES}"
        return None
    if key in ("width", "height"):
        if type(value) is not int:
            return f"{key}: expected a whole number of pixels, got {describe(value)}"
        if not 1 <= value <= MAX_SIDE:
            return f"{key}: {value} is outside 1..{MAX_SIDE} pixels"
        return None
    if type(value) not in (int, float) or not value > 0 or value != value or value == float("inf"):
        unit = "frames a second" if key == "fps" else "seconds"
        return f"{key}: expected a positive number of {unit}, got {describe(value)}"
    return None


def video_problem(value: Any) -> str | None:
    """Why ``value`` is not a video reference (None when it is one)."""
    problem = media_object_problem(value, "a video", KEYS)
    if problem is not None or type(value) is not dict:
        return problem
    if ("width" in value) != ("height" in value):
        missing = "height" if "width" in value else "width"
        return f"{missing}: missing; give width and height together, or neither"
    for key in ("frames", "fps", "width", "height", "duration"):
        if key in value and (problem := _number_problem(key, value[key])):
            return problem
    return None


def video_frames(data: Mapping[str, Any], field_name: str) -> int | None:
    """The frame count the task's data gives for its video ``field_name``, if any."""
    value = data.get(field_name)
    if type(value) is dict and type(value.get("frames")) is int:
        return int(value["frames"])
    return None


KIND = VideoKind()
