"""The guard on interface changes: refuse any change that would orphan existing work.

An interface change is refused when an annotation or a prediction answers a question that the
change removes, or no longer fits a question the change alters; or when tasks carry data for a
field the change removes, or no longer fit a field it alters. The refusal names the question or
field, how many annotations or tasks, the first of their ids, and how to proceed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import orjson
from sqlalchemy import ColumnElement, func, literal_column, or_, select, true
from sqlalchemy.orm import Session

from accord.db.types import utcnow
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


@dataclass(frozen=True)
class Watermark:
    """How far a scan of the project's work reached. The full scan runs in a read transaction
    outside the write lock (it re-checks every answer: seconds on a large project); the write
    then scans again only what came or changed after it: rows with larger ids, and
    annotations edited since shortly before the scan began (`MARGIN` covers writes that were
    under way, their timestamps taken before they committed)."""

    annotation_id: int
    prediction_id: int
    task_id: int
    edited_since: dt.datetime

    MARGIN: ClassVar[dt.timedelta] = dt.timedelta(minutes=5)


def watermark(session: Session, project: Project) -> Watermark:
    """Take it before the scan, in the same read transaction."""
    started = utcnow()

    def last(model: type[Annotation] | type[Prediction] | type[Task]) -> int:
        return int(
            session.scalar(select(func.max(model.id)).where(model.project_id == project.id)) or 0
        )

    return Watermark(last(Annotation), last(Prediction), last(Task), started - Watermark.MARGIN)


def check_interface_change(
    session: Session, project: Project, new: Interface, *, since: Watermark | None = None
) -> None:
    """Refuse ``new`` if it would orphan work; with ``since``, look only at the work that came
    or changed after that watermark (the rest was checked already)."""
    old = parse_interface(project.interface, stored=True)
    found = [o for o in _question_orphans(session, project, old, new, since) if o.count]
    found += [o for o in _field_orphans(session, project, old, new, since) if o.count]
    if not found:
        return
    first = found[0]
    example = ", ".join(str(i) for i in first.ids[:5])
    raise Conflict(
        f"this change would orphan {first.count} {first.what}: {first.reason} "
        f"(e.g. {first.what} {example}). Keep {first.name!r} as it was, or export the project "
        f"to keep a copy, then {_removal(first.what, project.id)}, then change the interface.",
        details=[
            {"kind": o.what, "name": o.name, "reason": o.reason, "count": o.count, "ids": o.ids}
            for o in found
        ],
        code="interface_orphans",
    )


def _removal(what: str, project_id: int) -> str:
    """How a manager deletes the orphaned objects (the data manager, or the API)."""
    tasks = (
        "in Data tick the tasks and press 'Delete selected' (or POST "
        f"/api/v1/projects/{project_id}/tasks/delete with their ids)"
    )
    if what == "annotations":
        return (
            "delete those annotations: in Data open each task and press 'Delete annotation' "
            "(or DELETE /api/v1/annotations/ID)"
        )
    if what == "predictions":
        return f"delete the tasks that carry them (predictions go with their task): {tasks}"
    return f"delete those tasks: {tasks}"


def _after(
    model: type[Annotation] | type[Prediction] | type[Task], since: Watermark | None
) -> ColumnElement[bool]:
    """Rows of ``model`` past the watermark (every row without one)."""
    if since is None:
        return true()
    if model is Annotation:
        return or_(Annotation.id > since.annotation_id, Annotation.updated_at >= since.edited_since)
    return model.id > (since.prediction_id if model is Prediction else since.task_id)


def _question_orphans(
    session: Session, project: Project, old: Interface, new: Interface, since: Watermark | None
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
                        _after(model, since),
                    )
                ):
                    orphans.add(object_id)
            else:
                orphans = Orphans(
                    what,
                    question.name,
                    f"their answers to {question.name!r} do not fit the changed question",
                )
                _recheck(session, project, model, replacement, orphans, since)
            yield orphans


def _recheck(
    session: Session,
    project: Project,
    model: type[Annotation] | type[Prediction],
    question: Any,
    orphans: Orphans,
    since: Watermark | None,
) -> None:
    kind = QUESTION_KINDS[question.kind]
    rows = session.execute(
        select(model.id, model.result, Task.data)
        .join(Task, Task.id == model.task_id)
        .where(
            model.project_id == project.id,
            _has_key(session, model.result, question.name),
            _after(model, since),
        )
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
    session: Session, project: Project, old: Interface, new: Interface, since: Watermark | None
) -> Iterator[Orphans]:
    removed = [f.name for f in old.fields if new.field(f.name) is None]
    for name in removed:
        orphans = Orphans("tasks", name, f"field {name!r} is removed but tasks carry it")
        for (task_id,) in session.execute(
            select(Task.id).where(
                Task.project_id == project.id,
                _has_key(session, Task.data, name),
                _after(Task, since),
            )
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
        .where(Task.project_id == project.id, _after(Task, since))
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
