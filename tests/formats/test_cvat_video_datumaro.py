"""CVAT for video 1.1 (``cvat-video``) read by an outside reader, Datumaro's CVAT importer
(``datumaro.Dataset.import_from(folder, "cvat")``), and what Datumaro's CVAT exporter writes
(``use_track=True``) read by ours (docs/video.md, "CVAT video XML").

Datumaro is not a test dependency: datumaro 1.13 pins pandas~=2.3, pillow~=12.0, pyarrow~=25.0
and opencv-python-headless<5, so installing it next to the suite downgrades what everything
else is tested with. ``make test-datumaro`` (part of ``make test``) runs this module in
``.venv-datumaro``, Datumaro installed over the main venv's packages (the Makefile, and
docs/video.md); a run of the suite elsewhere leaves it out (tests/conftest.py), and run by
name where Datumaro is not installed it skips.

What Datumaro reads is compared with what Accord meant, frame by frame: every frame a track is
present on (`accord.quality.tracks.track_states`) with its shape, coordinates, label, track
id, occluded and keyframe flags and attributes in force, and each outside keyframe as an
``outside`` annotation. Datumaro keeps coordinates as float32 rounded to two decimals
(``datumaro.components.annotation.COORDINATE_ROUNDING_DIGITS``), a rotated box by its
centre, so Accord's numbers are put in that form before comparing; nothing else differs.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from accord.formats.cvat_video import check_video, cvat_chunks, read_cvat
from accord.formats.mot import VideoRow
from accord.formats.shapes import DatasetError
from accord.formats.video_tracks import VideoSchema
from accord.kinds import QUESTION_KINDS
from accord.kinds.interface import parse_interface
from accord.quality.tracks import track_states
from tests.formats.video_tracks_data import FRAMES, HEIGHT, INTERFACE, WIDTH, answer

dm = pytest.importorskip(
    "datumaro",
    reason="Datumaro is not installed here: these tests run in `make test-datumaro`, in a venv "
    "of their own over .venv, as Datumaro pins pandas 2, Pillow 12, pyarrow 25 and OpenCV 4 "
    "(docs/video.md, CVAT video XML)",
)
from datumaro.components.annotation import COORDINATE_ROUNDING_DIGITS  # noqa: E402

SCHEMA = VideoSchema.of(INTERFACE, "cvat-video")
KIND = QUESTION_KINDS["tracks"]
SHORT = 8  # the second task's frames
BUILT_IN = ("track_id", "outside", "keyframe", "occluded")  # Datumaro's, in its attributes


def _first() -> dict[str, Any]:
    """`answer` with more that changes over time: the car's speed changes at its occlusion
    keyframe, the lane is occluded from frame 6, the head is occluded from 7 and leaves at
    15 (box, polygon and point tracks; keyframes, interpolated, outside and occluded frames;
    a rotated box; attributes fixed and mutable)."""
    given = answer()
    car = given["cars"]["tracks"][0]
    car["keyframes"][1]["attributes"] = {"speed": 3}
    lane = given["lanes"]["tracks"][0]
    lane["keyframes"][1]["occluded"] = True
    head = given["heads"]["tracks"][0]
    head["keyframes"] += [
        {"frame": 7, "x": 5.25, "y": 2, "occluded": True},
        {"frame": 15, "outside": True},
    ]
    return given


def _second() -> dict[str, Any]:
    """A shorter video: a track held to its last frame, one that comes back after leaving."""
    return {
        "cars": {
            "tracks": [
                {"id": "t4", "label": "person", "keyframes": [
                    {"frame": 1, "x": 2, "y": 3, "w": 4, "h": 5},
                    {"frame": 3, "outside": True},
                    {"frame": 5, "x": 7.5, "y": 3, "w": 4, "h": 5.25,
                     "attributes": {"moving": "no", "speed": 0.5}},
                ]},
            ]
        },
        "heads": {"tracks": [{"id": "t9", "label": "head", "keyframes": [
            {"frame": 0, "x": 1, "y": 2}, {"frame": 6, "x": 7, "y": 8}]}]},
    }  # fmt: skip


ROWS = [
    VideoRow(7, "clip-1", FRAMES, 25, WIDTH, HEIGHT, _first()),
    VideoRow(8, "clip-2", SHORT, 25, WIDTH, HEIGHT, _second()),
]


def _exported(folder: Path) -> Path:
    """The cvat-video export (the zip the API and the export job give) unpacked."""
    body = b"".join(cvat_chunks(SCHEMA, ROWS))
    zipfile.ZipFile(io.BytesIO(body)).extractall(folder)
    return folder


def _stored(values: list[float]) -> list[float]:
    """Numbers as a Datumaro shape keeps them (float32, rounded to two decimals)."""
    array = np.array(values, dtype=np.float32).round(COORDINATE_ROUNDING_DIGITS)
    return [float(v) for v in array.tolist()]


def _shape(shape: str, state: dict[str, Any]) -> tuple[str, list[float]]:
    """Datumaro's annotation type and points for a track's state at a frame."""
    if shape == "point":
        return "points", _stored([state["x"], state["y"]])
    if shape == "polygon":
        return "polygon", _stored([v for point in state["points"] for v in point])
    x, y, w, h = (state[k] for k in ("x", "y", "w", "h"))
    if state["rotation"]:  # CVAT and Accord turn a box about its centre
        return "rotated_bbox", _stored([x + w / 2, y + h / 2, w, h, state["rotation"]])
    return "bbox", _stored([x, y, x + w, y + h])


def _meant(given: dict[str, Any], frames: int) -> dict[tuple[int, int], dict[str, Any]]:
    """What Accord meant, keyed by (frame, track id): each present frame, each outside
    keyframe after one (an outside keyframe says the track is absent from that frame)."""
    out: dict[tuple[int, int], dict[str, Any]] = {}
    for question in SCHEMA.questions:
        for track in given.get(question.name, {}).get("tracks", []):
            ident, label = int(track["id"].removeprefix("t")), track["label"]
            fixed = track.get("attributes") or {}
            present = dict(track_states(track, question.shape, frames))
            for frame, state in present.items():
                kind, points = _shape(question.shape, state)
                out[frame, ident] = {
                    "label": label,
                    "outside": False,
                    "keyframe": state["keyframe"],
                    "type": kind,
                    "points": points,
                    "occluded": state["occluded"],
                    "attributes": {**fixed, **state["attributes"]},
                }
            for key in track["keyframes"]:
                frame = key["frame"]
                if key.get("outside") and frame < frames and any(f < frame for f in present):
                    out[frame, ident] = {"label": label, "outside": True, "keyframe": True}
    return out


def _read(dataset: Any, subset: str) -> dict[tuple[int, int], dict[str, Any]]:
    """What Datumaro read of one file, keyed as `_meant`."""
    labels = dataset.categories()[dm.AnnotationType.label]
    out: dict[tuple[int, int], dict[str, Any]] = {}
    for item in dataset.get_subset(subset):
        frame = item.attributes["frame"]
        assert item.id == f"frame_{frame:06d}"
        for annotation in item.annotations:
            attributes = dict(annotation.attributes)
            ident, outside, keyframe, occluded = (attributes.pop(k) for k in BUILT_IN)
            assert (frame, ident) not in out, (frame, ident)
            seen: dict[str, Any] = {
                "label": labels[annotation.label].name,
                "outside": outside,
                "keyframe": keyframe,
            }
            if not outside:
                seen["type"] = annotation.type.name
                seen["points"] = [float(v) for v in annotation.points]
                seen["occluded"] = occluded
                seen["attributes"] = attributes
            out[frame, ident] = seen
    return out


def test_datumaro_reads_the_export_as_meant(tmp_path: Path) -> None:
    folder = _exported(tmp_path / "cvat-out")
    assert sorted(p.name for p in folder.iterdir()) == ["clip-1.xml", "clip-2.xml"]
    for row in ROWS:  # answers the server takes, which our own reader gives back
        clip = {"src": "a.mp4", "frames": row.frames, "fps": 25, "width": WIDTH, "height": HEIGHT}
        for question in parse_interface(INTERFACE).questions:
            if question.name in row.answer:
                KIND.check(question, row.answer[question.name], {"clip": clip})
        found = read_cvat(folder / f"{row.name}.xml", SCHEMA).keyframe_tracks()
        assert found == {q: v["tracks"] for q, v in row.answer.items()}
    dataset = dm.Dataset.import_from(str(folder), "cvat")
    assert sorted(dataset.subsets()) == ["clip-1", "clip-2"]  # one per task, by file name
    labels = dataset.categories()[dm.AnnotationType.label]
    assert [label.name for label in labels] == ["car", "person", "lane", "head"]
    assert labels[0].attributes == {"color", "moving", "speed"}
    assert labels[2].attributes == set()
    for row in ROWS:
        meant, seen = _meant(row.answer, row.frames or 0), _read(dataset, row.name)
        assert seen.keys() == meant.keys(), row.name
        for key in sorted(meant):
            assert seen[key] == meant[key], (row.name, key)
    first = _read(dataset, "clip-1")
    # spot checks of what the comparison covers
    assert first[9, 1] == {"label": "car", "outside": True, "keyframe": True}
    assert first[12, 1]["type"] == "rotated_bbox" and first[12, 1]["points"] == [10, 10, 10, 10, 15]
    assert first[6, 1]["attributes"] == {"color": "red", "moving": "yes", "speed": 3}
    assert first[13, 1]["attributes"] == {"color": "red", "moving": "no", "speed": 3}
    assert first[1, 1]["keyframe"] is False and first[1, 1]["points"][0] == pytest.approx(13.35)
    assert first[8, 0] == {
        "label": "head", "outside": False, "keyframe": False, "type": "points",
        "points": [5.25, 2], "occluded": True, "attributes": {},
    }  # fmt: skip
    assert (16, 0) not in first and (19, 1) in first
    second = _read(dataset, "clip-2")
    assert max(frame for frame, _ in second) == SHORT - 1  # held to its own task's end


def _datumaro_written(tmp_path: Path) -> Path:
    """Datumaro's CVAT export (``use_track=True``: ``<track>`` elements) of what it read of
    our first file. Its track export needs each frame's image size, which a CVAT video
    file does not give per frame, so the items get it."""
    folder = tmp_path / "ours"
    folder.mkdir()
    (folder / "clip-1.xml").write_bytes(
        zipfile.ZipFile(io.BytesIO(b"".join(cvat_chunks(SCHEMA, ROWS[:1])))).read("clip-1.xml")
    )
    read = dm.Dataset.import_from(str(folder), "cvat")
    items = [
        item.wrap(media=dm.Image.from_file(path=f"{item.id}.jpg", size=(HEIGHT, WIDTH)))
        for item in read
    ]
    dataset = dm.Dataset.from_iterable(items, categories=read.categories())
    written = tmp_path / "datumaro-out"
    dataset.export(str(written), "cvat", use_track=True)
    return written / "clip-1.xml"


def test_ours_reads_what_datumaro_writes(tmp_path: Path) -> None:
    """Datumaro writes the tracks back (two decimals, every frame, keyframe and outside flags)
    and our reader gives the same keyframes, but without attributes: Datumaro's track export
    writes none (its ``_write_track`` passes ``write_label_info=False``, which also skips
    them). Like CVAT, it writes two decimals: a keyframe with more (5.125) would come back
    rounded, and the frames between it and the keyframe before as keyframes of their own
    where ours interpolate more than 0.005 px from the file's (as for CVAT's own files)."""
    path = _datumaro_written(tmp_path)
    text = path.read_text()
    assert "<mode>annotation</mode>" in text and "<attribute " not in text
    found = read_cvat(path, SCHEMA)
    assert (found.name, found.size, found.width, found.height) == ("clip-1", 20, 320, 240)
    assert found.skipped == {} and found.attributes_left == {}
    check_video(found, FRAMES, WIDTH, HEIGHT)

    def bare(track: dict[str, Any]) -> dict[str, Any]:
        keyframes = [
            {k: v for k, v in key.items() if k != "attributes"} for key in track["keyframes"]
        ]
        return {"id": track["id"], "label": track["label"], "keyframes": keyframes}

    given = ROWS[0].answer
    tracks = found.keyframe_tracks()
    assert tracks.keys() == given.keys()
    for question, value in given.items():
        expected = [bare(t) for t in value["tracks"]]
        assert sorted(tracks[question], key=lambda t: t["id"]) == sorted(
            expected, key=lambda t: t["id"]
        ), question


def test_datumaro_size_counts_its_items(tmp_path: Path) -> None:
    """Datumaro's ``<size>`` is the number of items it holds, not the video's frames: read
    from our file of a 10-frame video whose only track leaves at frame 6, it has items for
    frames 0-6 and writes ``<size>7</size>``, so our import refuses the file it writes, naming
    both counts (give its dataset an item for every frame of the video before exporting)."""
    head = {"id": "t0", "label": "head", "keyframes": [{"frame": 0, "x": 1, "y": 2},
                                                       {"frame": 6, "outside": True}]}  # fmt: skip
    row = VideoRow(9, "clip-3", 10, 25, WIDTH, HEIGHT, {"heads": {"tracks": [head]}})
    folder = tmp_path / "ours"
    folder.mkdir()
    body = b"".join(cvat_chunks(SCHEMA, [row]))
    (folder / "clip-3.xml").write_bytes(zipfile.ZipFile(io.BytesIO(body)).read("clip-3.xml"))
    assert "<size>10</size>" in (folder / "clip-3.xml").read_text()
    read = dm.Dataset.import_from(str(folder), "cvat")
    items = [
        item.wrap(media=dm.Image.from_file(path=f"{item.id}.jpg", size=(HEIGHT, WIDTH)))
        for item in read
    ]
    written = tmp_path / "datumaro-out"
    dm.Dataset.from_iterable(items, categories=read.categories()).export(
        str(written), "cvat", use_track=True
    )
    found = read_cvat(written / "clip-3.xml", SCHEMA)
    assert found.size == 7
    assert found.keyframe_tracks() == {"heads": [head]}
    with pytest.raises(
        DatasetError, match=r"the task has 7 frames \(<size>\) but its video has 10"
    ):
        check_video(found, 10, WIDTH, HEIGHT)


def test_datumaro_reads_some_attribute_values_as_other_types(tmp_path: Path) -> None:
    """Where Datumaro's reading differs from what Accord meant (Datumaro's, not the file's:
    CVAT reads these values back as written): an attribute whose text is ``true`` or
    ``false`` becomes a bool whatever its type, and the value of a ``select`` (choice) or
    ``number`` attribute that looks like a number becomes a float, so choice "2" comes as
    2.0. multi_choice values (``input_type`` text) stay the comma-separated text."""
    interface = {
        "fields": [{"name": "clip", "kind": "video"}],
        "questions": [{
            "name": "cars", "kind": "tracks", "target": "clip", "shape": "box",
            "labels": ["car"],
            "attributes": [
                {"name": "lanes", "type": "choice", "options": ["1", "2"]},
                {"name": "note", "type": "text"},
                {"name": "tags", "type": "multi_choice", "options": ["a", "b"]},
                {"name": "count", "type": "number", "mutable": True},
            ],
        }],
    }  # fmt: skip
    schema = VideoSchema.of(interface, "cvat-video")
    car = {
        "id": "t0",
        "label": "car",
        "attributes": {"lanes": "2", "note": "true", "tags": ["a", "b"]},
        "keyframes": [{"frame": 0, "x": 1, "y": 2, "w": 3, "h": 4, "attributes": {"count": 3}}],
    }
    row = VideoRow(1, "clip", 2, 25, WIDTH, HEIGHT, {"cars": {"tracks": [car]}})
    body = b"".join(cvat_chunks(schema, [row]))
    zipfile.ZipFile(io.BytesIO(body)).extractall(tmp_path)
    assert read_cvat(tmp_path / "clip.xml", schema).keyframe_tracks() == {"cars": [car]}
    dataset = dm.Dataset.import_from(str(tmp_path), "cvat")
    (first, _) = (item.annotations[0].attributes for item in dataset)
    assert {k: v for k, v in first.items() if k not in BUILT_IN} == {
        "lanes": 2.0,  # meant "2"
        "note": True,  # meant "true"
        "tags": "a,b",
        "count": 3.0,
    }
