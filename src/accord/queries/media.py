"""The media references a project's tasks hold in their image fields (for thumbnails)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.models import Task


def reference_of(value: Any) -> str | None:
    """The media reference of an image field's value (a string, or an object's ``src``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("src"), str):
        return str(value["src"])
    return None


def image_references(
    session: Session, project_id: int, fields: list[str], after: int, limit: int
) -> tuple[list[str], int | None]:
    """The references in ``fields`` of up to ``limit`` tasks with ids above ``after`` (in id
    order, each reference once per page), and the last id read (None: no tasks left)."""
    rows = session.execute(
        select(Task.id, Task.data)
        .where(Task.project_id == project_id, Task.id > after)
        .order_by(Task.id)
        .limit(limit)
    ).all()
    found: dict[str, None] = {}
    for _, text in rows:
        data = orjson.loads(text)
        for field in fields:
            reference = reference_of(data.get(field))
            if reference is not None:
                found[reference] = None
    return list(found), (rows[-1][0] if rows else None)
