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

from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.actions.gold import pick_gold
from accord.actions.progress import task_moved
from accord.actions.qualifications import PRACTICE, Practice, qualification_task, training_task
from accord.actions.work_counts import count_skipped
from accord.db.raw import Raw, Sql
from accord.db.types import utcnow
from accord.errors import Conflict, Forbidden
from accord.models import AssignmentState, Role, User
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
    practice: Practice | None = None  # a qualification or training task: where one stands


_HELD = Sql(
    "SELECT task_id FROM assignments WHERE project_id = ? AND user_id = ? "
    "AND state = 'leased' ORDER BY id LIMIT 1"
)
_RENEW = Sql(
    "UPDATE assignments SET expires_at = ?, updated_at = ? WHERE task_id = ? AND user_id = ?"
)
# SQLite uses the partial queue index only when the query repeats its WHERE verbatim;
# PostgreSQL skips rows other annotators are claiming instead of waiting on them.
_CANDIDATE = Sql(
    "SELECT id FROM tasks WHERE project_id = ? AND is_open = 1 AND NOT EXISTS "
    "(SELECT 1 FROM assignments a WHERE a.task_id = tasks.id AND a.user_id = ?) "
    "ORDER BY queue_key, id LIMIT 1",
    "SELECT id FROM tasks WHERE project_id = %s AND is_open AND NOT EXISTS "
    "(SELECT 1 FROM assignments a WHERE a.task_id = tasks.id AND a.user_id = %s) "
    "ORDER BY queue_key, id LIMIT 1 FOR UPDATE SKIP LOCKED",
)
# A task's capacity is the project's overlap plus its own `extra_overlap` (dynamic overlap);
# a task with a known answer (``purpose`` set: gold, qualification, training) is never open:
# it is served by its own rules (accord.actions.gold), never by the queue index.
_TAKE_SLOT = Sql(
    "UPDATE tasks SET n_claimed = n_claimed + 1, n_submitted = n_submitted + ?, "
    "is_open = (purpose IS NULL AND n_claimed + 1 < ? + extra_overlap) "
    "WHERE id = ? AND n_claimed < ? + extra_overlap RETURNING n_submitted"
)
_CLOSE_IF_FULL = Sql(
    "UPDATE tasks SET is_open = (purpose IS NULL AND n_claimed < ? + extra_overlap) WHERE id = ?"
)
_GIVE_BACK = Sql(
    "UPDATE tasks SET n_claimed = n_claimed - ?, "
    "is_open = (purpose IS NULL AND n_claimed - ? < ? + extra_overlap) WHERE id = ?"
)
_UNCOUNT_SUBMISSION = Sql(
    "UPDATE tasks SET n_submitted = n_submitted - 1, n_claimed = n_claimed - 1, "
    "is_open = (purpose IS NULL AND n_claimed - 1 < ? + extra_overlap) WHERE id = ? "
    "RETURNING n_submitted"
)
_COUNT_SUBMISSION = Sql(
    "UPDATE tasks SET n_submitted = n_submitted + 1 WHERE id = ? RETURNING n_submitted"
)
_INSERT_ASSIGNMENT = Sql(
    "INSERT INTO assignments (task_id, project_id, user_id, state, skip_reason, leased_at, "
    "expires_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_SET_STATE = Sql(
    "UPDATE assignments SET state = ?, skip_reason = ?, expires_at = NULL, updated_at = ? "
    "WHERE id = ?"
)
_TASK = Sql(
    "SELECT id, project_id, external_id, data, n_submitted, created_at, purpose FROM tasks "
    "WHERE id = ?"
)
_DRAFT = Sql("SELECT result, seconds, updated_at FROM drafts WHERE task_id = ? AND user_id = ?")
_ANY_EXPIRED = Sql(
    "SELECT 1 FROM assignments WHERE project_id = ? AND state = 'leased' AND expires_at < ? LIMIT 1"
)
_EXPIRE = Sql(
    "DELETE FROM assignments WHERE id IN (SELECT id FROM assignments WHERE project_id = ? "
    f"AND state = 'leased' AND expires_at < ? LIMIT {EXPIRY_BATCH}) AND state = 'leased' "
    "RETURNING task_id"
)
_ASSIGNMENT = Sql(
    "SELECT id, state FROM assignments WHERE task_id = ? AND user_id = ?",
    "SELECT id, state FROM assignments WHERE task_id = %s AND user_id = %s FOR UPDATE",
)
_DROP_DRAFT = Sql("DELETE FROM drafts WHERE task_id = ? AND user_id = ?")


_PAUSED = Sql(
    "SELECT paused_at, pause_reason FROM memberships WHERE project_id = ? AND user_id = ?"
)


