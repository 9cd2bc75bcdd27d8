"""MOTChallenge ground truth (MOT16/17 ``gt/gt.txt`` and ``seqinfo.ini``) for a ``tracks``
question with boxes, both ways (docs/video.md, "MOTChallenge"). A file holds one question:
the one named (``question=``), or the project's only suitable one (`TrackSchema.of`).

A ``gt.txt`` row is ``frame, id, bb_left, bb_top, bb_width, bb_height, conf, class,
visibility``: the frame 1-based, the box in pixels. Reading (`read_gt`) checks every row
(nine numbers, the frame within ``seqLength``, a class the question has a label for, one
class per track) and raises a `DatasetError` naming the file and line of the first bad one;
`tracks_of` then turns the rows into Accord tracks (`accord.formats.mot_keyframes`):

- track ``id`` N becomes ``"tN"``; class k becomes the question's k-th label (1-based);
- rows with ``conf`` 0 (MOTChallenge's "not considered") are skipped and counted;
- ``visibility`` below `OCCLUDED_BELOW` makes the keyframe ``occluded``; a question with a
  mutable number attribute ``visibility`` keeps the exact value there too;
- a box reaching out of the picture is clipped to it (counted); one wholly outside is skipped.

Writing (`mot_chunks`) makes a zip with ``SEQUENCE/seqinfo.ini`` and ``SEQUENCE/gt/gt.txt``
per task: every frame each track is present in (`accord.quality.tracks.track_states`), rows
by track then frame, ``conf`` 1, class the label's 1-based index, visibility the
``visibility`` attribute when the question has one, else 0 when occluded and 1 otherwise.
Numbers are written exactly (whole numbers as integers, others as the shortest text that
reads back as the same float), so an import then an export gives the file back.
"""

from __future__ import annotations

import configparser
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.formats.format_question import choose
from accord.formats.shapes import DatasetError, member, option_label, plain_dict
from accord.formats.zipped import zip_chunks

COLUMNS = ("frame", "id", "bb_left", "bb_top", "bb_width", "bb_height", "conf", "class")
COLUMN_COUNT = len(COLUMNS) + 1  # and visibility
OCCLUDED_BELOW = 0.5  # visibility under this: the keyframe is occluded
VISIBILITY = "visibility"  # a mutable number attribute of that name keeps the exact value
MAX_GT_BYTES = 256 << 20
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
NO_TRACKS = (
    "the project has no tracks question with shape: box over a video field, which "
    "MOTChallenge boxes go to: add a field {name: clip, kind: video} and a question "
    "{name: objects, kind: tracks, target: clip, shape: box, labels: [pedestrian, ...]}"
)


# -- the project's side -------------------------------------------------------------------


@dataclass(frozen=True)
class TrackSchema:
    """The ``tracks`` question (shape ``box``) MOT rows go to, and its video field."""

    video_field: str
    question: str
    labels: tuple[str, ...]
    visibility: bool  # the question has a mutable number attribute ``visibility``

    @classmethod
    def of(cls, interface: Any, question: str | None = None) -> TrackSchema:
        """The ``tracks`` question with ``shape: box`` over a video field of the interface
        (`accord.kinds.Interface` or its JSON) named ``question``, or without a name the only
        one; `DatasetError` when there is none, `QuestionChoiceError` when there are several
        and none is named, or the name is not one of them
        (`accord.formats.format_question.choose`)."""
        fields = [plain_dict(f) for f in member(interface, "fields") or []]
        videos = {f["name"] for f in fields if f.get("kind") == "video"}
        questions = [plain_dict(q) for q in member(interface, "questions") or []]
        suitable = [
            q
            for q in questions
            if q.get("kind") == "tracks"
            and q.get("target") in videos
            and (q.get("shape") or "box") == "box"
        ]
        q = choose(
            questions,
            suitable,
            question,
            "tracks questions with shape box over a video",
            "a MOTChallenge file",
            NO_TRACKS,
        )
        visibility = any(
            str(member(a, "name")) == VISIBILITY
            and member(a, "type") == "number"
            and bool(member(a, "mutable"))
            for a in q.get("attributes") or []
        )
        labels = tuple(option_label(o) for o in q.get("labels") or [])
        return cls(str(q["target"]), str(q["name"]), labels, visibility)


