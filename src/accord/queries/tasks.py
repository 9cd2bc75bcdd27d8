"""Task listings (keyset-paged, so the millionth page is as fast as the first)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from accord.models import Project, Task

STATUSES = ("new", "in_progress", "complete")


def status_of(task: Task, overlap: int) -> str:
    if task.n_submitted == 0:
        return "new"
    return "complete" if task.n_submitted >= overlap else "in_progress"


def with_status(query: Select[Any], status: str | None, overlap: int) -> Select[Any]:
    if status == "new":
        return query.where(Task.n_submitted == 0)
    if status == "in_progress":
        return query.where(Task.n_submitted > 0, Task.n_submitted < overlap)
    if status == "complete":
        return query.where(Task.n_submitted >= overlap)
    return query


def list_tasks(
    session: Session, project: Project, *, status: str | None, after: int, limit: int
) -> list[Task]:
    query = select(Task).where(Task.project_id == project.id, Task.id > after)
    query = with_status(query, status, project.overlap)
    return list(session.scalars(query.order_by(Task.id).limit(limit)))
