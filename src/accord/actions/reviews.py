"""Review: which submissions go to review, the reviewers' queue, decisions, and rework.

A submission is sent to review by the project's policy (`review_reason`, at submission): each
annotator's first ``review_first`` submissions; then, if the project asks, the risky ones (the
task's best prediction scores below ``review_below_confidence``; the answer disagrees with
most of the task's earlier answers; the author's gold score is below ``review_below_gold``; it
took less than ``review_faster_than`` times the project's median active time); then a
``review_share`` of the rest drawn at random.
Reviewers lease open reviews one at a time (`do_next_review`, never their own work)
and decide (`do_decide`): accept; fix and accept (the fix is a new version of the annotation,
authored by the reviewer, the original kept); or reject with a reason and comments anchored to
questions (and spans). A rejected annotation goes back to its author; their edit is the
resubmission and opens the next round (`reopen_after_edit`). Accepted and fixed annotations
are locked for their authors. Every lease, release and decision is audited.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from accord.actions.audit import record
from accord.actions.checklists import failed_items
from accord.actions.consensus import refresh_consensus
from accord.actions.work_counts import count_decided
from accord.db.raw import Raw, Sql
from accord.db.types import utcnow
from accord.errors import Conflict, Forbidden, Invalid, NotFound
from accord.models import Annotation, AnnotationVersion, Decision, Review, ReviewState, User
from accord.queries.projects import ProjectInfo
from accord.queries.tasks import TaskRef

OPEN = "open"
DECIDED = "decided"
# Decisions after which the annotation is locked for its author.
LOCKING = frozenset({ReviewState.accepted.value, ReviewState.fixed.value})
MAX_COMMENTS = 100
MAX_COMMENT_CHARS = 5000
SPAN_KINDS = frozenset({"spans"})

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
# The active time of the project's latest submissions: the median the speed check uses.
_RECENT_SECONDS = Sql(
    "SELECT seconds FROM annotations WHERE project_id = ? ORDER BY id DESC LIMIT ?"
)
RECENT = 201
MIN_FOR_MEDIAN = 20


def _below_gold(raw: Raw, project: ProjectInfo, user_id: int) -> bool:
    """The author has a gold score (at least one scored gold task) below the threshold."""
    n, mean = raw.one(_GOLD_SCORE, (project.id, user_id)) or (0, None)
    return int(n) > 0 and mean is not None and float(mean) < project.review_below_gold


def _too_fast(raw: Raw, project: ProjectInfo, seconds: float) -> bool:
    """Less active time than ``review_faster_than`` times the median of the project's latest
    submissions (at least `MIN_FOR_MEDIAN` of them, else nothing is too fast yet)."""
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
        if question.kind != "choice" or getattr(question, "multiple", False):
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


@dataclass
class ReviewLease:
    review: Review
    annotation: Annotation


def do_next_review(session: Session, user: User, project: ProjectInfo) -> ReviewLease | None:
    """The review ``user`` should do now: the one they hold, else the oldest open one that
    nobody holds (a lease that ran out is free again), never of their own work."""
    raw = Raw(session)
    now = utcnow()
    stamp = raw.stamp(now)
    held = raw.one(_HELD_REVIEW, (project.id, user.id, stamp))
    review_id = int(held[0]) if held is not None else _first_free(raw, user, project, stamp)
    if review_id is None:
        return None
    expires = now + dt.timedelta(seconds=project.lease_seconds)
    raw.run(_TAKE_REVIEW, (user.id, raw.stamp(expires), review_id))
    found = session.execute(
        select(Review, Annotation)
        .join(Annotation, Annotation.id == Review.annotation_id)
        .where(Review.id == review_id)
        .execution_options(populate_existing=True)
    ).one()
    review, annotation = found
    if held is None:
        record(
            session,
            user,
            "review.lease",
            ("review", review.id),
            project_id=project.id,
            after={"annotation_id": review.annotation_id, "round": review.round},
        )
    return ReviewLease(review, annotation)


# The statements of the reviewers' queue (its hot path: every reviewer, every few seconds).
_HELD_REVIEW = Sql(
    "SELECT id FROM reviews WHERE project_id = ? AND state = 'open' AND reviewer_id = ? "
    "AND expires_at > ? ORDER BY id LIMIT 1"
)
# PostgreSQL skips the rows other reviewers are taking instead of waiting on them.
_FREE_REVIEWS = Sql(
    "SELECT id, reviewer_id FROM reviews WHERE project_id = ? AND state = 'open' "
    "AND author_id <> ? AND (expires_at IS NULL OR expires_at <= ?) ORDER BY id LIMIT 2",
    "SELECT id, reviewer_id FROM reviews WHERE project_id = %s AND state = 'open' "
    "AND author_id <> %s AND (expires_at IS NULL OR expires_at <= %s) ORDER BY id LIMIT 2 "
    "FOR UPDATE SKIP LOCKED",
)
_TAKE_REVIEW = Sql("UPDATE reviews SET reviewer_id = ?, expires_at = ? WHERE id = ?")


def _first_free(raw: Raw, user: User, project: ProjectInfo, stamp: object) -> int | None:
    """The oldest open review nobody holds, not of ``user``'s work. One that ``user`` handed
    back (or let run out) comes after the next one, so that passing moves on."""
    free = raw.all(_FREE_REVIEWS, (project.id, user.id, stamp))
    fresh = [row for row in free if row[1] != user.id]
    return int((fresh or free)[0][0]) if free else None


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


@dataclass
class Comment:
    question: str
    text: str
    span: tuple[int, int] | None = None


def do_decide(
    session: Session,
    user: User,
    project: ProjectInfo,
    review: Review,
    task: TaskRef,
    decision: Decision,
    *,
    version: int,
    fixed_result: str | None = None,
    comment: str = "",
    comments: list[Comment] | None = None,
    failed: list[str] | None = None,
) -> Review:
    """Decide ``review``. ``version``: the annotation's version the reviewer looked at (a
    newer one means the author changed it meanwhile). ``fixed_result``: the reviewer's fix,
    as JSON text already checked against the interface (for ``fix``). Of two reviewers
    deciding at once, exactly one wins; the other gets `Conflict`. ``failed``: ids of the
    project's checklist items the annotation failed (for a fix or a rejection)."""
    if review.author_id == user.id:
        raise Forbidden("you cannot review your own work; another reviewer will")
    notes = _checked_comments(project, comments or [])
    failures = failed_items(list(project.checklist), failed or [])
    if failures and decision == Decision.accept:
        raise Invalid(
            "an accepted annotation fails no checklist item: fix it or reject it, or untick "
            "the failed items",
            details={"field": "failed"},
        )
    if decision == Decision.reject and not comment.strip():
        raise Invalid(
            "a rejection needs a reason: say in `comment` what to change",
            details={"field": "comment"},
        )
    if decision == Decision.fix and fixed_result is None:
        raise Invalid("a fix needs the corrected answer in `result`", details={"field": "result"})
    if decision != Decision.fix and fixed_result is not None:
        raise Invalid(
            f"`result` is only for a fix, not for {decision.value}; leave it out",
            details={"field": "result"},
        )
    now = utcnow()
    # Lock the annotation first (as an edit does), then read what is there now.
    annotation = session.scalar(
        select(Annotation)
        .where(Annotation.id == review.annotation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if annotation is None:
        raise NotFound(f"no review {review.id}: its annotation was deleted in the meantime")
    if not Raw(session).sqlite:  # (SQLite: the review was read under this write lock already)
        session.refresh(review)
    if review.state != OPEN:
        raise Conflict(_decided_already(session, review), code="review_decided")
    expires = review.expires_at
    if review.reviewer_id not in (None, user.id) and expires is not None and expires > now:
        raise Conflict(
            "another reviewer holds this review (until "
            f"{expires.isoformat(timespec='seconds')}); ask for your next review",
            code="review_held",
        )
    if annotation.version != version:
        raise Conflict(
            f"the author changed this annotation since you opened it (now version "
            f"{annotation.version}, you saw {version}); look at it again before deciding",
            code="annotation_changed",
            details={"version": annotation.version},
        )
    fix_version = annotation.version + 1 if decision == Decision.fix else None
    decided_values: dict[str, Any] = {
        "state": DECIDED,
        "decision": decision.value,
        "reviewer_id": user.id,
        "expires_at": None,
        "version": annotation.version,
        "fix_version": fix_version,
        "comment": comment.strip(),
        "comments": [_comment_json(note) for note in notes],
        "failed": failures,
        "decided_at": now,
    }
    decided = session.execute(
        update(Review)
        .where(Review.id == review.id, Review.state == OPEN)
        .values(**decided_values)
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(review)
        raise Conflict(_decided_already(session, review), code="review_decided")
    before = {"version": annotation.version, "review_state": annotation.review_state}
    if decision == Decision.fix:
        assert fixed_result is not None and fix_version is not None
        annotation.result = fixed_result
        annotation.version = fix_version
        annotation.updated_at = now
        session.add(
            AnnotationVersion(
                annotation_id=annotation.id,
                version=fix_version,
                author_id=user.id,
                result=fixed_result,
                seconds=0.0,
                created_at=now,
            )
        )
    annotation.review_state = {
        Decision.accept: ReviewState.accepted,
        Decision.fix: ReviewState.fixed,
        Decision.reject: ReviewState.rejected,
    }[decision].value
    session.flush()
    if decision == Decision.fix:  # the task's answers changed
        refresh_consensus(session, project, task.id)
    # The review now reads as written (without reading it back).
    for key, value in decided_values.items():
        set_committed_value(review, key, value)
    count_decided(Raw(session), project.id, review.author_id, decision.value, len(failures))
    record(
        session,
        user,
        f"review.{decision.value}",
        ("review", review.id),
        project_id=project.id,
        before=before,
        after={
            "annotation_id": annotation.id,
            "task_id": task.id,
            "version": annotation.version,
            "review_state": annotation.review_state,
            "comment": review.comment,
            "comments": len(notes),
            "failed": [item["id"] for item in failures],
        },
    )
    return review


def _decided_already(session: Session, review: Review) -> str:
    who = session.get(User, review.reviewer_id) if review.reviewer_id is not None else None
    by = f" by {who.name or 'another reviewer'}" if who is not None else ""
    return (
        f"this review was already decided ({review.decision}){by}; "
        "ask for your next review"
    )


def _checked_comments(project: ProjectInfo, comments: list[Comment]) -> list[Comment]:
    if len(comments) > MAX_COMMENTS:
        raise Invalid(
            f"{len(comments)} comments; at most {MAX_COMMENTS} per decision",
            details={"field": "comments", "limit": MAX_COMMENTS},
        )
    for index, note in enumerate(comments):
        where = f"comments[{index}]"
        question = project.interface.question(note.question)
        if question is None:
            names = ", ".join(q.name for q in project.interface.questions) or "none"
            raise Invalid(
                f"{where}.question: no question {note.question!r} in this project; "
                f"its questions are: {names}",
                details={"path": f"{where}.question"},
            )
        if not note.text.strip() or len(note.text) > MAX_COMMENT_CHARS:
            raise Invalid(
                f"{where}.text: write the comment (1 to {MAX_COMMENT_CHARS} characters)",
                details={"path": f"{where}.text"},
            )
        if note.span is not None:
            start, end = note.span
            if question.kind not in SPAN_KINDS:
                raise Invalid(
                    f"{where}.span: question {note.question!r} is a {question.kind} question; "
                    "anchor comments to spans only on span questions",
                    details={"path": f"{where}.span"},
                )
            if not 0 <= start < end:
                raise Invalid(
                    f"{where}.span: start must be at least 0 and below end (got {start}–{end})",
                    details={"path": f"{where}.span"},
                )
    return comments


def _comment_json(note: Comment) -> dict[str, Any]:
    out: dict[str, Any] = {"question": note.question, "text": note.text.strip()}
    if note.span is not None:
        out["span"] = {"start": note.span[0], "end": note.span[1]}
    return out


def changed_questions(before: str, after: str) -> list[str]:
    """The questions whose answers differ between two results (JSON texts): the diff an
    author is shown for a reviewer's fix."""
    old, new = orjson.loads(before), orjson.loads(after)
    return sorted(name for name in set(old) | set(new) if old.get(name) != new.get(name))
