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
from dataclasses import dataclass, replace
from typing import Any

import orjson
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.actions.gold import pick_gold
from accord.actions.guidelines import check_acknowledged
from accord.actions.progress import shard_of, task_moved
from accord.actions.qualifications import PRACTICE, Practice, qualification_task, training_task
from accord.actions.sensitive import count_exposure, day_of, may_serve_sensitive
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
class PredictionRef:
    model_version: str
    score: float | None
    result: str  # JSON text


@dataclass(frozen=True)
class Lease:
    task: TaskRef
    expires_at: dt.datetime
    draft: DraftRef | None
    practice: Practice | None = None  # a qualification or training task: where one stands
    predictions: tuple[PredictionRef, ...] = ()  # model pre-annotations of the task


# Where the caller stands, in one probe: paused or not (and why), whether any lease of the
# project has expired (the expiry index: nothing to scan in the usual case), the task they hold.
_STATE = Sql(
    "SELECT m.paused_at, m.pause_reason, EXISTS (SELECT 1 FROM assignments WHERE "
    "project_id = ? AND state = 'leased' AND expires_at < ?), (SELECT task_id FROM "
    "assignments WHERE project_id = ? AND user_id = ? AND state = 'leased' ORDER BY id "
    "LIMIT 1), m.sensitive_opt_in, m.sensitive_limit, (SELECT served FROM sensitive_exposures e "
    "WHERE e.project_id = m.project_id AND e.user_id = m.user_id AND e.day = ?) "
    "FROM (SELECT 1 AS one) AS here LEFT JOIN memberships m ON m.project_id = ? "
    "AND m.user_id = ?"
)
_HELD = Sql(
    "SELECT task_id FROM assignments WHERE project_id = ? AND user_id = ? "
    "AND state = 'leased' ORDER BY id LIMIT 1"
)
_RENEW = Sql(
    "UPDATE assignments SET expires_at = ?, updated_at = ? WHERE task_id = ? AND user_id = ? "
    "AND state = 'leased'"
)
# SQLite (writers already serialised) uses the partial queue index only when the query repeats
# its WHERE verbatim. PostgreSQL claims with `_CLAIM`.
_CANDIDATE = Sql(
    "SELECT id FROM tasks WHERE project_id = ? AND is_open = 1 AND NOT EXISTS "
    "(SELECT 1 FROM assignments a WHERE a.task_id = tasks.id AND a.user_id = ?) "
    "AND (NOT tasks.sensitive OR ?) ORDER BY queue_key, id LIMIT 1"
)
# PostgreSQL: the whole claim in one statement, what `_claim` + `_lease_slot` + `_lease` do in
# six on SQLite. The first open task in queue order the caller has not touched, skipping rows
# other annotators are claiming (FOR UPDATE SKIP LOCKED) instead of waiting on them; its slot
# taken only if one is left (the guarded UPDATE, as `_TAKE_SLOT`); the lease and its audit event
# written only if the slot was taken (they read `taken`); the task, the caller's draft and the
# task's predictions read back. No row: nothing left for the caller. A row whose `taken` part
# is null: the candidate was full (a race, or an overlap lowered and not yet settled).
_CLAIM = Sql.postgres_only(
    "WITH candidate AS (SELECT id FROM tasks WHERE project_id = %(project)s AND is_open "
    "AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = tasks.id "
    "AND a.user_id = %(user)s) AND (NOT tasks.sensitive OR %(sensitive)s) "
    "ORDER BY queue_key, id LIMIT 1 FOR UPDATE SKIP LOCKED), "
    "taken AS (UPDATE tasks t SET n_claimed = t.n_claimed + 1, is_open = (t.purpose IS NULL "
    "AND t.n_claimed + 1 < %(overlap)s + t.extra_overlap) FROM candidate c WHERE t.id = c.id "
    "AND t.n_claimed < %(overlap)s + t.extra_overlap RETURNING t.id, t.project_id, "
    "t.external_id, t.data, t.n_submitted, t.created_at, t.purpose, t.sensitive), "
    "leased AS (INSERT INTO assignments (task_id, project_id, user_id, state, leased_at, "
    "expires_at, updated_at) SELECT id, %(project)s, %(user)s, 'leased', %(now)s, "
    "%(expires)s, %(now)s FROM taken), "
    "audited AS (INSERT INTO audit_events (at, actor_id, project_id, action, object_type, "
    "object_id, after) SELECT %(now)s, %(user)s, %(project)s, 'task.lease', 'task', id, "
    "%(after)s FROM taken) "
    "SELECT c.id, t.id, t.project_id, t.external_id, t.data, t.n_submitted, t.created_at, "
    "t.purpose, d.result, d.seconds, d.updated_at, (SELECT CAST(json_agg(json_build_array("
    "p.model_version, p.score, p.result) ORDER BY p.id) AS text) FROM predictions p "
    "WHERE p.project_id = %(project)s AND p.task_id = t.id), t.sensitive "
    "FROM candidate c LEFT JOIN taken t ON true "
    "LEFT JOIN drafts d ON d.task_id = t.id AND d.user_id = %(user)s"
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
# A leased task with the caller's draft, then its predictions (one probe of
# ix_predictions_project_id_task_id).
_TASK = Sql(
    "SELECT t.id, t.project_id, t.external_id, t.data, t.n_submitted, t.created_at, "
    "t.purpose, d.result, d.seconds, d.updated_at, t.sensitive FROM tasks t LEFT JOIN drafts d "
    "ON d.task_id = t.id AND d.user_id = ? WHERE t.id = ?"
)
_PREDICTIONS = Sql(
    "SELECT model_version, score, result FROM predictions "
    "WHERE project_id = ? AND task_id = ? ORDER BY id"
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
    day = day_of(now)
    state = raw.one(
        _STATE, (project.id, raw.stamp(now), project.id, user.id, day, project.id, user.id)
    )
    assert state is not None
    paused_at, pause_reason, any_expired, held = state[:4]
    sensitive_ok = may_serve_sensitive(project, *state[4:7])  # opted in, under today's limit
    if paused_at is not None:
        raise Forbidden(
            f"you are paused in this project ({pause_reason or 'by a manager'}); a project "
            "manager can resume you",
            code="paused",
        )
    check_acknowledged(session, raw, project, user.id)  # a material guideline change read
    practice = None
    if mode == "training":
        practice = training_task(raw, project, user.id)
        if practice is None:
            return None
    elif role == Role.annotator.value:
        practice = qualification_task(raw, project, user.id)
    if practice is not None:
        return _lease(raw, practice[0], user, expires, practice[1])
    if any_expired:
        _expire(session, raw, project, now)
        found = raw.one(_HELD, (project.id, user.id))  # the caller's lease may have been one
        held = found[0] if found is not None else None
    # A held lease is renewed; one that went in the meantime (an expiry, a manager's release
    # in another transaction) is not, and the caller gets new work instead.
    if held is not None and raw.run(
        _RENEW, (raw.stamp(expires), raw.stamp(now), int(held), user.id)
    ):
        return _lease(raw, int(held), user, expires, None)
    claimed = pick_gold(raw, project, user.id, sensitive_ok)
    if claimed is not None:
        _lease_slot(session, raw, claimed, user, project, now, expires)
        return exposed(raw, _lease(raw, claimed, user, expires, None), user.id, now)
    if not raw.sqlite:
        lease = _claim_in_one(raw, user, project, now, expires, sensitive_ok)
        return exposed(raw, lease, user.id, now)
    claimed = _claim(session, raw, user, project, now, expires, sensitive_ok)
    lease = _lease(raw, claimed, user, expires, None) if claimed is not None else None
    return exposed(raw, lease, user.id, now)


def exposed(raw: Raw, lease: Lease | None, user_id: int, now: dt.datetime) -> Lease | None:
    """A newly leased sensitive task counts in its annotator's exposure of the day."""
    if lease is not None and lease.task.sensitive:
        count_exposure(raw, lease.task.project_id, user_id, now)
    return lease


def _lease(
    raw: Raw, task_id: int, user: User, expires: dt.datetime, practice: Practice | None
) -> Lease:
    row = raw.one(_TASK, (user.id, task_id))
    assert row is not None
    predictions = raw.all(_PREDICTIONS, (row[1], task_id))
    leased = _leased(row, expires, practice, tuple(PredictionRef(*p) for p in predictions))
    return replace(leased, task=replace(leased.task, sensitive=bool(row[10])))


def _leased(
    row: tuple[Any, ...],
    expires: dt.datetime,
    practice: Practice | None,
    predictions: tuple[PredictionRef, ...],
) -> Lease:
    """A `Lease` from a row of task columns then draft columns (`_TASK`, `_CLAIM`)."""
    return Lease(
        task=TaskRef(row[0], row[1], row[2], row[3], row[4], Raw.when(row[5]), row[6]),
        expires_at=expires,
        draft=DraftRef(row[7], row[8], Raw.when(row[9])) if row[7] is not None else None,
        practice=practice,
        predictions=predictions,
    )


def _claim_in_one(
    raw: Raw,
    user: User,
    project: ProjectInfo,
    now: dt.datetime,
    expires: dt.datetime,
    sensitive: bool = False,
) -> Lease | None:
    """`_claim` on PostgreSQL: one statement per attempt (see `_CLAIM`)."""
    stamp = raw.stamp(now)
    params = {
        "project": project.id,
        "user": user.id,
        "overlap": project.overlap,
        "now": stamp,
        "expires": raw.stamp(expires),
        # as `record` writes the lease's audit event
        "after": orjson.dumps({"expires_at": expires.isoformat()}).decode(),
        "sensitive": sensitive,  # may a sensitive task be served (accord.actions.sensitive)
    }
    for _attempt in range(20):
        row = raw.one(_CLAIM, params)
        if row is None:
            return None
        if row[1] is None:  # full: close it, so that the next read skips it
            raw.run(_CLOSE_IF_FULL, (project.overlap, row[0]))
            continue
        predictions = tuple(PredictionRef(*p) for p in orjson.loads(row[11] or "[]"))
        leased = _leased(row[1:], expires, None, predictions)
        return replace(leased, task=replace(leased.task, sensitive=bool(row[12])))
    raise Conflict("the queue is very busy right now; ask for the next task again")


def _claim(
    session: Session,
    raw: Raw,
    user: User,
    project: ProjectInfo,
    now: dt.datetime,
    expires: dt.datetime,
    sensitive: bool = False,
) -> int | None:
    """Lease the first open task ``user`` has not touched; None when there is none."""
    for _attempt in range(20):
        found = raw.one(_CANDIDATE, (project.id, user.id, sensitive))
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


# PostgreSQL: a leased task submitted in one statement, what `count_submission`,
# `set_assignment_state` and the draft's removal do in four on SQLite. The task counts one more
# submission (its slot was claimed by the lease) and moves between the project's progress
# counters (`accord.actions.progress`); the lease becomes the submission; the caller's draft
# goes, its active seconds returned. Each part writes a different row: none sees another's.
_SUBMIT_LEASE = Sql.postgres_only(
    "WITH counted AS (UPDATE tasks SET n_submitted = n_submitted + 1 WHERE id = %(task)s "
    "RETURNING n_submitted, extra_overlap, purpose), "
    "moved AS (INSERT INTO progress_counts (project_id, shard, "
    "submitted, tasks) SELECT %(project)s, %(shard)s, n_submitted - 1, -1 FROM counted "
    "UNION ALL SELECT %(project)s, %(shard)s, n_submitted, 1 FROM counted "
    "ON CONFLICT (project_id, shard, submitted) "
    "DO UPDATE SET tasks = progress_counts.tasks + excluded.tasks), "
    "submitted AS (UPDATE assignments SET state = 'submitted', skip_reason = NULL, "
    "expires_at = NULL, updated_at = %(now)s WHERE id = %(assignment)s), "
    "dropped AS (DELETE FROM drafts WHERE task_id = %(task)s AND user_id = %(user)s "
    "RETURNING seconds) "
    "SELECT (SELECT seconds FROM dropped), n_submitted, extra_overlap, purpose FROM counted"
)
_TAKE_DRAFT = Sql("DELETE FROM drafts WHERE task_id = ? AND user_id = ? RETURNING seconds")


@dataclass(frozen=True)
class Counted:
    """What a submission counted on its task leaves there, as `settle_task` reads it."""

    n_submitted: int
    extra_overlap: int
    purpose: str | None


def submit_lease(
    raw: Raw, task: TaskRef, assignment_id: int, by: int, now: dt.datetime
) -> tuple[float | None, Counted | None]:
    """``by`` submits the task of the dataset they lease (assignment ``assignment_id``, locked
    by `find_assignment`): counted, the lease made a submission, their draft dropped. Returns
    the draft's active seconds (None when there was no draft) and, on PostgreSQL, the task's
    counts after it (read in the same statement)."""
    if raw.sqlite:
        count_submission(raw, task, by)
        set_assignment_state(raw, assignment_id, SUBMITTED, now)
        return take_draft(raw, task.id, by), None
    params = {
        "task": task.id,
        "project": task.project_id,
        "shard": shard_of(by),
        "now": raw.stamp(now),
        "assignment": assignment_id,
        "user": by,
    }
    row = raw.one(_SUBMIT_LEASE, params)
    assert row is not None  # the lease's task exists: it is locked by the caller
    seconds = float(row[0]) if row[0] is not None else None
    return seconds, Counted(int(row[1]), int(row[2]), row[3])


def take_draft(raw: Raw, task_id: int, user_id: int) -> float | None:
    """Drop ``user_id``'s draft of the task; its active seconds, None when there was none."""
    row = raw.one(_TAKE_DRAFT, (task_id, user_id))
    return float(row[0]) if row is not None else None


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


def _expire(session: Session, raw: Raw, project: ProjectInfo, now: dt.datetime) -> int:
    """Give the slots of expired leases back to the queue; returns how many."""
    task_ids = [int(row[0]) for row in raw.all(_EXPIRE, (project.id, raw.stamp(now)))]
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


@dataclass(frozen=True, slots=True)
class Mine:
    """The caller's assignment on a task (id, state), or None, as read and locked on the way
    (`accord.api.policies.submit_access`), so that `do_submit` need not read it again."""

    assignment: tuple[int, str] | None


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
