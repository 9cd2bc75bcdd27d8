"""YOLO (Ultralytics layout): detection, oriented boxes, segmentation and pose, both ways.

An export is a zip: ``data.yaml`` (``path``, ``train``, ``val``, ``names`` by class id from
0, ``kpt_shape`` when a keypoints question exists), ``labels/<split>/<stem>.txt`` per image
and, with the images bundled, ``images/<split>/<name>``. One line per object, coordinates
normalised by the image's width and height:

- ``boxes``: ``cls cx cy w h``; with a question that has ``rotation: true``, oriented boxes
  ``cls x1 y1 x2 y2 x3 y3 x4 y4`` (the corners, clockwise from the unrotated top-left one);
- ``polygons``: ``cls x1 y1 x2 y2 ...``;
- ``keypoints``: ``cls cx cy w h px py v ...`` (the box bounds the labelled points; a point
  not labelled is ``0 0 0``).

Masks, points and polylines have no YOLO line and are left out. The split of an image is its
task's ``split`` field when it has one (train, val or test), else read from its name
(``images/val/...`` or ``val/...``), else train.

Reading (`YoloDataset`) takes the ``data.yaml``: its ``names``, ``kpt_shape`` and the image
folders (or lists of images) of ``train``, ``val`` and ``test`` below ``path``; each image's
labels are at the same place with ``images`` replaced by ``labels`` and the suffix ``.txt``.
"""

from __future__ import annotations

import math
import posixpath
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from accord.formats.shapes import (
    SPLITS,
    DatasetError,
    ImageRow,
    ImageSchema,
    Placed,
    ShapeQuestion,
    import_row,
)
from accord.formats.zipped import zip_chunks

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"})
MAX_LABEL_BYTES = 64 << 20


def _n(value: float) -> str:
    return format(value, ".10g")


def split_and_path(row: ImageRow) -> tuple[str, str]:
    """The image's split and its path inside ``images/<split>/``."""
    parts = row.name.split("/")
    if parts[0] == "images" and len(parts) > 1:
        parts = parts[1:]
    named = parts[0] if len(parts) > 1 and parts[0] in SPLITS else None
    split = row.split if row.split in SPLITS else (named or "train")
    if named == split:
        parts = parts[1:]
    return split, "/".join(parts)


def corners(obj: Mapping[str, Any]) -> list[tuple[float, float]]:
    """A box's corners, clockwise from the unrotated top-left one, turned by its rotation
    (degrees clockwise about its centre, in image coordinates where y points down)."""
    x, y, w, h = obj["x"], obj["y"], obj["w"], obj["h"]
    cx, cy = x + w / 2, y + h / 2
    angle = math.radians(float(obj.get("rotation") or 0.0))
    cos, sin = math.cos(angle), math.sin(angle)
    out = []
    for dx, dy in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)):
        out.append((cx + dx * cos - dy * sin, cy + dx * sin + dy * cos))
    return out


def label_line(
    question: ShapeQuestion, obj: Mapping[str, Any], cls: int, width: int, height: int
) -> str | None:
    """One object as a YOLO line (None: a kind YOLO has no line for)."""
    kind = question.kind
    if kind == "boxes" and question.rotation:
        xy = [_n(c / s) for x, y in corners(obj) for c, s in ((x, width), (y, height))]
        return f"{cls} {' '.join(xy)}"
    if kind == "boxes":
        x, y, w, h = obj["x"], obj["y"], obj["w"], obj["h"]
        box = (x + w / 2) / width, (y + h / 2) / height, w / width, h / height
        return f"{cls} {' '.join(_n(v) for v in box)}"
    if kind == "polygons":
        xy = [_n(c / s) for p in obj["points"] for c, s in ((p[0], width), (p[1], height))]
        return f"{cls} {' '.join(xy)}"
    if kind == "keypoints":
        points = obj["points"]
        seen = [p for p in points if p[2] > 0]
        if seen:
            x0, x1 = min(p[0] for p in seen), max(p[0] for p in seen)
            y0, y1 = min(p[1] for p in seen), max(p[1] for p in seen)
        else:
            x0 = x1 = y0 = y1 = 0.0
        box = ((x0 + x1) / 2 / width, (y0 + y1) / 2 / height, (x1 - x0) / width, (y1 - y0) / height)
        values = [_n(v) for v in box]
        for px, py, v in points:
            values += [_n(px / width), _n(py / height), str(int(v))]
        return f"{cls} {' '.join(values)}"
    return None


