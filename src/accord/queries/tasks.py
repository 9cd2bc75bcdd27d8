"""Task listings for the data manager and the API: filtered, sorted, paged on the server.

Paging is by ``offset`` (the browser's virtual table jumps anywhere) or by ``after`` (the last
id of the previous page, for programs walking everything). Text search is a substring match in
the task's data (a scan: seconds on a million tasks, so the table asks for it only on demand).
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

from accord.models import Annotation, Project, Task
from accord.queries.projects import counts_of, progress_at


@dataclass(frozen=True)
class TaskQuery:
    status: str | None = None
    annotator_id: int | None = None
    text: str | None = None
    question: str | None = None
    value: str | None = None
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

    @classmethod
    def of(cls, task: Task) -> TaskRef:
        return cls(
            task.id, task.project_id, task.external_id, task.data, task.n_submitted, task.created_at
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
    return query


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


def _ordered(query: Select[Any], sort: str) -> Select[Any]:
    if sort == "-id":
        return query.order_by(Task.id.desc())
    if sort == "annotations":
        return query.order_by(Task.n_submitted, Task.id)
    if sort == "-annotations":
        return query.order_by(Task.n_submitted.desc(), Task.id.desc())
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
    return list(session.scalars(_ordered(query, q.sort).offset(offset).limit(limit)))


def count_tasks(session: Session, project: Project, q: TaskQuery) -> int:
    """How many tasks match: from the progress counters when only the status is asked for
    (no scan, whatever the size of the project), else counted."""
    if not q.text and q.annotator_id is None and not q.question:
        counts = progress_at(counts_of(session, project.id), project.overlap)
        if q.status is None:
            return counts.tasks
        return int(getattr(counts, q.status))
    query = _filtered(session, project, select(func.count()).select_from(Task), q)
    return int(session.scalar(query) or 0)
