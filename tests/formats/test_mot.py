"""MOTChallenge reading and writing without a server (`accord.formats.mot`, `.mot_keyframes`,
`.mot_sequences`): rows to keyframes and back through the interpolation, each refusal with
its file and line, and the export's text."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from accord.formats.mot import (
    GroundTruth,
    TrackSchema,
    VideoRow,
    folder_name,
    gt_lines,
    mot_chunks,
    mot_ids,
    read_gt,
    read_seqinfo,
)
from accord.formats.mot_keyframes import tracks_of
from accord.formats.mot_sequences import open_sequence, sequence_folders
from accord.formats.shapes import DatasetError
from accord.quality.tracks import track_states
from tests.formats.mot_data import FRAMES, HEIGHT, INTERFACE, WIDTH, gt_rows, make_sequence, text_of

LABELS = ("pedestrian", "car")
SCHEMA = TrackSchema("clip", "objects", LABELS, False)


def _gt(tmp_path: Path, text: str, length: int | None = FRAMES) -> GroundTruth:
    path = tmp_path / "gt.txt"
    path.write_text(text)
    return read_gt(path, LABELS, length, (WIDTH, HEIGHT))


def _rows_back(tracks: list[dict[str, Any]], frames: int | None) -> set[tuple[Any, ...]]:
    """The (frame 1-based, id, x, y, w, h, occluded) every track's states give."""
    out = set()
    for track in tracks:
        ident = int(track["id"][1:])
        for frame, state in track_states(track, "box", frames):
            box = (state["x"], state["y"], state["w"], state["h"])
            out.add((frame + 1, ident, *box, state["occluded"]))
    return out


def test_rows_become_few_keyframes_and_come_back_exactly(tmp_path: Path) -> None:
    gt = _gt(tmp_path, text_of(gt_rows()) + "3,9,1,1,5,5,0,1,1\n")
    assert (gt.rows, gt.ignored, gt.clipped, gt.outside) == (53, 1, 0, 0)
    tracks = tracks_of(gt, FRAMES, visibility=False)
    assert [t["id"] for t in tracks] == ["t1", "t7"]
    assert [t["label"] for t in tracks] == ["pedestrian", "car"]
    first = tracks[0]["keyframes"]
    # steady on frames 0-9: two keyframes, then outside from frame 10 (the gap)
    assert first[:3] == [
        {"frame": 0, "x": 3, "y": 5, "w": 10, "h": 12},
        {"frame": 9, "x": 12, "y": 5, "w": 10, "h": 12},
        {"frame": 10, "outside": True},
    ]
    assert {"frame": 19, "x": 32, "y": 6.5, "w": 10, "h": 12, "occluded": True} in first
    assert first[-1]["frame"] == FRAMES - 1 and not first[-1].get("outside")
    assert len(first) < 20
    expected = {
        (f, i, float(x), float(y), float(w), float(h), v < 0.5)
        for f, i, x, y, w, h, _, _, v in gt_rows()
    }
    assert _rows_back(tracks, FRAMES) == expected


def test_random_tracks_round_trip(tmp_path: Path) -> None:
    """Tracks with gaps, steady runs, pauses and noise: every row comes back exactly."""
    rng = np.random.default_rng(7)
    rows = []
    for ident in range(1, 9):
        frame = int(rng.integers(1, 20))
        x, y = float(rng.integers(0, 20)), float(rng.integers(0, 20))
        while frame <= 120:
            run = int(rng.integers(1, 25))
            dx = [0.0, 1.0, 0.5, 0.1, -0.25][int(rng.integers(0, 5))]
            noisy = bool(rng.integers(0, 2))
            for _ in range(run):
                if frame > 120:
                    break
                x = min(max(x + dx + (float(rng.integers(-1, 2)) if noisy else 0.0), 0.0), 40.0)
                rows.append((frame, ident, x, y, 8.0, 6.0, 1, 1 + ident % 2, 1))
                frame += 1
            frame += int(rng.integers(0, 4))  # 0: no gap
    gt = _gt(tmp_path, text_of(rows), 120)
    tracks = tracks_of(gt, 120, visibility=False)
    expected = {(f, i, x, y, w, h, False) for f, i, x, y, w, h, *_ in rows}
    assert _rows_back(tracks, 120) == expected
    assert sum(len(t["keyframes"]) for t in tracks) < len(rows)