def data_yaml(schema: ImageSchema, splits: Iterable[str]) -> bytes:
    present = set(splits) or {"train"}
    doc: dict[str, Any] = {"path": "."}
    for split in SPLITS:
        if split in present:
            doc[split] = f"images/{split}"
    if "val" not in doc:  # Ultralytics needs a validation set: the training images then
        doc["val"] = doc.get("train", f"images/{sorted(present)[0]}")
    doc["names"] = dict(enumerate(schema.labels))
    pose = schema.of_kind("keypoints")
    if pose:
        doc["kpt_shape"] = [len(pose[0].points), 3]
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode()


def yolo_chunks(schema: ImageSchema, rows: Iterable[ImageRow]) -> Iterator[bytes]:
    """The YOLO zip of ``rows`` (with each row's ``content``, the image, when bundled)."""
    return zip_chunks(_entries(schema, rows))


def _entries(schema: ImageSchema, rows: Iterable[ImageRow]) -> Iterator[tuple[str, bytes]]:
    _check_skeletons(schema)
    index = schema.index()
    splits: set[str] = set()
    for row in rows:
        width, height = row.size("YOLO")
        split, path = split_and_path(row)
        splits.add(split)
        lines = []
        for question, obj in row.objects(schema):
            line = label_line(question, obj, index[obj["label"]], width, height)
            if line is not None:
                lines.append(line + "\n")
        stem = posixpath.splitext(path)[0]
        yield f"labels/{split}/{stem}.txt", "".join(lines).encode()
        if row.content is not None:
            yield f"images/{split}/{path}", row.content
    yield "data.yaml", data_yaml(schema, splits)


def _check_skeletons(schema: ImageSchema) -> None:
    pose = schema.of_kind("keypoints")
    if len({len(q.points) for q in pose}) > 1:
        names = ", ".join(f"{q.name} ({len(q.points)} points)" for q in pose)
        raise DatasetError(
            f"YOLO pose needs one number of keypoints per dataset, but the keypoints questions "
            f"have different skeletons: {names}; export COCO instead"
        )


# -- reading -----------------------------------------------------------------------------


