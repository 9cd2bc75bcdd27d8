"""The audit log, for managers (their project) and admins (everything)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from accord.api.auth import CurrentCaller, Db, require_admin
from accord.api.errors import errors
from accord.api.policies import Can, project_for
from accord.models import AuditEvent, User

router = APIRouter(tags=["audit"])


class EventOut(BaseModel):
    id: int
    at: dt.datetime
    actor: str | None = Field(description="Email of who did it; null for the system")
    project_id: int | None
    action: str
    object_type: str
    object_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class EventPage(BaseModel):
    items: list[EventOut]
    next_before: int | None


def _page(db: Any, project_id: int | None, before: int | None, limit: int) -> EventPage:
    with db.read() as session:
        query = select(AuditEvent, User.email).outerjoin(User, User.id == AuditEvent.actor_id)
        if project_id is not None:
            query = query.where(AuditEvent.project_id == project_id)
        if before is not None:
            query = query.where(AuditEvent.id < before)
        rows = session.execute(query.order_by(AuditEvent.id.desc()).limit(limit)).all()
        items = [
            EventOut(
                id=e.id,
                at=e.at,
                actor=email,
                project_id=e.project_id,
                action=e.action,
                object_type=e.object_type,
                object_id=e.object_id,
                before=e.before,
                after=e.after,
            )
            for e, email in rows
        ]
        return EventPage(items=items, next_before=items[-1].id if len(items) == limit else None)


@router.get(
    "/projects/{project_id}/audit",
    summary="A project's audit log, newest first",
    responses=errors(401, 403, 404, 422),
)
def project_audit(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    before: int | None = Query(default=None, ge=1),
    limit: int = Query(default=100, ge=1, le=1000),
) -> EventPage:
    with db.read() as session:
        project_for(session, caller.user, project_id, Can.manage)
    return _page(db, project_id, before, limit)


@router.get(
    "/audit", summary="The whole audit log, newest first (admin)", responses=errors(401, 403, 422)
)
def audit(
    caller: CurrentCaller,
    db: Db,
    project_id: int | None = Query(default=None, ge=1),
    before: int | None = Query(default=None, ge=1),
    limit: int = Query(default=100, ge=1, le=1000),
) -> EventPage:
    require_admin(caller)
    return _page(db, project_id, before, limit)
