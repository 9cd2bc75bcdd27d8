"""Recording audit events. Every action calls `record` once per state change."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy.orm import Session

from accord.db.raw import Raw, Sql
from accord.db.types import utcnow
from accord.models import User

_INSERT = Sql(
    "INSERT INTO audit_events (at, actor_id, project_id, action, object_type, object_id, "
    "before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


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
    """Append one event: ``action`` (e.g. ``"annotation.submit"``) on ``obj`` (type, id),
    sent with the transaction's next statement (`Raw.later`: nothing reads it before)."""
    raw = Raw.of(session)
    raw.later(
        _INSERT,
        (
            raw.stamp(utcnow()),
            actor.id if actor is not None else None,
            project_id,
            action,
            obj[0],
            obj[1],
            None if before is None else orjson.dumps(before).decode(),
            None if after is None else orjson.dumps(after).decode(),
        ),
    )
