"""Projects: list, create, read, change settings, delete."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from accord.actions.interfaces import Watermark, check_interface_change, watermark
from accord.actions.projects import (
    do_create_project,
    do_delete_project,
    do_update_project,
    load_interface,
)
from accord.api.auth import CurrentCaller, Db, require_project_creator
from accord.api.errors import errors
from accord.api.policies import Can, project_for
from accord.api.schemas import ChecklistItemIn, Deleted, In
from accord.api.schemas import LinkedChecklistItem as ChecklistItem
from accord.models import Project, User
from accord.queries.projects import my_submitted, progress, projects_of

router = APIRouter(tags=["projects"])

InterfaceIn = dict[str, Any] | str
Order = Literal["sequential", "random", "priority", "uncertainty", "disagreement"]
Measure = Literal["least_confident", "margin", "entropy"]
ORDER = (
    "How the queue hands out tasks: sequential, random, priority, or an active learning order "
    "from the tasks' predictions: uncertainty (the least sure first) or disagreement (where "
    "the model and the first annotators disagree first); docs/active_learning.md"
)
MEASURE = (
    "For the active learning orders: least_confident (1 - the top class's probability, or "
    "1 - the score), margin (between the two top classes) or entropy"
)
DIVERSITY = "For the active learning orders: take turns between the classes the model predicts"


REVIEW_SHARE = (
    "The share of submissions sent to review, drawn at random: 0 none, 1 all (after each "
    "annotator's first review_first)"
)
REVIEW_FIRST = "Each annotator's first N submissions in the project all go to review"
BELOW = "A submission on a task whose best prediction scores below this goes to review (0: off)"
DISAGREEMENTS = (
    "A submission whose single-choice answers differ from most of the task's earlier answers "
    "goes to review"
)
CHECKLIST = "What reviewers check; a fix or a rejection records which items failed"


GOLD_RATE = "The share of served tasks that are gold (hidden known answers); 0: none"
GOLD_FEEDBACK = "Show the expected answer and its explanation after a gold task is submitted"
GOLD_PAUSE_BELOW = (
    "Pause an annotator whose gold score falls below this, after gold_pause_min gold tasks "
    "(0: never); a manager resumes them"
)
GOLD_PAUSE_MIN = "Gold tasks scored before gold_pause_below applies"
QUALIFICATION_PASS = (
    "The score an annotator needs on the qualification tasks before real work (0: none)"
)
QUALIFICATION_ATTEMPTS = "How many times an annotator may take the qualification"
CONSENSUS_METHOD = "How a complete task's consensus answer is computed"
AGREEMENT_THRESHOLD = "A complete task whose agreement is below this is adjudicated (0: never)"
MAX_OVERLAP = (
    "Dynamic overlap: a task whose answers disagree asks for more annotations, up to this many "
    "(0: off)"
)
BELOW_GOLD = "Also review the submissions of annotators whose gold score is below this (0: off)"
FASTER_THAN = (
    "Also review submissions made in less than this share of the project's median active time "
    "(e.g. 0.25: under a quarter of the median; 0: off)"
)
ConsensusMethod = Literal["majority", "dawid_skene"]


class QualityCreate(In):
    gold_rate: float = Field(default=0.0, ge=0, le=1, description=GOLD_RATE)
    gold_feedback: bool = Field(default=False, description=GOLD_FEEDBACK)
    gold_pause_below: float = Field(default=0.0, ge=0, le=1, description=GOLD_PAUSE_BELOW)
    gold_pause_min: int = Field(default=10, ge=1, le=100_000, description=GOLD_PAUSE_MIN)
    qualification_pass: float = Field(default=0.0, ge=0, le=1, description=QUALIFICATION_PASS)
    qualification_attempts: int = Field(default=2, ge=1, le=100, description=QUALIFICATION_ATTEMPTS)
    consensus_method: ConsensusMethod = Field(default="majority", description=CONSENSUS_METHOD)
    agreement_threshold: float = Field(default=0.0, ge=0, le=1, description=AGREEMENT_THRESHOLD)
    max_overlap: int = Field(default=0, ge=0, le=100, description=MAX_OVERLAP)
    review_below_gold: float = Field(default=0.0, ge=0, le=1, description=BELOW_GOLD)
    review_faster_than: float = Field(default=0.0, ge=0, le=1, description=FASTER_THAN)


class QualityChange(In):
    gold_rate: float | None = Field(default=None, ge=0, le=1, description=GOLD_RATE)
    gold_feedback: bool | None = Field(default=None, description=GOLD_FEEDBACK)
    gold_pause_below: float | None = Field(default=None, ge=0, le=1, description=GOLD_PAUSE_BELOW)
    gold_pause_min: int | None = Field(default=None, ge=1, le=100_000, description=GOLD_PAUSE_MIN)
    qualification_pass: float | None = Field(
        default=None, ge=0, le=1, description=QUALIFICATION_PASS
    )
    qualification_attempts: int | None = Field(
        default=None, ge=1, le=100, description=QUALIFICATION_ATTEMPTS
    )
    consensus_method: ConsensusMethod | None = Field(default=None, description=CONSENSUS_METHOD)
    agreement_threshold: float | None = Field(
        default=None, ge=0, le=1, description=AGREEMENT_THRESHOLD
    )
    max_overlap: int | None = Field(default=None, ge=0, le=100, description=MAX_OVERLAP)
    review_below_gold: float | None = Field(default=None, ge=0, le=1, description=BELOW_GOLD)
    review_faster_than: float | None = Field(default=None, ge=0, le=1, description=FASTER_THAN)


class QualityOut(BaseModel):
    gold_rate: float
    gold_feedback: bool
    gold_pause_below: float
    gold_pause_min: int
    qualification_pass: float
    qualification_attempts: int
    consensus_method: str
    agreement_threshold: float
    max_overlap: int
    review_below_gold: float
    review_faster_than: float


class ProjectCreate(QualityCreate):
    name: str = Field(min_length=1, max_length=200)
    interface: InterfaceIn = Field(description="Fields and questions, as an object or YAML/JSON")
    description: str = Field(default="", max_length=20_000)
    guidelines: str = Field(default="", max_length=500_000, description="Markdown")
    overlap: int = Field(default=1, ge=1, le=100, description="Annotations wanted per task")
    lease_seconds: int = Field(default=3600, ge=30, le=7 * 86400)
    order: Order = Field(default="sequential", description=ORDER)
    uncertainty_measure: Measure = Field(default="least_confident", description=MEASURE)
    diversity: bool = Field(default=False, description=DIVERSITY)
    review_share: float = Field(default=0.0, ge=0, le=1, description=REVIEW_SHARE)
    review_first: int = Field(default=0, ge=0, le=100_000, description=REVIEW_FIRST)
    review_below_confidence: float = Field(default=0.0, ge=0, le=1, description=BELOW)
    review_disagreements: bool = Field(default=False, description=DISAGREEMENTS)
    checklist: list[ChecklistItemIn] = Field(
        default_factory=list, max_length=100, description=CHECKLIST
    )


class ProjectChange(QualityChange):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    interface: InterfaceIn | None = None
    description: str | None = Field(default=None, max_length=20_000)
    guidelines: str | None = Field(default=None, max_length=500_000)
    overlap: int | None = Field(default=None, ge=1, le=100)
    lease_seconds: int | None = Field(default=None, ge=30, le=7 * 86400)
    order: Order | None = Field(default=None, description=ORDER)
    uncertainty_measure: Measure | None = Field(default=None, description=MEASURE)
    diversity: bool | None = Field(default=None, description=DIVERSITY)
    review_share: float | None = Field(default=None, ge=0, le=1, description=REVIEW_SHARE)
    review_first: int | None = Field(default=None, ge=0, le=100_000, description=REVIEW_FIRST)
    review_below_confidence: float | None = Field(default=None, ge=0, le=1, description=BELOW)
    review_disagreements: bool | None = Field(default=None, description=DISAGREEMENTS)
    checklist: list[ChecklistItemIn] | None = Field(
        default=None, max_length=100, description=CHECKLIST
    )


class ProgressOut(BaseModel):
    tasks: int
    new: int
    in_progress: int
    complete: int
    annotations: int
    mine: int = Field(description="Annotations the caller submitted")


class ProjectOut(QualityOut):
    id: int
    name: str
    description: str
    interface: dict[str, Any]
    overlap: int
    lease_seconds: int
    order: str
    uncertainty_measure: str
    diversity: bool
    review_share: float
    review_first: int
    review_below_confidence: float
    review_disagreements: bool
    checklist: list[ChecklistItem]
    guidelines: str
    guidelines_version: int
    role: str = Field(description="The caller's role: manager, reviewer, annotator or admin")
    progress: ProgressOut
    created_at: dt.datetime
    updated_at: dt.datetime


def project_out(session: Session, project: Project, role: str, user: User) -> ProjectOut:
    counts = progress(session, project)
    return ProjectOut(
        id=project.id,
        name=project.name,
        description=project.description,
        interface=project.interface,
        overlap=project.overlap,
        lease_seconds=project.lease_seconds,
        order=project.order,
        uncertainty_measure=project.uncertainty_measure,
        diversity=project.diversity,
        review_share=project.review_share,
        review_first=project.review_first,
        review_below_confidence=project.review_below_confidence,
        review_disagreements=project.review_disagreements,
        checklist=[ChecklistItem(**item) for item in project.checklist],
        **{key: getattr(project, key) for key in QualityOut.model_fields},
        guidelines=project.guidelines,
        guidelines_version=project.guidelines_version,
        role=role,
        progress=ProgressOut(**vars(counts), mine=my_submitted(session, project, user)),
        created_at=project.created_at,
        updated_at=project.updated_at,
    )


@router.get("/projects", summary="The projects the caller can see", responses=errors(401))
def list_projects(caller: CurrentCaller, db: Db) -> list[ProjectOut]:
    with db.read() as session:
        return [
            project_out(session, project, role, caller.user)
            for project, role in projects_of(session, caller.user)
        ]


@router.post(
    "/projects",
    summary="Create a project (the caller becomes its manager)",
    status_code=201,
    responses=errors(401, 403, 413, 422),
)
def create_project(body: ProjectCreate, caller: CurrentCaller, db: Db) -> ProjectOut:
    require_project_creator(caller)
    with db.write() as session:
        project = do_create_project(session, caller.user, **body.model_dump())
        return project_out(session, project, "manager", caller.user)


@router.get(
    "/projects/{project_id}",
    summary="A project, with progress and the caller's role",
    responses=errors(401, 404, 422),
)
def get_project(project_id: int, caller: CurrentCaller, db: Db) -> ProjectOut:
    with db.read() as session:
        project, role = project_for(session, caller.user, project_id, Can.view)
        return project_out(session, project, role, caller.user)


@router.patch(
    "/projects/{project_id}",
    summary="Change a project's settings or interface",
    responses=errors(401, 403, 404, 409, 413, 422),
)
def update_project(
    project_id: int, body: ProjectChange, request: Request, caller: CurrentCaller, db: Db
) -> ProjectOut:
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    # A new interface is checked against the project's work first, outside the write lock;
    # the write then checks only what came or changed since (if the project is unchanged).
    checked: tuple[dt.datetime, Watermark] | None = None
    if "interface" in changes:
        with db.read() as session:
            project, _ = project_for(session, caller.user, project_id, Can.manage)
            mark = watermark(session, project)
            check_interface_change(session, project, load_interface(changes["interface"]))
            checked = (project.updated_at, mark)
    with db.write() as session:
        project, role = project_for(session, caller.user, project_id, Can.manage)
        since = checked[1] if checked and checked[0] == project.updated_at else None
        do_update_project(session, caller.user, project, changes, checked_until=since)
        out = project_out(session, project, role, caller.user)
    # after an overlap or order change: short batches, the rest in the background
    request.app.state.settler.settle(project_id)
    return out


@router.delete(
    "/projects/{project_id}",
    summary="Delete a project and all its data",
    responses=errors(401, 403, 404, 422),
)
def delete_project(project_id: int, request: Request, caller: CurrentCaller, db: Db) -> Deleted:
    with db.write() as session:
        project, _ = project_for(session, caller.user, project_id, Can.manage)
        do_delete_project(session, caller.user, project)
    request.app.state.purger.wake()  # its rows go in the background, in short batches
    return Deleted()
