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

This is the hottest path of the product (every annotator, every few seconds), so its
statements are built once, below, and run on the session's connection without ORM objects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, exists, insert, select, text, update
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.db.types import utcnow
from accord.errors import Conflict
from accord.models import Assignment, AssignmentState, Draft, Task, User
from accord.queries.projects import ProjectInfo
from accord.queries.tasks import TaskRef

LEASED = AssignmentState.leased.value
SKIPPED = AssignmentState.skipped.value
SUBMITTED = AssignmentState.submitted.value
EXPIRY_BATCH = 500


@dataclass(frozen=True)
class DraftRef:
    result: str  # JSON text
    seconds: float
    updated_at: dt.datetime


@dataclass(frozen=True)
class Lease:
    task: TaskRef
    expires_at: dt.datetime
    draft: DraftRef | None


_HELD = (
    select(Assignment.task_id)
    .where(
        Assignment.project_id == bindparam("project"),
        Assignment.user_id == bindparam("user"),
        Assignment.state == LEASED,
    )
    .order_by(Assignment.id)
    .limit(1)
)
_RENEW = (
    update(Assignment)
    .where(Assignment.task_id == bindparam("task"), Assignment.user_id == bindparam("user"))
    .values(expires_at=bindparam("expires"), updated_at=bindparam("now"))
)
_UNTOUCHED = ~exists().where(Assignment.task_id == Task.id, Assignment.user_id == bindparam("user"))


def _candidate(open_test: Any) -> Any:
    return (
        select(Task.id)
        .where(Task.project_id == bindparam("project"), open_test, _UNTOUCHED)
        .order_by(Task.queue_key, Task.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=Task)
    )


# SQLite uses the partial queue index only when the query repeats its WHERE verbatim.
_CANDIDATE = {"sqlite": _candidate(text("tasks.is_open = 1")), "other": _candidate(Task.is_open)}
_TAKE_SLOT = (
    update(Task)
    .where(Task.id == bindparam("task"), Task.n_claimed < bindparam("overlap"))
    .values(
        n_claimed=Task.n_claimed + 1,
        n_submitted=Task.n_submitted + bindparam("submitted"),
        is_open=Task.n_claimed + 1 < bindparam("overlap"),
    )
)
_GIVE_BACK = (
    update(Task)
    .where(Task.id == bindparam("task"))
    .values(
        n_claimed=Task.n_claimed - bindparam("count"),
        is_open=Task.n_claimed - bindparam("count") < bindparam("overlap"),
    )
)
_COUNT_SUBMISSION = (
    update(Task).where(Task.id == bindparam("task")).values(n_submitted=Task.n_submitted + 1)
)
_INSERT_ASSIGNMENT = insert(Assignment)
_TASK = select(
    Task.id, Task.project_id, Task.external_id, Task.data, Task.n_submitted, Task.created_at
).where(Task.id == bindparam("task"))
_DRAFT = select(Draft.result, Draft.seconds, Draft.updated_at).where(
    Draft.task_id == bindparam("task"), Draft.user_id == bindparam("user")
)
_ANY_EXPIRED = (
    select(Assignment.id)
    .where(
        Assignment.project_id == bindparam("project"),
        Assignment.state == LEASED,
        Assignment.expires_at < bindparam("now"),
    )
    .limit(1)
)
_EXPIRE = (
    delete(Assignment)
    .where(
        Assignment.id.in_(
            select(Assignment.id)
            .where(
                Assignment.project_id == bindparam("project"),
                Assignment.state == LEASED,
                Assignment.expires_at < bindparam("now"),
            )
            .limit(EXPIRY_BATCH)
            .scalar_subquery()
        ),
        Assignment.state == LEASED,
    )
    .returning(Assignment.task_id)
)
_ASSIGNMENT = (
    select(Assignment.id, Assignment.state)
    .where(Assignment.task_id == bindparam("task"), Assignment.user_id == bindparam("user"))
    .with_for_update()
)
_DROP_DRAFT = delete(Draft).where(
    Draft.task_id == bindparam("task"), Draft.user_id == bindparam("user")
)


def do_next_task(session: Session, user: User, project: ProjectInfo) -> Lease | None:
    """The task ``user`` should work on now: the one they hold, else a newly leased one."""
    conn = session.connection()
    now = utcnow()
    expires = now + dt.timedelta(seconds=project.lease_seconds)
    release_expired(session, project, now)
    mine = {"project": project.id, "user": user.id}
    task_id = conn.execute(_HELD, mine).scalar()
    if task_id is not None:
        conn.execute(_RENEW, {"task": task_id, "user": user.id, "expires": expires, "now": now})
    else:
        task_id = _claim(session, user, project, now, expires)
        if task_id is None:
            return None
    row = conn.execute(_TASK, {"task": task_id}).one()
    draft = conn.execute(_DRAFT, {"task": task_id, "user": user.id}).first()
    return Lease(
        task=TaskRef(*row),
        expires_at=expires,
        draft=DraftRef(*draft) if draft is not None else None,
    )


