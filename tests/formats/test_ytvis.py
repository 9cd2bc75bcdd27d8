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
         "segmentations[0]: an RLE mask; Accord reads polygon segmentations only"),
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
