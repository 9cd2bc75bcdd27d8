"""Pascal VOC: one XML file per image, both ways.

An export is a zip: ``Annotations/<stem>.xml`` per image, ``ImageSets/Main/default.txt``
(the stems) and, with the images bundled, ``JPEGImages/<name>`` (VOC's folder name whatever
the images' format). Names are flat, as VOC's are: an image's folders are dropped, and a name
seen before gets the task's id added.

Coordinates follow the VOC devkit: 1-based pixel indices, inclusive, so an Accord box
``x, y, w, h`` (pixel edges from 0) is ``xmin = x + 1``, ``ymin = y + 1``, ``xmax = x + w``,
``ymax = y + h``, and a polygon's points are moved by one. Whole numbers are written without
a fraction, others as they are (sub-pixel values survive). Each ``<object>`` has ``name``,
``pose`` (Unspecified), ``truncated``, ``difficult`` (the attribute of that name, else 0),
``occluded``, ``bndbox``; a polygon adds ``<polygon><x1/><y1/>...</polygon>``; the object's
other attributes go to ``<attributes><attribute><name/><value/></attribute></attributes>`` as
CVAT writes them. A rotated box is written as the box bounding its corners. Keypoints, masks,
points and polylines have no VOC form and are left out.

Reading refuses any DTD or entity declaration (the XML bombs and external entities that a
stock parser would expand) and files over 16 MiB.
"""

from __future__ import annotations

import posixpath
import pyexpat
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from accord.formats.shapes import (
    DatasetError,
    ImageRow,
    ImageSchema,
    Names,
    Placed,
    ShapeQuestion,
    flags,
    import_row,
    number,
)
from accord.formats.yolo import corners
from accord.formats.zipped import zip_chunks

MAX_XML_BYTES = 16 << 20
FLAG_TAGS = ("truncated", "difficult", "occluded")


def _text(value: float) -> str:
    return str(number(value))


def _add(parent: ET.Element, tag: str, text: str) -> ET.Element:
    child = ET.SubElement(parent, tag)
    child.text = text
    return child


def voc_xml(schema: ImageSchema, row: ImageRow, filename: str) -> bytes:
    """One image's annotation file."""
    width, height = row.size("Pascal VOC")
    root = ET.Element("annotation")
    _add(root, "folder", "JPEGImages")
    _add(root, "filename", filename)
    _add(_sub(root, "source"), "database", "Accord")
    size = _sub(root, "size")
    _add(size, "width", str(width))
    _add(size, "height", str(height))
    _add(size, "depth", "3")
    objects = [(q, o) for q, o in row.objects(schema) if q.kind in ("boxes", "polygons")]
    _add(root, "segmented", "1" if any(q.kind == "polygons" for q, _ in objects) else "0")
    for question, obj in objects:
        _object(root, question, obj)
    ET.indent(root)
    text: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return text + b"\n"


def _sub(parent: ET.Element, tag: str) -> ET.Element:
    return ET.SubElement(parent, tag)


def _object(root: ET.Element, question: ShapeQuestion, obj: Mapping[str, Any]) -> None:
    element = _sub(root, "object")
    _add(element, "name", obj["label"])
    _add(element, "pose", "Unspecified")
    attributes = dict(obj.get("attributes") or {})
    for tag in FLAG_TAGS:
        value = obj.get(tag) if tag != "difficult" else attributes.pop("difficult", False)
        _add(element, tag, "1" if value else "0")
    if question.kind == "boxes":
        points = corners(obj) if obj.get("rotation") else None
        if points is None:
            x0, y0 = obj["x"], obj["y"]
            x1, y1 = x0 + obj["w"], y0 + obj["h"]
        else:
            x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
            y0, y1 = min(p[1] for p in points), max(p[1] for p in points)
    else:
        xs = [p[0] for p in obj["points"]]
        ys = [p[1] for p in obj["points"]]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    box = _sub(element, "bndbox")
    for tag, value in (("xmin", x0 + 1), ("ymin", y0 + 1), ("xmax", x1), ("ymax", y1)):
        _add(box, tag, _text(value))
    if question.kind == "polygons":
        polygon = _sub(element, "polygon")
        for i, (x, y) in enumerate((p[0], p[1]) for p in obj["points"]):
            _add(polygon, f"x{i + 1}", _text(x + 1))
            _add(polygon, f"y{i + 1}", _text(y + 1))
    if attributes:
        listed = _sub(element, "attributes")
        for name, value in attributes.items():
            attribute = _sub(listed, "attribute")
            _add(attribute, "name", str(name))
            _add(attribute, "value", _attribute_text(value))


def _attribute_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def voc_chunks(schema: ImageSchema, rows: Iterable[ImageRow]) -> Iterator[bytes]:
    """The Pascal VOC zip of ``rows`` (with each row's image when bundled)."""
    return zip_chunks(_entries(schema, rows))


