"""YouTube-VIS style JSON (``--format ytvis``) for ``tracks`` questions of boxes and polygons,
both ways (docs/video.md, "YouTube-VIS").

One JSON for a whole project: ``videos`` ``[{id, name, file_names, width, height, length}]``,
``annotations`` ``[{id, video_id, category_id, bboxes, segmentations, areas, iscrowd}]``
(one per track; ``bboxes[f]`` ``[x, y, w, h]`` and ``segmentations[f]`` a list of polygons
``[x1, y1, x2, y2, ...]``, or null where the object is absent, one entry per frame of the
video) and ``categories`` ``[{id, name}]``.

Reading (`read_ytvis`) checks every video and annotation and raises a `DatasetError` naming
the file and the element (``annotations[3] (id 17): bboxes[12]: ...``). An annotation with a
segmentation goes to the first polygon ``tracks`` question offering its category, else to the
first box one; one no question takes is left out and counted. An RLE segmentation (COCO's
compressed or uncompressed form) is read as its largest part's outline
(`accord.formats.ytvis_masks`; the other parts counted); a frame of several polygons is
refused (an Accord polygon track has one outline per frame). Frames become keyframes as MOT rows do
(`accord.formats.video_tracks.keyframes_of`, within `TOLERANCE`, a millionth of a pixel:
an interpolated outline recomputed between other keyframes differs in its last bits): a
gap, or the end of the rows before the video's last frame, is an ``outside`` keyframe. A
video's name is ``name``, else the folder of its first ``file_names`` entry; it is the
task's id.

Writing (`ytvis_chunks`): categories are the questions' labels, 1-based; each task one video
(``length`` its frame count; without one, up to the last frame a track is on) and each
track one annotation whose lists give every frame (`accord.quality.tracks.track_states`):
boxes in ``bboxes`` (a rotated box as the upright box around it) with null
``segmentations``, polygons in ``segmentations`` with their bounding boxes; ``areas`` the
box's or polygon's area. Annotations carry Accord's ``track_id`` (read back as the track's
id), as their ``id`` must be unique in the file, and under ``accord`` what the format has no
place for (attributes, occlusion, rotation, which frames are keyframes:
`accord.formats.ytvis_accord`), so that an export reads back as the same tracks.
"""

from __future__ import annotations

import math
import posixpath
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from accord.formats.mot import VideoRow
from accord.formats.shapes import DatasetError
from accord.formats.video_tracks import (
    Row,
    TrackQuestion,
    VideoSchema,
    answer_tracks,
    keyframes_of,
    number,
)
from accord.formats.yolo import corners
from accord.formats.ytvis_accord import KEY, extension_of, extension_track
from accord.formats.ytvis_masks import is_rle, mask_outline
from accord.quality.tracks import track_states

MAX_JSON_BYTES = 1 << 30
TOLERANCE = 1e-6  # px: interpolation recomputed from other keyframes differs in the last bits
SHAPES = ("box", "polygon")


def ytvis_schema(interface: Any, fmt: str = "ytvis") -> VideoSchema:
    """The box and polygon ``tracks`` questions over the video field (for ``fmt`` ytvis or
    coco-video, which hold the same)."""
    schema = VideoSchema.of(interface, fmt)
    kept = tuple(q for q in schema.questions if q.shape in SHAPES)
    if not kept:
        named = "YouTube-VIS" if fmt == "ytvis" else "COCO per frame"
        raise DatasetError(
            f"the project's tracks questions follow points; {named} holds boxes and "
            "polygons: add a tracks question with shape: box or polygon"
        )
    return VideoSchema(schema.video_field, kept)


@dataclass
class Video:
    """A video of the file with the tracks read for it, keyed by question."""

    ident: Any
    name: str
    width: int
    height: int
    length: int
    where: str
    tracks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class YtvisFile:
    path: Path
    videos: list[Video] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # "label (shape)": tracks left out


