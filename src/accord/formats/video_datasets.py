"""Video datasets (CVAT video XML, YouTube-VIS, MOTChallenge) as import rows, for the SDK and
the server alike (docs/video.md).

Both import paths make the same rows from the same files: the SDK from a person's folder,
uploading each video with ``POST /projects/{id}/media`` (`accord.sdk.video_tracks`,
`accord.sdk.mot`); the server from a zip sent to ``POST /projects/{id}/imports?format=...``
(`accord.actions.media_dataset_imports`), storing each video as that upload stores it. Which
of the two it is comes in as ``upload``: files (name, path) in, the upload's answers out.

1. The files are read and checked (`accord.formats.cvat_video.read_cvat`,
   `accord.formats.ytvis.read_ytvis`, `accord.formats.mot.read_gt` with
   `accord.formats.mot_sequences`): each video is looked for in the media folder (CVAT's
   ``<source>``, else ``NAME.mp4`` (``.m4v``, ``.mov``, ``.webm``, ``.mkv``) for the task's
   name or the XML file's name; YouTube-VIS's video name the same way; a MOT sequence's video
   file or its ``img1/`` frames, encoded into an MP4 first), probed (frames, size) and checked
   against the file, and the tracks are checked as the question checks answers; the first
   problem raises a `DatasetError` naming the file (and line or element), before anything is
   uploaded;
2. the videos are uploaded, one per call of ``upload``;
3. one row per video, ``{"id": NAME, <video field>: {src, frames, fps, width, height,
   duration}, "predictions": [{"model_version": "<format>:NAME", "result": {...}}]}``. The
   name is the task's id: importing again adds nothing twice.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.formats.coco_video import read_coco_video
from accord.formats.cvat_video import check_video, read_cvat_tasks
from accord.formats.datasets import listed
from accord.formats.mot import SAFE_NAME, GroundTruth, TrackSchema, read_gt
from accord.formats.mot_keyframes import tracks_of
from accord.formats.mot_sequences import (
    VIDEO_SUFFIXES,
    Sequence,
    open_sequence,
    probe_video,
    sequence_folders,
)
from accord.formats.shapes import DatasetError
from accord.formats.video_tracks import VideoSchema
from accord.formats.ytvis import YtvisFile, read_ytvis, ytvis_schema
from accord.kinds import parse_interface

VIDEO_DATASET_FORMATS = ("mot", "cvat-video", "ytvis", "coco-video")

# Files (name to store it under, path) in; the upload's answer for each out: ``src``,
# ``width``, ``height``, ``stored`` and ``video`` (``frames``, ``duration``...).
Upload = Callable[[list[tuple[str, Path]]], list[dict[str, Any]]]
Uploaded = Callable[[int, int], None]  # (videos uploaded, videos in all): progress


@dataclass
class Clip:
    """A video to import: its task id, file, facts, tracks and where they were read."""

    name: str
    where: str
    video: Path
    frames: int
    fps: float
    width: int
    height: int
    tracks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    labels: dict[tuple[str, int], str] = field(default_factory=dict)  # (question, i): element


def _find_video(folder: Path, names: list[str | None], where: str) -> Path:
    tried = []
    for name in names:
        if not name:
            continue
        exact = folder / name
        if Path(name).suffix.lower() in VIDEO_SUFFIXES and exact.is_file():
            return exact
        stem = Path(name).stem if Path(name).suffix.lower() in VIDEO_SUFFIXES else name
        for suffix in VIDEO_SUFFIXES:
            candidate = folder / f"{stem}{suffix}"
            tried.append(candidate.name)
            if candidate.is_file():
                return candidate
    raise DatasetError(
        f"{where}: its video is not in {folder} (looked for {listed(tried)}); give the folder "
        "holding the videos with --media (media_dir), or put them in the zip"
    )


def _cvat_clips(path: Path, schema: VideoSchema, media: Path) -> tuple[list[Clip], Counter[str]]:
    files = sorted(path.rglob("*.xml")) if path.is_dir() else [path]
    if not files:
        raise DatasetError(f"{path}: no .xml files; give a CVAT for video 1.1 XML or a folder")
    skipped: Counter[str] = Counter()
    clips = []
    for file, found in ((f, t) for f in files for t in read_cvat_tasks(f, schema)):
        where, names = str(file), [found.source, found.name, file.stem]
        if found.kind == "project":  # one of several videos: not named by the file
            where, names = f"{file} (task {found.task_id})", names[:2]
        video = _find_video(media, names, where)
        frames, fps, width, height = probe_video(video)
        check_video(found, frames, width, height)
        skipped.update(found.skipped)
        skipped.update({f"attribute {k}": v for k, v in found.attributes_left.items()})
        clip = Clip(found.name or file.stem, where, video, frames, fps, width, height)
        clip.tracks = found.keyframe_tracks()
        for question, tracks in clip.tracks.items():
            for i, track in enumerate(tracks):
                line = next(t.line for t in found.tracks if f"t{t.ident}" == track["id"])
                clip.labels[(question, i)] = f'line {line}: <track id="{track["id"][1:]}">'
        clips.append(clip)
    return clips, skipped


def _ytvis_clips(found: YtvisFile, media: Path) -> tuple[list[Clip], Counter[str]]:
    """The videos of a YouTube-VIS or COCO per frame file, found in ``media`` and checked."""
    path = found.path
    clips = []
    for entry in found.videos:
        video = _find_video(media, [entry.name], entry.where)
        frames, fps, width, height = probe_video(video)
        if (entry.length, entry.width, entry.height) != (frames, width, height):
            raise DatasetError(
                f"{entry.where}: {entry.length} frames of {entry.width} × {entry.height} in the "
                f"file, but {video.name} has {frames} frames of {width} × {height}; give the "
                "video the annotations were made on"
            )
        clip = Clip(entry.name, str(path), video, frames, fps, width, height, entry.tracks)
        for question, tracks in clip.tracks.items():
            for i, track in enumerate(tracks):
                clip.labels[(question, i)] = f"{entry.where}: the track {track['id']}"
        clips.append(clip)
    return clips, found.skipped


def _check(raw: Any, schema: VideoSchema, clips: list[Clip]) -> None:
    """The question's refusal of a track, named by its file and element."""
    interface = parse_interface(raw, stored=True)
    for clip in clips:
        data = {
            schema.video_field: {
                "src": "unknown",
                "frames": clip.frames,
                "width": clip.width,
                "height": clip.height,
            }
        }
        result = {q: {"tracks": t} for q, t in clip.tracks.items()}
        problems = interface.check_result(result, data, partial=True)
        if not problems:
            continue
        problem = problems[0]
        where = clip.where
        for (question, i), label in clip.labels.items():
            if problem.path.startswith(f"result.{question}.tracks[{i}]"):
                where = f"{clip.where}, {label}" if not label.startswith(clip.where) else label
        raise DatasetError(
            f"{where}: the question refuses it: {problem.path.removeprefix('result.')}: "
            f"{problem.message}; nothing was imported"
        )