class YoloDataset:
    """A YOLO dataset named by its ``data.yaml`` (see the module)."""

    def __init__(
        self,
        data_yaml_path: Path,
        *,
        media_names: Collection[str] | None = None,
        within: Path | None = None,
    ) -> None:
        """``media_names``: images uploaded already (names below the dataset's root), taken
        as images of the folders ``data.yaml`` names as well as the files found there (the
        server imports a zip of ``data.yaml`` and ``labels/`` without the images).
        ``within``: a ``path`` of ``data.yaml`` leading out of this folder (an unpacked zip),
        or to no folder, is not followed: the root is then the ``data.yaml``'s folder."""
        self.path = data_yaml_path
        self.skipped: Counter[str] = Counter()
        self._media = sorted(media_names or ())
        self._uploads = media_names is not None  # a folder may hold no image yet
        self._within = within
        try:
            doc = yaml.safe_load(data_yaml_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise DatasetError(f"cannot read {data_yaml_path}: {exc}") from None
        if not isinstance(doc, dict):
            raise DatasetError(f"{data_yaml_path}: expected a mapping (names, train, val, ...)")
        self.names = _names(doc.get("names"), data_yaml_path)
        self.root = (data_yaml_path.parent / str(doc.get("path") or ".")).resolve()
        if within is not None and not (
            self.root.is_relative_to(within.resolve()) and self.root.is_dir()
        ):
            self.root = data_yaml_path.parent.resolve()
        self.keypoint_count = _kpt_count(doc.get("kpt_shape"), data_yaml_path)
        self._images: list[tuple[str, str]] = []  # (name relative to the root, split)
        seen: set[str] = set()  # val is often the train folder again
        self._places: list[str] = []
        for split in SPLITS:
            for place in _listed(doc.get(split)):
                self._places.append(place)
                for image in self._images_of(place):
                    if image not in seen:
                        seen.add(image)
                        self._images.append((image, split))
        if not self._images and not (self._uploads and self.unmatched_labels()):
            raise DatasetError(
                f"{data_yaml_path}: no images found under train, val or test (below {self.root})"
            )

    def _images_of(self, place: str) -> list[str]:
        where = (self.root / place).resolve()
        if self._within is not None and not where.is_relative_to(self.root):
            raise DatasetError(
                f"{self.path}: {place!r} leads out of the dataset's folder; name the image "
                "folders relative to data.yaml (images/train)"
            )
        uploaded = self._uploaded_in(where)
        if where.is_dir() or uploaded:
            local = where.rglob("*") if where.is_dir() else iter(())
            images = {p for p in local if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()}
            found = sorted(images | {self.root / name for name in uploaded})
        elif where.is_file() and where.suffix == ".txt":
            lines = where.read_text(encoding="utf-8").splitlines()
            found = [(self.root / line.strip()).resolve() for line in lines if line.strip()]
        elif self._uploads and not where.suffix:
            found = []  # its images are not uploaded yet: their labels say which they are
        else:
            raise DatasetError(f"{self.path}: {place!r} is neither a folder of images nor a list")
        names = []
        for path in found:
            if not path.is_relative_to(self.root):
                raise DatasetError(f"{self.path}: the image {path} is outside {self.root}")
            names.append(path.relative_to(self.root).as_posix())
        return names

    def _uploaded_in(self, where: Path) -> list[str]:
        if not self._media or not where.is_relative_to(self.root):
            return []
        folder = where.relative_to(self.root).as_posix()
        head = "" if folder == "." else folder + "/"
        return [
            n
            for n in self._media
            if n.startswith(head) and posixpath.splitext(n)[1].lower() in IMAGE_SUFFIXES
        ]

    def image_names(self) -> list[str]:
        return [name for name, _ in self._images]

    def unmatched_labels(self) -> list[str]:
        """Label files below ``labels/`` whose image is not among the dataset's images, as
        the image name they want (``images/train/0005.*``)."""
        wanted = {_label_path(name) for name, _ in self._images}
        folders = {posixpath.dirname(w) for w in wanted}
        folders.update(posixpath.dirname(_label_path(p + "/x")) for p in self._places)
        found = []
        for folder in sorted(folders):
            where = self.root / folder
            if not where.is_dir():
                continue
            for path in sorted(where.glob("*.txt")):
                label = path.relative_to(self.root).as_posix()
                if label not in wanted and path.stat().st_size > 0:
                    found.append(_image_of_label(label))
        return found

    def rows(
        self, schema: ImageSchema, placed: Mapping[str, Placed], source: str
    ) -> Iterator[dict[str, Any]]:
        reader = _Lines(schema, self.names, self.keypoint_count, self.skipped)
        for name, _split in self._images:
            if name not in placed:
                raise DatasetError(f"{self.path}: no uploaded file for the image {name!r}")
            label_path = self.root / _label_path(name)
            shapes: dict[str, list[dict[str, Any]]] = {}
            if label_path.is_file():
                if label_path.stat().st_size > MAX_LABEL_BYTES:
                    raise DatasetError(f"{label_path}: larger than {MAX_LABEL_BYTES} bytes")
                text = label_path.read_text(encoding="utf-8-sig")
                for number, line in enumerate(text.splitlines(), 1):
                    try:
                        reader.add(line, number, placed[name], shapes)
                    except (ValueError, IndexError) as exc:
                        raise DatasetError(f"{label_path}, line {number}: {exc}") from None
            yield import_row(schema, name, placed[name], shapes, source)


def _label_path(name: str) -> str:
    parts = name.split("/")
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == "images":
            parts[i] = "labels"
            break
    return posixpath.splitext("/".join(parts))[0] + ".txt"


def _image_of_label(label: str) -> str:
    parts = label.split("/")
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == "labels":
            parts[i] = "images"
            break
    return posixpath.splitext("/".join(parts))[0] + ".*"


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise DatasetError(f"expected a folder or a list of folders, got {value!r}")


def _names(value: Any, path: Path) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, dict) and all(_whole(k) for k in value):
        by_id = {int(k): str(v) for k, v in value.items()}
        if sorted(by_id) == list(range(len(by_id))):
            return [by_id[k] for k in range(len(by_id))]
    raise DatasetError(
        f"{path}: 'names' must be a list, or a mapping of every class id from 0 to its name"
    )


def _whole(key: Any) -> bool:
    return (isinstance(key, int) and not isinstance(key, bool)) or (
        isinstance(key, str) and key.strip().isdigit()
    )


def _kpt_count(value: Any, path: Path) -> tuple[int, int] | None:
    if value is None:
        return None
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) for v in value)
        and value[0] > 0
        and value[1] in (2, 3)
    ):
        return value[0], value[1]
    raise DatasetError(f"{path}: kpt_shape must be [number of keypoints, 2 or 3]")


