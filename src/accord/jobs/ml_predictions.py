"""Background work with a project's model servers (docs/ml_backends.md).

- ``ml_predict``: pre-labels the project's tasks (or the given ``task_ids``) through one
  backend, ``batch_size`` tasks per ``POST /predict``. Each task's answer is checked against
  the interface; what fits is stored as a prediction with its model version and score, and
  every task without one (the server down, slow, answering garbage or shapes that do not fit)
  gets a line in the job's log saying why; the job goes on. After `DOWN_BATCHES` batches in a
  row that the server did not answer at all, the job stops (failed) saying where it stopped:
  a server that is down would otherwise hold a worker for every batch's timeout. The calls run
  outside any transaction; each batch's outcome is written in one short transaction, with how
  far the job got, so a retry goes on from there. A task's earlier prediction of the same model
  version is replaced: running the job again stores each task's prediction once.
- ``ml_train``: sends the project's annotations (the newest `TRAIN_ANNOTATIONS`) to the
  backend as a training event. `TrainingTrigger`, run by the job runner about every
  `TRIGGER_SECONDS`, starts it for each enabled backend with ``train_every`` new annotations
  since it was last sent them: never inside a request.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import func, select

from accord.actions.active_learning import is_learning
from accord.actions.active_learning import settle as settle_learning
from accord.actions.jobs import do_log_job, do_note_job, do_start_job
from accord.actions.ml_backends import do_mark_trained, do_record_health, do_store_predictions
from accord.db import Database
from accord.errors import Conflict, Invalid, NotFound
from accord.formats.labelstudio_tasks import ls_data
from accord.jobs.ml_calls import Backend, backend_of, check_health, media_links, predict, train
from accord.jobs.ml_client import CallFailed, run
from accord.jobs.ml_protocols import Predicted, TaskIn, ls_regions
from accord.jobs.runner import JobContext, job_handler
from accord.models import Annotation, MLBackend, Project, Task
from accord.queries.ml_backends import due_for_training
from accord.settings import Settings

if TYPE_CHECKING:
    from accord.jobs.runner import JobRunner

log = logging.getLogger("accord.ml")

BATCH_SIZE = 16
MAX_BATCH = 100
DOWN_BATCHES = 5
FAILURES_KEPT = 50  # in the job's result (every one is in its log, up to the log's limit)
TRAIN_ANNOTATIONS = 1000
TRIGGER_SECONDS = 10.0


def _backend(db: Database, settings: Settings, project_id: int, backend_id: int) -> Backend:
    media = media_links(db, settings)  # links a model server can GET (ACCORD_PUBLIC_URL)
    with db.read() as session:
        row = session.get(MLBackend, backend_id)
        project = session.get(Project, project_id)
        if row is None or row.project_id != project_id or project is None:
            raise NotFound(f"ML backend {backend_id} was removed from project {project_id}")
        if project.deleted_at is not None:
            raise NotFound(f"project {project_id} was deleted")
        if not row.enabled:
            raise Invalid(f"ML backend {backend_id} ({row.title}) is disabled; enable it first")
        return backend_of(row, project, settings, media)


def _checked_up(context: JobContext, backend: Backend) -> Backend:
    """The backend after a health check (and, for Label Studio, its /setup): its model
    version as the server names it. A failed check is logged; the batches then say more."""
    health = run(check_health(backend))
    with context.db.write() as session:
        do_record_health(
            session,
            backend.id,
            up=health.up,
            model_version=health.model_version,
            error=health.error,
        )
    if not health.up:
        context.log(f"health check of {backend.title}: {health.error}")
        return backend
    if health.model_version:
        return replace(backend, model_version=health.model_version)
    return backend


def _which(project_id: int, only: list[int] | None, open_only: bool) -> list[Any]:
    """The tasks a prediction job asks about: the project's (with their data), or the given
    ones, or those the queue can still serve (``open_only``: after a retraining)."""
    where = [Task.project_id == project_id, Task.data_deleted_at.is_(None)]
    if only is not None:
        where.append(Task.id.in_(only))
    if open_only:
        where.append(Task.is_open.is_(True))
    return where


def _next_tasks(
    db: Database, project_id: int, after: int, size: int, where: list[Any]
) -> list[TaskIn]:
    with db.read() as session:
        query = select(Task.id, Task.data).where(*where, Task.id > after)
        rows = session.execute(query.order_by(Task.id).limit(size)).all()
    return [TaskIn(int(r[0]), orjson.loads(r[1])) for r in rows]


def _total(db: Database, where: list[Any]) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).where(*where)) or 0)


def _params(context: JobContext) -> tuple[int, int, list[Any]]:
    params = context.params
    size = int(params.get("batch_size") or BATCH_SIZE)
    only = params.get("task_ids")
    where = _which(
        context.project_id,
        [int(t) for t in only] if only is not None else None,
        bool(params.get("open_only")),
    )
    return int(params["backend_id"]), max(1, min(size, MAX_BATCH)), where


@job_handler("ml_predict")
def ml_predict_job(context: JobContext) -> dict[str, Any]:
    backend_id, size, where = _params(context)
    backend = _backend(context.db, context.settings, context.project_id, backend_id)
    total = _total(context.db, where)
    context.progress(0, total, unit="tasks", phase=f"checking {backend.title}")
    backend = _checked_up(context, backend)
    notes = context.notes
    after, done = int(notes.get("after", 0)), int(notes.get("done", 0))
    stored, failed = int(notes.get("stored", 0)), int(notes.get("failed", 0))
    failures: list[dict[str, Any]] = list(notes.get("failures", []))
    down = 0
    while tasks := _next_tasks(context.db, context.project_id, after, size, where):
        context.progress(done, total, phase=f"asking {backend.title}")
        outcomes, why = _ask(backend, tasks)
        down = down + 1 if why is not None and why.down else 0
        bad = [p for p in outcomes if not p.ok]
        after, done = tasks[-1].id, done + len(tasks)
        failed += len(bad)
        room = FAILURES_KEPT - len(failures)
        failures += [{"task_id": p.task_id, "error": p.error} for p in bad[: max(room, 0)]]
        with context.db.write() as session:
            stored += do_store_predictions(session, context.project_id, outcomes)
            if why is not None:
                do_log_job(session, context.job_id, f"tasks {tasks[0].id}-{after}: {why.message}")
            else:
                for p in bad:
                    do_log_job(session, context.job_id, f"task {p.task_id}: {p.error}")
            values = {
                "after": after,
                "done": done,
                "stored": stored,
                "failed": failed,
                "failures": failures,
            }
            do_note_job(session, context.job_id, context.attempt, values)
        context.notes.update(values)
        context.progress(done, total)
        if down >= DOWN_BATCHES and why is not None:
            raise Invalid(
                f"{backend.title} did not answer {DOWN_BATCHES} batches in a row "
                f"({why.message}); stopped after task {after} with {stored} predictions stored "
                f"and {max(total - done, 0)} tasks not tried: start the job again once it is up"
            )
    if stored:
        context.progress(done, total, phase="ordering the queue")
        settle_learning(context.db, context.project_id)  # active learning orders only
    return {
        "backend_id": backend.id,
        "model_version": backend.model_version or backend.title,
        "tasks": done,
        "stored": stored,
        "failed": failed,
        "failures": failures,
    }


def _ask(backend: Backend, tasks: list[TaskIn]) -> tuple[list[Predicted], CallFailed | None]:
    """Each task's outcome; when the call as a whole failed, every task fails with its
    message (and the failure is returned too)."""
    try:
        return run(predict(backend, tasks)), None
    except CallFailed as exc:
        return [Predicted(t.id, error=exc.message) for t in tasks], exc


# -- training ---------------------------------------------------------------------------------


def _annotations(db: Database, project_id: int, through: int) -> list[dict[str, Any]]:
    """The newest `TRAIN_ANNOTATIONS` annotations up to id ``through``, oldest first."""
    with db.read() as session:
        rows = session.execute(
            select(
                Annotation.id,
                Annotation.task_id,
                Annotation.user_id,
                Annotation.result,
                Annotation.version,
                Annotation.created_at,
                Annotation.updated_at,
                Task.data,
            )
            .join(Task, Task.id == Annotation.task_id)
            .where(Annotation.project_id == project_id, Annotation.id <= through)
            .order_by(Annotation.id.desc())
            .limit(TRAIN_ANNOTATIONS)
        ).all()
    return [
        {
            "id": r[0],
            "task_id": r[1],
            "user_id": r[2],
            "result": orjson.loads(r[3]),
            "version": r[4],
            "created_at": _iso(r[5]),
            "updated_at": _iso(r[6]),
            "data": orjson.loads(r[7]),
        }
        for r in reversed(rows)
    ]


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def train_event(
    backend: Backend, project_name: str, annotations: list[dict[str, Any]]
) -> dict[str, Any]:
    """What ``/train`` (Accord) or ``/webhook`` (Label Studio) receives."""
    if not backend.labelstudio:
        return {
            "event": "annotations",
            "project_id": backend.project_id,
            "interface": dict(backend.interface_json),
            "annotations": [
                {k: a[k] for k in ("id", "task_id", "data", "result", "created_at", "updated_at")}
                for a in annotations
            ],
        }
    ls = [_ls_annotation(backend, a) for a in annotations]
    newest = annotations[-1] if annotations else None
    event: dict[str, Any] = {
        "action": "ANNOTATION_UPDATED"
        if newest and newest["version"] > 1
        else "ANNOTATION_CREATED",
        "project": {
            "id": backend.project_id,
            "title": project_name,
            "label_config": backend.schema(),
        },
        "annotations": ls,  # Accord's addition: the annotations to train on, newest last
    }
    if newest is not None:
        event["task"] = ls[-1]["task"]
        event["annotation"] = ls[-1]
    return event


def _ls_annotation(backend: Backend, a: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": a["id"],
        "task": {"id": a["task_id"], "data": ls_data(backend.interface, a["data"])},
        "result": ls_regions(backend.interface, a["result"], a["data"]),
        "accord_result": a["result"],
        "completed_by": a["user_id"],
        "created_at": a["created_at"],
        "updated_at": a["updated_at"],
        "was_cancelled": False,
    }


@job_handler("ml_train")
def ml_train_job(context: JobContext) -> dict[str, Any]:
    backend_id = int(context.params["backend_id"])
    backend = _backend(context.db, context.settings, context.project_id, backend_id)
    with context.db.read() as session:
        through = int(
            context.params.get("through")
            or session.scalar(
                select(func.max(Annotation.id)).where(Annotation.project_id == context.project_id)
            )
            or 0
        )
        project = session.get(Project, context.project_id)
        name = project.name if project is not None else ""
    annotations = _annotations(context.db, context.project_id, through)
    context.progress(0, len(annotations), unit="annotations", phase=f"sending to {backend.title}")
    try:
        version = run(train(backend, train_event(backend, name, annotations)))
    except CallFailed as exc:
        with context.db.write() as session:  # not asked again for these: the next N count
            do_mark_trained(session, backend.id, through)
        raise Invalid(f"{backend.title} was not retrained: {exc.message}") from None
    with context.db.write() as session:
        do_mark_trained(session, backend.id, through, version)
    context.progress(len(annotations), len(annotations))
    return {
        "backend_id": backend.id,
        "annotations": len(annotations),
        "through": through,
        "model_version": version,
        "predict_job_id": _predict_again(context, backend.id),
    }


def _predict_again(context: JobContext, backend_id: int) -> int | None:
    """In an active learning order, the retrained model predicts the tasks the queue can still
    serve, so that the order follows the new model: the id of that job (None: not needed, or
    one is already queued or running)."""
    try:
        with context.db.write() as session:
            project = session.get(Project, context.project_id)
            backend = session.get(MLBackend, backend_id)
            if project is None or not is_learning(project.order):
                return None
            if backend is None or not backend.enabled:
                return None
            job = do_start_job(
                session,
                None,
                context.project_id,
                "ml_predict",
                {"backend_id": backend_id, "open_only": True},
                unit="tasks",
                single=True,
            )
            job_id = job.id
    except Conflict:
        return None
    context.runner.send(job_id)
    return job_id


class TrainingTrigger:
    """Called by the job runner every second; every `TRIGGER_SECONDS`, starts an
    ``ml_train`` job for each backend with ``train_every`` new annotations."""

    def __init__(self) -> None:
        self._next = 0.0

    def __call__(self, runner: JobRunner) -> None:
        if time.monotonic() < self._next:
            return
        self._next = time.monotonic() + TRIGGER_SECONDS
        start_due_training(runner)


def start_due_training(runner: JobRunner) -> list[int]:
    """Start the training jobs due now; their ids."""
    with runner.db.read() as session:
        due = due_for_training(session)
    started: list[int] = []
    for backend_id, project_id, through in due:
        try:
            with runner.db.write() as session:
                job = do_start_job(
                    session,
                    None,
                    project_id,
                    "ml_train",
                    {"backend_id": backend_id, "through": through},
                    unit="annotations",
                    single=True,
                )
                started.append(job.id)
        except Conflict:
            continue  # a training job of the project is queued or running
    for job_id in started:
        runner.send(job_id)
    return started
