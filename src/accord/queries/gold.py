"""Known answers and the scores people earned against them, as managers look at them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.models import GoldAnswer, GoldScore, Membership, Qualification, Task, User
from accord.quality.gold import wilson_interval


@dataclass(frozen=True)
class KnownAnswer:
    task: Task
    known: GoldAnswer
    answers: int  # scored answers so far
    mean: float | None


def known_answers(
    session: Session, project_id: int, purpose: str | None, *, after: int | None, limit: int
) -> list[KnownAnswer]:
    query = (
        select(Task, GoldAnswer, func.count(GoldScore.id), func.avg(GoldScore.score))
        .join(GoldAnswer, GoldAnswer.task_id == Task.id)
        .outerjoin(GoldScore, GoldScore.task_id == Task.id)
        .where(GoldAnswer.project_id == project_id)
        .group_by(Task.id, GoldAnswer.task_id)
        .order_by(Task.id)
        .limit(limit)
    )
    if purpose is not None:
        query = query.where(GoldAnswer.purpose == purpose)
    if after is not None:
        query = query.where(Task.id > after)
    return [
        KnownAnswer(task, known, int(n), float(mean) if mean is not None else None)
        for task, known, n, mean in session.execute(query)
    ]


@dataclass(frozen=True)
class AnnotatorGold:
    user_id: int
    name: str
    email: str
    role: str
    n: int  # gold tasks scored
    score: float | None  # mean score
    low: float  # Wilson interval of the mean (95 %)
    high: float
    last_at: dt.datetime | None
    paused_at: dt.datetime | None
    pause_reason: str
    qualification: str | None  # in_progress, passed, failed; None: not taken
    qualification_score: float | None
    qualification_attempt: int | None


def gold_by_annotator(session: Session, project_id: int) -> list[AnnotatorGold]:
    """Each member's gold score (with a Wilson interval over the summed scores), pause and
    qualification, computed now from the stored scores."""
    scores = (
        select(
            GoldScore.user_id,
            func.count().label("n"),
            func.sum(GoldScore.score).label("total"),
            func.max(GoldScore.created_at).label("last_at"),
        )
        .where(GoldScore.project_id == project_id, GoldScore.purpose == "gold")
        .group_by(GoldScore.user_id)
        .subquery()
    )
    rows = session.execute(
        select(Membership, User, scores.c.n, scores.c.total, scores.c.last_at, Qualification)
        .join(User, User.id == Membership.user_id)
        .outerjoin(scores, scores.c.user_id == Membership.user_id)
        .outerjoin(
            Qualification,
            (Qualification.project_id == Membership.project_id)
            & (Qualification.user_id == Membership.user_id),
        )
        .where(Membership.project_id == project_id)
        .order_by(User.name, User.email)
    ).all()
    n = [int(row[2] or 0) for row in rows]
    total = [float(row[3] or 0.0) for row in rows]
    low, high = wilson_interval(total, n)
    out = []
    for i, (member, user, _, _, last_at, qualification) in enumerate(rows):
        out.append(
            AnnotatorGold(
                user_id=user.id,
                name=user.name,
                email=user.email,
                role=member.role,
                n=n[i],
                score=total[i] / n[i] if n[i] else None,
                low=float(low[i]),
                high=float(high[i]),
                last_at=last_at,
                paused_at=member.paused_at,
                pause_reason=member.pause_reason,
                qualification=qualification.state if qualification else None,
                qualification_score=qualification.score if qualification else None,
                qualification_attempt=qualification.attempt if qualification else None,
            )
        )
    return out
