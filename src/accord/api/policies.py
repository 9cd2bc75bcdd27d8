"""Who may do what in a project.

A project you are not a member of does not exist for you (404, never 403). Members may do what
their role allows; anything else is 403. Admins may do everything everywhere.
"""

from __future__ import annotations

import enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import Forbidden, NotFound
from accord.models import Assignment, Draft, Membership, Project, Role, Task, User


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


def role_in(session: Session, user: User, project_id: int) -> str | None:
    """The caller's role; an admin acts as admin even when also a member in a lesser role."""
    member = session.get(Membership, (project_id, user.id))
    if user.is_admin and (member is None or member.role != Role.manager.value):
        return ADMIN
    return member.role if member is not None else None


def project_for(session: Session, user: User, project_id: int, need: Can) -> tuple[Project, str]:
    """The project and the caller's role in it, if the role allows ``need``."""
    project = session.get(Project, project_id)
    role = role_in(session, user, project_id) if project is not None else None
    if project is None or role is None:
        raise NotFound(f"no project {project_id}, or you are not a member of it")
    allowed = role == ADMIN or need in PERMISSIONS[role]
    if not allowed:
        raise Forbidden(f"your role in this project ({role}) does not allow you to {need.value}")
    return project, role


def task_for(session: Session, user: User, task_id: int, need: Can) -> tuple[Task, Project, str]:
    """The task, its project and the caller's role; annotators only see tasks they work on."""
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(f"no task {task_id}, or you cannot see it")
    try:
        project, role = project_for(session, user, task.project_id, need)
    except NotFound:
        raise NotFound(f"no task {task_id}, or you cannot see it") from None
    if role == Role.annotator.value and not _works_on(session, user, task):
        raise NotFound(f"no task {task_id}, or you cannot see it")
    return task, project, role


def may_review(role: str) -> bool:
    return role == ADMIN or Can.review in PERMISSIONS[role]


def _works_on(session: Session, user: User, task: Task) -> bool:
    """Holds, held (a draft survives an expired lease), skipped or submitted this task."""
    for model in (Assignment, Draft):
        found = session.scalar(
            select(model.task_id).where(model.task_id == task.id, model.user_id == user.id)
        )
        if found is not None:
            return True
    return False
