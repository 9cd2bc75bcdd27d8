"""What the image formats (COCO, YOLO, Pascal VOC) share: the project's shape questions seen
as a dataset's categories, one image's row, file names, and import rows.

An export row (`ImageRow`) is one task: its image (name in the dataset, reference, size after
EXIF orientation) and the answer whose shapes are written (keyed by question name, each
``{"objects": [...]}`` as in the interface contract). An import row is what `accord.formats.
task_rows` reads: the image field in object form ``{"src", "width", "height"}`` and the
dataset's shapes as one prediction.

Categories are the labels of the shape questions over the image field, in the questions'
order then each question's labels, each label once: 1-based ids in COCO, 0-based classes in
YOLO.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

SHAPE_KINDS = ("boxes", "polygons", "polylines", "points", "keypoints", "masks")
MEDIA_PREFIX = "media/projects/"
SPLITS = ("train", "val", "test")


class DatasetError(ValueError):
    """A dataset that cannot be read or written: what is wrong, where, and what to do."""


@dataclass(frozen=True)
class AttributeSpec:
    """An attribute a shape question declares: its type and, for choices, its options."""

    name: str
    type: str  # choice, multi_choice, number, text
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShapeQuestion:
    name: str
    kind: str
    labels: tuple[str, ...]
    rotation: bool = False
    attributes: tuple[AttributeSpec, ...] = ()
    points: tuple[str, ...] = ()  # keypoints: the skeleton's point names, in order
    edges: tuple[tuple[int, int], ...] = ()  # keypoints: 0-based pairs of points


@dataclass(frozen=True)
class ImageSchema:
    """The shape questions over one image field, and the categories they make."""

    image_field: str
    questions: tuple[ShapeQuestion, ...]
    labels: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        labels: dict[str, None] = {}
        for question in self.questions:
            labels.update(dict.fromkeys(question.labels))
        object.__setattr__(self, "labels", tuple(labels))

    def of_kind(self, *kinds: str) -> list[ShapeQuestion]:
        return [q for q in self.questions if q.kind in kinds]

    def index(self) -> dict[str, int]:
        """0-based position of each label."""
        return {label: i for i, label in enumerate(self.labels)}

    def skeleton_of(self, label: str) -> ShapeQuestion | None:
        """The first keypoints question offering ``label``: its skeleton names the category's
        keypoints."""
        return next((q for q in self.of_kind("keypoints") if label in q.labels), None)

    def question_for(self, kind: str, label: str) -> ShapeQuestion | None:
        """The first question of ``kind`` that offers ``label``."""
        return next((q for q in self.of_kind(kind) if label in q.labels), None)

    @classmethod
    def of(cls, interface: Any, image_field: str | None = None) -> ImageSchema:
        """From a project's interface (`accord.kinds.Interface`, or its JSON as a dict)."""
        fields = [plain_dict(f) for f in member(interface, "fields") or []]
        questions = [plain_dict(q) for q in member(interface, "questions") or []]
        images = [f["name"] for f in fields if f.get("kind") == "image"]
        if image_field is None:
            targeted = [q.get("target") for q in questions if q.get("kind") in SHAPE_KINDS]
            image_field = next((n for n in images if n in targeted), images[0] if images else None)
        if image_field is None or image_field not in images:
            raise DatasetError(
                "the project has no image field to hold the dataset's images: add a field "
                "{name: image, kind: image} and shape questions (boxes, polygons, keypoints, "
                "masks) with target: image to its interface"
            )
        shapes = tuple(
            _question(q)
            for q in questions
            if q.get("kind") in SHAPE_KINDS and q.get("target") == image_field
        )
        if not shapes:
            raise DatasetError(
                f"the project has no shape question over its image field {image_field!r}: add "
                "one (boxes, polygons, keypoints or masks, with target: "
                f"{image_field}) to its interface"
            )
        return cls(image_field, shapes)


