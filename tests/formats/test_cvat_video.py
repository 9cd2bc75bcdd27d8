"""CVAT for video 1.1 XML without a server (`accord.formats.cvat_video`, `.video_tracks`):
our export read back gives the tracks exactly, a file as CVAT writes it (every frame, two
decimals) becomes its keyframes, and every refusal names the file, line, element and track."""

from __future__ import annotations

import io
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from accord.formats.cvat_video import (
    CvatFile,
    check_video,
    cvat_chunks,
    cvat_xml,
    read_cvat,
    read_cvat_tasks,
)
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


# -- what CVAT 2.x itself writes (tests/fixtures/cvat/, see the comment atop each file) --------

FIXTURES = Path(__file__).parent.parent / "fixtures" / "cvat"


def _file_rows(path: Path, ident: str) -> list[ET.Element]:
    """The shape elements of ``<track id=ident>`` as the file has them (read with the
    standard library, not with the reader under test)."""
    (track,) = [t for t in ET.parse(path).getroot().iter("track") if t.get("id") == ident]
    return list(track)


def _given_back(path: Path, found: CvatFile, question: str, ident: str, shape: str) -> None:
    """Every element of the track the file holds (the frames CVAT interpolated too) is what
    the keyframes read give at that frame, to CVAT's two decimals."""
    (track,) = [t for t in found.keyframe_tracks()[question] if t["id"] == f"t{ident}"]
    states = dict(track_states(track, shape, FRAMES))
    for element in _file_rows(path, ident):
        frame = int(element.get("frame", ""))
        if element.get("outside") == "1":
            assert frame not in states, (ident, frame)
            continue
        state = states[frame]
        assert state["occluded"] == (element.get("occluded") == "1"), (ident, frame)
        if shape == "box":
            xtl, ytl, xbr, ybr = (float(element.get(k, "")) for k in ("xtl", "ytl", "xbr", "ybr"))
            got = (state["x"], state["y"], state["x"] + state["w"], state["y"] + state["h"])
            assert got == pytest.approx((xtl, ytl, xbr, ybr), abs=0.005), (ident, frame)
            assert state["rotation"] == float(element.get("rotation", "0")), (ident, frame)
        else:
            text = element.get("points", "").replace(";", ",")
            flat = [float(v) for v in text.split(",")]
            got = state["points"] if shape == "polygon" else [[state["x"], state["y"]]]
            assert [v for p in got for v in p] == pytest.approx(flat, abs=0.005), (ident, frame)
        for attribute in element.iter("attribute"):
            name, value = attribute.get("name"), attribute.text
            held = {**track.get("attributes", {}), **state["attributes"]}
            assert str(held[name]) == value or float(value or "") == held[name], (ident, name)


