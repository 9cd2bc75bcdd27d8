"""Review: the reviewers' queue and decisions, an annotation's reviews, the author's rework."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import orjson
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from accord.actions.annotations import AnnotationRow
from accord.actions.confidentiality import record_view
from accord.actions.originality import reindex_submission
from accord.actions.review_decisions import Comment, do_decide
from accord.actions.reviews import changed_questions, do_next_review, do_release_review
from accord.api.annotations import AnnotationOut, annotation_out, limit_result
from accord.api.auth import AppSettings, Caller, CurrentCaller, Db
from accord.api.checks import SubmitWarning, submit_warnings
from accord.api.errors import errors
from accord.api.files import signed_data_async
from accord.api.originality import (
    FindingOut,
    correction_check,
    findings_out,
    originality_warnings,
)
from accord.api.policies import Can, access, may_review, require, role_of
from accord.api.schemas import ChecklistItem, In, shows_emails
from accord.api.tasks import TaskOut, task_out
from accord.api.transactions import (
    Checked,
    CheckLimiter,
    NeedsCheck,
    answer_text,
    in_write,
    in_write_checked,
)
from accord.db.raw import Raw
from accord.db.types import utcnow
from accord.errors import NotFound
from accord.models import Annotation, Decision, Review, User
from accord.queries.checklists import checklist_failures, names_of
from accord.queries.projects import ProjectInfo, project_info
from accord.queries.reviews import (
    DecisionTarget,
    Person,
    ReviewFilter,
    ReviewLease,
    ReviewRow,
    decision_counts,
    decision_target,
    reviewer_queue,
    reviews_of_annotation,
    reviews_of_project,
    rework_of,
    version_result,
)

router = APIRouter(tags=["review"])


class SpanIn(In):
    start: int = Field(ge=0, description="First character (code point) of the span")
    end: int = Field(ge=1, description="One past the last character")


class CommentIn(In):
    question: str = Field(min_length=1, max_length=200, description="The question it is about")
    text: str = Field(min_length=1, max_length=5000)
    span: SpanIn | None = Field(default=None, description="For span questions: which span")


class CommentOut(BaseModel):
    question: str
    text: str
    span: dict[str, int] | None = None


class DecisionIn(In):
    decision: Literal["accept", "fix", "reject"]
    version: int = Field(
        ge=1, description="The annotation's version you looked at (from the review's annotation)"
    )
    result: dict[str, Any] | None = Field(
        default=None, description="For `fix`: the corrected answer, keyed by question name"
    )
    comment: str = Field(default="", max_length=5000, description="Required for `reject`: why")
    comments: list[CommentIn] = Field(default_factory=list, max_length=100)
    failed: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Ids of the checklist items the annotation failed (fix or reject)",
    )


class ReviewOut(BaseModel):
    id: int
    project_id: int
    annotation_id: int
    round: int = Field(description="1 for the first review; one more after each resubmission")
    reason: str = Field(description="Why it is reviewed: all, share, first or resubmitted")
    state: str = Field(description="open or decided")
    decision: str | None = Field(description="accept, fix or reject, once decided")
    reviewer_name: str | None = Field(description="Who holds it (open) or decided it")
    author_name: str
    author: str | None = Field(description="The author's email, for managers and admins")
    version: int | None = Field(description="The annotation's version that was decided on")
    fix_version: int | None = Field(description="The version holding the reviewer's fix")
    comment: str
    comments: list[CommentOut]
    failed: list[ChecklistItem] = Field(description="Checklist items failed, as they read then")
    created_at: dt.datetime
    expires_at: dt.datetime | None = Field(description="When the reviewer's lease ends (open)")
    decided_at: dt.datetime | None


class DecidedOut(ReviewOut):
    """The decided review; for a fix, what the checks warned about in the reviewer's answer."""

    warnings: list[SubmitWarning] = Field(
        default_factory=list,
        description="For a fix: warn-level checks the corrected answer fails, and originality "
        "above warn_above or block_above (a fix is never refused for originality)",
    )
    originality: list[FindingOut] = Field(
        default_factory=list,
        description="For a fix: answers above their question's warn_above, with the passages",
    )


class ReviewWithChanges(ReviewOut):
    before: dict[str, Any] | None = Field(
        description="For a fix: the author's answer the reviewer changed"
    )
    after: dict[str, Any] | None = Field(description="For a fix: the reviewer's answer")
    changed: list[str] = Field(description="For a fix: the questions whose answer changed")


class NextReviewOut(BaseModel):
    review: ReviewOut | None = Field(description="null when no review is waiting for you")
    annotation: AnnotationOut | None
    task: TaskOut | None


