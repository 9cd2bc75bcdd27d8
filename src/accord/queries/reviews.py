"""Reviews as people look at them: a project's list, an annotation's rounds, an author's
rework, and per annotator what went to review and how it was decided; and, on the reviewers'
hot path (next review → decision), the review with everything its answer shows, each in one
prepared statement (`accord.db.raw`) with no ORM object loaded."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.db.raw import Raw, Sql
from accord.models import Annotation, AnnotationVersion, Review, ReviewState, User
from accord.queries.tasks import TaskRef


@dataclass(frozen=True)
class ReviewRow:
    """A review as the hot paths read it (the attributes of the `Review` model that its
    answer shows); ``comments`` and ``failed`` are parsed."""

    id: int
    project_id: int
    annotation_id: int
    author_id: int
    round: int
    reason: str
    state: str
    reviewer_id: int | None
    expires_at: dt.datetime | None
    decision: str | None
    version: int | None
    fix_version: int | None
    comment: str
    comments: list[Any]
    failed: list[Any]
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> ReviewRow:
        """From the first `len(REVIEW_COLUMNS)` values of a row that selected them."""
        return cls(
            int(row[0]),
            int(row[1]),
            int(row[2]),
            int(row[3]),
            int(row[4]),
            row[5],
            row[6],
            None if row[7] is None else int(row[7]),
            None if row[8] is None else Raw.when(row[8]),
            row[9],
            row[10],
            row[11],
            row[12],
            orjson.loads(row[13]),
            orjson.loads(row[14]),
            Raw.when(row[15]),
            None if row[16] is None else Raw.when(row[16]),
        )


# The columns `ReviewRow.of` reads, in its order, from a query naming the review ``r``.
REVIEW_COLUMNS = (
    "r.id, r.project_id, r.annotation_id, r.author_id, r.round, r.reason, r.state, "
    "r.reviewer_id, r.expires_at, r.decision, r.version, r.fix_version, r.comment, r.comments, "
    "r.failed, r.created_at, r.decided_at"
)
_N = 17


@dataclass(frozen=True)
class Person:
    """An account as a review's answer names it."""

    id: int
    name: str
    email: str


@dataclass(frozen=True)
class UnderReview:
    """The annotation under review (the attributes of the `Annotation` model that its answer
    and its events show)."""

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


# What `_work_of` reads, in its order, after the review's columns: the annotation (``a``), its
# task (``t``) and its author (``u``).
_WORK_COLUMNS = (
    "a.id, a.task_id, a.project_id, a.user_id, a.result, a.seconds, a.version, a.review_state, "
    "a.created_at, a.updated_at, t.id, t.project_id, t.external_id, t.data, t.n_submitted, "
    "t.created_at, t.purpose, u.name, u.email, t.sensitive"
)


def _work_of(row: tuple[Any, ...]) -> tuple[ReviewRow, UnderReview, TaskRef, Person]:
    review = ReviewRow.of(row)
    n = _N
    annotation = UnderReview(
        int(row[n]),
        int(row[n + 1]),
        int(row[n + 2]),
        int(row[n + 3]),
        row[n + 4],
        float(row[n + 5]),
        int(row[n + 6]),
        row[n + 7],
        Raw.when(row[n + 8]),
        Raw.when(row[n + 9]),
    )
    n += 10
    task = TaskRef(
        int(row[n]),
        int(row[n + 1]),
        row[n + 2],
        row[n + 3],
        int(row[n + 4]),
        Raw.when(row[n + 5]),
        row[n + 6],
        bool(row[n + 9]),  # sensitive (accord.actions.sensitive)
    )
    return review, annotation, task, Person(review.author_id, row[n + 7], row[n + 8])


@dataclass(frozen=True)
class ReviewLease:
    """A leased review with what the reviewer is shown: the annotation, its task, its author."""

    review: ReviewRow
    annotation: UnderReview
    task: TaskRef
    author: Person


# What a reviewer is shown of the reviews ``r`` (the table, or the rows a statement just
# changed; its name goes in the braces): each with its annotation, task and author, joined by
# the review's foreign keys (one row per review). `lease_of` reads its rows.
LEASE_SELECT = (
    "SELECT " + REVIEW_COLUMNS + ", " + _WORK_COLUMNS + " "
    "FROM {} r JOIN annotations a ON a.id = r.annotation_id "
    "JOIN tasks t ON t.id = a.task_id JOIN users u ON u.id = r.author_id"
)
# The leased review by its primary key, read in the lease's own transaction.
_LEASE = Sql(LEASE_SELECT.format("reviews") + " WHERE r.id = ?")


