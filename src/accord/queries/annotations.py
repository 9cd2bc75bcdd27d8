"""Annotation listings and history."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.models import Annotation, AnnotationVersion, Prediction, Task, User


def annotations_of_task(
    session: Session, task: Task, only_user: int | None = None
) -> list[tuple[Annotation, User]]:
    query = (
        select(Annotation, User)
        .join(User, User.id == Annotation.user_id)
        .where(Annotation.task_id == task.id)
        .order_by(Annotation.id)
    )
    if only_user is not None:
        query = query.where(Annotation.user_id == only_user)
    return [(a, author) for a, author in session.execute(query)]


def predictions_of_task(session: Session, task: Task) -> list[Prediction]:
    """The task's predictions: a probe of the (project_id, task_id) index (predictions have no
    index that starts with task_id, so the project must be named too)."""
    query = select(Prediction).where(
        Prediction.project_id == task.project_id, Prediction.task_id == task.id
    )
    return list(session.scalars(query.order_by(Prediction.id)))


def versions_of(session: Session, annotation: Annotation) -> list[AnnotationVersion]:
    return list(
        session.scalars(
            select(AnnotationVersion)
            .where(AnnotationVersion.annotation_id == annotation.id)
            .order_by(AnnotationVersion.version)
        )
    )


def annotations_by(
    session: Session, project_id: int, user_id: int, *, before: int | None, limit: int
) -> list[Annotation]:
    """``user_id``'s annotations in a project, newest first."""
    query = select(Annotation).where(
        Annotation.project_id == project_id, Annotation.user_id == user_id
    )
    if before is not None:
        query = query.where(Annotation.id < before)
    return list(session.scalars(query.order_by(Annotation.id.desc()).limit(limit)))
