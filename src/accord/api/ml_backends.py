"""Model servers of a project (docs/ml_backends.md).

Managers (and admins) connect, change and remove them, check their health, start a batch
pre-labelling job and a retraining. ``POST /tasks/{id}/ml-predict`` is the annotate screen's
"Suggest": whoever may annotate or review the task asks the project's interactive backend for
an answer, with a context (a click, a box), within the backend's timeout (at most
`INTERACTIVE_SECONDS`); nothing is stored, the answer goes to the browser, which pre-fills
the questions with it. ``GET /projects/{id}/ml-suggest`` tells any member whether Suggest is
offered.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any, Literal

import orjson
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from accord.actions.ml_backends import (
    MAX_TITLE,
    MAX_TRAIN_EVERY,
    do_create_backend,
    do_delete_backend,
    do_record_health,
    do_update_backend,
)
from accord.api.auth import AppSettings, CurrentCaller, Db
from accord.api.errors import errors
from accord.api.jobs import JobOut, start_job
from accord.api.policies import Can, access, may_review, project_for, require, task_for
from accord.api.schemas import Deleted, In
from accord.db import Database
from accord.errors import AccordError, Conflict, Invalid, NotFound
from accord.jobs.ml_calls import (
    Backend,
    backend_of,
    check_health,
    media_links,
    own_address,
    predict,
)
from accord.jobs.ml_client import MAX_TIMEOUT, CallFailed
from accord.jobs.ml_predictions import MAX_BATCH
from accord.jobs.ml_protocols import TaskIn, image_context_problems
from accord.jobs.webhook_targets import MAX_URL, shown_url
from accord.models import MLBackend, User
from accord.queries.ml_backends import backend_in, backends_of, interactive_backend
from accord.settings import Settings

router = APIRouter(tags=["ml backends"])

INTERACTIVE_SECONDS = 10.0
MAX_TASK_IDS = 10_000
Protocol = Literal["labelstudio", "accord"]


class ModelUnavailable(AccordError):
    """The model server did not give a usable answer (down, slow, garbage, misfit)."""

    status = 502
    code = "model_unavailable"


class BackendIn(In):
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    url: str = Field(max_length=MAX_URL, description="The server's base URL (http or https)")
    protocol: Protocol = Field(
        default="labelstudio",
        description="labelstudio: Label Studio's ML backend protocol; accord: the native one",
    )
    enabled: bool = True
    interactive: bool = Field(
        default=False, description="Offered as Suggest in the annotate screen"
    )
    timeout_seconds: float = Field(default=30.0, ge=0.1, le=MAX_TIMEOUT)
    train_every: int = Field(
        default=0,
        ge=0,
        le=MAX_TRAIN_EVERY,
        description="Retrain every N new annotations (0: never)",
    )


class BackendChange(In):
    title: str | None = Field(default=None, min_length=1, max_length=MAX_TITLE)
    url: str | None = Field(default=None, max_length=MAX_URL)
    protocol: Protocol | None = None
    enabled: bool | None = None
    interactive: bool | None = None
    timeout_seconds: float | None = Field(default=None, ge=0.1, le=MAX_TIMEOUT)
    train_every: int | None = Field(default=None, ge=0, le=MAX_TRAIN_EVERY)


class BackendOut(BaseModel):
    id: int
    project_id: int
    title: str
    url: str
    protocol: str
    enabled: bool
    interactive: bool
    timeout_seconds: float
    train_every: int
    model_version: str = Field(description="As the server last named it (health, setup, train)")
    health: str = Field(description="unknown, up or down (the last check)")
    health_error: str = Field(description="Why the last check found it down")
    health_checked_at: dt.datetime | None
    trained_through: int = Field(description="Newest annotation id already sent for training")
    last_trained_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, b: MLBackend) -> BackendOut:
        return cls(
            id=b.id,
            project_id=b.project_id,
            title=b.title,
            url=shown_url(b.url),
            protocol=b.protocol,
            enabled=b.enabled,
            interactive=b.interactive,
            timeout_seconds=b.timeout_seconds,
            train_every=b.train_every,
            model_version=b.model_version,
            health=b.health,
            health_error=b.health_error,
            health_checked_at=b.health_checked_at,
            trained_through=b.trained_through,
            last_trained_at=b.last_trained_at,
            created_at=b.created_at,
            updated_at=b.updated_at,
        )


class PredictJobIn(In):
    task_ids: list[int] | None = Field(
        default=None, max_length=MAX_TASK_IDS, description="Only these tasks (default: all)"
    )
    batch_size: int = Field(default=16, ge=1, le=MAX_BATCH, description="Tasks per /predict call")
    open_only: bool = Field(
        default=False,
        description="Only the tasks the queue can still serve (what active learning reorders)",
    )


class SuggestIn(In):
    backend_id: int | None = Field(
        default=None, description="Default: the project's first enabled interactive backend"
    )
    context: dict[str, Any] | None = Field(
        default=None,
        description=(
            "What the person did: the answer so far (answer) and, drawn on an image, points "
            "and boxes (question, field, image, points, boxes: pixels), sent to Label Studio "
            "backends as params.context.result regions (docs/ml_backends.md)"
        ),
    )


class SuggestOut(BaseModel):
    backend_id: int
    model_version: str
    score: float | None
    result: dict[str, Any] = Field(description="An answer keyed by question name (not stored)")
    seconds: float


class SuggestOffer(BaseModel):
    available: bool
    backend_id: int | None = None
    title: str = ""


BASE = "/projects/{project_id}/ml-backends"
ONE = BASE + "/{backend_id}"


@router.get(BASE, summary="The project's ML backends", responses=errors(401, 403, 404, 422))
def list_backends(project_id: int, caller: CurrentCaller, db: Db) -> list[BackendOut]:
    with db.read() as session:
        access(session, caller.user, project_id, Can.manage)
        return [BackendOut.of(b) for b in backends_of(session, project_id)]


@router.post(
    BASE,
    summary="Connect a model server (Label Studio ML backend or Accord protocol)",
    status_code=201,
    responses=errors(401, 403, 404, 409, 413, 422),
)
def create_backend(
    project_id: int, body: BackendIn, caller: CurrentCaller, db: Db, settings: AppSettings
) -> BackendOut:
    with db.write() as session:
        access(session, caller.user, project_id, Can.manage)
        made = do_create_backend(
            session,
            caller.user,
            project_id,
            **body.model_dump(),
            allow_private=settings.webhook_allow_private,
        )
        return BackendOut.of(made)


@router.get(ONE, summary="An ML backend", responses=errors(401, 403, 404, 422))
def get_backend(project_id: int, backend_id: int, caller: CurrentCaller, db: Db) -> BackendOut:
    with db.read() as session:
        access(session, caller.user, project_id, Can.manage)
        return BackendOut.of(backend_in(session, project_id, backend_id))


@router.patch(ONE, summary="Change an ML backend", responses=errors(401, 403, 404, 413, 422))
def update_backend(
    project_id: int,
    backend_id: int,
    body: BackendChange,
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
) -> BackendOut:
    with db.write() as session:
        access(session, caller.user, project_id, Can.manage)
        backend = do_update_backend(
            session,
            caller.user,
            backend_in(session, project_id, backend_id, lock=True),
            body.model_dump(exclude_none=True),
            allow_private=settings.webhook_allow_private,
        )
        return BackendOut.of(backend)


@router.delete(ONE, summary="Disconnect an ML backend", responses=errors(401, 403, 404, 422))
def delete_backend(project_id: int, backend_id: int, caller: CurrentCaller, db: Db) -> Deleted:
    with db.write() as session:
        access(session, caller.user, project_id, Can.manage)
        do_delete_backend(session, caller.user, backend_in(session, project_id, backend_id))
    return Deleted()


def _managed(
    db: Database, settings: Settings, user: User, project_id: int, backend_id: int
) -> Backend:
    with db.read() as session:
        project, _ = project_for(session, user, project_id, Can.manage)
        return backend_of(backend_in(session, project_id, backend_id), project, settings)


def _recorded(db: Database, backend_id: int, up: bool, version: str, error: str) -> BackendOut:
    with db.write() as session:
        backend = do_record_health(session, backend_id, up=up, model_version=version, error=error)
        if backend is None:
            raise NotFound(f"ML backend {backend_id} was removed meanwhile")
        return BackendOut.of(backend)


@router.post(
    ONE + "/health",
    summary="Check the server now (GET /health; Label Studio: then POST /setup)",
    responses=errors(401, 403, 404, 422),
)
async def check_backend(
    project_id: int, backend_id: int, caller: CurrentCaller, db: Db, settings: AppSettings
) -> BackendOut:
    backend = await run_in_threadpool(_managed, db, settings, caller.user, project_id, backend_id)
    health = await check_health(backend)
    return await run_in_threadpool(
        _recorded, db, backend.id, health.up, health.model_version, health.error
    )


@router.post(
    ONE + "/predictions",
    status_code=202,
    summary="Pre-label the project's tasks through this backend, as a background job",
    responses=errors(401, 403, 404, 409, 413, 422),
)
def start_predictions(
    project_id: int,
    backend_id: int,
    body: PredictJobIn,
    request: Request,
    caller: CurrentCaller,
    db: Db,
) -> JobOut:
    with db.read() as session:
        access(session, caller.user, project_id, Can.manage)
        backend_in(session, project_id, backend_id)
    params: dict[str, Any] = {"backend_id": backend_id, "batch_size": body.batch_size}
    if body.task_ids is not None:
        params["task_ids"] = sorted(set(body.task_ids))
    if body.open_only:
        params["open_only"] = True
    return start_job(
        request, db, caller.user, project_id, "ml_predict", params, unit="tasks", single=True
    )


@router.post(
    ONE + "/train",
    status_code=202,
    summary="Send the project's annotations to the backend for retraining, as a job",
    responses=errors(401, 403, 404, 409, 422),
)
def start_training(
    project_id: int, backend_id: int, request: Request, caller: CurrentCaller, db: Db
) -> JobOut:
    with db.read() as session:
        access(session, caller.user, project_id, Can.manage)
        backend_in(session, project_id, backend_id)
    return start_job(
        request,
        db,
        caller.user,
        project_id,
        "ml_train",
        {"backend_id": backend_id},
        unit="annotations",
        single=True,
    )


# -- interactive -----------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/ml-suggest",
    summary="Whether the annotate screen offers Suggest (an enabled interactive backend)",
    responses=errors(401, 404, 422),
)
def suggest_offer(project_id: int, caller: CurrentCaller, db: Db) -> SuggestOffer:
    with db.read() as session:
        access(session, caller.user, project_id, Can.view)
        try:
            backend = interactive_backend(session, project_id)
        except Conflict:
            return SuggestOffer(available=False)
        return SuggestOffer(available=True, backend_id=backend.id, title=backend.title)


def _suggest_target(
    db: Database,
    settings: Settings,
    user: User,
    task_id: int,
    backend_id: int | None,
    context: dict[str, Any],
    base: str,
) -> tuple[Backend, TaskIn]:
    media = media_links(db, settings, base)
    with db.read() as session:
        task, project, role = task_for(session, user, task_id, Can.view)
        if not may_review(role):
            require(role, Can.annotate)
        row = interactive_backend(session, project.id, backend_id)
        backend = backend_of(row, project, settings, media)
    problems = image_context_problems(context, backend.interface)
    if problems:
        raise Invalid(
            "the points and boxes sent to the model are not right: " + "; ".join(problems),
            details=[{"path": "context", "message": p} for p in problems],
        )
    return backend, TaskIn(task.id, orjson.loads(task.data))


@router.post(
    "/tasks/{task_id}/ml-predict",
    summary="Ask the project's interactive model server for an answer to the task (Suggest)",
    responses=errors(401, 403, 404, 409, 413, 422, 502),
)
async def suggest(
    task_id: int,
    body: SuggestIn,
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
) -> SuggestOut:
    context = body.context or {}
    backend, task = await run_in_threadpool(
        _suggest_target,
        db,
        settings,
        caller.user,
        task_id,
        body.backend_id,
        context,
        own_address(settings),
    )
    started = time.perf_counter()
    seconds = min(backend.target.timeout, INTERACTIVE_SECONDS)
    try:
        [got] = await predict(backend, [task], context=context, timeout=seconds)
    except CallFailed as exc:
        raise ModelUnavailable(
            f"no suggestion from {backend.title}: {exc.message}; annotate without it",
            code=f"model_{exc.kind}",
        ) from None
    if not got.ok or got.result is None:
        raise ModelUnavailable(
            f"{backend.title}'s suggestion was not used: {got.error}; annotate without it",
            code="model_misfit",
        )
    return SuggestOut(
        backend_id=backend.id,
        model_version=got.model_version,
        score=got.score,
        result=got.result,
        seconds=round(time.perf_counter() - started, 3),
    )
