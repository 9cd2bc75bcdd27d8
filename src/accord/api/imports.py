"""Importing tasks: the file is the request body, checked while it arrives.

The body is written to a temporary file as it comes in, and the import (`accord.actions.
imports.run_import`) reads that file from another thread a little behind, checking rows while
the rest is still being uploaded. Nothing holds the database's write lock while the file
arrives or is checked, so a slow upload or a large file never holds up annotators; memory
stays flat whatever the size.

An image dataset (``format=coco``: the COCO JSON; ``yolo`` or ``voc``: a zip) is read whole
before it is imported (its readers need the whole file), its images found among those
uploaded into the project (`accord.actions.image_imports`). A video or audio dataset
(``format=mot|cvat-video|ytvis|rttm|vtt|srt``) is a zip holding its media too, unpacked and
its media stored before its rows are imported (`accord.actions.media_dataset_imports`). After
any import that added tasks referencing media in an image field, the thumbnails job starts
(``thumbnails_job``); for videos and recordings, the frames and waveform jobs.

With ``source=NAME`` the rows' predictions (a dataset's shapes) become the submitted
annotations of that named source (`accord.actions.source_answers`).
"""

from __future__ import annotations

import os
import tempfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Literal, TypeVar

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from accord.actions.image_imports import DatasetImport, run_dataset_import
from accord.actions.imports import ImportOptions, ImportReport, run_import
from accord.actions.media_dataset_imports import (
    MEDIA_DATASET_FORMATS,
    MediaDatasetImport,
    check_question,
    media_limits,
    run_media_dataset_import,
)
from accord.actions.source_answers import SourceAnswers, adopt_predictions, check_source
from accord.api.auth import AppSettings, CurrentCaller, Db
from accord.api.errors import errors
from accord.api.jobs import JobOut, runner_of, start_job
from accord.api.policies import Can, project_for
from accord.db import Database
from accord.errors import AccordError, Invalid
from accord.formats import detect_format
from accord.formats.datasets import DATASET_FORMATS
from accord.jobs.frames import start_after_import as start_frames_after_import
from accord.jobs.thumbnails import start_after_import
from accord.jobs.waveform import start_after_import as start_waveform_after_import
from accord.media.links import bucket_row_check
from accord.models import Project, User
from accord.settings import Settings

router = APIRouter(tags=["imports"])
Done = TypeVar("Done")

BODY_TYPES = (
    "application/x-ndjson",
    "application/json",
    "text/csv",
    "text/tab-separated-values",
    "application/zip",
)


class RowError(BaseModel):
    line: int = Field(description="Line of the file (item number for a JSON array)")
    field: str | None = Field(description="The field or key at fault, if one is")
    message: str


class DatasetOut(BaseModel):
    images: int = Field(description="Images the dataset names (one task each)")
    skipped_labels: dict[str, int] = Field(
        description="Annotations left out, by category or class name that no question of "
        "the project offers"
    )
    from_zip: int = Field(
        default=0,
        description="Images the dataset names that its zip held: checked and stored into the "
        "project's media as uploads are",
    )
    new_from_zip: int = Field(
        default=0, description="Of those, how many the project's media did not hold yet"
    )
    unnamed_in_zip: int = Field(
        default=0, description="Images in the zip that the dataset does not name (left out)"
    )
    unnamed_examples: list[str] = Field(
        default_factory=list, description="The first 20 of those, as paths in the zip"
    )


class LeftTask(BaseModel):
    task_id: int
    id: str | None = Field(description="The task's id in the file, if it had one")
    reason: str = Field(description="Why its prediction was not made the source's annotation")


