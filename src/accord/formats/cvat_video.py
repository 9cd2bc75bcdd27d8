"""CVAT for video 1.1 XML (``--format cvat-video``) for ``tracks`` questions, both ways
(docs/video.md, "CVAT video XML").

What CVAT 2.x writes (``dump_as_cvat_interpolation`` in CVAT's
``cvat/apps/dataset_manager/formats/cvat.py``; tests/fixtures/cvat/ holds one file of each
kind): ``<annotations><version>1.1</version><meta>`` then ``<track id label source
[group_id]>`` elements each holding one shape element per frame from its first keyframe to the
task's end or an outside keyframe (the frames CVAT interpolated with ``keyframe="0"``): ``<box
frame keyframe outside occluded xtl ytl xbr ybr [rotation] z_order>``, ``<polygon ...
points="x,y;x,y;...">``, ``<points ... points="x,y">``, ``<polyline>``, ``<ellipse>``,
``<mask>``, ``<cuboid>`` or ``<skeleton>`` (holding one ``<points label>`` per node), with
``<attribute name>value</attribute>`` children (mutable ones, then the track's). Numbers have
two decimals. A shape (not a track) is written as a track of a keyframe and an outside keyframe
one frame later. The meta is a task's (``<meta><task>``: ``name``, ``size`` (frames),
``start_frame``, ``frame_filter``, ``<original_size><width><height>``, ``<source>`` the
video's file name), a job's (``<meta><job>``: no name nor source, ``size`` the job's frames,
``start_frame``...``stop_frame`` where they are in the video, ``<original_size>`` in ``<meta>``)
or a project's (``<meta><project><tasks><task>...``, each track naming its ``task_id``, each
subset's tasks' frames numbered one after another). CVAT for video writes no ``<tag>``.

Reading (`read_cvat_tasks`, one `CvatFile` per video; `read_cvat` for one) checks every
element and raises a `DatasetError` naming the file, the line, the element and its track of
the first bad one; a track goes to the first ``tracks`` question of its shape offering its
label (`accord.formats.video_tracks.VideoSchema`), one whose label or shape (polyline, mask,
ellipse, skeleton, ...) no question takes is left out and counted in ``skipped``, as are
``<tag>`` elements, non-zero ``z_order`` values, ``group_id`` and later values of an attribute
the question does not mark mutable (phrases holding ": "). Rows become keyframes with
`keyframes_of`: ``keyframe="1"`` rows are kept, the ``keyframe="0"`` rows CVAT interpolated
are dropped where our interpolation gives them back within `TOLERANCE` (CVAT writes two
decimals), else kept. Attributes the question declares ``mutable`` go on keyframes, the others
on the track (from its first row); attributes the question does not declare are left out and
counted. A track id N becomes ``"tN"``. ``source`` (manual, auto...) is not kept: imported
tracks are predictions.

Writing (`cvat_chunks`): a zip of one ``NAME.xml`` per task, every frame each track is
present on (`accord.quality.tracks.track_states`) plus its ``outside`` keyframes (with the
shape before them, as CVAT writes them), ``keyframe`` flags kept, every attribute on every
row; numbers exactly (``xbr`` is ``x + w``, read back with `span`), so our reader gives the
tracks back.
"""

from __future__ import annotations

import math
import pyexpat
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from xml.sax.saxutils import escape, quoteattr

from accord.formats.datasets import listed
from accord.formats.mot import VideoRow
from accord.formats.shapes import DatasetError
from accord.formats.video_tracks import (
    Row,
    TrackQuestion,
    VideoSchema,
    answer_tracks,
    attribute_text,
    attribute_value,
    keyframes_of,
    number,
    number_text,
    span,
    track_ids,
)
from accord.formats.zipped import zip_chunks
from accord.quality.tracks import track_states

TOLERANCE = 0.005  # CVAT writes coordinates with two decimals
MAX_XML_BYTES = 512 << 20
ELEMENTS = {"box": "box", "polygon": "polygon", "points": "point"}
TAGS = {"box": "box", "polygon": "polygon", "point": "points"}
INPUT_TYPES = {"choice": "select", "multi_choice": "text", "number": "number", "text": "text"}
CVAT_TYPES = {"box": "rectangle", "polygon": "polygon", "point": "points"}


