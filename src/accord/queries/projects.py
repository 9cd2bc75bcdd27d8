"""Projects as people see them: the list with roles and progress; the parsed interface."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from accord.kinds import Interface, parse_interface
from accord.models import Annotation, Membership, Project, Task, User


@dataclass
class Progress:
    tasks: int
    new: int
    in_progress: int
    complete: int
    annotations: int


def interface_of(project: Project) -> Interface:
    """The project's parsed interface, cached until the project changes."""
    return _parsed(project.id, project.updated_at, orjson.dumps(project.interface))


@lru_cache(maxsize=512)
def _parsed(project_id: int, updated_at: dt.datetime, text: bytes) -> Interface:
    return parse_interface(orjson.loads(text))


def progress(session: Session, project: Project) -> Progress:
    overlap = project.overlap
    row = session.execute(
        select(
            func.count(),
            func.sum(case((Task.n_submitted == 0, 1), else_=0)),
            func.sum(case((Task.n_submitted >= overlap, 1), else_=0)),
            func.sum(Task.n_submitted),
        ).where(Task.project_id == project.id)
    ).one()
    total, new, complete, annotations = (int(v or 0) for v in row)
    return Progress(
        tasks=total,
        new=new,
        in_progress=total - new - complete,
        complete=complete,
        annotations=annotations,
    )


def projects_of(session: Session, user: User) -> list[tuple[Project, str]]:
    """The projects ``user`` can see, newest first, with their role (admins see all)."""
    roles = {
        m.project_id: m.role
        for m in session.scalars(select(Membership).where(Membership.user_id == user.id))
    }
    query = select(Project).order_by(Project.id.desc())
    if not user.is_admin:
        query = query.where(Project.id.in_(list(roles) or [-1]))
    return [(p, roles.get(p.id, "admin")) for p in session.scalars(query)]


def my_submitted(session: Session, project: Project, user: User) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(Annotation)
        .where(Annotation.project_id == project.id, Annotation.user_id == user.id)
    )
    return int(count or 0)


def settings_of(project: Project) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "description": project.description,
        "interface": project.interface,
        "overlap": project.overlap,
        "lease_seconds": project.lease_seconds,
        "order": project.order,
        "guidelines": project.guidelines,
        "guidelines_version": project.guidelines_version,
        "created_at": project.created_at,
        "updated_at": project.updated_at,
    }
