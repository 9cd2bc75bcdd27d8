"""What each kind of background job does, and why running it again is safe.

- ``import``: the upload was spooled to the storage backend (``params.key``); the job runs the
  same import as the synchronous API (`accord.actions.imports.run_import`), reading the spooled
  file. An import is all-or-nothing up to its commit point and rolls forward after it, so a
  retry first recovers the earlier attempt's import: committed, its report is the job's
  result; not, the file is imported again. The spooled file is removed once the job ends.
  An image dataset (``format`` coco, yolo or voc) is copied to a local temporary file first
  and imported by `accord.actions.image_imports` (its progress counts images). An import
  (or a ``bucket_sync``) that added tasks referencing media in an image field starts the
  ``thumbnails`` job of those tasks (its id is the result's ``thumbnails_job``). With
  ``params.source`` the new tasks' predictions then become that source's annotations
  (`accord.actions.source_answers`), which passes over what it already did: a retry whose
  import had committed does that step again, finishing it. A video or audio dataset zip
  (``format`` mot, cvat-video, ytvis, rttm, vtt or srt) is imported by
  `accord.actions.media_dataset_imports` the same way (its progress counts media files).
- ``export``: streams the export into the storage backend; the object appears only once it is
  whole, so a retry writes it again from the start. A training format
  (`accord.jobs.export_training`) adds its report (what was left out, and why) to the result
  and each left-out thing to the job's log.
- ``consensus``: the project-wide Dawid-Skene run; it overwrites what it stores.
- ``metrics``: recomputes the project's metrics snapshot.
- ``bucket_sync``: one task per object under a bucket prefix; objects already synced are
  duplicates of the same id, so a retry adds only what is missing.
- ``thumbnails`` (`accord.jobs.thumbnails`): thumbnails that exist are passed over, so a retry
  makes only the missing ones.
- ``frames`` (`accord.jobs.frames`): each video decoded once into chunks of frames; videos
  whose manifest exists are passed over, so a retry decodes only the missing ones. An import
  (or a ``bucket_sync``) that added tasks referencing media in a video field starts it (the
  result's ``frames_job``).
- ``waveform`` (`accord.jobs.waveform`): each recording decoded once into its peaks and mel
  spectrogram; recordings whose manifest exists are passed over. An import (or a
  ``bucket_sync``) that added tasks referencing media in an audio field starts it (the
  result's ``waveform_job``).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from accord.actions.image_imports import run_dataset_import
from accord.actions.imports import ImportOptions, do_recover_imports, run_import
from accord.actions.media_dataset_imports import (
    MEDIA_DATASET_FORMATS,
    media_limits,
    run_media_dataset_import,
)
from accord.actions.source_answers import SourceAnswers, adopt_predictions
from accord.db import Database
from accord.errors import Invalid, NotFound
from accord.formats.datasets import DATASET_FORMATS
from accord.formats.task_rows import ImportReport
from accord.formats.training import Report
from accord.jobs.export_audio import AUDIO_FORMATS, export_audio
from accord.jobs.export_audio import SUFFIXES as AUDIO_SUFFIXES
from accord.jobs.export_events import EVENTS_FORMATS, export_events
from accord.jobs.export_events import SUFFIXES as EVENTS_SUFFIXES
from accord.jobs.export_images import IMAGE_FORMATS, export_images, suffix
from accord.jobs.export_mot import MOT_FORMATS, export_mot
from accord.jobs.export_parts import jsonl_in_parts
from accord.jobs.export_training import SUFFIXES as TRAINING_SUFFIXES
from accord.jobs.export_training import TRAINING_FORMATS
from accord.jobs.export_training import job_body as training_body
from accord.jobs.export_video_tracks import SUFFIXES as TRACK_SUFFIXES
from accord.jobs.export_video_tracks import VIDEO_TRACK_FORMATS, export_video_tracks
from accord.jobs.exports import ExportFilter, export_csv, export_jsonl
from accord.jobs.final_answers import export_final_csv, export_final_jsonl
from accord.jobs.frames import start_after_import as start_frames_after_import
from accord.jobs.labelstudio_imports import labelstudio_import_job as _ls_import  # noqa: F401
from accord.jobs.llm import llm_job as _llm  # noqa: F401
from accord.jobs.ml_predictions import ml_predict_job as _ml_predict  # noqa: F401
from accord.jobs.originality_corpus import corpus_job as _originality  # noqa: F401
from accord.jobs.runner import JobContext, job_handler, open_storage
from accord.jobs.thumbnails import start_after_import
from accord.jobs.waveform import start_after_import as start_waveform_after_import
from accord.media.links import bucket_row_check
from accord.models import Import, ImportState, Project, User
from accord.queries.projects import interface_of, progress
from accord.settings import Settings

CHUNK = 1 << 20  # bytes read from a spooled upload at a time


def import_options(settings: Settings, skip_invalid: bool) -> ImportOptions:
    return ImportOptions(
        staging_dir=settings.data_dir / "imports",
        skip_invalid=skip_invalid,
        max_result_bytes=settings.max_result_bytes,
        max_row_bytes=settings.max_row_bytes,
        media_check=bucket_row_check(settings),
    )


def report_fields(report: ImportReport) -> dict[str, Any]:
    return {
        "import_id": report.import_id,
        "created": report.created,
        "duplicates": report.duplicates,
        "skipped": report.skipped,
        "predictions": report.predictions,
        "gold": report.gold,
        "errors": report.errors,
        "duplicate_ids": report.duplicate_ids,
    }


class _Reading:
    """The spooled upload as the import's source, reporting how far it has read."""

    def __init__(self, context: JobContext, stream: Any, size: int) -> None:
        self._context = context
        self._stream = stream
        self._size = size
        self._read = 0

    def read(self, size: int = -1, /) -> bytes:
        data: bytes = self._stream.read(CHUNK if size < 0 else size)
        self._read += len(data)
        self._context.progress(
            self._read, self._size, unit="bytes", phase="checking and staging rows"
        )
        return data


