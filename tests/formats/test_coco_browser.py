"""The browser's COCO reader (web/src/screens/manage/cocoRows.ts) makes the same import rows
as `accord.formats.coco.CocoDataset`: both are checked against one fixture,
web/src/screens/manage/fixtures/coco-rows.json (its ``rows`` and ``skipped`` are what this
reader makes of its ``coco``; vitest checks cocoRows.test.ts against the same file).

After a change to the Python reader, write the fixture again with
``.venv/bin/python -m tests.formats.test_coco_browser`` and run both tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from accord.formats.coco import CocoDataset
from accord.formats.shapes import ImageSchema, Placed
from accord.quality.masks import rle_encode

FIXTURE = Path(__file__).resolve().parents[2] / "web/src/screens/manage/fixtures/coco-rows.json"

INTERFACE: dict[str, Any] = {
    "fields": [{"name": "text", "kind": "text"}, {"name": "photo", "kind": "image"}],
    "questions": [
        {
            "name": "boxes",
            "kind": "boxes",
            "target": "photo",
            "labels": ["cat", {"value": "dog", "label": "Dog"}],
            "rotation": True,
            "attributes": [
                {"name": "colour", "type": "choice", "options": ["black", "white"]},
                {"name": "tags", "type": "multi_choice", "options": ["a", "b", "c"]},
                {"name": "age", "type": "number"},
                {"name": "note", "type": "text"},
                {"name": "iscrowd", "type": "choice", "options": ["no", "yes"]},
            ],
        },
        {"name": "outline", "kind": "polygons", "target": "photo", "labels": ["cat"]},
        {"name": "mask", "kind": "masks", "target": "photo", "labels": ["cat", "dog"]},
        {
            "name": "pose",
            "kind": "keypoints",
            "target": "photo",
            "labels": ["person"],
            "skeleton": {"points": ["nose", "left_eye", "right_eye"], "edges": [[0, 1]]},
        },
    ],
}


def coco() -> dict[str, Any]:
    mask = [[False] * 6 for _ in range(4)]
    mask[0][0] = mask[1][0] = mask[2][3] = True
    compressed = rle_encode(mask)
    return {
        "images": [
            {"id": 1, "file_name": "a.jpg", "width": 40, "height": 30},
            {"id": 2, "file_name": "sub/b.png", "width": 40, "height": 30},
            {"id": "x3", "file_name": "c.jpg", "width": 40, "height": 30},
        ],
        "categories": [
            {"id": 1, "name": "cat"},
            {"id": 2, "name": "dog"},
            {"id": 3, "name": "person", "keypoints": ["right_eye", "nose", "left_eye"]},
            {"id": 4, "name": "zebra"},
        ],
        "annotations": [
            {
                "id": 10,
                "image_id": 1,
                "category_id": 1,
                "bbox": [1, 2.5, 10, 5],
                "segmentation": [[1, 1, 9, 1, 9, 8, 1, 1]],
                "iscrowd": 0,
            },
            {
                "id": 11,
                "image_id": 1,
                "category_id": 2,
                "bbox": [3, 4, 5, 6],
                "score": 0.75,
                "attributes": {
                    "colour": "white",
                    "tags": "a,c",
                    "age": "3",
                    "note": 7,
                    "occluded": True,
                    "truncated": 0,
                    "rotation": 30,
                    "other": 1,
                },
            },
            {"id": 12, "image_id": 1, "category_id": 2, "bbox": [3, 4, 0, 6]},
            {"id": 13, "image_id": 1, "category_id": 4, "bbox": [1, 1, 2, 2]},
            {
                "id": 14,
                "image_id": 2,
                "category_id": 1,
                "bbox": [0, 0, 4, 4],
                "iscrowd": 1,
                "segmentation": [[0, 0, 4, 0, 4, 4], [10, 10, 12, 10, 12, 12, 10, 12]],
            },
            {
                "id": 15,
                "image_id": 2,
                "category_id": 2,
                "segmentation": {"size": [4, 6], "counts": [0, 2, 8, 0, 0, 1, 13]},
            },
            {
                "id": 16,
                "image_id": 2,
                "category_id": 2,
                "segmentation": compressed,
                "bbox": [20, 20, 3, 3],
                "attributes": {"tags": ["b", "b"], "colour": "red", "age": True, "note": False},
            },
            {
                "id": 17,
                "image_id": 2,
                "category_id": 3,
                "keypoints": [5, 6, 2, 7, 8, 1, 0, 0, 0],
                "num_keypoints": 2,
            },
            {"image_id": 2, "category_id": 1, "segmentation": [[1, 1, 5, 1, 5, 5, 1, 5]]},
            {"id": 19, "image_id": 99, "category_id": 1, "bbox": [1, 1, 1, 1]},
        ],
    }


PLACED = {
    "a.jpg": {"src": "file:///m/a.jpg", "width": 40, "height": 30},
    "sub/b.png": {"src": "file:///m/sub/b.png", "width": 40, "height": 30},
    "c.jpg": {"src": "file:///m/c.jpg", "width": 40, "height": 30},
}


def python_rows(tmp: Path) -> tuple[list[dict[str, Any]], dict[str, int]]:
    path = tmp / "instances.json"
    path.write_bytes(orjson.dumps(coco()))
    dataset = CocoDataset(path)
    placed = {name: Placed(**at) for name, at in PLACED.items()}
    rows = list(dataset.rows(ImageSchema.of(INTERFACE), placed, "coco:instances.json"))
    return orjson.loads(orjson.dumps(rows)), dict(dataset.skipped)


def test_fixture_is_what_the_python_reader_makes(tmp_path: Path) -> None:
    fixture = orjson.loads(FIXTURE.read_bytes())
    rows, skipped = python_rows(tmp_path)
    assert fixture["interface"] == INTERFACE
    assert fixture["coco"] == coco()
    assert fixture["placed"] == PLACED
    assert fixture["rows"] == rows
    assert fixture["skipped"] == skipped


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        made, left = python_rows(Path(folder))
    doc = {"interface": INTERFACE, "coco": coco(), "placed": PLACED, "rows": made, "skipped": left}
    FIXTURE.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
    print(f"wrote {FIXTURE}")
