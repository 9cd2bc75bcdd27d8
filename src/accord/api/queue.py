"""The annotator's loop: next task, autosave the draft, skip, submit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from accord.actions.annotations import do_submit
from accord.actions.confidentiality import record_view
from accord.actions.drafts import do_discard_draft, do_save_draft
from accord.actions.qualifications import PRACTICE, do_practice_submit
from accord.actions.queue import do_next_task, do_skip
from accord.api.annotations import AnnotationOut, AnswerIn, annotation_out, limit_result
from accord.api.auth import AppSettings, CurrentCaller, Db
from accord.api.checks import SubmitWarning, submit_warnings
from accord.api.errors import errors
from accord.api.files import signed_data_async
from accord.api.gold import FeedbackOut, Mode, PracticeOut, feedback_out, practice_out
from accord.api.originality import (
    FindingOut,
    findings_out,
    originality_warnings,
    refuse_if_blocked,
    typing_of,
)
from accord.api.policies import Can, access, submit_access, task_access
from accord.api.schemas import In
from accord.api.tasks import DraftOut, PredictionOut, TaskOut, draft_out, task_out
from accord.api.transactions import (
    Checked,
    CheckLimiter,
    NeedsCheck,
    answer_text,
    in_write,
    in_write_checked,
)
from accord.db import Database
from accord.errors import Conflict
from accord.models import User
from accord.queries.originality import check_submission
from accord.queries.projects import ProjectInfo
from accord.settings import Settings

router = APIRouter(tags=["queue"])


class NextOut(BaseModel):
    task: TaskOut | None = Field(description="null when nothing is left for the caller")
    draft: DraftOut | None = Field(description="The caller's saved draft for this task")
    lease_expires_at: dt.datetime | None
    predictions: list[PredictionOut] = Field(
        default_factory=list,
        description="Model pre-annotations of this task, shown to the annotator as a suggestion",
    )
    practice: PracticeOut | None = Field(
        default=None,
        description="Set when the task is part of the project's qualification or of training: "
        "where the caller stands",
    )


class DraftIn(In):
    result: dict[str, Any] = Field(description="Work in progress, saved as is")
    seconds: float = Field(default=0, ge=0, le=7 * 86400, description="Active seconds so far")


class SkipIn(In):
    reason: str = Field(default="", max_length=2000)


class Skipped(BaseModel):
    task_id: int
    skipped: bool = True


class SubmitOut(BaseModel):
    annotation: AnnotationOut | None = Field(
        description="The annotation; null for a qualification or training task (practice "
        "answers are not annotations)"
    )
    feedback: FeedbackOut | None = Field(
        default=None,
        description="The expected answer and the score: after a training task, and after a "
        "gold task when the project shows gold feedback",
    )
    practice: PracticeOut | None = Field(
        default=None, description="After a qualification or training task: where one stands now"
    )
    next: NextOut | None = Field(description="The next task, when asked with ?next=true")
    warnings: list[SubmitWarning] = Field(
        default_factory=list,
        description="Warn-level checks the accepted answer fails (docs/checks.md): shown to the "
        "annotator, not refused",
    )
    originality: list[FindingOut] = Field(
        default_factory=list,
        description="Answers above their question's originality warn_above, with the matching "
        "passages (docs/originality.md)",
    )


def _next_after(
    session: Session, user: User, project: ProjectInfo, role: str, mode: Mode | None = None
) -> NextOut | None:
    """The next task after a submission; None when the guidelines must be acknowledged first
    (the submission stands; the client's next `/next` says what changed)."""
    try:
        return _next(session, user, project, role, mode)
    except Conflict as exc:
        if exc.code != "guidelines_unacknowledged":
            raise
        return None


def _next(
    session: Session, user: User, project: ProjectInfo, role: str, mode: Mode | None = None
) -> NextOut:
    lease = do_next_task(session, user, project, role=role, mode=mode)
    if lease is None:
        return NextOut(task=None, draft=None, lease_expires_at=None)
    if project.access_log:  # the project records task views (accord.actions.confidentiality)
        record_view(session, user, project.id, lease.task.id, "annotate")
    return NextOut(
        # As the annotator sees it: not others' counts (a gold task would stand out by them).
        task=task_out(lease.task, project.overlap, mine=0),
        draft=draft_out(lease.draft),
        lease_expires_at=lease.expires_at,
        predictions=[
            PredictionOut(
                model_version=p.model_version, score=p.score, result=orjson.loads(p.result)
            )
            for p in lease.predictions
        ],
        practice=practice_out(lease.practice),
    )


@router.post(
    "/projects/{project_id}/next",
    summary="Lease the next task (or get the held one)",
    responses=errors(401, 403, 404, 409, 422),
)
async def next_task(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
    mode: Mode | None = Query(
        default=None, description="training: serve the project's training tasks instead"
    ),
) -> NextOut:
    def work(session: Session) -> NextOut:
        project, role = access(session, caller.user, project_id, Can.annotate)
        return _next(session, caller.user, project, role, mode)

    return await _signed(await in_write(db, work), db, settings)


async def _signed(out: NextOut, db: Database, settings: Settings) -> NextOut:
    """Media URLs in the task's data signed (after the transaction: it holds no lock)."""
    if out.task is not None:
        out.task.data = await signed_data_async(
            out.task.data, db, settings, frames_project=out.task.project_id
        )
    return out


@router.put(
    "/tasks/{task_id}/draft",
    summary="Autosave the caller's work in progress",
    responses=errors(401, 403, 404, 413, 422),
)
async def save_draft(
    task_id: int, body: DraftIn, caller: CurrentCaller, db: Db, settings: AppSettings
) -> DraftOut:
    limit_result(settings, body.result)

    def work(session: Session) -> DraftOut:
        task, project, _ = task_access(session, caller.user, task_id, Can.annotate)
        draft = do_save_draft(session, caller.user, project, task, body.result, body.seconds)
        out = draft_out(draft)
        assert out is not None
        return out

    return await in_write(db, work)


@router.delete(
    "/tasks/{task_id}/draft",
    summary="Discard the caller's draft",
    status_code=204,
    responses=errors(401, 403, 404, 422),
)
async def discard_draft(task_id: int, caller: CurrentCaller, db: Db) -> None:
    def work(session: Session) -> None:
        task, _, _ = task_access(session, caller.user, task_id, Can.annotate)
        do_discard_draft(session, caller.user, task)

    await in_write(db, work)


@router.post(
    "/tasks/{task_id}/skip",
    summary="Skip a task (it will not come back to you)",
    responses=errors(401, 403, 404, 409, 413, 422),
)
async def skip_task(task_id: int, body: SkipIn, caller: CurrentCaller, db: Db) -> Skipped:
    def work(session: Session) -> Skipped:
        task, project, _ = task_access(session, caller.user, task_id, Can.annotate)
        do_skip(session, caller.user, project, task, body.reason)
        return Skipped(task_id=task.id)

    return await in_write(db, work)


@router.post(
    "/tasks/{task_id}/annotations",
    summary="Submit the caller's annotation of a task",
    status_code=201,
    responses=errors(401, 403, 404, 409, 413, 422),
)
async def submit(
    task_id: int,
    body: AnswerIn,
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
    limiter: CheckLimiter,
    next: bool = Query(default=False, description="Also lease and return the next task"),
) -> SubmitOut:
    limit_result(settings, body.result)
    seen: list[ProjectInfo] = []  # the project as checked: its warn-level checks run below

    def work(session: Session, checked: Checked | None) -> SubmitOut | NeedsCheck:
        task, project, role, mine = submit_access(session, caller.user, task_id)
        seen[:] = [project]
        text = answer_text(checked, project, task, body.result)
        if isinstance(text, NeedsCheck):
            return text
        if task.purpose in PRACTICE:
            done = do_practice_submit(session, caller.user, project, task, text, body.seconds or 0)
            mode: Mode | None = "training" if task.purpose == "training" else None
            following = _next_after(session, caller.user, project, role, mode) if next else None
            return SubmitOut(
                annotation=None,
                feedback=feedback_out(done.feedback),
                practice=practice_out(done.standing),
                next=following,
            )
        found = check_submission(session, project.id, project.interface, body.result)
        refuse_if_blocked(found)  # 422 not_original, before anything is written
        annotation = do_submit(
            session, caller.user, project, task, body.result, body.seconds, checked=text,
            originality=found, typing=typing_of(body.typing), mine=mine,
        )  # fmt: skip
        out = annotation_out(annotation, caller.user, caller.user.id)
        following = _next_after(session, caller.user, project, role) if next else None
        return SubmitOut(
            annotation=out, feedback=feedback_out(annotation.feedback), next=following,
            originality=findings_out(found), warnings=originality_warnings(found),
        )  # fmt: skip

    out = await in_write_checked(db, limiter, work)
    if seen:
        out.warnings.extend(await submit_warnings(seen[0].interface, body.result, limiter))
    if out.next is not None:
        await _signed(out.next, db, settings)
    return out
