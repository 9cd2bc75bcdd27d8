"""COCO: Accord answers → export → pycocotools reads the same shapes; a COCO file → import
rows with the image field and the shapes as a prediction."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest
from pycocotools.coco import COCO

from accord.formats.coco import CocoDataset, coco_chunks, rle_bbox
from accord.formats.shapes import DatasetError, ImageRow, ImageSchema, Placed
from accord.quality.masks import rle_decode, rle_encode
from tests.formats.shapes_data import (
    HEIGHT,
    INTERFACE,
    SCHEMA,
    WIDTH,
    answers,
    assert_valid,
    mask_of,
    outside,
    rows,
)


def _write(tmp_path: Path, chunks: Any) -> Path:
    path = tmp_path / "instances.json"
    path.write_bytes(b"".join(chunks))
    return path


def _load(path: Path) -> COCO:
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints its timings
        return COCO(str(path))


def test_export_reads_back_in_pycocotools(tmp_path: Path) -> None:
    path = _write(tmp_path, coco_chunks(SCHEMA, rows(3), spool_dir=tmp_path))
    coco = _load(path)
    cats = {c["name"]: c for c in coco.loadCats(coco.getCatIds())}
    assert [c["id"] for c in coco.loadCats(coco.getCatIds())] == [1, 2, 3]
    assert cats["cat"]["id"] == 1 and cats["dog"]["id"] == 2 and cats["person"]["id"] == 3
    assert cats["person"]["keypoints"] == ["nose", "left_eye", "right_eye"]
    assert cats["person"]["skeleton"] == [[1, 2], [1, 3]]
    assert sorted(coco.getImgIds()) == [100, 101, 102]
    for i in range(3):
        image = coco.loadImgs(100 + i)[0]
        assert (image["file_name"], image["width"], image["height"]) == (
            f"photos/img{i}.png",
            WIDTH,
            HEIGHT,
        )
        anns = coco.loadAnns(coco.getAnnIds(imgIds=100 + i))
        given = answers(i)
        boxes = [a for a in anns if not a["segmentation"] and "keypoints" not in a]
        assert [a["bbox"] for a in boxes] == [
            [o["x"], o["y"], o["w"], o["h"]] for o in given["boxes"]["objects"]
        ]
        assert [a["category_id"] for a in boxes] == [1, 2]
        assert boxes[1]["attributes"] == {"occluded": True} and boxes[1]["score"] == 0.75
        polygon = next(a for a in anns if isinstance(a["segmentation"], list) and a["segmentation"])
        points = given["outline"]["objects"][0]["points"]
        assert polygon["segmentation"] == [[c for p in points for c in p]]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        assert polygon["bbox"] == [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
        # pycocotools rasterises the polygon at the image's size
        assert outside(coco.annToMask, polygon).shape == (HEIGHT, WIDTH)
        pose = next(a for a in anns if "keypoints" in a)
        assert pose["keypoints"] == [c for p in given["pose"]["objects"][0]["points"] for c in p]
        assert pose["num_keypoints"] == 2 and pose["category_id"] == 3
        mask = next(a for a in anns if isinstance(a["segmentation"], dict))
        expected = mask_of((3 + i, 4, 12, 9))
        assert np.array_equal(outside(coco.annToMask, mask).astype(bool), expected)
        assert mask["area"] == int(expected.sum())
        assert mask["bbox"] == [3 + i, 4, 12, 9]
    assert len({a["id"] for a in coco.dataset["annotations"]}) == len(coco.dataset["annotations"])


def test_rle_bbox_matches_pycocotools() -> None:
    from pycocotools import mask as mask_api

    rng = np.random.default_rng(3)
    for _ in range(50):
        pixels = np.zeros((rng.integers(1, 30), rng.integers(1, 30)), dtype=bool)
        if rng.random() < 0.9:
            y0, x0 = rng.integers(0, pixels.shape[0]), rng.integers(0, pixels.shape[1])
            pixels[y0 : y0 + rng.integers(1, 9), x0 : x0 + rng.integers(1, 9)] = True
        ours = rle_encode(pixels)
        encoded = outside(mask_api.encode, np.asfortranarray(pixels.astype(np.uint8)))
        theirs = outside(mask_api.toBbox, encoded)
        assert rle_bbox(ours) == [int(v) for v in theirs]


def test_export_streams_images_before_annotations(tmp_path: Path) -> None:
    chunks = list(coco_chunks(SCHEMA, rows(2), spool_dir=tmp_path))
    document = orjson.loads(b"".join(chunks))
    assert list(document) == ["info", "licenses", "categories", "images", "annotations"]
    assert len(document["annotations"]) == 2 * 5


def test_export_needs_the_image_size(tmp_path: Path) -> None:
    row = rows(1)[0]
    row.width = row.height = None
    with pytest.raises(DatasetError, match="task 100: the size of its image"):
        b"".join(coco_chunks(SCHEMA, [row], spool_dir=tmp_path))


def _placed(names: list[str]) -> dict[str, Placed]:
    return {n: Placed(f"s3://b/{n}", WIDTH, HEIGHT) for n in names}


def test_export_then_import_gives_the_same_shapes(tmp_path: Path) -> None:
    path = _write(tmp_path, coco_chunks(SCHEMA, rows(3), spool_dir=tmp_path))
    dataset = CocoDataset(path)
    names = dataset.image_names()
    assert names == [f"photos/img{i}.png" for i in range(3)]
    imported = list(dataset.rows(SCHEMA, _placed(names), "coco:instances.json"))
    for i, row in enumerate(imported):
        assert row["id"] == names[i]
        assert row["image"] == {"src": f"s3://b/{names[i]}", "width": WIDTH, "height": HEIGHT}
        (prediction,) = row["predictions"]
        assert prediction["model_version"] == "coco:instances.json"
        result = prediction["result"]
        given = answers(i)
        # every shape of a category goes to every question offering it: the polygon's and the
        # mask's bounds also come back as boxes
        boxes = [(o["x"], o["y"], o["w"], o["h"]) for o in result["boxes"]["objects"]]
        assert boxes[:2] == [(o["x"], o["y"], o["w"], o["h"]) for o in given["boxes"]["objects"]]
        assert result["boxes"]["objects"][1]["occluded"] is True
        assert result["boxes"]["objects"][1]["score"] == 0.75
        assert [o["points"] for o in result["outline"]["objects"]] == [
            given["outline"]["objects"][0]["points"]
        ]
        assert result["pose"]["objects"][0]["points"] == given["pose"]["objects"][0]["points"]
        (mask,) = result["mask"]["objects"]
        assert mask["rle"] == given["mask"]["objects"][0]["rle"]
        assert_valid(INTERFACE, row)


def test_import_of_a_coco_file(tmp_path: Path) -> None:
    """Crowd RLE with uncompressed counts, a polygon in two parts, keypoints named in another
    order, a category the project lacks."""
    crowd = mask_of((2, 2, 6, 5))
    counts = _uncompressed(crowd)
    document = {
        "images": [{"id": 7, "file_name": "a.jpg", "width": WIDTH, "height": HEIGHT}],
        "categories": [
            {"id": 1, "name": "cat"},
            {"id": 5, "name": "person", "keypoints": ["right_eye", "nose", "left_eye"]},
            {"id": 9, "name": "zebra"},
        ],
        "annotations": [
            {
                "id": 11,
                "image_id": 7,
                "category_id": 1,
                "iscrowd": 1,
                "bbox": [2, 2, 6, 5],
                "segmentation": {"size": [HEIGHT, WIDTH], "counts": counts},
                "area": 29,
            },
            {
                "id": 12,
                "image_id": 7,
                "category_id": 1,
                "iscrowd": 0,
                "bbox": [1, 1, 20, 20],
                "segmentation": [[1, 1, 10, 1, 10, 10, 1, 1], [12, 12, 20, 12, 20, 20]],
            },
            {
                "id": 13,
                "image_id": 7,
                "category_id": 5,
                "num_keypoints": 2,
                "keypoints": [30, 8, 2, 20, 10, 1, 0, 0, 0],
                "bbox": [20, 8, 10, 2],
            },
            {"id": 14, "image_id": 7, "category_id": 9, "bbox": [0, 0, 5, 5]},
        ],
    }
    path = tmp_path / "c.json"
    path.write_bytes(orjson.dumps(document))
    dataset = CocoDataset(path)
    (row,) = dataset.rows(SCHEMA, _placed(["a.jpg"]), "coco")
    result = row["predictions"][0]["result"]
    (mask,) = result["mask"]["objects"]
    assert np.array_equal(rle_decode(mask["rle"]), crowd) and mask["id"] == "11"
    parts = result["outline"]["objects"]
    assert [p["id"] for p in parts] == ["12.1", "12.2"]
    assert parts[0]["points"] == [[1, 1], [10, 1], [10, 10]]  # closed ring: last point dropped
    assert parts[0]["group"] == parts[1]["group"]
    (pose,) = result["pose"]["objects"]
    assert pose["points"] == [[20, 10, 1], [0, 0, 0], [30, 8, 2]]  # nose, left_eye, right_eye
    assert [b["id"] for b in result["boxes"]["objects"]] == ["11", "12"]
    assert dataset.skipped == {"zebra": 1}
    assert_valid(INTERFACE, row)


def _uncompressed(mask: np.ndarray) -> list[int]:
    flat = mask.ravel(order="F")
    counts, value, run = [], False, 0
    for pixel in flat:
        if pixel == value:
            run += 1
        else:
            counts.append(run)
            value, run = not value, 1
    counts.append(run)
    return counts


def test_bad_files_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(b'{"images": [{"id": 1, "file_name": "a.jpg"}], "annotations": [{"id": 3}]}')
    with pytest.raises(DatasetError, match=r"annotations\[0\] \(id 3\): missing the key"):
        list(CocoDataset(path).rows(SCHEMA, _placed(["a.jpg"]), "coco"))
    path.write_bytes(b'{"images": [}')
    with pytest.raises(DatasetError, match="not a COCO annotation file"):
        CocoDataset(path)
    path.write_bytes(b'{"images": []}')
    with pytest.raises(DatasetError, match="lists no images"):
        CocoDataset(path)


def test_schema_needs_an_image_field_and_shapes() -> None:
    with pytest.raises(DatasetError, match="no image field"):
        ImageSchema.of({"fields": [{"name": "t", "kind": "text"}], "questions": []})
    with pytest.raises(DatasetError, match="no shape question"):
        ImageSchema.of({"fields": [{"name": "i", "kind": "image"}], "questions": []})
    assert ImageSchema.of(INTERFACE).labels == ("cat", "dog", "person")


def test_rotated_boxes_and_crowds_round_trip(tmp_path: Path) -> None:
    interface = {
        "fields": [{"name": "image", "kind": "image"}],
        "questions": [
            {
                "name": "boxes",
                "kind": "boxes",
                "target": "image",
                "labels": ["ship"],
                "rotation": True,
                "attributes": [{"name": "iscrowd", "type": "choice", "options": ["no", "yes"]}],
            }
        ],
    }
    schema = ImageSchema.of(interface)
    objects = [
        {
            "id": "1",
            "label": "ship",
            "x": 10.0,
            "y": 8.0,
            "w": 20.0,
            "h": 6.0,
            "rotation": 30.0,
            "truncated": True,
        },
        {
            "id": "2",
            "label": "ship",
            "x": 1.0,
            "y": 1.0,
            "w": 2.0,
            "h": 2.0,
            "attributes": {"iscrowd": "yes"},
        },
    ]
    row = rows(1)[0]
    row.answer = {"boxes": {"objects": objects}}
    path = _write(tmp_path, coco_chunks(schema, [row], spool_dir=tmp_path))
    anns = _load(path).dataset["annotations"]
    assert anns[0]["bbox"] == [10.0, 8.0, 20.0, 6.0]
    assert anns[0]["attributes"] == {"truncated": True, "rotation": 30.0}
    assert (anns[0]["iscrowd"], anns[1]["iscrowd"]) == (0, 1)
    (back,) = CocoDataset(path).rows(schema, _placed(["photos/img0.png"]), "coco")
    got = back["predictions"][0]["result"]["boxes"]["objects"]
    assert got[0] == {
        "id": "1",
        "label": "ship",
        "x": 10.0,
        "y": 8.0,
        "w": 20.0,
        "h": 6.0,
        "truncated": True,
        "rotation": 30.0,
    }
    assert got[1]["attributes"] == {"iscrowd": "yes"}
    assert_valid(interface, back)


def test_the_writer_streams(tmp_path: Path) -> None:
    """The first megabyte comes out before the rows are all read (memory stays flat)."""
    read = 0

    def many() -> Iterator[ImageRow]:
        nonlocal read
        for i in range(40_000):
            read += 1
            yield ImageRow(i + 1, f"{i}.jpg", None, WIDTH, HEIGHT, {})

    chunks = coco_chunks(SCHEMA, many(), spool_dir=tmp_path)
    first = next(chunks)
    assert len(first) >= 1 << 20 and read < 40_000
    document = orjson.loads(first + b"".join(chunks))
    assert len(document["images"]) == 40_000
