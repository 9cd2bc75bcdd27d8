"""Reviews as people look at them: a project's list, an annotation's rounds, an author's
rework, and per annotator what went to review and how it was decided."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.models import Annotation, AnnotationVersion, Review, ReviewState, User


@dataclass(frozen=True)
class ReviewFilter:
    state: str | None = None
    decision: str | None = None


def reviews_of_project(
    session: Session, project_id: int, where: ReviewFilter, *, after: int | None, limit: int
) -> list[Review]:
    query = select(Review).where(Review.project_id == project_id)
    if where.state is not None:
        query = query.where(Review.state == where.state)
    if where.decision is not None:
        query = query.where(Review.decision == where.decision)
    if after is not None:
        query = query.where(Review.id > after)
    return list(session.scalars(query.order_by(Review.id).limit(limit)))


def reviews_of_annotation(session: Session, annotation_id: int) -> list[Review]:
    return list(
        session.scalars(
            select(Review).where(Review.annotation_id == annotation_id).order_by(Review.round)
        )
    )


def version_result(session: Session, annotation_id: int, version: int) -> str | None:
    """The JSON text of one version of an annotation."""
    return session.scalar(
        select(AnnotationVersion.result).where(
            AnnotationVersion.annotation_id == annotation_id, AnnotationVersion.version == version
        )
    )


def rework_of(session: Session, project_id: int, user_id: int) -> list[tuple[Annotation, Review]]:
    """``user_id``'s rejected annotations in the project, oldest first, each with the review
    that rejected it (its latest round)."""
    latest = (
        select(Review.annotation_id, func.max(Review.round).label("round"))
        .where(Review.project_id == project_id, Review.author_id == user_id)
        .group_by(Review.annotation_id)
        .subquery()
    )
    query = (
        select(Annotation, Review)
        .join(latest, latest.c.annotation_id == Annotation.id)
        .join(
            Review,
            (Review.annotation_id == Annotation.id) & (Review.round == latest.c.round),
        )
        .where(
            Annotation.project_id == project_id,
            Annotation.user_id == user_id,
            Annotation.review_state == ReviewState.rejected.value,
        )
        .order_by(Annotation.id)
    )
    return [(annotation, review) for annotation, review in session.execute(query)]


@dataclass
class AnnotatorReviews:
    user: User
    submitted: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    decisions: dict[str, int] = field(default_factory=dict)
    open: int = 0


def decision_counts(session: Session, project_id: int) -> list[AnnotatorReviews]:
    """Per annotator of the project: submissions, reviews opened by reason (what share of
    their work went to review, and why), decisions, and reviews still open."""
    rows: dict[int, AnnotatorReviews] = {}
    submitted = session.execute(
        select(Annotation.user_id, func.count())
        .where(Annotation.project_id == project_id)
        .group_by(Annotation.user_id)
    ).all()
    decided = session.execute(
        select(Review.author_id, Review.reason, Review.state, Review.decision, func.count())
        .where(Review.project_id == project_id)
        .group_by(Review.author_id, Review.reason, Review.state, Review.decision)
    ).all()
    # Everyone named above, in one query (not one per annotator).
    wanted = {int(r[0]) for r in submitted} | {int(r[0]) for r in decided}
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted)))}

    def of(user_id: int) -> AnnotatorReviews:
        if user_id not in rows:
            rows[user_id] = AnnotatorReviews(people[user_id])
        return rows[user_id]

    for user_id, n in submitted:
        of(user_id).submitted = int(n)
    reasons: dict[int, dict[str, int]] = defaultdict(dict)
    for user_id, reason, state, decision, n in decided:
        row = of(user_id)
        reasons[user_id][reason] = reasons[user_id].get(reason, 0) + int(n)
        if state == "open":
            row.open += int(n)
        elif decision is not None:
            row.decisions[decision] = row.decisions.get(decision, 0) + int(n)
    for user_id, counts in reasons.items():
        of(user_id).reasons = counts
    return sorted(rows.values(), key=lambda r: (r.user.name, r.user.id))
