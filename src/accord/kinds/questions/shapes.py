"""What the shape kinds (boxes, polygons, polylines, points, keypoints, masks) share.

An answer is ``{"objects": [OBJ, ...]}``, every OBJ with an ``id`` (1-64 characters, unique in
the answer), a ``label`` (one of the question's labels), optionally ``attributes`` ({name:
value} per the question's attributes), ``occluded``, ``truncated``, ``locked``, ``hidden``
(booleans), ``z`` (whole number, drawing order), ``group`` (whole number >= 0) and ``score``
(0..1, predictions carry it); plus the keys of its kind (`ShapeKind.shape_keys`).

Coordinates are pixels of the EXIF-oriented image, origin at the top-left corner of the
top-left pixel, x right, y down. When the task's image field gives its size
(`accord.kinds.fields.image.image_size`), shapes must lie inside it, give or take `TOLERANCE`.

Per-frame shapes: the kinds that list ``video`` in their ``targets`` (all but masks) also draw
on a video field's frames. There every object carries ``frame`` (a whole number, required,
below the video's frame count when the task's data gives it,
`accord.kinds.fields.video.video_frames`); on an image ``frame`` is refused. Which applies is
the question's ``target_kind``, which the `Interface` sets when it links the target (a question
built on its own counts as on an image). Shapes lie inside the video's width and height when
given. Objects match only within one frame: matching groups them by (label, frame)
(`group_of`), a frame being None on an image.

Checking is vectorised where it counts: a kind gathers its coordinates into arrays
(`number_table`, `point_table`) and one numpy pass finds non-finite values and shapes outside
the image, naming the first bad one by its path.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from accord.kinds.base import (
    Name,
    Problem,
    QuestionConfig,
    QuestionKind,
    describe,
    expect_object,
)
from accord.kinds.fields.image import image_size
from accord.kinds.fields.video import video_frames
from accord.kinds.questions.options import Options, values
from accord.kinds.questions.shape_matching import Pairs, dense_pairs, matched_f1
from accord.quality.data import FloatArray, IntArray

TOLERANCE = 0.5  # pixels a shape may reach past the image's edge (edge snapping)
MAX_ID = 64
MAX_Z = 1_000_000_000
MAX_GROUP = 2**31 - 1
MAX_TOTAL_POINTS = 2_000_000  # points of all an answer's shapes together
MAX_COORDINATE = 1e7  # pixels: any coordinate's size, image size known or not (sides <= 50,000)
COMMON = frozenset(
    {"id", "label", "attributes", "occluded", "truncated", "z", "group", "locked", "hidden"}
    | {"score"}
)
FLAGS = ("occluded", "truncated", "locked", "hidden")


class Attribute(BaseModel):
    """A property every object of a shape question may carry (``attributes: {name: value}``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    label: str = Field(default="", max_length=500, description="Shown instead of the name.")
    type: Literal["choice", "multi_choice", "number", "text"]
    options: Options | None = Field(default=None, description="choice / multi_choice values.")
    min: float | None = Field(default=None, description="Smallest number (number only).")
    max: float | None = Field(default=None, description="Largest number (number only).")
    required: bool = Field(default=False, description="Every object must give it.")
    max_length: int = Field(default=1000, ge=1, le=100_000, description="Longest text value.")

    @model_validator(mode="after")
    def _fits_type(self) -> Attribute:
        choosing = self.type in ("choice", "multi_choice")
        if choosing and not self.options:
            raise ValueError(f"attribute {self.name!r}: a {self.type} attribute needs options")
        if not choosing and self.options is not None:
            raise ValueError(f"attribute {self.name!r}: options are for choice attributes only")
        if self.type != "number" and (self.min is not None or self.max is not None):
            raise ValueError(f"attribute {self.name!r}: min and max are for number attributes")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"attribute {self.name!r}: min {self.min:g} is above max {self.max:g}")
        return self


def check_attributes(declared: Sequence[Attribute], given: Any, at: str) -> None:
    """An item's ``attributes`` (an event's, a segment's) against the question's ``declared``
    ones: known names, each value of its type, the required ones there; ``at`` the item's path."""
    by_name = {a.name: a for a in declared}
    if given is not None:
        if type(given) is not dict:
            raise Problem(f"{at}.attributes", f"expected an object, got {describe(given)}")
        for name, item in given.items():
            where = f"{at}.attributes.{name}"
            if name not in by_name:
                known = ", ".join(sorted(by_name)) or "none"
                raise Problem(where, f"no such attribute; the attributes are {known}")
            check_attribute(by_name[name], item, where)
    for attribute in declared:
        if attribute.required and attribute.name not in (given or {}):
            raise Problem(f"{at}.attributes.{attribute.name}", "missing; it is required")


