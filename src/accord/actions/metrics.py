"""Storing a project's metrics snapshot (computed outside any write, by accord.jobs.metrics)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.db.types import utcnow
from accord.models import MetricsSnapshot, Project


def do_store_metrics(session: Session, project_id: int, data: str, seconds: float) -> bool:
    """Replace the project's snapshot with ``data`` (JSON text); False if the project was
    deleted meanwhile. One short write: the figures were computed before it began. Not
    audited: nothing a person decided changes, and a snapshot says when it was computed."""
    alive = session.scalar(
        select(Project.id).where(Project.id == project_id, Project.deleted_at.is_(None))
    )
    if alive is None:
        return False
    row = session.get(MetricsSnapshot, project_id)
    if row is None:
        row = MetricsSnapshot(project_id=project_id)
        session.add(row)
    row.data, row.computed_at, row.seconds = data, utcnow(), seconds
    return True
