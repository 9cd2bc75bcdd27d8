"""COCO (instances and person keypoints), written as rows arrive and read into import rows.

Writing: one JSON object ``{info, licenses, categories, images, annotations}``. The categories
come from the interface up front; each image is written as its row arrives and its
annotations go to a spool file, copied after the images: memory stays flat whatever the
export's size. Per object:

- ``boxes``: ``bbox`` ``[x, y, w, h]``, ``area`` ``w * h``, ``segmentation`` ``[]``; a rotated
  box keeps its unrotated ``bbox`` and says ``rotation`` (degrees, clockwise) in
  ``attributes``, as CVAT does;
- ``polygons``: ``segmentation`` ``[[x1, y1, x2, y2, ...]]``, ``bbox`` its bounds, ``area``
  its shoelace area;
- ``masks``: ``segmentation`` the RLE ``{size, counts}``, ``area`` its pixel count, ``bbox`` its
  bounds;
- ``keypoints``: ``keypoints`` ``[x, y, v, ...]`` in the order of the category's
  ``keypoints`` (the question's skeleton; ``skeleton`` holds its edges 1-based as COCO does),
  ``num_keypoints`` (points with v > 0), ``bbox`` the bounds of those points.

Every annotation has ``id`` (from 1), ``image_id`` (the task's id), ``category_id``,
``iscrowd`` (1 when the object's attribute ``iscrowd`` is true) and ``attributes`` (the
object's attributes, plus ``occluded``, ``truncated`` and ``rotation`` when given); a
prediction's ``score`` is kept. Points and polylines have no COCO form and are left out.

Reading (`CocoDataset`): ``images`` and ``categories`` first, then ``annotations`` parsed
incrementally (ijson) and grouped by image; each annotation becomes a shape of every question
over the image field that offers its category: its ``bbox`` a box, each polygon of its
``segmentation`` a polygon (the parts of one annotation share a ``group``), an RLE a mask, its
``keypoints`` the keypoints of the question's skeleton, matched by the category's keypoint
names (by position when it has none).
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import ijson
import numpy as np
import orjson

from accord.formats.shapes import (
    DatasetError,
    ImageRow,
    ImageSchema,
    Placed,
    ShapeQuestion,
    flags,
    import_row,
    truthy,
)
from accord.quality.masks import rle_area, rle_counts, rle_decode, rle_encode

FLUSH_BYTES = 1 << 20
FLAG_KEYS = ("occluded", "truncated")
BOX_KEYS = ("id", "label", "x", "y", "w", "h")


def categories(schema: ImageSchema) -> list[dict[str, Any]]:
    """COCO categories: each label once, ids from 1; with its keypoints and skeleton when a
    keypoints question offers it."""
    out = []
    for i, label in enumerate(schema.labels):
        category: dict[str, Any] = {"id": i + 1, "name": label, "supercategory": ""}
        skeleton = schema.skeleton_of(label)
        if skeleton is not None:
            category["keypoints"] = list(skeleton.points)
            category["skeleton"] = [[a + 1, b + 1] for a, b in skeleton.edges]
        out.append(category)
    return out


def coco_chunks(
    schema: ImageSchema,
    rows: Iterable[ImageRow],
    *,
    spool_dir: Path | None = None,
    description: str = "",
) -> Iterator[bytes]:
    """The COCO JSON of ``rows``, in chunks of about a megabyte."""
    head = {
        "info": {"description": description, "version": "1.0"},
        "licenses": [],
        "categories": categories(schema),
    }
    index = schema.index()
    dumps = orjson.dumps
    with tempfile.TemporaryFile(dir=spool_dir) as spool:
        parts: list[bytes] = [dumps(head)[:-1], b',"images":[']
        size = 0
        next_id = 1
        image_sep = ann_sep = b""
        for row in rows:
            width, height = row.size("COCO")
            image = {"id": row.task_id, "file_name": row.name, "width": width, "height": height}
            parts += (image_sep, dumps(image))
            image_sep = b","
            for question, obj in row.objects(schema):
                ann = annotation(question, obj, row.task_id, index[obj["label"]] + 1, next_id)
                if ann is None:
                    continue
                next_id += 1
                spool.write(ann_sep)
                spool.write(dumps(ann))
                ann_sep = b","
            size += len(parts[-1])
            if size >= FLUSH_BYTES:
                yield b"".join(parts)
                parts, size = [], 0
        parts.append(b'],"annotations":[')
        yield b"".join(parts)
        spool.seek(0)
        while chunk := spool.read(FLUSH_BYTES):
            yield chunk
    yield b"]}"


def annotation(
    question: ShapeQuestion, obj: dict[str, Any], image_id: int, category_id: int, ann_id: int
) -> dict[str, Any] | None:
    """One object as a COCO annotation (None: a kind COCO cannot hold)."""
    kind = question.kind
    ann: dict[str, Any] = {"id": ann_id, "image_id": image_id, "category_id": category_id}
    if kind == "boxes":
        x, y, w, h = obj["x"], obj["y"], obj["w"], obj["h"]
        ann.update(bbox=[x, y, w, h], area=w * h, segmentation=[])
    elif kind == "polygons":
        points = obj["points"]
        ann.update(
            segmentation=[[c for point in points for c in point[:2]]],
            bbox=_bounds([p[0] for p in points], [p[1] for p in points]),
            area=_shoelace(points),
        )
    elif kind == "masks":
        rle = obj["rle"]
        ann.update(segmentation=rle, area=int(rle_area([rle])[0]), bbox=rle_bbox(rle))
    elif kind == "keypoints":
        points = obj["points"]
        seen = [p for p in points if p[2] > 0]
        bbox = _bounds([p[0] for p in seen], [p[1] for p in seen]) if seen else [0, 0, 0, 0]
        ann.update(
            keypoints=[c for point in points for c in point[:3]],
            num_keypoints=len(seen),
            bbox=bbox,
            area=bbox[2] * bbox[3],
            segmentation=[],
        )
    else:
        return None
    attributes = dict(obj.get("attributes") or {})
    ann["iscrowd"] = 1 if truthy(attributes.pop("iscrowd", False)) else 0
    for key in FLAG_KEYS:
        if key in obj:
            attributes[key] = obj[key]
    if obj.get("rotation"):
        attributes["rotation"] = obj["rotation"]
    ann["attributes"] = attributes
    if "score" in obj:
        ann["score"] = obj["score"]
    return ann


def _bounds(xs: list[float], ys: list[float]) -> list[float]:
    x0, y0 = min(xs), min(ys)
    return [x0, y0, max(xs) - x0, max(ys) - y0]


def _shoelace(points: list[list[float]]) -> float:
    xy = np.asarray(points, dtype=np.float64)[:, :2]
    x, y = xy[:, 0], xy[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def rle_bbox(rle: Mapping[str, Any]) -> list[int]:
    """``[x, y, w, h]`` of an RLE's foreground, from its runs (no pixels decoded), as
    pycocotools' ``toBbox``."""
    h, _ = (int(v) for v in rle["size"])
    counts = rle_counts(rle)
    ends = np.cumsum(counts)
    starts = ends - counts
    ones = (np.arange(counts.shape[0]) % 2 == 1) & (counts > 0)
    if h == 0 or not ones.any():
        return [0, 0, 0, 0]
    first, last = starts[ones], ends[ones] - 1
    x0, x1 = int(first.min() // h), int(last.max() // h)
    one_column = first // h == last // h
    if one_column.all():
        y0, y1 = int((first % h).min()), int((last % h).max())
    else:
        y0, y1 = 0, h - 1
    return [x0, y0, x1 - x0 + 1, y1 - y0 + 1]


# -- reading -----------------------------------------------------------------------------


class CocoDataset:
    """A COCO annotation file, read as import rows (see the module)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.skipped: Counter[str] = Counter()  # category names the project lacks
        self._images: list[dict[str, Any]] = []
        self._categories: dict[int, dict[str, Any]] = {}
        try:
            with path.open("rb") as file:
                self._images = list(ijson.items(file, "images.item", use_float=True))
            with path.open("rb") as file:
                for category in ijson.items(file, "categories.item", use_float=True):
                    self._categories[int(category["id"])] = category
        except (ijson.JSONError, KeyError, TypeError, ValueError) as exc:
            raise DatasetError(f"{path}: not a COCO annotation file ({exc})") from None
        except OSError as exc:
            raise DatasetError(f"cannot read {path}: {exc.strerror}") from None
        if not self._images:
            raise DatasetError(f"{path}: the COCO file lists no images (its 'images' array)")
        for i, image in enumerate(self._images):
            if not isinstance(image, dict) or "id" not in image or not image.get("file_name"):
                raise DatasetError(f"{path}: images[{i}] needs an id and a file_name")
            if not isinstance(image["id"], int | str) or not isinstance(image["file_name"], str):
                raise DatasetError(
                    f"{path}: images[{i}]: its id must be a number or a text, its file_name a text"
                )

    def image_names(self) -> list[str]:
        return [str(image["file_name"]) for image in self._images]

    def rows(
        self, schema: ImageSchema, placed: Mapping[str, Placed], source: str
    ) -> Iterator[dict[str, Any]]:
        """One import row per image, in the file's order."""
        grouped = self._grouped(schema)
        for image in self._images:
            name = str(image["file_name"])
            if name not in placed:
                raise DatasetError(f"{self.path}: no uploaded file for the image {name!r}")
            shapes = {
                question: [_expanded(o) for o in objects]
                for question, objects in grouped.pop(image["id"], {}).items()
            }
            yield import_row(schema, name, placed[name], shapes, source)

    def _grouped(self, schema: ImageSchema) -> dict[Any, dict[str, list[Any]]]:
        """Each image's objects by question name."""
        grouped: dict[Any, dict[str, list[Any]]] = {}
        reader = _Reader(schema, self._categories, self.skipped)
        try:
            with self.path.open("rb") as file:
                for number, ann in enumerate(
                    ijson.items(file, "annotations.item", use_float=True), 1
                ):
                    try:
                        shapes = grouped.setdefault(ann["image_id"], {})
                        reader.add(ann, number, shapes)
                    except (KeyError, TypeError, ValueError, IndexError) as exc:
                        known = ann.get("id") if isinstance(ann, dict) else None
                        where = f"annotations[{number - 1}] (id {known})"
                        raise DatasetError(f"{self.path}: {where}: {_why(exc)}") from None
        except ijson.JSONError as exc:
            raise DatasetError(f"{self.path}: broken JSON in 'annotations': {exc}") from None
        return grouped


def _expanded(obj: Any) -> dict[str, Any]:
    """An object as a dict (a plain box is held as a tuple of `BOX_KEYS`' values)."""
    return obj if type(obj) is dict else dict(zip(BOX_KEYS, obj, strict=True))


def _why(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing the key {exc.args[0]!r}"
    return str(exc) or type(exc).__name__


class _Reader:
    """Turns COCO annotations into Accord objects of the schema's questions."""

    def __init__(
        self, schema: ImageSchema, cats: dict[int, dict[str, Any]], skipped: Counter[str]
    ) -> None:
        self.skipped = skipped
        self.names: dict[Any, str] = {cid: str(c["name"]) for cid, c in cats.items()}
        self.questions: dict[str, list[ShapeQuestion]] = {
            label: [q for q in schema.questions if label in q.labels] for label in schema.labels
        }
        self.keypoint_names = {cid: c.get("keypoints") or [] for cid, c in cats.items()}
        self.group = 0

    def add(self, ann: dict[str, Any], number: int, shapes: dict[str, list[Any]]) -> None:
        cid = ann["category_id"]
        label = self.names.get(cid)
        if label is None:
            raise ValueError(f"category_id {cid} is not among the file's categories")
        questions = self.questions.get(label)
        if not questions:
            self.skipped[label] += 1
            return
        ann_id = str(ann.get("id", number))
        attributes, crowd, score = ann.get("attributes"), ann.get("iscrowd"), ann.get("score")
        extra = dict(attributes or {})
        if crowd:
            extra["iscrowd"] = True
        for question in questions:
            made = self._objects(question, ann, ann_id, label, cid)
            if not made:
                continue
            if extra or score is not None:
                for obj in made:
                    flags(obj, question, extra)
                    if score is not None:
                        obj["score"] = float(score)
            held: list[Any] = made
            if question.kind == "boxes":  # a plain box is held as a tuple: half the memory
                held = [tuple(o.values()) if len(o) == len(BOX_KEYS) else o for o in made]
            objects = shapes.get(question.name)
            if objects is None:
                shapes[question.name] = held
            else:
                objects.extend(held)

    def _objects(
        self, question: ShapeQuestion, ann: dict[str, Any], ann_id: str, label: str, cid: int
    ) -> list[dict[str, Any]]:
        kind = question.kind
        segmentation = ann.get("segmentation")
        if kind == "boxes" and ann.get("bbox"):
            x, y, w, h = ann["bbox"]
            if w > 0 and h > 0:
                return [{"id": ann_id, "label": label, "x": x, "y": y, "w": w, "h": h}]
        elif kind == "polygons" and isinstance(segmentation, list):
            return self._polygons(segmentation, ann_id, label)
        elif kind == "masks" and isinstance(segmentation, dict):
            return [{"id": ann_id, "label": label, "rle": _compressed(segmentation)}]
        elif kind == "keypoints" and ann.get("keypoints"):
            points = _keypoints(ann["keypoints"], self.keypoint_names.get(cid, []), question)
            return [{"id": ann_id, "label": label, "points": points}]
        return []

    def _polygons(self, parts: list[Any], ann_id: str, label: str) -> list[dict[str, Any]]:
        rings = []
        for part in parts:
            points = [[float(part[i]), float(part[i + 1])] for i in range(0, len(part) - 1, 2)]
            if len(points) > 3 and points[0] == points[-1]:
                points.pop()  # closed: the first point repeated
            if len(points) >= 3:
                rings.append(points)
        objs = []
        for k, points in enumerate(rings):
            obj: dict[str, Any] = {"id": ann_id if len(rings) == 1 else f"{ann_id}.{k + 1}"}
            obj.update(label=label, points=points)
            if len(rings) > 1:
                obj["group"] = self.group
            objs.append(obj)
        if len(rings) > 1:
            self.group += 1
        return objs


def _compressed(rle: dict[str, Any]) -> dict[str, Any]:
    """An RLE with COCO's compressed string counts (an uncompressed one is re-encoded)."""
    h, w = (int(v) for v in rle["size"])
    counts = rle["counts"]
    if isinstance(counts, str):
        return {"size": [h, w], "counts": counts}
    mask = rle_decode({"size": [h, w], "counts": list(counts)})
    encoded = rle_encode(mask)
    return {"size": [h, w], "counts": encoded["counts"]}


def _keypoints(flat: list[Any], names: list[str], question: ShapeQuestion) -> list[list[float]]:
    """The question's skeleton points from COCO's ``[x, y, v, ...]``, by name when the
    category names its keypoints."""
    triples = [
        [float(flat[i]), float(flat[i + 1]), int(flat[i + 2])] for i in range(0, len(flat) - 2, 3)
    ]
    wanted = question.points
    if names and len(names) == len(triples):
        by_name = dict(zip(names, triples, strict=True))
        points = [by_name.get(name, [0.0, 0.0, 0]) for name in wanted]
    elif len(triples) == len(wanted):
        points = triples
    else:
        raise ValueError(
            f"{len(triples)} keypoints, but the question {question.name!r} has a skeleton of "
            f"{len(wanted)} points ({', '.join(wanted)})"
        )
    return [[0.0, 0.0, 0] if v == 0 else [x, y, v] for x, y, v in points]
