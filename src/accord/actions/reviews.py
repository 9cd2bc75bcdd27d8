"""Review: which submissions go to review, the reviewers' queue, decisions, and rework.

A submission is sent to review by the project's policy (`review_reason`, at submission): each
annotator's first ``review_first`` submissions; then, if the project asks, the risky ones (the
task's best prediction scores below ``review_below_confidence``; the answer disagrees with
most of the task's earlier answers; the author's gold score is below ``review_below_gold``; it
took less than ``review_faster_than`` times the project's median active time); then a
``review_share`` of the rest drawn at random.
Reviewers lease open reviews one at a time (`do_next_review`, never their own work)
and decide (`accord.actions.review_decisions.do_decide`): accept; fix and accept (the fix is a
new version of the annotation, authored by the reviewer, the original kept); or reject with a
reason and comments anchored to questions (and spans). A rejected annotation goes back to its
author; their edit is the resubmission and opens the next round (`reopen_after_edit`).
Accepted and fixed annotations are locked for their authors. Every lease, release and decision
is audited.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.db.raw import Raw, Sql
from accord.db.types import utcnow
from accord.errors import Conflict
from accord.kinds.questions.choice import single_choice
from accord.models import Annotation, Review, ReviewState, User
from accord.queries.projects import ProjectInfo
from accord.queries.reviews import LEASE_SELECT, ReviewLease, lease_of, review_lease

OPEN = "open"
DECIDED = "decided"
# Decisions after which the annotation is locked for its author.
LOCKING = frozenset({ReviewState.accepted.value, ReviewState.fixed.value})

# The author's submissions in the project before this one, counted up to the limit only.
_MINE_UP_TO = Sql(
    "SELECT COUNT(*) FROM (SELECT 1 FROM annotations WHERE project_id = ? AND user_id = ? "
    "LIMIT ?) AS mine"
)
_BEST_SCORE = Sql("SELECT max(score) FROM predictions WHERE project_id = ? AND task_id = ?")
_OTHERS = Sql("SELECT result FROM annotations WHERE task_id = ? AND user_id <> ?")
_OPEN_REVIEW = Sql(
    "INSERT INTO reviews (project_id, annotation_id, author_id, round, reason, state, comment, "
    "comments, failed, created_at) VALUES (?, ?, ?, ?, ?, 'open', '', '[]', '[]', ?)"
)


def review_reason(
    raw: Raw, project: ProjectInfo, user_id: int, task_id: int, answer: str, seconds: float = 0.0
) -> str | None:
    """Why ``user_id``'s submission of ``answer`` (JSON text, ``seconds`` of active time) to a
    task, about to be inserted, goes to review, or None."""
    if project.review_first > 0:
        row = raw.one(_MINE_UP_TO, (project.id, user_id, project.review_first))
        if row is not None and int(row[0]) < project.review_first:
            return "first"
    if project.review_share >= 1:
        return "all"
    if project.review_below_confidence > 0:
        row = raw.one(_BEST_SCORE, (project.id, task_id))
        if row is not None and row[0] is not None and row[0] < project.review_below_confidence:
            return "low_confidence"
    if project.review_disagreements and _disagrees(raw, project, user_id, task_id, answer):
        return "disagrees"
    if project.review_below_gold > 0 and _below_gold(raw, project, user_id):
        return "low_gold"
    if project.review_faster_than > 0 and _too_fast(raw, project, seconds):
        return "fast"
    if project.review_share > 0 and random.random() < project.review_share:
        return "share"
    return None


_GOLD_SCORE = Sql(
    "SELECT count(*), avg(score) FROM gold_scores WHERE project_id = ? AND user_id = ? "
    "AND purpose = 'gold'"
)
# The active time of the project's latest timed submissions: the median the speed check uses.
# 0 s means no time was measured (an SDK submission without it, a source's imported answer).
_RECENT_SECONDS = Sql(
    "SELECT seconds FROM annotations WHERE project_id = ? AND seconds > 0 "
    "ORDER BY id DESC LIMIT ?"
)
RECENT = 201
MIN_FOR_MEDIAN = 20


def _below_gold(raw: Raw, project: ProjectInfo, user_id: int) -> bool:
    """The author has a gold score (at least one scored gold task) below the threshold."""
    n, mean = raw.one(_GOLD_SCORE, (project.id, user_id)) or (0, None)
    return int(n) > 0 and mean is not None and float(mean) < project.review_below_gold


def _too_fast(raw: Raw, project: ProjectInfo, seconds: float) -> bool:
    """Less active time than ``review_faster_than`` times the median of the project's latest
    timed submissions (at least `MIN_FOR_MEDIAN` of them, else nothing is too fast yet). An
    answer with no measured time (0 s) is not judged by its speed."""
    if seconds <= 0:
        return False
    recent = sorted(float(row[0]) for row in raw.all(_RECENT_SECONDS, (project.id, RECENT)))
    if len(recent) < MIN_FOR_MEDIAN:
        return False
    middle = len(recent) // 2
    median = recent[middle] if len(recent) % 2 else (recent[middle - 1] + recent[middle]) / 2
    return median > 0 and seconds < project.review_faster_than * median


def _disagrees(raw: Raw, project: ProjectInfo, user_id: int, task_id: int, answer: str) -> bool:
    """Whether ``answer`` differs, on a single-choice question, from what most of the task's
    earlier answers (at least two) agree on."""
    earlier = [orjson.loads(row[0]) for row in raw.all(_OTHERS, (task_id, user_id))]
    if len(earlier) < 2:
        return False
    mine = orjson.loads(answer)
    for question in project.interface.questions:
        if not single_choice(question):
            continue
        given = [e.get(question.name) for e in earlier]
        picks = [g.get("choice") for g in given if isinstance(g, dict)]
        if not picks:
            continue
        top = max(set(picks), key=picks.count)
        mine_pick = (mine.get(question.name) or {}).get("choice")
        if picks.count(top) * 2 > len(earlier) and mine_pick is not None and mine_pick != top:
            return True
    return False


def open_review(
    raw: Raw,
    project_id: int,
    annotation_id: int,
    author_id: int,
    round_: int,
    reason: str,
    now: dt.datetime,
) -> None:
    raw.run(_OPEN_REVIEW, (project_id, annotation_id, author_id, round_, reason, raw.stamp(now)))


def reopen_after_edit(session: Session, annotation: Annotation) -> None:
    """The author edited a rejected annotation: it goes back to review, in a new round."""
    if annotation.review_state != ReviewState.rejected.value:
        return
    last = session.scalar(
        select(func.max(Review.round)).where(Review.annotation_id == annotation.id)
    )
    annotation.review_state = ReviewState.pending.value
    open_review(
        Raw(session),
        annotation.project_id,
        annotation.id,
        annotation.user_id,
        int(last or 0) + 1,
        "resubmitted",
        utcnow(),
    )


def do_next_review(
    session: Session, user: User, project: ProjectInfo, held: int | None, now: dt.datetime
) -> ReviewLease | None:
    """Lease to ``user`` the review they should do now, as they are shown it (None: none
    waits): the one they hold, ``held`` (`accord.queries.reviews.reviewer_queue` read it at
    ``now``; its lease renewed), else the oldest open one that nobody holds (a lease that ran
    out is free again), never of their own work. The reviewers' hot path: on PostgreSQL one
    statement leases the review and reads it; on SQLite, two."""
    raw = Raw.of(session)
    expires = raw.stamp(now + dt.timedelta(seconds=project.lease_seconds))
    if held is not None:
        renewed = _leased(raw, _RENEW_REVIEW, (expires, held, user.id))
        if renewed is not None:
            return renewed
    args = (user.id, expires, project.id, user.id, raw.stamp(now), user.id)
    lease = _leased(raw, _TAKE_FREE_REVIEW, args)
    if lease is None:
        return None
    record(
        session,
        user,
        "review.lease",
        ("review", lease.review.id),
        project_id=project.id,
        after={"annotation_id": lease.review.annotation_id, "round": lease.review.round},
    )
    return lease


def _leased(raw: Raw, statement: Sql, args: tuple[Any, ...]) -> ReviewLease | None:
    """Lease one review with ``statement`` (made by `_leasing`) and read what its reviewer is
    shown; None if it changed no review."""
    row = raw.one(statement, args)
    if row is None:
        return None
    return review_lease(raw, int(row[0])) if raw.sqlite else lease_of(row)


def _leasing(sqlite: str, postgres: str) -> Sql:
    """A statement that leases (an UPDATE of) at most one review: on SQLite the UPDATE,
    returning the review's id (`_leased` reads the lease after it); on PostgreSQL the UPDATE
    and the read of the lease in one statement, a data-modifying WITH whose SELECT joins the
    row as the UPDATE wrote it (`LEASE_SELECT`)."""
    return Sql(
        sqlite + " RETURNING id",
        "WITH r AS (" + postgres + " RETURNING *) " + LEASE_SELECT.format("r"),
    )


# The statements of the reviewers' queue (its hot path: every reviewer, every few seconds).
# Renews the caller's lease, only while the review is open and theirs: if it ran out and
# another reviewer took it since it was read, nothing changes and the caller gets another.
_RENEW = "UPDATE reviews SET expires_at = ? WHERE id = ? AND reviewer_id = ? AND state = 'open'"
_RENEW_REVIEW = _leasing(_RENEW, _RENEW.replace("?", "%s"))
# Leases the oldest open review nobody holds, not of the caller's work, in one statement
# (ix_reviews_project_id_state_id): of the first two such reviews, one the caller handed back
# (or let run out) comes second, so that passing moves on. On PostgreSQL the inner SELECT skips
# the rows other reviewers are taking (FOR UPDATE SKIP LOCKED) instead of waiting on them, and
# locks the ones it returns, so two reviewers never take the same review; on SQLite the write
# transaction (BEGIN IMMEDIATE) already excludes every other writer.
_TAKE_FREE_REVIEW = _leasing(
    "UPDATE reviews SET reviewer_id = ?, expires_at = ? WHERE id = ("
    "SELECT id FROM (SELECT id, reviewer_id FROM reviews WHERE project_id = ? "
    "AND state = 'open' AND author_id <> ? AND (expires_at IS NULL OR expires_at <= ?) "
    "ORDER BY id LIMIT 2) AS free "
    "ORDER BY CASE WHEN reviewer_id = ? THEN 1 ELSE 0 END, id LIMIT 1)",
    "UPDATE reviews SET reviewer_id = %s, expires_at = %s WHERE id = ("
    "SELECT id FROM (SELECT id, reviewer_id FROM reviews WHERE project_id = %s "
    "AND state = 'open' AND author_id <> %s AND (expires_at IS NULL OR expires_at <= %s) "
    "ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED) AS free "
    "ORDER BY CASE WHEN reviewer_id = %s THEN 1 ELSE 0 END, id LIMIT 1)",
)


def do_release_review(session: Session, user: User, review: Review) -> None:
    """Hand a leased review back to the queue, for another reviewer. Releasing a review that
    nobody holds does nothing; one held by another reviewer (or decided) is refused."""
    now = utcnow()
    held_by_other = (
        review.reviewer_id not in (None, user.id)
        and review.expires_at is not None
        and review.expires_at > now
    )
    if review.state != OPEN or held_by_other:
        raise Conflict(
            "this review is decided or held by another reviewer; ask for your next review",
            code="review_held" if review.state == OPEN else "review_decided",
        )
    if review.reviewer_id != user.id or review.expires_at is None or review.expires_at <= now:
        return  # nobody holds it
    review.expires_at = now  # free for anyone; its last holder is kept, so it goes behind others
    record(session, user, "review.release", ("review", review.id), project_id=review.project_id)


def changed_questions(before: str, after: str) -> list[str]:
    """The questions whose answers differ between two results (JSON texts): the diff an
    author is shown for a reviewer's fix."""
    old, new = orjson.loads(before), orjson.loads(after)
    return sorted(name for name in set(old) | set(new) if old.get(name) != new.get(name))