def test_visibility_attribute_keeps_the_value(tmp_path: Path) -> None:
    text = "1,1,1,1,5,5,1,1,1\n2,1,2,1,5,5,1,1,0.25\n3,1,3,1,5,5,1,1,0.25\n4,1,4,1,5,5,1,1,1\n"
    tracks = tracks_of(_gt(tmp_path, text), FRAMES, visibility=True)
    keys = tracks[0]["keyframes"]
    assert [k["frame"] for k in keys] == [0, 1, 3, 4]  # 2: between 1 and 3, held 0.25
    assert keys[-1] == {"frame": 4, "outside": True}
    assert keys[1] == {
        "frame": 1,
        "x": 2,
        "y": 1,
        "w": 5,
        "h": 5,
        "occluded": True,
        "attributes": {"visibility": 0.25},
    }
    schema = TrackSchema("clip", "objects", LABELS, True)
    row = VideoRow(1, "S", FRAMES, 25, WIDTH, HEIGHT, {"objects": {"tracks": tracks}})
    assert "".join(gt_lines(schema, row)) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,1,1,1,5,5,1,1\n", "line 1: 8 values; a MOT16/17 ground-truth row has 9"),
        ("1,1,1,1,5,5,1,1,1\n31,1,1,1,5,5,1,1,1\n", "line 2: frame 31 is past the sequence's 30"),
        ("\n1,1,1,1,5,5,1,3,1\n", "line 2: class 3 has no label"),
        ("1,1,1,one,5,5,1,1,1\n", "line 1: bb_top: 'one' is not a number"),
        ("1,1,1,1,5,nan,1,1,1\n", "line 1: bb_height: 'nan' is not a finite number"),
        ("0,1,1,1,5,5,1,1,1\n", "line 1: frame 0: frames are counted from 1"),
        ("1,1,1,1,0,5,1,1,1\n", "line 1: bb_width and bb_height must be above 0"),
        ("1,1,1,1,5,5,1,1,1\n1,1,2,1,5,5,1,1,1\n", "line 2: track 1 has a second row for frame 1"),
        ("1,1,1,1,5,5,1,1,1\n2,1,1,1,5,5,1,2,1\n", "line 2: track 1 is class 2 here but class 1"),
        ("1.5,1,1,1,5,5,1,1,1\n", "line 1: frame: 1.5 is not a whole number"),
    ],
)
def test_bad_rows_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DatasetError) as caught:
        _gt(tmp_path, text)
    assert str(caught.value).startswith(f"{tmp_path / 'gt.txt'}, {message}")


def test_boxes_out_of_the_picture_are_clipped_or_left_out(tmp_path: Path) -> None:
    gt = _gt(tmp_path, "1,1,-4,2,10,5,1,1,1\n1,2,60,40,10,10,1,1,1\n1,3,70,2,5,5,1,1,1\n")
    assert (gt.clipped, gt.outside) == (2, 1)
    (first,) = gt.tracks[1]
    assert (first.x, first.y, first.w, first.h) == (0, 2, 6, 5)
    (second,) = gt.tracks[2]
    assert (second.x, second.y, second.w, second.h) == (60, 40, 4, 8)
    assert 3 not in gt.tracks


