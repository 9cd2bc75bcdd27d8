"""Submitting an annotation and editing one's own, with every version kept."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import delete
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.actions.queue import count_submission, find_assignment, take_slot
from accord.db.types import utcnow
from accord.errors import Conflict, Forbidden, Invalid
from accord.kinds import Interface, Problem
from accord.models import (
    Annotation,
    AnnotationVersion,
    AssignmentState,
    Draft,
    Project,
    Task,
    User,
)
from accord.models.queue import Assignment

MAX_SECONDS = 7 * 24 * 3600.0


def check_answer(interface: Interface, result: Any, task: Task, *, partial: bool = False) -> str:
    """The result as JSON text if it fits the interface, else `Invalid` naming each problem."""
    problems = interface.check_result(result, orjson.loads(task.data), partial=partial)
    if problems:
        raise invalid_answer(problems)
    return orjson.dumps(result).decode()


def invalid_answer(problems: list[Problem]) -> Invalid:
    first = problems[0]
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    return Invalid(
        f"the answer does not fit the interface: {first.path}: {first.message}{more}",
        details=[{"path": p.path, "message": p.message} for p in problems],
        code="invalid_result",
    )


def check_seconds(seconds: float | None) -> float | None:
    if seconds is not None and not 0 <= seconds <= MAX_SECONDS:
        raise Invalid(
            "seconds must be the active time spent, between 0 and one week",
            details={"field": "seconds"},
        )
    return seconds


def do_submit(
    session: Session,
    user: User,
    project: Project,
    interface: Interface,
    task: Task,
    result: Any,
    seconds: float | None = None,
) -> Annotation:
    text = check_answer(interface, result, task)
    check_seconds(seconds)
    assignment = find_assignment(session, task.id, user.id)
    if assignment is not None and assignment.state == AssignmentState.submitted.value:
        raise Conflict(
            "you already submitted this task; edit your annotation instead",
            details={"task_id": task.id},
        )
    now = utcnow()
    if assignment is not None and assignment.state == AssignmentState.leased.value:
        count_submission(session, task.id)  # the lease already holds the slot
    elif not take_slot(session, task.id, project.overlap, submitted=1):
        raise Conflict(
            f"this task already has the {project.overlap} annotation(s) it needs and your "
            "lease on it has ended; ask for the next task",
            code="task_full",
        )
    if assignment is None:
        assignment = Assignment(task_id=task.id, project_id=project.id, user_id=user.id)
        session.add(assignment)
    assignment.state = AssignmentState.submitted.value
    assignment.expires_at = None
    assignment.updated_at = now
    draft = session.get(Draft, (task.id, user.id))
    if seconds is None:
        seconds = draft.seconds if draft is not None else 0.0
    annotation = Annotation(
        task_id=task.id,
        project_id=project.id,
        user_id=user.id,
        result=text,
        seconds=seconds,
        version=1,
        guidelines_version=project.guidelines_version,
        created_at=now,
        updated_at=now,
    )
    session.add(annotation)
    session.flush()
    session.add(_version(annotation, user))
    if draft is not None:
        session.execute(delete(Draft).where(Draft.task_id == task.id, Draft.user_id == user.id))
    record(
        session,
        user,
        "annotation.submit",
        ("annotation", annotation.id),
        project_id=project.id,
        after={"task_id": task.id, "version": 1},
    )
    return annotation


def do_edit_annotation(
    session: Session,
    user: User,
    project: Project,
    interface: Interface,
    annotation: Annotation,
    task: Task,
    result: Any,
    seconds: float | None = None,
) -> Annotation:
    """Replace the result of ``user``'s own annotation, until it has been reviewed."""
    if annotation.user_id != user.id:
        raise Forbidden("you can only edit your own annotations")
    if annotation.review_state is not None:
        raise Conflict(
            f"this annotation was reviewed ({annotation.review_state}) and can no longer be "
            "edited; ask a reviewer to reopen it"
        )
    text = check_answer(interface, result, task)
    check_seconds(seconds)
    before = {"version": annotation.version}
    annotation.result = text
    annotation.version += 1
    annotation.seconds += seconds or 0.0
    annotation.updated_at = utcnow()
    session.flush()
    session.add(_version(annotation, user, seconds or 0.0))
    session.execute(delete(Draft).where(Draft.task_id == task.id, Draft.user_id == user.id))
    record(
        session,
        user,
        "annotation.edit",
        ("annotation", annotation.id),
        project_id=project.id,
        before=before,
        after={"version": annotation.version},
    )
    return annotation


def _version(annotation: Annotation, user: User, seconds: float | None = None) -> AnnotationVersion:
    return AnnotationVersion(
        annotation_id=annotation.id,
        version=annotation.version,
        author_id=user.id,
        result=annotation.result,
        seconds=annotation.seconds if seconds is None else seconds,
        created_at=annotation.updated_at,
    )