def do_next_task(
    session: Session,
    user: User,
    project: ProjectInfo,
    *,
    role: str = Role.annotator.value,
    mode: str | None = None,
) -> Lease | None:
    """The task ``user`` should work on now: the one they hold, else a newly leased one (a
    gold task now and then, at the project's rate). An annotator who must qualify gets their
    qualification tasks first; ``mode="training"`` serves the training tasks instead."""
    raw = Raw(session)
    now = utcnow()
    expires = now + dt.timedelta(seconds=project.lease_seconds)
    paused = raw.one(_PAUSED, (project.id, user.id))
    if paused is not None and paused[0] is not None:
        raise Forbidden(
            f"you are paused in this project ({paused[1] or 'by a manager'}); a project "
            "manager can resume you",
            code="paused",
        )
    practice = None
    if mode == "training":
        practice = training_task(raw, project, user.id)
        if practice is None:
            return None
    elif role == Role.annotator.value:
        practice = qualification_task(raw, project, user.id)
    if practice is not None:
        return _lease(raw, practice[0], user, expires, practice[1])
    release_expired(session, project, now)
    held = raw.one(_HELD, (project.id, user.id))
    if held is not None:
        task_id = int(held[0])
        raw.run(_RENEW, (raw.stamp(expires), raw.stamp(now), task_id, user.id))
    else:
        claimed = pick_gold(raw, project, user.id)
        if claimed is not None:
            _lease_slot(session, raw, claimed, user, project, now, expires)
        else:
            claimed = _claim(session, raw, user, project, now, expires)
        if claimed is None:
            return None
        task_id = claimed
    return _lease(raw, task_id, user, expires, None)


def _lease(
    raw: Raw, task_id: int, user: User, expires: dt.datetime, practice: Practice | None
) -> Lease:
    row = raw.one(_TASK, (task_id,))
    assert row is not None
    draft = raw.one(_DRAFT, (task_id, user.id))
    return Lease(
        task=TaskRef(row[0], row[1], row[2], row[3], row[4], Raw.when(row[5]), row[6]),
        expires_at=expires,
        draft=DraftRef(draft[0], draft[1], Raw.when(draft[2])) if draft is not None else None,
        practice=practice,
    )


def _claim(
    session: Session,
    raw: Raw,
    user: User,
    project: ProjectInfo,
    now: dt.datetime,
    expires: dt.datetime,
) -> int | None:
    """Lease the first open task ``user`` has not touched; None when there is none."""
    for _attempt in range(20):
        found = raw.one(_CANDIDATE, (project.id, user.id))
        if found is None:
            return None
        candidate = int(found[0])
        if raw.one(_TAKE_SLOT, (0, project.overlap, candidate, project.overlap)) is None:
            # Someone took the last slot between our read and our write, or the task is full
            # under a lowered overlap not yet settled: close it, so the next read skips it.
            raw.run(_CLOSE_IF_FULL, (project.overlap, candidate))
            continue
        _lease_slot(session, raw, candidate, user, project, now, expires)
        return candidate
    raise Conflict("the queue is very busy right now; ask for the next task again")


def _lease_slot(
    session: Session,
    raw: Raw,
    task_id: int,
    user: User,
    project: ProjectInfo,
    now: dt.datetime,
    expires: dt.datetime,
) -> None:
    """Record ``user``'s lease on a task whose slot they just took."""
    stamp = raw.stamp(now)
    raw.run(
        _INSERT_ASSIGNMENT,
        (task_id, project.id, user.id, LEASED, None, stamp, raw.stamp(expires), stamp),
    )
    record(
        session,
        user,
        "task.lease",
        ("task", task_id),
        project_id=project.id,
        after={"expires_at": expires.isoformat()},
    )


def take_slot(raw: Raw, task: TaskRef, overlap: int, *, by: int | None = None) -> bool:
    """Count one more claim on a task, only if it is below ``overlap``; with ``by`` (the
    submitting user's id) the claim is a submission, counted in the project's progress."""
    row = raw.one(_TAKE_SLOT, (0 if by is None else 1, overlap, task.id, overlap))
    if row is None:
        return False
    if by is not None:
        task_moved(raw, task.project_id, by, int(row[0]) - 1, int(row[0]))
    return True


def count_submission(raw: Raw, task: TaskRef, by: int) -> None:
    """A leased task is submitted: its slot was already claimed by the lease."""
    row = raw.one(_COUNT_SUBMISSION, (task.id,))
    assert row is not None
    task_moved(raw, task.project_id, by, int(row[0]) - 1, int(row[0]))


def give_slot_back(raw: Raw, task_id: int, overlap: int, count: int = 1) -> None:
    raw.run(_GIVE_BACK, (count, count, overlap, task_id))