def lease_of(row: tuple[Any, ...]) -> ReviewLease:
    """A row of `LEASE_SELECT` as the reviewer sees it."""
    return ReviewLease(*_work_of(row))


def review_lease(raw: Raw, review_id: int) -> ReviewLease:
    """The review ``review_id``, just leased in this transaction, as its reviewer sees it."""
    row = raw.one(_LEASE, (review_id,))
    assert row is not None, "a review leased in this transaction is there"
    return lease_of(row)


@dataclass(frozen=True)
class DecisionTarget:
    """A review about to be decided, with what the decision checks and writes over (its
    annotation as it stands, its task), its author, its project's version (`ProjectInfo`'s
    ``updated_at``) and the caller's membership role there (None: not a member)."""

    review: ReviewRow
    annotation: UnderReview
    task: TaskRef
    author: Person
    project_updated_at: dt.datetime
    member_role: str | None


# The review, its annotation, task, author, live project (not deleted) and the caller's
# membership, by primary keys (one row or none). On PostgreSQL it also locks the annotation,
# then the review (FOR UPDATE OF a, r: the order in which an edit and a deletion of the
# annotation take their locks, so that none of them deadlocks with a decision) and reads them
# as last committed: what the decision checks (open, not held by another, the version the
# reviewer saw) is what it writes over, and a second reviewer deciding at once waits here, then
# reads the review as decided. On SQLite the write transaction (BEGIN IMMEDIATE) already
# excludes every other writer.
_TARGET = (
    "SELECT " + REVIEW_COLUMNS + ", " + _WORK_COLUMNS + ", p.updated_at, m.role "
    "FROM annotations a JOIN reviews r ON r.annotation_id = a.id "
    "JOIN tasks t ON t.id = a.task_id JOIN users u ON u.id = r.author_id "
    "JOIN projects p ON p.id = r.project_id AND p.deleted_at IS NULL "
    "LEFT JOIN memberships m ON m.project_id = r.project_id AND m.user_id = ? "
    "WHERE r.id = ?"
)
_DECISION_TARGET = Sql(_TARGET, _TARGET.replace("?", "%s") + " FOR UPDATE OF a, r")


def decision_target(raw: Raw, review_id: int, caller_id: int) -> DecisionTarget | None:
    """The review ``review_id`` about to be decided by ``caller_id`` (see `_DECISION_TARGET`
    for what is locked), or None if there is no such review in a live project."""
    row = raw.one(_DECISION_TARGET, (caller_id, review_id))
    if row is None:
        return None
    review, annotation, task, author = _work_of(row)
    return DecisionTarget(review, annotation, task, author, Raw.when(row[-2]), row[-1])


@dataclass(frozen=True)
class ReviewerQueue:
    """What every "next review" reads first: the project's version (`ProjectInfo`'s
    ``updated_at``), the caller's membership role (None: not a member) and the open review
    they hold there, if any."""

    project_updated_at: dt.datetime
    member_role: str | None
    held: int | None


# The live project (not deleted), the caller's membership, and the first open review whose
# lease the caller holds (ix_reviews_reviewer_id_state_project_id): one row or none, read
# without a lock (`accord.actions.reviews.do_next_review` renews the held lease only while it
# is still the caller's).
_REVIEWER_QUEUE = Sql(
    "SELECT p.updated_at, m.role, (SELECT r.id FROM reviews r WHERE r.project_id = p.id "
    "AND r.state = 'open' AND r.reviewer_id = ? AND r.expires_at > ? ORDER BY r.id LIMIT 1) "
    "FROM projects p LEFT JOIN memberships m ON m.project_id = p.id AND m.user_id = ? "
    "WHERE p.id = ? AND p.deleted_at IS NULL"
)


def reviewer_queue(
    raw: Raw, project_id: int, user_id: int, now: dt.datetime
) -> ReviewerQueue | None:
    """``user_id``'s standing in the reviewers' queue of a live project, or None."""
    row = raw.one(_REVIEWER_QUEUE, (user_id, raw.stamp(now), user_id, project_id))
    if row is None:
        return None
    return ReviewerQueue(Raw.when(row[0]), row[1], None if row[2] is None else int(row[2]))


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
