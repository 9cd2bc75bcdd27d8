"""Qualification and training: tasks with known answers that are practice, not data.

A project with ``qualification_pass`` above 0 and qualification tasks serves an annotator its
qualification tasks, in order, before any real task; when all are answered the mean score
decides (passed when at least ``qualification_pass``). A failed annotator may try again, up to
``qualification_attempts`` in all; the result is recorded (`Qualification`, audited).
Training tasks are served on request (``mode=training``), each once, with the expected answer
and its explanation shown after each. Neither kind of answer becomes an annotation: they are
kept as `GoldScore` rows, so they never reach the dataset.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.actions.gold import Feedback, score_submission
from accord.db.raw import Raw, Sql
from accord.db.types import utcnow
from accord.errors import Conflict, Forbidden
from accord.models import GoldPurpose, User
from accord.queries.projects import ProjectInfo
from accord.queries.tasks import TaskRef

QUALIFICATION = GoldPurpose.qualification.value
TRAINING = GoldPurpose.training.value
PRACTICE = frozenset({QUALIFICATION, TRAINING})


@dataclass(frozen=True)
class Practice:
    """Where an annotator stands in a qualification or a training round."""

    purpose: str
    position: int  # 1-based: the task being served, or answered so far when done
    total: int
    attempt: int
    attempts: int  # allowed (qualification)
    state: str  # in_progress, passed, failed (training: in_progress or done)
    score: float | None  # the mean so far, or the final one
    needed: float  # the score to pass (qualification)


_TOTAL = Sql("SELECT count(*) FROM gold_answers WHERE project_id = ? AND purpose = ?")
_NEXT = Sql(
    "SELECT g.task_id FROM gold_answers g WHERE g.project_id = ? AND g.purpose = ? "
    "AND NOT EXISTS (SELECT 1 FROM gold_scores s WHERE s.task_id = g.task_id "
    "AND s.user_id = ? AND s.attempt = ?) ORDER BY g.task_id LIMIT 1"
)
_ANSWERED = Sql(
    "SELECT count(*), avg(score) FROM gold_scores WHERE project_id = ? AND user_id = ? "
    "AND purpose = ? AND attempt = ?"
)
_DONE_BEFORE = Sql("SELECT 1 FROM gold_scores WHERE task_id = ? AND user_id = ? AND attempt = ?")
_STATE = Sql(
    "SELECT attempt, state, score FROM qualifications WHERE project_id = ? AND user_id = ?"
)
_START = Sql(
    "INSERT INTO qualifications (project_id, user_id, attempt, state, score, updated_at) "
    "VALUES (?, ?, 1, 'in_progress', NULL, ?)"
)
_RETRY = Sql(
    "UPDATE qualifications SET attempt = attempt + 1, state = 'in_progress', score = NULL, "
    "updated_at = ? WHERE project_id = ? AND user_id = ? AND state = 'failed'"
)
_FINISH = Sql(
    "UPDATE qualifications SET state = ?, score = ?, updated_at = ? "
    "WHERE project_id = ? AND user_id = ? AND attempt = ? AND state = 'in_progress'"
)


def qualification_of(raw: Raw, project: ProjectInfo, user_id: int) -> Practice | None:
    """Where ``user_id`` stands in the project's qualification; None when none is required
    (no pass mark, or no qualification tasks)."""
    if project.qualification_pass <= 0:
        return None
    total = int((raw.one(_TOTAL, (project.id, QUALIFICATION)) or (0,))[0])
    if total == 0:
        return None
    row = raw.one(_STATE, (project.id, user_id))
    attempt, state, score = (1, "in_progress", None) if row is None else row
    n, mean = raw.one(_ANSWERED, (project.id, user_id, QUALIFICATION, attempt)) or (0, None)
    return Practice(
        purpose=QUALIFICATION,
        position=min(int(n) + 1, total) if state == "in_progress" else int(n),
        total=total,
        attempt=int(attempt),
        attempts=project.qualification_attempts,
        state=str(state),
        score=float(score) if score is not None else (float(mean) if mean is not None else None),
        needed=project.qualification_pass,
    )


def qualification_task(raw: Raw, project: ProjectInfo, user_id: int) -> tuple[int, Practice] | None:
    """The qualification task ``user_id`` must answer now, or None once they passed (or when
    none is required). Raises `Forbidden` when they failed with no attempt left."""
    if project.qualification_pass <= 0:
        return None
    row = raw.one(_STATE, (project.id, user_id))
    if row is not None and row[1] == "passed":
        return None  # the usual case once qualified: one probe per next task
    standing = qualification_of(raw, project, user_id)
    if standing is None or standing.state == "passed":
        return None
    now = raw.stamp(utcnow())
    if row is None:
        raw.run(_START, (project.id, user_id, now))
    if standing.state == "failed":
        if standing.attempt >= project.qualification_attempts:
            raise Forbidden(
                f"you did not pass this project's qualification (score {standing.score or 0:.0%}, "
                f"{project.qualification_pass:.0%} needed) and have used your "
                f"{project.qualification_attempts} attempt(s); ask a project manager",
                code="qualification_failed",
            )
        raw.run(_RETRY, (now, project.id, user_id))
        standing = qualification_of(raw, project, user_id)
        assert standing is not None
    row = raw.one(_NEXT, (project.id, QUALIFICATION, user_id, standing.attempt))
    if row is None:
        return None  # every task answered: the last submission decided (see `_finish`)
    return int(row[0]), standing


def training_task(raw: Raw, project: ProjectInfo, user_id: int) -> tuple[int, Practice] | None:
    """The next training task ``user_id`` has not done, or None when they did them all."""
    total = int((raw.one(_TOTAL, (project.id, TRAINING)) or (0,))[0])
    row = raw.one(_NEXT, (project.id, TRAINING, user_id, 1))
    if row is None:
        return None
    n, mean = raw.one(_ANSWERED, (project.id, user_id, TRAINING, 1)) or (0, None)
    return int(row[0]), Practice(
        purpose=TRAINING,
        position=int(n) + 1,
        total=total,
        attempt=1,
        attempts=1,
        state="in_progress",
        score=float(mean) if mean is not None else None,
        needed=0.0,
    )


@dataclass(frozen=True)
class PracticeResult:
    feedback: Feedback | None  # None for a qualification task (answers are not shown)
    score: float
    standing: Practice


def do_practice_submit(
    session: Session,
    user: User,
    project: ProjectInfo,
    task: TaskRef,
    text: str,
    seconds: float,
) -> PracticeResult:
    """Score ``user``'s answer (checked JSON ``text``) to a qualification or training task."""
    raw = Raw(session)
    now = utcnow()
    if task.purpose == QUALIFICATION:
        standing = qualification_of(raw, project, user.id)
        if standing is None or standing.state != "in_progress":
            raise Conflict(
                "you are not taking this project's qualification now; ask for your next task",
                code="not_in_qualification",
            )
        attempt = standing.attempt
    else:
        attempt = 1
    if raw.one(_DONE_BEFORE, (task.id, user.id, attempt)) is not None:
        raise Conflict("you already answered this task; ask for your next task", code="answered")
    feedback = score_submission(
        raw,
        project,
        user.id,
        task,
        text=text,
        seconds=seconds,
        annotation_id=None,
        attempt=attempt,
        now=now,
    )
    from accord.actions.queue import drop_draft  # (the queue serves these tasks: it imports us)

    drop_draft(raw, task.id, user.id)
    if task.purpose == QUALIFICATION:
        standing = _finish_if_done(session, raw, project, user, attempt, now)
        return PracticeResult(None, feedback.score, standing)
    done = training_task(raw, project, user.id)
    standing = done[1] if done else _training_done(raw, project, user.id)
    return PracticeResult(feedback, feedback.score, standing)


def _training_done(raw: Raw, project: ProjectInfo, user_id: int) -> Practice:
    total = int((raw.one(_TOTAL, (project.id, TRAINING)) or (0,))[0])
    n, mean = raw.one(_ANSWERED, (project.id, user_id, TRAINING, 1)) or (0, None)
    return Practice(TRAINING, int(n), total, 1, 1, "done", mean, 0.0)


def _finish_if_done(
    session: Session, raw: Raw, project: ProjectInfo, user: User, attempt: int, now: dt.datetime
) -> Practice:
    standing = qualification_of(raw, project, user.id)
    assert standing is not None
    n = int((raw.one(_ANSWERED, (project.id, user.id, QUALIFICATION, attempt)) or (0,))[0])
    if n < standing.total:
        return standing
    score = standing.score or 0.0
    state = "passed" if score >= project.qualification_pass else "failed"
    raw.run(_FINISH, (state, score, raw.stamp(now), project.id, user.id, attempt))
    record(
        session,
        user,
        f"qualification.{state}",
        ("user", user.id),
        project_id=project.id,
        after={"attempt": attempt, "score": round(score, 4), "needed": project.qualification_pass},
    )
    final = qualification_of(raw, project, user.id)
    assert final is not None
    return final
