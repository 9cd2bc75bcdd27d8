"""Adjudication: the queue of tasks whose answers disagree, one task's answers side by side,
and the final answer (reviewers, managers and admins; never annotators)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import orjson
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from accord.actions.adjudications import (
    do_decide_adjudication,
    do_next_adjudication,
    do_release_adjudication,
)
from accord.actions.originality import index_adjudication
from accord.api.annotations import limit_result
from accord.api.auth import AppSettings, Caller, CurrentCaller, Db
from accord.api.checks import SubmitWarning, submit_warnings
from accord.api.errors import errors
from accord.api.files import signed_data, signed_data_async
from accord.api.originality import (
    FindingOut,
    correction_check,
    findings_out,
    originality_warnings,
)
from accord.api.policies import Can, access, task_access
from accord.api.schemas import In, shows_emails
from accord.api.tasks import TaskOut, task_out
from accord.api.transactions import (
    Checked,
    CheckLimiter,
    NeedsCheck,
    answer_text,
    in_write,
    in_write_checked,
)
from accord.db.types import utcnow
from accord.errors import Invalid, NotFound
from accord.models import Adjudication, Annotation, User
from accord.queries.adjudications import adjudications_of, answers_of, consensus_of_task
from accord.queries.projects import ProjectInfo

router = APIRouter(tags=["adjudication"])


class AdjudicationOut(BaseModel):
    id: int
    project_id: int
    task_id: int
    state: str = Field(description="open or decided")
    reason: str = Field(description="Which questions disagreed, with their agreement")
    reviewer_name: str | None = Field(description="Who holds it (open) or decided it")
    result: dict[str, Any] | None = Field(description="The final answer, once decided")
    created_at: dt.datetime
    expires_at: dt.datetime | None = Field(description="When the holder's lease ends (open)")
    decided_at: dt.datetime | None


class AnswerOut(BaseModel):
    annotation_id: int
    author_name: str
    author: str | None = Field(description="The author's email, for managers and admins")
    result: dict[str, Any]
    seconds: float
    created_at: dt.datetime


class QuestionConsensusOut(BaseModel):
    question: str
    method: str = Field(description="majority or dawid_skene")
    answer: Any = Field(description="The consensus answer to this question (null: none)")
    confidence: float | None
    agreement: float | None = Field(description="Mean pairwise similarity of the answers, 0-1")
    n: int = Field(description="Answers considered")
    computed_at: dt.datetime


class AdjudicatedOut(AdjudicationOut):
    """The decided adjudication; for a written answer, what the checks warned about."""

    warnings: list[SubmitWarning] = Field(
        default_factory=list,
        description="For a written answer: warn-level checks it fails, and originality above "
        "warn_above or block_above (an adjudication is never refused for originality)",
    )
    originality: list[FindingOut] = Field(
        default_factory=list,
        description="For a written answer: answers above their question's warn_above, with the "
        "passages",
    )


class AdjudicationView(BaseModel):
    adjudication: AdjudicationOut
    task: TaskOut
    answers: list[AnswerOut] = Field(description="Every answer, in the order they came")
    consensus: list[QuestionConsensusOut]


class NextAdjudicationOut(BaseModel):
    adjudication: AdjudicationView | None = Field(description="null when none is waiting")


class AdjudicationPage(BaseModel):
    items: list[AdjudicationOut]
    next_after: int | None = Field(description="Pass as `after` for the next page")


class AdjudicationDecisionIn(In):
    result: dict[str, Any] | None = Field(
        default=None, description="The final answer, keyed by question name (or annotation_id)"
    )
    annotation_id: int | None = Field(
        default=None, description="Take the final answer from this answer to the task"
    )


def adjudication_out(session: Session, adjudication: Adjudication) -> AdjudicationOut:
    held = adjudication.expires_at is not None and adjudication.expires_at > utcnow()
    shown = adjudication.reviewer_id if adjudication.state != "open" or held else None
    reviewer = session.get(User, shown) if shown is not None else None
    return AdjudicationOut(
        id=adjudication.id,
        project_id=adjudication.project_id,
        task_id=adjudication.task_id,
        state=adjudication.state,
        reason=adjudication.reason,
        reviewer_name=reviewer.name if reviewer is not None else None,
        result=orjson.loads(adjudication.result) if adjudication.result else None,
        created_at=adjudication.created_at,
        expires_at=adjudication.expires_at if adjudication.state == "open" and held else None,
        decided_at=adjudication.decided_at,
    )


def adjudication_view(
    session: Session, caller: Caller, adjudication: Adjudication, role: str
) -> AdjudicationView:
    task, project, _ = task_access(session, caller.user, adjudication.task_id, Can.review)
    sees = shows_emails(role)
    return AdjudicationView(
        adjudication=adjudication_out(session, adjudication),
        task=task_out(task, project.overlap),
        answers=[
            AnswerOut(
                annotation_id=a.annotation_id,
                author_name=a.user.name,
                author=a.user.email if sees else None,
                result=a.result,
                seconds=a.seconds,
                created_at=a.created_at,
            )
            for a in answers_of(session, adjudication.task_id)
        ],
        consensus=[
            QuestionConsensusOut(**vars(q))
            for q in consensus_of_task(session, adjudication.task_id)
        ],
    )


def _adjudication(
    session: Session, caller: Caller, adjudication_id: int, need: Can
) -> tuple[Adjudication, str]:
    """The adjudication, if the caller may ``need`` in its project (404 for those who cannot
    see it at all)."""
    adjudication = session.get(Adjudication, adjudication_id)
    missing = NotFound(f"no adjudication {adjudication_id}, or you cannot see it")
    if adjudication is None:
        raise missing
    try:
        _, role = access(session, caller.user, adjudication.project_id, Can.view)
    except NotFound:
        raise missing from None
    access(session, caller.user, adjudication.project_id, need)
    return adjudication, role


@router.post(
    "/projects/{project_id}/adjudications/next",
    summary="Lease the next task to adjudicate (reviewers, managers); never one you annotated",
    responses=errors(401, 403, 404, 422),
)
async def next_adjudication(
    project_id: int, caller: CurrentCaller, db: Db, settings: AppSettings
) -> NextAdjudicationOut:
    def work(session: Session) -> NextAdjudicationOut:
        project, role = access(session, caller.user, project_id, Can.review)
        found = do_next_adjudication(session, caller.user, project)
        if found is None:
            return NextAdjudicationOut(adjudication=None)
        return NextAdjudicationOut(adjudication=adjudication_view(session, caller, found, role))

    out = await in_write(db, work)
    if out.adjudication is not None:  # media URLs signed after the transaction
        task = out.adjudication.task
        task.data = await signed_data_async(task.data, db, settings, frames_project=task.project_id)
    return out


@router.get(
    "/projects/{project_id}/adjudications",
    summary="The project's adjudications, oldest first (reviewers, managers)",
    responses=errors(401, 403, 404, 422),
)
def list_adjudications(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    state: Literal["open", "decided"] | None = None,
    after: int | None = Query(default=None, ge=0, description="Last id of the previous page"),
    limit: int = Query(default=50, ge=1, le=500),
) -> AdjudicationPage:
    with db.read() as session:
        access(session, caller.user, project_id, Can.review)
        rows = adjudications_of(session, project_id, state, after=after, limit=limit)
        return AdjudicationPage(
            items=[adjudication_out(session, row) for row in rows],
            next_after=rows[-1].id if len(rows) == limit else None,
        )


@router.get(
    "/adjudications/{adjudication_id}",
    summary="One adjudication: the task, every answer with its author, the consensus",
    responses=errors(401, 403, 404, 422),
)
def get_adjudication(
    adjudication_id: int, caller: CurrentCaller, db: Db, settings: AppSettings
) -> AdjudicationView:
    with db.read() as session:
        adjudication, role = _adjudication(session, caller, adjudication_id, Can.review)
        view = adjudication_view(session, caller, adjudication, role)
    view.task.data = signed_data(view.task.data, db, settings, frames_project=view.task.project_id)
    return view


@router.post(
    "/adjudications/{adjudication_id}/decision",
    summary="Record the task's final answer: one of its answers, or one you write",
    responses=errors(401, 403, 404, 409, 413, 422),
)
async def decide_adjudication(
    adjudication_id: int,
    body: AdjudicationDecisionIn,
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
    limiter: CheckLimiter,
) -> AdjudicatedOut:
    if (body.result is None) == (body.annotation_id is None):
        raise Invalid(
            "send the final answer as `result`, or pick an answer with `annotation_id` "
            "(exactly one of the two)",
            details={"field": "result"},
        )
    if body.result is not None:
        limit_result(settings, body.result)

    seen: list[ProjectInfo] = []  # the project as checked: its warn-level checks run below

    def work(session: Session, checked: Checked | None) -> AdjudicatedOut | NeedsCheck:
        adjudication, _ = _adjudication(session, caller, adjudication_id, Can.review)
        task, project, _ = task_access(session, caller.user, adjudication.task_id, Can.review)
        seen[:] = [project]
        if body.result is not None:
            text = answer_text(checked, project, task, body.result)
            if isinstance(text, NeedsCheck):
                return text
        else:
            picked = session.get(Annotation, body.annotation_id)
            if picked is None or picked.task_id != adjudication.task_id:
                raise Invalid(
                    f"annotation_id: {body.annotation_id} is not an answer to this task; pick "
                    "one of the answers shown, or send the final answer as `result`",
                    details={"path": "annotation_id"},
                )
            text = picked.result
        do_decide_adjudication(
            session, caller.user, project, adjudication, text, picked=body.annotation_id
        )
        found = None
        if body.result is not None:  # a picked answer is indexed (and was checked) already
            found = correction_check(session, project, body.result)
            index_adjudication(session, project.id, found)
        return AdjudicatedOut(
            **adjudication_out(session, adjudication).model_dump(),
            originality=findings_out(found),
            warnings=originality_warnings(found),
        )

    decided = await in_write_checked(db, limiter, work)
    if seen and body.result is not None:
        decided.warnings.extend(await submit_warnings(seen[0].interface, body.result, limiter))
    return decided


@router.post(
    "/adjudications/{adjudication_id}/release",
    summary="Hand a leased adjudication back to the queue",
    responses=errors(401, 403, 404, 409, 422),
)
def release_adjudication(adjudication_id: int, caller: CurrentCaller, db: Db) -> AdjudicationOut:
    with db.write() as session:
        adjudication, _ = _adjudication(session, caller, adjudication_id, Can.review)
        do_release_adjudication(session, caller.user, adjudication)
        session.flush()
        return adjudication_out(session, adjudication)
