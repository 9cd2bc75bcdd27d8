"""Reading background jobs: a project's list, one job, and its progress figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.actions.jobs import ACTIVE
from accord.db.types import utcnow
from accord.models import Job, JobState, User


@dataclass(frozen=True)
class Pace:
    """How fast a running job goes and when it should end (None while unknown)."""

    percent: float | None
    rate: float | None  # units per second since it started
    eta_seconds: float | None


def pace_of(job: Job, now: dt.datetime | None = None) -> Pace:
    percent = None
    if job.total:
        percent = round(min(100.0, 100.0 * job.done / job.total), 1)
    if job.started_at is None or job.done <= 0:
        return Pace(percent, None, None)
    end = job.finished_at or now or utcnow()
    seconds = (end - job.started_at).total_seconds()
    if seconds <= 0:
        return Pace(percent, None, None)
    rate = job.done / seconds
    eta = None
    if job.state == "running" and job.total and job.total > job.done and rate > 0:
        eta = round((job.total - job.done) / rate, 1)
    return Pace(percent, round(rate, 2), eta)


def jobs_of(
    session: Session,
    project_id: int,
    *,
    kind: str | None = None,
    active: bool = False,
    limit: int = 50,
    before: int | None = None,
) -> list[tuple[Job, str | None]]:
    """The project's jobs, newest first, with the email of who started each."""
    query = (
        select(Job, User.email)
        .outerjoin(User, User.id == Job.created_by)
        .where(Job.project_id == project_id)
        .order_by(Job.id.desc())
        .limit(limit)
    )
    if kind is not None:
        query = query.where(Job.kind == kind)
    if active:
        query = query.where(Job.state.in_(ACTIVE))
    if before is not None:
        query = query.where(Job.id < before)
    return [(job, email) for job, email in session.execute(query)]


def job_with_owner(session: Session, job_id: int) -> tuple[Job, str | None] | None:
    row = session.execute(
        select(Job, User.email).outerjoin(User, User.id == Job.created_by).where(Job.id == job_id)
    ).first()
    return None if row is None else (row[0], row[1])


def active_job(session: Session, project_id: int, kind: str) -> Job | None:
    return session.scalar(
        select(Job)
        .where(Job.project_id == project_id, Job.kind == kind, Job.state.in_(ACTIVE))
        .order_by(Job.id.desc())
        .limit(1)
    )


def exports_finished_before(session: Session, before: dt.datetime, limit: int = 100) -> list[Job]:
    """Succeeded export jobs that finished before ``before`` and whose file was not yet
    deleted, oldest first."""
    return list(
        session.scalars(
            select(Job)
            .where(
                Job.kind == "export",
                Job.state == JobState.succeeded.value,
                Job.finished_at < before,
                Job.expired_at.is_(None),
            )
            .order_by(Job.finished_at)
            .limit(limit)
        )
    )
