"""Project-wide consensus (Dawid-Skene over every task): start a run, see when it last ran."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from accord.api.auth import CurrentCaller, Db
from accord.api.errors import errors
from accord.api.jobs import start_job
from accord.api.policies import Can, access, project_for
from accord.errors import Conflict, Invalid
from accord.jobs.consensus import questions_of
from accord.queries.consensus import runs_of
from accord.queries.jobs import active_job

router = APIRouter(tags=["consensus"])


class ConsensusRunOut(BaseModel):
    question: str
    method: str = Field(description="dawid_skene")
    state: str = Field(description="running, done or failed")
    started_at: dt.datetime
    finished_at: dt.datetime | None = Field(description="When the figures were computed")
    tasks: int = Field(description="Complete tasks whose consensus was stored")
    annotations: int = Field(description="Answers the inference saw")
    error: str = Field(description="Why it failed, if it did")


class ConsensusRuns(BaseModel):
    running: bool = Field(description="A run is queued or under way")
    job_id: int | None = Field(
        default=None, description="The background job of the run queued or under way"
    )
    runs: list[ConsensusRunOut] = Field(description="The last run of each single-choice question")


def _runs(db: Db, project_id: int) -> ConsensusRuns:
    with db.read() as session:
        rows = runs_of(session, project_id)
        job = active_job(session, project_id, "consensus")
        return ConsensusRuns(
            running=job is not None,
            job_id=job.id if job is not None else None,
            runs=[
                ConsensusRunOut(
                    question=r.question,
                    method=r.method,
                    state=r.state,
                    started_at=r.started_at,
                    finished_at=r.finished_at,
                    tasks=r.tasks,
                    annotations=r.annotations,
                    error=r.error,
                )
                for r in rows
            ],
        )


@router.get(
    "/projects/{project_id}/consensus/runs",
    summary="When the project-wide consensus last ran, per question (reviewers, managers)",
    responses=errors(401, 403, 404, 422),
)
def consensus_runs(project_id: int, caller: CurrentCaller, db: Db) -> ConsensusRuns:
    with db.read() as session:
        access(session, caller.user, project_id, Can.review)
    return _runs(db, project_id)


@router.post(
    "/projects/{project_id}/consensus/runs",
    status_code=202,
    summary="Recompute every single-choice question's consensus over the whole project "
    "(Dawid-Skene), in the background (managers)",
    responses=errors(401, 403, 404, 409, 422),
)
def start_consensus_run(
    project_id: int, caller: CurrentCaller, db: Db, request: Request
) -> ConsensusRuns:
    with db.read() as session:
        project, _ = project_for(session, caller.user, project_id, Can.manage)
        if not questions_of(project):
            raise Invalid(
                "this project has no single-choice question: the project-wide consensus "
                "(Dawid-Skene) infers single-choice answers only",
                details={"field": "interface"},
            )
    try:  # one run at a time per project, as a background job
        start_job(
            request, db, caller.user, project_id, "consensus", {}, unit="questions", single=True
        )
    except Conflict as exc:
        raise Conflict(
            "the project-wide consensus is already being computed; see its state with GET "
            "on the same address",
            code="consensus_running",
            details=exc.details,
        ) from None
    return _runs(db, project_id)
