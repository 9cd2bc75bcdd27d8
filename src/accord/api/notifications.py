"""The caller's in-app notifications: list them, the unread count (the bell), mark them read."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from accord.actions.notifications import MAX_IDS, do_mark_read
from accord.api.auth import CurrentCaller, Db
from accord.api.errors import errors
from accord.api.schemas import In
from accord.models import Notification
from accord.queries.notifications import notifications_of, unread_count

router = APIRouter(tags=["notifications"])


class NotificationOut(BaseModel):
    id: int
    kind: str = Field(description="What happened, e.g. flag.answered")
    project_id: int | None
    text: str
    link: str = Field(description="Where to look: a path in the web app ('' for none)")
    created_at: dt.datetime
    read_at: dt.datetime | None

    @classmethod
    def of(cls, n: Notification) -> NotificationOut:
        return cls(
            id=n.id,
            kind=n.kind,
            project_id=n.project_id,
            text=n.text,
            link=n.link,
            created_at=n.created_at,
            read_at=n.read_at,
        )


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    unread: int
    next_before: int | None = Field(description="Pass as `before` for the next (older) page")


class Unread(BaseModel):
    unread: int


class MarkReadIn(In):
    ids: list[int] | None = Field(
        default=None,
        max_length=MAX_IDS,
        description=f"The notifications to mark read (at most {MAX_IDS}); null: all of them",
    )


@router.get(
    "/notifications", summary="The caller's notifications, newest first", responses=errors(401, 422)
)
def list_notifications(
    caller: CurrentCaller,
    db: Db,
    before: int | None = None,
    limit: int = Query(default=30, ge=1, le=100),
) -> NotificationPage:
    with db.read() as session:
        items = notifications_of(session, caller.user.id, before=before, limit=limit)
        unread = unread_count(session, caller.user.id)
    return NotificationPage(
        items=[NotificationOut.of(n) for n in items],
        unread=unread,
        next_before=items[-1].id if len(items) == limit else None,
    )


@router.get(
    "/notifications/unread",
    summary="How many of the caller's notifications are unread",
    responses=errors(401),
)
def unread(caller: CurrentCaller, db: Db) -> Unread:
    with db.read() as session:
        return Unread(unread=unread_count(session, caller.user.id))


@router.post(
    "/notifications/read",
    summary="Mark the caller's notifications read (some, or all)",
    responses=errors(401, 413, 422),
)
def mark_read(body: MarkReadIn, caller: CurrentCaller, db: Db) -> Unread:
    with db.write() as session:
        do_mark_read(session, caller.user, body.ids)
        return Unread(unread=unread_count(session, caller.user.id))