def test_cvat_task_export_reads_as_its_tracks() -> None:
    path = FIXTURES / "task_video.xml"
    (found,) = read_cvat_tasks(path, SCHEMA)
    assert (found.kind, found.name, found.source, found.task_id) == (
        "task",
        "clip",
        "clip.mp4",
        "5",
    )
    assert (found.size, found.width, found.height, found.stop_frame) == (20, 320, 240, 19)
    check_video(found, FRAMES, WIDTH, HEIGHT)
    # left out and counted, each said in the import's report
    assert found.skipped == {
        "walker (skeleton)": 1,
        "road (mask)": 1,
        "sign (ellipse)": 1,
        "tracks' group_id: Accord has no groups of tracks": 1,
        "z_order values (drawing order): Accord's tracks have none": 18,
    }
    assert found.attributes_left == {}
    tracks = found.keyframe_tracks()
    assert tracks["cars"] == [
        {
            "id": "t0",
            "label": "car",
            "attributes": {"color": "red"},
            "keyframes": [
                {"frame": 0, "x": 10, "y": 20, "w": 30, "h": 40,
                 "attributes": {"moving": "yes", "speed": 1.5}},
                {"frame": 3, "x": 11, "y": 20, "w": 30, "h": 40, "occluded": True,
                 "attributes": {"moving": "no"}},
                {"frame": 5, "outside": True},
                {"frame": 8, "x": 100, "y": 50, "w": 40, "h": 30, "rotation": 15,
                 "attributes": {"moving": "yes", "speed": 2}},
            ],
        },
        {
            "id": "t1",
            "label": "person",
            "keyframes": [
                {"frame": 2, "x": 200.5, "y": 100.25, "w": 30.25, "h": 79.75},
                {"frame": 4, "outside": True},
            ],
        },
        {   # a CVAT shape: a keyframe and an outside keyframe a frame later
            "id": "t7",
            "label": "car",
            "attributes": {"color": "blue"},
            "keyframes": [
                {"frame": 10, "x": 60, "y": 70, "w": 20.5, "h": 10,
                 "attributes": {"moving": "no", "speed": 0}},
                {"frame": 11, "outside": True},
            ],
        },
    ]  # fmt: skip
    assert tracks["lanes"] == [
        {
            "id": "t2",
            "label": "lane",
            "keyframes": [
                {"frame": 0, "points": [[0, 0], [10, 0], [10, 10]]},
                {"frame": 3, "outside": True},
                {"frame": 5, "points": [[20, 20], [30, 20], [30, 30], [20, 30]]},
                {"frame": 8, "outside": True},
            ],
        }
    ]
    assert tracks["heads"] == [
        {
            "id": "t3",
            "label": "head",
            "keyframes": [
                {"frame": 0, "x": 1, "y": 1},
                {"frame": 3, "x": 4, "y": 1},
                {"frame": 6, "outside": True},
            ],
        }
    ]
    for question, ident, shape in [
        ("cars", "0", "box"), ("cars", "1", "box"), ("cars", "7", "box"),
        ("lanes", "2", "polygon"), ("heads", "3", "point"),
    ]:  # fmt: skip
        _given_back(path, found, question, ident, shape)
    # and what we write of it reads back as the same tracks
    answer = {q: {"tracks": t} for q, t in tracks.items()}
    row = VideoRow(5, "clip", FRAMES, 25, WIDTH, HEIGHT, answer)
    with tempfile.TemporaryDirectory() as folder:
        ours = _written(Path(folder), cvat_xml(SCHEMA, row))
        assert read_cvat(ours, SCHEMA).keyframe_tracks() == tracks


def test_cvat_job_export() -> None:
    path = FIXTURES / "job_video.xml"
    found = read_cvat(path, SCHEMA)
    # no name nor source in a job's meta; its size is its own 10 frames, 10 to 19 of the video
    assert (found.kind, found.name, found.source, found.task_id) == ("job", None, None, "12")
    assert (found.size, found.start_frame, found.stop_frame) == (10, 10, 19)
    assert found.segment_start == 10
    assert (found.width, found.height) == (320, 240)  # <meta><original_size>, after <dumped>
    check_video(found, FRAMES, WIDTH, HEIGHT)
    car = {
        "id": "t0",
        "label": "car",
        "attributes": {"color": "blue"},
        "keyframes": [
            {"frame": 10, "x": 50, "y": 40, "w": 40, "h": 60,
             "attributes": {"moving": "yes", "speed": 0}},
            {"frame": 13, "x": 53, "y": 40, "w": 40, "h": 60},
        ],
    }  # fmt: skip
    head = {
        "id": "t1",
        "label": "head",
        "keyframes": [{"frame": 12, "x": 5.5, "y": 6.25}, {"frame": 15, "outside": True}],
    }
    assert found.keyframe_tracks() == {"cars": [car], "heads": [head]}
    assert found.skipped == {}
    _given_back(path, found, "cars", "0", "box")
    with pytest.raises(DatasetError, match=r"the CVAT job holds frames 10 to 19 .* video has 15"):
        check_video(read_cvat(path, SCHEMA), 15, WIDTH, HEIGHT)
    # the video goes on after the job: a track still there at its end ends with it
    longer = read_cvat(path, SCHEMA)
    check_video(longer, 30, WIDTH, HEIGHT)
    assert longer.keyframe_tracks()["cars"][0]["keyframes"][-1] == {"frame": 20, "outside": True}
    assert longer.keyframe_tracks()["heads"] == [head]