@dataclass
class Track:
    """A ``<track>`` read: its task, question, id, label, fixed attributes and rows."""

    ident: str
    label: str
    line: int
    file: CvatFile
    question: TrackQuestion | None = None
    element: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)


@dataclass
class CvatFile:
    """One video of a file read: its task's facts (None where the file says nothing), its
    tracks and what was left out. ``kind`` is what CVAT exported: a ``task``, a ``job`` (one
    segment of a task: ``size`` its frames, ``start_frame``...``stop_frame`` where they are in
    the video, ``segment_start`` its first frame in the task) or a task of a ``project``
    (whose frames the file numbers after those of the tasks before it: ``offset``)."""

    path: Path
    name: str | None = None
    source: str | None = None
    size: int | None = None
    width: int | None = None
    height: int | None = None
    start_frame: int = 0
    frame_filter: str = ""
    kind: str = "task"
    task_id: str | None = None
    subset: str = ""
    stop_frame: int | None = None
    segment_start: int | None = None
    offset: int = 0
    tracks: list[Track] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # "label (shape)": tracks left out
    attributes_left: Counter[str] = field(default_factory=Counter)  # undeclared attributes

    def keyframe_tracks(self) -> dict[str, list[dict[str, Any]]]:
        """The tracks as Accord answers keyed by question (see the module)."""
        out: dict[str, list[dict[str, Any]]] = {}
        for track in self.tracks:
            question = track.question
            assert question is not None
            keyframes = keyframes_of(track.rows, question.shape, TOLERANCE)
            if not keyframes:
                continue
            value: dict[str, Any] = {"id": f"t{track.ident}", "label": track.label}
            if track.attributes:
                value["attributes"] = track.attributes
            value["keyframes"] = keyframes
            out.setdefault(question.name, []).append(value)
        return out


# The meta elements that describe one video: a task export's, a job export's, and each task
# of a project export.
UNITS = {
    "annotations/meta/task": "task",
    "annotations/meta/job": "job",
    "annotations/meta/project/tasks/task": "project",
}
# What of a unit's meta is read, by its path inside the unit.
FACTS = {
    "id": "task_id",
    "name": "name",
    "source": "source",
    "subset": "subset",
    "frame_filter": "frame_filter",
    "size": "size",
    "start_frame": "start_frame",
    "stop_frame": "stop_frame",
    "original_size/width": "width",
    "original_size/height": "height",
    "segments/segment/start": "segment_start",
}
NUMBERS = ("size", "start_frame", "stop_frame", "width", "height", "segment_start")
# Said of what the reader leaves out besides labels, shapes and attributes no question takes
# (``found.skipped`` keys holding ": " are whole phrases, "left out N <key>").
Z_ORDER = "z_order values (drawing order): Accord's tracks have none"
GROUPS = "tracks' group_id: Accord has no groups of tracks"
TAGS_LEFT = "<tag> elements: frame tags are not tracks"


