"""The guard on interface changes: refuse any change that would orphan existing work.

An interface change is refused when an annotation or a prediction answers a question that the
change removes, or no longer fits a question the change alters; or when tasks carry data for a
field the change removes, or no longer fit a field it alters. The refusal names the question or
field, how many annotations or tasks, the first of their ids, and how to proceed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import ColumnElement, func, literal_column, select
from sqlalchemy.orm import Session

from accord.errors import Conflict
from accord.kinds import QUESTION_KINDS, Interface, Problem, parse_interface
from accord.models import Annotation, Prediction, Project, Task

EXAMPLES = 20


@dataclass
class Orphans:
    what: str  # "annotations", "predictions" or "tasks"
    name: str  # the question or field
    reason: str
    count: int = 0
    ids: list[int] = field(default_factory=list)

    def add(self, object_id: int) -> None:
        self.count += 1
        if len(self.ids) < EXAMPLES:
            self.ids.append(object_id)


def check_interface_change(session: Session, project: Project, new: Interface) -> None:
    old = parse_interface(project.interface)
    found = [o for o in _question_orphans(session, project, old, new) if o.count]
    found += [o for o in _field_orphans(session, project, old, new) if o.count]
    if not found:
        return
    first = found[0]
    example = ", ".join(str(i) for i in first.ids[:5])
    raise Conflict(
        f"this change would orphan {first.count} {first.what}: {first.reason} "
        f"(e.g. {first.what} {example}). Keep {first.name!r} as it was, or first export and "
        f"delete those {first.what}, then change the interface.",
        details=[
            {"kind": o.what, "name": o.name, "reason": o.reason, "count": o.count, "ids": o.ids}
            for o in found
        ],
        code="interface_orphans",
    )


def _question_orphans(
    session: Session, project: Project, old: Interface, new: Interface
) -> Iterator[Orphans]:
    changed_fields = {f.name for f in old.fields if new.field(f.name) != f}
    for question in old.questions:
        replacement = new.question(question.name)
        target = getattr(question, "target", None)
        if replacement == question and target not in changed_fields:
            continue
        for model, what in ((Annotation, "annotations"), (Prediction, "predictions")):
            if replacement is None:
                orphans = Orphans(
                    what,
                    question.name,
                    f"question {question.name!r} is removed but {what} answer it",
                )
                for (object_id,) in session.execute(
                    select(model.id).where(
                        model.project_id == project.id,
                        _has_key(session, model.result, question.name),
                    )
                ):
                    orphans.add(object_id)
            else:
                orphans = Orphans(
                    what,
                    question.name,
                    f"their answers to {question.name!r} do not fit the changed question",
                )
                _recheck(session, project, model, replacement, new, orphans)
            yield orphans


def _recheck(
    session: Session,
    project: Project,
    model: type[Annotation] | type[Prediction],
    question: Any,
    interface: Interface,
    orphans: Orphans,
) -> None:
    kind = QUESTION_KINDS[question.kind]
    rows = session.execute(
        select(model.id, model.result, Task.data)
        .join(Task, Task.id == model.task_id)
        .where(model.project_id == project.id, _has_key(session, model.result, question.name))
        .execution_options(yield_per=2000)
    )
    for object_id, result, data in rows:
        value = orjson.loads(result).get(question.name)
        if kind.is_empty(value):
            continue
        try:
            kind.check(question, value, orjson.loads(data))
        except Problem as problem:
            if not orphans.ids:
                orphans.reason += f" ({problem.under(question.name)})"
            orphans.add(object_id)


def _field_orphans(
    session: Session, project: Project, old: Interface, new: Interface
) -> Iterator[Orphans]:
    removed = [f.name for f in old.fields if new.field(f.name) is None]
    for name in removed:
        orphans = Orphans("tasks", name, f"field {name!r} is removed but tasks carry it")
        for (task_id,) in session.execute(
            select(Task.id).where(Task.project_id == project.id, _has_key(session, Task.data, name))
        ):
            orphans.add(task_id)
        yield orphans
    altered = [f for f in new.fields if old.field(f.name) != f]
    if not altered or not _has_tasks(session, project):
        return
    check = new.row_check()
    orphans = Orphans(
        "tasks", ", ".join(f.name for f in altered), "their data does not fit the changed fields"
    )
    rows = session.execute(
        select(Task.id, Task.data)
        .where(Task.project_id == project.id)
        .execution_options(yield_per=5000)
    )
    for task_id, data in rows:
        values = orjson.loads(data)
        problem = check({k: v for k, v in values.items() if k not in removed})
        if problem is not None:
            if not orphans.ids:
                orphans.reason += f" (task {task_id}, field {problem[0]!r}: {problem[1]})"
            orphans.add(task_id)
    yield orphans


def _has_tasks(session: Session, project: Project) -> bool:
    return session.scalar(select(Task.id).where(Task.project_id == project.id).limit(1)) is not None


def _has_key(session: Session, column: Any, key: str) -> ColumnElement[bool]:
    """SQL for "this JSON text has a top-level ``key``" on SQLite and PostgreSQL."""
    if session.get_bind().dialect.name == "sqlite":
        return func.json_type(column, f'$."{key}"').is_not(None)
    return literal_column(f"({column.table.name}.{column.name})::jsonb").op("?")(key)