def member(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def plain_dict(obj: Any) -> dict[str, Any]:
    if isinstance(obj, Mapping):
        return dict(obj)
    dumped: dict[str, Any] = obj.model_dump(mode="json")
    return dumped


def option_label(option: Any) -> str:
    return option if isinstance(option, str) else str(member(option, "value"))


def _question(q: dict[str, Any]) -> ShapeQuestion:
    skeleton = q.get("skeleton") or {}
    return ShapeQuestion(
        name=q["name"],
        kind=q["kind"],
        labels=tuple(option_label(o) for o in q.get("labels") or []),
        rotation=bool(q.get("rotation")),
        attributes=tuple(_attribute_spec(a) for a in q.get("attributes") or []),
        points=tuple(skeleton.get("points") or ()),
        edges=tuple((int(a), int(b)) for a, b in skeleton.get("edges") or ()),
    )


def _attribute_spec(declared: Any) -> AttributeSpec:
    options = member(declared, "options") or []
    return AttributeSpec(
        name=str(member(declared, "name")),
        type=str(member(declared, "type")),
        options=tuple(option_label(o) for o in options),
    )


@dataclass
class ImageRow:
    """One task as an image of a dataset, with the answer whose shapes are exported."""

    task_id: int
    name: str  # relative path in the dataset, e.g. "train/0001.jpg"
    src: str | None
    width: int | None
    height: int | None
    answer: dict[str, Any] = field(default_factory=dict)
    external_id: str | None = None
    split: str | None = None  # train, val or test when the task says (its ``split`` field)
    content: bytes | None = None  # the image's bytes, upright, when the export bundles them

    def objects(self, schema: ImageSchema) -> Iterator[tuple[ShapeQuestion, dict[str, Any]]]:
        """The answer's shapes, question by question in the interface's order."""
        for question in schema.questions:
            value = self.answer.get(question.name)
            if isinstance(value, dict):
                for obj in value.get("objects") or ():
                    if isinstance(obj, dict) and obj.get("label") in question.labels:
                        yield question, obj

    def size(self, fmt: str) -> tuple[int, int]:
        """(width, height), or a `DatasetError` saying that the format needs it."""
        if self.width is None or self.height is None:
            raise DatasetError(
                f"task {self.task_id}: the size of its image {self.src or self.name!r} is not "
                f"known, and {fmt} needs it; give the image field as {{src, width, height}} "
                "(or export with the images bundled, which reads the size from the file)"
            )
        return self.width, self.height


def image_name(src: str, task_id: int) -> str:
    """The image's file name in a dataset: its path below the project's media area when it
    was uploaded (``train/0001.jpg``), below the local storage's ``media/`` for a ``file://``
    URL, the key of an ``s3://`` object, else the path of its URL; never absolute, never
    with ``..``."""
    parts = urlsplit(src)
    path = unquote(parts.path).replace("\\", "/")
    at = path.find(MEDIA_PREFIX)
    if at >= 0:
        rest = path[at + len(MEDIA_PREFIX) :].split("/", 1)
        path = rest[1] if len(rest) == 2 else rest[0]
    elif parts.scheme == "file" and "/media/" in path:
        path = path.split("/media/", 1)[1]
    kept = [p for p in posixpath.normpath("/" + path).split("/") if p not in ("", ".", "..")]
    return "/".join(kept) or f"task-{task_id}.jpg"


class Names:
    """Unique file names in one export: a name seen before gets the task's id added."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def unique(self, name: str, task_id: int) -> str:
        key = posixpath.splitext(name)[0].lower()
        if key in self._seen:
            stem, ext = posixpath.splitext(name)
            name = f"{stem}-task{task_id}{ext}"
            key = posixpath.splitext(name)[0].lower()
        self._seen.add(key)
        return name


@dataclass(frozen=True)
class Placed:
    """Where an image of the dataset went: the reference a task holds, and its size."""

    src: str
    width: int
    height: int


def import_row(
    schema: ImageSchema,
    name: str,
    placed: Placed,
    shapes: Mapping[str, list[dict[str, Any]]],
    source: str,
) -> dict[str, Any]:
    """A row for `accord.formats.task_rows`: the image field, the image's name as the task's
    id (importing the dataset again adds nothing twice), and the shapes as one prediction."""
    row: dict[str, Any] = {
        "id": name,
        schema.image_field: {"src": placed.src, "width": placed.width, "height": placed.height},
    }
    result = {q: {"objects": objs} for q, objs in shapes.items() if objs}
    if result:
        row["predictions"] = [{"model_version": source, "result": result}]
    return row


def flags(obj: dict[str, Any], question: ShapeQuestion, extra: Mapping[str, Any]) -> None:
    """Copy the dataset's per-object flags and attributes that the question can hold onto
    ``obj``: occluded, truncated, rotation (when the question allows it), and the attributes
    the question declares, as values of their declared types (a value that cannot be one is
    left out)."""
    for key in ("occluded", "truncated"):
        if key in extra and extra[key] is not None:
            obj[key] = bool(extra[key])
    rotation = extra.get("rotation")
    if question.rotation and isinstance(rotation, int | float) and rotation:
        obj["rotation"] = float(rotation)
    kept = {}
    for spec in question.attributes:
        if spec.name in extra:
            value = typed(spec, extra[spec.name])
            if value is not None:
                kept[spec.name] = value
    if kept:
        obj["attributes"] = kept


TRUE_WORDS = ("1", "true", "yes", "crowd")


def typed(spec: AttributeSpec, value: Any) -> Any:
    """``value`` (from JSON or XML text) as a value of the attribute's type; None if it
    cannot be one."""
    if spec.type == "number":
        if isinstance(value, bool):
            return int(value)
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        return int(number) if number.is_integer() else number
    if spec.type == "text":
        return ("true" if value else "false") if isinstance(value, bool) else str(value)
    if isinstance(value, bool):  # a flag (iscrowd) given to a choice: its option meaning yes
        if not value:
            return None
        return next((o for o in spec.options if o.lower() in TRUE_WORDS), None)
    picks = value.split(",") if isinstance(value, str) else value
    if spec.type == "multi_choice":
        if not isinstance(picks, list) or not all(str(p) in spec.options for p in picks):
            return None
        return [str(p) for p in dict.fromkeys(picks)]
    text = str(value)
    return text if text in spec.options else None


def truthy(value: Any) -> bool:
    """Whether an attribute's value says yes (COCO's ``iscrowd`` from an object's
    attributes: true, 1, "yes", ...)."""
    if isinstance(value, str):
        return value.strip().lower() in TRUE_WORDS
    if isinstance(value, list):
        return bool(value)
    return bool(value)


def number(value: float) -> int | float:
    """A coordinate as written: whole numbers without a fraction."""
    as_int = int(value)
    return as_int if as_int == value else value
