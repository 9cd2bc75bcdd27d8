"""What the video track formats (CVAT video XML, YouTube-VIS) share: the project's ``tracks``
questions seen as a dataset's labels, track ids, attribute values, and the reduction of a
shape in every frame to the few keyframes of an Accord track (docs/video.md).

`VideoSchema.of` finds the ``tracks`` questions with shape ``box``, ``polygon`` or ``point``
over one video field (the first video field that has one); a file's object of label L drawn
as shape S goes to the first such question of shape S offering L.

`keyframes_of` turns a track's rows (one per frame it is written on, in frame order) into
keyframes. A row is kept when it must be: the first row, a row the file marks as a keyframe,
an ``outside`` row (unless the track is already outside), the first row after an outside one;
a row between two kept ones is dropped when the interpolation between them
(`accord.quality.tracks`: linear, polygons resampled, held before an ``outside`` row and
after the last one) gives its geometry back within ``tolerance`` pixels (0: exactly) and its
``occluded`` flag and mutable attributes are those held from the keyframe before it. Each
kept row reaches as far as it can: the whole stretch up to the next forced row is tried
first, then the distance doubled and halved back, every candidate checked in full (numpy).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from accord.formats.shapes import (
    AttributeSpec,
    DatasetError,
    member,
    option_label,
    plain_dict,
    typed,
)
from accord.quality.tracks import Shape, geometry, lerp

SHAPES: tuple[Shape, ...] = ("box", "polygon", "point")


@dataclass(frozen=True)
class TrackQuestion:
    """One ``tracks`` question a format reads and writes."""

    name: str
    shape: Shape
    labels: tuple[str, ...]
    rotation: bool = False
    attributes: tuple[AttributeSpec, ...] = ()
    mutable: frozenset[str] = frozenset()  # the attributes that may change per keyframe

    def attribute(self, name: str) -> AttributeSpec | None:
        return next((a for a in self.attributes if a.name == name), None)


@dataclass(frozen=True)
class VideoSchema:
    """The ``tracks`` questions (box, polygon, point) over one video field."""

    video_field: str
    questions: tuple[TrackQuestion, ...]
    labels: tuple[str, ...] = field(init=False)  # every label once, in the questions' order

    def __post_init__(self) -> None:
        labels: dict[str, None] = {}
        for question in self.questions:
            labels.update(dict.fromkeys(question.labels))
        object.__setattr__(self, "labels", tuple(labels))

    def question_for(self, shape: str, label: str) -> TrackQuestion | None:
        return next((q for q in self.questions if q.shape == shape and label in q.labels), None)

    @classmethod
    def of(cls, interface: Any, fmt: str) -> VideoSchema:
        """From a project's interface (`accord.kinds.Interface` or its JSON); `DatasetError`
        saying what to add when it has no such question (``fmt`` names the format)."""
        fields = [plain_dict(f) for f in member(interface, "fields") or []]
        videos = [f["name"] for f in fields if f.get("kind") == "video"]
        found = [
            q
            for q in (plain_dict(q) for q in member(interface, "questions") or [])
            if q.get("kind") == "tracks" and q.get("shape") in SHAPES and q.get("target") in videos
        ]
        if not found:
            raise DatasetError(
                f"the project has no tracks question with shape box, polygon or point over a "
                f"video field, which {fmt} tracks go to: add a field {{name: clip, kind: video}} "
                "and a question {name: objects, kind: tracks, target: clip, shape: box, labels: "
                "[car, ...]}"
            )
        target = next(v for v in videos if any(q["target"] == v for q in found))
        return cls(target, tuple(_question(q) for q in found if q["target"] == target))


def _question(q: dict[str, Any]) -> TrackQuestion:
    declared = q.get("attributes") or []
    return TrackQuestion(
        name=str(q["name"]),
        shape=q["shape"],
        labels=tuple(option_label(o) for o in q.get("labels") or []),
        rotation=bool(q.get("rotation")),
        attributes=tuple(
            AttributeSpec(
                str(member(a, "name")),
                str(member(a, "type")),
                tuple(option_label(o) for o in member(a, "options") or []),
            )
            for a in declared
        ),
        mutable=frozenset(str(member(a, "name")) for a in declared if member(a, "mutable")),
    )


# -- values ---------------------------------------------------------------------------------


def attribute_value(spec: AttributeSpec, text: str, where: str) -> Any:
    """An attribute's text (XML) as a value of its declared type; `DatasetError` naming
    ``where`` when it cannot be one. multi_choice values are comma-separated."""
    value = typed(spec, text)
    if value is None:
        wanted = {
            "number": "a number",
            "choice": f"one of {', '.join(spec.options)}",
            "multi_choice": f"comma-separated values among {', '.join(spec.options)}",
        }.get(spec.type, "text")
        raise DatasetError(
            f"{where}: attribute {spec.name!r} is {text!r}, not {wanted}; fix the value or the "
            "question's attribute"
        )
    return value


def attribute_text(value: Any) -> str:
    """An attribute's value as text (the inverse of `attribute_value`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, int | float):
        return number_text(value)
    return str(value)