def distinct_attributes(attributes: Sequence[Attribute]) -> None:
    """Raise `ValueError` (the question is refused) when two attributes share a name."""
    seen: set[str] = set()
    for attribute in attributes:
        if attribute.name in seen:
            raise ValueError(f"attribute {attribute.name!r} is declared twice")
        seen.add(attribute.name)


class ShapeQuestion(QuestionConfig):
    target: str = Field(
        description="The image field the shapes are drawn on, or a video field (a frame per "
        "object; not masks)."
    )
    labels: Options = Field(description="The labels an object can take (strings or objects).")
    attributes: list[Attribute] = Field(
        default_factory=list, max_length=100, description="Per-object attributes."
    )
    min_objects: int = Field(default=0, ge=0, description="Fewest objects in an answer.")
    max_objects: int = Field(
        default=10_000, ge=1, le=1_000_000, description="Most objects in an answer."
    )
    match_threshold: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="How alike two objects of one label must be to match (IoU for boxes, "
        "polygons and masks, OKS for keypoints, nearness within radius for points and "
        "lines), for agreement, gold scores and consensus.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> ShapeQuestion:
        if self.min_objects > self.max_objects:
            raise ValueError(
                f"min_objects {self.min_objects} is above max_objects {self.max_objects}"
            )
        distinct_attributes(self.attributes)
        return self


S = TypeVar("S", bound=ShapeQuestion)


@dataclass(frozen=True)
class Shapes:
    """A checked answer's objects and the size of its image ((width, height) or None)."""

    objects: list[dict[str, Any]]
    size: tuple[int, int] | None


class ShapeKind(QuestionKind[S]):
    """A question whose answer is a list of objects drawn on an image field (or on a video's
    frames, a ``frame`` per object)."""

    targets = frozenset({"image", "video"})
    target_required = True
    shape_keys: ClassVar[frozenset[str]] = frozenset()  # the kind's own keys of an object
    required_keys: ClassVar[frozenset[str]] = frozenset()  # those every object must have

    def check(self, config: S, value: Any, data: Mapping[str, Any]) -> None:
        shapes = check_objects(config, value, data, self.shape_keys, self.required_keys)
        if config.target_kind != "video":
            self.check_geometry(config, shapes)
            return
        try:
            self.check_geometry(config, shapes)
        except Problem as problem:  # the geometry checks speak of "the image"
            raise Problem(problem.path, problem.message.replace("image", "video frame")) from None

    def check_geometry(self, config: S, shapes: Shapes) -> None:
        """Raise `Problem` (path ``objects[i]....``) unless every object's geometry fits."""
        raise NotImplementedError

    def similarity(self, config: S, a: list[dict[str, Any]], b: list[dict[str, Any]]) -> FloatArray:
        """How alike each object of ``a`` is to each of ``b`` (both of one label), 0..1."""
        raise NotImplementedError

    def pairs(self, config: S, a: list[dict[str, Any]], b: list[dict[str, Any]]) -> Pairs:
        """The pairs of ``a`` and ``b`` (both of one label) alike enough to match: by default
        from `similarity`, a block of rows at a time (`dense_pairs`)."""
        return dense_pairs(lambda x, y: self.similarity(config, x, y), a, b, config.match_threshold)

    def is_empty(self, value: Any) -> bool:
        if isinstance(value, dict) and value.get("objects") == [] and len(value) == 1:
            return True
        return super().is_empty(value)

    def answer_distance(self, config: S, a: Any, b: Any) -> float:
        """``1 -`` the F1 of the objects matched one to one (same label, similarity at least
        the question's ``match_threshold``, optimal assignment); 0 for equal answers, even of
        degenerate shapes."""
        if a == b:
            return 0.0
        return 1.0 - matched_f1(
            a["objects"],
            b["objects"],
            lambda x, y: self.pairs(config, x, y),
            config.match_threshold,
            group=group_of,
        )


