"""Task listings for the data manager and the API: filtered, sorted, paged on the server.

Paging is by ``offset`` (the browser's virtual table jumps anywhere) or by ``after`` (the last
id of the previous page, for programs walking everything). Text search is a substring match in
the task's data (a scan: seconds on a million tasks, so the table asks for it only on demand).

Skips are the `Assignment` rows in state ``skipped``; every read of them below goes through an
index of `assignments` (by task, or by project, person and state), never over all tasks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    cast,
    exists,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from accord.models import Annotation, Assignment, AssignmentState, Project, Task, User
from accord.queries.projects import counts_of, progress_at


@dataclass(frozen=True)
class TaskQuery:
    status: str | None = None
    annotator_id: int | None = None
    text: str | None = None
    question: str | None = None
    value: str | None = None
    skipped: bool = False
    sort: str = "id"


@dataclass(frozen=True)
class TaskRef:
    """A task as the hot paths read it: one query, no ORM object."""

    id: int
    project_id: int
    external_id: str | None
    data: str  # JSON text
    n_submitted: int
    created_at: dt.datetime
    purpose: str | None = None  # gold, qualification, training; None: a task of the dataset
    sensitive: bool = False  # accord.actions.sensitive (set where the hot paths read it)

    @classmethod
    def of(cls, task: Task) -> TaskRef:
        return cls(
            task.id,
            task.project_id,
            task.external_id,
            task.data,
            task.n_submitted,
            task.created_at,
            task.purpose,
            task.sensitive,
        )


def status_of(task: Task | TaskRef, overlap: int) -> str:
    if task.n_submitted == 0:
        return "new"
    return "complete" if task.n_submitted >= overlap else "in_progress"


def with_status(query: Select[Any], status: str | None, overlap: int) -> Select[Any]:
    if status == "new":
        return query.where(Task.n_submitted == 0)
    if status == "in_progress":
        return query.where(Task.n_submitted > 0, Task.n_submitted < overlap)
    if status == "complete":
        return query.where(Task.n_submitted >= overlap)
    return query


def _filtered(session: Session, project: Project, query: Select[Any], q: TaskQuery) -> Select[Any]:
    query = with_status(query.where(Task.project_id == project.id), q.status, project.overlap)
    sqlite = session.get_bind().dialect.name == "sqlite"
    if q.text:
        query = query.where(*_text_in_data(sqlite, q.text))
    answered: list[ColumnElement[bool]] = []
    if q.annotator_id is not None:
        answered.append(Annotation.user_id == q.annotator_id)
    if q.question:
        answered.append(_answer_has(sqlite, q.question, q.value))
    if answered:
        query = query.where(exists().where(Annotation.task_id == Task.id, *answered))
    if q.skipped:
        query = query.where(Task.id.in_(_skipped_task_ids(project.id)))
    return query


SKIPPED = AssignmentState.skipped.value


def _skipped_task_ids(project_id: int) -> Select[Any]:
    """The ids of the project's tasks someone skipped. Each account is looked up in the
    (project, user, state) index of `assignments`: a few seeks per account, however many
    tasks and assignments the project has (accounts number in the thousands at most)."""
    return select(Assignment.task_id).where(
        Assignment.project_id == project_id,
        Assignment.user_id.in_(select(User.id)),
        Assignment.state == SKIPPED,
    )


def _text_in_data(sqlite: bool, text: str) -> list[ColumnElement[bool]]:
    """``text`` appears, ignoring case, in one of the string values of the task's data (not in
    its keys). A plain LIKE on the stored JSON rules most rows out cheaply first, when the text
    has no character that JSON escapes."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    like = {"escape": "\\"}
    conditions: list[ColumnElement[bool]] = []
    if orjson.dumps(text).decode()[1:-1] == text:
        conditions.append(
            Task.data.like(pattern, **like) if sqlite else Task.data.ilike(pattern, **like)
        )
    if sqlite:
        values = func.json_tree(Task.data).table_valued("type", "atom").alias("v")
        conditions.append(
            exists()
            .select_from(values)
            .where(values.c.type == "text", values.c.atom.like(pattern, **like))
        )
    else:
        value = func.jsonb_path_query(
            cast(Task.data, JSONB), literal_column("'strict $.**'::jsonpath")
        ).column_valued("v")
        conditions.append(
            exists().where(
                func.jsonb_typeof(value) == "string",
                value.op("#>>")(literal_column("'{}'::text[]")).ilike(pattern, **like),
            )
        )
    return conditions