def _account(db: Database, user_id: int | None) -> User:
    with db.read() as session:
        user = session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        raise Invalid("the account that started this job no longer exists or was deactivated")
    return user


def _committed_earlier(context: JobContext) -> dict[str, Any] | None:
    """The report of an earlier attempt's import if it was committed (rolled forward)."""
    import_id = context.notes.get("import_id")
    if import_id is None:
        return None
    options = import_options(context.settings, False)
    do_recover_imports(context.db, options.staging_dir, project_id=context.project_id)
    with context.db.read() as session:
        entry = session.get(Import, import_id)
    if entry is None or entry.state != ImportState.done.value:
        context.log(
            f"the import of the earlier attempt (import {import_id}) did not commit; "
            "importing the file again"
        )
        return None
    return {
        "import_id": entry.id,
        "created": entry.created,
        "duplicates": entry.duplicates,
        "skipped": entry.skipped,
        "predictions": entry.predictions,
        "gold": 0,
        "errors": [],
        "duplicate_ids": [],
    }


def _remove_spool(settings: Settings, params: dict[str, Any]) -> None:
    key = params.get("key")
    if key:
        open_storage(settings).delete(key)


@job_handler("import", cleanup=_remove_spool)
def import_job(context: JobContext) -> dict[str, Any]:
    earlier = _committed_earlier(context)
    if earlier is not None:
        if context.params.get("source"):
            earlier.update(_adopt(context, _account(context.db, context.created_by), earlier))
        return earlier
    params = context.params
    user = _account(context.db, context.created_by)
    if params.get("format") in DATASET_FORMATS:
        result = _dataset_import(context, user)
    elif params.get("format") in MEDIA_DATASET_FORMATS:
        result = _media_dataset_import(context, user)
    else:
        result = report_fields(_file_import(context, user))
        if params.get("source"):
            result.update(_adopt(context, user, result))
    result["thumbnails_job"] = start_after_import(
        context.db, context.runner, user, context.project_id, result.get("import_id")
    )
    result["frames_job"] = start_frames_after_import(
        context.db, context.runner, user, context.project_id, result.get("import_id")
    )
    result["waveform_job"] = start_waveform_after_import(
        context.db, context.runner, user, context.project_id, result.get("import_id")
    )
    return result


