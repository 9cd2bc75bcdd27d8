"""CVAT for video 1.1 XML without a server (`accord.formats.cvat_video`, `.video_tracks`):
our export read back gives the tracks exactly, a file as CVAT writes it (every frame, two
decimals) becomes its keyframes, and every refusal names the file, line, element and track."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from accord.formats.cvat_video import check_video, cvat_chunks, cvat_xml, read_cvat
from accord.formats.mot import VideoRow
from accord.formats.shapes import DatasetError
from accord.formats.video_tracks import VideoSchema, span, track_ids
from accord.quality.tracks import track_states
from tests.formats.video_tracks_data import FRAMES, HEIGHT, INTERFACE, WIDTH, answer, cvat_file

SCHEMA = VideoSchema.of(INTERFACE, "cvat-video")


def _written(tmp_path: Path, text: str, name: str = "clip.xml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_export_reads_back_exactly(tmp_path: Path) -> None:
    given = answer()
    row = VideoRow(7, "clip-1", FRAMES, 25, WIDTH, HEIGHT, given)
    text = cvat_xml(SCHEMA, row)
    assert "<version>1.1</version>" in text and "<size>20</size>" in text
    assert '<track id="1" label="car" source="manual">' in text
    # every frame of a track: frames 0-8 of t1, its outside keyframe at 9, 12-19 rotated
    assert text.count('<box frame="') == 9 + 1 + 8 + 2 + 1
    assert '<box frame="9" keyframe="1" outside="1"' in text
    assert 'rotation="15"' in text
    assert '<attribute name="speed">1.5</attribute>' in text
    found = read_cvat(_written(tmp_path, text), SCHEMA)
    assert (found.name, found.size, found.width, found.height) == ("clip-1", 20, 320, 240)
    tracks = found.keyframe_tracks()
    for question in ("cars", "lanes", "heads"):
        assert tracks[question] == given[question]["tracks"], question
    zipped = zipfile.ZipFile(io.BytesIO(b"".join(cvat_chunks(SCHEMA, [row]))))
    assert zipped.namelist() == ["clip-1.xml"]
    assert zipped.read("clip-1.xml").decode() == text


def test_cvat_made_file_becomes_keyframes(tmp_path: Path) -> None:
    found = read_cvat(_written(tmp_path, cvat_file()), SCHEMA)
    assert found.skipped == {"road (box)": 1, "car (polyline)": 1}
    assert found.attributes_left == {"notes": 4}
    tracks = found.keyframe_tracks()
    (car,) = tracks["cars"]
    # frames 1 and 2 are CVAT's interpolation at two decimals: given back, dropped
    assert car == {
        "id": "t0",
        "label": "car",
        "attributes": {"color": "blue"},
        "keyframes": [
            {"frame": 0, "x": 10, "y": 20, "w": 30, "h": 40, "attributes": {"moving": "yes"}},
            {"frame": 3, "x": 11, "y": 20, "w": 30, "h": 40},
            {"frame": 4, "outside": True},
        ],
    }
    (head,) = tracks["heads"]
    # frame 2 was moved by hand (kept, and frame 1 with it), frame 3 changes the occlusion
    assert head["keyframes"] == [
        {"frame": 0, "x": 1, "y": 1},
        {"frame": 1, "x": 2, "y": 1},
        {"frame": 2, "x": 9, "y": 1},
        {"frame": 3, "x": 4, "y": 1, "occluded": True},
        {"frame": 4, "x": 5, "y": 1, "occluded": True},
    ]
    states = dict(track_states(car, "box", FRAMES))
    assert states[1]["x"] == pytest.approx(10.33, abs=0.005)


def test_widths_and_ids() -> None:
    assert span(0.1, 0.1 + 0.2) == 0.2
    assert span(10, 40.5) == 30.5
    assert track_ids(["t4", "walker", "t0", "t4"]) == [1, 2, 0, 3]
    assert track_ids(["t4", "walker", "t0"]) == [4, 1, 0]


TRACK = '<track id="3" label="car">{}</track>'
BOX = 'xtl="1" ytl="1" xbr="5" ybr="5"'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (TRACK.format(f'<box frame="x" keyframe="1" {BOX}/>'),
         "line 2: <box frame=\"x\"> of <track id=\"3\">: frame 'x' is not a whole number"),
        (TRACK.format('<box frame="0" xtl="5" ytl="1" xbr="2" ybr="5"/>'),
         "<box frame=\"0\"> of <track id=\"3\">: xbr and ybr must be right of"),
        (TRACK.format(f'<box frame="0" {BOX}/><polygon frame="1" points="1,1;2,2;3,1"/>'),
         "<polygon> after <box>: a track keeps one shape"),
        (TRACK.format(f'<box frame="2" {BOX}/><box frame="1" {BOX}/>'),
         "frame 1 comes after frame 2"),
        (TRACK.format(f'<box frame="0" outside="2" {BOX}/>'), "outside='2': expected 0 or 1"),
        (TRACK.format(f'<box frame="0" {BOX} rotation="abc"/>'),
         "rotation='abc' is not a finite number"),
        (TRACK.format(f'<box frame="0" {BOX}><attribute name="color">green</attribute></box>'),
         "attribute 'color' is 'green', not one of red, blue"),
        (TRACK.format(f'<box frame="0" {BOX}><attribute name="speed">fast</attribute></box>'),
         "attribute 'speed' is 'fast', not a number"),
        ('<track id="4" label="head"><points frame="0" points="1,1;2,2"/></track>',
         "2 points: a point track follows one point"),
        ('<track id="4" label="lane"><polygon frame="0" points="1,1;2"/></track>',
         "points: '2' is not x,y"),
        ('<track label="car"></track>', "<track> needs a whole-number id"),
        ('<image id="0" name="a.jpg"></image>', "this is CVAT for images"),
    ],
)  # fmt: skip
def test_bad_elements_name_file_line_and_track(tmp_path: Path, body: str, message: str) -> None:
    path = _written(tmp_path, f"<annotations>\n{body}\n</annotations>\n")
    with pytest.raises(DatasetError) as caught:
        read_cvat(path, SCHEMA)
    assert str(caught.value).startswith(f"{path}, line ")
    assert message in str(caught.value)


def test_bad_files(tmp_path: Path) -> None:
    rotated = VideoSchema.of(
        {**INTERFACE, "questions": [{**INTERFACE["questions"][0], "rotation": False}]}, "x"
    )
    rotated_box = TRACK.format(f'<box frame="0" {BOX} rotation="9"/>')
    path = _written(tmp_path, f"<annotations>{rotated_box}</annotations>")
    with pytest.raises(DatasetError, match="takes no rotated boxes; set rotation: true"):
        read_cvat(path, rotated)
    for text, message in [
        ("<annotations><track", "not well-formed XML"),
        ('<!DOCTYPE a [<!ENTITY x "y">]><annotations/>', "declares a DTD or entities"),
        ("<root/>", "the root element is <root>, not <annotations>"),
        (cvat_file().replace("<start_frame>0<", "<start_frame>5<"), "made from part of its video"),
    ]:
        with pytest.raises(DatasetError, match=message):
            read_cvat(_written(tmp_path, text), SCHEMA)
    found = read_cvat(_written(tmp_path, cvat_file()), SCHEMA)
    check_video(found, FRAMES, WIDTH, HEIGHT)
    with pytest.raises(DatasetError, match=r"the task has 20 frames .* but its video has 19"):
        check_video(found, 19, WIDTH, HEIGHT)
    with pytest.raises(DatasetError, match="<original_size> is 320 × 240 but the video is 64"):
        check_video(found, FRAMES, 64, HEIGHT)
    found.size = None
    with pytest.raises(DatasetError, match=r'<track id="0"> \(line 5\) has frame 4, past'):
        check_video(found, 4, WIDTH, HEIGHT)
    with pytest.raises(DatasetError, match="no tracks question with shape box, polygon or point"):
        VideoSchema.of({"fields": [{"name": "clip", "kind": "video"}], "questions": []}, "x")
