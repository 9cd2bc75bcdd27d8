"""Background jobs: list a project's, follow one, cancel it, download what it made; start an
export as a job (imports start with ``POST /projects/{id}/imports?background=true``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from accord.actions.confidentiality import check_export
from accord.actions.jobs import MAX_ATTEMPTS, do_cancel_job, do_start_job
from accord.actions.secrets import instance_secret
from accord.actions.users import find_user
from accord.api.auth import AppSettings, CurrentCaller, Db
from accord.api.errors import errors
from accord.api.exports import (
    Format,
    check_final,
    check_image_format,
    check_labelstudio_format,
    check_question,
    check_reviewed,
    utc,
)
from accord.api.policies import Can, access, project_for
from accord.api.training_exports import TrainingFields
from accord.db import Database
from accord.errors import Conflict, Forbidden, Gone, Invalid, NotFound
from accord.formats.format_question import FORMAT_QUESTIONS
from accord.jobs.export_events import EVENTS_FORMATS, check_events_format
from accord.jobs.export_images import IMAGE_FORMATS
from accord.jobs.export_training import TRAINING_FORMATS, check_training_format
from accord.jobs.export_video_tracks import VIDEO_TRACK_FORMATS, check_video_tracks_format
from accord.jobs.runner import JobRunner
from accord.media.files import file_url
from accord.models import Job, JobState, User
from accord.queries.jobs import active_job, job_with_owner, jobs_of, pace_of
from accord.queries.projects import interface_of
from accord.settings import Settings

router = APIRouter(tags=["jobs"])

PRIVATE_PARAMS = frozenset({"key"})  # where a spooled upload sits in the storage


class LogLine(BaseModel):
    at: str
    message: str


class JobOut(BaseModel):
    id: int
    project_id: int
    kind: str = Field(
        description="import, export, consensus, metrics, bucket_sync, thumbnails, frames, "
        "waveform, llm, ml_predict, ml_train, originality_corpus or labelstudio_import"
    )
    state: str = Field(description="queued, running, succeeded, failed or cancelled")
    phase: str = Field(description="What it is doing now, for a person")
    done: int = Field(description="Units done so far")
    total: int | None = Field(description="Units in all, when known")
    unit: str = Field(description="What done and total count: bytes, tasks, rows, ...")
    percent: float | None
    rate: float | None = Field(description="Units per second since it started")
    eta_seconds: float | None = Field(description="Seconds left at that rate, when known")
    params: dict[str, Any] = Field(
        description="What it was asked to do (an import: format, filename, skip_invalid, size; "
        "an export: its filters)"
    )
    attempts: int = Field(description="Times a worker started it (a retry counts again)")
    max_attempts: int = Field(description="Attempts it may have before it fails")
    cancel_requested: bool
    created_by: str | None = Field(description="Email of who started it")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str | None = Field(description="Why it failed, if it did")
    log: list[LogLine] = Field(description="What went wrong along the way, oldest first")
    result: dict[str, Any] | None = Field(
        description="What it made: an import's report; an export's file (download it from "
        "download_url)"
    )
    download_url: str | None = Field(
        description="For a finished export: where to download its file (a short-lived link "
        "is made on each request); None once the file expired"
    )
    file_expires_at: dt.datetime | None = Field(
        default=None,
        description="For a finished export: when its file is (or was) deleted "
        "(ACCORD_EXPORT_KEEP_HOURS after it finished)",
    )
    file_expired: bool = Field(
        default=False, description="For a finished export: its file was deleted; run it again"
    )


class JobList(BaseModel):
    jobs: list[JobOut]


def job_out(job: Job, email: str | None, settings: Settings) -> JobOut:
    pace = pace_of(job)
    download = expires = None
    if job.kind == "export" and job.state == JobState.succeeded.value:
        if job.expired_at is None:
            download = f"/api/v1/jobs/{job.id}/download"
        if job.finished_at is not None:
            expires = job.finished_at + dt.timedelta(hours=settings.export_keep_hours)
    return JobOut(
        id=job.id,
        project_id=job.project_id,
        kind=job.kind,
        state=job.state,
        phase=job.phase,
        done=job.done,
        total=job.total,
        unit=job.unit,
        percent=pace.percent,
        rate=pace.rate,
        eta_seconds=pace.eta_seconds,
        params={k: v for k, v in (job.params or {}).items() if k not in PRIVATE_PARAMS},
        attempts=job.attempts,
        max_attempts=MAX_ATTEMPTS,
        cancel_requested=job.cancel_requested,
        created_by=email,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        error=job.error,
        log=[LogLine(**line) for line in job.log or []],
        result=job.result,
        download_url=download,
        file_expires_at=expires,
        file_expired=job.expired_at is not None,
    )


def _ago(when: dt.datetime) -> str:
    return f"at {when.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def runner_of(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.jobs
    return runner


def _job_for(db: Database, user: User, job_id: int) -> tuple[Job, str | None]:
    """The job if the caller manages its project; 404 otherwise (as for anything unseen)."""
    with db.read() as session:
        found = job_with_owner(session, job_id)
        if found is None:
            raise NotFound(f"no job {job_id}, or you cannot see it")
        try:
            access(session, user, found[0].project_id, Can.manage)
        except (NotFound, Forbidden):
            raise NotFound(f"no job {job_id}, or you cannot see it") from None
        return found


@router.get(
    "/projects/{project_id}/jobs",
    summary="The project's background jobs, newest first (managers)",
    responses=errors(401, 403, 404, 422),
)
def list_jobs(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
    kind: str | None = Query(default=None, max_length=32, description="Only jobs of this kind"),
    active: bool = Query(default=False, description="Only queued and running jobs"),
    limit: int = Query(default=50, ge=1, le=500),
    before: int | None = Query(default=None, ge=1, description="Only jobs older than this id"),
) -> JobList:
    with db.read() as session:
        access(session, caller.user, project_id, Can.manage)
        rows = jobs_of(session, project_id, kind=kind, active=active, limit=limit, before=before)
        return JobList(jobs=[job_out(job, email, settings) for job, email in rows])


@router.get(
    "/jobs/{job_id}",
    summary="One job: its state, progress, log and result (managers of its project)",
    responses=errors(401, 404, 422),
)
def get_job(job_id: int, caller: CurrentCaller, db: Db, settings: AppSettings) -> JobOut:
    return job_out(*_job_for(db, caller.user, job_id), settings)


@router.post(
    "/jobs/{job_id}/cancel",
    summary="Cancel a job: a queued one at once, a running one at its next step; an import "
    "that has passed its commit point finishes",
    responses=errors(401, 404, 409, 422),
)
def cancel_job(job_id: int, request: Request, caller: CurrentCaller, db: Db) -> JobOut:
    _job_for(db, caller.user, job_id)
    with db.write() as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is None:
            raise NotFound(f"no job {job_id}, or you cannot see it")
        do_cancel_job(session, caller.user, job)
    with db.read() as session:
        found = job_with_owner(session, job_id)
        assert found is not None
        return job_out(*found, request.app.state.settings)


@router.get(
    "/jobs/{job_id}/download",
    summary="Download the file a finished export job made (redirects to a short-lived link)",
    status_code=307,
    responses=errors(401, 404, 410, 422),
)
def download_job(
    job_id: int, request: Request, caller: CurrentCaller, db: Db, settings: AppSettings
) -> RedirectResponse:
    job, _ = _job_for(db, caller.user, job_id)
    with db.read() as session:  # the project may allow exports by admins only
        check_export(project_for(session, caller.user, job.project_id, Can.manage)[0], caller.user)
    if job.kind != "export" or job.state != JobState.succeeded.value or not job.result:
        raise Invalid(
            f"job {job_id} is not a finished export: there is no file to download", code="no_file"
        )
    if job.expired_at is not None:
        raise Gone(
            f"the file of export job {job_id} was deleted {_ago(job.expired_at)}, "
            f"{settings.export_keep_hours:g} hours after the export finished "
            "(ACCORD_EXPORT_KEEP_HOURS); run the export again",
            code="export_expired",
        )
    url = file_url(
        runner_of(request).storage,
        instance_secret(db),
        job.result["key"],
        settings.file_url_seconds,
        job.result.get("filename"),
    )
    return RedirectResponse(url, status_code=307)


class ExportJobIn(TrainingFields):
    format: Format = Field(
        default="jsonl",
        description="jsonl, csv, or for image projects coco (one JSON), yolo or voc (zips), "
        "or for video tracks mot (a zip of MOTChallenge SEQUENCE/gt/gt.txt folders), "
        "cvat-video (a zip of CVAT for video 1.1 XML files), ytvis (YouTube-VIS JSON) or "
        "coco-video (COCO per frame), "
        "or for video events events_csv or events_json (one row per event), "
        "or for audio rttm (segments) or vtt or srt (transcripts, a zip of one file per task), "
        "or for training code (docs/training_exports.md) trl-sft, trl-preference, trl-kto, "
        "reward-pairs, openai-ft, hf-parquet, conll or spacy; the job's result then carries "
        "the export's report",
    )
    status: Literal["new", "in_progress", "complete"] | None = None
    annotator: str | None = Field(
        default=None, max_length=320, description="Only this annotator's work (email)"
    )
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    consensus: bool = False
    final: bool = False
    spreadsheet_safe: bool = True
    with_media: bool = Field(
        default=False,
        description="COCO, YOLO, VOC: bundle the images into a zip, upright (EXIF applied)",
    )


@router.post(
    "/projects/{project_id}/exports",
    status_code=202,
    summary="Export the project into the storage backend as a background job (managers); "
    "the same filters as GET /projects/{id}/export",
    responses=errors(401, 403, 404, 413, 422),
)
def start_export(
    project_id: int, body: ExportJobIn, request: Request, caller: CurrentCaller, db: Db
) -> JobOut:
    training = body.format in TRAINING_FORMATS
    leave_out = {"annotator"} | (set() if training else set(TrainingFields.model_fields))
    params: dict[str, Any] = body.model_dump(mode="json", exclude=leave_out)
    if body.format in FORMAT_QUESTIONS:  # mot, rttm, vtt, srt: the question the file holds
        params["question"] = body.question
    with db.read() as session:
        project, _ = project_for(session, caller.user, project_id, Can.manage)
        check_export(project, caller.user)  # the project may allow admins only
        if body.annotator:
            user = find_user(session, body.annotator)
            if user is None:
                raise Invalid(
                    f"no account with the email {body.annotator}", details={"field": "annotator"}
                )
            params["annotator_id"] = user.id
    for name in ("since", "until"):
        moment = utc(getattr(body, name), name)
        params[name] = moment.isoformat() if moment else None
    check_final(body.final, body.consensus, body.status, body.annotator, body.since, body.until)
    if body.format in IMAGE_FORMATS:
        check_image_format(body.format, body.consensus)
    if body.format == "labelstudio":
        check_labelstudio_format(body.final, body.consensus)
    if body.format in VIDEO_TRACK_FORMATS:
        check_video_tracks_format(body.format, body.consensus)
    if body.format in EVENTS_FORMATS:
        check_events_format(interface_of(project), body.consensus, body.final)
    if not training:  # mot, rttm, vtt, srt: their question (others: none)
        check_question(project, interface_of(project), body.format, body.consensus, body.question)
    if training:
        check_reviewed(body.reviewed, body.final)
        check_training_format(
            interface_of(project), body.format, body.options(), consensus=body.consensus
        )
    elif body.reviewed:
        raise Invalid(
            "reviewed goes with the training formats (docs/training_exports.md)",
            details={"field": "reviewed"},
        )
    return start_job(
        request,
        db,
        caller.user,
        project_id,
        "export",
        params,
        unit="tasks" if body.format == "jsonl" else "bytes",
    )


class BucketSyncIn(BaseModel):
    url: str = Field(
        min_length=1,
        max_length=2000,
        description="s3://bucket/prefix, or a folder inside the local storage's media/",
    )
    field: str = Field(
        min_length=1, max_length=100, description="The project's field that gets each object's URL"
    )


@router.post(
    "/projects/{project_id}/bucket-syncs",
    status_code=202,
    summary="Create a task per object under a bucket prefix, as a background job (managers); "
    "objects synced before are duplicates, so syncing again adds only the new ones",
    responses=errors(401, 403, 404, 409, 413, 422),
)
def start_bucket_sync(
    project_id: int, body: BucketSyncIn, request: Request, caller: CurrentCaller, db: Db
) -> JobOut:
    with db.read() as session:
        project_for(session, caller.user, project_id, Can.manage)
    return start_job(
        request,
        db,
        caller.user,
        project_id,
        "bucket_sync",
        body.model_dump(),
        unit="objects",
        single=True,
    )


def start_job(
    request: Request,
    db: Database,
    user: User | None,
    project_id: int,
    kind: str,
    params: dict[str, Any],
    *,
    unit: str = "rows",
    single: bool = False,
) -> JobOut:
    """Record the job, hand it to the queue once committed, and describe it."""
    with db.write() as session:
        job = do_start_job(session, user, project_id, kind, params, unit=unit, single=single)
        job_id = job.id
    runner_of(request).send(job_id)
    with db.read() as session:
        found = job_with_owner(session, job_id)
        assert found is not None
        return job_out(*found, request.app.state.settings)


def refresh_soon(request: Request, db: Database, project_id: int, kind: str) -> None:
    """Start a system job of ``kind`` for the project unless one is already queued or
    running (a recomputation asked for by a read that found the figures stale)."""
    with db.read() as session:
        if active_job(session, project_id, kind) is not None:
            return
    try:
        with db.write() as session:
            job = do_start_job(session, None, project_id, kind, {}, unit="steps", single=True)
            job_id = job.id
    except Conflict:
        return  # another request started it meanwhile
    runner_of(request).send(job_id)
