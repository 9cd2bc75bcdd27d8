"""A project's model servers, as managers and the workers read them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.errors import Conflict, NotFound
from accord.models import Annotation, MLBackend


def backends_of(session: Session, project_id: int) -> Sequence[MLBackend]:
    """The project's backends, oldest first."""
    return session.scalars(
        select(MLBackend).where(MLBackend.project_id == project_id).order_by(MLBackend.id)
    ).all()


def backend_in(
    session: Session, project_id: int, backend_id: int, *, lock: bool = False
) -> MLBackend:
    """The project's backend ``backend_id``, or `NotFound`."""
    query = select(MLBackend).where(MLBackend.id == backend_id, MLBackend.project_id == project_id)
    found = session.scalar(query.with_for_update() if lock else query)
    if found is None:
        raise NotFound(f"no ML backend {backend_id} in project {project_id}")
    return found


def interactive_backend(
    session: Session, project_id: int, backend_id: int | None = None
) -> MLBackend:
    """The backend the annotate screen's Suggest calls: ``backend_id``, else the project's
    first enabled interactive one."""
    backend: MLBackend | None
    if backend_id is not None:
        backend = backend_in(session, project_id, backend_id)
    else:
        backend = session.scalar(
            select(MLBackend)
            .where(
                MLBackend.project_id == project_id,
                MLBackend.enabled,
                MLBackend.interactive,
            )
            .order_by(MLBackend.id)
            .limit(1)
        )
        if backend is None:
            raise Conflict(
                "this project has no enabled interactive ML backend; a manager can connect one "
                "(docs/ml_backends.md)",
                code="no_ml_backend",
            )
    if not backend.enabled:
        raise Conflict(
            f"ML backend {backend.id} is disabled; a manager can enable it", code="no_ml_backend"
        )
    return backend


def due_for_training(session: Session) -> list[tuple[int, int, int]]:
    """(backend id, project id, newest annotation id) of the enabled backends with at least
    ``train_every`` annotations newer than what they were last sent."""
    backends = session.execute(
        select(MLBackend.id, MLBackend.project_id, MLBackend.train_every, MLBackend.trained_through)
        .where(MLBackend.enabled, MLBackend.train_every > 0)
        .limit(500)
    ).all()
    due: list[tuple[int, int, int]] = []
    for backend_id, project_id, every, through in backends:
        # At most ``every`` rows are counted, whatever the project's size.
        newer = (
            select(Annotation.id)
            .where(Annotation.project_id == project_id, Annotation.id > through)
            .limit(every)
            .subquery()
        )
        found = session.execute(select(func.count(), func.max(newer.c.id))).one()
        if found[0] >= every:
            newest = session.scalar(
                select(func.max(Annotation.id)).where(Annotation.project_id == project_id)
            )
            due.append((backend_id, project_id, int(newest or found[1])))
    return due