class _Lines:
    """Turns label lines into Accord objects of the schema's questions."""

    def __init__(
        self,
        schema: ImageSchema,
        names: list[str],
        keypoint_shape: tuple[int, int] | None,
        skipped: Counter[str],
    ) -> None:
        self.schema = schema
        self.names = names
        self.keypoint_shape = keypoint_shape
        self.skipped = skipped

    def add(
        self, line: str, number: int, image: Placed, shapes: dict[str, list[dict[str, Any]]]
    ) -> None:
        values = line.split()
        if not values:
            return
        cls = int(values[0])
        if not 0 <= cls < len(self.names):
            raise ValueError(f"class {cls} is not in data.yaml's names (0..{len(self.names) - 1})")
        label = self.names[cls]
        if label not in self.schema.labels:
            self.skipped[label] += 1
            return
        nums = [float(v) for v in values[1:]]
        if not all(math.isfinite(v) for v in nums):
            raise ValueError("a value is not a finite number")
        for question, obj in self._objects(nums, label, str(number), image):
            shapes.setdefault(question.name, []).append(obj)

    def _objects(
        self, nums: list[float], label: str, oid: str, image: Placed
    ) -> list[tuple[ShapeQuestion, dict[str, Any]]]:
        w, h = image.width, image.height
        schema = self.schema
        out: list[tuple[ShapeQuestion, dict[str, Any]]] = []
        kpt = self.keypoint_shape
        boxes = schema.question_for("boxes", label)
        if kpt is not None and len(nums) == 4 + kpt[0] * kpt[1]:
            pose = schema.question_for("keypoints", label)
            if pose is not None:
                out.append((pose, _pose(nums[4:], kpt[1], label, oid, w, h, pose)))
            if boxes is not None:
                out.append((boxes, _box(nums[:4], label, oid, w, h)))
        elif len(nums) == 4:
            if boxes is not None:
                out.append((boxes, _box(nums, label, oid, w, h)))
        elif len(nums) == 8 and boxes is not None and boxes.rotation:
            out.append((boxes, _oriented(nums, label, oid, w, h)))
        elif len(nums) >= 6 and len(nums) % 2 == 0:
            polygons = schema.question_for("polygons", label)
            points = [[nums[i] * w, nums[i + 1] * h] for i in range(0, len(nums), 2)]
            if polygons is not None:
                out.append((polygons, {"id": oid, "label": label, "points": points}))
            elif boxes is not None:
                xs, ys = [p[0] for p in points], [p[1] for p in points]
                x0, y0 = min(xs), min(ys)
                obj = {"id": oid, "label": label, "x": x0, "y": y0}
                out.append((boxes, {**obj, "w": max(xs) - x0, "h": max(ys) - y0}))
        else:
            raise ValueError(f"{len(nums) + 1} values: not a box, polygon or pose line")
        return out


def _box(nums: list[float], label: str, oid: str, w: int, h: int) -> dict[str, Any]:
    cx, cy, bw, bh = nums
    return {
        "id": oid,
        "label": label,
        "x": (cx - bw / 2) * w,
        "y": (cy - bh / 2) * h,
        "w": bw * w,
        "h": bh * h,
    }


def _oriented(nums: list[float], label: str, oid: str, w: int, h: int) -> dict[str, Any]:
    """An oriented box from its four corners (in order around the box)."""
    pts = [(nums[i] * w, nums[i + 1] * h) for i in range(0, 8, 2)]
    cx = sum(p[0] for p in pts) / 4
    cy = sum(p[1] for p in pts) / 4
    bw = math.dist(pts[0], pts[1])
    bh = math.dist(pts[1], pts[2])
    rotation = math.degrees(math.atan2(pts[1][1] - pts[0][1], pts[1][0] - pts[0][0]))
    obj = {"id": oid, "label": label, "x": cx - bw / 2, "y": cy - bh / 2, "w": bw, "h": bh}
    if abs(rotation) > 1e-9:
        obj["rotation"] = rotation % 360
    return obj


def _pose(
    nums: list[float], dims: int, label: str, oid: str, w: int, h: int, question: ShapeQuestion
) -> dict[str, Any]:
    count = len(nums) // dims
    if count != len(question.points):
        raise ValueError(
            f"{count} keypoints, but the question {question.name!r} has a skeleton of "
            f"{len(question.points)} points"
        )
    points: list[list[float]] = []
    for i in range(count):
        x, y = nums[i * dims], nums[i * dims + 1]
        v = int(nums[i * dims + 2]) if dims == 3 else (2 if (x or y) else 0)
        points.append([0.0, 0.0, 0] if v == 0 else [x * w, y * h, v])
    return {"id": oid, "label": label, "points": points}