def read_ytvis(path: Path, schema: VideoSchema) -> YtvisFile:
    """Read and check a YouTube-VIS JSON (see the module)."""
    data = loaded_json(path, ("videos", "annotations", "categories"), "YouTube-VIS has all three")
    found = YtvisFile(path)
    categories = ytvis_categories(path, data["categories"])
    videos = read_videos(path, data["videos"])
    found.videos = list(videos.values())
    for i, entry in enumerate(data["annotations"]):
        where = f"{path}: annotations[{i}]"
        if not isinstance(entry, dict):
            raise DatasetError(f"{where}: expected an object")
        where += f" (id {entry.get('id')})"
        annotation_track(found, schema, categories, videos, entry, where)
    return found


def loaded_json(path: Path, keys: tuple[str, ...], holds: str) -> dict[str, Any]:
    """The dataset JSON at ``path``, an object whose ``keys`` are lists (``holds`` says what
    the format has, for the error), or a `DatasetError` naming the file."""
    if not path.is_file():
        raise DatasetError(f"{path}: no such file")
    if path.stat().st_size > MAX_JSON_BYTES:
        raise DatasetError(f"{path}: larger than {MAX_JSON_BYTES >> 20} MiB")
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise DatasetError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise DatasetError(f"{path}: expected an object with {', '.join(keys)}")
    for key in keys:
        if not isinstance(data.get(key), list):
            raise DatasetError(f"{path}: {key} must be a list ({holds})")
    return data


def read_videos(path: Path, entries: list[Any]) -> dict[Any, Video]:
    """The file's ``videos`` by id, each checked (`video_entry`); ids and names unique."""
    videos: dict[Any, Video] = {}
    for i, entry in enumerate(entries):
        video = video_entry(path, i, entry)
        if video.ident in videos:
            raise DatasetError(f"{video.where}: a second video with id {video.ident!r}")
        if any(v.name == video.name for v in videos.values()):
            raise DatasetError(f"{video.where}: a second video named {video.name!r}")
        videos[video.ident] = video
    return videos


def ytvis_categories(path: Path, entries: list[Any]) -> dict[Any, str]:
    out = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or "id" not in entry or not entry.get("name"):
            raise DatasetError(f"{path}: categories[{i}]: expected {{id, name}}")
        out[entry["id"]] = str(entry["name"])
    return out


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def video_entry(path: Path, i: int, entry: Any) -> Video:
    where = f"{path}: videos[{i}]"
    if not isinstance(entry, dict) or "id" not in entry:
        raise DatasetError(f"{where}: expected an object with id, width, height, length")
    where += f" (id {entry['id']})"
    names = entry.get("file_names")
    length = entry.get("length", len(names) if isinstance(names, list) else None)
    for key, value in (("width", entry.get("width")), ("height", entry.get("height"))):
        if not _whole(value):
            raise DatasetError(f"{where}: {key} {value!r} is not a whole number above 0")
    if not _whole(length):
        raise DatasetError(f"{where}: length {length!r} is not a whole number above 0")
    name = entry.get("name")
    if not name and isinstance(names, list) and names and isinstance(names[0], str):
        name = posixpath.dirname(names[0]) or None
    if not name:
        raise DatasetError(f"{where}: no name, and no file_names to take the video's name from")
    return Video(entry["id"], str(name), entry["width"], entry["height"], int(length or 0), where)