def _answer_has(sqlite: bool, question: str, value: str | None) -> ColumnElement[bool]:
    """The answer to ``question`` exists and, if ``value`` is given, holds it as a string
    (a choice, one of several choices, a span's label...)."""
    if sqlite:
        answer: Any = func.json_extract(Annotation.result, f'$."{question}"')
        if value is None:
            present: ColumnElement[bool] = answer.is_not(None)
            return present
        mentions: ColumnElement[bool] = (
            func.instr(func.json_quote(answer), func.json_quote(value)) > 0
        )
        return mentions
    answer = cast(Annotation.result, JSONB)[question]
    if value is None:
        found: ColumnElement[bool] = answer.is_not(None)
        return found
    holds: ColumnElement[bool] = cast(answer, Text).contains(
        orjson.dumps(value).decode(), autoescape=True
    )
    return holds


def _ordered(query: Select[Any], sort: str, *, few: bool = False) -> Select[Any]:
    """``few``: the filters pick a small set (skipped tasks), so sort that set rather than
    walk the (project, n_submitted) index over every task of the project."""
    submitted: Any = Task.n_submitted + 0 if few else Task.n_submitted
    if sort == "-id":
        return query.order_by(Task.id.desc())
    if sort == "annotations":
        return query.order_by(submitted, Task.id)
    if sort == "-annotations":
        return query.order_by(submitted.desc(), Task.id.desc())
    return query.order_by(Task.id)


def list_tasks(
    session: Session,
    project: Project,
    q: TaskQuery,
    *,
    offset: int = 0,
    after: int | None = None,
    limit: int = 100,
) -> list[Task]:
    query = _filtered(session, project, select(Task), q)
    if after is not None:
        query = query.where(Task.id < after if q.sort == "-id" else Task.id > after)
    ordered = _ordered(query, q.sort, few=q.skipped)
    return list(session.scalars(ordered.offset(offset).limit(limit)))


def count_tasks(session: Session, project: Project, q: TaskQuery) -> int:
    """How many tasks match: from the progress counters when only the status is asked for
    (no scan, whatever the size of the project), else counted."""
    if not q.text and q.annotator_id is None and not q.question and not q.skipped:
        counts = progress_at(counts_of(session, project.id), project.overlap)
        if q.status is None:
            return counts.tasks
        return int(getattr(counts, q.status))
    query = _filtered(session, project, select(func.count()).select_from(Task), q)
    return int(session.scalar(query) or 0)


@dataclass(frozen=True)
class Skip:
    """Someone passed on a task: who, why, when."""

    id: int  # the assignment's
    task_id: int
    user_id: int
    name: str
    email: str
    reason: str
    at: dt.datetime


def skip_counts(session: Session, task_ids: list[int]) -> dict[int, int]:
    """How many people skipped each of these tasks (a page of them), by task id."""
    if not task_ids:
        return {}
    rows = session.execute(
        select(Assignment.task_id, func.count())
        .where(Assignment.task_id.in_(task_ids), Assignment.state == SKIPPED)
        .group_by(Assignment.task_id)
    )
    return {int(task_id): int(count) for task_id, count in rows}


def skips_of_task(session: Session, task_id: int, only_user: int | None = None) -> list[Skip]:
    """Who skipped the task, oldest first (only ``only_user``'s skip when given)."""
    query = (
        select(Assignment, User.name, User.email)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.task_id == task_id, Assignment.state == SKIPPED)
        .order_by(Assignment.updated_at, Assignment.id)
    )
    if only_user is not None:
        query = query.where(Assignment.user_id == only_user)
    return [_skip(a, name, email) for a, name, email in session.execute(query)]


def skips_by(
    session: Session, project_id: int, user_id: int, *, before: int | None, limit: int
) -> list[tuple[Skip, str | None]]:
    """``user_id``'s skips in a project, newest first, each with its task's external id."""
    query = (
        select(Assignment, User.name, User.email, Task.external_id)
        .join(User, User.id == Assignment.user_id)
        .join(Task, Task.id == Assignment.task_id)
        .where(
            Assignment.project_id == project_id,
            Assignment.user_id == user_id,
            Assignment.state == SKIPPED,
        )
    )
    if before is not None:
        query = query.where(Assignment.id < before)
    rows = session.execute(query.order_by(Assignment.id.desc()).limit(limit))
    return [(_skip(a, name, email), external_id) for a, name, email, external_id in rows]


def _skip(assignment: Assignment, name: str, email: str) -> Skip:
    return Skip(
        id=assignment.id,
        task_id=assignment.task_id,
        user_id=assignment.user_id,
        name=name,
        email=email,
        reason=assignment.skip_reason or "",
        at=assignment.updated_at,
    )
