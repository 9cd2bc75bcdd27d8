"""Adjudications as reviewers see them: the queue's listing, and one task's answers side by
side with each author's name and the stored consensus and agreement per question."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.models import Adjudication, Annotation, TaskConsensus, User


@dataclass(frozen=True)
class Answer:
    annotation_id: int
    user: User
    result: dict[str, Any]
    seconds: float
    created_at: dt.datetime


@dataclass(frozen=True)
class QuestionAgreement:
    question: str
    method: str
    answer: Any
    confidence: float | None
    agreement: float | None
    n: int
    computed_at: dt.datetime


def adjudications_of(
    session: Session, project_id: int, state: str | None, *, after: int | None, limit: int
) -> list[Adjudication]:
    """The project's adjudications, oldest first, a page at a time (by id)."""
    query = select(Adjudication).where(Adjudication.project_id == project_id)
    if state is not None:
        query = query.where(Adjudication.state == state)
    if after is not None:
        query = query.where(Adjudication.id > after)
    return list(session.scalars(query.order_by(Adjudication.id).limit(limit)))


def answers_of(session: Session, task_id: int) -> list[Answer]:
    """Every submitted answer to a task with its author, in the order they came."""
    rows = session.execute(
        select(Annotation, User)
        .join(User, User.id == Annotation.user_id)
        .where(Annotation.task_id == task_id)
        .order_by(Annotation.id)
    )
    return [Answer(a.id, user, orjson.loads(a.result), a.seconds, a.created_at) for a, user in rows]


def consensus_of_task(session: Session, task_id: int) -> list[QuestionAgreement]:
    """The stored consensus and agreement of each of a task's questions."""
    rows = session.scalars(
        select(TaskConsensus)
        .where(TaskConsensus.task_id == task_id)
        .order_by(TaskConsensus.question)
    )
    return [
        QuestionAgreement(
            row.question,
            row.method,
            None if row.answer is None else orjson.loads(row.answer),
            row.confidence,
            row.agreement,
            row.n,
            row.computed_at,
        )
        for row in rows
    ]