class ImportOut(BaseModel):
    import_id: int | None
    created: int = Field(description="Tasks created")
    duplicates: int = Field(
        description="Rows whose id the project already had, or that came earlier in the file "
        "(not imported)"
    )
    skipped: int = Field(description="Bad rows skipped (with skip_invalid)")
    predictions: int = Field(description="Predictions imported with the tasks")
    gold: int = Field(
        default=0,
        description="Tasks imported with a known answer (gold, qualification or training)",
    )
    errors: list[RowError] = Field(description="The bad rows, up to 100")
    duplicate_ids: list[str] = Field(description="Ids reported as duplicates, up to 100")
    dataset: DatasetOut | None = Field(
        default=None, description="For an image dataset (coco, yolo, voc): what it held"
    )
    media_dataset: dict[str, int | dict[str, int]] | None = Field(
        default=None,
        description="For a video or audio dataset zip (mot, cvat-video, ytvis, rttm, vtt, "
        "srt): what it held, as `accord import` reports it (videos, sequences or recordings; "
        "uploaded: media stored anew; tracks, keyframes; skipped: what no question takes)",
    )
    thumbnails_job: int | None = Field(
        default=None,
        description="The job making the thumbnails of the images the new tasks reference "
        "(started when an image field of theirs holds an uploaded, s3:// or file:// image)",
    )
    source: str | None = Field(
        default=None, description="With source=NAME: the source the answers were given to"
    )
    annotations: int = Field(
        default=0,
        description="With source=NAME: predictions made the source's submitted annotations "
        "(they are then no longer predictions)",
    )
    left_as_predictions: int = Field(
        default=0,
        description="With source=NAME: tasks whose prediction stayed a prediction (an answer "
        "the interface refuses as an annotation, several predictions in one row, or a task "
        "annotators had already taken)",
    )
    left_tasks: list[LeftTask] = Field(
        default_factory=list, description="The first 20 of those tasks, with the reason"
    )


class UploadStopped(AccordError):
    status = 400
    code = "upload_stopped"


