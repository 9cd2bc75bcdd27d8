"""A project's data-handling settings: who may export, watermark, copy blocking, the access
log of task views, and the retention of task data after export.

The settings live on the project (`accord.models.Project`); changing them is
`do_set_handling`. The access log is the audit log's ``task.view`` events (`record_view`),
one insert in the transaction that serves the view, written only when the project asks for
it; `do_purge_access_log` and `do_retention_step` run from a periodic tick of the job runner
(`accord.jobs.retention`) in short batches.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.db.types import utcnow
from accord.errors import Forbidden, Invalid
from accord.models import AuditEvent, Job, JobState, Project, Task, User

VIEW = "task.view"
EXPORT_NOTED = "project.export"
BATCH = 500
MAX_DAYS = 36_500
TOMBSTONE = orjson.dumps({}).decode()

# name: (type, lowest, highest) — the settings `do_set_handling` accepts.
HANDLING: dict[str, tuple[type, int, int]] = {
    "sensitive_daily_limit": (int, 0, 100_000),
    "sensitive_break_after": (int, 0, 100_000),
    "sensitive_break_minutes": (int, 0, 24 * 60),
    "export_admins_only": (bool, 0, 1),
    "watermark": (bool, 0, 1),
    "block_copy": (bool, 0, 1),
    "access_log": (bool, 0, 1),
    "access_log_days": (int, 0, MAX_DAYS),
    "retention_days": (int, 0, MAX_DAYS),
}


def handling_of(project: Project) -> dict[str, Any]:
    return {name: getattr(project, name) for name in HANDLING}


def do_set_handling(
    session: Session, actor: User, project: Project, changes: dict[str, Any]
) -> Project:
    """Apply ``changes`` (any of `HANDLING`) to ``project``; all or nothing, audited."""
    for name, value in changes.items():
        if name not in HANDLING:
            raise Invalid(
                f"{name} is not a data-handling setting; use one of {', '.join(HANDLING)}",
                details={"field": name},
            )
        kind, low, high = HANDLING[name]
        if type(value) is not kind or (type(value) is int and not low <= value <= high):
            what = "true or false" if kind is bool else f"a whole number from {low} to {high}"
            raise Invalid(f"{name}: expected {what}", details={"field": name})
    before = handling_of(project)
    for name, value in changes.items():
        setattr(project, name, value)
    project.updated_at = utcnow()  # the queue's memo of the project refreshes
    session.flush()
    after = handling_of(project)
    changed = [k for k in after if after[k] != before[k]]
    if changed:
        record(
            session,
            actor,
            "project.handling",
            ("project", project.id),
            project_id=project.id,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return project


def check_export(project: Project, user: User) -> None:
    """Refuse an export to anyone but an admin when the project asks for it."""
    if project.export_admins_only and not user.is_admin:
        raise Forbidden(
            f"project {project.id} allows exports by admins only (its data-handling settings); "
            "ask an admin to export it, or to change the setting",
            code="export_admins_only",
        )


def record_view(session: Session, user: User, project_id: int, task_id: int, where: str) -> None:
    """One row of the access log: ``user`` viewed ``task_id`` (in ``where``: annotate, task,
    review). The caller checks the project's ``access_log`` first."""
    record(session, user, VIEW, ("task", task_id), project_id=project_id, after={"in": where})


def do_note_export(session: Session, user: User, project_id: int) -> None:
    """A streamed export began: the task data it carried counts as exported (retention)."""
    record(session, user, EXPORT_NOTED, ("project", project_id), project_id=project_id)


def do_purge_access_log(session: Session, now: dt.datetime | None = None) -> int:
    """Delete one batch of task views older than their project's ``access_log_days``."""
    now = now or utcnow()
    total = 0
    projects = session.execute(
        select(Project.id, Project.access_log_days).where(Project.access_log_days > 0)
    ).all()
    for project_id, days in projects:
        cutoff = now - dt.timedelta(days=days)
        ids = select(AuditEvent.id).where(
            AuditEvent.project_id == project_id, AuditEvent.action == VIEW, AuditEvent.at < cutoff
        )
        batch = list(session.scalars(ids.order_by(AuditEvent.id).limit(BATCH)))
        if batch:
            session.execute(delete(AuditEvent).where(AuditEvent.id.in_(batch)))
            total += len(batch)
    return total


def exported_before(session: Session, project_id: int, before: dt.datetime) -> dt.datetime | None:
    """When the latest export of the project that is older than ``before`` began (a finished
    export job, or a streamed export): tasks created before then were carried by it."""
    job = session.scalar(
        select(func.max(Job.created_at)).where(
            Job.project_id == project_id,
            Job.kind == "export",
            Job.state == JobState.succeeded.value,
            Job.finished_at < before,
        )
    )
    noted = session.scalar(
        select(func.max(AuditEvent.at)).where(
            AuditEvent.project_id == project_id,
            AuditEvent.action == EXPORT_NOTED,
            AuditEvent.at < before,
        )
    )
    found = [when for when in (job, noted) if when is not None]
    return max(found) if found else None


def do_retention_step(session: Session, now: dt.datetime | None = None) -> int:
    """Replace by a tombstone the data of one batch of complete tasks per project that an
    export carried ``retention_days`` ago or more; ids, metadata and annotations stay."""
    now = now or utcnow()
    total = 0
    projects = session.execute(
        select(Project.id, Project.retention_days, Project.overlap).where(
            Project.retention_days > 0, Project.deleted_at.is_(None)
        )
    ).all()
    for project_id, days, overlap in projects:
        since = exported_before(session, project_id, now - dt.timedelta(days=days))
        if since is None:
            continue
        ids = list(
            session.scalars(
                select(Task.id)
                .where(
                    Task.project_id == project_id,
                    Task.data_deleted_at.is_(None),
                    Task.created_at < since,
                    Task.purpose.is_(None),  # gold and practice tasks are still served
                    Task.n_submitted >= overlap + Task.extra_overlap,
                )
                .order_by(Task.id)
                .limit(BATCH)
            )
        )
        if not ids:
            continue
        session.execute(
            update(Task).where(Task.id.in_(ids)).values(data=TOMBSTONE, data_deleted_at=now)
        )
        record(
            session,
            None,
            "task.data_deleted",
            ("project", project_id),
            project_id=project_id,
            after={"tasks": ids[:100], "count": len(ids), "retention_days": days},
        )
        total += len(ids)
    return total