class _Reader:
    """Collects a file's meta and tracks from expat's events."""

    def __init__(self, path: Path, schema: VideoSchema, parser: Any) -> None:
        self.path, self.schema, self.parser = path, schema, parser
        self.files: list[CvatFile] = []
        self.unit: CvatFile | None = None  # the meta element being read
        self.unit_path = ""
        self.loose: dict[str, str] = {}  # <meta><source>, a job's <meta><original_size>
        self.ready = False
        self.stack: list[str] = []
        self.text: list[str] = []
        self.track: Track | None = None
        self.row: Row | None = None
        self.row_tag = ""
        self.attribute: str | None = None

    def where(self, detail: str = "") -> str:
        line = self.parser.CurrentLineNumber
        track = self.track
        inside = f" of <track id={quoteattr(track.ident)}>" if track is not None else ""
        return f"{self.path}, line {line}{(': ' + detail) if detail else ''}{inside}"

    def fail(self, message: str, detail: str = "") -> NoReturn:
        raise DatasetError(f"{self.where(detail)}: {message}")

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        parent = self.stack[-1] if self.stack else ""
        self.stack.append(tag)
        self.text = []
        if not parent and tag != "annotations":
            self.fail(f"the root element is <{tag}>, not <annotations>: not a CVAT XML file")
        path = "/".join(self.stack)
        if path in UNITS:
            self.unit = CvatFile(self.path, kind=UNITS[path])
            self.unit_path = path
            self.files.append(self.unit)
        if parent == "annotations" and tag not in ("version", "meta"):
            self._top(tag, attrs)
        elif parent == "track" and self.track is not None:
            self._open_row(tag, attrs)
        elif tag == "attribute" and parent in ELEMENTS and self.row is not None:
            self.attribute = attrs.get("name")
            if not self.attribute:
                self.fail("an <attribute> without a name", f"<{parent}>")

    def _top(self, tag: str, attrs: dict[str, str]) -> None:
        """An element of <annotations> after the meta: a track, else left out (reported)."""
        if tag == "image":
            self.fail(
                "an <image> element: this is CVAT for images; export the task from CVAT as "
                "'CVAT for video 1.1'"
            )
        files = self._files()
        if tag == "track":
            self._open_track(attrs)
        elif tag == "tag":
            files[0].skipped[TAGS_LEFT] += 1
        else:
            files[0].skipped[f"<{tag}> elements: not part of CVAT for video 1.1"] += 1

    def data(self, text: str) -> None:
        self.text.append(text)

    def end(self, tag: str) -> None:
        path = "/".join(self.stack)
        self.stack.pop()
        text = "".join(self.text).strip()
        self.text = []
        if self.unit is not None and path.startswith(self.unit_path + "/"):
            self._fact(self.unit, path[len(self.unit_path) + 1 :], text)
        elif path == self.unit_path:
            self.unit = None
        elif path in ("annotations/meta/source", "annotations/meta/original_size/width",
                      "annotations/meta/original_size/height"):  # fmt: skip
            self.loose.setdefault(path.removeprefix("annotations/meta/"), text)
        elif path == "annotations/meta":
            self._files()
        elif tag == "attribute" and self.attribute is not None and self.row is not None:
            self._attribute(self.attribute, text)
            self.attribute = None
        elif tag == self.row_tag and self.stack and self.stack[-1] == "track":
            self.row = None
        elif tag == "track" and path == "annotations/track":
            self._close_track()

    def _fact(self, unit: CvatFile, key: str, text: str) -> None:
        name = FACTS.get(key)
        if name is None or (name == "segment_start" and unit.segment_start is not None):
            return  # not read, or a task's later segments
        if name not in NUMBERS:
            if text or name == "frame_filter":
                setattr(unit, name, text)
            return
        try:
            setattr(unit, name, int(text))
        except ValueError:
            tag = key.rsplit("/", 1)[-1]
            self.fail(f"<{tag}>{text}</{tag}> is not a whole number")

    def _files(self) -> list[CvatFile]:
        """The file's videos, their meta read (once, when the meta ends or the first track
        comes): a file without meta is one video it says nothing of."""
        if self.ready:
            return self.files
        self.ready = True
        if not self.files:
            self.files.append(CvatFile(self.path))
        if len(self.files) == 1:
            only = self.files[0]
            only.source = only.source or self.loose.get("source") or None
            for name in ("width", "height"):
                text = self.loose.get(f"original_size/{name}")
                if getattr(only, name) is None and text is not None:
                    self._fact(only, f"original_size/{name}", text)
        offsets: dict[str, int] = {}
        for found in self.files:  # a project export numbers each subset's frames on
            found.offset = offsets.get(found.subset, 0)
            offsets[found.subset] = found.offset + found.start_frame + (found.size or 0)
            _check_whole(found)
        return self.files

    def _open_track(self, attrs: dict[str, str]) -> None:
        ident, label = attrs.get("id"), attrs.get("label")
        if ident is None or not ident.isdigit():
            self.fail(f"<track> needs a whole-number id, got {ident!r}")
        if not label:
            self.fail(f"<track id={quoteattr(str(ident))}> has no label")
        assert ident is not None and label is not None
        files = self._files()
        if any(t.ident == ident for f in files for t in f.tracks):
            self.fail(f"a second <track id={quoteattr(ident)}>: track ids are unique in a file")
        task = attrs.get("task_id")
        if len(files) == 1:
            found = files[0]
        else:
            found = next((f for f in files if task is not None and f.task_id == task), files[0])
            if found.task_id != task:
                known = listed([str(f.task_id) for f in files])
                self.fail(
                    f"<track id={quoteattr(ident)}> has task_id={task!r}, not one of the "
                    f"project's tasks ({known}) in <meta><project><tasks>"
                )
        self.track = Track(ident, label, self.parser.CurrentLineNumber, found)
        if attrs.get("group_id", "0") != "0":
            found.skipped[GROUPS] += 1

    def _close_track(self) -> None:
        track = self.track
        self.track = None
        if track is None or track.question is None:
            return
        track.file.tracks.append(track)

    def _open_row(self, tag: str, attrs: dict[str, str]) -> None:
        track = self.track
        assert track is not None
        if tag not in ELEMENTS:
            if not track.element:
                track.file.skipped[f"{track.label} ({tag})"] += 1
                track.element = tag
            elif track.element in ELEMENTS:
                self.fail(f"<{tag}> after <{track.element}>: a track keeps one shape")
            return
        if track.element and track.element != tag:
            self.fail(f"<{tag}> after <{track.element}>: a track keeps one shape")
        if not track.element:
            track.element = tag
            track.question = self.schema.question_for(ELEMENTS[tag], track.label)
            if track.question is None:
                track.file.skipped[f"{track.label} ({ELEMENTS[tag]})"] += 1
        if track.question is None:
            return
        self.row_tag = tag
        self.row = self._row(tag, attrs, track)
        if track.rows and track.rows[-1].frame >= self.row.frame:
            self.fail(
                f"frame {self.row.frame} comes after frame {track.rows[-1].frame}: a track's "
                "elements go in frame order, one per frame",
                f"<{tag} frame={quoteattr(str(self.row.frame))}>",
            )
        if attrs.get("z_order", "0") not in ("0", ""):
            track.file.skipped[Z_ORDER] += 1
        track.rows.append(self.row)

    def _row(self, tag: str, attrs: dict[str, str], track: Track) -> Row:
        question = track.question
        assert question is not None
        detail = f"<{tag} frame={quoteattr(attrs.get('frame', ''))}>"
        frame_text = attrs.get("frame", "")
        if not frame_text.isdigit():
            self.fail(f"frame {frame_text!r} is not a whole number from 0", detail)
        frame = int(frame_text) - track.file.offset
        if frame < 0:
            self.fail(
                f"frame {frame_text} is before the task's first frame ({track.file.offset} in "
                f"this project export, task {track.file.task_id})",
                detail,
            )
        flags = {}
        for name in ("outside", "occluded", "keyframe"):
            value = attrs.get(name, "1" if name == "keyframe" else "0")
            if value not in ("0", "1"):
                self.fail(f"{name}={value!r}: expected 0 or 1", detail)
            flags[name] = value == "1"
        row = Row(
            frame,
            {},
            outside=flags["outside"],
            occluded=flags["occluded"],
            keyframe=flags["keyframe"],
        )
        if row.outside:
            return row
        if tag == "box":
            row.keys = self._box(attrs, question, detail)
        else:
            points = self._points(attrs, detail)
            if tag == "points":
                if len(points) != 1:
                    self.fail(
                        f"{len(points)} points: a point track follows one point; split them "
                        "into one track per point",
                        detail,
                    )
                row.keys = {"x": points[0][0], "y": points[0][1]}
            else:
                if len(points) < 3:
                    self.fail(f"{len(points)} points: a polygon has at least 3", detail)
                row.keys = {"points": points}
        return row

    def _number(self, attrs: Mapping[str, str], name: str, detail: str) -> float:
        text = attrs.get(name)
        try:
            value = float(text) if text is not None else math.nan
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            self.fail(f"{name}={text!r} is not a finite number", detail)
        return value

    def _box(
        self, attrs: Mapping[str, str], question: TrackQuestion, detail: str
    ) -> dict[str, Any]:
        xtl, ytl, xbr, ybr = (self._number(attrs, k, detail) for k in ("xtl", "ytl", "xbr", "ybr"))
        if xbr <= xtl or ybr <= ytl:
            self.fail(f"xbr and ybr must be right of and below xtl and ytl ({xtl:g}, {ytl:g}, "
                      f"{xbr:g}, {ybr:g})", detail)  # fmt: skip
        keys: dict[str, Any] = {
            "x": number(xtl),
            "y": number(ytl),
            "w": span(xtl, xbr),
            "h": span(ytl, ybr),
        }
        if "rotation" in attrs:
            rotation = self._number(attrs, "rotation", detail)
            if rotation and not question.rotation:
                self.fail(
                    f"rotation={attrs['rotation']}: the question {question.name!r} takes no "
                    "rotated boxes; set rotation: true on it",
                    detail,
                )
            if rotation:
                keys["rotation"] = number(rotation)
        return keys

    def _points(self, attrs: Mapping[str, str], detail: str) -> list[list[float]]:
        text = attrs.get("points", "")
        out = []
        for pair in text.split(";"):
            parts = pair.split(",")
            try:
                x, y = (float(p) for p in parts)
            except ValueError:
                self.fail(f"points: {pair!r} is not x,y (points are x,y;x,y;...)", detail)
            if not (math.isfinite(x) and math.isfinite(y)):
                self.fail(f"points: {pair!r} is not a finite x,y", detail)
            out.append([number(x), number(y)])
        return out

    def _attribute(self, name: str, text: str) -> None:
        track, row = self.track, self.row
        assert track is not None and row is not None and track.question is not None
        spec = track.question.attribute(name)
        if spec is None:
            track.file.attributes_left[name] += 1
            return
        detail = f"<{self.row_tag} frame={quoteattr(str(row.frame))}>"
        value = attribute_value(spec, text, self.where(detail))
        if name in track.question.mutable:
            row.attributes[name] = value
        elif name not in track.attributes:
            track.attributes[name] = value
        elif track.attributes[name] != value:
            track.file.skipped[
                f"values of the attribute {name} unlike the track's first: the question "
                f"{track.question.name!r} does not mark it mutable, so a track keeps one"
            ] += 1