class Spool:
    """The request body as it arrives: the event loop appends to a temporary file, the
    import's thread reads it (`read`) a little behind, waiting when it has caught up."""

    def __init__(self, file: IO[bytes]) -> None:
        self._fd = file.fileno()
        self._written = 0
        self._read = 0
        self._ended = False
        self._stopped = False  # the upload broke off, or the reader stopped reading
        self._changed = threading.Condition()

    def append(self, chunk: bytes) -> None:
        """More of the body (event loop). Dropped once the reader has stopped."""
        if self._stopped or not chunk:
            return
        view = memoryview(chunk)
        while view:
            view = view[os.write(self._fd, view) :]
        with self._changed:
            self._written += len(chunk)
            self._changed.notify_all()

    def end(self) -> None:
        """The whole body is in."""
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def stop(self) -> None:
        """The upload broke off (or the import is over): reading raises from now on."""
        with self._changed:
            self._stopped = True
            self._changed.notify_all()

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes of the body (import thread); waits for them to arrive."""
        with self._changed:
            while self._read >= self._written and not self._ended and not self._stopped:
                self._changed.wait()
            if self._stopped:
                raise UploadStopped(
                    "the upload broke off before the whole file arrived; nothing was imported"
                )
            available = self._written - self._read
        if available == 0:
            return b""
        data = os.pread(self._fd, available if size < 0 else min(size, available), self._read)
        self._read += len(data)
        return data


def _authorize(db: Database, user: User, project_id: int) -> None:
    with db.read() as session:
        project_for(session, user, project_id, Can.manage)


def _check_question(db: Database, project_id: int, fmt: str, question: str | None) -> None:
    """mot, rttm, vtt, srt: the question the dataset goes to (`check_question`)."""
    with db.read() as session:
        project = session.get(Project, project_id)
        raw = project.interface if project is not None else {}
    check_question(raw, fmt, question)


@router.post(
    "/projects/{project_id}/imports",
    summary="Import tasks from a JSONL, JSON, CSV or TSV file sent as the request body, or an "
    "image dataset (COCO JSON; YOLO or Pascal VOC zip) whose images were uploaded",
    status_code=201,
    response_model=ImportOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in BODY_TYPES},
        }
    },
    responses={
        202: {"model": JobOut, "description": "With background=true: the import job"},
        **errors(401, 403, 404, 409, 413, 422),
    },
)
async def import_tasks(
    project_id: int,
    request: Request,
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
    format: Literal[
        "jsonl",
        "json",
        "csv",
        "tsv",
        "coco",
        "yolo",
        "voc",
        "mot",
        "cvat-video",
        "ytvis",
        "coco-video",
        "rttm",
        "vtt",
        "srt",
    ]
    | None = Query(
        default=None,
        description="The file's format; else taken from filename or content type. coco (the "
        "COCO JSON), yolo (a zip: data.yaml with labels/) and voc (a zip of the XML files) "
        "import an image dataset whose images were uploaded with POST /projects/{id}/media "
        "under the names it gives them (or are in the zip): one task per image, its shapes as "
        "a prediction. mot, cvat-video, ytvis, coco-video (videos) and rttm, vtt, srt "
        "(recordings) take a zip of the dataset with its media: one task per video or "
        "recording, its tracks or segments as a prediction (docs/video.md, docs/audio.md)",
    ),
    filename: str = Query(
        default="", max_length=300, description="The file's name, for the record"
    ),
    skip_invalid: bool = Query(
        default=False, description="Import the good rows and report the bad ones"
    ),
    background: bool = Query(
        default=False,
        description="Store the upload, answer 202 with a job at once, and import it in the "
        "background (follow it at GET /jobs/{id}; its result is this endpoint's report). "
        "For large files.",
    ),
    source: str | None = Query(
        default=None,
        max_length=100,
        description="Make each new task's prediction (a dataset's shapes, a row's one "
        "prediction) a submitted annotation by this named source (a vendor, an earlier tool, "
        "e.g. legacy-2024) instead: an account of its own, made on first use, that never "
        "signs in; it fills the task's overlap and counts in exports, agreement and metrics",
    ),
    question: str | None = Query(
        default=None,
        max_length=64,
        description="mot, rttm, vtt, srt: the question the dataset's tracks or segments go to "
        "(a tracks question with shape box; segments; transcript); needed only when the "
        "project has several that suit the format",
    ),
) -> ImportOut | JSONResponse:  # JSONResponse: 202, the job
    media_dataset = format in MEDIA_DATASET_FORMATS
    dataset = format in DATASET_FORMATS or media_dataset
    fmt = (
        format
        if dataset and format
        else detect_format(format, request.headers.get("content-type"), filename)
    )
    await run_in_threadpool(_authorize, db, caller.user, project_id)
    if media_dataset or question:  # refused before the body is read
        await run_in_threadpool(_check_question, db, project_id, fmt, question)
    if source is not None:
        source = await run_in_threadpool(check_source, db, source)
    if dataset and skip_invalid:
        raise Invalid(
            "skip_invalid does not apply to a dataset (of images, videos or recordings): it is "
            "imported whole or not at all; leave skip_invalid out and fix what the refusal names",
            details={"field": "skip_invalid"},
        )
    if media_dataset and not background:
        media = await _import_media_dataset(
            request, db, settings, caller.user, project_id, fmt, filename, source, question
        )
        return ImportOut(
            **_fields(media.report),
            **_answer_fields(media.answers),
            media_dataset=media.dataset,
            thumbnails_job=await _thumbnails(
                request, db, caller.user, project_id, media.report.import_id
            ),
        )
    if dataset and not background:
        done = await _import_dataset(
            request, db, settings, caller.user, project_id, fmt, filename, source
        )
        return ImportOut(
            **_fields(done.report),
            **_answer_fields(done.answers),
            dataset=_dataset_out(done),
            thumbnails_job=await _thumbnails(
                request, db, caller.user, project_id, done.report.import_id
            ),
        )
    if background:
        job = await _spool_and_start(
            request, db, caller.user, project_id, fmt, filename, skip_invalid, source, question
        )
        return JSONResponse(job.model_dump(mode="json"), status_code=202)
    tmp = settings.data_dir / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    options = _options(settings, skip_invalid)
    with tempfile.TemporaryFile(dir=tmp) as file:
        report = await _import(
            request, Spool(file), db, caller.user, project_id, fmt, filename, options
        )
    answers = None
    if source is not None and report.import_id is not None:
        answers = await run_in_threadpool(
            adopt_predictions, db, caller.user, project_id, report.import_id, source
        )
    thumbnails = await _thumbnails(request, db, caller.user, project_id, report.import_id)
    return ImportOut(**_fields(report), **_answer_fields(answers), thumbnails_job=thumbnails)


async def _thumbnails(
    request: Request, db: Database, user: User, project_id: int, import_id: int | None
) -> int | None:
    runner = runner_of(request)
    await run_in_threadpool(start_frames_after_import, db, runner, user, project_id, import_id)
    await run_in_threadpool(start_waveform_after_import, db, runner, user, project_id, import_id)
    return await run_in_threadpool(start_after_import, db, runner, user, project_id, import_id)


def _dataset_out(done: DatasetImport) -> DatasetOut:
    return DatasetOut(**done.dataset_fields())


def _options(settings: Settings, skip_invalid: bool) -> ImportOptions:
    return ImportOptions(
        staging_dir=settings.data_dir / "imports",
        skip_invalid=skip_invalid,
        max_result_bytes=settings.max_result_bytes,
        max_row_bytes=settings.max_row_bytes,
        media_check=bucket_row_check(settings),
    )


async def _import_dataset(
    request: Request,
    db: Database,
    settings: Settings,
    user: User,
    project_id: int,
    fmt: str,
    filename: str,
    source: str | None,
) -> DatasetImport:
    """Import an image dataset, all or nothing (`accord.actions.image_imports`)."""
    return await _received(
        request,
        settings,
        lambda body: run_dataset_import(
            db, runner_of(request).storage, settings, user, project_id, body, fmt,
            _options(settings, False), filename=filename, source=source,
        ),
    )  # fmt: skip


async def _import_media_dataset(
    request: Request,
    db: Database,
    settings: Settings,
    user: User,
    project_id: int,
    fmt: str,
    filename: str,
    source: str | None,
    question: str | None,
) -> MediaDatasetImport:
    """Import a video or audio dataset zip (`accord.actions.media_dataset_imports`)."""
    return await _received(
        request,
        settings,
        lambda body: run_media_dataset_import(
            db, runner_of(request).storage, settings, user, project_id, body, fmt,
            _options(settings, False), media_limits(settings), filename=filename, source=source,
            question=question,
        ),
    )  # fmt: skip


async def _received(request: Request, settings: Settings, run: Callable[[Path], Done]) -> Done:
    """Receive the whole body into a temporary file, then ``run`` on it on a worker thread
    (a dataset's readers need the whole file)."""
    tmp = settings.data_dir / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=tmp, prefix="dataset-") as file:
        async for chunk in request.stream():
            if chunk:
                await anyio.to_thread.run_sync(file.write, chunk)
        file.flush()
        return await run_in_threadpool(run, Path(file.name))


