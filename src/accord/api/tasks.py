"""Tasks: the listing managers and reviewers page through, and one task with its work."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import orjson
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from accord.actions.queue import DraftRef
from accord.actions.users import find_user
from accord.api.annotations import AnnotationOut, annotation_out
from accord.api.auth import CurrentCaller, Db
from accord.api.policies import Can, may_review, project_for, task_for
from accord.models import Draft, Task
from accord.queries.annotations import annotations_of_task, predictions_of_task
from accord.queries.tasks import TaskQuery, TaskRef, count_tasks, list_tasks, status_of

router = APIRouter(tags=["tasks"])

Status = Literal["new", "in_progress", "complete"]
Sort = Literal["id", "-id", "annotations", "-annotations"]


class TaskOut(BaseModel):
    id: int
    project_id: int
    external_id: str | None
    data: dict[str, Any]
    status: str = Field(description="new, in_progress or complete")
    annotations: int = Field(description="Annotations submitted")
    created_at: dt.datetime


class PredictionOut(BaseModel):
    model_version: str
    score: float | None
    result: dict[str, Any]


class DraftOut(BaseModel):
    result: dict[str, Any]
    seconds: float
    updated_at: dt.datetime


class TaskDetail(BaseModel):
    task: TaskOut
    annotations: list[AnnotationOut] = Field(
        description="Everyone's for managers and reviewers; annotators see their own"
    )
    predictions: list[PredictionOut]
    draft: DraftOut | None = Field(description="The caller's draft, if any")


class TaskPage(BaseModel):
    items: list[TaskOut]
    total: int = Field(description="Tasks matching the filters, in all")
    next_after: int | None = Field(description="Pass as `after` for the next page")


def task_out(task: Task | TaskRef, overlap: int) -> TaskOut:
    return TaskOut(
        id=task.id,
        project_id=task.project_id,
        external_id=task.external_id,
        data=orjson.loads(task.data),
        status=status_of(task, overlap),
        annotations=task.n_submitted,
        created_at=task.created_at,
    )


def draft_out(draft: Draft | DraftRef | None) -> DraftOut | None:
    if draft is None:
        return None
    return DraftOut(
        result=orjson.loads(draft.result), seconds=draft.seconds, updated_at=draft.updated_at
    )


@router.get("/projects/{project_id}/tasks", summary="Filter, sort and page a project's tasks")
def get_tasks(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    status: Status | None = None,
    annotator: str | None = Query(
        default=None, max_length=320, description="Only tasks this annotator (email) answered"
    ),
    q: str | None = Query(default=None, max_length=500, description="Text in the task's data"),
    question: str | None = Query(
        default=None, max_length=64, description="Only tasks with an answer to this question"
    ),
    value: str | None = Query(
        default=None, max_length=500, description="...whose answer holds this value"
    ),
    sort: Sort = "id",
    offset: int = Query(default=0, ge=0, le=100_000_000, description="Rows to skip"),
    after: int | None = Query(default=None, ge=0, description="Last id of the previous page"),
    limit: int = Query(default=100, ge=1, le=1000),
) -> TaskPage:
    with db.read() as session:
        project, _ = project_for(session, caller.user, project_id, Can.review)
        annotator_id = None
        if annotator:
            user = find_user(session, annotator)
            annotator_id = user.id if user is not None else -1
        query = TaskQuery(
            status=status,
            annotator_id=annotator_id,
            text=q,
            question=question,
            value=value,
            sort=sort,
        )
        tasks = list_tasks(session, project, query, offset=offset, after=after, limit=limit)
        return TaskPage(
            items=[task_out(t, project.overlap) for t in tasks],
            total=count_tasks(session, project, query),
            next_after=tasks[-1].id if len(tasks) == limit else None,
        )


@router.get("/tasks/{task_id}", summary="A task with its annotations, predictions and draft")
def get_task(task_id: int, caller: CurrentCaller, db: Db) -> TaskDetail:
    with db.read() as session:
        task, project, role = task_for(session, caller.user, task_id, Can.view)
        only = None if may_review(role) else caller.user.id
        annotations = annotations_of_task(session, task, only)
        predictions = predictions_of_task(session, task)
        return TaskDetail(
            task=task_out(task, project.overlap),
            annotations=[annotation_out(a, email, caller.user.id) for a, email in annotations],
            predictions=[
                PredictionOut(
                    model_version=p.model_version, score=p.score, result=orjson.loads(p.result)
                )
                for p in predictions
            ],
            draft=draft_out(session.get(Draft, (task.id, caller.user.id))),
        )