def number_text(value: float) -> str:
    """``value`` as text that reads back as the same float: ``12``, ``12.5``, ``0.1``."""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def number(value: float) -> int | float:
    """Whole numbers as integers (``12``, not ``12.0``), the rest unchanged."""
    return int(value) if float(value).is_integer() else float(value)


def span(low: float, high: float) -> int | float:
    """The shortest decimal ``d`` with ``low + d == high`` exactly (a box's width from its
    corners: ``0.3 - 0.1`` is ``0.19999999999999998`` but ``0.1 + 0.2`` gives ``0.3`` back),
    so that a width written as ``x + w`` reads back as the same ``w``."""
    raw = high - low
    for digits in range(1, 18):
        short = float(f"{raw:.{digits}g}")
        if low + short == high:
            return number(short)
    return number(raw)


def track_ids(ids: Sequence[Any], start: int = 0) -> list[int]:
    """A whole-number id per track: N for an id ``tN`` (or ``N``) met once and at least
    ``start``, the others the next unused numbers."""
    wanted = []
    for ident in ids:
        match = re.fullmatch(r"t?(\d{1,15})", str(ident))
        wanted.append(int(match.group(1)) if match and int(match.group(1)) >= start else None)
    counts: dict[int, int] = {}
    for n in wanted:
        if n is not None:
            counts[n] = counts.get(n, 0) + 1
    used = {n for n, c in counts.items() if c == 1}
    out, free = [], start
    for n in wanted:
        if n is not None and counts[n] == 1:
            out.append(n)
            continue
        while free in used:
            free += 1
        used.add(free)
        out.append(free)
    return out


def answer_tracks(answer: Mapping[str, Any], question: TrackQuestion) -> list[dict[str, Any]]:
    value = answer.get(question.name)
    tracks = value.get("tracks") if isinstance(value, Mapping) else None
    if not isinstance(tracks, list):
        return []
    return [t for t in tracks if isinstance(t, dict) and t.get("label") in question.labels]


# -- rows to keyframes ----------------------------------------------------------------------


@dataclass
class Row:
    """A track in one frame as a file writes it: its geometry as a keyframe's keys (none
    when ``outside``), flags, mutable attributes, and whether the file says it is a
    keyframe."""

    frame: int
    keys: dict[str, Any]
    outside: bool = False
    occluded: bool = False
    attributes: dict[str, Any] = field(default_factory=dict)
    keyframe: bool = False


def keyframes_of(rows: Sequence[Row], shape: Shape, tolerance: float) -> list[dict[str, Any]]:
    """The keyframes of a track written as ``rows`` (in frame order; see the module)."""
    rows = _trimmed(rows)
    if not rows:
        return []
    held = _held(rows)
    forced = _forced(rows)
    kept: list[int] = []
    for i, anchor in enumerate(forced):
        kept.append(anchor)
        stop = forced[i + 1] if i + 1 < len(forced) else len(rows)
        if rows[anchor].outside:
            continue
        kept.extend(_between(rows, held, shape, tolerance, anchor, stop))
    out = []
    previous: dict[str, Any] = {}
    for index in kept:
        out.append(_keyframe(rows[index], held[index], previous))
        previous = held[index]
    return out


