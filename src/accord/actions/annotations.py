"""Submitting an annotation and editing one's own, with every version kept."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from accord.actions.active_learning import requeue
from accord.actions.audit import record
from accord.actions.consensus import refresh_consensus, settle_task
from accord.actions.gold import GOLD, Feedback, count_gold_submission, score_gold
from accord.actions.originality import NOT_ORIGINAL, index_submission
from accord.actions.queue import (
    LEASED,
    SUBMITTED,
    Counted,
    Mine,
    drop_draft,
    find_assignment,
    insert_assignment,
    set_assignment_state,
    submit_lease,
    take_draft,
    take_slot,
    uncount_submission,
)
from accord.actions.reviews import LOCKING, open_review, reopen_after_edit, review_reason
from accord.actions.webhook_events import annotation_edited, annotation_submitted
from accord.actions.work_counts import count_deleted, count_submitted
from accord.db.raw import Raw, Sql
from accord.db.types import utcnow
from accord.errors import Conflict, Forbidden, Invalid, NotFound
from accord.kinds import Problem
from accord.models import Annotation, AnnotationVersion, Assignment, QueueOrder, ReviewState, User
from accord.queries.originality import Outcome
from accord.queries.projects import ProjectInfo
from accord.queries.tasks import TaskRef

MAX_SECONDS = 7 * 24 * 3600.0


@dataclass
class AnnotationRow:
    """An annotation as the API shows it (the same attributes as the `Annotation` model)."""

    id: int
    task_id: int
    project_id: int
    user_id: int
    result: str  # JSON text
    seconds: float
    version: int
    review_state: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    # A gold task's expected answer and the score, when the project shows them after submission.
    feedback: Feedback | None = None


_INSERT_ANNOTATION = Sql(
    "INSERT INTO annotations (task_id, project_id, user_id, result, seconds, version, "
    "review_state, guidelines_version, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?) RETURNING id"
)
_INSERT_VERSION = Sql(
    "INSERT INTO annotation_versions (annotation_id, version, author_id, result, seconds, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?)"
)
_INSERT_ANNOTATION_AND_VERSION = Sql.postgres_only(
    "WITH a AS (INSERT INTO annotations (task_id, project_id, user_id, result, seconds, version, "
    "review_state, guidelines_version, created_at, updated_at) VALUES (%(task)s, %(project)s, "
    "%(user)s, %(result)s, %(seconds)s, 1, %(review)s, %(guidelines)s, %(at)s, %(at)s) "
    "RETURNING id), v AS (INSERT INTO annotation_versions (annotation_id, version, author_id, "
    "result, seconds, created_at) SELECT id, 1, %(user)s, %(result)s, %(seconds)s, %(at)s "
    "FROM a) SELECT id FROM a"
)


def check_answer(project: ProjectInfo, result: Any, task: TaskRef, *, partial: bool = False) -> str:
    """The result as JSON text if it fits the interface, else `Invalid` naming each problem."""
    problems = project.interface.check_result(result, orjson.loads(task.data), partial=partial)
    if problems:
        raise invalid_answer(problems)
    return orjson.dumps(result).decode()


def invalid_answer(problems: list[Problem]) -> Invalid:
    first = problems[0]
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    return Invalid(
        f"the answer does not fit the interface: {first.path}: {first.message}{more}",
        details=[_detail(p) for p in problems],
        code="invalid_result",
    )


def _detail(problem: Problem) -> dict[str, str]:
    """A problem as a 422's detail; a declared check's names the check (docs/checks.md)."""
    check = getattr(problem, "check", None)
    base = {"path": problem.path, "message": problem.message}
    return {**base, "check": check} if isinstance(check, str) else base


def check_seconds(seconds: float | None) -> float | None:
    if seconds is not None and not 0 <= seconds <= MAX_SECONDS:
        raise Invalid(
            "seconds must be the active time spent, between 0 and one week",
            details={"field": "seconds"},
        )
    return seconds


def do_submit(
    session: Session,
    user: User,
    project: ProjectInfo,
    task: TaskRef,
    result: Any,
    seconds: float | None = None,
    *,
    checked: str | None = None,
    originality: Outcome | None = None,
    typing: dict[str, Any] | None = None,
    mine: Mine | None = None,
) -> AnnotationRow:
    """Record ``user``'s answer to ``task``, within the task's overlap. ``checked``: the
    answer's JSON text, already checked against this version of the interface.
    ``originality``: its originality check (`accord.queries.originality`), indexed here;
    ``typing``: how much of each text answer was typed and pasted; ``mine``: the caller's
    assignment on the task, already read and locked in this transaction."""
    text = checked if checked is not None else check_answer(project, result, task)
    check_seconds(seconds)
    raw = Raw(session)
    found = mine.assignment if mine is not None else find_assignment(raw, task.id, user.id)
    if found is not None and found[1] == SUBMITTED:
        raise Conflict(
            "you already submitted this task; edit your annotation instead",
            details={"task_id": task.id},
        )
    now = utcnow()
    drafted, counted = _count(raw, project, task, user.id, found, now)
    if seconds is None:
        seconds = drafted if drafted is not None else 0.0
    stamp = raw.stamp(now)
    # Gold is not reviewed: its score is its check (and a reviewer must not learn what it is).
    reason = None if task.purpose else review_reason(raw, project, user.id, task.id, text, seconds)
    if originality is not None and originality.warned and not task.purpose:
        reason = NOT_ORIGINAL  # above a question's warn_above: audited
    review_state = ReviewState.pending.value if reason is not None else None
    values = (task.id, project.id, user.id, text, seconds, review_state)
    annotation_id = _insert(raw, values, project.guidelines_version, stamp)
    if reason is not None:
        open_review(raw, project.id, annotation_id, user.id, 1, reason, now)
    if originality is not None or typing:
        index_submission(session, project.id, annotation_id, originality, typing)
    settle_task(session, project, task, counted)
    if project.order == QueueOrder.disagreement.value and task.purpose is None:
        requeue(session, project.id, [task.id])  # where the model and people disagree: first
    feedback = None
    if task.purpose == GOLD:
        feedback = score_gold(session, project, user.id, task, text, seconds, annotation_id, now)
    count_submitted(raw, project.id, user.id, seconds)
    record(
        session,
        user,
        "annotation.submit",
        ("annotation", annotation_id),
        project_id=project.id,
        after={"task_id": task.id, "version": 1},
    )
    row = AnnotationRow(
        id=annotation_id,
        task_id=task.id,
        project_id=project.id,
        user_id=user.id,
        result=text,
        seconds=seconds,
        version=1,
        review_state=review_state,
        created_at=now,
        updated_at=now,
        feedback=feedback,
    )
    annotation_submitted(session, project, task, row, raw)  # webhooks: none probed if none
    return row


def _count(
    raw: Raw,
    project: ProjectInfo,
    task: TaskRef,
    user_id: int,
    found: tuple[int, str] | None,
    now: dt.datetime,
) -> tuple[float | None, Counted | None]:
    """Count the submission on the task within its overlap, make the caller's assignment (if
    any: ``found``) a submission and drop their draft; the draft's active seconds, if any,
    and the task's counts when they were read on the way."""
    if task.purpose is None and found is not None and found[1] == LEASED:
        return submit_lease(raw, task, found[0], user_id, now)  # the lease holds the slot
    if task.purpose is not None:
        if task.purpose != GOLD:
            raise Conflict("answers to practice tasks are not annotations", code="practice")
        count_gold_submission(raw, task, leased=found is not None and found[1] == LEASED)
    elif not take_slot(raw, task, project.overlap, by=user_id):
        raise Conflict(
            f"this task already has the {project.overlap} annotation(s) it needs and your "
            "lease on it has ended; ask for the next task",
            code="task_full",
        )
    if found is None:
        insert_assignment(raw, task, user_id, SUBMITTED, now, None)
    else:
        set_assignment_state(raw, found[0], SUBMITTED, now)
    return take_draft(raw, task.id, user_id), None


