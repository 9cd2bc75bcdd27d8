"""RTTM, WebVTT and SRT files as import rows: which recording each file (or RTTM file id)
is about, where that recording is, and the rows made once it is uploaded.

A dataset is one file or a folder of them (``*.rttm``, ``*.vtt`` or ``*.srt``, searched
below the folder). Each recording has a *file id*: an RTTM line's second field, or a
subtitle file's path below the folder without its suffix (``talks/day1.vtt``: ``talks/day1``;
a lone file: its name without suffix). The recording is the file of the media folder named
by the file id, with or without one of `AUDIO_SUFFIXES` (``talks/day1.wav``); the media
folder defaults to the dataset's folder (or the file's).

A row per recording, ``{"id": <file id>, <audio field>: {src, duration, sample_rate,
channels}, "predictions": [{"model_version": "<format>:<file name>", "result": {<question>:
{"segments": [...]}}}]}`` (`accord.formats.audio_tracks` says how spans become segments);
the file id as the task's id, so importing again adds nothing twice.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.formats.audio_tracks import (
    AudioSchema,
    Span,
    check_within,
    kept,
    segments_answer,
    transcript_answer,
    where,
)
from accord.formats.datasets import batches, listed
from accord.formats.rttm import read_rttm
from accord.formats.shapes import DatasetError
from accord.formats.subtitles import read_subtitles
from accord.kinds import Interface, parse_interface

AUDIO_FORMATS = ("rttm", "vtt", "srt")
AUDIO_SUFFIXES = (".wav", ".mp3", ".flac", ".ogg", ".opus", ".m4a", ".aac", ".webm")
MAX_LISTED = 10


@dataclass
class Track:
    """The spans of one recording, and the file they were read from."""

    file_id: str
    source: Path
    spans: list[Span] = field(default_factory=list)


def read_tracks(path: Path, fmt: str) -> list[Track]:
    """The recordings a file or folder of ``fmt`` files describes, in file order."""
    if fmt not in AUDIO_FORMATS:
        raise DatasetError(f"unknown format {fmt!r}; use one of {', '.join(AUDIO_FORMATS)}")
    if path.is_dir():
        files = sorted(p for p in path.rglob(f"*.{fmt}") if p.is_file())
        if not files:
            raise DatasetError(f"{path} holds no .{fmt} file (searched below it too)")
        root = path
    elif path.is_file():
        files, root = [path], path.parent
    else:
        raise DatasetError(f"no such file or folder: {path}")
    if fmt != "rttm":
        return [
            Track(f.relative_to(root).with_suffix("").as_posix(), f, read_subtitles(f, fmt))
            for f in files
        ]
    tracks: dict[str, Track] = {}
    for file in files:
        for file_id, spans in read_rttm(file).items():
            track = tracks.setdefault(file_id, Track(file_id, file))
            if track.source != file:
                raise DatasetError(
                    f"the file id {file_id!r} is in {track.source} and in {file}; give each "
                    "recording's turns in one RTTM file"
                )
            track.spans.extend(spans)
    return list(tracks.values())


def default_media(path: Path) -> Path:
    """Where the recordings are by default: the dataset's folder, or the file's."""
    return path if path.is_dir() else path.parent


def audio_files(tracks: list[Track], media: Path) -> list[tuple[str, Path]]:
    """Each recording's upload name (its path below ``media``) and file, in the tracks'
    order; `DatasetError` naming those missing or found twice (``a.wav`` and ``a.mp3``)."""
    root = media.resolve()
    found: list[tuple[str, Path]] = []
    missing: list[str] = []
    for track in tracks:
        matches = _matches(root, track.file_id)
        if len(matches) > 1:
            names = ", ".join(p.relative_to(root).as_posix() for p in matches)
            raise DatasetError(
                f"the recording {track.file_id!r} matches {len(matches)} files in {media} "
                f"({names}); keep one, or rename the others"
            )
        if not matches:
            missing.append(track.file_id)
        else:
            found.append((matches[0].relative_to(root).as_posix(), matches[0]))
    if missing:
        suffixes = ", ".join(AUDIO_SUFFIXES)
        raise DatasetError(
            f"{len(missing)} of the {len(tracks)} recordings are not in {media}: "
            f"{listed(missing, MAX_LISTED)} (looked for each file id with one of {suffixes}); "
            "pass the folder that holds them (--media DIR); nothing was uploaded or imported"
        )
    return found


def _matches(root: Path, file_id: str) -> list[Path]:
    candidates = [root / file_id] if file_id.lower().endswith(AUDIO_SUFFIXES) else []
    candidates += [root / f"{file_id}{suffix}" for suffix in AUDIO_SUFFIXES]
    out: list[Path] = []
    for candidate in candidates:
        try:
            path = candidate.resolve()
        except (OSError, ValueError):
            continue
        if path.is_relative_to(root) and path.is_file() and path not in out:
            out.append(path)
    return out


def check_durations(tracks: list[Track], uploads: Mapping[str, Mapping[str, Any]]) -> None:
    """`DatasetError` naming the first span (file, line) past the end of its recording, as
    the upload measured it (``uploads`` by file id)."""
    for track in tracks:
        upload = uploads[track.file_id]
        duration = upload.get("duration")
        if isinstance(duration, int | float) and not isinstance(duration, bool):
            check_within(track.spans, float(duration), str(track.source), str(upload["name"]))


AUDIO_KEYS = ("src", "duration", "sample_rate", "channels")
SEGMENT_PATH = re.compile(r"^result\.[^.\[]+\.segments\[(\d+)\]")


def check_rows(
    interface: Interface, schema: AudioSchema, tracks: list[Track], rows: list[dict[str, Any]]
) -> None:
    """`DatasetError` naming the file and line of the first segment the question refuses
    (shorter than its ``min_duration``, overlapping with ``overlap: refuse``, a text its
    rules refuse...), before the import: the job would name only the row."""
    for track, row in zip(tracks, rows, strict=True):
        for prediction in row.get("predictions", ()):
            problems = interface.check_result(prediction["result"], row, partial=True)
            if not problems:
                continue
            problem = problems[0]
            found = SEGMENT_PATH.match(problem.path)
            line = 0
            if found is not None:
                lines = [span.line for span in track.spans if kept(schema, span)]
                index = int(found.group(1))
                line = lines[index] if index < len(lines) else 0
            raise DatasetError(
                f"{where(str(track.source), line)}: the question {schema.question!r} refuses "
                f"it: {problem.path.removeprefix('result.')}: {problem.message}; nothing was "
                "imported"
            )


def import_rows(
    schema: AudioSchema,
    tracks: list[Track],
    uploads: Mapping[str, Mapping[str, Any]],
    fmt: str,
    skipped: Counter[str],
) -> Iterator[dict[str, Any]]:
    """One import row per recording (see the module); names left out (RTTM) or voices
    dropped (WebVTT) are counted in ``skipped``."""
    for track in tracks:
        upload = uploads[track.file_id]
        audio = {k: upload[k] for k in AUDIO_KEYS if upload.get(k) is not None}
        row: dict[str, Any] = {"id": track.file_id, schema.audio_field: audio}
        if schema.kind == "segments":
            answer, left = segments_answer(schema, track.spans)
        else:
            answer, left = transcript_answer(schema, track.spans)
        skipped.update(left)
        if answer["segments"]:
            row["predictions"] = [
                {
                    "model_version": f"{fmt}:{track.source.name}",
                    "result": {schema.question: answer},
                }
            ]
        yield row


# Files (name to store it under, path) in; the upload's answer for each out (``name``,
# ``src``, ``duration``, ``sample_rate``, ``channels``, ``stored``).
Upload = Callable[[list[tuple[str, Path]]], list[dict[str, Any]]]


def audio_rows(
    raw: Any,
    path: Path,
    fmt: str,
    media_dir: Path | None,
    upload: Upload,
    on_upload: Callable[[int, int], None] | None = None,
    question: str | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The rows of the RTTM, WebVTT or SRT files at ``path`` (a file or a folder) for the
    project's interface ``raw``, their recordings (in ``media_dir``, by default the files'
    folder) uploaded in batches with ``upload``: the SDK's requests, or the server's store for
    a zip (`accord.actions.media_dataset_imports`). With the rows, what the dataset held:
    ``recordings``, ``uploaded`` (files stored anew) and ``skipped`` (RTTM names that are
    neither a speaker nor a label of the question, WebVTT voices that are not one of its
    speakers: how many of each). The segments go to ``question`` (None: the interface's only
    question the format suits, `AudioSchema.of`)."""
    schema = AudioSchema.of(raw, fmt, question)
    tracks = read_tracks(path, fmt)
    files = audio_files(tracks, media_dir or default_media(path))
    ids = {name: track.file_id for (name, _), track in zip(files, tracks, strict=True)}
    uploads: dict[str, dict[str, Any]] = {}
    stored = 0
    for batch in batches(files):
        for answer in upload(batch):
            uploads[ids[answer["name"]]] = answer
            stored += 1 if answer.get("stored", True) else 0
        if on_upload is not None:
            on_upload(len(uploads), len(files))
    check_durations(tracks, uploads)
    skipped: Counter[str] = Counter()
    rows = list(import_rows(schema, tracks, uploads, fmt, skipped))  # one per recording
    check_rows(parse_interface(raw, stored=True), schema, tracks, rows)
    return rows, {"recordings": len(files), "uploaded": stored, "skipped": dict(skipped)}