def test_cvat_project_export(tmp_path: Path) -> None:
    path = FIXTURES / "project_video.xml"
    clip, clip2 = read_cvat_tasks(path, SCHEMA)
    assert [(f.kind, f.task_id, f.name, f.source, f.size, f.offset) for f in (clip, clip2)] == [
        ("project", "5", "clip", "clip.mp4", 20, 0),
        ("project", "6", "clip2", "clip2.mp4", 10, 20),
    ]
    check_video(clip, FRAMES, WIDTH, HEIGHT)
    check_video(clip2, 10, WIDTH, HEIGHT)
    assert clip.keyframe_tracks() == {
        "cars": [
            {"id": "t0", "label": "car", "attributes": {"color": "red"},
             "keyframes": [{"frame": 2, "x": 10, "y": 20, "w": 30, "h": 40},
                           {"frame": 3, "outside": True}]},
        ]
    }  # fmt: skip
    # the second task's frames 21, 23, 25 are its own 1, 3, 5
    assert clip2.keyframe_tracks() == {
        "heads": [
            {"id": "t1", "label": "head",
             "keyframes": [{"frame": 1, "x": 3, "y": 4}, {"frame": 3, "outside": True}]},
        ],
        "cars": [
            {"id": "t2", "label": "car", "attributes": {"color": "blue"},
             "keyframes": [{"frame": 5, "x": 1, "y": 2, "w": 10, "h": 10}]},
        ],
    }  # fmt: skip
    with pytest.raises(DatasetError, match=r"the project's task 6 \(clip2\) has 10 frames"):
        check_video(clip2, 12, WIDTH, HEIGHT)
    with pytest.raises(DatasetError, match="a project export of 2 tasks, not one video"):
        read_cvat(path, SCHEMA)
    text = path.read_text()
    stray = _written(tmp_path, text.replace('task_id="6"', 'task_id="9"', 1))
    with pytest.raises(DatasetError, match=r"task_id='9', not one of the project's tasks \(5, 6\)"):
        read_cvat_tasks(stray, SCHEMA)
    cut = _written(tmp_path, text.replace("<start_frame>0<", "<start_frame>3<", 1))
    with pytest.raises(DatasetError, match=r"the project's task 5 \(clip\) in CVAT was made from"):
        read_cvat_tasks(cut, SCHEMA)


def test_cvat_left_out_is_counted(tmp_path: Path) -> None:
    """What no question takes and what Accord's tracks have no place for is counted, never
    refused nor lost without a word: tags, unknown elements and shapes, changing values of
    an attribute the question keeps per track."""
    rows = "".join(
        f'<box frame="{f}" keyframe="1" outside="0" occluded="0" {BOX} z_order="0">'
        f'<attribute name="color">{c}</attribute></box>'
        for f, c in enumerate(["red", "red", "blue", "red"])
    )
    text = (
        "<annotations><version>1.1</version><meta><task><name>clip</name></task></meta>"
        f'<track id="0" label="car" source="manual">{rows}</track>'
        '<track id="1" label="car"><cuboid_3d frame="0" keyframe="1"/></track>'
        '<tag label="good_frame" source="manual"><attribute name="x">1</attribute></tag>'
        '<tag label="night" source="auto"></tag><shape label="car"/></annotations>'
    )
    found = read_cvat(_written(tmp_path, text), SCHEMA)
    assert found.skipped == {
        "values of the attribute color unlike the track's first: the question 'cars' does not "
        "mark it mutable, so a track keeps one": 1,
        "car (cuboid_3d)": 1,
        "<tag> elements: frame tags are not tracks": 2,
        "<shape> elements: not part of CVAT for video 1.1": 1,
    }
    (car,) = found.keyframe_tracks()["cars"]
    assert car["attributes"] == {"color": "red"}
    job = (FIXTURES / "job_video.xml").read_text()
    cut = _written(tmp_path, job.replace("<start_frame>10<", "<start_frame>12<"))
    with pytest.raises(DatasetError, match=r"the job in CVAT was made from part .*\(start_frame 2"):
        read_cvat(cut, SCHEMA)