class ReviewPage(BaseModel):
    items: list[ReviewOut]
    next_after: int | None = Field(description="Pass as `after` for the next page")


class ReworkItem(BaseModel):
    annotation: AnnotationOut
    review: ReviewOut = Field(description="The rejection: its reason and comments")


class ReviewCounts(BaseModel):
    annotator_name: str
    annotator: str | None = Field(description="Email, for managers and admins")
    submitted: int
    sent_to_review: dict[str, int] = Field(description="By reason: first, share, all, …")
    decisions: dict[str, int] = Field(description="accept, fix, reject")
    open: int = Field(description="Reviews waiting")


def review_out(
    session: Session, review: Review, *, sees_emails: bool, caller: User | None = None
) -> ReviewOut:
    """The review as shown; ``caller``: the account asking (saves looking it up again when
    they are its reviewer)."""
    author = session.get(User, review.author_id)
    held = review.expires_at is not None and review.expires_at > utcnow()
    shown = review.reviewer_id if review.state != "open" or held else None
    known = caller is not None and shown == caller.id
    reviewer = caller if known else session.get(User, shown) if shown is not None else None
    return review_shown(
        review,
        Person(author.id, author.name, author.email) if author is not None else None,
        reviewer.name if reviewer is not None else None,
        sees_emails=sees_emails,
        held=held,
    )


def review_shown(
    review: Review | ReviewRow,
    author: Person | None,
    reviewer_name: str | None,
    *,
    sees_emails: bool,
    held: bool,
) -> ReviewOut:
    """The review as shown, its people already known (``reviewer_name``: its holder's while
    ``held``, else its decider's); reads nothing."""
    return ReviewOut(
        id=review.id,
        project_id=review.project_id,
        annotation_id=review.annotation_id,
        round=review.round,
        reason=review.reason,
        state=review.state,
        decision=review.decision,
        reviewer_name=reviewer_name,
        author_name=author.name if author is not None else "",
        author=author.email if author is not None and sees_emails else None,
        version=review.version,
        fix_version=review.fix_version,
        comment=review.comment,
        comments=[CommentOut(**note) for note in review.comments],
        failed=[ChecklistItem(**item) for item in review.failed],
        created_at=review.created_at,
        expires_at=review.expires_at if review.state == "open" and held else None,
        decided_at=review.decided_at,
    )


def _lease_out(lease: ReviewLease, caller: Caller, role: str, overlap: int) -> NextReviewOut:
    """What the reviewer is shown of the review they hold; reads nothing."""
    sees = shows_emails(role)
    a = lease.annotation
    row = AnnotationRow(
        id=a.id,
        task_id=a.task_id,
        project_id=a.project_id,
        user_id=a.user_id,
        result=a.result,
        seconds=a.seconds,
        version=a.version,
        review_state=a.review_state,
        created_at=a.created_at,
        updated_at=a.updated_at,
    )
    # `annotation_out` shows the author's email by its rules; the name is the author's too.
    annotation = annotation_out(row, lease.author.email, caller.user.id, sees_emails=sees)
    annotation.annotator_name = lease.author.name
    return NextReviewOut(
        review=review_shown(
            lease.review, lease.author, caller.user.name, sees_emails=sees, held=True
        ),
        annotation=annotation,
        task=task_out(lease.task, overlap),
    )


def _review(session: Session, caller: Caller, review_id: int, need: Can) -> tuple[Review, str]:
    """The review, if the caller may ``need`` in its project (404 for those who cannot see)."""
    review = session.get(Review, review_id)
    if review is None:
        raise NotFound(f"no review {review_id}, or you cannot see it")
    try:
        _, role = access(session, caller.user, review.project_id, Can.view)
    except NotFound:
        raise NotFound(f"no review {review_id}, or you cannot see it") from None
    if review.author_id != caller.user.id and not may_review(role):
        raise NotFound(f"no review {review_id}, or you cannot see it")
    require(role, need)
    return review, role


def _to_decide(session: Session, caller: Caller, review_id: int) -> tuple[DecisionTarget, str]:
    """The review about to be decided (`decision_target`: one statement, locking on
    PostgreSQL) and the caller's role, if they may review in its project; the same answers
    as `_review` (404 for those who cannot see it, 403 for its author without the role)."""
    target = decision_target(Raw.of(session), review_id, caller.user.id)
    role = role_of(caller.user, target.member_role) if target is not None else None
    if target is None or role is None:
        raise NotFound(f"no review {review_id}, or you cannot see it")
    if target.review.author_id != caller.user.id and not may_review(role):
        raise NotFound(f"no review {review_id}, or you cannot see it")
    require(role, Can.review)
    return target, role


