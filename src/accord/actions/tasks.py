"""Deleting tasks (managers), with everything that hangs on them, audited.

A task's annotations (and their versions), assignments (leases and skips), drafts and
predictions go with it (the database's ``ON DELETE CASCADE``); the project's progress
counters lose the tasks in the same transaction. A call deletes at most `MAX_DELETE` tasks,
so that the write lock (SQLite) or the rows' locks (PostgreSQL) are held for one short
transaction; callers with more send several.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.actions.progress import tasks_removed
from accord.db.raw import Raw
from accord.errors import Invalid
from accord.models import Annotation, Assignment, Task, TaskConsensus, User

MAX_DELETE = 1000


@dataclass
class TasksDeleted:
    """What one deletion removed: task ids, how many annotations, ids that were not there."""

    task_ids: list[int] = field(default_factory=list)
    annotations: int = 0
    missing: list[int] = field(default_factory=list)


def do_delete_tasks(session: Session, actor: User, project_id: int, ids: list[int]) -> TasksDeleted:
    """Delete the tasks of ``project_id`` among ``ids``; ids of no task of this project (never
    one, or deleted already) are reported as missing, not refused."""
    wanted = sorted(set(ids))
    if not wanted:
        raise Invalid("name at least one task id to delete", details={"field": "ids"})
    if len(wanted) > MAX_DELETE:
        raise Invalid(
            f"{len(wanted)} task ids in one call; delete at most {MAX_DELETE} at a time "
            "(send the rest in further calls)",
            details={"field": "ids", "limit": MAX_DELETE},
        )
    _lock(session, project_id, wanted)
    tasks = session.execute(
        select(Task.id, Task.external_id, Task.n_submitted, Task.purpose)
        .where(Task.project_id == project_id, Task.id.in_(wanted))
        .order_by(Task.id)
    ).all()
    found = [int(row[0]) for row in tasks]
    done = TasksDeleted(task_ids=found, missing=sorted(set(wanted) - set(found)))
    if not found:
        return done
    annotations = session.execute(
        select(Annotation.id, Annotation.task_id, Annotation.user_id)
        .where(Annotation.project_id == project_id, Annotation.task_id.in_(found))
        .order_by(Annotation.id)
    ).all()
    done.annotations = len(annotations)
    session.execute(delete(Task).where(Task.project_id == project_id, Task.id.in_(found)))
    # Not a foreign key (see TaskConsensus): the tasks' consensus goes with them here.
    session.execute(delete(TaskConsensus).where(TaskConsensus.task_id.in_(found)))
    # Tasks with a known answer (gold, qualification, training) are not in the progress.
    counted = Counter(int(n) for _, _, n, purpose in tasks if purpose is None)
    tasks_removed(Raw(session), project_id, counted.items())
    record(
        session,
        actor,
        "task.delete",
        ("project", project_id),
        project_id=project_id,
        before={
            "tasks": [
                {"id": int(i), "external_id": external, "annotations": int(n)}
                for i, external, n, _ in tasks
            ],
            "annotations": [
                {"id": int(a), "task_id": int(t), "user_id": int(u)} for a, t, u in annotations
            ],
        },
        after={"deleted_tasks": len(found), "deleted_annotations": len(annotations)},
    )
    return done


def _lock(session: Session, project_id: int, ids: list[int]) -> None:
    """PostgreSQL: lock the tasks' assignments, then the tasks, in the order a submission
    takes them (its assignment, then its task), so a racing submit waits instead of
    deadlocking; once the tasks are locked no annotation can be added to them. (SQLite:
    writers are serialised already.)"""
    if session.get_bind().dialect.name == "sqlite":
        return
    session.execute(
        select(Assignment.id)
        .where(Assignment.task_id.in_(ids))
        .order_by(Assignment.id)
        .with_for_update()
    )
    session.execute(
        select(Task.id)
        .where(Task.project_id == project_id, Task.id.in_(ids))
        .order_by(Task.id)
        .with_for_update()
    )
