"""Importing CVAT video XML or YouTube-VIS tracks with their videos into ``tracks`` questions,
and exporting CVAT video XML into a folder (docs/video.md, "CVAT video XML", "YouTube-VIS").

Import (`import_video_tracks`), ``format`` ``cvat-video`` (``path``: an XML file or a folder
of them, one per video) or ``ytvis`` (``path``: the JSON):

1. the files are read and checked (`accord.formats.cvat_video.read_cvat`,
   `accord.formats.ytvis.read_ytvis`); each video is looked for in the media folder (by
   default the files' folder): CVAT's ``<source>``, else ``NAME.mp4`` (``.m4v``, ``.mov``,
   ``.webm``, ``.mkv``) for the task's name or the XML file's name; YouTube-VIS's video name
   the same way. Each is probed here (frames, size) and checked against the file (CVAT's
   ``size`` and ``original_size``, YouTube-VIS's ``length``, ``width``, ``height``; no
   frame past the end), and the tracks are checked as the question checks answers; the
   first problem raises a `DatasetError` naming the file (and line or element), before
   anything is uploaded;
2. the videos are uploaded (``POST /projects/{id}/media``), one per request;
3. one row per video, ``{"id": NAME, <video field>: {src, frames, fps, width, height,
   duration}, "predictions": [{"model_version": "<format>:NAME", "result": {...}}]}``, is
   imported as a background job (with ``source``: as a submitted annotation by that named
   source). The name is the task's id: importing again adds nothing twice.

Export (`export_cvat_folder`): the server's ``cvat-video`` zip unpacked into a folder.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.formats.cvat_video import CvatFile, check_video, read_cvat
from accord.formats.datasets import listed
from accord.formats.mot_sequences import VIDEO_SUFFIXES, probe_video
from accord.formats.shapes import DatasetError
from accord.formats.video_tracks import VideoSchema
from accord.formats.ytvis import read_ytvis, ytvis_schema
from accord.kinds import parse_interface

if TYPE_CHECKING:
    from accord.sdk.client import Client


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
        "holding the videos with --media (media_dir)"
    )


def _cvat_clips(path: Path, schema: VideoSchema, media: Path) -> tuple[list[Clip], Counter[str]]:
    files = sorted(path.rglob("*.xml")) if path.is_dir() else [path]
    if not files:
        raise DatasetError(f"{path}: no .xml files; give a CVAT for video 1.1 XML or a folder")
    skipped: Counter[str] = Counter()
    clips = []
    for file in files:
        found: CvatFile = read_cvat(file, schema)
        video = _find_video(media, [found.source, found.name, file.stem], str(file))
        frames, fps, width, height = probe_video(video)
        check_video(found, frames, width, height)
        skipped.update(found.skipped)
        skipped.update({f"attribute {k}": v for k, v in found.attributes_left.items()})
        clip = Clip(found.name or file.stem, str(file), video, frames, fps, width, height)
        clip.tracks = found.keyframe_tracks()
        for question, tracks in clip.tracks.items():
            for i, track in enumerate(tracks):
                line = next(t.line for t in found.tracks if f"t{t.ident}" == track["id"])
                clip.labels[(question, i)] = f'line {line}: <track id="{track["id"][1:]}">'
        clips.append(clip)
    return clips, skipped


def _ytvis_clips(path: Path, schema: VideoSchema, media: Path) -> tuple[list[Clip], Counter[str]]:
    found = read_ytvis(path, schema)
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


def import_video_tracks(
    client: Client,
    project_id: int,
    path: Path,
    fmt: str,
    media_dir: Path | None = None,
    *,
    on_upload: Callable[[int, int], None] | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """Check, upload the videos and start the import job (see the module). Returns the job
    with ``dataset``: ``videos``, ``uploaded`` (stored anew), ``tracks``, ``keyframes`` and
    ``skipped`` (tracks of a label or shape no question takes, ``"label (shape)"``, and
    undeclared attributes, ``"attribute NAME"``: how many of each)."""
    raw = client.project(project_id).raw["interface"]
    schema = ytvis_schema(raw) if fmt == "ytvis" else VideoSchema.of(raw, fmt)
    if not path.exists():
        raise DatasetError(f"{path}: no such file or folder")
    media = media_dir or (path if path.is_dir() else path.parent)
    if not media.is_dir():
        raise DatasetError(f"{media}: no such folder")
    read = _ytvis_clips if fmt == "ytvis" else _cvat_clips
    clips, skipped = read(path, schema, media)
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
        (answer,) = client.upload_media(project_id, [(clip.video.name, clip.video)])
        uploaded += 1 if answer.get("stored", True) else 0
        facts = answer.get("video") or {}
        if facts.get("frames") != clip.frames:
            raise DatasetError(
                f"{clip.video}: the server counts {facts.get('frames')} frames in it, not "
                f"{clip.frames}; nothing was imported"
            )
        value = {
            "src": answer["src"],
            "frames": clip.frames,
            "fps": clip.fps,
            "width": answer["width"],
            "height": answer["height"],
            "duration": facts["duration"],
        }
        row: dict[str, Any] = {"id": clip.name, schema.video_field: value}
        if clip.tracks:
            result = {q: {"tracks": t} for q, t in clip.tracks.items()}
            row["predictions"] = [{"model_version": f"{fmt}:{clip.name}", "result": result}]
        rows.append(row)
        if on_upload is not None:
            on_upload(done, len(clips))
    job = client.start_import(project_id, rows, source=source)
    tracks = [t for clip in clips for ts in clip.tracks.values() for t in ts]
    job["dataset"] = {
        "videos": len(clips),
        "uploaded": uploaded,
        "tracks": len(tracks),
        "keyframes": sum(len(t["keyframes"]) for t in tracks),
        "skipped": dict(skipped),
    }
    return job


def export_cvat_folder(client: Client, project_id: int, folder: Path, **filters: Any) -> list[str]:
    """Export the project as ``cvat-video`` into ``folder`` (made if missing): one
    ``NAME.xml`` per task. Returns the files' names."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as spool:
        for chunk in client.export_bytes(project_id, "cvat-video", filters):
            spool.write(chunk)
        spool.seek(0)
        with zipfile.ZipFile(spool) as zipped:
            zipped.extractall(folder)  # strips absolute paths and ``..`` from member names
            names = [n for n in zipped.namelist() if not n.endswith("/")]
    return sorted(names)
