"""A project's data-handling settings (sensitive work, exports, watermark, copy, access log,
retention) and its access log of task views."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from accord.actions.confidentiality import VIEW, do_set_handling, handling_of
from accord.api.auth import CurrentCaller, Db
from accord.api.errors import errors
from accord.api.policies import Can, project_for
from accord.api.schemas import In
from accord.models import AuditEvent, User

router = APIRouter(tags=["confidentiality"])

DAILY = "Sensitive tasks an annotator may be served per UTC day (0: no limit)"
BREAK_AFTER = "Ask the annotator to take a break after this many sensitive tasks (0: never)"
BREAK_MINUTES = "...or after this many minutes of sensitive tasks without a break (0: never)"
ADMINS = "Only admins may export the project; managers get 403"
WATERMARK = "Overlay the viewer's name, email and the time over the task's media and text"
BLOCK_COPY = "Block copy, cut, the context menu and selection in the task's fields"
ACCESS_LOG = "Record each view of a task (annotate, task page, review) in the audit log"
ACCESS_DAYS = "Delete recorded task views after this many days (0: keep them)"
RETENTION = (
    "Replace a complete task's data by a tombstone this many days after an export carried "
    "it (0: keep it); ids, metadata and annotations stay"
)


class HandlingOut(BaseModel):
    sensitive_daily_limit: int = Field(description=DAILY)
    sensitive_break_after: int = Field(description=BREAK_AFTER)
    sensitive_break_minutes: int = Field(description=BREAK_MINUTES)
    export_admins_only: bool = Field(description=ADMINS)
    watermark: bool = Field(description=WATERMARK)
    block_copy: bool = Field(description=BLOCK_COPY)
    access_log: bool = Field(description=ACCESS_LOG)
    access_log_days: int = Field(description=ACCESS_DAYS)
    retention_days: int = Field(description=RETENTION)


class HandlingIn(In):
    sensitive_daily_limit: int | None = Field(default=None, ge=0, le=100_000, description=DAILY)
    sensitive_break_after: int | None = Field(
        default=None, ge=0, le=100_000, description=BREAK_AFTER
    )
    sensitive_break_minutes: int | None = Field(
        default=None, ge=0, le=24 * 60, description=BREAK_MINUTES
    )
    export_admins_only: bool | None = Field(default=None, description=ADMINS)
    watermark: bool | None = Field(default=None, description=WATERMARK)
    block_copy: bool | None = Field(default=None, description=BLOCK_COPY)
    access_log: bool | None = Field(default=None, description=ACCESS_LOG)
    access_log_days: int | None = Field(default=None, ge=0, le=36_500, description=ACCESS_DAYS)
    retention_days: int | None = Field(default=None, ge=0, le=36_500, description=RETENTION)


class ViewOut(BaseModel):
    id: int
    at: dt.datetime
    user_id: int | None
    email: str | None
    task_id: int | None
    where: str = Field(description="annotate, task or review")


class ViewPage(BaseModel):
    items: list[ViewOut]
    next_before: int | None = Field(description="Pass as `before` for the next (older) page")


@router.get(
    "/projects/{project_id}/handling",
    summary="The project's data-handling settings (any member: they say how tasks are shown)",
    responses=errors(401, 404, 422),
)
def get_handling(project_id: int, caller: CurrentCaller, db: Db) -> HandlingOut:
    with db.read() as session:
        project, _ = project_for(session, caller.user, project_id, Can.view)
        return HandlingOut(**handling_of(project))


@router.patch(
    "/projects/{project_id}/handling",
    summary="Change the project's data-handling settings (managers)",
    responses=errors(401, 403, 404, 413, 422),
)
def set_handling(project_id: int, body: HandlingIn, caller: CurrentCaller, db: Db) -> HandlingOut:
    with db.write() as session:
        project, _ = project_for(session, caller.user, project_id, Can.manage)
        do_set_handling(session, caller.user, project, body.model_dump(exclude_none=True))
        return HandlingOut(**handling_of(project))


@router.get(
    "/projects/{project_id}/access-log",
    summary="Who viewed which task and when, newest first (managers; with access_log on)",
    responses=errors(401, 403, 404, 422),
)
def access_log(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    task_id: int | None = Query(default=None, ge=1, description="Only views of this task"),
    before: int | None = Query(default=None, ge=1),
    limit: int = Query(default=100, ge=1, le=1000),
) -> ViewPage:
    with db.read() as session:
        project_for(session, caller.user, project_id, Can.manage)
        query = (
            select(AuditEvent, User.email)
            .outerjoin(User, User.id == AuditEvent.actor_id)
            .where(AuditEvent.project_id == project_id, AuditEvent.action == VIEW)
        )
        if task_id is not None:
            query = query.where(AuditEvent.object_id == task_id)
        if before is not None:
            query = query.where(AuditEvent.id < before)
        rows = session.execute(query.order_by(AuditEvent.id.desc()).limit(limit)).all()
        items = [
            ViewOut(
                id=e.id,
                at=e.at,
                user_id=e.actor_id,
                email=email,
                task_id=e.object_id,
                where=str((e.after or {}).get("in", "")),
            )
            for e, email in rows
        ]
        return ViewPage(items=items, next_before=items[-1].id if len(items) == limit else None)
