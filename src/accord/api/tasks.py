"""Tasks: the listing managers and reviewers page through, one task with its work, skips,
and deleting tasks (managers)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import orjson
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from accord.actions.confidentiality import record_view
from accord.actions.queue import DraftRef
from accord.actions.tasks import MAX_DELETE, do_delete_tasks
from accord.actions.users import find_user
from accord.api.annotations import AnnotationOut, annotation_out
from accord.api.auth import AppSettings, CurrentCaller, Db
from accord.api.errors import errors
from accord.api.files import signed_data, signed_rows
from accord.api.policies import Can, access, may_review, project_for, task_for
from accord.api.schemas import In, shows_emails
from accord.models import Draft, Task
from accord.queries.annotations import annotations_of_task, predictions_of_task
from accord.queries.tasks import (
    Skip,
    TaskQuery,
    TaskRef,
    count_tasks,
    list_tasks,
    skip_counts,
    skips_by,
    skips_of_task,
    status_of,
)

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
    sensitive: bool = Field(
        default=False, description="Served only to annotators who opted in; shown blurred"
    )
    data_deleted: bool = Field(
        default=False, description="The data was deleted under the project's retention policy"
    )


class TaskRow(TaskOut):
    skips: int = Field(description="How many people skipped it")


class SkipOut(BaseModel):
    user_id: int
    name: str
    email: str | None = Field(
        description="Shown to the project's managers and admins, and for one's own skip"
    )
    reason: str
    at: dt.datetime = Field(description="When the task was skipped")


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
    skips: list[SkipOut] = Field(
        description="Who skipped it and why: everyone's for managers and reviewers; "
        "annotators see their own"
    )


class TaskPage(BaseModel):
    items: list[TaskRow]
    total: int = Field(description="Tasks matching the filters, in all")
    next_after: int | None = Field(description="Pass as `after` for the next page")


def _task_fields(task: Task | TaskRef, overlap: int, mine: int | None = None) -> dict[str, Any]:
    """``mine``: the caller's own submissions of the task, shown instead of everyone's (to
    annotators: others' counts would tell a gold task apart)."""
    if mine is None:
        status, count = status_of(task, overlap), task.n_submitted
    else:
        status, count = ("complete" if mine else "new"), mine
    return {
        "id": task.id,
        "project_id": task.project_id,
        "external_id": task.external_id,
        "data": orjson.loads(task.data),
        "status": status,
        "annotations": count,
        "created_at": task.created_at,
        "sensitive": task.sensitive,
        "data_deleted": getattr(task, "data_deleted_at", None) is not None,
    }


def task_out(task: Task | TaskRef, overlap: int, *, mine: int | None = None) -> TaskOut:
    return TaskOut(**_task_fields(task, overlap, mine))


def task_row(task: Task, overlap: int, skips: int) -> TaskRow:
    return TaskRow(**_task_fields(task, overlap), skips=skips)


def draft_out(draft: Draft | DraftRef | None) -> DraftOut | None:
    if draft is None:
        return None
    return DraftOut(
        result=orjson.loads(draft.result), seconds=draft.seconds, updated_at=draft.updated_at
    )


@router.get(
    "/projects/{project_id}/tasks",
    summary="Filter, sort and page a project's tasks",
    responses=errors(401, 403, 404, 422),
)
def get_tasks(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
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
    skipped: bool = Query(default=False, description="Only tasks someone skipped"),
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
            skipped=skipped,
            sort=sort,
        )
        tasks = list_tasks(session, project, query, offset=offset, after=after, limit=limit)
        skips = skip_counts(session, [t.id for t in tasks])
        page = TaskPage(
            items=[task_row(t, project.overlap, skips.get(t.id, 0)) for t in tasks],
            total=count_tasks(session, project, query),
            next_after=tasks[-1].id if len(tasks) == limit else None,
        )
    # media links signed (and thumbnails looked up) once the transaction is over
    datas = signed_rows([item.data for item in page.items], db, settings, project_id)
    for item, data in zip(page.items, datas, strict=True):
        item.data = data
    return page


@router.get(
    "/tasks/{task_id}",
    summary="A task with its annotations, predictions and draft",
    responses=errors(401, 404, 422),
)
def get_task(task_id: int, caller: CurrentCaller, db: Db, settings: AppSettings) -> TaskDetail:
    with db.read() as session:
        task, project, role = task_for(session, caller.user, task_id, Can.view)
        only = None if may_review(role) else caller.user.id
        annotations = annotations_of_task(session, task, only)
        predictions = predictions_of_task(session, task)
        out = task_out(task, project.overlap, mine=None if only is None else len(annotations))
        out.data = signed_data(out.data, db, settings, project_id=task.project_id)
        if project.access_log:  # the view recorded (short write; accord.actions.confidentiality)
            with db.write() as recording:
                record_view(recording, caller.user, project.id, task.id, "task")
        return TaskDetail(
            task=out,
            annotations=[
                annotation_out(a, author, caller.user.id, sees_emails=shows_emails(role))
                for a, author in annotations
            ],
            predictions=[
                PredictionOut(
                    model_version=p.model_version, score=p.score, result=orjson.loads(p.result)
                )
                for p in predictions
            ],
            draft=draft_out(session.get(Draft, (task.id, caller.user.id))),
            skips=[
                skip_out(s, caller.user.id, shows_emails(role))
                for s in skips_of_task(session, task.id, only)
            ],
        )


def skip_out(skip: Skip, caller_id: int, sees_emails: bool) -> SkipOut:
    return SkipOut(
        user_id=skip.user_id,
        name=skip.name,
        email=skip.email if sees_emails or skip.user_id == caller_id else None,
        reason=skip.reason,
        at=skip.at,
    )


class MySkip(BaseModel):
    id: int = Field(description="The skip's own id (for paging with `before`)")
    task_id: int
    external_id: str | None
    reason: str
    at: dt.datetime


class MySkips(BaseModel):
    items: list[MySkip]
    next_before: int | None = Field(description="Pass as `before` for the next (older) page")


@router.get(
    "/projects/{project_id}/skips/mine",
    summary="The tasks the caller skipped, and why",
    responses=errors(401, 404, 422),
)
def my_skips(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    before: int | None = Query(default=None, ge=1, description="Oldest id of the previous page"),
    limit: int = Query(default=50, ge=1, le=500),
) -> MySkips:
    with db.read() as session:
        access(session, caller.user, project_id, Can.view)
        rows = skips_by(session, project_id, caller.user.id, before=before, limit=limit)
        return MySkips(
            items=[
                MySkip(id=s.id, task_id=s.task_id, external_id=ext, reason=s.reason, at=s.at)
                for s, ext in rows
            ],
            next_before=rows[-1][0].id if len(rows) == limit else None,
        )


class TasksDelete(In):
    ids: list[int] = Field(
        min_length=1,
        description=f"Ids of the project's tasks to delete, at most {MAX_DELETE} per call",
    )


class TasksDeleted(BaseModel):
    deleted: int = Field(description="Tasks deleted")
    task_ids: list[int] = Field(description="Their ids")
    annotations: int = Field(description="Annotations deleted with them")
    missing: list[int] = Field(
        description="Ids sent that are no task of this project (deleted already, or never one)"
    )


@router.post(
    "/projects/{project_id}/tasks/delete",
    summary="Delete tasks with their annotations, drafts, skips and predictions (managers)",
    responses=errors(401, 403, 404, 413, 422),
)
def delete_tasks(project_id: int, body: TasksDelete, caller: CurrentCaller, db: Db) -> TasksDeleted:
    with db.write() as session:
        access(session, caller.user, project_id, Can.manage)
        done = do_delete_tasks(session, caller.user, project_id, body.ids)
    return TasksDeleted(
        deleted=len(done.task_ids),
        task_ids=done.task_ids,
        annotations=done.annotations,
        missing=done.missing,
    )
