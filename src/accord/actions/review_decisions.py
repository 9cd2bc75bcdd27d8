"""A reviewer's decision on a review (`do_decide`): accept; fix and accept (the fix is a new
version of the annotation, authored by the reviewer, the original kept); or reject with a
reason and comments anchored to questions (and spans), which sends the annotation back to its
author for rework (`accord.actions.reviews.reopen_after_edit` opens the next round).

This is the reviewers' hot path (next review → decision, issue 8: at least 200 decisions a
second), so it is written with prepared statements on the driver's cursor (`accord.db.raw`),
each saying what it guarantees, over the review read (and, on PostgreSQL, locked) by
`accord.queries.reviews.decision_target`. An accept or a rejection writes the decision with
the annotation's review state (one statement on PostgreSQL, two on SQLite), the author's work
counter and the audit event, then looks up the project's webhooks
(`accord.actions.webhook_events.review_decided`); no ORM object is loaded.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.actions.checklists import failed_items
from accord.actions.consensus import refresh_consensus
from accord.actions.reviews import DECIDED, OPEN
from accord.actions.webhook_events import review_decided
from accord.actions.work_counts import count_decided
from accord.db.raw import Raw, Sql
from accord.db.types import utcnow
from accord.errors import Conflict, Forbidden, Invalid
from accord.models import Decision, ReviewState, User
from accord.queries.projects import ProjectInfo
from accord.queries.reviews import DecisionTarget, ReviewRow, UnderReview

MAX_COMMENTS = 100
MAX_COMMENT_CHARS = 5000
SPAN_KINDS = frozenset({"spans"})
# The annotation's review state after each decision.
OUTCOME = {
    Decision.accept: ReviewState.accepted.value,
    Decision.fix: ReviewState.fixed.value,
    Decision.reject: ReviewState.rejected.value,
}

# Decides the review only while it is open: of two transactions deciding one review, the
# second changes no row and is refused, so a review is never decided twice (on PostgreSQL the
# review is locked by `decision_target` already; this is the guarantee on its own).
_DECIDE = Sql(
    "UPDATE reviews SET state = 'decided', decision = ?, reviewer_id = ?, expires_at = NULL, "
    "version = ?, fix_version = ?, comment = ?, comments = ?, failed = ?, decided_at = ?, "
    # the guideline version in force when decided (accord.actions.guidelines)
    "guidelines_version = (SELECT p.guidelines_version FROM projects p "
    "WHERE p.id = reviews.project_id) "
    "WHERE id = ? AND state = 'open'"
)
# The annotation's review state after an accept or a rejection (its answer is unchanged).
_MARK = Sql("UPDATE annotations SET review_state = ? WHERE id = ?")
# PostgreSQL only (SQLite has no data-modifying WITH): `_DECIDE` then `_MARK` in one
# statement; the annotation changes only if the review was open and is now decided, so the row
# count (1 or 0) is `_DECIDE`'s guarantee.
_DECIDE_AND_MARK = Sql(
    "WITH decided AS (" + _DECIDE.sqlite + " RETURNING annotation_id) "
    "UPDATE annotations SET review_state = ? WHERE id = (SELECT annotation_id FROM decided)"
)
# A fix: the reviewer's answer becomes the annotation's next version; only if the annotation is
# still at the version the reviewer saw (`decision_target` read it, locked on PostgreSQL).
_FIX = Sql(
    "UPDATE annotations SET result = ?, version = ?, updated_at = ?, review_state = ? "
    "WHERE id = ? AND version = ?"
)
# The fix kept as a version of its own, authored by the reviewer; the original stays.
_FIX_VERSION = Sql(
    "INSERT INTO annotation_versions (annotation_id, version, author_id, result, seconds, "
    "created_at) VALUES (?, ?, ?, ?, 0.0, ?)"
)
# A review as it reads now (to say who decided it, when a decision comes second).
_REVIEW_NOW = Sql(
    "SELECT r.decision, u.name FROM reviews r LEFT JOIN users u ON u.id = r.reviewer_id "
    "WHERE r.id = ?"
)


@dataclass
class Comment:
    question: str
    text: str
    span: tuple[int, int] | None = None


def do_decide(
    session: Session,
    user: User,
    project: ProjectInfo,
    target: DecisionTarget,
    decision: Decision,
    *,
    version: int,
    fixed_result: str | None = None,
    comment: str = "",
    comments: list[Comment] | None = None,
    failed: list[str] | None = None,
) -> ReviewRow:
    """Decide ``target``'s review (read by `decision_target` in this transaction); the review
    as decided. ``version``: the annotation's version the reviewer looked at (a newer one
    means the author changed it meanwhile). ``fixed_result``: the reviewer's fix, as JSON text
    already checked against the interface (for ``fix``). Of two reviewers deciding at once,
    exactly one wins; the other gets `Conflict`. ``failed``: ids of the project's checklist
    items the annotation failed (for a fix or a rejection)."""
    review, annotation = target.review, target.annotation
    if review.author_id == user.id:
        raise Forbidden("you cannot review your own work; another reviewer will")
    notes = _checked_comments(project, comments or [])
    failures = failed_items(list(project.checklist), failed or [])
    _check_decision(decision, fixed_result, comment, failures)
    now = utcnow()
    raw = Raw.of(session)
    _check_open(raw, review, user, version, annotation.version, now)
    fix_version = annotation.version + 1 if decision == Decision.fix else None
    decided = dataclasses.replace(
        review,
        state=DECIDED,
        decision=decision.value,
        reviewer_id=user.id,
        expires_at=None,
        version=annotation.version,
        fix_version=fix_version,
        comment=comment.strip(),
        comments=[_comment_json(note) for note in notes],
        failed=failures,
        decided_at=now,
    )
    stamp = raw.stamp(now)
    after = dataclasses.replace(annotation, review_state=OUTCOME[decision])
    if decision == Decision.fix:
        assert fixed_result is not None and fix_version is not None
        after = dataclasses.replace(after, result=fixed_result, version=fix_version, updated_at=now)
    if not _write_decision(raw, decided, stamp, after):
        raise Conflict(_decided_already(raw, review.id), code="review_decided")
    if decision == Decision.fix:
        _write_fix(raw, after, user.id, annotation.version, stamp)
        refresh_consensus(session, project, target.task.id)  # the task's answers changed
    record(
        session,
        user,
        f"review.{decision.value}",
        ("review", review.id),
        project_id=project.id,
        before={"version": annotation.version, "review_state": annotation.review_state},
        after={
            "annotation_id": annotation.id,
            "task_id": target.task.id,
            "version": after.version,
            "review_state": after.review_state,
            "comment": decided.comment,
            "comments": len(notes),
            "failed": [item["id"] for item in failures],
        },
    )
    review_decided(session, project, decided, after, target.task)
    # Last before the commit: the author's counter row is locked until then.
    count_decided(raw, project.id, review.author_id, user.id, decision.value, len(failures))
    return decided


def _write_decision(raw: Raw, decided: ReviewRow, stamp: Any, after: UnderReview) -> bool:
    """Write the decision and, for an accept or a rejection, the annotation's review state;
    whether the review was still open (else nothing is written). On PostgreSQL an accept or a
    rejection is one statement (`_DECIDE_AND_MARK`)."""
    args = (
        decided.decision,
        decided.reviewer_id,
        decided.version,
        decided.fix_version,
        decided.comment,
        orjson.dumps(decided.comments).decode(),
        orjson.dumps(decided.failed).decode(),
        stamp,
        decided.id,
    )
    if decided.decision == Decision.fix.value:
        return raw.run(_DECIDE, args) == 1
    if not raw.sqlite:
        return raw.run(_DECIDE_AND_MARK, (*args, after.review_state)) == 1
    if raw.run(_DECIDE, args) != 1:
        return False
    raw.run(_MARK, (after.review_state, after.id))
    return True


def _check_open(
    raw: Raw, review: ReviewRow, user: User, seen: int, version: int, now: dt.datetime
) -> None:
    """`Conflict` unless ``review`` is still open, not held by another reviewer, and its
    annotation is at the version ``seen`` by the reviewer (it is at ``version``)."""
    if review.state != OPEN:
        raise Conflict(_decided_already(raw, review.id), code="review_decided")
    expires = review.expires_at
    if review.reviewer_id not in (None, user.id) and expires is not None and expires > now:
        raise Conflict(
            "another reviewer holds this review (until "
            f"{expires.isoformat(timespec='seconds')}); ask for your next review",
            code="review_held",
        )
    if version != seen:
        raise Conflict(
            f"the author changed this annotation since you opened it (now version "
            f"{version}, you saw {seen}); look at it again before deciding",
            code="annotation_changed",
            details={"version": version},
        )


def _write_fix(raw: Raw, fixed: UnderReview, reviewer_id: int, seen: int, stamp: Any) -> None:
    """The reviewer's fix as the annotation's next version, the original kept."""
    args = (fixed.result, fixed.version, stamp, fixed.review_state, fixed.id, seen)
    if raw.run(_FIX, args) != 1:
        raise Conflict(  # the lock makes this unreachable; said rather than written over
            "the author changed this annotation while you fixed it; look at it again",
            code="annotation_changed",
        )
    raw.run(_FIX_VERSION, (fixed.id, fixed.version, reviewer_id, fixed.result, stamp))


def _check_decision(
    decision: Decision, fixed_result: str | None, comment: str, failures: list[dict[str, str]]
) -> None:
    """What each decision needs, and only it: `Invalid` naming the field at fault."""
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


def _decided_already(raw: Raw, review_id: int) -> str:
    row = raw.one(_REVIEW_NOW, (review_id,))
    decision, name = row if row is not None else (None, None)
    by = f" by {name or 'another reviewer'}" if name is not None else ""
    return f"this review was already decided ({decision}){by}; ask for your next review"


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