def check_objects(
    config: ShapeQuestion,
    value: Any,
    data: Mapping[str, Any],
    shape_keys: frozenset[str],
    required: frozenset[str],
) -> Shapes:
    """Check what every shape answer shares; the objects and the image size for the kind."""
    answer = expect_object(value, {"objects"}, {"objects"})
    objects = answer["objects"]
    if type(objects) is not list:
        raise Problem("objects", f"expected a list of objects, got {describe(objects)}")
    if len(objects) > config.max_objects:
        raise Problem(
            "objects", f"{len(objects)} objects; this question allows at most {config.max_objects}"
        )
    if len(objects) < config.min_objects:
        raise Problem("objects", f"{len(objects)} objects; draw at least {config.min_objects}")
    on_video = config.target_kind == "video"
    allowed = COMMON | shape_keys | ({"frame"} if on_video else set())
    needed = ("id", "label", *sorted(required), *(("frame",) if on_video else ()))
    labels = values(config.labels)
    attributes = {a.name: a for a in config.attributes}
    must = [a.name for a in config.attributes if a.required]
    ids: dict[str, int] = {}
    for i, obj in enumerate(objects):
        if type(obj) is not dict:
            raise Problem(f"objects[{i}]", f"expected an object, got {describe(obj)}")
        if not allowed.issuperset(obj):
            key = sorted(set(obj) - allowed)[0]
            if key == "frame":
                raise Problem(
                    f"objects[{i}].frame",
                    f"this question draws on the image {config.target!r}, which has no frames; "
                    "remove frame (it is for shapes on a video)",
                )
            raise Problem(f"objects[{i}].{key}", f"unknown key; an object has {_list(allowed)}")
        for key in needed:
            if key not in obj:
                raise Problem(f"objects[{i}].{key}", "missing")
        _id(obj["id"], i, ids)
        label = obj["label"]
        if type(label) is not str or label not in labels:
            shown = repr(label) if type(label) is str else describe(label)
            raise Problem(f"objects[{i}].label", f"{shown} is not one of {sorted(labels)}")
        if len(obj) > len(needed):
            _optional(obj, i, attributes)
        if must:
            given = obj.get("attributes") or {}
            for name in must:
                if name not in given:
                    raise Problem(f"objects[{i}].attributes.{name}", "missing; it is required")
    target = config.target
    if target not in data:
        raise Problem("", f"the task has no {target!r} {'video' if on_video else 'image'}")
    if on_video:
        _frames(objects, video_frames(data, target))
    return Shapes(objects, image_size(data, target))


def _frames(objects: list[dict[str, Any]], frames: int | None) -> None:
    """Every object's ``frame``: a whole number from 0, below ``frames`` when known."""
    for i, obj in enumerate(objects):
        frame, path = obj["frame"], f"objects[{i}].frame"
        if type(frame) is not int:
            raise Problem(path, f"expected a whole frame number, got {describe(frame)}")
        if frame < 0:
            raise Problem(path, f"frame {frame} is before the first frame, 0")
        if frames is not None and frame >= frames:
            raise Problem(
                path,
                f"frame {frame} is past the video's last frame, {frames - 1} ({frames} frames)",
            )


def _id(value: Any, i: int, ids: dict[str, int]) -> None:
    if type(value) is not str:
        raise Problem(f"objects[{i}].id", f"expected a string, got {describe(value)}")
    if not 1 <= len(value) <= MAX_ID:
        raise Problem(f"objects[{i}].id", f"must be 1 to {MAX_ID} characters, not {len(value)}")
    first = ids.setdefault(value, i)
    if first != i:
        raise Problem(f"objects[{i}].id", f"{value!r} is also the id of objects[{first}]")


def _optional(obj: dict[str, Any], i: int, attributes: Mapping[str, Attribute]) -> None:
    for flag in FLAGS:
        if flag in obj and type(obj[flag]) is not bool:
            raise Problem(
                f"objects[{i}].{flag}", f"expected true or false, got {describe(obj[flag])}"
            )
    if "z" in obj:
        _whole(obj["z"], f"objects[{i}].z", -MAX_Z, MAX_Z)
    if "group" in obj:
        _whole(obj["group"], f"objects[{i}].group", 0, MAX_GROUP)
    if "score" in obj:
        score = obj["score"]
        if type(score) not in (int, float) or not 0.0 <= score <= 1.0:
            raise Problem(f"objects[{i}].score", f"expected a number from 0 to 1, got {score!r}")
    if "attributes" in obj:
        given = obj["attributes"]
        if type(given) is not dict:
            raise Problem(f"objects[{i}].attributes", f"expected an object, got {describe(given)}")
        for name, item in given.items():
            declared = attributes.get(name)
            where = f"objects[{i}].attributes.{name}"
            if declared is None:
                known = ", ".join(sorted(attributes)) or "none"
                raise Problem(where, f"no such attribute; the attributes are {known}")
            check_attribute(declared, item, where)


