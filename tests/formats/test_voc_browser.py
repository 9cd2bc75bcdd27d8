"""The browser's VOC reader (web/src/screens/manage/vocRows.ts) makes the same import rows as
`accord.formats.voc.VocDataset`: both are checked against
web/src/screens/manage/fixtures/voc-rows.json (its ``rows`` and ``skipped`` are what this
reader makes of its ``files``; vitest checks vocRows.test.ts against the same file).

After a change to the Python reader, write the fixture again with
``.venv/bin/python -m tests.formats.test_voc_browser`` and run both tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from accord.formats.shapes import ImageSchema, Placed
from accord.formats.voc import VocDataset

FIXTURE = Path(__file__).resolve().parents[2] / "web/src/screens/manage/fixtures/voc-rows.json"

INTERFACE: dict[str, Any] = {
    "fields": [{"name": "photo", "kind": "image"}],
    "questions": [
        {
            "name": "boxes",
            "kind": "boxes",
            "target": "photo",
            "labels": ["car", "person"],
            "attributes": [
                {"name": "difficult", "type": "choice", "options": ["0", "1"]},
                {"name": "colour", "type": "text"},
                {"name": "doors", "type": "number"},
                {"name": "parked", "type": "choice", "options": ["no", "yes"]},
            ],
        },
        {"name": "outline", "kind": "polygons", "target": "photo", "labels": ["car"]},
    ],
}

A_XML = """<annotation>
  <folder>VOC2012</folder>
  <filename> a.jpg </filename>
  <size><width>100</width><height>80</height><depth>3</depth></size>
  <object>
    <name>car</name><pose>Unspecified</pose><truncated>1</truncated><difficult>0</difficult>
    <bndbox><xmin>11</xmin><ymin>21.5</ymin><xmax>40</xmax><ymax>50</ymax></bndbox>
    <polygon><x1>11</x1><y1>21</y1><x2>40</x2><y2>21</y2><x3>40</x3><y3>50</y3></polygon>
    <attributes>
      <attribute><name>colour</name><value>red</value></attribute>
      <attribute><name>doors</name><value> 4 </value></attribute>
      <attribute><name>parked</name><value>true</value></attribute>
    </attributes>
  </object>
  <object>
    <name>tree</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox>
  </object>
  <object>
    <name> person </name><occluded>false</occluded>
    <bndbox><xmin>60</xmin><ymin>70</ymin><xmax>50</xmax><ymax>30</ymax></bndbox>
  </object>
</annotation>
"""

B_XML = """<?xml version="1.0"?>
<annotation><filename>b.png</filename></annotation>
"""

FILES: dict[str, str] = {
    "VOC/Annotations/a.xml": A_XML,
    "VOC/Annotations/b.xml": B_XML,
    "VOC/Annotations/notes.txt": "",
    "VOC/JPEGImages/a.jpg": "",
    "VOC/JPEGImages/b.png": "",
}

PLACED = {
    "a.jpg": {"src": "s3://b/a.jpg", "width": 100, "height": 80},
    "b.png": {"src": "s3://b/b.png", "width": 30, "height": 20},
}


def python_rows(tmp: Path) -> tuple[list[dict[str, Any]], dict[str, int], list[str]]:
    for name, text in FILES.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    dataset = VocDataset(tmp / "VOC")
    placed = {name: Placed(**at) for name, at in PLACED.items()}
    rows = list(dataset.rows(ImageSchema.of(INTERFACE), placed, "voc:VOC"))
    return orjson.loads(orjson.dumps(rows)), dict(dataset.skipped), dataset.image_names()


def test_fixture_is_what_the_python_reader_makes(tmp_path: Path) -> None:
    fixture = orjson.loads(FIXTURE.read_bytes())
    rows, skipped, images = python_rows(tmp_path)
    assert fixture["interface"] == INTERFACE
    assert fixture["files"] == FILES
    assert fixture["placed"] == PLACED
    assert fixture["images"] == images
    assert fixture["rows"] == rows
    assert fixture["skipped"] == skipped


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        made, left, names = python_rows(Path(folder))
    doc = {
        "interface": INTERFACE,
        "files": FILES,
        "placed": PLACED,
        "images": names,
        "rows": made,
        "skipped": left,
    }
    FIXTURE.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
    print(f"wrote {FIXTURE}")