def _adopt(context: JobContext, user: User, result: dict[str, Any]) -> dict[str, Any]:
    """The import's new tasks' predictions made the source's annotations: the report's
    fields."""
    created = int(result.get("created") or 0)
    context.progress(0, created, unit="tasks", phase="recording the source's answers")
    answers = adopt_predictions(
        context.db,
        user,
        context.project_id,
        int(result["import_id"]),
        str(context.params["source"]),
        lambda done: context.progress(done, created, unit="tasks"),
    )
    return answers.fields()


@contextmanager
def _spooled_here(context: JobContext, unit: str) -> Iterator[Path]:
    """The spooled upload copied to a local temporary file (a dataset's readers need a whole
    file on disk), removed afterwards."""
    folder = context.settings.data_dir / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    context.progress(0, None, unit=unit, phase="reading the dataset")
    with tempfile.NamedTemporaryFile(dir=folder, prefix="dataset-") as file:
        with context.storage.open(context.params["key"]) as stream:
            shutil.copyfileobj(stream, file, CHUNK)
        file.flush()
        yield Path(file.name)


def _dataset_result(report: ImportReport, answers: SourceAnswers | None) -> dict[str, Any]:
    result = report_fields(report)
    if answers is not None:
        result.update(answers.fields())
    return result


def _dataset_import(context: JobContext, user: User) -> dict[str, Any]:
    params = context.params
    with _spooled_here(context, "images") as body:
        done = run_dataset_import(
            context.db,
            context.storage,
            context.settings,
            user,
            context.project_id,
            body,
            params["format"],
            import_options(context.settings, False),
            filename=params.get("filename", ""),
            on_start=lambda import_id: context.note(import_id=import_id),
            on_placed=lambda done, total: context.progress(
                done, total, unit="images", phase="reading the images' sizes"
            ),
            on_stored=lambda done, total, phase: context.progress(
                done, total, unit="images", phase=phase
            ),
            source=params.get("source"),
            on_adopted=lambda done: context.progress(
                done, None, unit="tasks", phase="recording the source's answers"
            ),
        )
    return {**_dataset_result(done.report, done.answers), "dataset": done.dataset_fields()}


def _media_dataset_import(context: JobContext, user: User) -> dict[str, Any]:
    params = context.params
    with _spooled_here(context, "files") as body:
        done = run_media_dataset_import(
            context.db,
            context.storage,
            context.settings,
            user,
            context.project_id,
            body,
            params["format"],
            import_options(context.settings, False),
            media_limits(context.settings),
            filename=params.get("filename", ""),
            question=params.get("question"),
            on_start=lambda import_id: context.note(import_id=import_id),
            on_stored=lambda done, total: context.progress(
                done, total, unit="files", phase="checking and storing the media"
            ),
            source=params.get("source"),
            on_adopted=lambda done: context.progress(
                done, None, unit="tasks", phase="recording the source's answers"
            ),
        )
    # the keys of the answer without background=true (`ImportOut`): media_dataset
    return {**_dataset_result(done.report, done.answers), "media_dataset": done.dataset}


def _file_import(context: JobContext, user: User) -> ImportReport:
    params = context.params
    size = int(params.get("size") or context.storage.size(params["key"]))
    context.progress(0, size, unit="bytes", phase="checking and staging rows")
    with context.storage.open(params["key"]) as stream:
        report = run_import(
            context.db,
            user,
            context.project_id,
            _Reading(context, stream, size),
            params["format"],
            import_options(context.settings, bool(params.get("skip_invalid"))),
            filename=params.get("filename", ""),
            on_start=lambda import_id: context.note(import_id=import_id),
        )
    return report


