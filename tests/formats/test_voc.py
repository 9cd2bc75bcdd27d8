"""Pascal VOC: Accord answers → export zip → supervision reads the same boxes and polygons;
VOC files → import rows; XML bombs refused."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from accord.formats.shapes import DatasetError, ImageRow, Placed
from accord.formats.voc import VocDataset, safe_xml, voc_chunks
from tests.formats.shapes_data import (
    HEIGHT,
    INTERFACE,
    SCHEMA,
    WIDTH,
    answers,
    assert_valid,
    outside,
    rows,
    supervision,
)


def _unzip(chunks: Any, where: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(b"".join(chunks))) as archive:
        assert archive.testzip() is None
        archive.extractall(where)
    return where


def test_layout(tmp_path: Path) -> None:
    root = _unzip(voc_chunks(SCHEMA, rows(2, with_images=True)), tmp_path)
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.*")) == [
        "Annotations/img0.xml",
        "Annotations/img1.xml",
        "ImageSets/Main/default.txt",
        "JPEGImages/img0.png",
        "JPEGImages/img1.png",
    ]
    assert (root / "ImageSets/Main/default.txt").read_text() == "img0\nimg1\n"
    xml = (root / "Annotations/img0.xml").read_text()
    assert "<filename>img0.png</filename>" in xml and "<width>64</width>" in xml
    assert "<xmin>2.5</xmin>" in xml and "<xmax>11.5</xmax>" in xml  # x 1.5, w 10: 1-based
    assert "<occluded>1</occluded>" in xml


def test_boxes_and_polygons_read_back_in_supervision(tmp_path: Path) -> None:
    sv = supervision()
    root = _unzip(voc_chunks(SCHEMA, rows(3, with_images=True)), tmp_path)
    dataset = outside(
        sv.DetectionDataset.from_pascal_voc, str(root / "JPEGImages"), str(root / "Annotations")
    )
    by_name = {Path(path).name: det for path, _, det in dataset}
    for i in range(3):
        det = by_name[f"img{i}.png"]
        given = answers(i)
        boxes = given["boxes"]["objects"]
        points = np.array(given["outline"]["objects"][0]["points"])
        expected = [[o["x"], o["y"], o["x"] + o["w"], o["y"] + o["h"]] for o in boxes]
        expected.append([*points.min(axis=0), *points.max(axis=0)])
        np.testing.assert_allclose(det.xyxy, expected, atol=1e-4)
        names = [dataset.classes[c] for c in det.class_id]
        assert names == ["cat", "dog", "dog"]
        polygon_mask = sv.polygon_to_mask(np.round(points).astype(np.int32), (WIDTH, HEIGHT))
        assert np.array_equal(det.mask[2], polygon_mask.astype(bool))
        assert not det.mask[0].any()  # boxes carry no polygon


def test_export_then_import_gives_the_same_shapes(tmp_path: Path) -> None:
    root = _unzip(voc_chunks(SCHEMA, rows(3)), tmp_path)
    dataset = VocDataset(root)
    names = dataset.image_names()
    assert names == [f"img{i}.png" for i in range(3)]
    assert dataset.image_folder() == root / "JPEGImages"
    placed = {n: Placed(f"s3://b/{n}", WIDTH, HEIGHT) for n in names}
    for i, row in enumerate(dataset.rows(SCHEMA, placed, "voc")):
        given = answers(i)
        result = row["predictions"][0]["result"]
        boxes = result["boxes"]["objects"]
        for got, obj in zip(boxes[:2], given["boxes"]["objects"], strict=True):
            assert [got[k] for k in "xywh"] == [obj[k] for k in "xywh"]
        assert boxes[1]["occluded"] is True and boxes[0]["occluded"] is False
        (polygon,) = result["outline"]["objects"]
        assert polygon["points"] == given["outline"]["objects"][0]["points"]
        assert_valid(INTERFACE, row)


def test_rotated_boxes_are_written_as_their_bounds(tmp_path: Path) -> None:
    obj = {"id": "1", "label": "cat", "x": 10, "y": 10, "w": 20, "h": 10, "rotation": 90}
    row = ImageRow(1, "r.png", None, WIDTH, HEIGHT, {"boxes": {"objects": [obj]}})
    root = _unzip(voc_chunks(SCHEMA, [row]), tmp_path)
    xml = (root / "Annotations/r.xml").read_text()
    assert "<xmin>16</xmin>" in xml and "<xmax>25</xmax>" in xml  # 15..25 wide once turned
    assert "<ymin>6</ymin>" in xml and "<ymax>25</ymax>" in xml


def test_same_names_get_the_task_id(tmp_path: Path) -> None:
    made = [
        ImageRow(1, "a/x.png", None, WIDTH, HEIGHT, {}),
        ImageRow(2, "b/x.png", None, WIDTH, HEIGHT, {}),
    ]
    root = _unzip(voc_chunks(SCHEMA, made), tmp_path)
    assert sorted(p.name for p in (root / "Annotations").iterdir()) == ["x-task2.xml", "x.xml"]


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<annotation><filename>&lol2;</filename></annotation>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><annotation>&e;</annotation>"""


@pytest.mark.parametrize("data", [BOMB, EXTERNAL])
def test_dtds_and_entities_are_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(DatasetError, match="declares a DTD or entities"):
        safe_xml(data, "a.xml")
    (tmp_path / "a.xml").write_bytes(data)
    with pytest.raises(DatasetError, match=r"a.xml: declares a DTD"):
        VocDataset(tmp_path)


def test_bad_files_are_named(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_bytes(b"<annotation><filename>a.jpg</filename>")
    with pytest.raises(DatasetError, match=r"a\.xml: not well-formed XML"):
        VocDataset(tmp_path)
    (tmp_path / "a.xml").write_bytes(
        b"<annotation><filename>a.jpg</filename><object><name>cat</name>"
        b"<bndbox><xmin>x</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox>"
        b"</object></annotation>"
    )
    placed = {"a.jpg": Placed("s3://b/a.jpg", 10, 10)}
    with pytest.raises(DatasetError, match=r"a.xml: object 1: <xmin> holds 'x', not a number"):
        list(VocDataset(tmp_path).rows(SCHEMA, placed, "voc"))
    with pytest.raises(DatasetError, match="expected a folder of VOC XML files"):
        VocDataset(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match=r"empty: no \.xml files"):
        VocDataset(tmp_path / "empty")