# -- seqinfo.ini ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeqInfo:
    """A sequence's ``seqinfo.ini`` (section ``[Sequence]``); None where it says nothing."""

    name: str | None = None
    frame_rate: float | None = None
    length: int | None = None
    width: int | None = None
    height: int | None = None
    im_dir: str = "img1"
    im_ext: str = ".jpg"


def read_seqinfo(path: Path) -> SeqInfo:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(path.read_text(encoding="utf-8-sig"), source=str(path))
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        raise DatasetError(f"{path}: cannot read it ({exc}); it is an INI file") from None
    if not parser.has_section("Sequence"):
        raise DatasetError(f"{path}: no [Sequence] section; MOTChallenge's seqinfo.ini has one")
    section = parser["Sequence"]

    def whole(key: str) -> int | None:
        value = _number(section.get(key), f"{path}: {key}")
        if value is None:
            return None
        if not value.is_integer() or value < 1:
            raise DatasetError(f"{path}: {key}={section.get(key)} is not a whole number >= 1")
        return int(value)

    rate = _number(section.get("frameRate"), f"{path}: frameRate")
    if rate is not None and rate <= 0:
        raise DatasetError(f"{path}: frameRate={section.get('frameRate')} is not above 0")
    ext = (section.get("imExt") or ".jpg").strip()
    return SeqInfo(
        name=(section.get("name") or "").strip() or None,
        frame_rate=rate,
        length=whole("seqLength"),
        width=whole("imWidth"),
        height=whole("imHeight"),
        im_dir=(section.get("imDir") or "img1").strip() or "img1",
        im_ext=ext if ext.startswith(".") else "." + ext,
    )


def _number(text: str | None, where: str) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise DatasetError(f"{where}: {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise DatasetError(f"{where}: {text.strip()!r} is not a finite number")
    return value


def seqinfo_text(info: SeqInfo) -> str:
    lines = ["[Sequence]", f"name={info.name}", f"imDir={info.im_dir}"]
    if info.frame_rate is not None:
        lines.append(f"frameRate={number_text(info.frame_rate)}")
    if info.length is not None:
        lines.append(f"seqLength={info.length}")
    if info.width is not None and info.height is not None:
        lines += [f"imWidth={info.width}", f"imHeight={info.height}"]
    lines.append(f"imExt={info.im_ext}")
    return "\n".join(lines) + "\n"


# -- gt.txt, read -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """One kept row of a track: its 0-based frame, box, visibility and line."""

    frame: int
    x: float
    y: float
    w: float
    h: float
    visibility: float
    line: int


@dataclass
class GroundTruth:
    """A ``gt.txt`` read: each track's rows (by frame) and label, and what was left out."""

    path: Path
    tracks: dict[int, list[Box]] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)
    rows: int = 0
    ignored: int = 0  # conf 0
    clipped: int = 0  # reached out of the picture: clipped to it
    outside: int = 0  # wholly out of the picture: skipped


