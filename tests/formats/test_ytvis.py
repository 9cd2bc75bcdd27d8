"""YouTube-VIS JSON without a server (`accord.formats.ytvis`): the export's lists per frame,
read back into the same tracks, gaps as outside keyframes, and each refusal naming the file
and the element."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from accord.formats.mot import VideoRow
from accord.formats.shapes import DatasetError
from accord.formats.ytvis import read_ytvis, ytvis_chunks, ytvis_schema
from tests.formats.video_tracks_data import FRAMES, HEIGHT, INTERFACE, WIDTH, answer

SCHEMA = ytvis_schema(INTERFACE)


def _tracks() -> dict[str, Any]:
    """The answer's box and polygon tracks without attributes and rotation (YouTube-VIS
    has neither)."""
    given = answer()
    for track in given["cars"]["tracks"]:
        track.pop("attributes", None)
        for key in track["keyframes"]:
            for name in ("attributes", "rotation", "occluded"):
                key.pop(name, None)
    return {"cars": given["cars"], "lanes": given["lanes"]}


def test_export_lists_and_read_back(tmp_path: Path) -> None:
    given = _tracks()
    rows = [
        VideoRow(1, "clip-1", FRAMES, 25, WIDTH, HEIGHT, given),
        VideoRow(2, "clip-2", 5, 25, WIDTH, HEIGHT, {}),
    ]
    body = b"".join(ytvis_chunks(SCHEMA, rows))
    data = json.loads(body)
    assert data["categories"] == [
        {"id": 1, "name": "car"},
        {"id": 2, "name": "person"},
        {"id": 3, "name": "lane"},
    ]
    assert [v["name"] for v in data["videos"]] == ["clip-1", "clip-2"]
    first = data["videos"][0]
    assert (first["length"], first["width"], first["height"]) == (20, 320, 240)
    assert first["file_names"][:2] == ["clip-1/00000.jpg", "clip-1/00001.jpg"]
    car, person, lane = data["annotations"]
    assert [a["id"] for a in data["annotations"]] == [1, 2, 3]
    assert (car["track_id"], car["category_id"], car["video_id"]) == ("t1", 1, 1)
    assert len(car["bboxes"]) == 20 and car["segmentations"] == [None] * 20
    assert car["bboxes"][0] == [10, 20, 30, 40] and car["areas"][0] == 1200
    assert car["bboxes"][9:12] == [None, None, None]  # outside from 9 to 12
    assert person["bboxes"][3] == [0.1, 0.2, 0.3, 0.7] and person["bboxes"][5] is None
    assert lane["segmentations"][0] == [[0, 0, 10, 0, 10, 10]]
    assert lane["bboxes"][0] == [0, 0, 10, 10] and lane["areas"][0] == 50
    path = tmp_path / "ytvis.json"
    path.write_bytes(body)
    found = read_ytvis(path, SCHEMA)
    assert [v.name for v in found.videos] == ["clip-1", "clip-2"]
    assert found.videos[0].tracks == {q: v["tracks"] for q, v in given.items()}
    assert found.videos[1].tracks == {}


def _file(tmp_path: Path, **changes: Any) -> Path:
    data: dict[str, Any] = {
        "videos": [
            {"id": 5, "width": 64, "height": 48, "length": 6,
             "file_names": [f"walk/{i:05d}.jpg" for i in range(6)]}
        ],
        "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "tree"}],
        "annotations": [
            {"id": 9, "video_id": 5, "category_id": 1, "iscrowd": 0,
             "bboxes": [[1, 1, 4, 4], [2, 1, 4, 4], [3, 1, 4, 4], None, [7.5, 1, 4, 4], None],
             "segmentations": None},
            {"id": 10, "video_id": 5, "category_id": 2, "bboxes": [None] * 6,
             "segmentations": [None] * 6},
        ],
    }  # fmt: skip
    data.update(changes)
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data))
    return path


def test_gaps_become_outside_keyframes(tmp_path: Path) -> None:
    found = read_ytvis(_file(tmp_path), SCHEMA)
    (video,) = found.videos
    assert (video.name, video.length) == ("walk", 6)
    assert video.tracks == {
        "cars": [
            {
                "id": "t9",
                "label": "car",
                "keyframes": [
                    {"frame": 0, "x": 1, "y": 1, "w": 4, "h": 4},
                    {"frame": 2, "x": 3, "y": 1, "w": 4, "h": 4},
                    {"frame": 3, "outside": True},
                    {"frame": 4, "x": 7.5, "y": 1, "w": 4, "h": 4},
                    {"frame": 5, "outside": True},
                ],
            }
        ]
    }
    assert found.skipped == {"tree (box)": 1}  # no question offers trees


def _annotation(**changes: Any) -> list[dict[str, Any]]:
    base = {"id": 9, "video_id": 5, "category_id": 1, "bboxes": [None] * 6}
    return [{**base, **changes}]


RLE = {"counts": "x", "size": [48, 64]}
TWO = [[0, 0, 1, 0, 1, 1], [5, 5, 6, 5, 6, 6]]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"annotations": _annotation(bboxes=[None] * 5)},
         "annotations[0] (id 9): bboxes has 5 entries, but the video has 6 frames"),
        ({"annotations": _annotation(bboxes=[[1, 1, 0, 4]] + [None] * 5)},
         "annotations[0] (id 9): bboxes[0]: w and h must be above 0"),
        ({"annotations": _annotation(bboxes=[[1, 1, 4]] + [None] * 5)},
         "bboxes[0]: expected [x, y, w, h]"),
        ({"annotations": _annotation(video_id=3)}, "video_id 3 is no video's id"),
        ({"annotations": _annotation(category_id=7)}, "category_id 7 is no category"),
        ({"annotations": _annotation(segmentations=[RLE] + [None] * 5)},
         "segmentations[0]: not a COCO compressed RLE (counts uses the characters '0' to 'o')"),
        ({"annotations": _annotation(segmentations=[{"counts": [3072], "size": [48, 32]}]
                                     + [None] * 5)},
         "segmentations[0]: the RLE mask is 32 × 48 (size [48, 32]), but the video is 64 × 48"),
        ({"annotations": _annotation(segmentations=[{"counts": [5, 2], "size": [48, 64]}]
                                     + [None] * 5)},
         "segmentations[0]: RLE counts sum to 7, expected h*w = 3072"),
        ({"annotations": _annotation(bboxes=[[1, 1, 4, 4]] * 6,
                                     accord={"keyframes": [{"frame": 2}, {"frame": 1}]})},
         "annotations[0] (id 9): accord.keyframes[1]: expected {frame, ...} with a whole frame"),
        ({"annotations": _annotation(segmentations=[TWO] + [None] * 5)},
         "segmentations[0]: 2 polygons; an Accord polygon track has one outline per frame"),
        ({"videos": [{"id": 5, "width": 64, "height": 48}]}, "videos[0] (id 5): length None"),
        ({"videos": "x"}, "videos must be a list"),
    ],
)  # fmt: skip
def test_bad_input_names_file_and_element(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    schema = SCHEMA
    if "segmentations" in str(changes):  # a polygon question offering car
        questions = [*INTERFACE["questions"], {**INTERFACE["questions"][1], "name": "outlines",
                                               "labels": ["car"]}]  # fmt: skip
        schema = ytvis_schema({**INTERFACE, "questions": questions})
    path = _file(tmp_path, **changes)
    with pytest.raises(DatasetError) as caught:
        read_ytvis(path, schema)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_not_json_and_no_question(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{")
    with pytest.raises(DatasetError, match="not JSON"):
        read_ytvis(path, SCHEMA)
    points = {**INTERFACE, "questions": [INTERFACE["questions"][2]]}
    with pytest.raises(DatasetError, match="YouTube-VIS holds boxes and polygons"):
        ytvis_schema(points)


def _exported(tmp_path: Path, given: dict[str, Any]) -> tuple[Path, dict[str, Any]]:
    rows = [VideoRow(1, "clip-1", FRAMES, 25, WIDTH, HEIGHT, given)]
    body = b"".join(ytvis_chunks(SCHEMA, rows))
    path = tmp_path / "ytvis.json"
    path.write_bytes(body)
    return path, json.loads(body)


def test_attributes_occlusion_and_rotation_round_trip_exactly(tmp_path: Path) -> None:
    full = answer()
    given = {"cars": full["cars"], "lanes": full["lanes"]}
    path, data = _exported(tmp_path, given)
    car = data["annotations"][0]
    assert car["accord"] == {
        "attributes": {"color": "red"},
        "keyframes": [
            {"frame": 0, "attributes": {"moving": "yes", "speed": 1.5}},
            {"frame": 6, "occluded": True},
            {"frame": 9, "outside": True},
            {"frame": 12, "x": 5, "y": 5, "w": 10, "h": 10, "rotation": 15,
             "attributes": {"moving": "no"}},
        ],
    }  # fmt: skip
    assert car["bboxes"][0] == [10, 20, 30, 40]  # the lists are YouTube-VIS's as before
    (video,) = read_ytvis(path, SCHEMA).videos
    assert video.tracks == {q: v["tracks"] for q, v in given.items()}


def test_lists_edited_after_export_win_over_the_extension(tmp_path: Path) -> None:
    given = {"cars": answer()["cars"]}
    path, data = _exported(tmp_path, given)
    car = data["annotations"][0]
    car["bboxes"][3] = [50, 50, 5, 5]  # another tool moved the car at frame 3
    path.write_text(json.dumps(data))
    (video,) = read_ytvis(path, SCHEMA).videos
    t1 = video.tracks["cars"][0]
    assert t1["attributes"] == {"color": "red"}  # the fixed attributes are kept
    assert {"frame": 3, "x": 50, "y": 50, "w": 5, "h": 5} in t1["keyframes"]


def test_the_export_still_loads_as_youtube_vis(tmp_path: Path) -> None:
    """The reference API (youtubevos' ytvos.py, as pycocotools' COCO for images) indexes
    videos, annotations and categories by id and turns each frame's segmentation into an RLE
    with pycocotools; the ``accord`` key is beside, not in, what it reads."""
    mask = pytest.importorskip("pycocotools.mask")
    full = answer()
    _, data = _exported(tmp_path, {"cars": full["cars"], "lanes": full["lanes"]})
    videos = {v["id"]: v for v in data["videos"]}
    categories = {c["id"]: c for c in data["categories"]}
    for ann in data["annotations"]:
        video = videos[ann["video_id"]]
        assert ann["category_id"] in categories
        assert len(ann["bboxes"]) == len(ann["segmentations"]) == video["length"]
        for frame, segm in enumerate(ann["segmentations"]):
            if segm is None:
                continue
            rle = mask.merge(mask.frPyObjects(segm, video["height"], video["width"]))
            assert mask.area(rle) > 0, frame


def test_rle_masks_become_outlines(tmp_path: Path) -> None:
    """Compressed (pycocotools' encode) and uncompressed (a list, as pycocotools reads
    it) RLE masks are read as the outline of their largest part; another part is counted
    as left out."""
    mask = pytest.importorskip("pycocotools.mask")
    import numpy as np

    square = np.zeros((48, 64), dtype=np.uint8, order="F")
    square[10:20, 4:14] = 1  # 10 × 10 pixels, x 4..13, y 10..19
    compressed = mask.encode(square)
    compressed["counts"] = compressed["counts"].decode()
    two = square.copy(order="F")
    two[40:42, 60:62] = 1  # a small second part
    uncompressed = {"counts": _runs(two), "size": [48, 64]}  # as iscrowd annotations give
    assert mask.frPyObjects(uncompressed, 48, 64)["counts"] == mask.encode(two)["counts"]
    lanes = {**INTERFACE["questions"][1], "labels": ["lane"]}
    schema = ytvis_schema({**INTERFACE, "questions": [lanes]})
    path = _file(
        tmp_path,
        categories=[{"id": 1, "name": "lane"}],
        annotations=[{"id": 4, "video_id": 5, "category_id": 1, "bboxes": [None] * 6,
                      "segmentations": [compressed, uncompressed, None, None, None, None]}],
    )  # fmt: skip
    found = read_ytvis(path, schema)
    (track,) = found.videos[0].tracks["lanes"]
    outline = [[4.5, 10.5], [4.5, 19.5], [13.5, 19.5], [13.5, 10.5]]
    assert track["keyframes"] == [  # frame 1's outline is frame 0's: held, no keyframe
        {"frame": 0, "points": outline},
        {"frame": 2, "outside": True},
    ]
    assert found.skipped == {"lane (parts of masks)": 1}


def _runs(mask: Any) -> list[int]:
    """Column-major run lengths, background first (COCO's uncompressed RLE)."""
    flat = mask.ravel(order="F").tolist()
    runs, value, count = [], 0, 0
    for pixel in flat:
        if pixel != value:
            runs.append(count)
            value, count = pixel, 0
        count += 1
    runs.append(count)
    return runs