def read_cvat_tasks(path: Path, schema: VideoSchema) -> list[CvatFile]:
    """Read and check a CVAT for video 1.1 file (see the module): one `CvatFile` per video,
    one for a task's or a job's export, one per task for a project's."""
    if not path.is_file():
        raise DatasetError(f"{path}: no such file")
    if path.stat().st_size > MAX_XML_BYTES:
        raise DatasetError(f"{path}: larger than {MAX_XML_BYTES >> 20} MiB; split the task")
    parser = pyexpat.ParserCreate()
    reader = _Reader(path, schema, parser)

    def refuse(*_: Any) -> int:
        raise DatasetError(
            f"{path}: declares a DTD or entities, which CVAT files never need and which can "
            "make a reader expand or fetch data; remove the <!DOCTYPE ...> part"
        )

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.data
    try:
        with path.open("rb") as file:
            parser.ParseFile(file)
    except pyexpat.ExpatError as exc:
        raise DatasetError(f"{path}: not well-formed XML ({exc})") from None
    return reader._files()


def read_cvat(path: Path, schema: VideoSchema) -> CvatFile:
    """Read and check a CVAT for video 1.1 file of one video (a task's or a job's export)."""
    found = read_cvat_tasks(path, schema)
    if len(found) > 1:
        raise DatasetError(f"{path}: a project export of {len(found)} tasks, not one video")
    return found[0]