def read_gt(
    path: Path,
    labels: tuple[str, ...],
    length: int | None,
    size: tuple[int, int] | None,
) -> GroundTruth:
    """Read and check ``gt.txt`` (see the module); ``length``: the sequence's frames,
    ``size``: its picture (width, height), for the checks and the clipping."""
    if not path.is_file():
        raise DatasetError(
            f"{path}: missing; a MOTChallenge sequence has its ground truth in gt/gt.txt "
            "(frame, id, bb_left, bb_top, bb_width, bb_height, conf, class, visibility)"
        )
    if path.stat().st_size > MAX_GT_BYTES:
        raise DatasetError(f"{path}: larger than {MAX_GT_BYTES >> 20} MiB; split the sequence")
    gt = GroundTruth(path)
    seen: set[tuple[int, int]] = set()
    class_line: dict[int, tuple[int, int]] = {}
    with path.open(encoding="utf-8-sig") as file:
        for number, text in enumerate(file, 1):
            if not text.strip():
                continue
            try:
                _add_row(gt, text, number, labels, length, size, seen, class_line)
            except ValueError as exc:
                raise DatasetError(f"{path}, line {number}: {exc}") from None
    for boxes in gt.tracks.values():
        boxes.sort(key=lambda b: b.frame)
    return gt