def _insert(raw: Raw, values: tuple[Any, ...], guidelines: int, stamp: Any) -> int:
    """Insert an annotation (``values``: task, project, author, result, seconds, review state)
    and its first version; its id. One statement on PostgreSQL."""
    if not raw.sqlite:
        names = ("task", "project", "user", "result", "seconds", "review")
        params = {**dict(zip(names, values, strict=True)), "guidelines": guidelines, "at": stamp}
        inserted = raw.one(_INSERT_ANNOTATION_AND_VERSION, params)
        assert inserted is not None
        return int(inserted[0])
    inserted = raw.one(_INSERT_ANNOTATION, (*values, guidelines, stamp, stamp))
    assert inserted is not None
    annotation_id = int(inserted[0])
    raw.run(_INSERT_VERSION, (annotation_id, 1, values[2], values[3], values[4], stamp))
    return annotation_id


def do_edit_annotation(
    session: Session,
    user: User,
    project: ProjectInfo,
    annotation: Annotation,
    task: TaskRef,
    result: Any,
    seconds: float | None = None,
    *,
    checked: str | None = None,
) -> Annotation:
    """Replace the result of ``user``'s own annotation, until it has been reviewed."""
    if annotation.user_id != user.id:
        raise Forbidden("you can only edit your own annotations")
    _lock_fresh(session, annotation, task)
    if annotation.review_state in LOCKING:
        raise Conflict(
            f"this annotation was reviewed ({annotation.review_state}) and can no longer be edited",
            code="reviewed",
        )
    text = checked if checked is not None else check_answer(project, result, task)
    check_seconds(seconds)
    before = {"version": annotation.version, "review_state": annotation.review_state}
    annotation.result = text
    annotation.version += 1
    annotation.seconds += seconds or 0.0
    annotation.updated_at = utcnow()
    session.flush()
    session.add(
        AnnotationVersion(
            annotation_id=annotation.id,
            version=annotation.version,
            author_id=user.id,
            result=text,
            seconds=seconds or 0.0,
            created_at=annotation.updated_at,
        )
    )
    drop_draft(Raw(session), task.id, user.id)
    reopen_after_edit(session, annotation)
    session.flush()
    refresh_consensus(session, project, task.id)
    annotation_edited(session, project, annotation, task, user.id)
    record(
        session,
        user,
        "annotation.edit",
        ("annotation", annotation.id),
        project_id=project.id,
        before=before,
        after={"version": annotation.version, "review_state": annotation.review_state},
    )
    return annotation


