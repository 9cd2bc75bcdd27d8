"""COCO per frame without a server (`accord.formats.coco_video`): one image per frame, one
annotation per object and frame, read back into the same tracks as YouTube-VIS gives, and
each refusal naming the file and the element."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from accord.formats.coco_video import coco_video_chunks, read_coco_video
from accord.formats.mot import VideoRow
from accord.formats.shapes import DatasetError
from accord.formats.ytvis import ytvis_schema
from tests.formats.test_ytvis import _tracks
from tests.formats.video_tracks_data import FRAMES, HEIGHT, INTERFACE, WIDTH

SCHEMA = ytvis_schema(INTERFACE, "coco-video")


def test_export_per_frame_and_read_back(tmp_path: Path) -> None:
    given = _tracks()
    rows = [
        VideoRow(1, "clip-1", FRAMES, 25, WIDTH, HEIGHT, given),
        VideoRow(2, "clip-2", 5, 25, WIDTH, HEIGHT, {}),
    ]
    body = b"".join(coco_video_chunks(SCHEMA, rows))
    data = json.loads(body)
    assert [v["name"] for v in data["videos"]] == ["clip-1", "clip-2"]
    assert len(data["images"]) == FRAMES + 5
    first = data["images"][0]
    assert first == {
        "id": 1, "video_id": 1, "frame_id": 0, "file_name": "clip-1/000000.jpg",
        "width": WIDTH, "height": HEIGHT,
    }  # fmt: skip
    assert data["images"][FRAMES]["video_id"] == 2 and data["images"][FRAMES]["frame_id"] == 0
    annotations = data["annotations"]
    assert [a["id"] for a in annotations] == list(range(1, len(annotations) + 1))
    car = [a for a in annotations if a["track_id"] == "t1"]
    assert {a["instance_id"] for a in car} == {1} and {a["category_id"] for a in car} == {1}
    assert car[0]["bbox"] == [10, 20, 30, 40] and car[0]["area"] == 1200
    assert car[0]["image_id"] == 1 and car[0]["segmentation"] == []
    frames = [data["images"][a["image_id"] - 1]["frame_id"] for a in car]
    assert 9 not in frames and 11 not in frames  # outside from 9 to 12
    lane = next(a for a in annotations if a["category_id"] == 3)
    assert lane["segmentation"] == [[0, 0, 10, 0, 10, 10]] and lane["area"] == 50
    path = tmp_path / "coco.json"
    path.write_bytes(body)
    found = read_coco_video(path, SCHEMA)
    assert [v.name for v in found.videos] == ["clip-1", "clip-2"]
    assert found.videos[0].tracks == {q: v["tracks"] for q, v in given.items()}
    assert found.videos[1].tracks == {}


def _file(tmp_path: Path, **changes: Any) -> Path:
    data: dict[str, Any] = {
        "videos": [{"id": 5, "name": "walk", "width": 64, "height": 48}],
        "images": [
            {"id": 100 + i, "video_id": 5, "frame_id": i, "file_name": f"walk/{i:06d}.jpg"}
            for i in range(6)
        ],
        "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "tree"}],
        "annotations": [
            {"id": 1, "image_id": 100, "category_id": 1, "instance_id": 7, "bbox": [1, 1, 4, 4]},
            {"id": 2, "image_id": 101, "category_id": 1, "instance_id": 7, "bbox": [2, 1, 4, 4]},
            {"id": 3, "image_id": 102, "category_id": 1, "instance_id": 7, "bbox": [3, 1, 4, 4]},
            {"id": 4, "image_id": 104, "category_id": 1, "instance_id": 7, "bbox": [7, 1, 4, 4]},
            {"id": 5, "image_id": 102, "category_id": 2, "instance_id": 8, "bbox": [0, 0, 2, 2]},
        ],
    }
    data.update(changes)
    path = tmp_path / "walk.json"
    path.write_text(json.dumps(data))
    return path


def test_frames_become_keyframes(tmp_path: Path) -> None:
    found = read_coco_video(_file(tmp_path), SCHEMA)
    (video,) = found.videos
    assert video.length == 6  # from its images' frame ids
    (track,) = video.tracks["cars"]
    frames = [(k["frame"], k.get("outside", False)) for k in track["keyframes"]]
    # 0..2 steady (1 px a frame): two keyframes; the gap at 3 is outside; 4 held to the end
    assert frames == [(0, False), (2, False), (3, True), (4, False), (5, True)]
    assert track["label"] == "car" and track["id"] == "t1"
    assert found.skipped == {"tree (box)": 1}


def test_rle_masks_are_read_as_outlines(tmp_path: Path) -> None:
    """A COCO RLE mask (pycocotools' encode, as detectors and SAM write them) on a frame of a
    polygon track is its outline, as in YouTube-VIS (`accord.formats.ytvis_masks`)."""
    mask = pytest.importorskip("pycocotools.mask")
    import numpy as np

    square = np.zeros((48, 64), dtype=np.uint8, order="F")
    square[10:20, 4:14] = 1
    rle = mask.encode(square)
    rle["counts"] = rle["counts"].decode()
    lanes = {**INTERFACE["questions"][1], "labels": ["lane"]}
    schema = ytvis_schema({**INTERFACE, "questions": [lanes]}, "coco-video")
    path = _file(
        tmp_path,
        categories=[{"id": 1, "name": "lane"}],
        annotations=[{"id": 1, "image_id": 100, "category_id": 1, "instance_id": 3,
                      "bbox": [4, 10, 10, 10], "segmentation": rle}],
    )  # fmt: skip
    (track,) = read_coco_video(path, schema).videos[0].tracks["lanes"]
    outline = [[4.5, 10.5], [4.5, 19.5], [13.5, 19.5], [13.5, 10.5]]
    assert track["keyframes"] == [{"frame": 0, "points": outline}, {"frame": 1, "outside": True}]


BAD = [
    ({"image_id": 99}, "annotations[0] (id 1): image_id 99 is no image's id"),
    ({"instance_id": None}, "annotations[0] (id 1): no instance_id (nor track_id)"),
    ({"bbox": [1, 1, 0, 4]}, "annotations[0] (id 1): bbox: w and h must be above 0"),
    ({"video_id": 6}, "annotations[0] (id 1): video_id 6, but its image is a frame of the video 5"),
    ({"segmentation": {"counts": "x"}}, "annotations[0] (id 1): segmentation: an RLE mask's size"),
    ({"image_id": 100}, "annotations[1] (id 2): a second annotation of its track on frame 0"),
    ({"category_id": 2}, "annotations[1] (id 2): category_id 2, but the track's first annotation"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "message"), BAD)
def test_refusals_name_the_element(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    path = _file(tmp_path)
    data = json.loads(path.read_text())
    index = 1 if message.startswith("annotations[1]") else 0
    data["annotations"][index].update(change)
    path.write_text(json.dumps(data))
    with pytest.raises(DatasetError) as caught:
        read_coco_video(path, SCHEMA)
    assert str(caught.value).startswith(f"{path}: {message}"), str(caught.value)


def test_a_frame_past_the_length_is_refused(tmp_path: Path) -> None:
    videos = [{"id": 5, "name": "walk", "width": 64, "height": 48, "length": 3}]
    path = _file(tmp_path, videos=videos)
    with pytest.raises(DatasetError, match=r"images\[3\] \(id 103\): frame_id 3 is past"):
        read_coco_video(path, SCHEMA)
