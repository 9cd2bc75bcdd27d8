"""Label Studio result regions to Accord answers, and back (docs/labelstudio.md).

A Label Studio annotation (or prediction) is a list of regions, each ``{"id", "from_name",
"to_name", "type", "value": {...}}``; an Accord answer is one object keyed by question name
(`accord.kinds`). `to_answer` converts regions into an answer, validated by each question's
kind (a question whose converted answer fails is a problem, not part of the answer);
`from_answer` writes the regions of an answer. Pure: no database, no network.

Coordinates: Label Studio gives images' shapes in percent of the image (x of its width, y of
its height) with ``original_width`` / ``original_height`` in pixels; Accord in pixels
(`accord.kinds.questions.shapes`). A Label Studio rectangle turns (``rotation``, degrees
clockwise) about its top-left corner; an Accord box about its centre, so the corner moves.
Text offsets: Label Studio counts UTF-16 code units (JavaScript), Accord code points.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from accord.formats.labelstudio_config import pairwise_objects
from accord.kinds.base import Problem, QuestionConfig
from accord.kinds.fields.image import image_size
from accord.kinds.interface import Interface
from accord.kinds.registry import QUESTION_KINDS

SHAPE_TYPES = {"boxes": "rectanglelabels", "polygons": "polygonlabels", "points": "keypointlabels"}
LABEL_KEYS = ("rectanglelabels", "polygonlabels", "keypointlabels", "labels")
POINT_WIDTH = 1.0  # a keypoint's drawn size in Label Studio, percent of the image width


class RegionError(ValueError):
    """One region cannot be converted; the message says why."""


# --- text offsets ----------------------------------------------------------------------------


def utf16_to_index(text: str, offset: int) -> int:
    """The code point index of UTF-16 offset ``offset`` in ``text``."""
    if text.isascii() or all(ord(c) < 0x10000 for c in text):
        return offset
    units = 0
    for i, char in enumerate(text):
        if units >= offset:
            return i
        units += 2 if ord(char) >= 0x10000 else 1
    return len(text) if units >= offset else len(text) + 1


def index_to_utf16(text: str, index: int) -> int:
    """The UTF-16 offset of code point ``index`` in ``text``."""
    return index + sum(1 for char in text[:index] if ord(char) >= 0x10000)


# --- Label Studio -> Accord ------------------------------------------------------------------


def _label(value: Mapping[str, Any], question: Any) -> str:
    for key in LABEL_KEYS:
        labels = value.get(key)
        if labels is not None:
            if not isinstance(labels, list) or len(labels) != 1 or not isinstance(labels[0], str):
                raise RegionError(f"{key} must name exactly one label, got {labels!r}")
            return labels[0]
    options = getattr(question, "labels", None) or []
    if len(options) == 1:
        return str(options[0].value)
    raise RegionError("the region names no label")


def _number(value: Mapping[str, Any], key: str) -> float:
    item = value.get(key)
    if not isinstance(item, int | float) or isinstance(item, bool) or not math.isfinite(item):
        raise RegionError(f"{key} must be a number, got {item!r}")
    return float(item)


def _size(region: Mapping[str, Any], data: Mapping[str, Any], target: str) -> tuple[int, int]:
    width, height = region.get("original_width"), region.get("original_height")
    if type(width) is int and type(height) is int and width > 0 and height > 0:
        return width, height
    known = image_size(data, target)
    if known is None:
        raise RegionError(
            "no original_width/original_height on the region and no width/height in the "
            "task's image; percent coordinates cannot become pixels"
        )
    return known


def _rotation(region: Mapping[str, Any]) -> None:
    turned = region.get("image_rotation")
    if turned not in (None, 0, 0.0):
        raise RegionError(f"drawn on an image rotated by {turned} degrees; not supported")


def _box(region: Mapping[str, Any], question: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    value = region["value"]
    _rotation(region)
    width, height = _size(region, data, question.target)
    x = _number(value, "x") * width / 100
    y = _number(value, "y") * height / 100
    w = _number(value, "width") * width / 100
    h = _number(value, "height") * height / 100
    angle = float(value.get("rotation") or 0)
    box: dict[str, Any] = {"label": _label(value, question)}
    if angle:
        turn = math.radians(angle)
        cx = x + w / 2 * math.cos(turn) - h / 2 * math.sin(turn)
        cy = y + w / 2 * math.sin(turn) + h / 2 * math.cos(turn)
        x, y = cx - w / 2, cy - h / 2
        angle = angle - 360 if angle > 360 else angle
    box |= {"x": x, "y": y, "w": w, "h": h}
    if angle:
        box["rotation"] = angle
    return box


def _polygon(region: Mapping[str, Any], question: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    value = region["value"]
    _rotation(region)
    width, height = _size(region, data, question.target)
    points = value.get("points")
    if not isinstance(points, list):
        raise RegionError("points must be a list of [x, y] in percent")
    out = []
    for i, point in enumerate(points):
        if not (
            isinstance(point, list)
            and len(point) == 2
            and all(type(v) in (int, float) and math.isfinite(v) for v in point)
        ):
            raise RegionError(f"points[{i}] is not [x, y] in percent: {point!r}")
        out.append([point[0] * width / 100, point[1] * height / 100])
    return {"label": _label(value, question), "points": out}


def _point(region: Mapping[str, Any], question: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    value = region["value"]
    _rotation(region)
    width, height = _size(region, data, question.target)
    return {
        "label": _label(value, question),
        "x": _number(value, "x") * width / 100,
        "y": _number(value, "y") * height / 100,
    }


SHAPES = {"boxes": _box, "polygons": _polygon, "points": _point}


def _span(region: Mapping[str, Any], question: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    value = region["value"]
    start, end = value.get("start"), value.get("end")
    if type(start) is not int or type(end) is not int:
        raise RegionError(
            f"start and end must be whole character offsets, got {start!r} and {end!r} "
            "(XPath offsets of HTML are not supported)"
        )
    text = data.get(question.target)
    if isinstance(text, str):
        start, end = utf16_to_index(text, start), utf16_to_index(text, end)
        given = value.get("text")
        if isinstance(given, str) and given != text[start:end]:
            raise RegionError(
                f"its text {given[:40]!r} is not what {start}..{end} covers "
                f"({text[start:end][:40]!r})"
            )
    return {"start": start, "end": end, "label": _label(value, question)}


def _choices(value: Mapping[str, Any]) -> list[str]:
    if "taxonomy" in value:
        paths = value["taxonomy"]
        if not isinstance(paths, list) or not all(
            isinstance(p, list) and len(p) == 1 and isinstance(p[0], str) for p in paths
        ):
            raise RegionError(f"taxonomy must be a list of one-level paths, got {paths!r}")
        return [p[0] for p in paths]
    picks = value.get("choices")
    if not isinstance(picks, list) or not all(isinstance(p, str) for p in picks):
        raise RegionError(f"choices must be a list of strings, got {picks!r}")
    return picks


def _text(value: Mapping[str, Any]) -> str:
    text = value.get("text")
    if isinstance(text, str):
        return text
    if isinstance(text, list) and all(isinstance(t, str) for t in text):
        return "\n".join(text)
    raise RegionError(f"text must be a list of strings, got {text!r}")


def _ranking(value: Mapping[str, Any], count: int | None, ids: Sequence[str] | None) -> list[int]:
    ranked = value.get("ranker")
    if not isinstance(ranked, dict) or len(ranked) != 1:
        raise RegionError(
            "ranker must hold exactly one list of item ids (buckets are not supported)"
        )
    (order,) = ranked.values()
    known = list(ids) if ids is not None else [str(i) for i in range(count or 0)]
    where = {item: i for i, item in enumerate(known)}
    out = []
    for item in order if isinstance(order, list) else [None]:
        if str(item) not in where:
            raise RegionError(f"{item!r} is not an item id of the list ({', '.join(known[:5])})")
        out.append(where[str(item)])
    return out


class _Answer:
    """The answer being built: values per question and which regions made them."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.sources: dict[str, list[str]] = {}


