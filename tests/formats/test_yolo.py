"""YOLO: Accord answers → export zip → supervision reads the same boxes, oriented boxes and
polygons (and the pose lines hold the keypoints); a YOLO dataset → import rows."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from accord.formats.shapes import DatasetError, ImageRow, ImageSchema, Placed
from accord.formats.yolo import YoloDataset, corners, yolo_chunks
from tests.formats.shapes_data import (
    HEIGHT,
    INTERFACE,
    ROTATED,
    SCHEMA,
    WIDTH,
    answers,
    assert_valid,
    outside,
    png,
    rows,
    supervision,
)


def _unzip(chunks: Any, where: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(b"".join(chunks))) as archive:
        assert archive.testzip() is None
        archive.extractall(where)
    return where


def _dataset(root: Path, split: str = "train", is_obb: bool = False) -> Any:
    sv = supervision()
    return outside(
        sv.DetectionDataset.from_yolo,
        str(root / "images" / split),  # supervision lists one folder, not its subfolders
        str(root / "labels" / split),
        str(root / "data.yaml"),
        False,
        is_obb,
    )


def test_data_yaml(tmp_path: Path) -> None:
    root = _unzip(yolo_chunks(SCHEMA, rows(2, with_images=True)), tmp_path)
    doc = yaml.safe_load((root / "data.yaml").read_text())
    assert doc == {
        "path": ".",
        "train": "images/train",
        "val": "images/train",
        "names": {0: "cat", 1: "dog", 2: "person"},
        "kpt_shape": [3, 3],
    }
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.*")) == [
        "data.yaml",
        "images/train/photos/img0.png",
        "images/train/photos/img1.png",
        "labels/train/photos/img0.txt",
        "labels/train/photos/img1.txt",
    ]


def _flat_schema() -> ImageSchema:
    """Boxes and polygons only (supervision reads one kind of line per file best)."""
    return ImageSchema.of(
        {
            "fields": [{"name": "image", "kind": "image"}],
            "questions": [
                {"name": "boxes", "kind": "boxes", "target": "image", "labels": ["cat", "dog"]},
                {"name": "outline", "kind": "polygons", "target": "image", "labels": ["dog"]},
            ],
        }
    )


def _flat_rows() -> list[ImageRow]:
    out = []
    for i in range(3):
        given = answers(i)
        answer = {"boxes": given["boxes"]}
        if i == 2:
            answer = {"outline": given["outline"]}
        out.append(
            ImageRow(100 + i, f"img{i}.png", None, WIDTH, HEIGHT, answer, content=png(seed=i))
        )
    return out


def test_boxes_and_polygons_read_back_in_supervision(tmp_path: Path) -> None:
    sv = supervision()
    root = _unzip(yolo_chunks(_flat_schema(), _flat_rows()), tmp_path)
    dataset = _dataset(root)
    assert dataset.classes == ["cat", "dog"]
    by_name = {Path(path).name: det for path, _, det in dataset}
    for i in range(2):
        det = by_name[f"img{i}.png"]
        boxes = answers(i)["boxes"]["objects"]
        expected = [[o["x"], o["y"], o["x"] + o["w"], o["y"] + o["h"]] for o in boxes]
        np.testing.assert_allclose(det.xyxy, expected, atol=1e-4)
        assert det.class_id.tolist() == [0, 1]
    det = by_name["img2.png"]
    points = np.array(answers(2)["outline"]["objects"][0]["points"])
    np.testing.assert_allclose(det.xyxy[0], [*points.min(axis=0), *points.max(axis=0)], atol=1e-4)
    expected_mask = sv.polygon_to_mask(np.round(points).astype(np.int32), (WIDTH, HEIGHT))
    assert np.array_equal(det.mask[0], expected_mask.astype(bool))
    assert det.class_id.tolist() == [1]


def test_oriented_boxes_read_back_in_supervision(tmp_path: Path) -> None:
    schema = ImageSchema.of(ROTATED)
    objects = [
        {"id": "1", "label": "ship", "x": 10.0, "y": 8.0, "w": 20.0, "h": 6.0, "rotation": 30.0},
        {"id": "2", "label": "plane", "x": 30.0, "y": 20.0, "w": 10.0, "h": 10.0},
    ]
    row = ImageRow(
        1, "sea.png", None, WIDTH, HEIGHT, {"boxes": {"objects": objects}}, content=png()
    )
    root = _unzip(yolo_chunks(schema, [row]), tmp_path)
    (_, _, det) = next(iter(_dataset(root, is_obb=True)))
    xyxyxyxy = det.data["xyxyxyxy"]
    for got, obj in zip(xyxyxyxy, objects, strict=True):
        np.testing.assert_allclose(got, corners(obj), atol=1e-4)
    assert det.class_id.tolist() == [0, 1]
    # and back: the same boxes, rotation included
    dataset = YoloDataset(root / "data.yaml")
    (imported,) = dataset.rows(
        schema, {"images/train/sea.png": Placed("s3://b/s", WIDTH, HEIGHT)}, "y"
    )
    back = imported["predictions"][0]["result"]["boxes"]["objects"]
    for got, obj in zip(back, objects, strict=True):
        for key in ("x", "y", "w", "h", "rotation"):
            assert got.get(key, 0.0) == pytest.approx(obj.get(key, 0.0), abs=1e-6)


def test_pose_lines(tmp_path: Path) -> None:
    """supervision's YOLO reader keeps the box of a pose line and drops its keypoints; the
    keypoints are checked from the file."""
    root = _unzip(yolo_chunks(SCHEMA, rows(1, with_images=True)), tmp_path)
    lines = (root / "labels/train/photos/img0.txt").read_text().splitlines()
    pose = [line.split() for line in lines if line.split()[0] == "2"]
    (values,) = pose
    assert len(values) == 1 + 4 + 3 * 3
    points = np.array([float(v) for v in values[5:]]).reshape(3, 3)
    given = np.array(answers(0)["pose"]["objects"][0]["points"], dtype=float)
    np.testing.assert_allclose(points[:, 0] * WIDTH, given[:, 0], atol=1e-6)
    np.testing.assert_allclose(points[:, 1] * HEIGHT, given[:, 1], atol=1e-6)
    assert points[:, 2].tolist() == [2, 1, 0]
    det = next(d for p, _, d in _dataset(root, "train/photos") if p.endswith("img0.png"))
    pose_box = det.xyxy[det.class_id == 2][0]
    np.testing.assert_allclose(pose_box, [10.0, 9.0, 14.5, 12.0], atol=1e-4)  # labelled points


def test_export_then_import_gives_the_same_shapes(tmp_path: Path) -> None:
    root = _unzip(yolo_chunks(SCHEMA, rows(3, with_images=True)), tmp_path)
    dataset = YoloDataset(root / "data.yaml")
    names = dataset.image_names()
    assert names == [f"images/train/photos/img{i}.png" for i in range(3)]
    placed = {n: Placed(f"s3://b/{n}", WIDTH, HEIGHT) for n in names}
    for i, row in enumerate(dataset.rows(SCHEMA, placed, "yolo")):
        given = answers(i)
        result = row["predictions"][0]["result"]
        boxes = result["boxes"]["objects"]
        for got, obj in zip(boxes[:2], given["boxes"]["objects"], strict=True):
            assert [got[k] for k in "xywh"] == pytest.approx([obj[k] for k in "xywh"], abs=1e-6)
        (polygon,) = result["outline"]["objects"]
        np.testing.assert_allclose(polygon["points"], given["outline"]["objects"][0]["points"])
        (pose,) = result["pose"]["objects"]
        np.testing.assert_allclose(pose["points"], given["pose"]["objects"][0]["points"])
        assert "mask" not in result  # YOLO has no masks
        assert_valid(INTERFACE, row)


def test_a_written_dataset(tmp_path: Path) -> None:
    (tmp_path / "images" / "val").mkdir(parents=True)
    (tmp_path / "labels" / "val").mkdir(parents=True)
    (tmp_path / "images" / "val" / "a.jpg").write_bytes(b"not read")
    (tmp_path / "labels" / "val" / "a.txt").write_text("1 0.5 0.5 0.25 0.5\n3 0.1 0.1 0.2 0.2\n")
    (tmp_path / "data.yaml").write_text("path: .\nval: images/val\nnames: [cat, dog, x, zebra]\n")
    dataset = YoloDataset(tmp_path / "data.yaml")
    placed = {"images/val/a.jpg": Placed("s3://b/a.jpg", 200, 100)}
    (row,) = dataset.rows(SCHEMA, placed, "yolo:data.yaml")
    assert row["image"] == {"src": "s3://b/a.jpg", "width": 200, "height": 100}
    (box,) = row["predictions"][0]["result"]["boxes"]["objects"]
    assert box == {"id": "1", "label": "dog", "x": 75.0, "y": 25.0, "w": 50.0, "h": 50.0}
    assert dataset.skipped == {"zebra": 1}
    (tmp_path / "labels" / "val" / "a.txt").write_text("7 0.5 0.5 0.25 0.5\n")
    with pytest.raises(DatasetError, match=r"a.txt, line 1: class 7 is not in data.yaml"):
        list(dataset.rows(SCHEMA, placed, "yolo"))
    (tmp_path / "labels" / "val" / "a.txt").write_text("1 0.5 0.5\n")
    with pytest.raises(DatasetError, match="3 values: not a box"):
        list(dataset.rows(SCHEMA, placed, "yolo"))
    (tmp_path / "data.yaml").write_text("names: [cat]\n")
    with pytest.raises(DatasetError, match="no images found"):
        YoloDataset(tmp_path / "data.yaml")


def test_splits_from_names_and_fields(tmp_path: Path) -> None:
    made = [
        ImageRow(1, "images/val/v.png", None, WIDTH, HEIGHT, {}),
        ImageRow(2, "train/t.png", None, WIDTH, HEIGHT, {}),
        ImageRow(3, "x.png", None, WIDTH, HEIGHT, {}, split="test"),
    ]
    root = _unzip(yolo_chunks(SCHEMA, made), tmp_path)
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.txt")) == [
        "labels/test/x.txt",
        "labels/train/t.txt",
        "labels/val/v.txt",
    ]
    doc = yaml.safe_load((root / "data.yaml").read_text())
    assert (doc["train"], doc["val"], doc["test"]) == ("images/train", "images/val", "images/test")


def test_the_zip_streams() -> None:
    """Bundled images leave as they are added: the first chunk comes before the last row."""
    read = 0
    image = png()

    def many() -> Any:
        nonlocal read
        for i in range(400):
            read += 1
            yield ImageRow(i + 1, f"{i}.png", None, WIDTH, HEIGHT, {}, content=image)

    chunks = yolo_chunks(SCHEMA, many())
    first = next(chunks)
    assert first and read < 400
    with zipfile.ZipFile(io.BytesIO(first + b"".join(chunks))) as archive:
        assert len(archive.namelist()) == 2 * 400 + 1


def test_names_as_a_mapping(tmp_path: Path) -> None:
    from accord.formats.yolo import _names

    assert _names({1: "dog", 0: "cat"}, tmp_path) == ["cat", "dog"]
    assert _names({"0": "cat", "1": "dog"}, tmp_path) == ["cat", "dog"]
    with pytest.raises(DatasetError, match="every class id from 0"):
        _names({0: "cat", 2: "dog"}, tmp_path)
