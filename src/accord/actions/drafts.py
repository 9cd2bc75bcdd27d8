"""Drafts: autosaved work in progress, kept exactly as sent.

A draft is not checked against the interface: half-written work (a text below its minimum
length, a span without a label yet) must still be saved, or keystrokes would be lost. It is
checked when submitted.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import delete
from sqlalchemy.orm import Session

from accord.db.types import utcnow
from accord.errors import Invalid
from accord.models import Draft, User
from accord.queries.projects import ProjectInfo
from accord.queries.tasks import TaskRef


def do_save_draft(
    session: Session, user: User, project: ProjectInfo, task: TaskRef, result: Any, seconds: float
) -> Draft:
    if not isinstance(result, dict):
        raise Invalid("a draft is an object keyed by question name", details={"path": "result"})
    draft = session.get(Draft, (task.id, user.id))
    if draft is None:
        draft = Draft(task_id=task.id, user_id=user.id, project_id=project.id)
        session.add(draft)
    draft.result = orjson.dumps(result).decode()
    draft.seconds = max(0.0, float(seconds))
    draft.updated_at = utcnow()
    session.flush()
    # Autosaves are not audited one by one: the submission that follows is.
    return draft


def do_discard_draft(session: Session, user: User, task: TaskRef) -> None:
    session.execute(delete(Draft).where(Draft.task_id == task.id, Draft.user_id == user.id))
