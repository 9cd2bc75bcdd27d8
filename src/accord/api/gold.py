"""Gold, qualification and training: known answers (managers), scores per annotator, pausing
and resuming members, and where the caller stands in the qualification."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import orjson
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from accord.actions.gold import Feedback, do_pause_member, do_resume_member, do_set_known_answer
from accord.actions.qualifications import Practice, qualification_of, training_task
from accord.api.auth import CurrentCaller, Db
from accord.api.errors import errors
from accord.api.policies import Can, access, task_access
from accord.api.schemas import In
from accord.api.tasks import TaskOut, task_out
from accord.db.raw import Raw
from accord.models import Membership
from accord.queries.gold import gold_by_annotator, known_answers

router = APIRouter(tags=["gold"])

Mode = Literal["training"]
Purpose = Literal["gold", "qualification", "training"]


class FeedbackOut(BaseModel):
    purpose: str = Field(description="gold or training")
    score: float = Field(description="0..1, the mean over the questions the known answer fills")
    questions: dict[str, float] = Field(description="The score of each scored question")
    expected: dict[str, Any] = Field(description="The known answer")
    explanation: str = Field(description="Why it is the answer (from the guidelines)")


class PracticeOut(BaseModel):
    purpose: str = Field(description="qualification or training")
    position: int = Field(description="The task being served (1-based), or how many are done")
    total: int
    attempt: int
    attempts: int = Field(description="Attempts allowed (qualification)")
    state: str = Field(description="in_progress, passed or failed (training: done when over)")
    score: float | None = Field(description="The mean score so far, or the final one")
    needed: float = Field(description="The score to pass (qualification)")


def feedback_out(feedback: Feedback | None) -> FeedbackOut | None:
    if feedback is None:
        return None
    return FeedbackOut(
        purpose=feedback.purpose,
        score=feedback.score,
        questions=feedback.detail,
        expected=feedback.expected,
        explanation=feedback.explanation,
    )


def practice_out(practice: Practice | None) -> PracticeOut | None:
    return None if practice is None else PracticeOut(**vars(practice))


class KnownIn(In):
    answer: dict[str, Any] = Field(description="The known answer, shaped like a result")
    purpose: Purpose = "gold"
    explanation: str = Field(default="", max_length=20_000)


class KnownOut(BaseModel):
    task: TaskOut
    purpose: str
    answer: dict[str, Any]
    explanation: str
    answers: int = Field(description="Answers scored against it so far")
    mean_score: float | None


class KnownPage(BaseModel):
    items: list[KnownOut]
    next_after: int | None


class AnnotatorGoldOut(BaseModel):
    user_id: int
    name: str
    email: str
    role: str
    gold_tasks: int = Field(description="Gold tasks scored")
    score: float | None = Field(description="Mean gold score, 0..1")
    low: float = Field(description="Lower end of the 95 % Wilson interval")
    high: float = Field(description="Upper end of the 95 % Wilson interval")
    last_at: dt.datetime | None
    paused_at: dt.datetime | None
    pause_reason: str
    qualification: str | None = Field(description="in_progress, passed, failed; null: not taken")
    qualification_score: float | None
    qualification_attempt: int | None


class GoldSummary(BaseModel):
    computed_at: dt.datetime = Field(description="When these figures were computed")
    annotators: list[AnnotatorGoldOut]


class StandingOut(BaseModel):
    qualification: PracticeOut | None = Field(
        description="Where the caller stands in the qualification; null when none is required"
    )
    training_left: int = Field(description="Training tasks the caller has not done")


class PauseIn(In):
    reason: str = Field(default="", max_length=2000)


class PauseOut(BaseModel):
    user_id: int
    paused_at: dt.datetime | None
    pause_reason: str


def _pause_out(member: Membership) -> PauseOut:
    return PauseOut(
        user_id=member.user_id, paused_at=member.paused_at, pause_reason=member.pause_reason
    )


@router.get(
    "/projects/{project_id}/gold",
    summary="The project's tasks with a known answer (managers)",
    responses=errors(401, 403, 404, 422),
)
def list_known(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    purpose: Purpose | None = None,
    after: int | None = Query(default=None, description="Page after this task id"),
    limit: int = Query(default=100, ge=1, le=1000),
) -> KnownPage:
    with db.read() as session:
        project, _ = access(session, caller.user, project_id, Can.manage)
        found = known_answers(session, project_id, purpose, after=after, limit=limit)
        return KnownPage(
            items=[
                KnownOut(
                    task=task_out(k.task, project.overlap),
                    purpose=k.known.purpose,
                    answer=orjson.loads(k.known.result),
                    explanation=k.known.explanation,
                    answers=k.answers,
                    mean_score=k.mean,
                )
                for k in found
            ],
            next_after=found[-1].task.id if len(found) == limit else None,
        )


@router.put(
    "/tasks/{task_id}/gold",
    summary="Give a task a known answer, or change it (managers)",
    responses=errors(401, 403, 404, 409, 413, 422),
)
def set_known(task_id: int, body: KnownIn, caller: CurrentCaller, db: Db) -> KnownOut:
    with db.write() as session:
        task, project, _ = task_access(session, caller.user, task_id, Can.manage)
        known = do_set_known_answer(
            session, caller.user, project, task, body.answer, body.purpose, body.explanation
        )
        return KnownOut(
            task=task_out(task, project.overlap),
            purpose=known.purpose,
            answer=body.answer,
            explanation=known.explanation,
            answers=0,
            mean_score=None,
        )


@router.get(
    "/projects/{project_id}/gold/annotators",
    summary="Each member's gold score with its interval, pause and qualification (managers)",
    responses=errors(401, 403, 404, 422),
)
def gold_annotators(project_id: int, caller: CurrentCaller, db: Db) -> GoldSummary:
    with db.read() as session:
        access(session, caller.user, project_id, Can.manage)
        rows = gold_by_annotator(session, project_id)
        return GoldSummary(
            computed_at=dt.datetime.now(dt.UTC),
            annotators=[
                AnnotatorGoldOut(gold_tasks=row.n, **_without(vars(row), "n")) for row in rows
            ],
        )


def _without(values: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in keys}


@router.get(
    "/projects/{project_id}/qualification",
    summary="Where the caller stands in the project's qualification and training",
    responses=errors(401, 404, 422),
)
def my_standing(project_id: int, caller: CurrentCaller, db: Db) -> StandingOut:
    with db.read() as session:
        project, _ = access(session, caller.user, project_id, Can.view)
        raw = Raw(session)
        training = training_task(raw, project, caller.user.id)
        return StandingOut(
            qualification=practice_out(qualification_of(raw, project, caller.user.id)),
            training_left=training[1].total - training[1].position + 1 if training else 0,
        )


@router.post(
    "/projects/{project_id}/members/{user_id}/pause",
    summary="Pause a member: no work is served to them until resumed (managers)",
    responses=errors(401, 403, 404, 409, 413, 422),
)
def pause_member(
    project_id: int, user_id: int, body: PauseIn, caller: CurrentCaller, db: Db
) -> PauseOut:
    with db.write() as session:
        access(session, caller.user, project_id, Can.manage)
        member = do_pause_member(session, caller.user, project_id, user_id, body.reason)
        return PauseOut(
            user_id=user_id, paused_at=member.paused_at, pause_reason=member.pause_reason
        )


@router.post(
    "/projects/{project_id}/members/{user_id}/resume",
    summary="Let a paused member work again (managers)",
    responses=errors(401, 403, 404, 409, 422),
)
def resume_member(project_id: int, user_id: int, caller: CurrentCaller, db: Db) -> PauseOut:
    with db.write() as session:
        access(session, caller.user, project_id, Can.manage)
        member = do_resume_member(session, caller.user, project_id, user_id)
        return PauseOut(
            user_id=user_id, paused_at=member.paused_at, pause_reason=member.pause_reason
        )