def _what(found: CvatFile) -> str:
    if found.kind == "project":
        return f"the project's task {found.task_id} ({found.name})"
    return f"the {found.kind}"


def _check_whole(found: CvatFile) -> None:
    """Refuse a task made from part of its video: its frames are not the video's."""
    first = found.start_frame
    if found.kind == "job":  # a job's start_frame is its segment's, in the video
        first -= found.segment_start or 0
    if first or found.frame_filter.strip():
        raise DatasetError(
            f"{found.path}: {_what(found)} in CVAT was made from part of its video (start_frame "
            f"{first}, frame_filter {found.frame_filter!r}): Accord numbers every frame of the "
            "whole video; make the CVAT task from the whole video"
        )


def check_video(found: CvatFile, frames: int, width: int, height: int) -> None:
    """`DatasetError` when the file and its video disagree (frame count, size, a frame
    past the end). A job's tracks present on its last frame end there (an outside row after
    it) when the video goes on, as CVAT ends them when it merges a task's jobs."""
    if found.kind == "job":
        if found.stop_frame is not None and found.stop_frame >= frames:
            raise DatasetError(
                f"{found.path}: the CVAT job holds frames {found.start_frame} to "
                f"{found.stop_frame} (<start_frame>, <stop_frame>) but its video has {frames} "
                f"(0 to {frames - 1}); give the video the job's task was made from"
            )
    elif found.size is not None and found.size != frames:
        raise DatasetError(
            f"{found.path}: {_what(found)} has {found.size} frames (<size>) but its video has "
            f"{frames}; give the video the task was made from"
        )
    if (found.width, found.height) not in ((None, None), (width, height)):
        raise DatasetError(
            f"{found.path}: <original_size> is {found.width} × {found.height} but the video "
            f"is {width} × {height}; give the video {_what(found)} was made from"
        )
    for track in found.tracks:
        for row in track.rows:
            if row.frame >= frames:
                raise DatasetError(
                    f"{found.path}: <track id={quoteattr(track.ident)}> (line {track.line}) has "
                    f"frame {row.frame + found.offset}, past the video's {frames} frames (0 to "
                    f"{frames - 1})"
                )
    end = found.stop_frame
    if found.kind != "job" or end is None or end + 1 >= frames:
        return
    for track in found.tracks:
        if track.rows and not track.rows[-1].outside:
            track.rows.append(Row(end + 1, {}, outside=True, keyframe=True))


