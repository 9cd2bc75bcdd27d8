"""Every change to a background job's row: start, claim, progress, finish, cancel, retry.

The row is the truth (see `accord.models.jobs`): a worker claims a queued job with one
conditional UPDATE, so however often the queue delivers its id, one worker runs it; every
later write of that worker names the attempt it claimed (``attempts``), so a worker the sweep
gave up for dead can no longer touch the job it lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal, select, update
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.actions.webhook_events import job_finished
from accord.db.types import UTCDateTime, utcnow
from accord.errors import Conflict
from accord.models import Job, JobState, User
from accord.models.jobs import FINISHED

MAX_ATTEMPTS = 3  # a job whose worker died this many times fails
LOG_LIMIT = 200  # entries kept in a job's log (the first ones, then a line saying more were cut)

ACTIVE = (JobState.queued.value, JobState.running.value)


@dataclass(frozen=True)
class Claim:
    """What a worker needs to run a job it claimed."""

    job_id: int
    project_id: int
    kind: str
    params: dict[str, Any]
    attempt: int
    created_by: int | None
    result: dict[str, Any] | None  # what an earlier attempt noted (`do_note_job`)


def do_start_job(
    session: Session,
    user: User | None,
    project_id: int,
    kind: str,
    params: dict[str, Any],
    *,
    unit: str = "rows",
    single: bool = False,
) -> Job:
    """Record a queued job; the caller hands it to the queue once this transaction commits.

    ``single``: refuse (409) while another job of this kind runs or waits for the project.
    """
    if single:
        busy = session.scalar(
            select(Job.id)
            .where(Job.project_id == project_id, Job.kind == kind, Job.state.in_(ACTIVE))
            .limit(1)
        )
        if busy is not None:
            raise Conflict(
                f"a {kind} job (job {busy}) is already queued or running for this project; "
                "wait for it to finish or cancel it",
                code="job_running",
                details={"job_id": busy},
            )
    job = Job(
        project_id=project_id,
        kind=kind,
        state=JobState.queued.value,
        params=params,
        created_by=user.id if user is not None else None,
        unit=unit,
        sent_at=utcnow(),
        log=[],
        phase="waiting for a worker",
        done=0,
        attempts=0,
        cancel_requested=False,
    )
    session.add(job)
    session.flush()
    record(
        session,
        user,
        "job.start",
        ("job", job.id),
        project_id=project_id,
        after={"kind": kind, "params": params},
    )
    return job


def do_cancel_job(session: Session, user: User, job: Job) -> Job:
    """Cancel a queued job at once; ask a running one to stop (it stops at its next step)."""
    if job.state in FINISHED:
        raise Conflict(
            f"job {job.id} has already finished ({job.state}); there is nothing to cancel",
            code="job_finished",
        )
    job.cancel_requested = True
    if job.state == JobState.queued.value:
        job.state = JobState.cancelled.value
        job.finished_at = utcnow()
        job.phase = "cancelled before it started"
        job_finished(session, job)
    session.flush()
    record(session, user, "job.cancel", ("job", job.id), project_id=job.project_id)
    return job


def do_claim_job(session: Session, job_id: int, worker: str) -> Claim | None:
    """Take a queued job for this worker; None if it is not queued (taken, finished, gone)."""
    now = utcnow()
    claimed = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == JobState.queued.value)
        .values(
            state=JobState.running.value,
            attempts=Job.attempts + 1,
            worker=worker[:120],
            started_at=func.coalesce(Job.started_at, literal(now, UTCDateTime())),
            heartbeat_at=now,
            phase="starting",
        )
        .returning(Job.project_id, Job.kind, Job.params, Job.attempts, Job.created_by, Job.result)
    ).first()
    if claimed is None:
        return None
    return Claim(
        job_id, claimed[0], claimed[1], claimed[2] or {}, claimed[3], claimed[4], claimed[5]
    )


def _mine(job_id: int, attempt: int) -> Any:
    return (Job.id == job_id, Job.state == JobState.running.value, Job.attempts == attempt)


def do_beat_job(
    session: Session,
    job_id: int,
    attempt: int,
    *,
    done: int | None = None,
    total: int | None = None,
    unit: str | None = None,
    phase: str | None = None,
) -> bool | None:
    """Record that the attempt is alive (and its progress). Returns whether a cancel was asked,
    or None if the job is no longer this attempt's (given up for dead, deleted)."""
    values: dict[str, Any] = {"heartbeat_at": utcnow()}
    if done is not None:
        values["done"] = done
    if total is not None:
        values["total"] = total
    if unit is not None:
        values["unit"] = unit
    if phase is not None:
        values["phase"] = phase[:120]
    row = session.execute(
        update(Job).where(*_mine(job_id, attempt)).values(**values).returning(Job.cancel_requested)
    ).first()
    return None if row is None else bool(row[0])