def _trimmed(rows: Sequence[Row]) -> list[Row]:
    """Without leading outside rows and repeated outside rows (absent already)."""
    out: list[Row] = []
    for row in rows:
        if row.outside and (not out or out[-1].outside):
            continue
        out.append(row)
    return out


def _held(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """The mutable attributes in force at each row (merged in order)."""
    out: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    for row in rows:
        current = current | row.attributes
        out.append(current)
    return out


def _forced(rows: Sequence[Row]) -> list[int]:
    return [
        i
        for i, row in enumerate(rows)
        if i == 0 or row.keyframe or row.outside or rows[i - 1].outside
    ]


def _between(
    rows: Sequence[Row],
    held: Sequence[dict[str, Any]],
    shape: Shape,
    tolerance: float,
    anchor: int,
    stop: int,
) -> Iterator[int]:
    """The rows strictly between ``anchor`` and ``stop`` (the next forced row, or the end)
    that interpolation does not give back."""
    start = anchor
    while start < stop - 1:
        same = start + 1
        state = (rows[start].occluded, held[start])
        while same < stop and (rows[same].occluded, held[same]) == state:
            same += 1
        limit = stop if same == stop else same  # rows from ``same`` on are held differently
        reach = _reach(rows, shape, tolerance, start, limit, stop)
        if reach >= stop:
            return
        yield reach
        start = reach


def _reach(
    rows: Sequence[Row], shape: Shape, tolerance: float, start: int, limit: int, stop: int
) -> int:
    """The farthest row ``end`` up to ``limit`` such that every row between ``start`` and
    ``end`` is given back (``end == stop``: up to the next forced row, whatever it is)."""

    def good(end: int) -> bool:
        return _reproduces(rows, shape, tolerance, start, end)

    if limit == stop and good(stop):
        return stop
    last = min(limit, stop - 1)
    low, step, high = start + 1, 2, -1
    while start + step <= last:
        if not good(start + step):
            high = start + step
            break
        low, step = start + step, step * 2
    if high < 0:
        if low == last or good(last):
            return last
        high = last
    while high - low > 1:
        middle = (low + high) // 2
        if good(middle):
            low = middle
        else:
            high = middle
    return low


def _reproduces(rows: Sequence[Row], shape: Shape, tolerance: float, start: int, end: int) -> bool:
    """Whether keyframes at ``start`` and ``end`` (``len(rows)``: none after; an outside
    row: the shape held) give back every row between them."""
    if end - start <= 1:
        return True
    own = geometry(shape, rows[start].keys)
    middle = rows[start + 1 : end]
    try:
        actual = np.stack([geometry(shape, r.keys) for r in middle])
    except ValueError:  # polygons of different vertex counts
        return False
    if end >= len(rows) or rows[end].outside:
        expected = np.repeat(own[None], len(middle), axis=0)
    else:
        other = geometry(shape, rows[end].keys)
        f0, f1 = rows[start].frame, rows[end].frame
        t = (np.array([r.frame for r in middle], dtype=np.float64) - f0) / float(f1 - f0)
        expected = lerp(shape, own, other, t)
    if expected.shape != actual.shape:
        return False
    if tolerance == 0:
        return bool(np.array_equal(expected, actual))
    return bool(np.all(np.abs(expected - actual) <= tolerance))


def _keyframe(row: Row, held: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
    if row.outside:
        return {"frame": row.frame, "outside": True}
    out: dict[str, Any] = {"frame": row.frame, **row.keys}
    if row.occluded:
        out["occluded"] = True
    changed = {k: v for k, v in held.items() if k not in previous or previous[k] != v}
    if changed:
        out["attributes"] = changed
    return out