def annotation_track(
    found: YtvisFile,
    schema: VideoSchema,
    categories: Mapping[Any, str],
    videos: Mapping[Any, Video],
    entry: Mapping[str, Any],
    where: str,
) -> None:
    """The track of a YouTube-VIS annotation (``where``: the file and element, for errors),
    added to its video's tracks, or counted in ``found.skipped``."""
    video = videos.get(entry.get("video_id"))
    if video is None:
        raise DatasetError(f"{where}: video_id {entry.get('video_id')!r} is no video's id")
    label = categories.get(entry.get("category_id"))
    if label is None:
        raise DatasetError(f"{where}: category_id {entry.get('category_id')!r} is no category")
    bboxes, segmentations = entry.get("bboxes"), entry.get("segmentations")
    outlined = isinstance(segmentations, list) and any(s is not None for s in segmentations)
    shape = "polygon" if outlined else "box"
    question = schema.question_for(shape, label)
    if question is None:
        found.skipped[f"{label} ({shape})"] += 1
        return
    values = segmentations if outlined else bboxes
    key = "segmentations" if outlined else "bboxes"
    if not isinstance(values, list) or len(values) != video.length:
        count = len(values) if isinstance(values, list) else None
        raise DatasetError(
            f"{where}: {key} has {count} entries, but the video has {video.length} frames: "
            "one entry per frame, null where the object is absent"
        )
    rows = []
    for frame, value in enumerate(values):
        if value is None:
            continue
        at = f"{where}: {key}[{frame}]"
        if outlined and is_rle(value):
            outline = mask_outline(value, at, (video.height, video.width))
            if outline.parts_left_out:
                found.skipped[f"{label} (parts of masks)"] += outline.parts_left_out
            if outline.keys is None:
                continue
            keys = outline.keys
        else:
            keys = polygon_keys(value, at) if outlined else box_keys(value, at)
        rows.append(Row(frame, keys))
    if not rows:
        return
    track = _track(entry, question, label, _with_gaps(rows, video.length))
    if entry.get(KEY) is not None:
        track = extension_track(
            entry[KEY],
            track,
            question,
            values,
            polygon_keys if outlined else box_keys,
            lambda state: _frame(question, state)[1 if outlined else 0],
            where,
        )
    found_ids = {t["id"] for t in video.tracks.get(question.name, [])}
    if track["id"] in found_ids:
        raise DatasetError(f"{where}: a second track {track['id']!r} in {video.name}")
    video.tracks.setdefault(question.name, []).append(track)


def box_keys(value: Any, at: str) -> dict[str, Any]:
    if not (isinstance(value, list) and len(value) == 4 and all(_finite(v) for v in value)):
        raise DatasetError(f"{at}: expected [x, y, w, h] (4 numbers) or null")
    x, y, w, h = value
    if w <= 0 or h <= 0:
        raise DatasetError(f"{at}: w and h must be above 0, got {w:g} and {h:g}")
    return {"x": number(x), "y": number(y), "w": number(w), "h": number(h)}


def polygon_keys(value: Any, at: str) -> dict[str, Any]:
    """A frame's segmentation as a polygon keyframe's keys: one polygon, or an RLE mask's
    outline (`accord.formats.ytvis_masks`; an empty mask is refused here)."""
    if is_rle(value):
        outline = mask_outline(value, at)
        if outline.keys is None:
            raise DatasetError(f"{at}: the RLE mask is empty or too thin to outline")
        return outline.keys
    if not isinstance(value, list) or len(value) != 1:
        count = len(value) if isinstance(value, list) else "no"
        raise DatasetError(
            f"{at}: {count} polygons; an Accord polygon track has one outline per frame: "
            "give one polygon [[x1, y1, x2, y2, ...]] per frame, or null"
        )
    flat = value[0]
    if not isinstance(flat, list) or len(flat) < 6 or len(flat) % 2:
        raise DatasetError(f"{at}: a polygon is [x1, y1, x2, y2, x3, y3, ...] (3 points or more)")
    if not all(_finite(v) for v in flat):
        raise DatasetError(f"{at}: a polygon's coordinates are finite numbers")
    return {"points": [[number(flat[j]), number(flat[j + 1])] for j in range(0, len(flat), 2)]}


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _with_gaps(rows: list[Row], length: int) -> list[Row]:
    """The rows with an outside row after each run of consecutive frames that the track
    does not keep to the video's end."""
    out: list[Row] = []
    for i, row in enumerate(rows):
        out.append(row)
        following = rows[i + 1].frame if i + 1 < len(rows) else length
        if following > row.frame + 1:
            out.append(Row(row.frame + 1, {}, outside=True))
    return out