async def _spool_and_start(
    request: Request,
    db: Database,
    user: User,
    project_id: int,
    fmt: str,
    filename: str,
    skip_invalid: bool,
    source: str | None,
    question: str | None = None,
) -> JobOut:
    """Write the body to the storage backend as it arrives, then start the import job."""
    runner = runner_of(request)
    storage = runner.storage
    key = f"spool/imports/{uuid.uuid4().hex}.{fmt}"
    size = 0
    # The storage's calls block (a bucket is over the network): they run on worker threads.
    spool = storage.writer(key)
    out = await anyio.to_thread.run_sync(spool.__enter__)
    try:
        async for chunk in request.stream():
            if chunk:
                await anyio.to_thread.run_sync(out.write, chunk)
                size += len(chunk)
    except BaseException as exc:
        await anyio.to_thread.run_sync(spool.__exit__, type(exc), exc, exc.__traceback__)
        raise
    await anyio.to_thread.run_sync(spool.__exit__, None, None, None)
    params = {
        "key": key,
        "format": fmt,
        "filename": filename[:300],
        "skip_invalid": skip_invalid,
        "size": size,
    }
    if source is not None:
        params["source"] = source
    if question:
        params["question"] = question
    try:
        return await run_in_threadpool(
            start_job, request, db, user, project_id, "import", params, unit="bytes"
        )
    except BaseException:
        storage.delete(key)
        raise


async def _import(
    request: Request,
    spool: Spool,
    db: Database,
    user: User,
    project_id: int,
    fmt: str,
    filename: str,
    options: ImportOptions,
) -> ImportReport:
    """Run the import on a worker thread while the body streams into ``spool``."""
    outcome: dict[str, Any] = {}

    async def work() -> None:
        try:
            outcome["report"] = await run_in_threadpool(
                run_import, db, user, project_id, spool, fmt, options, filename=filename
            )
        except Exception as exc:
            outcome["error"] = exc
        finally:
            spool.stop()  # whatever is still uploading is read and dropped

    broke_off: Exception | None = None
    async with anyio.create_task_group() as group:
        group.start_soon(work)
        try:
            async for chunk in request.stream():
                spool.append(chunk)
            spool.end()
        except Exception as exc:  # too large (413), or the client went away
            spool.stop()
            broke_off = exc
        except BaseException:  # cancelled: the import's thread must not wait for more
            spool.stop()
            raise
    if broke_off is not None:
        raise broke_off
    if "error" in outcome:
        raise outcome["error"]
    report: ImportReport = outcome["report"]
    return report


def _answer_fields(answers: SourceAnswers | None) -> dict[str, Any]:
    return answers.fields() if answers is not None else {}


def _fields(report: ImportReport) -> dict[str, Any]:
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