def _lock_fresh(session: Session, annotation: Annotation, task: TaskRef) -> None:
    """Lock the annotation (after its assignment, the lock order of a submission and of a
    deletion) and read it again: on PostgreSQL a manager's deletion or another edit may have
    committed since it was loaded, and the edit must build on what is there now."""
    annotation_id = annotation.id
    find_assignment(Raw(session), task.id, annotation.user_id)
    fresh = session.scalar(
        select(Annotation)
        .where(Annotation.id == annotation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if fresh is None:
        raise NotFound(
            f"no annotation {annotation_id}: it was deleted in the meantime (by a manager); "
            "ask for your next task"
        )


def do_delete_annotation(
    session: Session, actor: User, project: ProjectInfo, annotation_id: int, task: TaskRef
) -> None:
    """Delete an annotation and its versions (managers). Its submission no longer counts: the
    slot goes back to the queue, the project's progress drops it, and the author's assignment
    goes too, so the task may come back to anyone, its author included. The audit event keeps
    what was deleted (author, version, review state, the answer)."""
    raw = Raw(session)
    author = session.scalar(select(Annotation.user_id).where(Annotation.id == annotation_id))
    # Lock order of a submission (assignment, then task): a racing submit waits, never deadlocks.
    found = find_assignment(raw, task.id, author) if author is not None else None
    deleted = session.execute(
        delete(Annotation)
        .where(Annotation.id == annotation_id)
        .returning(
            Annotation.user_id, Annotation.version, Annotation.review_state, Annotation.result
        )
        .execution_options(synchronize_session=False)
    ).first()
    if deleted is None:
        raise NotFound(f"no annotation {annotation_id}: it was deleted in the meantime")
    user_id, version, review_state, result = deleted
    uncount_submission(raw, task, project.overlap, by=actor.id)
    refresh_consensus(session, project, task.id)
    if found is not None:
        session.execute(delete(Assignment).where(Assignment.id == found[0]))
    drop_draft(raw, task.id, user_id)
    count_deleted(raw, project.id, user_id)
    record(
        session,
        actor,
        "annotation.delete",
        ("annotation", annotation_id),
        project_id=project.id,
        before={
            "task_id": task.id,
            "user_id": user_id,
            "version": version,
            "review_state": review_state,
            "result": orjson.loads(result),
        },
    )
