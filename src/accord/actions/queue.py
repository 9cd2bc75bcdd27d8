"""The work queue: lease the next task, skip it, give expired leases back.

Invariants, on SQLite and PostgreSQL, however many annotators ask at once:
- a task never has more live leases plus submissions than the project's overlap
  (`Task.n_claimed`, changed only by guarded ``UPDATE … WHERE n_claimed < overlap``);
- an annotator never gets a task they hold, skipped or submitted (one `Assignment` row per
  task and annotator, enforced by a unique index);
- an expired lease frees its slot the next time anyone asks for work.
On PostgreSQL the candidate row is locked with ``FOR UPDATE SKIP LOCKED`` so concurrent
annotators take different tasks instead of waiting on each other; on SQLite writers are
already serialised by `Database.write`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, exists, insert, select, text, update
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.db.types import utcnow
from accord.errors import Conflict
from accord.models import Assignment, AssignmentState, Draft, Project, Task, User

LEASED = AssignmentState.leased.value
EXPIRY_BATCH = 500


@dataclass
class Lease:
    task: Task
    expires_at: dt.datetime
    draft: Draft | None


def do_next_task(session: Session, user: User, project: Project) -> Lease | None:
    """The task ``user`` should work on now: the one they hold, else a newly leased one."""
    now = utcnow()
    expires = now + dt.timedelta(seconds=project.lease_seconds)
    release_expired(session, project, now)
    held = session.scalar(
        select(Assignment)
        .where(
            Assignment.project_id == project.id,
            Assignment.user_id == user.id,
            Assignment.state == LEASED,
        )
        .order_by(Assignment.id)
        .limit(1)
    )
    if held is not None:
        held.expires_at = expires
        held.updated_at = now
        task_id = held.task_id
    else:
        claimed = _claim(session, user, project, now, expires)
        if claimed is None:
            return None
        task_id = claimed
    task = session.get(Task, task_id)
    assert task is not None
    return Lease(task=task, expires_at=expires, draft=session.get(Draft, (task_id, user.id)))


def _claim(
    session: Session, user: User, project: Project, now: dt.datetime, expires: dt.datetime
) -> int | None:
    """Lease the first open task ``user`` has not touched; None when there is none."""
    for _attempt in range(20):
        candidate = session.scalar(
            select(Task.id)
            .where(
                Task.project_id == project.id,
                _open(session),
                ~exists().where(Assignment.task_id == Task.id, Assignment.user_id == user.id),
            )
            .order_by(Task.queue_key, Task.id)
            .limit(1)
            .with_for_update(skip_locked=True, of=Task)
        )
        if candidate is None:
            return None
        if not take_slot(session, candidate, project.overlap):
            continue  # someone took the last slot between our read and our write
        session.execute(
            insert(Assignment).values(
                task_id=candidate,
                project_id=project.id,
                user_id=user.id,
                state=LEASED,
                leased_at=now,
                expires_at=expires,
                updated_at=now,
            )
        )
        record(
            session,
            user,
            "task.lease",
            ("task", candidate),
            project_id=project.id,
            after={"expires_at": expires.isoformat()},
        )
        return candidate
    raise Conflict("the queue is very busy right now; ask for the next task again")


def take_slot(session: Session, task_id: int, overlap: int, *, submitted: int = 0) -> bool:
    """Count one more claim on a task, only if it is below ``overlap``."""
    result: Any = session.execute(
        update(Task)
        .where(Task.id == task_id, Task.n_claimed < overlap)
        .values(
            n_claimed=Task.n_claimed + 1,
            n_submitted=Task.n_submitted + submitted,
            is_open=Task.n_claimed + 1 < overlap,
        )
    )
    return bool(result.rowcount == 1)


def count_submission(session: Session, task_id: int) -> None:
    """A leased task is submitted: its slot was already claimed by the lease."""
    session.execute(update(Task).where(Task.id == task_id).values(n_submitted=Task.n_submitted + 1))


def give_slot_back(session: Session, task_id: int, overlap: int, count: int = 1) -> None:
    session.execute(
        update(Task)
        .where(Task.id == task_id)
        .values(n_claimed=Task.n_claimed - count, is_open=Task.n_claimed - count < overlap)
    )


def release_expired(session: Session, project: Project, now: dt.datetime) -> int:
    """Give the slots of expired leases back to the queue; returns how many."""
    rows = session.execute(
        delete(Assignment)
        .where(
            Assignment.id.in_(
                select(Assignment.id)
                .where(
                    Assignment.project_id == project.id,
                    Assignment.state == LEASED,
                    Assignment.expires_at < now,
                )
                .limit(EXPIRY_BATCH)
                .scalar_subquery()
            ),
            Assignment.state == LEASED,
        )
        .returning(Assignment.task_id, Assignment.user_id)
    ).all()
    per_task: dict[int, int] = {}
    for task_id, _user_id in rows:
        per_task[task_id] = per_task.get(task_id, 0) + 1
    for task_id, count in sorted(per_task.items()):
        give_slot_back(session, task_id, project.overlap, count)
    if rows:
        record(
            session,
            None,
            "task.lease_expire",
            ("project", project.id),
            project_id=project.id,
            after={"tasks": sorted(per_task)[:100], "count": len(rows)},
        )
    return len(rows)


def do_skip(session: Session, user: User, project: Project, task: Task, reason: str) -> Assignment:
    """``user`` passes on ``task``: they will not get it again; its slot goes back."""
    reason = reason.strip()
    assignment = find_assignment(session, task.id, user.id)
    now = utcnow()
    if assignment is not None and assignment.state == AssignmentState.submitted.value:
        raise Conflict("you already submitted this task; edit your annotation instead")
    if assignment is not None and assignment.state == AssignmentState.skipped.value:
        raise Conflict("you already skipped this task")
    if assignment is None:
        assignment = Assignment(
            task_id=task.id, project_id=project.id, user_id=user.id, leased_at=now
        )
        session.add(assignment)
    else:
        give_slot_back(session, task.id, project.overlap)
    assignment.state = AssignmentState.skipped.value
    assignment.skip_reason = reason
    assignment.expires_at = None
    assignment.updated_at = now
    session.execute(delete(Draft).where(Draft.task_id == task.id, Draft.user_id == user.id))
    session.flush()
    record(
        session,
        user,
        "task.skip",
        ("task", task.id),
        project_id=project.id,
        after={"reason": reason},
    )
    return assignment


def find_assignment(session: Session, task_id: int, user_id: int) -> Assignment | None:
    return session.scalar(
        select(Assignment)
        .where(Assignment.task_id == task_id, Assignment.user_id == user_id)
        .with_for_update()
    )


def _open(session: Session) -> Any:
    # SQLite uses the partial queue index only when the query repeats its WHERE verbatim.
    if session.get_bind().dialect.name == "sqlite":
        return text("tasks.is_open = 1")
    return Task.is_open