# -- writing ---------------------------------------------------------------------------------


def cvat_chunks(schema: VideoSchema, rows: Iterable[VideoRow]) -> Iterator[bytes]:
    """The zip of one ``NAME.xml`` per task (see the module)."""
    return zip_chunks((f"{row.name}.xml", cvat_xml(schema, row).encode()) for row in rows)


def cvat_xml(schema: VideoSchema, row: VideoRow) -> str:
    """The task's CVAT for video 1.1 XML."""
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<annotations>\n  <version>1.1</version>\n']
    parts.append(_meta(schema, row))
    tracks = [(q, t) for q in schema.questions for t in answer_tracks(row.answer, q)]
    ids = track_ids([t.get("id") for _, t in tracks])
    for (question, track), ident in zip(tracks, ids, strict=True):
        parts.append(f'  <track id="{ident}" label={quoteattr(track["label"])} source="manual">\n')
        parts.extend(_elements(question, track, row.frames))
        parts.append("  </track>\n")
    parts.append("</annotations>\n")
    return "".join(parts)


def _tag(name: str, value: Any, indent: int) -> str:
    return f"{' ' * indent}<{name}>{escape(str(value))}</{name}>\n"


def _meta(schema: VideoSchema, row: VideoRow) -> str:
    out = ["  <meta>\n    <task>\n", _tag("id", row.task_id, 6), _tag("name", row.name, 6)]
    if row.frames is not None:
        out += [_tag("size", row.frames, 6)]
    out += [_tag("mode", "interpolation", 6), _tag("overlap", 0, 6)]
    out += [_tag("start_frame", 0, 6)]
    if row.frames is not None:
        out += [_tag("stop_frame", max(row.frames - 1, 0), 6)]
    out += [_tag("frame_filter", "", 6), "      <labels>\n"]
    for label in schema.labels:
        out.append(_label(schema, label))
    out.append("      </labels>\n")
    if row.width is not None and row.height is not None:
        out += ["      <original_size>\n", _tag("width", row.width, 8)]
        out += [_tag("height", row.height, 8), "      </original_size>\n"]
    out.append("    </task>\n")
    out.append("  </meta>\n")
    return "".join(out)