def _whole(value: Any, path: str, low: int, high: int) -> None:
    if type(value) is not int:
        raise Problem(path, f"expected a whole number, got {describe(value)}")
    if not low <= value <= high:
        raise Problem(path, f"{value} is outside {low}..{high}")


def check_attribute(declared: Attribute, value: Any, where: str) -> None:
    kind = declared.type
    if kind == "text":
        if type(value) is not str:
            raise Problem(where, f"expected a string, got {describe(value)}")
        if len(value) > declared.max_length:
            raise Problem(where, f"{len(value)} characters; at most {declared.max_length}")
    elif kind == "number":
        finite = type(value) is int or (type(value) is float and math.isfinite(value))
        if not finite:
            raise Problem(where, f"expected a finite number, got {describe(value)}")
        if declared.min is not None and value < declared.min:
            raise Problem(where, f"{value} is below the minimum {declared.min:g}")
        if declared.max is not None and value > declared.max:
            raise Problem(where, f"{value} is above the maximum {declared.max:g}")
    else:
        allowed = values(declared.options or [])
        picks = value if kind == "multi_choice" else [value]
        if kind == "multi_choice" and type(value) is not list:
            raise Problem(where, f"expected a list of options, got {describe(value)}")
        for j, pick in enumerate(picks):
            at = f"{where}[{j}]" if kind == "multi_choice" else where
            if type(pick) is not str or pick not in allowed:
                shown = repr(pick) if type(pick) is str else describe(pick)
                raise Problem(at, f"{shown} is not one of {sorted(allowed)}")
        if len(set(picks)) != len(picks):
            raise Problem(where, "an option is picked twice")