def do_note_job(session: Session, job_id: int, attempt: int, values: dict[str, Any]) -> None:
    """Keep ``values`` in the job's result while it runs (a retry reads them back)."""
    job = session.get(Job, job_id, with_for_update=True)
    if job is None or job.state != JobState.running.value or job.attempts != attempt:
        return
    job.result = {**(job.result or {}), **values}


def do_log_job(session: Session, job_id: int, message: str) -> None:
    """Append a line to the job's log (kept to `LOG_LIMIT` lines)."""
    job = session.get(Job, job_id)
    if job is None:
        return
    entries = list(job.log or [])
    if len(entries) < LOG_LIMIT:
        entries.append({"at": utcnow().isoformat(), "message": message[:2000]})
    elif len(entries) == LOG_LIMIT:
        entries.append({"at": utcnow().isoformat(), "message": "(more lines were cut)"})
    job.log = entries


def do_finish_job(
    session: Session,
    job_id: int,
    attempt: int,
    state: JobState,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
    progress: dict[str, Any] | None = None,
) -> Job | None:
    """End the attempt: succeeded, failed or cancelled, with its last ``progress`` (done,
    total, unit). None if it was no longer this attempt's job."""
    job = session.get(Job, job_id)
    if job is None or job.state != JobState.running.value or job.attempts != attempt:
        return None
    for name, value in (progress or {}).items():
        setattr(job, name, value)
    job.state = state.value
    job.finished_at = utcnow()
    job.heartbeat_at = job.finished_at
    job.phase = {"succeeded": "done", "failed": "failed", "cancelled": "cancelled"}[state.value]
    if result is not None:
        job.result = result
    if state == JobState.succeeded and job.total is not None:
        job.done = max(job.done, job.total)
    job.error = error
    if error:
        do_log_job(session, job_id, error)
    session.flush()
    record(
        session,
        None,
        f"job.{state.value}",
        ("job", job.id),
        project_id=job.project_id,
        after={"kind": job.kind, "error": error},
    )
    job_finished(session, job)
    return job


def do_retry_job(session: Session, job: Job, reason: str) -> bool:
    """Put a running job whose attempt ended early back in the queue, or fail it after
    `MAX_ATTEMPTS`. True if it was queued again."""
    again = job.attempts < MAX_ATTEMPTS and not job.cancel_requested
    do_log_job(session, job.id, f"attempt {job.attempts}: {reason}")
    now = utcnow()
    if again:
        job.state = JobState.queued.value
        job.phase = "waiting for a worker (retry)"
        job.sent_at = now
        job.worker = None
    else:
        job.state = JobState.cancelled.value if job.cancel_requested else JobState.failed.value
        job.finished_at = now
        job.phase = job.state
        job.error = (
            f"{reason}; the job was cancelled"
            if job.cancel_requested
            else f"{reason}; gave up after {job.attempts} attempts"
        )
    session.flush()
    if not again:
        record(
            session,
            None,
            f"job.{job.state}",
            ("job", job.id),
            project_id=job.project_id,
            after={"kind": job.kind, "error": job.error},
        )
        job_finished(session, job)
    return again


def abandoned_jobs(session: Session, stale_before: dt.datetime, *, lock: bool = True) -> list[Job]:
    """Running jobs whose worker stopped beating before ``stale_before`` (locked, skipping
    those another sweeper holds, unless ``lock`` is false)."""
    query = (
        select(Job)
        .where(Job.state == JobState.running.value, Job.heartbeat_at < stale_before)
        .limit(100)
    )
    if lock:
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def do_mark_sent(session: Session, job_ids: list[int]) -> None:
    if job_ids:
        session.execute(
            update(Job)
            .where(Job.id.in_(job_ids), Job.state == JobState.queued.value)
            .values(sent_at=utcnow())
        )


def unsent_jobs(session: Session, sent_before: dt.datetime) -> list[int]:
    """Queued jobs last handed to the queue before ``sent_before`` (their message may be lost)."""
    return list(
        session.scalars(
            select(Job.id)
            .where(Job.state == JobState.queued.value, Job.sent_at < sent_before)
            .order_by(Job.id)
            .limit(100)
        )
    )


def do_expire_export(session: Session, job: Job) -> None:
    """Note that a finished export's file was deleted (`accord.jobs.expiry`)."""
    if job.expired_at is not None:
        return
    job.expired_at = utcnow()
    session.flush()
    record(session, None, "job.export_expired", ("job", job.id), project_id=job.project_id)