def test_schema_and_seqinfo(tmp_path: Path) -> None:
    assert TrackSchema.of(INTERFACE) == SCHEMA
    with pytest.raises(DatasetError, match="no tracks question with shape: box"):
        TrackSchema.of({"fields": [{"name": "clip", "kind": "video"}], "questions": []})
    ini = tmp_path / "seqinfo.ini"
    ini.write_text("[Sequence]\nname=A\nframeRate=30\nseqLength=ten\n")
    with pytest.raises(DatasetError, match=r"seqinfo.ini: seqLength: 'ten' is not a number"):
        read_seqinfo(ini)
    ini.write_text("[Sequence]\nname=A\nframeRate=30\nseqLength=10\nimExt=png\n")
    info = read_seqinfo(ini)
    assert (info.name, info.frame_rate, info.length, info.im_ext) == ("A", 30, 10, ".png")


def test_sequence_folders_and_their_checks(tmp_path: Path) -> None:
    make_sequence(tmp_path, "A")
    make_sequence(tmp_path, "B")
    (tmp_path / "notes").mkdir()
    assert [p.name for p in sequence_folders(tmp_path)] == ["A", "B"]
    assert sequence_folders(tmp_path / "A") == [tmp_path / "A"]
    sequence = open_sequence(tmp_path / "A")
    assert (sequence.length, sequence.fps, sequence.width, sequence.height) == (30, 25, 64, 48)
    (tmp_path / "B" / "img1" / "000007.jpg").unlink()
    with pytest.raises(DatasetError, match=r"frame 7 \(000007.jpg\) is missing"):
        open_sequence(tmp_path / "B")
    (tmp_path / "A" / "seqinfo.ini").write_text(
        (tmp_path / "A" / "seqinfo.ini").read_text().replace("seqLength=30", "seqLength=31")
    )
    with pytest.raises(DatasetError, match="seqLength=31 but img1/ holds 30 frames"):
        open_sequence(tmp_path / "A")


def test_export_text_ids_and_folders() -> None:
    tracks = [
        {"id": "t4", "label": "car", "keyframes": [{"frame": 0, "x": 1, "y": 2, "w": 3, "h": 4}]},
        {
            "id": "walker",
            "label": "pedestrian",
            "keyframes": [
                {"frame": 1, "x": 0.5, "y": 2, "w": 3, "h": 4, "occluded": True},
                {"frame": 3, "outside": True},
            ],
        },
        {"id": "t9", "label": "bike", "keyframes": [{"frame": 0, "x": 1, "y": 1, "w": 1, "h": 1}]},
    ]
    assert mot_ids(tracks) == [4, 1, 9]
    row = VideoRow(1, "S", 3, 25, WIDTH, HEIGHT, {"objects": {"tracks": tracks}})
    assert "".join(gt_lines(SCHEMA, row)) == (
        "2,1,0.5,2,3,4,1,1,0\n3,1,0.5,2,3,4,1,1,0\n1,4,1,2,3,4,1,2,1\n2,4,1,2,3,4,1,2,1\n"
        "3,4,1,2,3,4,1,2,1\n"
    )
    rotated = [{"id": "t1", "label": "car", "keyframes": [{**_box(), "rotation": 90}]}]
    turned = VideoRow(1, "S", 1, 25, WIDTH, HEIGHT, {"objects": {"tracks": rotated}})
    assert "".join(gt_lines(SCHEMA, turned)) == "1,1,12,8,4,8,1,2,1\n"
    seen: set[str] = set()
    names = [folder_name(e, i, seen) for i, e in [(1, "MOT17-02"), (2, "a/b c"), (3, None)]]
    assert [*names, folder_name("mot17-02", 4, seen)] == [
        "MOT17-02",
        "a_b_c",
        "task-3",
        "mot17-02-task4",
    ]
    zipped = zipfile.ZipFile(io.BytesIO(b"".join(mot_chunks(SCHEMA, [row]))))
    assert zipped.namelist() == ["S/seqinfo.ini", "S/gt/gt.txt"]
    assert "seqLength=3\n" in zipped.read("S/seqinfo.ini").decode()


def _box() -> dict[str, Any]:
    return {"frame": 0, "x": 10, "y": 10, "w": 8, "h": 4}
