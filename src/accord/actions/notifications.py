"""In-app notifications: add one for a person (any feature may), mark a person's read.

Notifications are a person's own: they are not audited (the change that made one is)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import update
from sqlalchemy.orm import Session

from accord.db.types import utcnow
from accord.errors import Invalid
from accord.models import Notification, User

MAX_TEXT = 500
MAX_LINK = 500
MAX_IDS = 500  # notifications marked read in one call


def _shortened(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def do_notify(
    session: Session,
    user_id: int,
    kind: str,
    text: str,
    *,
    link: str = "",
    project_id: int | None = None,
) -> Notification:
    """Tell ``user_id`` something: ``kind`` (e.g. ``flag.answered``), a short ``text`` (cut to
    `MAX_TEXT` characters) and an app path ``link`` to look at (same-site only)."""
    if link and (not link.startswith("/") or link.startswith("//") or len(link) > MAX_LINK):
        raise ValueError(f"a notification's link is a path in the app, not {link!r}")
    notification = Notification(
        user_id=user_id,
        project_id=project_id,
        kind=kind[:40],
        text=_shortened(text, MAX_TEXT),
        link=link,
        created_at=utcnow(),
    )
    session.add(notification)
    session.flush()
    return notification


def do_mark_read(session: Session, user: User, ids: Iterable[int] | None) -> int:
    """Mark ``user``'s notifications ``ids`` read (None: all of them); others' ids are ignored.
    Returns how many changed."""
    statement = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if ids is not None:
        chosen = sorted(set(ids))
        if len(chosen) > MAX_IDS:
            raise Invalid(
                f"ids: at most {MAX_IDS} notifications at once ({len(chosen)} given); "
                "leave ids out to mark all of them read",
                details=[{"path": "ids", "message": f"at most {MAX_IDS}"}],
            )
        statement = statement.where(Notification.id.in_(chosen))
    result = session.execute(statement.values(read_at=utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