@router.post(
    "/projects/{project_id}/reviews/next",
    summary="Lease the next review (reviewers, managers); never one of your own annotations",
    responses=errors(401, 403, 404, 422),
)
async def next_review(
    project_id: int, caller: CurrentCaller, db: Db, settings: AppSettings
) -> NextReviewOut:
    def work(session: Session) -> NextReviewOut:
        now = utcnow()
        queue = reviewer_queue(Raw.of(session), project_id, caller.user.id, now)
        role = role_of(caller.user, queue.member_role) if queue is not None else None
        if queue is None or role is None:  # as `access` answers
            raise NotFound(f"no project {project_id}, or you are not a member of it")
        require(role, Can.review)
        project = project_info(session, project_id, queue.project_updated_at)
        lease = do_next_review(session, caller.user, project, queue.held, now)
        if lease is None:
            return NextReviewOut(review=None, annotation=None, task=None)
        if project.access_log:  # the project records task views
            record_view(session, caller.user, project_id, lease.task.id, "review")
        return _lease_out(lease, caller, role, project.overlap)

    out = await in_write(db, work)
    if out.task is not None:  # media URLs signed after the transaction (it holds no lock)
        out.task.data = await signed_data_async(
            out.task.data, db, settings, frames_project=out.task.project_id
        )
    return out


@router.get(
    "/projects/{project_id}/reviews",
    summary="The project's reviews, oldest first (reviewers, managers)",
    responses=errors(401, 403, 404, 422),
)
def list_reviews(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    state: Literal["open", "decided"] | None = None,
    decision: Literal["accept", "fix", "reject"] | None = None,
    after: int | None = Query(default=None, ge=0, description="Last id of the previous page"),
    limit: int = Query(default=50, ge=1, le=500),
) -> ReviewPage:
    with db.read() as session:
        _, role = access(session, caller.user, project_id, Can.review)
        rows = reviews_of_project(
            session, project_id, ReviewFilter(state, decision), after=after, limit=limit
        )
        sees = shows_emails(role)
        return ReviewPage(
            items=[review_out(session, r, sees_emails=sees) for r in rows],
            next_after=rows[-1].id if len(rows) == limit else None,
        )


@router.get(
    "/projects/{project_id}/reviews/summary",
    summary="Per annotator: what went to review and why, and the decisions (reviewers, managers)",
    responses=errors(401, 403, 404, 422),
)
def review_summary(project_id: int, caller: CurrentCaller, db: Db) -> list[ReviewCounts]:
    with db.read() as session:
        _, role = access(session, caller.user, project_id, Can.review)
        sees = shows_emails(role)
        return [
            ReviewCounts(
                annotator_name=row.user.name,
                annotator=row.user.email if sees else None,
                submitted=row.submitted,
                sent_to_review=row.reasons,
                decisions=row.decisions,
                open=row.open,
            )
            for row in decision_counts(session, project_id)
        ]


class ChecklistFailures(BaseModel):
    item: str = Field(description="The checklist item's id")
    text: str
    severity: str
    annotator_name: str | None = Field(description="With by=annotator: whose work failed it")
    annotator: str | None = Field(description="With by=annotator: their email, for managers")
    period: str | None = Field(description="With by=day or week: its first day (ISO date, UTC)")
    failures: int


@router.get(
    "/projects/{project_id}/reviews/checklist",
    summary="How often each checklist item failed, per annotator, day or week",
    responses=errors(401, 403, 404, 422),
)
def checklist_report(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    by: Literal["annotator", "day", "week"] = "annotator",
) -> list[ChecklistFailures]:
    with db.read() as session:
        _, role = access(session, caller.user, project_id, Can.review)
        rows = checklist_failures(session, project_id, by)
        people = names_of(session, {int(r.key) for r in rows}) if by == "annotator" else {}
        sees = shows_emails(role)
        out = []
        for row in rows:
            who = people.get(int(row.key)) if by == "annotator" else None
            out.append(
                ChecklistFailures(
                    item=row.item,
                    text=row.text,
                    severity=row.severity,
                    annotator_name=who.name if who is not None else None,
                    annotator=who.email if who is not None and sees else None,
                    period=row.key if by != "annotator" else None,
                    failures=row.count,
                )
            )
        return out


@router.get(
    "/reviews/{review_id}",
    summary="One review (reviewers and managers; the author of its annotation)",
    responses=errors(401, 404, 422),
)
def get_review(review_id: int, caller: CurrentCaller, db: Db) -> ReviewOut:
    with db.read() as session:
        review, role = _review(session, caller, review_id, Can.view)
        return review_out(session, review, sees_emails=shows_emails(role), caller=caller.user)


