"""Who may do what in a project.

A project you are not a member of does not exist for you (404, never 403); nor does a deleted
one, for anyone, from the moment it is deleted (its rows are removed later). Members may do what
their role allows; anything else is 403. Admins may do everything everywhere.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy.orm import Session

from accord.actions.queue import Mine, find_assignment
from accord.db.raw import Raw, Sql
from accord.errors import Forbidden, NotFound
from accord.models import Project, Role, Task, User
from accord.queries.projects import ProjectInfo, project_info
from accord.queries.tasks import TaskRef


class Can(enum.StrEnum):
    view = "view the project"
    annotate = "annotate"
    review = "see everyone's annotations"
    manage = "manage the project"


PERMISSIONS: dict[str, frozenset[Can]] = {
    Role.manager.value: frozenset(Can),
    Role.reviewer.value: frozenset({Can.view, Can.review}),
    Role.annotator.value: frozenset({Can.view, Can.annotate}),
}
ADMIN = "admin"


def role_of(user: User, member_role: str | None) -> str | None:
    """The caller's role; an admin acts as admin even when also a member in a lesser role."""
    if user.is_admin and member_role != Role.manager.value:
        return ADMIN
    return member_role


def require(role: str, need: Can) -> None:
    if role != ADMIN and need not in PERMISSIONS[role]:
        raise Forbidden(f"your role in this project ({role}) does not allow you to {need.value}")


# On the driver's cursor: they run on every request of the annotators' loop, where
# SQLAlchemy's execution of them cost ~150 µs more than the query itself.
_PROJECT_ACCESS = Sql(
    "SELECT p.updated_at, m.role FROM projects p LEFT JOIN memberships m "
    "ON m.project_id = p.id AND m.user_id = ? WHERE p.id = ? AND p.deleted_at IS NULL"
)
# Annotators see the tasks they hold, held, skipped or submitted, or have a draft of; and
# qualification and training tasks, which are served without a lease: any member sees them.
_TASK_ACCESS = Sql(
    "SELECT t.id, t.project_id, t.external_id, t.data, t.n_submitted, t.created_at, "
    "p.updated_at, m.role, t.purpose, (EXISTS (SELECT 1 FROM assignments a "
    "WHERE a.task_id = t.id AND a.user_id = ?) OR EXISTS (SELECT 1 FROM drafts d "
    "WHERE d.task_id = t.id AND d.user_id = ?) OR t.purpose IN ('qualification', 'training')) "
    "FROM tasks t JOIN projects p ON p.id = t.project_id LEFT JOIN memberships m "
    "ON m.project_id = p.id AND m.user_id = ? WHERE t.id = ? AND p.deleted_at IS NULL"
)


# The same for a submission on PostgreSQL, with the caller's assignment on the task (any state)
# locked for the transaction, as `accord.actions.queue.find_assignment` reads it: one round
# trip instead of two on the annotators' hottest path.
_SUBMIT_ACCESS = Sql.postgres_only(
    "WITH mine AS (SELECT id, state FROM assignments WHERE task_id = %(task)s "
    "AND user_id = %(user)s FOR UPDATE) "
    "SELECT t.id, t.project_id, t.external_id, t.data, t.n_submitted, t.created_at, "
    "p.updated_at, m.role, t.purpose, (EXISTS (SELECT 1 FROM mine) OR EXISTS (SELECT 1 "
    "FROM drafts d WHERE d.task_id = t.id AND d.user_id = %(user)s) OR t.purpose IN "
    "('qualification', 'training')), (SELECT id FROM mine), (SELECT state FROM mine) "
    "FROM tasks t JOIN projects p ON p.id = t.project_id LEFT JOIN memberships m "
    "ON m.project_id = p.id AND m.user_id = %(user)s WHERE t.id = %(task)s "
    "AND p.deleted_at IS NULL"
)


def access(session: Session, user: User, project_id: int, need: Can) -> tuple[ProjectInfo, str]:
    """The project (as `ProjectInfo`) and the caller's role, if the role allows ``need``.
    One query; the project's settings come from memory while they have not changed."""
    row = Raw(session).one(_PROJECT_ACCESS, (user.id, project_id))
    role = role_of(user, row[1]) if row is not None else None
    if row is None or role is None:
        raise NotFound(f"no project {project_id}, or you are not a member of it")
    require(role, need)
    return project_info(session, project_id, Raw.when(row[0])), role


def task_access(
    session: Session, user: User, task_id: int, need: Can
) -> tuple[TaskRef, ProjectInfo, str]:
    """The task, its project and the caller's role; annotators only see tasks they work on
    (hold, held, skipped or submitted: a draft survives an expired lease) and the project's
    qualification and training tasks. One query."""
    row = Raw(session).one(_TASK_ACCESS, (user.id, user.id, user.id, task_id))
    return _task_seen(session, user, task_id, need, row)


def submit_access(
    session: Session, user: User, task_id: int
) -> tuple[TaskRef, ProjectInfo, str, Mine]:
    """`task_access` for annotating, with the caller's assignment on the task locked for the
    transaction (what `accord.actions.annotations.do_submit` needs): one query on PostgreSQL."""
    raw = Raw.of(session)
    if raw.sqlite:  # writers are serialised: no lock to take, no round trip to save
        task, project, role = task_access(session, user, task_id, Can.annotate)
        return task, project, role, Mine(find_assignment(raw, task.id, user.id))
    row = raw.one(_SUBMIT_ACCESS, {"task": task_id, "user": user.id})
    task, project, role = _task_seen(session, user, task_id, Can.annotate, row)
    assert row is not None
    return task, project, role, Mine((int(row[10]), str(row[11])) if row[10] else None)


def _task_seen(
    session: Session, user: User, task_id: int, need: Can, row: tuple[Any, ...] | None
) -> tuple[TaskRef, ProjectInfo, str]:
    role = role_of(user, row[7]) if row is not None else None
    if row is None or role is None or (role == Role.annotator.value and not row[9]):
        raise NotFound(f"no task {task_id}, or you cannot see it")
    require(role, need)
    task = TaskRef(row[0], row[1], row[2], row[3], row[4], Raw.when(row[5]), row[8])
    return task, project_info(session, row[1], Raw.when(row[6])), role


def project_for(session: Session, user: User, project_id: int, need: Can) -> tuple[Project, str]:
    """Like `access`, with the project itself (for the code that changes it)."""
    _, role = access(session, user, project_id, need)
    project = session.get(Project, project_id)
    assert project is not None
    return project, role


def task_for(session: Session, user: User, task_id: int, need: Can) -> tuple[Task, Project, str]:
    """Like `task_access`, with the task and project themselves."""
    ref, _, role = task_access(session, user, task_id, need)
    task, project = session.get(Task, ref.id), session.get(Project, ref.project_id)
    assert task is not None and project is not None
    return task, project, role


def may_review(role: str) -> bool:
    return role == ADMIN or Can.review in PERMISSIONS[role]