def _track(
    entry: Mapping[str, Any], question: TrackQuestion, label: str, rows: list[Row]
) -> dict[str, Any]:
    own = entry.get("track_id")
    ident = own if isinstance(own, str) and 0 < len(own) <= 64 else f"t{entry.get('id')}"
    track: dict[str, Any] = {"id": ident, "label": label}
    score = entry.get("score")
    if isinstance(score, int | float) and _finite(score) and 0 <= score <= 1:
        track["score"] = score
    track["keyframes"] = keyframes_of(rows, question.shape, TOLERANCE)
    return track


# -- writing ---------------------------------------------------------------------------------


def ytvis_chunks(schema: VideoSchema, rows: Iterable[VideoRow]) -> Iterator[bytes]:
    """The JSON (see the module), streamed: videos as they come, annotations kept in a
    temporary file meanwhile."""
    categories = [{"id": i, "name": n} for i, n in enumerate(schema.labels, 1)]
    ids = {name: i for i, name in enumerate(schema.labels, 1)}
    yield b'{"info":{"description":"Accord export"},"categories":'
    yield orjson.dumps(categories)
    yield b',"videos":['
    counter = 0
    with tempfile.SpooledTemporaryFile(max_size=16 << 20) as spool:
        for number_, row in enumerate(rows, 1):
            annotations, length = video_annotations(schema, ids, row, number_, counter)
            counter += len(annotations)
            for annotation in annotations:
                spool.write(b"," if spool.tell() else b"")
                spool.write(orjson.dumps(annotation))
            video = {
                "id": number_,
                "name": row.name,
                "width": row.width,
                "height": row.height,
                "length": length,
                "file_names": [f"{row.name}/{f:05d}.jpg" for f in range(length)],
            }
            yield (b"," if number_ > 1 else b"") + orjson.dumps(video)
        yield b'],"annotations":['
        spool.seek(0)
        while chunk := spool.read(1 << 20):
            yield chunk
    yield b"]}\n"


def video_annotations(
    schema: VideoSchema, ids: Mapping[str, int], row: VideoRow, video_id: int, counter: int
) -> tuple[list[dict[str, Any]], int]:
    """The task's annotations, one per track with its per-frame lists (``bboxes``,
    ``segmentations``, ``areas``: null where the track is outside), their ids from
    ``counter`` + 1; and the video's length."""
    found = []
    for question in schema.questions:
        for track in answer_tracks(row.answer, question):
            found.append((question, track, list(track_states(track, question.shape, row.frames))))
    length = row.frames
    if length is None:
        length = max((s[-1][0] + 1 for _, _, s in found if s), default=0)
    out = []
    for question, track, states in found:
        counter += 1
        bboxes: list[Any] = [None] * length
        segmentations: list[Any] = [None] * length
        areas: list[Any] = [None] * length
        for frame, state in states:
            if frame >= length:
                break
            bboxes[frame], segmentations[frame], areas[frame] = _frame(question, state)
        annotation: dict[str, Any] = {
            "id": counter,
            "video_id": video_id,
            "category_id": ids[track["label"]],
            "track_id": str(track["id"]),
            "iscrowd": 0,
            "bboxes": bboxes,
            "segmentations": segmentations,
            "areas": areas,
        }
        if isinstance(track.get("score"), int | float):
            annotation["score"] = track["score"]
        annotation[KEY] = extension_of(question, track)
        out.append(annotation)
    return out, length


def _frame(question: TrackQuestion, state: Mapping[str, Any]) -> tuple[Any, Any, Any]:
    """The frame's bbox, segmentation and area."""
    if question.shape == "box":
        x, y, w, h = (state[k] for k in ("x", "y", "w", "h"))
        if state.get("rotation"):
            points = corners(state)
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            x, y, w, h = min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)
        box = [number(x), number(y), number(w), number(h)]
        return box, None, number(state["w"] * state["h"])
    points = state["points"]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    box = [number(min(xs)), number(min(ys)), number(max(xs) - min(xs)), number(max(ys) - min(ys))]
    flat = [number(c) for p in points for c in p]
    area = 0.0
    for j in range(len(points)):
        x0, y0 = points[j]
        x1, y1 = points[(j + 1) % len(points)]
        area += x0 * y1 - x1 * y0
    return box, [flat], number(abs(area) / 2)