_DROP_LEASES = Sql(
    "DELETE FROM assignments WHERE user_id = ? AND state = 'leased' RETURNING task_id, project_id"
)
_DROP_PROJECT_LEASES = Sql(
    "DELETE FROM assignments WHERE user_id = ? AND project_id = ? AND state = 'leased' "
    "RETURNING task_id, project_id"
)
_OVERLAP = Sql("SELECT overlap FROM projects WHERE id = ?")


def release_leases_of(
    session: Session, actor: User | None, user_id: int, project_id: int | None = None
) -> int:
    """Give back at once the tasks ``user_id`` holds (in ``project_id``, or in every project):
    their slots go back to the queue; drafts stay, as when a lease expires. Returns how many."""
    raw = Raw(session)
    if project_id is None:
        rows = raw.all(_DROP_LEASES, (user_id,))
    else:
        rows = raw.all(_DROP_PROJECT_LEASES, (user_id, project_id))
    per_project: dict[int, list[int]] = {}
    for task_id, in_project in rows:
        per_project.setdefault(int(in_project), []).append(int(task_id))
    for in_project, task_ids in sorted(per_project.items()):
        found = raw.one(_OVERLAP, (in_project,))
        assert found is not None
        for task_id in sorted(task_ids):
            give_slot_back(raw, task_id, int(found[0]))
        record(
            session,
            actor,
            "task.lease_release",
            ("user", user_id),
            project_id=in_project,
            after={"tasks": sorted(task_ids)[:100], "count": len(task_ids)},
        )
    return len(rows)


def uncount_submission(raw: Raw, task: TaskRef, overlap: int, by: int | None) -> None:
    """A submission of the task is withdrawn (its annotation deleted): the slot it held
    goes back to the queue and the project's progress counts it no more."""
    row = raw.one(_UNCOUNT_SUBMISSION, (overlap, task.id))
    assert row is not None
    if task.purpose is None:  # tasks with a known answer are not in the progress
        task_moved(raw, task.project_id, by, int(row[0]) + 1, int(row[0]))


def release_expired(session: Session, project: ProjectInfo, now: dt.datetime) -> int:
    """Give the slots of expired leases back to the queue; returns how many."""
    raw = Raw(session)
    params = (project.id, raw.stamp(now))
    if raw.one(_ANY_EXPIRED, params) is None:
        return 0  # the usual case: one probe of the expiry index, nothing to do
    task_ids = [int(row[0]) for row in raw.all(_EXPIRE, params)]
    per_task: dict[int, int] = {}
    for task_id in task_ids:
        per_task[task_id] = per_task.get(task_id, 0) + 1
    for task_id, count in sorted(per_task.items()):
        give_slot_back(raw, task_id, project.overlap, count)
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


def find_assignment(raw: Raw, task_id: int, user_id: int) -> tuple[int, str] | None:
    """The caller's (assignment id, state) on a task, locked for the transaction."""
    row = raw.one(_ASSIGNMENT, (task_id, user_id))
    return (int(row[0]), str(row[1])) if row is not None else None


def insert_assignment(
    raw: Raw, task: TaskRef, user_id: int, state: str, now: dt.datetime, reason: str | None
) -> None:
    stamp = raw.stamp(now)
    raw.run(
        _INSERT_ASSIGNMENT, (task.id, task.project_id, user_id, state, reason, stamp, None, stamp)
    )


def set_assignment_state(
    raw: Raw, assignment_id: int, state: str, now: dt.datetime, reason: str | None = None
) -> None:
    raw.run(_SET_STATE, (state, reason, raw.stamp(now), assignment_id))


def drop_draft(raw: Raw, task_id: int, user_id: int) -> None:
    raw.run(_DROP_DRAFT, (task_id, user_id))


def do_skip(session: Session, user: User, project: ProjectInfo, task: TaskRef, reason: str) -> None:
    """``user`` passes on ``task``: they will not get it again; its slot goes back."""
    if task.purpose in PRACTICE:
        raise Conflict(
            "qualification and training tasks cannot be skipped: answer as best you can",
            code="practice_skip",
        )
    raw = Raw(session)
    reason = reason.strip()
    found = find_assignment(raw, task.id, user.id)
    now = utcnow()
    if found is not None and found[1] == SUBMITTED:
        raise Conflict("you already submitted this task; edit your annotation instead")
    if found is not None and found[1] == SKIPPED:
        raise Conflict("you already skipped this task")
    if found is None:
        insert_assignment(raw, task, user.id, SKIPPED, now, reason)
    else:
        give_slot_back(raw, task.id, project.overlap)
        set_assignment_state(raw, found[0], SKIPPED, now, reason)
    drop_draft(raw, task.id, user.id)
    count_skipped(raw, project.id, user.id)
    record(
        session,
        user,
        "task.skip",
        ("task", task.id),
        project_id=project.id,
        after={"reason": reason},
    )