def read_sequences(path: Path, schema: TrackSchema) -> list[tuple[Sequence, GroundTruth]]:
    """Every sequence at ``path`` with its ground truth, all checked (step 1)."""
    out: list[tuple[Sequence, GroundTruth]] = []
    named: dict[str, Path] = {}
    for folder in sequence_folders(path):
        sequence = open_sequence(folder)
        if sequence.name in named:
            raise DatasetError(
                f"{folder} and {named[sequence.name]} are both the sequence "
                f"{sequence.name!r} (seqinfo.ini's name); a name is a task's id: rename one"
            )
        named[sequence.name] = folder
        size = (sequence.width, sequence.height)
        out.append((sequence, read_gt(sequence.gt, schema.labels, sequence.length, size)))
    return out


def video_value(answer: dict[str, Any], frames: int, fps: float, where: str) -> dict[str, Any]:
    """The video field's value from the upload's answer, which must count ``frames``."""
    facts = answer.get("video") or {}
    if facts.get("frames") != frames:
        raise DatasetError(
            f"{where}: the server counts {facts.get('frames')} frames in its video, not "
            f"{frames}; nothing was imported"
        )
    return {
        "src": answer["src"],
        "frames": frames,
        "fps": fps,
        "width": answer["width"],
        "height": answer["height"],
        "duration": facts["duration"],
    }


