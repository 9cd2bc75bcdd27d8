"""Recording audit events. Every action calls `record` once per state change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from accord.db.types import utcnow
from accord.models import AuditEvent, User

_INSERT = insert(AuditEvent)


def record(
    session: Session,
    actor: User | None,
    action: str,
    obj: tuple[str, int | None],
    *,
    project_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one event: ``action`` (e.g. ``"annotation.submit"``) on ``obj`` (type, id)."""
    session.connection().execute(
        _INSERT,
        {
            "at": utcnow(),
            "actor_id": actor.id if actor is not None else None,
            "project_id": project_id,
            "action": action,
            "object_type": obj[0],
            "object_id": obj[1],
            "before": before,
            "after": after,
        },
    )