def _entries(schema: ImageSchema, rows: Iterable[ImageRow]) -> Iterator[tuple[str, bytes]]:
    names = Names()
    stems: list[str] = []
    for row in rows:
        filename = names.unique(posixpath.basename(row.name), row.task_id)
        stem = posixpath.splitext(filename)[0]
        stems.append(stem)
        yield f"Annotations/{stem}.xml", voc_xml(schema, row, filename)
        if row.content is not None:
            yield f"JPEGImages/{filename}", row.content
    yield "ImageSets/Main/default.txt", "".join(s + "\n" for s in stems).encode()


# -- reading -----------------------------------------------------------------------------


def safe_xml(data: bytes, where: str) -> ET.Element:
    """Parse ``data``, refusing DTDs and entity declarations (nothing is expanded or fetched)."""

    def refuse(*_: Any) -> int:
        raise DatasetError(
            f"{where}: declares a DTD or entities, which VOC files never need and which can "
            "make a reader expand or fetch data; remove the <!DOCTYPE ...> part"
        )

    builder = ET.TreeBuilder()
    parser = pyexpat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
        return builder.close()
    except pyexpat.ExpatError as exc:
        raise DatasetError(f"{where}: not well-formed XML ({exc})") from None


class VocDataset:
    """A folder of VOC annotation files: ``Annotations/*.xml`` below it, or its own
    ``*.xml``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.skipped: Counter[str] = Counter()
        folder = path / "Annotations" if (path / "Annotations").is_dir() else path
        if not folder.is_dir():
            raise DatasetError(f"{path}: expected a folder of VOC XML files (or with Annotations/)")
        self.files = sorted(folder.glob("*.xml"))
        if not self.files:
            raise DatasetError(f"{folder}: no .xml files")
        self._parsed: list[tuple[Path, ET.Element]] = []
        for file in self.files:
            if file.stat().st_size > MAX_XML_BYTES:
                raise DatasetError(f"{file}: larger than {MAX_XML_BYTES} bytes")
            root = safe_xml(file.read_bytes(), str(file))
            if root.tag != "annotation" or not (root.findtext("filename") or "").strip():
                raise DatasetError(f"{file}: expected <annotation> with a <filename>")
            self._parsed.append((file, root))

    def image_folder(self) -> Path:
        """Where the images are by VOC's layout."""
        return self.path / "JPEGImages"

    def image_names(self) -> list[str]:
        return [(root.findtext("filename") or "").strip() for _, root in self._parsed]

    def rows(
        self, schema: ImageSchema, placed: Mapping[str, Placed], source: str
    ) -> Iterator[dict[str, Any]]:
        for file, root in self._parsed:
            name = (root.findtext("filename") or "").strip()
            if name not in placed:
                raise DatasetError(f"{file}: no uploaded file for the image {name!r}")
            shapes: dict[str, list[dict[str, Any]]] = {}
            for i, element in enumerate(root.findall("object")):
                try:
                    self._add(schema, element, str(i + 1), shapes)
                except (ValueError, TypeError) as exc:
                    raise DatasetError(f"{file}: object {i + 1}: {exc}") from None
            yield import_row(schema, name, placed[name], shapes, source)

    def _add(
        self,
        schema: ImageSchema,
        element: ET.Element,
        oid: str,
        shapes: dict[str, list[dict[str, Any]]],
    ) -> None:
        label = (element.findtext("name") or "").strip()
        if label not in schema.labels:
            self.skipped[label] += 1
            return
        extra = _extra(element)
        polygon = element.find("polygon")
        made: list[tuple[ShapeQuestion, dict[str, Any]]] = []
        target = schema.question_for("polygons", label)
        if polygon is not None and target is not None:
            values = [_float(c.text, c.tag) - 1 for c in polygon]
            points = [[values[i], values[i + 1]] for i in range(0, len(values) - 1, 2)]
            made.append((target, {"id": oid, "label": label, "points": points}))
        boxes = schema.question_for("boxes", label)
        box = element.find("bndbox")
        if boxes is not None and box is not None:
            x0, y0, x1, y1 = (_float(box.findtext(t), t) for t in ("xmin", "ymin", "xmax", "ymax"))
            x0, x1 = min(x0, x1), max(x0, x1)
            y0, y1 = min(y0, y1), max(y0, y1)
            obj = {"id": oid, "label": label, "x": x0 - 1, "y": y0 - 1}
            made.append((boxes, {**obj, "w": x1 - x0 + 1, "h": y1 - y0 + 1}))
        for question, obj in made:
            flags(obj, question, extra)
            shapes.setdefault(question.name, []).append(obj)


def _float(text: str | None, tag: str) -> float:
    try:
        return float((text or "").strip())
    except ValueError:
        raise ValueError(f"<{tag}> holds {text!r}, not a number") from None


def _extra(element: ET.Element) -> dict[str, Any]:
    """The object's flags and CVAT-style attributes."""
    extra: dict[str, Any] = {}
    for tag in FLAG_TAGS:
        text = (element.findtext(tag) or "").strip()
        if text:
            extra[tag] = text not in ("0", "false")
    for attribute in element.iterfind("attributes/attribute"):
        name = (attribute.findtext("name") or "").strip()
        if name:
            extra[name] = _value(attribute.findtext("value") or "")
    return extra


def _value(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text