def track_rows(
    raw: Any,
    path: Path,
    fmt: str,
    media_dir: Path | None,
    upload: Upload,
    on_upload: Uploaded | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """CVAT video XML (``path``: a file or a folder of them) or YouTube-VIS (the JSON) against
    the project's interface ``raw``: the rows, and what the dataset held (``videos``,
    ``uploaded`` (stored anew), ``tracks``, ``keyframes`` and ``skipped``: tracks of a label or
    shape no question takes, ``"label (shape)"``, and undeclared attributes, ``"attribute
    NAME"``, how many of each)."""
    schema = VideoSchema.of(raw, fmt) if fmt == "cvat-video" else ytvis_schema(raw, fmt)
    if not path.exists():
        raise DatasetError(f"{path}: no such file or folder")
    media = media_dir or (path if path.is_dir() else path.parent)
    if not media.is_dir():
        raise DatasetError(f"{media}: no such folder")
    if fmt == "cvat-video":
        clips, skipped = _cvat_clips(path, schema, media)
    else:
        read = read_ytvis if fmt == "ytvis" else read_coco_video
        clips, skipped = _ytvis_clips(read(path, schema), media)
    named: dict[str, str] = {}
    for clip in clips:
        if clip.name in named:
            raise DatasetError(
                f"{clip.where} and {named[clip.name]} are both the video {clip.name!r}; a "
                "name is a task's id: rename one"
            )
        named[clip.name] = clip.where
    _check(raw, schema, clips)
    rows, uploaded = [], 0
    for done, clip in enumerate(clips, 1):
        (answer,) = upload([(clip.video.name, clip.video)])
        uploaded += 1 if answer.get("stored", True) else 0
        value = video_value(answer, clip.frames, clip.fps, str(clip.video))
        row: dict[str, Any] = {"id": clip.name, schema.video_field: value}
        if clip.tracks:
            result = {q: {"tracks": t} for q, t in clip.tracks.items()}
            row["predictions"] = [{"model_version": f"{fmt}:{clip.name}", "result": result}]
        rows.append(row)
        if on_upload is not None:
            on_upload(done, len(clips))
    tracks = [t for clip in clips for ts in clip.tracks.values() for t in ts]
    dataset = {
        "videos": len(clips),
        "uploaded": uploaded,
        "tracks": len(tracks),
        "keyframes": sum(len(t["keyframes"]) for t in tracks),
        "skipped": dict(skipped),
    }
    return rows, dataset


def mot_rows(
    raw: Any,
    path: Path,
    upload: Upload,
    on_upload: Uploaded | None = None,
    question: str | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """MOTChallenge sequences (``path``: a sequence folder or a folder of them) against the
    project's interface ``raw``, into its tracks question ``question`` (None: its only one,
    `TrackSchema.of`): the rows, and what the dataset held (``sequences``, ``uploaded``
    (videos stored anew), ``encoded`` (videos made from frames), ``rows`` (of the gt files),
    ``ignored`` (conf 0 rows), ``clipped`` and ``outside`` (boxes reaching out of the
    picture, or wholly out of it), ``tracks`` and ``keyframes``)."""
    schema = TrackSchema.of(raw, question)
    sequences = read_sequences(path, schema)
    report = dict.fromkeys(
        ("uploaded", "encoded", "rows", "ignored", "clipped", "outside", "tracks", "keyframes"),
        0,
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="accord-mot-") as work:
        for done, (sequence, gt) in enumerate(sequences, 1):
            value, stored = _upload_sequence(upload, sequence, Path(work), report)
            report["uploaded"] += stored
            tracks = tracks_of(gt, sequence.length, visibility=schema.visibility)
            for key in ("rows", "ignored", "clipped", "outside"):
                report[key] += getattr(gt, key)
            report["tracks"] += len(tracks)
            report["keyframes"] += sum(len(t["keyframes"]) for t in tracks)
            row: dict[str, Any] = {"id": sequence.name, schema.video_field: value}
            if tracks:
                result = {schema.question: {"tracks": tracks}}
                row["predictions"] = [{"model_version": f"mot:{sequence.name}", "result": result}]
            rows.append(row)
            if on_upload is not None:
                on_upload(done, len(sequences))
    return rows, {"sequences": len(sequences), **report}


def _upload_sequence(
    upload: Upload, sequence: Sequence, work: Path, report: dict[str, int]
) -> tuple[dict[str, Any], int]:
    """Upload the sequence's video (its frames encoded first); the video field's value."""
    from accord.media.video_encoding import encode_frames

    stem = SAFE_NAME.sub("_", sequence.name).strip("._") or "sequence"
    video = sequence.video
    if video is None:
        video = encode_frames(sequence.frames, work / f"{stem}.mp4", sequence.fps)
        report["encoded"] += 1
    try:
        (answer,) = upload([(f"{stem}{video.suffix.lower()}", video)])
    finally:
        if sequence.video is None:
            video.unlink(missing_ok=True)
    where = f"the sequence {sequence.name}"
    value = video_value(answer, sequence.length, sequence.fps, where)
    return value, 1 if answer.get("stored", True) else 0
