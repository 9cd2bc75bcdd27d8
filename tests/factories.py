"""Factories for test data, written through the same actions the product uses."""

from __future__ import annotations

import io
from typing import Any

import orjson

from accord.actions.imports import do_import
from accord.actions.members import do_set_member
from accord.actions.projects import do_create_project
from accord.actions.tokens import do_create_token
from accord.actions.users import do_create_user
from accord.db import Database
from accord.models import Project, User
from accord.queries.projects import interface_of

PASSWORD = "correct horse battery"

SIMPLE = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [{"name": "label", "kind": "choice", "options": ["pos", "neg"], "required": True}],
}

RICH = {
    "fields": [
        {"name": "text", "kind": "text"},
        {"name": "responses", "kind": "text_list", "min_items": 2, "max_items": 2},
    ],
    "questions": [
        {"name": "label", "kind": "choice", "options": ["pos", "neg", "neu"], "required": True},
        {"name": "entities", "kind": "spans", "target": "text", "labels": ["PER", "ORG"]},
        {"name": "better", "kind": "pairwise", "target": "responses"},
        {"name": "why", "kind": "text", "min_length": 5},
    ],
}


def make_user(
    db: Database,
    email: str,
    *,
    admin: bool = False,
    password: str | None = None,
    can_create_projects: bool = False,
) -> tuple[User, str]:
    """A user and an API token for them (a password only if asked: hashing is slow)."""
    with db.write() as session:
        user = do_create_user(
            session,
            None,
            email,
            password,
            is_admin=admin,
            can_create_projects=can_create_projects,
        )
        token, _ = do_create_token(session, None, user, "test")
    return user, token


def make_project(
    db: Database,
    owner: User,
    interface: dict[str, Any] | None = None,
    *,
    overlap: int = 1,
    members: dict[User, str] | None = None,
    **settings: Any,
) -> Project:
    with db.write() as session:
        project = do_create_project(
            session, owner, "Test project", interface or SIMPLE, overlap=overlap, **settings
        )
        for user, role in (members or {}).items():
            do_set_member(session, owner, project, user, role)
    return project


def add_tasks(
    db: Database, owner: User, project: Project | int, rows: list[dict[str, Any]]
) -> None:
    body = b"".join(orjson.dumps(row) + b"\n" for row in rows)
    project_id = project if isinstance(project, int) else project.id
    with db.write() as session:
        fresh = session.get(Project, project_id)
        assert fresh is not None
        do_import(session, owner, fresh, interface_of(fresh), io.BytesIO(body), "jsonl")


def texts(count: int, prefix: str = "t") -> list[dict[str, Any]]:
    return [{"id": f"{prefix}{i}", "text": f"task number {i}"} for i in range(count)]


def assert_counts_match(db: Database, project_id: int) -> None:
    """The project's progress counters equal a recount of its tasks (those of the dataset:
    tasks with a known answer are not in the progress)."""
    from sqlalchemy import func, select

    from accord.models import Task
    from accord.queries.projects import counts_of

    with db.read() as session:
        counted = {k: v for k, v in counts_of(session, project_id).items() if v}
        recount = {
            int(submitted): int(n)
            for submitted, n in session.execute(
                select(Task.n_submitted, func.count())
                .where(Task.project_id == project_id, Task.purpose.is_(None))
                .group_by(Task.n_submitted)
            )
        }
    assert counted == recount, f"counters {counted} != recount {recount}"
