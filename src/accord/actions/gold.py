"""Gold (honeypot) tasks: brought in by imports, mixed into the queue, scored, and the pause
of an annotator whose gold score falls too low.

Secrecy (DESIGN: responses to annotators never reveal whether a task is gold): a gold task is
leased like any other task (an assignment, a lease, the same response), only at the project's
``gold_rate`` and only while the annotator still has regular work, so that an annotator at the
end of the queue is never handed gold alone; its submission is a real annotation. What differs
is kept off the annotator's side: no progress count, no review, no consensus, and the score.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.actions.progress import tasks_added
from accord.db.raw import Raw, Sql
from accord.db.types import utcnow
from accord.errors import Conflict, Invalid, NotFound
from accord.formats.task_rows import GOLD_MARK, GOLD_PURPOSES, MAX_EXPLANATION
from accord.kinds.scoring import score_answer
from accord.models import GoldAnswer, GoldPurpose, Membership, User
from accord.queries.projects import ProjectInfo
from accord.queries.tasks import TaskRef

GOLD = GoldPurpose.gold.value
MARKS = tuple(GOLD_MARK + purpose for purpose in GOLD_PURPOSES)

# --- Imports: the marked predictions of a chunk become known answers -------------------------

_MARKED = Sql(
    "SELECT task_id, model_version, result FROM predictions WHERE project_id = ? "
    "AND task_id BETWEEN ? AND ? AND model_version IN (?, ?, ?) ORDER BY task_id"
)
_UNMARK = Sql(
    "DELETE FROM predictions WHERE project_id = ? AND task_id BETWEEN ? AND ? "
    "AND model_version IN (?, ?, ?)"
)
_INSERT_GOLD = Sql(
    "INSERT INTO gold_answers (task_id, project_id, purpose, result, explanation, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
# A task with a known answer is never open: the queue index does not see it.
_MAKE_GOLD = Sql("UPDATE tasks SET purpose = ?, is_open = (1 = 0) WHERE id = ?")


def settle_gold(raw: Raw, project_id: int, first_id: int, last_id: int) -> int:
    """Turn the marked predictions of tasks ``first_id``..``last_id`` (just imported, same
    transaction) into known answers; returns how many. The tasks leave the project's progress:
    they are not part of the dataset."""
    rows = raw.all(_MARKED, (project_id, first_id, last_id, *MARKS))
    if not rows:
        return 0
    stamp = raw.stamp(utcnow())
    for task_id, mark, text in rows:
        purpose = str(mark)[len(GOLD_MARK) :]
        known = orjson.loads(text)
        answer = orjson.dumps(known["answer"]).decode()
        raw.run(_INSERT_GOLD, (task_id, project_id, purpose, answer, known["explanation"], stamp))
        raw.run(_MAKE_GOLD, (purpose, task_id))
    raw.run(_UNMARK, (project_id, first_id, last_id, *MARKS))
    tasks_added(raw, project_id, -len(rows))
    return len(rows)


# --- The queue: gold mixed in at the project's rate ------------------------------------------

_ANY_REGULAR = Sql(
    "SELECT 1 FROM tasks WHERE project_id = ? AND is_open = 1 AND NOT EXISTS "
    "(SELECT 1 FROM assignments a WHERE a.task_id = tasks.id AND a.user_id = ?) LIMIT 1",
    "SELECT 1 FROM tasks WHERE project_id = %s AND is_open AND NOT EXISTS "
    "(SELECT 1 FROM assignments a WHERE a.task_id = tasks.id AND a.user_id = %s) LIMIT 1",
)
_UNSEEN_GOLD = Sql(
    "SELECT g.task_id FROM gold_answers g WHERE g.project_id = ? AND g.purpose = 'gold' "
    "AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = g.task_id "
    "AND a.user_id = ?) AND (? OR NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = g.task_id "
    "AND t.sensitive)) ORDER BY random() LIMIT 1"
)
_CLAIM = Sql("UPDATE tasks SET n_claimed = n_claimed + 1 WHERE id = ?")


def pick_gold(
    raw: Raw, project: ProjectInfo, user_id: int, sensitive_ok: bool = True
) -> int | None:
    """A gold task to lease now, or None: drawn at the project's rate, among the gold tasks
    ``user_id`` has not had (sensitive ones only if ``sensitive_ok``: opted in and under the
    day's limit), and only while regular work remains for them."""
    if project.gold_rate <= 0 or random.random() >= project.gold_rate:
        return None
    if raw.one(_ANY_REGULAR, (project.id, user_id)) is None:
        return None
    row = raw.one(_UNSEEN_GOLD, (project.id, user_id, sensitive_ok))
    if row is None:
        return None
    task_id = int(row[0])
    raw.run(_CLAIM, (task_id,))  # as a lease does: an expiry gives it back the same way
    return task_id


# --- Submissions: scored, without moving the project's progress ------------------------------

_COUNT = Sql("UPDATE tasks SET n_submitted = n_submitted + 1 WHERE id = ?")
_CLAIM_AND_COUNT = Sql(
    "UPDATE tasks SET n_claimed = n_claimed + 1, n_submitted = n_submitted + 1 WHERE id = ?"
)
_KNOWN = Sql("SELECT result, explanation FROM gold_answers WHERE task_id = ?")
_INSERT_SCORE = Sql(
    "INSERT INTO gold_scores (project_id, task_id, user_id, purpose, annotation_id, attempt, "
    "result, score, detail, seconds, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class Feedback:
    """What an annotator is shown after answering a task with a known answer."""

    purpose: str
    score: float
    detail: dict[str, float]
    expected: dict[str, Any]
    explanation: str


def count_gold_submission(raw: Raw, task: TaskRef, leased: bool) -> None:
    raw.run(_COUNT if leased else _CLAIM_AND_COUNT, (task.id,))


def known_answer(raw: Raw, task_id: int) -> tuple[dict[str, Any], str]:
    row = raw.one(_KNOWN, (task_id,))
    if row is None:
        raise NotFound(f"task {task_id} has no known answer")
    return orjson.loads(row[0]), str(row[1])


def score_submission(
    raw: Raw,
    project: ProjectInfo,
    user_id: int,
    task: TaskRef,
    *,
    text: str,
    seconds: float,
    annotation_id: int | None,
    attempt: int,
    now: dt.datetime,
) -> Feedback:
    """Score an answer (JSON ``text``) against the task's known answer and keep the score."""
    expected, explanation = known_answer(raw, task.id)
    scored = score_answer(project.interface, expected, orjson.loads(text))
    purpose = task.purpose or GOLD
    raw.run(
        _INSERT_SCORE,
        (
            project.id,
            task.id,
            user_id,
            purpose,
            annotation_id,
            attempt,
            text,
            scored.score,
            orjson.dumps(scored.detail).decode(),
            seconds,
            raw.stamp(now),
        ),
    )
    return Feedback(purpose, scored.score, scored.detail, expected, explanation)


def score_gold(
    session: Session,
    project: ProjectInfo,
    user_id: int,
    task: TaskRef,
    text: str,
    seconds: float,
    annotation_id: int,
    now: dt.datetime,
) -> Feedback | None:
    """Score a gold submission (a new annotation), pause its author if their gold score fell
    too low; the feedback to show, if the project shows it."""
    raw = Raw(session)
    scored = score_submission(
        raw,
        project,
        user_id,
        task,
        text=text,
        seconds=seconds,
        annotation_id=annotation_id,
        attempt=1,
        now=now,
    )
    pause_if_below(session, raw, project, user_id)
    return scored if project.gold_feedback else None


# --- Pausing an annotator whose gold score is too low ----------------------------------------

_GOLD_SINCE = Sql(
    "SELECT count(*), avg(score) FROM gold_scores WHERE project_id = ? AND user_id = ? "
    "AND purpose = 'gold' AND created_at > ?"
)
_MEMBER = Sql("SELECT paused_at, resumed_at FROM memberships WHERE project_id = ? AND user_id = ?")
_PAUSE = Sql(
    "UPDATE memberships SET paused_at = ?, pause_reason = ? "
    "WHERE project_id = ? AND user_id = ? AND paused_at IS NULL"
)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def pause_if_below(session: Session, raw: Raw, project: ProjectInfo, user_id: int) -> bool:
    """Pause ``user_id`` if their gold score since they were last resumed is below the
    project's threshold over at least ``gold_pause_min`` gold tasks; True if paused now."""
    if project.gold_pause_below <= 0:
        return False
    member = raw.one(_MEMBER, (project.id, user_id))
    if member is None or member[0] is not None:
        return False
    since = Raw.when(member[1]) if member[1] is not None else EPOCH
    n, mean = raw.one(_GOLD_SINCE, (project.id, user_id, raw.stamp(since))) or (0, None)
    if int(n) < project.gold_pause_min or mean is None or float(mean) >= project.gold_pause_below:
        return False
    reason = (
        f"gold score {float(mean):.0%} over {int(n)} gold tasks, below the project's "
        f"{project.gold_pause_below:.0%}"
    )
    raw.run(_PAUSE, (raw.stamp(utcnow()), reason, project.id, user_id))
    from accord.actions.queue import release_leases_of

    release_leases_of(session, None, user_id, project.id)
    record(
        session,
        None,
        "member.pause",
        ("user", user_id),
        project_id=project.id,
        after={"reason": reason},
    )
    return True


def do_resume_member(session: Session, actor: User, project_id: int, user_id: int) -> Membership:
    """A manager lets a paused member work again; the gold score that pauses restarts."""
    member = session.get(Membership, (project_id, user_id))
    if member is None:
        raise NotFound(f"user {user_id} is not a member of this project")
    if member.paused_at is None:
        raise Conflict("this member is not paused", code="not_paused")
    before = {"paused_at": member.paused_at.isoformat(), "reason": member.pause_reason}
    member.paused_at = None
    member.pause_reason = ""
    member.resumed_at = utcnow()
    record(session, actor, "member.resume", ("user", user_id), project_id=project_id, before=before)
    return member


def do_pause_member(
    session: Session, actor: User, project_id: int, user_id: int, reason: str
) -> Membership:
    """A manager pauses a member (no work is served to them until resumed)."""
    from accord.actions.queue import release_leases_of

    member = session.get(Membership, (project_id, user_id))
    if member is None:
        raise NotFound(f"user {user_id} is not a member of this project")
    if member.paused_at is not None:
        raise Conflict("this member is already paused", code="paused")
    member.paused_at = utcnow()
    member.pause_reason = reason.strip() or f"paused by {actor.name or actor.email}"
    session.flush()
    release_leases_of(session, actor, user_id, project_id)
    record(
        session,
        actor,
        "member.pause",
        ("user", user_id),
        project_id=project_id,
        after={"reason": member.pause_reason},
    )
    return member


# --- Managing the known answers --------------------------------------------------------------


def do_set_known_answer(
    session: Session,
    actor: User,
    project: ProjectInfo,
    task: TaskRef,
    answer: dict[str, Any],
    purpose: str,
    explanation: str,
) -> GoldAnswer:
    """Give a task a known answer, or change it. Scores already given stay as they were
    (nothing is silently rescored); later answers are scored against the new one. A task of
    the dataset that already has annotations cannot become gold (its work would leave the
    dataset)."""
    if purpose not in GOLD_PURPOSES:
        raise Invalid(
            f"purpose must be one of {', '.join(GOLD_PURPOSES)}", details={"field": "purpose"}
        )
    if len(explanation) > MAX_EXPLANATION:
        raise Invalid(
            f"the explanation is longer than {MAX_EXPLANATION} characters",
            details={"field": "explanation"},
        )
    if not answer:
        raise Invalid(
            "the known answer is empty: answer at least one question",
            details={"field": "answer"},
            code="invalid_result",
        )
    problems = project.interface.check_result(
        answer, orjson.loads(task.data), partial=True, root="answer"
    )
    if problems:
        from accord.actions.annotations import invalid_answer

        raise invalid_answer(problems)
    raw = Raw(session)
    known = session.get(GoldAnswer, task.id)
    if known is None:
        if task.n_submitted > 0 or task.purpose is not None:
            raise Conflict(
                "this task already has annotations in the dataset; import a new task as gold "
                "instead",
                code="task_has_work",
            )
        raw.run(_MAKE_GOLD, (purpose, task.id))
        tasks_added(raw, project.id, -1)
        known = GoldAnswer(task_id=task.id, project_id=project.id, purpose=purpose)
        session.add(known)
        before = None
    else:
        before = {"purpose": known.purpose, "answer": orjson.loads(known.result)}
        raw.run(_MAKE_GOLD, (purpose, task.id))
    known.purpose = purpose
    known.result = orjson.dumps(answer).decode()
    known.explanation = explanation
    session.flush()
    record(
        session,
        actor,
        "gold.set",
        ("task", task.id),
        project_id=project.id,
        before=before,
        after={"purpose": purpose, "answer": answer},
    )
    return known
