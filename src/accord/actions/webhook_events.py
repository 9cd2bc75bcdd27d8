"""The webhook events, emitted where they happen (one call in each action), with their payloads.

Each function costs one indexed query when the project has no webhook for the event, and
builds its payload only when one subscribes. The payloads are documented in docs/webhooks.md;
answers are embedded as stored (their JSON text), never parsed again.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol

import orjson
from sqlalchemy.orm import Session

from accord.actions.webhooks import Subscribers
from accord.db.raw import Raw, Sql
from accord.queries.projects import ProjectInfo
from accord.queries.tasks import TaskRef

if TYPE_CHECKING:
    from accord.models import Job


class AnnotationLike(Protocol):
    """An annotation as the actions hold it: the `Annotation` model, or a row read on a hot
    path (`accord.actions.annotations.AnnotationRow`, `accord.queries.reviews.UnderReview`)."""

    @property
    def id(self) -> int: ...
    @property
    def task_id(self) -> int: ...
    @property
    def user_id(self) -> int: ...
    @property
    def result(self) -> str: ...  # JSON text
    @property
    def seconds(self) -> float: ...
    @property
    def version(self) -> int: ...
    @property
    def review_state(self) -> str | None: ...
    @property
    def created_at(self) -> dt.datetime: ...
    @property
    def updated_at(self) -> dt.datetime: ...


class ReviewLike(Protocol):
    """A decided review: the `Review` model, or `accord.queries.reviews.ReviewRow`."""

    @property
    def id(self) -> int: ...
    @property
    def round(self) -> int: ...
    @property
    def reason(self) -> str: ...
    @property
    def decision(self) -> str | None: ...
    @property
    def reviewer_id(self) -> int | None: ...
    @property
    def comment(self) -> str: ...
    @property
    def comments(self) -> list[Any]: ...
    @property
    def failed(self) -> list[Any]: ...
    @property
    def decided_at(self) -> dt.datetime | None: ...


_TASK_COUNTS = Sql("SELECT n_submitted, extra_overlap FROM tasks WHERE id = ?")
_TASK_ANNOTATIONS = Sql("SELECT id FROM annotations WHERE task_id = ? ORDER BY id")
_TASK_CONSENSUS = Sql(
    "SELECT question, method, answer, confidence, agreement, n FROM task_consensus "
    "WHERE task_id = ? ORDER BY question"
)


def _task(task: TaskRef) -> dict[str, Any]:
    return {"id": task.id, "external_id": task.external_id}


def annotation_submitted(
    session: Session,
    project: ProjectInfo,
    task: TaskRef,
    annotation: AnnotationLike,
    raw: Raw | None = None,
) -> None:
    """``annotation.created``, and ``task.completed`` when this submission gave the task the
    last annotation it needs (after dynamic overlap asked for none more). ``raw``: the
    caller's cursor, if it has one (a new one costs about as much as the probe)."""
    if not project.webhooks:
        return
    raw = raw or Raw(session)
    hooks = Subscribers(raw, project.id)
    if not hooks.by_event:
        return
    hooks.emit(
        session,
        "annotation.created",
        lambda: {
            "annotation": _annotation(annotation),
            "task": {**_task(task), "purpose": task.purpose},
        },
    )
    if task.purpose is None and hooks.wants("task.completed"):
        counts = raw.one(_TASK_COUNTS, (task.id,))
        if counts is not None and int(counts[0]) == project.overlap + int(counts[1]):
            hooks.emit(session, "task.completed", _completed(raw, task, int(counts[0])))


def _completed(raw: Raw, task: TaskRef, submitted: int) -> dict[str, Any]:
    consensus = [
        {
            "question": question,
            "method": method,
            "answer": orjson.Fragment(answer) if answer is not None else None,
            "confidence": confidence,
            "agreement": agreement,
            "n": n,
        }
        for question, method, answer, confidence, agreement, n in raw.all(
            _TASK_CONSENSUS, (task.id,)
        )
    ]
    return {
        "task": _task(task),
        "annotations": [int(row[0]) for row in raw.all(_TASK_ANNOTATIONS, (task.id,))],
        "submitted": submitted,
        "consensus": consensus,
    }


def _annotation(annotation: AnnotationLike) -> dict[str, Any]:
    return {
        "id": annotation.id,
        "task_id": annotation.task_id,
        "user_id": annotation.user_id,
        "version": annotation.version,
        "result": orjson.Fragment(annotation.result),
        "seconds": annotation.seconds,
        "review_state": annotation.review_state,
        "created_at": annotation.created_at,
        "updated_at": annotation.updated_at,
    }


def annotation_edited(
    session: Session, project: ProjectInfo, annotation: AnnotationLike, task: TaskRef, by: int
) -> None:
    """``annotation.updated`` after its author's edit."""
    if not project.webhooks:
        return
    hooks = Subscribers(Raw(session), project.id)
    hooks.emit(
        session,
        "annotation.updated",
        lambda: {
            "annotation": _annotation(annotation),
            "task": _task(task),
            "change": "edit",
            "by": by,
        },
    )


def review_decided(
    session: Session,
    project: ProjectInfo,
    review: ReviewLike,
    annotation: AnnotationLike,
    task: TaskRef,
    raw: Raw | None = None,
) -> None:
    """``review.decided``; a fix also changed the annotation: ``annotation.updated`` too.
    ``raw``: the caller's cursor, if it has one."""
    if not project.webhooks:
        return
    hooks = Subscribers(raw or Raw(session), project.id)
    if not hooks.by_event:
        return
    hooks.emit(
        session,
        "review.decided",
        lambda: {
            "review": {
                "id": review.id,
                "round": review.round,
                "reason": review.reason,
                "decision": review.decision,
                "reviewer_id": review.reviewer_id,
                "comment": review.comment,
                "comments": review.comments,
                "failed": [item.get("id") for item in review.failed or []],
                "decided_at": review.decided_at,
            },
            "annotation": {
                "id": annotation.id,
                "task_id": annotation.task_id,
                "user_id": annotation.user_id,
                "version": annotation.version,
                "review_state": annotation.review_state,
            },
            "task": _task(task),
        },
    )
    if review.decision == "fix":
        hooks.emit(
            session,
            "annotation.updated",
            lambda: {
                "annotation": _annotation(annotation),
                "task": _task(task),
                "change": "fix",
                "by": review.reviewer_id,
            },
        )


def job_finished(session: Session, job: Job) -> None:
    """``job.finished``: a job of the project succeeded, failed or was cancelled."""
    hooks = Subscribers(Raw(session), job.project_id)
    hooks.emit(
        session,
        "job.finished",
        lambda: {
            "job": {
                "id": job.id,
                "kind": job.kind,
                "state": job.state,
                "done": job.done,
                "total": job.total,
                "unit": job.unit,
                "result": job.result,
                "error": job.error,
                "created_by": job.created_by,
                "created_at": job.created_at,
                "started_at": job.started_at,
                "finished_at": job.finished_at,
            }
        },
    )