def _add_row(
    gt: GroundTruth,
    text: str,
    number: int,
    labels: tuple[str, ...],
    length: int | None,
    size: tuple[int, int] | None,
    seen: set[tuple[int, int]],
    class_line: dict[int, tuple[int, int]],
) -> None:
    cells = [c.strip() for c in text.split(",")]
    if len(cells) != COLUMN_COUNT:
        raise ValueError(
            f"{len(cells)} values; a MOT16/17 ground-truth row has {COLUMN_COUNT}: "
            f"{', '.join(COLUMNS)}, visibility"
        )
    values = []
    for name, cell in zip((*COLUMNS, "visibility"), cells, strict=True):
        try:
            value = float(cell)
        except ValueError:
            raise ValueError(f"{name}: {cell!r} is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"{name}: {cell!r} is not a finite number")
        values.append(value)
    frame, ident, x, y, w, h, conf, cls, visibility = values
    for name, value in (("frame", frame), ("id", ident), ("class", cls)):
        if not value.is_integer():
            raise ValueError(f"{name}: {value:g} is not a whole number")
    if frame < 1:
        raise ValueError(f"frame {frame:g}: frames are counted from 1")
    if length is not None and frame > length:
        raise ValueError(f"frame {int(frame)} is past the sequence's {length} frames (seqLength)")
    if w <= 0 or h <= 0:
        raise ValueError(f"bb_width and bb_height must be above 0, got {w:g} and {h:g}")
    track, k = int(ident), int(cls)
    if (track, int(frame)) in seen:
        raise ValueError(f"track {track} has a second row for frame {int(frame)}")
    seen.add((track, int(frame)))
    gt.rows += 1
    if conf == 0:
        gt.ignored += 1
        return
    if not 1 <= k <= len(labels):
        raise ValueError(
            f"class {k} has no label: class k is the tracks question's k-th label and it has "
            f"{len(labels)} ({', '.join(labels)}); add labels to the question"
        )
    first = class_line.setdefault(track, (k, number))
    if first[0] != k:
        raise ValueError(
            f"track {track} is class {k} here but class {first[0]} on line {first[1]}; a "
            "track keeps one class"
        )
    box = _clipped(gt, int(frame) - 1, x, y, w, h, visibility, number, size)
    if box is not None:
        gt.labels[track] = labels[k - 1]
        gt.tracks.setdefault(track, []).append(box)


def _clipped(
    gt: GroundTruth,
    frame: int,
    x: float,
    y: float,
    w: float,
    h: float,
    visibility: float,
    line: int,
    size: tuple[int, int] | None,
) -> Box | None:
    if size is not None:
        width, height = size
        if x < 0 or y < 0 or x + w > width or y + h > height:
            x0, y0 = max(x, 0.0), max(y, 0.0)
            x1, y1 = min(x + w, float(width)), min(y + h, float(height))
            if x1 <= x0 or y1 <= y0:
                gt.outside += 1
                return None
            gt.clipped += 1
            x, y, w, h = x0, y0, x1 - x0, y1 - y0
    return Box(frame, number(x), number(y), number(w), number(h), visibility, line)


# -- gt.txt, written ---------------------------------------------------------------------------


def number(value: float) -> float:
    """Whole numbers as integers (``12``, not ``12.0``), the rest unchanged."""
    return int(value) if float(value).is_integer() else float(value)


def number_text(value: float) -> str:
    """``value`` as text that reads back as the same float: ``12``, ``12.5``, ``0.1``."""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


@dataclass
class VideoRow:
    """One task as a MOT sequence: its folder name, video facts, and the answer written."""

    task_id: int
    name: str
    frames: int | None
    fps: float | None
    width: int | None
    height: int | None
    answer: dict[str, Any] = field(default_factory=dict)


def folder_name(external_id: str | None, task_id: int, seen: set[str]) -> str:
    """A folder name for the task's sequence: its id with only letters, digits, ``.``,
    ``_`` and ``-`` kept (others become ``_``), unique in the export."""
    name = SAFE_NAME.sub("_", external_id or "").strip("._") or f"task-{task_id}"
    if name.lower() in seen:
        name = f"{name}-task{task_id}"
    seen.add(name.lower())
    return name


def mot_ids(tracks: list[dict[str, Any]]) -> list[int]:
    """A MOT id per track: N for an id ``tN`` (or ``N``) seen once, else the next unused."""
    wanted = [_id_number(t.get("id")) for t in tracks]
    counts: dict[int, int] = {}
    for n in wanted:
        if n is not None:
            counts[n] = counts.get(n, 0) + 1
    used = {n for n, c in counts.items() if c == 1}
    out, free = [], 1
    for n in wanted:
        if n is not None and n in used:
            out.append(n)
            continue
        while free in used:
            free += 1
        used.add(free)
        out.append(free)
    return out


def _id_number(ident: Any) -> int | None:
    match = re.fullmatch(r"t?(\d{1,15})", str(ident))
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


def gt_lines(schema: TrackSchema, row: VideoRow) -> Iterator[str]:
    """The ``gt.txt`` rows of the task's tracks, by track then frame."""
    from accord.formats.yolo import corners
    from accord.quality.tracks import track_states

    value = row.answer.get(schema.question)
    tracks = value.get("tracks") if isinstance(value, Mapping) else None
    if not isinstance(tracks, list):
        return
    classes = {label: k for k, label in enumerate(schema.labels, 1)}
    kept = [t for t in tracks if isinstance(t, dict) and t.get("label") in classes]
    for track, ident in sorted(zip(kept, mot_ids(kept), strict=True), key=lambda p: p[1]):
        cls = classes[track["label"]]
        for frame, state in track_states(track, "box", row.frames):
            x, y, w, h = state["x"], state["y"], state["w"], state["h"]
            if state.get("rotation"):
                points = corners(state)
                xs, ys = [p[0] for p in points], [p[1] for p in points]
                x, y, w, h = min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)
            visible = (state.get("attributes") or {}).get(VISIBILITY) if schema.visibility else None
            if not isinstance(visible, int | float) or isinstance(visible, bool):
                visible = 0 if state.get("occluded") else 1
            cells = (x, y, w, h)
            yield (
                f"{frame + 1},{ident},{','.join(number_text(c) for c in cells)},1,{cls},"
                f"{number_text(visible)}\n"
            )


def mot_chunks(schema: TrackSchema, rows: Iterable[VideoRow]) -> Iterator[bytes]:
    """The zip of one ``SEQUENCE/`` folder per task (see the module)."""
    return zip_chunks(_entries(schema, rows))


def _entries(schema: TrackSchema, rows: Iterable[VideoRow]) -> Iterator[tuple[str, bytes]]:
    for row in rows:
        info = SeqInfo(
            name=row.name,
            frame_rate=row.fps,
            length=row.frames,
            width=row.width,
            height=row.height,
        )
        yield f"{row.name}/seqinfo.ini", seqinfo_text(info).encode()
        yield f"{row.name}/gt/gt.txt", "".join(gt_lines(schema, row)).encode()