def _label(schema: VideoSchema, label: str) -> str:
    questions = [q for q in schema.questions if label in q.labels]
    kinds = {CVAT_TYPES[q.shape] for q in questions}
    out = ["        <label>\n", _tag("name", label, 10)]
    out.append(_tag("type", kinds.pop() if len(kinds) == 1 else "any", 10))
    out.append("          <attributes>\n")
    seen: set[str] = set()
    for question in questions:
        for spec in question.attributes:
            if spec.name in seen:
                continue
            seen.add(spec.name)
            out += ["            <attribute>\n", _tag("name", spec.name, 14)]
            out.append(_tag("mutable", "True" if spec.name in question.mutable else "False", 14))
            out.append(_tag("input_type", INPUT_TYPES.get(spec.type, "text"), 14))
            out.append(_tag("default_value", spec.options[0] if spec.options else "", 14))
            out.append(_tag("values", "\n".join(spec.options), 14))
            out.append("            </attribute>\n")
    out += ["          </attributes>\n", "        </label>\n"]
    return "".join(out)


def _elements(
    question: TrackQuestion, track: Mapping[str, Any], frames: int | None
) -> Iterator[str]:
    """Every present frame of the track and its outside keyframes, in frame order."""
    keyframes = track.get("keyframes") or []
    outside = [int(k["frame"]) for k in keyframes if k.get("outside")]
    fixed = track.get("attributes") or {}
    last: dict[str, Any] | None = None
    for frame, state in track_states(track, question.shape, frames):
        while outside and outside[0] < frame:
            if last is not None:
                yield _element(question, outside[0], last, fixed, outside=True)
            outside.pop(0)
        last = state
        yield _element(question, frame, state, fixed, outside=False)
    for frame in outside:
        if last is not None and (frames is None or frame < frames):
            yield _element(question, frame, last, fixed, outside=True)


def _element(
    question: TrackQuestion,
    frame: int,
    state: Mapping[str, Any],
    fixed: Mapping[str, Any],
    *,
    outside: bool,
) -> str:
    tag = TAGS[question.shape]
    keyframe = outside or bool(state.get("keyframe"))
    occluded = not outside and bool(state.get("occluded"))
    head = (
        f'    <{tag} frame="{frame}" keyframe="{int(keyframe)}" outside="{int(outside)}" '
        f'occluded="{int(occluded)}"'
    )
    if question.shape == "box":
        x, y, w, h = (float(state[k]) for k in ("x", "y", "w", "h"))
        head += (
            f' xtl="{number_text(x)}" ytl="{number_text(y)}" xbr="{number_text(x + w)}" '
            f'ybr="{number_text(y + h)}"'
        )
        rotation = float(state.get("rotation") or 0)
        if rotation:
            head += f' rotation="{number_text(rotation)}"'
    elif question.shape == "point":
        head += f' points="{number_text(state["x"])},{number_text(state["y"])}"'
    else:
        text = ";".join(f"{number_text(x)},{number_text(y)}" for x, y in state["points"])
        head += f' points="{text}"'
    head += ' z_order="0"'
    values = {**fixed, **(state.get("attributes") or {})}
    attributes = [
        f"      <attribute name={quoteattr(spec.name)}>"
        f"{escape(attribute_text(values[spec.name]))}</attribute>\n"
        for spec in question.attributes
        if spec.name in values
    ]
    if not attributes:
        return head + f"></{tag}>\n"
    return head + ">\n" + "".join(attributes) + f"    </{tag}>\n"
