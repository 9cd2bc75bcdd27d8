"""The media references a project's tasks hold in their image fields (for thumbnails)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from accord.media.links import is_link
from accord.models import Project, Task
from accord.queries.projects import interface_of

MEDIA_MARKS = ('"s3://', '"file://')  # how a media URL starts inside a task's JSON text


def reference_of(value: Any) -> str | None:
    """The media reference of an image field's value (a string, or an object's ``src``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("src"), str):
        return str(value["src"])
    return None


def image_references(
    session: Session,
    project_id: int,
    fields: list[str],
    after: int,
    limit: int,
    *,
    import_id: int | None = None,
) -> tuple[list[str], int | None]:
    """The references in ``fields`` of up to ``limit`` tasks with ids above ``after`` (in id
    order, each reference once per page), and the last id read (None: no tasks left).
    With ``import_id``: only that import's tasks, and only media URLs (s3://, file://)."""
    query = select(Task.id, Task.data).where(Task.project_id == project_id, Task.id > after)
    if import_id is not None:
        query = query.where(Task.import_id == import_id)
    rows = session.execute(query.order_by(Task.id).limit(limit)).all()
    found: dict[str, None] = {}
    for _, text in rows:
        data = orjson.loads(text)
        for field in fields:
            reference = reference_of(data.get(field))
            if reference is not None and (import_id is None or is_link(reference)):
                found[reference] = None
    return list(found), (rows[-1][0] if rows else None)


def import_has_media(session: Session, project_id: int, import_id: int, fields: list[str]) -> bool:
    """Whether a task of the import holds a media URL (s3://, file://) in one of ``fields``.
    The database finds the candidates (a URL anywhere in the task's JSON); they are read
    until one holds it in an image field."""
    after = 0
    marks = or_(*(Task.data.contains(mark) for mark in MEDIA_MARKS))
    while True:
        rows = session.execute(
            select(Task.id, Task.data)
            .where(Task.project_id == project_id, Task.import_id == import_id, Task.id > after)
            .where(marks)
            .order_by(Task.id)
            .limit(200)
        ).all()
        if not rows:
            return False
        for _, text in rows:
            data = orjson.loads(text)
            if any(is_link(reference_of(data.get(field))) for field in fields):
                return True
        after = rows[-1][0]


def import_media_fields(session: Session, project_id: int, import_id: int) -> list[str]:
    """The project's image fields if a task of the import holds a media URL in one of them;
    else [] (no image field, only web addresses there, or the project is gone)."""
    project = session.get(Project, project_id)
    if project is None or project.deleted_at is not None:
        return []
    fields = [f.name for f in interface_of(project).fields if f.kind == "image"]
    if not fields or not import_has_media(session, project_id, import_id, fields):
        return []
    return fields