def _project(db: Database, project_id: int) -> Project:
    with db.read() as session:
        project = session.get(Project, project_id)
        if project is None or project.deleted_at is not None:
            raise NotFound(f"project {project_id} was deleted")
        return project


def export_name(project_id: int, params: dict[str, Any]) -> str:
    """The file name a person downloads."""
    final = "-final" if params.get("final") else ""
    return f"project-{project_id}{final}.{_suffix(params)}"


def _suffix(params: dict[str, Any]) -> str:
    fmt = params.get("format", "jsonl")
    if fmt == "labelstudio":
        return "ls.json"
    if fmt in TRAINING_FORMATS:
        return TRAINING_SUFFIXES[fmt]
    if fmt in MOT_FORMATS:
        return "mot.zip"
    if fmt in VIDEO_TRACK_FORMATS:
        return TRACK_SUFFIXES[fmt]
    if fmt in EVENTS_FORMATS:
        return EVENTS_SUFFIXES[fmt]
    if fmt in AUDIO_FORMATS:
        return AUDIO_SUFFIXES[fmt]
    return suffix(fmt, bool(params.get("with_media"))) if fmt in IMAGE_FORMATS else fmt


def _export_body(context: JobContext, project: Project) -> tuple[Any, int | None, str]:
    """The export's bytes, how many tasks (or None: bytes) it will hold, and the unit."""
    params = context.params
    fmt = params.get("format", "jsonl")
    if fmt in IMAGE_FORMATS:
        return _image_body(context, project, fmt), None, "bytes"
    if fmt in MOT_FORMATS:
        return _mot_body(context, project), None, "bytes"
    if fmt in VIDEO_TRACK_FORMATS:
        return _mot_body(context, project, fmt), None, "bytes"
    interface = interface_of(project)
    if fmt == "labelstudio":
        from accord.jobs.export_labelstudio import export_labelstudio

        return export_labelstudio(context.db, project, interface, _filter(params)), None, "bytes"
    if fmt in EVENTS_FORMATS:
        safe = bool(params.get("spreadsheet_safe", True))
        body = export_events(
            context.db,
            project,
            interface,
            _filter(params),
            fmt,
            context.storage,
            spreadsheet_safe=safe,
        )
        return body, None, "bytes"
    if fmt in AUDIO_FORMATS:
        final = bool(params.get("final"))
        body = export_audio(
            context.db,
            project,
            interface,
            fmt,
            _filter(params),
            final=final,
            question=params.get("question"),
        )
        return body, None, "bytes"
    safe = bool(params.get("spreadsheet_safe", True))
    with context.db.read() as session:
        counts = progress(session, project)
    if params.get("final"):
        if fmt == "jsonl":
            return export_final_jsonl(context.db, project), counts.complete, "tasks"
        return (
            export_final_csv(context.db, project, interface, spreadsheet_safe=safe),
            None,
            "bytes",
        )
    flt = _filter(params)
    consensus = bool(params.get("consensus"))
    if fmt == "jsonl":
        total = {
            "new": counts.new,
            "in_progress": counts.in_progress,
            "complete": counts.complete,
        }.get(flt.status or "", counts.tasks)
        if consensus:
            return export_jsonl(context.db, project, flt, consensus=True), total, "tasks"
        body = jsonl_in_parts(
            context.db,
            project,
            flt,
            tasks=total,
            processes=context.settings.export_processes,
            spool_dir=context.settings.data_dir,
        )
        return body, total, "tasks"
    body = export_csv(
        context.db, project, interface, flt, spreadsheet_safe=safe, consensus=consensus
    )
    return body, None, "bytes"


def _image_body(context: JobContext, project: Project, fmt: str) -> Any:
    """COCO, YOLO or VOC (`accord.jobs.export_images`)."""
    params = context.params
    flt = _filter(params)
    return export_images(
        context.db,
        project,
        fmt,
        flt,
        final=bool(params.get("final")),
        with_media=bool(params.get("with_media")),
        settings=context.settings,
        spool_dir=context.settings.data_dir,
    )


