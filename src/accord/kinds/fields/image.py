"""``image``: a picture the questions of a task draw on.

A value is a media reference, or an object carrying the reference and the picture's size:

- ``"s3://bucket/key"``, ``"file:///abs/path"`` (a file in the storage's ``media/`` area,
  see `accord.media.links`) or ``"http(s)://host/path"``;
- ``{"src": "<reference as above>", "width": W, "height": H}``: W and H whole numbers from 1
  to `MAX_SIDE`, the size *after* the EXIF orientation is applied, both given or neither.

Shape questions (`accord.kinds.questions.shapes`) check that shapes lie inside the picture
when its size is known (`image_size`). When a browser reads a task, the reference is replaced
by a signed URL (the object form is kept, plus ``thumb`` when a thumbnail exists).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from accord.kinds.base import DataCheck, FieldConfig, FieldKind, describe

MAX_SIDE = 50_000  # the longest side, in pixels, Accord accepts (as the media upload does)
MAX_REFERENCE = 4096  # the longest reference, in characters
SCHEMES = ("s3://", "file:///", "http://", "https://")
KEYS = ("src", "width", "height")


class ImageField(FieldConfig):
    kind: Literal["image"] = "image"


class ImageKind(FieldKind[ImageField]):
    name = "image"
    config = ImageField

    def data_check(self, config: ImageField) -> DataCheck:
        return image_problem


def image_problem(value: Any) -> str | None:
    """Why ``value`` is not an image reference (None when it is one)."""
    problem = media_object_problem(value, "an image", KEYS)
    if problem is not None or type(value) is not dict:
        return problem
    given = [key for key in ("width", "height") if key in value]
    if len(given) == 1:
        missing = "height" if given == ["width"] else "width"
        return f"{missing}: missing; give width and height together, or neither"
    for key in given:
        side = value[key]
        if type(side) is not int:
            return f"{key}: expected a whole number of pixels, got {describe(side)}"
        if not 1 <= side <= MAX_SIDE:
            return f"{key}: {side} is outside 1..{MAX_SIDE} pixels"
    return None


def media_object_problem(value: Any, what: str, keys: tuple[str, ...]) -> str | None:
    """What is wrong with the part every media field's value shares (None when it is sound):
    a reference string, or an object with a ``src`` reference and no key but ``keys`` (``src``
    first); ``what`` names the object in a message ("an image"). An object's other keys are
    the caller's to check."""
    if type(value) is str:
        return reference_problem(value)
    if type(value) is not dict:
        example = ", ".join(f'"{key}": ...' for key in keys[:3])
        return (
            "expected a media reference (s3://, file:///, http(s)://) or an object "
            f"{{{example}}}, got {describe(value)}"
        )
    unknown = value.keys() - set(keys)
    if unknown:
        listed = ", ".join(keys[:-1]) + " and " + keys[-1]
        return f"unknown key {sorted(unknown)[0]!r}; {what} object has {listed}"
    if "src" not in value:
        return "src: missing; give the media reference"
    if type(value["src"]) is not str:
        return f"src: expected a string, got {describe(value['src'])}"
    problem = reference_problem(value["src"])
    return f"src: {problem}" if problem else None


def reference_problem(text: str) -> str | None:
    """Why ``text`` is not a media reference (None when it is one)."""
    if not text:
        return "empty; give a media reference (s3://bucket/key, file:///path, https://...)"
    if len(text) > MAX_REFERENCE:
        return f"{len(text)} characters; a media reference has at most {MAX_REFERENCE}"
    if not text.startswith(SCHEMES):
        shown = text if len(text) <= 60 else text[:59] + "…"
        return (
            f"{shown!r} is not a media reference; use s3://bucket/key, file:///abs/path "
            "(inside the storage's media/ folder) or http(s)://host/path"
        )
    if any(ord(c) < 32 for c in text):
        return "contains a control character (a line break or tab?)"
    if text.startswith("s3://"):
        bucket, _, key = text[5:].partition("/")
        if not bucket or not key:
            return f"{text!r} names no bucket or no key; use s3://bucket/key"
    elif text.startswith("http"):
        try:
            host = urlsplit(text).netloc
        except ValueError:
            return f"{text!r} is not a valid URL"
        if not host:
            return f"{text!r} names no host"
    elif text == "file:///":
        return "names no file; use file:///abs/path"
    return None


def image_size(data: Mapping[str, Any], field_name: str) -> tuple[int, int] | None:
    """``(width, height)`` of the task's image ``field_name`` when its data gives them."""
    value = data.get(field_name)
    if type(value) is not dict:
        return None
    width, height = value.get("width"), value.get("height")
    if type(width) is int and type(height) is int and width > 0 and height > 0:
        return width, height
    return None


KIND = ImageKind()
