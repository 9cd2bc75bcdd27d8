"""Who may do what in a project.

A project you are not a member of does not exist for you (404, never 403); nor does a deleted
one, for anyone, from the moment it is deleted (its rows are removed later). Members may do what
their role allows; anything else is 403. Admins may do everything everywhere.
"""

from __future__ import annotations

import enum

from sqlalchemy import and_, bindparam, exists, or_, select
from sqlalchemy.orm import Session

from accord.errors import Forbidden, NotFound
from accord.models import Assignment, Draft, Membership, Project, Role, Task, User
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


def _role(user: User, member_role: str | None) -> str | None:
    """The caller's role; an admin acts as admin even when also a member in a lesser role."""
    if user.is_admin and member_role != Role.manager.value:
        return ADMIN
    return member_role


def require(role: str, need: Can) -> None:
    if role != ADMIN and need not in PERMISSIONS[role]:
        raise Forbidden(f"your role in this project ({role}) does not allow you to {need.value}")


_MEMBER = and_(Membership.project_id == Project.id, Membership.user_id == bindparam("user"))
_PROJECT_ACCESS = (
    select(Project.updated_at, Membership.role)
    .outerjoin(Membership, _MEMBER)
    .where(Project.id == bindparam("project"), Project.deleted_at.is_(None))
)
_TASK_ACCESS = (
    select(
        Task.id,
        Task.project_id,
        Task.external_id,
        Task.data,
        Task.n_submitted,
        Task.created_at,
        Project.updated_at,
        Membership.role,
        Task.purpose,
        or_(
            exists().where(Assignment.task_id == Task.id, Assignment.user_id == bindparam("user")),
            exists().where(Draft.task_id == Task.id, Draft.user_id == bindparam("user")),
            # Qualification and training tasks are served without a lease: any member sees them.
            Task.purpose.in_(("qualification", "training")),
        ),
    )
    .join(Project, Project.id == Task.project_id)
    .outerjoin(Membership, _MEMBER)
    .where(Task.id == bindparam("task"), Project.deleted_at.is_(None))
)


def access(session: Session, user: User, project_id: int, need: Can) -> tuple[ProjectInfo, str]:
    """The project (as `ProjectInfo`) and the caller's role, if the role allows ``need``.
    One query; the project's settings come from memory while they have not changed."""
    row = session.execute(_PROJECT_ACCESS, {"user": user.id, "project": project_id}).first()
    role = _role(user, row[1]) if row is not None else None
    if row is None or role is None:
        raise NotFound(f"no project {project_id}, or you are not a member of it")
    require(role, need)
    return project_info(session, project_id, row[0]), role


def task_access(
    session: Session, user: User, task_id: int, need: Can
) -> tuple[TaskRef, ProjectInfo, str]:
    """The task, its project and the caller's role; annotators only see tasks they work on
    (hold, held, skipped or submitted: a draft survives an expired lease) and the project's
    qualification and training tasks. One query."""
    row = session.execute(_TASK_ACCESS, {"user": user.id, "task": task_id}).first()
    role = _role(user, row[7]) if row is not None else None
    if row is None or role is None or (role == Role.annotator.value and not row[9]):
        raise NotFound(f"no task {task_id}, or you cannot see it")
    require(role, need)
    task = TaskRef(row[0], row[1], row[2], row[3], row[4], row[5], row[8])
    return task, project_info(session, row[1], row[6]), role


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