def _mot_body(context: JobContext, project: Project, fmt: str = "mot") -> Any:
    """MOTChallenge (`accord.jobs.export_mot`), CVAT video XML or YouTube-VIS
    (`accord.jobs.export_video_tracks`)."""
    params = context.params
    flt = _filter(params)
    final = bool(params.get("final"))
    if fmt in VIDEO_TRACK_FORMATS:
        return export_video_tracks(
            context.db, project, fmt, flt, final=final, storage=context.storage
        )
    return export_mot(
        context.db,
        project,
        flt,
        final=final,
        storage=context.storage,
        question=params.get("question"),
    )


def _filter(params: dict[str, Any]) -> ExportFilter:
    """The export job's filters (its parameters, as `start_export` stored them)."""
    return ExportFilter(
        status=params.get("status"),
        annotator_id=params.get("annotator_id"),
        since=_moment(params.get("since")),
        until=_moment(params.get("until")),
    )


def _moment(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


@job_handler("export")
def export_job(context: JobContext) -> dict[str, Any]:
    project = _project(context.db, context.project_id)
    fmt = context.params.get("format", "jsonl")
    report = Report()  # what a training format left out, and why
    if fmt in TRAINING_FORMATS:
        body, total, unit = (
            training_body(context.db, project, context.params, report),
            None,
            "bytes",
        )
    else:
        body, total, unit = _export_body(context, project)
    key = f"exports/project-{project.id}/job-{context.job_id}.{_suffix(context.params)}"
    written = lines = 0
    context.progress(0, total, unit=unit, phase="writing the export")
    with context.storage.writer(key) as out:
        for chunk in body:
            out.write(chunk)
            written += len(chunk)
            lines += chunk.count(b"\n")
            context.progress(lines if unit == "tasks" else written)
    result = {
        "key": key,
        "storage": context.storage.description,
        "bytes": written,
        "format": fmt,
        "filename": export_name(project.id, context.params),
    }
    if unit == "tasks":
        result["tasks"] = lines
    if fmt in TRAINING_FORMATS:
        result["report"] = report.as_dict()
        for line in report.lines()[1:]:
            context.log(line)
    return result


@job_handler("consensus")
def consensus_job(context: JobContext) -> dict[str, Any]:
    from accord.jobs.consensus import run_consensus

    context.progress(0, None, unit="questions", phase="inferring the consensus (Dawid-Skene)")
    reports = run_consensus(context.db, context.project_id)
    return {
        "questions": [
            {
                "question": r.question,
                "tasks": r.tasks,
                "annotations": r.annotations,
                "seconds": round(r.seconds, 3),
            }
            for r in reports
        ]
    }


@job_handler("metrics")
def metrics_job(context: JobContext) -> dict[str, Any]:
    from accord.jobs.metrics import refresh

    context.progress(0, None, unit="steps", phase="recomputing the metrics")
    return {"stored": refresh(context.db, context.project_id)}


@job_handler("bucket_sync")
def bucket_sync_job(context: JobContext) -> dict[str, Any]:
    from accord.jobs.bucket_sync import sync_prefix

    user = _account(context.db, context.created_by)
    context.progress(0, None, unit="objects", phase="listing the objects")
    result = sync_prefix(
        context.db,
        context.settings,
        user,
        context.project_id,
        context.params["url"],
        context.params["field"],
        lambda listed: context.progress(listed),
    )
    result["thumbnails_job"] = start_after_import(
        context.db, context.runner, user, context.project_id, result.get("import_id")
    )
    result["frames_job"] = start_frames_after_import(
        context.db, context.runner, user, context.project_id, result.get("import_id")
    )
    result["waveform_job"] = start_waveform_after_import(
        context.db, context.runner, user, context.project_id, result.get("import_id")
    )
    return result
