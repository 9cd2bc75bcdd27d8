"""The browser's YOLO reader (web/src/screens/manage/yoloRows.ts) makes the same import rows
as `accord.formats.yolo.YoloDataset` read with ``within`` the picked folder: both are checked
against web/src/screens/manage/fixtures/yolo-rows.json (its ``rows`` and ``skipped`` are what
this reader makes of its ``files``; vitest checks yoloRows.test.ts against the same file).

After a change to the Python reader, write the fixture again with
``.venv/bin/python -m tests.formats.test_yolo_browser`` and run both tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from accord.formats.shapes import ImageSchema, Placed
from accord.formats.yolo import YoloDataset

FIXTURE = Path(__file__).resolve().parents[2] / "web/src/screens/manage/fixtures/yolo-rows.json"

INTERFACE: dict[str, Any] = {
    "fields": [{"name": "photo", "kind": "image"}],
    "questions": [
        {
            "name": "boxes",
            "kind": "boxes",
            "target": "photo",
            "labels": ["car", "person", "sign"],
            "rotation": True,
        },
        {"name": "outline", "kind": "polygons", "target": "photo", "labels": ["car"]},
        {
            "name": "pose",
            "kind": "keypoints",
            "target": "photo",
            "labels": ["person"],
            "skeleton": {"points": ["head", "hand"], "edges": [[0, 1]]},
        },
    ],
}

# The picked folder "ds": relative names → text (images are empty: the reader never opens
# them; their sizes come from the upload, PLACED).
FILES: dict[str, str] = {
    "ds/data.yaml": (
        "path: /somewhere/else\ntrain: images/train\nval: val.txt\n"
        "names:\n  0: car\n  1: person\n  2: tree\n  3: sign\nkpt_shape: [2, 3]\n"
    ),
    "ds/val.txt": "./images/val/v1.png\n\nimages/train/a.jpg\n",
    "ds/images/train/a.jpg": "",
    "ds/images/train/sub/b.png": "",
    "ds/images/train/notes.md": "",
    "ds/images/val/v1.png": "",
    "ds/labels/train/a.txt": (
        "\ufeff0 0.5 0.5 0.25 0.5\n"
        "2 0.1 0.1 0.2 0.2\n"
        "\n"
        "0 0.1 0.1 0.4 0.1 0.4 0.3 0.1 0.3\n"
        "3 0.1 0.1 0.5 0.2 0.3 0.6\n"
        "0 0.1 0.1 0.2 0.1 0.3 0.2 0.2 0.3 0.1 0.2\n"
    ),
    "ds/labels/train/sub/b.txt": (
        "1 0.5 0.5 0.2 0.4 0.45 0.35 2 0.55 0.6 1\r\n"
        "1 0.5 0.5 0.2 0.4 0 0 0 0.5 0.5 2\r\n"
        "3 0.2 0.2 0.4 0.25 0.35 0.55 0.15 0.45\n"
    ),
}

PLACED = {
    "images/train/a.jpg": {"src": "s3://b/a.jpg", "width": 200, "height": 100},
    "images/train/sub/b.png": {"src": "s3://b/b.png", "width": 64, "height": 48},
    "images/val/v1.png": {"src": "s3://b/v1.png", "width": 10, "height": 10},
}


def python_rows(tmp: Path) -> tuple[list[dict[str, Any]], dict[str, int], list[str]]:
    for name, text in FILES.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    dataset = YoloDataset(tmp / "ds" / "data.yaml", within=tmp / "ds")
    placed = {name: Placed(**at) for name, at in PLACED.items()}
    rows = list(dataset.rows(ImageSchema.of(INTERFACE), placed, "yolo:data.yaml"))
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
