"""A person's notifications: a page of them (newest first) and the unread count. Those about a
deleted project are left out."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from accord.models import Notification, Project

MAX_PAGE = 100


def _visible() -> ColumnElement[bool]:
    live = select(Project.id).where(
        Project.id == Notification.project_id, Project.deleted_at.is_(None)
    )
    return or_(Notification.project_id.is_(None), live.exists())


def notifications_of(
    session: Session, user_id: int, *, before: int | None = None, limit: int = 30
) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user_id, _visible())
    if before is not None:
        query = query.where(Notification.id < before)
    query = query.order_by(Notification.id.desc()).limit(min(limit, MAX_PAGE))
    return list(session.scalars(query))


def unread_count(session: Session, user_id: int) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None), _visible())
    )
    return int(count or 0)