@router.post(
    "/reviews/{review_id}/decision",
    summary="Accept, fix and accept, or reject (with a reason) an annotation under review",
    responses=errors(401, 403, 404, 409, 413, 422),
)
async def decide(
    review_id: int,
    body: DecisionIn,
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
    limiter: CheckLimiter,
) -> DecidedOut:
    if body.result is not None:
        limit_result(settings, body.result)
    seen: list[ProjectInfo] = []  # the project as checked: its warn-level checks run below

    def work(session: Session, checked: Checked | None) -> DecidedOut | NeedsCheck:
        target, role = _to_decide(session, caller, review_id)
        project = project_info(session, target.review.project_id, target.project_updated_at)
        seen[:] = [project]
        fixed: str | None = None
        if body.result is not None:  # a fix: checked like an answer, off the lock if it must
            text = answer_text(checked, project, target.task, body.result)
            if isinstance(text, NeedsCheck):
                return text
            fixed = text
        comments = [
            Comment(c.question, c.text, (c.span.start, c.span.end) if c.span else None)
            for c in body.comments
        ]
        decided = do_decide(
            session,
            caller.user,
            project,
            target,
            Decision(body.decision),
            version=body.version,
            fixed_result=fixed,
            comment=body.comment,
            comments=comments,
            failed=body.failed,
        )
        found = None
        if fixed is not None:  # the fix's texts replace the author's in the originality index
            found = correction_check(session, project, body.result, target.annotation.id)
            if found is not None:
                reindex_submission(session, project.id, target.annotation.id, found, None)
        sees = shows_emails(role)
        out = review_shown(decided, target.author, caller.user.name, sees_emails=sees, held=False)
        return DecidedOut(
            **out.model_dump(),
            originality=findings_out(found),
            warnings=originality_warnings(found),
        )

    decided = await in_write_checked(db, limiter, work)
    if seen and body.result is not None and body.decision == "fix":
        decided.warnings.extend(await submit_warnings(seen[0].interface, body.result, limiter))
    return decided


@router.post(
    "/reviews/{review_id}/release",
    summary="Hand a leased review back to the queue",
    responses=errors(401, 403, 404, 409, 422),
)
def release_review(review_id: int, caller: CurrentCaller, db: Db) -> ReviewOut:
    with db.write() as session:
        review, role = _review(session, caller, review_id, Can.review)
        do_release_review(session, caller.user, review)
        session.flush()
        return review_out(session, review, sees_emails=shows_emails(role), caller=caller.user)


@router.get(
    "/annotations/{annotation_id}/reviews",
    summary="An annotation's reviews, with each fix's changes (its author; reviewers, managers)",
    responses=errors(401, 404, 422),
)
def annotation_reviews(
    annotation_id: int, caller: CurrentCaller, db: Db
) -> list[ReviewWithChanges]:
    with db.read() as session:
        annotation = session.get(Annotation, annotation_id)
        missing = NotFound(f"no annotation {annotation_id}, or you cannot see it")
        if annotation is None:
            raise missing
        try:
            _, role = access(session, caller.user, annotation.project_id, Can.view)
        except NotFound:
            raise missing from None
        if annotation.user_id != caller.user.id and not may_review(role):
            raise missing
        out = []
        for review in reviews_of_annotation(session, annotation_id):
            before = after = None
            changed: list[str] = []
            if review.version is not None and review.fix_version is not None:
                old = version_result(session, annotation_id, review.version)
                new = version_result(session, annotation_id, review.fix_version)
                if old is not None and new is not None:
                    before, after = orjson.loads(old), orjson.loads(new)
                    changed = changed_questions(old, new)
            base = review_out(session, review, sees_emails=shows_emails(role))
            out.append(
                ReviewWithChanges(**base.model_dump(), before=before, after=after, changed=changed)
            )
        return out


@router.get(
    "/projects/{project_id}/rework",
    summary="The caller's rejected annotations, with the reviewers' reasons and comments",
    responses=errors(401, 404, 422),
)
def my_rework(project_id: int, caller: CurrentCaller, db: Db) -> list[ReworkItem]:
    with db.read() as session:
        access(session, caller.user, project_id, Can.view)
        return [
            ReworkItem(
                annotation=annotation_out(annotation, caller.user, caller.user.id),
                review=review_out(session, review, sees_emails=False),
            )
            for annotation, review in rework_of(session, project_id, caller.user.id)
        ]