def _claim(
    session: Session, user: User, project: ProjectInfo, now: dt.datetime, expires: dt.datetime
) -> int | None:
    """Lease the first open task ``user`` has not touched; None when there is none."""
    conn = session.connection()
    candidate_query = _CANDIDATE["sqlite" if conn.dialect.name == "sqlite" else "other"]
    for _attempt in range(20):
        candidate = conn.execute(candidate_query, {"project": project.id, "user": user.id}).scalar()
        if candidate is None:
            return None
        if not take_slot(conn, candidate, project.overlap):
            continue  # someone took the last slot between our read and our write
        conn.execute(
            _INSERT_ASSIGNMENT,
            {
                "task_id": candidate,
                "project_id": project.id,
                "user_id": user.id,
                "state": LEASED,
                "skip_reason": None,
                "leased_at": now,
                "expires_at": expires,
                "updated_at": now,
            },
        )
        record(
            session,
            user,
            "task.lease",
            ("task", candidate),
            project_id=project.id,
            after={"expires_at": expires.isoformat()},
        )
        return int(candidate)
    raise Conflict("the queue is very busy right now; ask for the next task again")


def take_slot(conn: Connection, task_id: int, overlap: int, *, submitted: int = 0) -> bool:
    """Count one more claim on a task, only if it is below ``overlap``."""
    result: Any = conn.execute(
        _TAKE_SLOT, {"task": task_id, "overlap": overlap, "submitted": submitted}
    )
    return bool(result.rowcount == 1)


def count_submission(conn: Connection, task_id: int) -> None:
    """A leased task is submitted: its slot was already claimed by the lease."""
    conn.execute(_COUNT_SUBMISSION, {"task": task_id})


def give_slot_back(conn: Connection, task_id: int, overlap: int, count: int = 1) -> None:
    conn.execute(_GIVE_BACK, {"task": task_id, "overlap": overlap, "count": count})


def release_expired(session: Session, project: ProjectInfo, now: dt.datetime) -> int:
    """Give the slots of expired leases back to the queue; returns how many."""
    conn = session.connection()
    params = {"project": project.id, "now": now}
    if conn.execute(_ANY_EXPIRED, params).first() is None:
        return 0  # the usual case: one probe of the expiry index, nothing to do
    task_ids = conn.execute(_EXPIRE, params).scalars().all()
    per_task: dict[int, int] = {}
    for task_id in task_ids:
        per_task[task_id] = per_task.get(task_id, 0) + 1
    for task_id, count in sorted(per_task.items()):
        give_slot_back(conn, task_id, project.overlap, count)
    if task_ids:
        record(
            session,
            None,
            "task.lease_expire",
            ("project", project.id),
            project_id=project.id,
            after={"tasks": sorted(per_task)[:100], "count": len(task_ids)},
        )
    return len(task_ids)


def find_assignment(conn: Connection, task_id: int, user_id: int) -> tuple[int, str] | None:
    """The caller's (assignment id, state) on a task, locked for the transaction."""
    row = conn.execute(_ASSIGNMENT, {"task": task_id, "user": user_id}).first()
    return (int(row[0]), str(row[1])) if row is not None else None


def drop_draft(conn: Connection, task_id: int, user_id: int) -> None:
    conn.execute(_DROP_DRAFT, {"task": task_id, "user": user_id})


def do_skip(session: Session, user: User, project: ProjectInfo, task: TaskRef, reason: str) -> None:
    """``user`` passes on ``task``: they will not get it again; its slot goes back."""
    conn = session.connection()
    reason = reason.strip()
    found = find_assignment(conn, task.id, user.id)
    now = utcnow()
    if found is not None and found[1] == SUBMITTED:
        raise Conflict("you already submitted this task; edit your annotation instead")
    if found is not None and found[1] == SKIPPED:
        raise Conflict("you already skipped this task")
    if found is None:
        conn.execute(
            _INSERT_ASSIGNMENT,
            {
                "task_id": task.id,
                "project_id": project.id,
                "user_id": user.id,
                "state": SKIPPED,
                "skip_reason": reason,
                "leased_at": now,
                "expires_at": None,
                "updated_at": now,
            },
        )
    else:
        give_slot_back(conn, task.id, project.overlap)
        conn.execute(
            update(Assignment)
            .where(Assignment.id == found[0])
            .values(state=SKIPPED, skip_reason=reason, expires_at=None, updated_at=now)
        )
    drop_draft(conn, task.id, user.id)
    record(
        session,
        user,
        "task.skip",
        ("task", task.id),
        project_id=project.id,
        after={"reason": reason},
    )