def number_table(objects: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> FloatArray:
    """``(len(objects), len(keys))`` floats of the objects' number-valued ``keys`` (all
    present); `Problem` at the first one that is not a finite number."""
    rows = [[obj[key] for key in keys] for obj in objects]
    kinds = {type(v) for row in rows for v in row}
    if not kinds <= {int, float}:
        for i, row in enumerate(rows):
            for key, item in zip(keys, row, strict=True):
                if type(item) not in (int, float):
                    raise Problem(f"objects[{i}].{key}", f"expected a number, got {describe(item)}")
    try:
        table = np.array(rows, dtype=np.float64).reshape(len(rows), len(keys))
    except OverflowError:
        table = np.array([[_float(v) for v in row] for row in rows]).reshape(len(rows), len(keys))
    bad = ~np.isfinite(table)
    if bad.any():
        i, k = np.argwhere(bad)[0]
        raise Problem(f"objects[{i}].{keys[k]}", f"expected a finite number, got {rows[i][k]!r}")
    huge = np.abs(table) > MAX_COORDINATE
    if huge.any():
        i, k = np.argwhere(huge)[0]
        raise Problem(f"objects[{i}].{keys[k]}", _huge(rows[i][k]))
    return table


def _huge(value: float) -> str:
    return f"{value:g} is out of range; coordinates lie within ±{MAX_COORDINATE:g} pixels"


def _float(value: float) -> float:
    try:
        return float(value)
    except OverflowError:
        return float("inf")


@dataclass(frozen=True)
class PointTable:
    """All objects' ``points`` lists as one array: ``xy[start[i]:start[i + 1]]`` are object
    i's points (columns x, y and, for keypoints, v)."""

    xy: FloatArray
    start: IntArray

    def owner(self) -> IntArray:
        """For every point, the index of its object."""
        return np.repeat(np.arange(self.start.shape[0] - 1), np.diff(self.start))

    def path(self, row: int) -> str:
        """The path of point ``row`` (``objects[i].points[j]``)."""
        i = int(np.searchsorted(self.start, row, side="right")) - 1
        return f"objects[{i}].points[{row - int(self.start[i])}]"

    def check_inside(self, size: tuple[int, int] | None, rows: IntArray | None = None) -> None:
        """`Problem` at the first point (of ``rows``, else of all) outside the image."""
        if size is None:
            return
        chosen = np.arange(self.xy.shape[0]) if rows is None else rows
        found = first_outside(self.xy[chosen], size)
        if found is not None:
            row = int(chosen[found])
            x, y = self.xy[row, 0], self.xy[row, 1]
            raise Problem(self.path(row), outside_message(x, y, size))


def point_table(
    objects: Sequence[Mapping[str, Any]], width: int, low: int, high: int, what: str
) -> PointTable:
    """Every object's ``points``: a list of ``low``..``high`` lists of ``width`` numbers each.
    `Problem` at the first that is not."""
    lists = [obj["points"] for obj in objects]
    counts = []
    for i, points in enumerate(lists):
        if type(points) is not list:
            raise Problem(
                f"objects[{i}].points", f"expected a list of points, got {describe(points)}"
            )
        if not low <= len(points) <= high:
            raise Problem(f"objects[{i}].points", f"{len(points)} points; {what}")
        counts.append(len(points))
    if sum(counts) > MAX_TOTAL_POINTS:
        raise Problem(
            "objects",
            f"{sum(counts)} points in all; an answer has at most {MAX_TOTAL_POINTS:,}: "
            "simplify the shapes or split the image",
        )
    flat = [p for points in lists for p in points]
    fine = all(type(p) is list and len(p) == width for p in flat)
    fine = fine and {type(v) for p in flat for v in p} <= {int, float}
    if not fine:
        _point_problem(lists, width)
    start = np.concatenate([[0], np.cumsum(counts, dtype=np.intp)]).astype(np.intp)
    try:
        xy = np.array(flat, dtype=np.float64).reshape(len(flat), width)
    except OverflowError:
        xy = np.array([[_float(v) for v in p] for p in flat]).reshape(len(flat), width)
    table = PointTable(xy, start)
    bad = ~np.isfinite(xy)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise Problem(
            f"{table.path(int(row))}[{col}]", f"expected a finite number, got {flat[row][col]!r}"
        )
    huge = np.abs(xy) > MAX_COORDINATE
    if huge.any():
        row, col = np.argwhere(huge)[0]
        raise Problem(f"{table.path(int(row))}[{col}]", _huge(flat[row][col]))
    return table


def _point_problem(lists: list[list[Any]], width: int) -> None:
    shape = "[x, y]" if width == 2 else "[x, y, v]"
    for i, points in enumerate(lists):
        for j, point in enumerate(points):
            where = f"objects[{i}].points[{j}]"
            if type(point) is not list or len(point) != width:
                raise Problem(where, f"expected {shape}, got {describe(point)}")
            for k, item in enumerate(point):
                if type(item) not in (int, float):
                    raise Problem(f"{where}[{k}]", f"expected a number, got {describe(item)}")


def first_outside(xy: FloatArray, size: tuple[int, int] | None) -> int | None:
    """The first row of ``xy`` (x, y columns) outside the image, or None."""
    if size is None or xy.shape[0] == 0:
        return None
    width, height = size
    x, y = xy[:, 0], xy[:, 1]
    out = (x < -TOLERANCE) | (y < -TOLERANCE) | (x > width + TOLERANCE) | (y > height + TOLERANCE)
    if not out.any():
        return None
    return int(np.argmax(out))


def outside_message(x: float, y: float, size: tuple[int, int]) -> str:
    width, height = size
    return (
        f"({x:g}, {y:g}) lies outside the {width}×{height} image; "
        f"keep x in 0..{width} and y in 0..{height}"
    )


def by_label(objects: Sequence[dict[str, Any]]) -> dict[str, list[int]]:
    """The indices of ``objects`` per label, in order."""
    out: dict[str, list[int]] = {}
    for i, obj in enumerate(objects):
        out.setdefault(obj["label"], []).append(i)
    return out


def group_of(obj: Mapping[str, Any]) -> tuple[str, int | None]:
    """What an object matches within: its label and frame (None on an image)."""
    return obj["label"], obj.get("frame")


def by_group(objects: Sequence[dict[str, Any]]) -> dict[tuple[str, int | None], list[int]]:
    """The indices of ``objects`` per (label, frame), in order (`group_of`)."""
    out: dict[tuple[str, int | None], list[int]] = {}
    for i, obj in enumerate(objects):
        out.setdefault(group_of(obj), []).append(i)
    return out


def extras(obj: Mapping[str, Any]) -> dict[str, Any]:
    """What a consensus object keeps of a drawn one: its attributes and flags (not its id,
    score, lock or visibility)."""
    keep = ("attributes", "occluded", "truncated", "z", "group")
    return {key: obj[key] for key in keep if key in obj}


def _list(keys: frozenset[str]) -> str:
    return ", ".join(sorted(keys))