def _region_name(index: int, region: Any) -> str:
    rid = region.get("id") if isinstance(region, dict) else None
    return f"region {index}" + (f" (id {rid})" if rid is not None else "")


def to_answer(
    interface: Interface,
    regions: list[dict[str, Any]],
    *,
    data: Mapping[str, Any] | None = None,
    names: Mapping[str, str] | None = None,
    item_ids: Mapping[str, Sequence[str]] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The Accord answer the Label Studio ``regions`` give, and a problem per region or
    question that could not be kept.

    ``data``: the task's Accord data (image sizes, the text spans cover, list lengths; the
    kinds' validation reads it); ``names``: Label Studio control names -> question names
    (`labelstudio_config.Translation.names`) where they differ; ``item_ids``: per text_list
    field, the ids of its items in Label Studio (default ``"0"``, ``"1"``, ...).
    """
    data = data or {}
    answer = _Answer()
    problems: list[str] = []
    if not isinstance(regions, list):
        return {}, ["the result is not a list of regions"]
    for index, region in enumerate(regions):
        try:
            _take(interface, region, data, names or {}, item_ids or {}, answer)
            if isinstance(region, dict):
                name = (names or {}).get(str(region.get("from_name")), region.get("from_name"))
                answer.sources.setdefault(str(name), []).append(_region_name(index, region))
        except RegionError as exc:
            problems.append(f"{_region_name(index, region)}: {exc}")
    result: dict[str, Any] = {}
    for name, value in answer.values.items():
        question = interface.question(name)
        assert question is not None
        finished = _finish(question, value)
        if finished is None:
            continue
        try:
            QUESTION_KINDS[question.kind].check(question, finished, data)
        except Problem as problem:
            made = ", ".join(answer.sources.get(name, []))
            problems.append(f"question {name!r} ({made}): {problem.under(name)}")
            continue
        result[name] = finished
    return result, problems


def _finish(question: QuestionConfig, value: Any) -> Any:
    if question.kind in ("choice", "image_class"):
        if getattr(question, "multiple", False):
            return {"choices": value}
        if not value:
            return None  # nothing picked: no answer
        return {"choice": value[0]} if len(value) == 1 else {"choices": value}
    if question.kind == "spans":
        return {"spans": value}
    if question.kind in SHAPES:
        return {"objects": value}
    return value


def _take(
    interface: Interface,
    region: Any,
    data: Mapping[str, Any],
    names: Mapping[str, str],
    item_ids: Mapping[str, Sequence[str]],
    answer: _Answer,
) -> None:
    if not isinstance(region, dict) or not isinstance(region.get("value"), dict):
        kind = region.get("type") if isinstance(region, dict) else None
        raise RegionError(
            f"a {kind} region is not supported"
            if kind == "relation"
            else "not a region with a value object"
        )
    source = str(region.get("from_name"))
    name = names.get(source, source)
    question = interface.question(name)
    if question is None:
        raise RegionError(f"from_name {source!r} is not a question of the project")
    value = region["value"]
    kind = question.kind
    values = answer.values
    if kind in ("choice", "image_class"):
        given = _choices(value)
        picks = values.setdefault(name, [])
        picks.extend(p for p in given if p not in picks)
    elif kind == "spans":
        span = _span(region, question, data)
        values.setdefault(name, []).append(span)
    elif kind in SHAPES:
        shape = SHAPES[kind](region, question, data)
        rid = str(region.get("id") or f"r{len(values.get(name, [])) + 1}")[:64]
        shape = {"id": rid, **shape}
        score = region.get("score")
        if isinstance(score, int | float) and not isinstance(score, bool) and 0 <= score <= 1:
            shape["score"] = float(score)
        values.setdefault(name, []).append(shape)
    else:
        if name in values:
            raise RegionError(f"a second answer to {name!r}; it takes one")
        values[name] = _single(question, value, data, item_ids)


def _single(
    question: Any,
    value: Mapping[str, Any],
    data: Mapping[str, Any],
    item_ids: Mapping[str, Sequence[str]],
) -> dict[str, Any]:
    kind = question.kind
    if kind == "rating":
        key = "rating" if "rating" in value else "number"
        number = _number(value, key)
        return {"rating": int(number) if number.is_integer() else number}
    if kind == "text":
        return {"text": _text(value)}
    if kind == "pairwise":
        picked = value.get("selected")
        if picked not in ("left", "right"):
            raise RegionError(f"selected must be left or right, got {picked!r}")
        return {"choice": "A" if picked == "left" else "B"}
    if kind == "ranking":
        items = data.get(question.target) if question.target else None
        count = len(items) if isinstance(items, list) else None
        return {"order": _ranking(value, count, item_ids.get(question.target or ""))}
    raise RegionError(
        f"the Accord question is of kind {kind}, which Label Studio has no region for"
    )


# --- Accord -> Label Studio ------------------------------------------------------------------


def _percent(value: float, side: int) -> float:
    return value * 100 / side


def _targets(interface: Interface, question: Any) -> str:
    target = getattr(question, "target", None)
    if question.kind == "pairwise":
        if target is not None:
            return ",".join(pairwise_objects(target))
        texts = [f.name for f in interface.fields if f.kind in ("text", "markdown")][:2]
        return ",".join(texts)
    if target is not None:
        return str(target)
    texts = [f.name for f in interface.fields if f.kind in ("text", "markdown")]
    return texts[0] if texts else interface.fields[0].name


def convert_answer(
    interface: Interface,
    result: Mapping[str, Any],
    *,
    data: Mapping[str, Any] | None = None,
    sizes: Mapping[str, tuple[int, int]] | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The Label Studio regions of an Accord answer, and a problem per answer left out."""
    data = data or {}
    regions: list[dict[str, Any]] = []
    problems: list[str] = []
    for name, value in result.items():
        question = interface.question(name)
        if question is None or QUESTION_KINDS[question.kind].is_empty(value):
            continue
        base = {"from_name": name, "to_name": _targets(interface, question)}
        try:
            regions.extend(_regions(question, value, base, data, sizes or {}))
        except RegionError as exc:
            problems.append(f"question {name!r}: {exc}")
    return regions, problems


def from_answer(
    interface: Interface,
    result: Mapping[str, Any],
    *,
    sizes: Mapping[str, tuple[int, int]] | None = None,
    data: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The Label Studio regions of an Accord answer; `RegionError` naming every answer that
    has no Label Studio form (use `convert_answer` to keep the rest).

    ``sizes``: image field -> (width, height) in pixels, for the shape questions (default:
    the size the task's ``data`` gives); ``data``: the task's Accord data (span texts).
    """
    regions, problems = convert_answer(interface, result, data=data, sizes=sizes)
    if problems:
        raise RegionError("; ".join(problems))
    return regions


def _regions(
    question: Any,
    value: Any,
    base: dict[str, Any],
    data: Mapping[str, Any],
    sizes: Mapping[str, tuple[int, int]],
) -> list[dict[str, Any]]:
    kind = question.kind
    if kind in ("choice", "image_class"):
        picks = [value["choice"]] if "choice" in value else list(value["choices"])
        return [
            base | {"id": f"{question.name}"[:64], "type": "choices", "value": {"choices": picks}}
        ]
    if kind == "spans":
        text = data.get(question.target)
        out = []
        for k, span in enumerate(value["spans"]):
            start, end = span["start"], span["end"]
            item: dict[str, Any] = {"labels": [span["label"]]}
            if isinstance(text, str):
                item["text"] = text[start:end]
                start, end = index_to_utf16(text, start), index_to_utf16(text, end)
            out.append(
                base
                | {
                    "id": f"{question.name[:50]}_{k + 1}",
                    "type": "labels",
                    "value": {"start": start, "end": end} | item,
                }
            )
        return out
    if kind in SHAPES:
        size = sizes.get(question.target) or image_size(data, question.target)
        if size is None:
            raise RegionError(
                f"the size of image {question.target!r} is unknown; Label "
                "Studio needs percent of it (give width and height in the data)"
            )
        return [_shape_region(kind, obj, base, size) for obj in value["objects"]]
    if kind == "rating":
        if question.min == 1 and question.step == 1 and question.style == "stars":
            return [
                base
                | {"id": question.name[:64], "type": "rating", "value": {"rating": value["rating"]}}
            ]
        return [
            base
            | {"id": question.name[:64], "type": "number", "value": {"number": value["rating"]}}
        ]
    if kind == "text":
        return [
            base
            | {"id": question.name[:64], "type": "textarea", "value": {"text": [value["text"]]}}
        ]
    if kind == "pairwise":
        if value["choice"] == "tie":
            raise RegionError("a tie has no Label Studio form (Pairwise picks left or right)")
        if "," not in base["to_name"]:
            raise RegionError("Label Studio's Pairwise needs two text fields to compare")
        side = "left" if value["choice"] == "A" else "right"
        return [base | {"id": question.name[:64], "type": "pairwise", "value": {"selected": side}}]
    if kind == "ranking" and question.target is not None:
        order = value["order"]
        if any(isinstance(entry, list) for entry in order):
            raise RegionError("an order with ties has no Label Studio form")
        return [
            base
            | {
                "id": question.name[:64],
                "type": "ranker",
                "value": {"ranker": {question.name: [str(i) for i in order]}},
            }
        ]
    raise RegionError(f"Label Studio has no region for a {kind} answer")


def _shape_region(
    kind: str, obj: Mapping[str, Any], base: dict[str, Any], size: tuple[int, int]
) -> dict[str, Any]:
    width, height = size
    labels = {SHAPE_TYPES[kind]: [obj["label"]]}
    if kind == "boxes":
        x, y, w, h = obj["x"], obj["y"], obj["w"], obj["h"]
        angle = float(obj.get("rotation", 0) or 0)
        if angle:
            turn = math.radians(angle)
            cx, cy = x + w / 2, y + h / 2
            x = cx - (w / 2 * math.cos(turn) - h / 2 * math.sin(turn))
            y = cy - (w / 2 * math.sin(turn) + h / 2 * math.cos(turn))
        value: dict[str, Any] = {
            "x": _percent(x, width),
            "y": _percent(y, height),
            "width": _percent(w, width),
            "height": _percent(h, height),
            "rotation": angle,
        }
    elif kind == "polygons":
        value = {
            "points": [[_percent(px, width), _percent(py, height)] for px, py in obj["points"]],
            "closed": True,
        }
    else:
        value = {
            "x": _percent(obj["x"], width),
            "y": _percent(obj["y"], height),
            "width": POINT_WIDTH,
        }
    region = base | {
        "id": str(obj["id"]),
        "type": SHAPE_TYPES[kind],
        "original_width": width,
        "original_height": height,
        "image_rotation": 0,
        "value": value | labels,
    }
    if "score" in obj:
        region["score"] = obj["score"]
    return region
