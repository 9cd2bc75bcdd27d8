"""Importing a video or audio dataset sent as a zip with its media: MOTChallenge sequences,
CVAT video XML, YouTube-VIS, COCO per frame, RTTM, WebVTT or SRT (``POST /projects/{id}/
imports?format=mot|cvat-video|ytvis|coco-video|rttm|vtt|srt`` and its background job).

The zip holds what ``accord import PROJECT PATH --format ...`` reads from a folder (docs/
video.md, docs/audio.md): MOT sequence folders (``seqinfo.ini``, ``gt/gt.txt``, ``img1/``
frames or a video file), CVAT's XML files with their videos, the YouTube-VIS JSON with its
videos, or the RTTM / WebVTT / SRT files with their recordings, at the zip's top or in its one
folder. The server makes the same rows the SDK makes, from the same readers
(`accord.formats.video_datasets`, `accord.formats.audio_datasets`):

1. the zip is unpacked into a temporary folder (safely: `accord.formats.datasets.unzip`);
2. the files are read and checked, each video or recording found, probed and checked against
   them; the first problem refuses the import (422 ``bad_dataset``) naming the file and line
   or element, before anything is stored;
3. each video or recording is checked and stored as ``POST /projects/{id}/media`` stores an
   upload (`accord.actions.media`: a bad file is 422 ``bad_video`` / ``bad_audio``, another
   file under a name the media has is 409 ``media_exists``, the same bytes are stored once);
   a problem found after storing (a turn past its recording's end, a segment the question
   refuses) refuses the import, and the stored media stay (importing again stores nothing
   twice);
4. the rows go through the same import as a JSONL file (`accord.actions.imports.
   run_import`), and with a ``source`` name, each new task's prediction becomes that
   source's submitted annotation (`accord.actions.source_answers`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accord.actions.imports import ImportOptions, ImportReport, run_import
from accord.actions.media import Received, check_files, store_files
from accord.actions.source_answers import Progress, SourceAnswers, adopt_predictions, check_source
from accord.db import Database
from accord.errors import Invalid, NotFound
from accord.formats.audio_datasets import AUDIO_FORMATS, audio_rows
from accord.formats.audio_tracks import AudioSchema
from accord.formats.datasets import RowStream, dataset_top, unzip
from accord.formats.format_question import QuestionChoiceError, refuse_question
from accord.formats.mot import TrackSchema
from accord.formats.shapes import DatasetError
from accord.formats.video_datasets import VIDEO_DATASET_FORMATS, mot_rows, track_rows
from accord.media.audio import AudioLimits
from accord.media.storage import Storage
from accord.media.videos import VideoLimits
from accord.models import Project, User
from accord.settings import Settings

MEDIA_DATASET_FORMATS = (*VIDEO_DATASET_FORMATS, *AUDIO_FORMATS)
HOLDS = {
    "mot": "the sequence folders: seqinfo.ini, gt/gt.txt and img1/ or a video file",
    "cvat-video": "the CVAT for video 1.1 XML files and their videos",
    "ytvis": "the YouTube-VIS JSON and its videos",
    "coco-video": "the COCO per frame JSON and its videos",
    "rttm": "the .rttm files and their recordings",
    "vtt": "the .vtt files and their recordings",
    "srt": "the .srt files and their recordings",
}

Uploaded = Callable[[int, int], None]  # (files stored, files in all): progress


@dataclass
class MediaDatasetImport:
    """The import's report, what the dataset held (as the SDK reports it: ``videos`` or
    ``sequences`` or ``recordings``, ``uploaded``, ...), and with a source its answers."""

    report: ImportReport
    dataset: dict[str, Any]
    answers: SourceAnswers | None = None


@dataclass
class MediaLimits:
    videos: VideoLimits | None = None
    audio: AudioLimits | None = None


def media_limits(settings: Settings) -> MediaLimits:
    """The limits an uploaded video or recording is held to, for those a dataset zip holds."""
    from accord.jobs.frames import video_limits
    from accord.jobs.waveform import audio_limits

    return MediaLimits(video_limits(settings), audio_limits(settings))


def run_media_dataset_import(
    db: Database,
    storage: Storage,
    settings: Settings,
    user: User,
    project_id: int,
    body: Path,
    fmt: str,
    options: ImportOptions,
    limits: MediaLimits,
    *,
    filename: str = "",
    on_start: Callable[[int], None] | None = None,
    on_stored: Uploaded | None = None,
    source: str | None = None,
    on_adopted: Progress | None = None,
    question: str | None = None,
) -> MediaDatasetImport:
    """Import the dataset zip in the file ``body`` (see the module). The caller has checked
    that ``user`` manages the project. ``question``: mot, rttm, vtt, srt: the question the
    files go to (None: the only one that suits; `accord.formats.format_question`)."""
    if fmt not in MEDIA_DATASET_FORMATS:
        known = ", ".join(MEDIA_DATASET_FORMATS)
        raise Invalid(f"unknown video or audio dataset format {fmt!r}; use one of {known}")
    if source is not None:
        source = check_source(db, source)
    raw = _interface(db, project_id)
    check_question(raw, fmt, question)  # before anything is unpacked or stored
    shown = filename or f"dataset.{fmt}.zip"
    spool = settings.data_dir / "tmp"
    spool.mkdir(parents=True, exist_ok=True)

    def store(files: list[tuple[str, Path]]) -> list[dict[str, Any]]:
        received = [Received(name, path, path.stat().st_size) for name, path in files]
        infos = check_files(received, limits.videos, limits.audio)
        return store_files(storage, settings, project_id, received, infos)

    with tempfile.TemporaryDirectory(dir=spool, prefix="dataset-") as folder:
        try:
            unzip(body, Path(folder), fmt, HOLDS[fmt])
            top = dataset_top(Path(folder))
            rows, dataset = _rows(raw, top, fmt, store, on_stored, question)
        except DatasetError as exc:
            # Paths in the zip, as the person zipped them: the temporary folder left out.
            message = str(exc).replace(f"{folder}/", "").replace(folder, shown)
            raise Invalid(message, code="bad_dataset") from None
        report = run_import(
            db,
            user,
            project_id,
            RowStream(iter(rows)),
            "jsonl",
            options,
            filename=shown,
            on_start=on_start,
        )
    done = MediaDatasetImport(report, dataset)
    if source is not None and report.import_id is not None:
        done.answers = adopt_predictions(db, user, project_id, report.import_id, source, on_adopted)
    return done


def check_question(raw: Any, fmt: str, question: str | None) -> None:
    """The question a mot, rttm, vtt or srt dataset goes to: `Invalid` (field ``question``)
    when several suit and none is named, or the name is not one of them, or ``question``
    comes with another format; a project with none that suits is the format's
    ``bad_dataset``."""
    try:
        refuse_question(fmt, question)
        if fmt == "mot":
            TrackSchema.of(raw, question)
        elif fmt in AUDIO_FORMATS:
            AudioSchema.of(raw, fmt, question)
    except QuestionChoiceError as exc:
        raise Invalid(str(exc), details={"field": "question"}) from None
    except DatasetError as exc:
        raise Invalid(str(exc), code="bad_dataset") from None


def _rows(
    raw: Any,
    top: Path,
    fmt: str,
    store: Callable[..., list[dict[str, Any]]],
    on: Uploaded | None,
    question: str | None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    if fmt == "mot":
        return mot_rows(raw, top, store, on, question)
    if fmt in ("ytvis", "coco-video"):
        return track_rows(raw, _one_json(top, fmt), fmt, top, store, on)
    if fmt == "cvat-video":
        return track_rows(raw, top, fmt, top, store, on)
    return audio_rows(raw, top, fmt, top, store, on, question)


def _one_json(top: Path, fmt: str) -> Path:
    found = sorted(p for p in top.glob("*.json") if p.is_file())
    if len(found) != 1:
        what = "no .json file" if not found else f"{len(found)} .json files"
        named = "YouTube-VIS" if fmt == "ytvis" else "COCO per frame"
        raise DatasetError(
            f"the zip has {what} at its top (or in its one folder); a {named} dataset is "
            "one JSON file beside its videos"
        )
    return found[0]


def _interface(db: Database, project_id: int) -> Any:
    with db.read() as session:
        project = session.get(Project, project_id)
        if project is None or project.deleted_at is not None:
            raise NotFound(f"no project {project_id}, or you are not a member of it")
        return project.interface
