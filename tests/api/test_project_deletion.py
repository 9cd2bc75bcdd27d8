"""Deleting a project: gone for everyone at once, its rows removed in short batches behind."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

import accord.actions.imports as imports
import accord.jobs.purge as purge_job
from accord.actions.projects import do_delete_project
from accord.actions.purge import do_purge_step
from accord.api.app import create_app
from accord.db import Database
from accord.models import (
    Annotation,
    AnnotationVersion,
    Assignment,
    AuditEvent,
    Import,
    Membership,
    Prediction,
    ProgressCount,
    Project,
    Task,
)
from accord.settings import Settings
from tests.api.conftest import Api
from tests.factories import RICH, add_tasks, assert_counts_match, make_project, make_user, texts

ANSWER = {"result": {"label": {"choice": "pos"}}}


def rows_of(db: Database, project_id: int) -> dict[str, int]:
    """How many rows of each table still belong to the project."""
    counted = {}
    with db.read() as session:
        for model in (Task, Annotation, Assignment, Prediction, Membership, Import, ProgressCount):
            query = select(func.count()).select_from(model).where(model.project_id == project_id)
            counted[model.__tablename__] = int(session.scalar(query) or 0)
        counted["projects"] = int(
            session.scalar(
                select(func.count()).select_from(Project).where(Project.id == project_id)
            )
            or 0
        )
    return counted


def busy_project(db: Database, tasks: int = 30) -> tuple[Any, str, Project, str]:
    """A project with tasks, predictions, annotations, versions, leases and history."""
    owner, owner_token = make_user(db, "owner@example.com")
    annotator, token = make_user(db, "ann@example.com")
    project = make_project(db, owner, RICH, members={annotator: "annotator"})
    prediction = {"model_version": "m", "result": {"label": {"choice": "neg"}}}
    add_tasks(
        db,
        owner,
        project,
        [
            {"text": f"t{i}", "responses": ["a", "b"], "predictions": [prediction]}
            for i in range(tasks)
        ],
    )
    return owner, owner_token, project, token


def work_on(api: Api, project_id: int, times: int) -> None:
    for _ in range(times):
        task = api.post(f"/projects/{project_id}/next").json()["task"]
        assert task is not None
        response = api.post(f"/tasks/{task['id']}/annotations", json=ANSWER)
        assert response.status_code == 201, response.text
    api.post(f"/projects/{project_id}/next")  # and one lease held


def test_a_deleted_project_is_gone_at_once_for_everyone(
    db: Database, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(purge_job.Purger, "wake", lambda self: None)  # rows stay, for now
    _, owner_token, project, token = busy_project(db)
    _, admin_token = make_user(db, "admin@example.com", admin=True)
    work_on(api.as_(token), project.id, 2)
    assert api.as_(owner_token).delete(f"/projects/{project.id}").status_code == 200

    assert rows_of(db, project.id)["tasks"] == 30  # still there: removed in the background
    for who in (owner_token, token, admin_token):
        me = api.as_(who)
        assert me.get(f"/projects/{project.id}").status_code == 404
        assert me.post(f"/projects/{project.id}/next").status_code == 404
        assert me.get(f"/projects/{project.id}/tasks").status_code == 404
        assert project.id not in [p["id"] for p in me.get("/projects").json()]
    with db.read() as session:
        some_task = session.scalar(select(Task.id).where(Task.project_id == project.id))
    assert api.as_(admin_token).get(f"/tasks/{some_task}").status_code == 404
    assert api.as_(owner_token).delete(f"/projects/{project.id}").status_code == 404
    imported = api.as_(owner_token).post(
        f"/projects/{project.id}/imports", params={"format": "jsonl"}, content=b'{"text": "a"}\n'
    )
    assert imported.status_code == 404


def test_rows_go_in_short_batches_and_counters_stay_true(db: Database, api: Api) -> None:
    owner, _, project, token = busy_project(db, tasks=25)
    work_on(api.as_(token), project.id, 4)
    with db.write() as session:
        do_delete_project(session, owner, session.get(Project, project.id))
    steps = 0
    while True:
        with db.write() as session:
            more = do_purge_step(session, project.id, batch=3)
        steps += 1
        if not more:
            break
        with db.read() as session:
            exists = session.get(Project, project.id) is not None
        if exists:
            assert_counts_match(db, project.id)
    assert steps > 10, "removed a few rows at a time"
    assert rows_of(db, project.id) == dict.fromkeys(
        (
            "tasks",
            "annotations",
            "assignments",
            "predictions",
            "memberships",
            "imports",
            "progress_counts",
            "projects",
        ),
        0,
    )
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(AnnotationVersion)) == 0
        events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert {e.action for e in events} >= {"project.delete", "project.purge", "annotation.submit"}
    assert all(e.project_id is None for e in events), "history is kept, detached"


def test_annotators_elsewhere_work_while_rows_are_removed(
    db: Database, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, owner_token, project, _ = busy_project(db, tasks=20)
    lead, _ = make_user(db, "lead@example.com")
    other_annotator, other_token = make_user(db, "other@example.com")
    other = make_project(db, lead, members={other_annotator: "annotator"})
    add_tasks(db, lead, other, texts(5))
    monkeypatch.setattr(purge_job.Purger, "wake", lambda self: None)
    monkeypatch.setattr(purge_job, "BATCH", 5)
    reached, go_on = threading.Event(), threading.Event()

    class HeldBetweenBatches:
        """The purge's pause between two transactions, held after the third batch."""

        pauses = 0

        @classmethod
        def sleep(cls, seconds: float) -> None:
            cls.pauses += 1
            if cls.pauses == 3:
                reached.set()
                assert go_on.wait(60)

    monkeypatch.setattr(purge_job, "time", HeldBetweenBatches)
    assert api.as_(owner_token).delete(f"/projects/{project.id}").status_code == 200
    worker = threading.Thread(target=purge_job.purge_all, args=(db,), daemon=True)
    worker.start()
    try:
        assert reached.wait(60)
        left = rows_of(db, project.id)
        assert 0 < left["predictions"] + left["tasks"] < 40, left  # partly removed
        me = api.as_(other_token)
        for _ in range(2):
            task = me.post(f"/projects/{other.id}/next").json()["task"]
            assert me.post(f"/tasks/{task['id']}/annotations", json=ANSWER).status_code == 201
    finally:
        go_on.set()
        worker.join(60)
    assert rows_of(db, project.id)["projects"] == 0
    assert_counts_match(db, other.id)


def test_a_restart_resumes_the_removal(settings: Settings, db: Database) -> None:
    owner, _, project, _ = busy_project(db, tasks=10)
    with db.write() as session:
        do_delete_project(session, owner, session.get(Project, project.id))
    assert rows_of(db, project.id)["tasks"] == 10
    with TestClient(create_app(settings, db)) as client:  # a server starting
        deadline = time.monotonic() + 60
        while rows_of(db, project.id)["projects"]:
            assert time.monotonic() < deadline, "the removal did not resume"
            time.sleep(0.05)
        assert client.get("/api/health").status_code == 200
    assert sum(rows_of(db, project.id).values()) == 0


def test_delete_in_the_api_removes_everything_in_the_background(db: Database, api: Api) -> None:
    _, owner_token, project, token = busy_project(db, tasks=10)
    work_on(api.as_(token), project.id, 2)
    assert api.as_(owner_token).delete(f"/projects/{project.id}").status_code == 200
    deadline = time.monotonic() + 60
    while rows_of(db, project.id)["projects"]:
        assert time.monotonic() < deadline, "the rows were never removed"
        time.sleep(0.05)
    assert sum(rows_of(db, project.id).values()) == 0


def test_an_import_into_a_project_deleted_meanwhile_leaves_nothing(
    db: Database, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner, owner_token = make_user(db, "owner@example.com")
    project = make_project(db, owner)
    reached, go_on = threading.Event(), threading.Event()
    real_rows = imports.checked_rows

    def held_rows(*args: Any, **kwargs: Any) -> Any:
        for i, row in enumerate(real_rows(*args, **kwargs)):
            if i == 5:
                reached.set()
                assert go_on.wait(60)
            yield row

    monkeypatch.setattr(imports, "checked_rows", held_rows)
    body = b"".join(b'{"text": "row %d"}\n' % i for i in range(20))
    out: list[Any] = []
    url = f"/projects/{project.id}/imports"
    worker = threading.Thread(
        target=lambda: out.append(
            api.as_(owner_token).post(url, params={"format": "jsonl"}, content=body)
        )
    )
    worker.start()
    try:
        assert reached.wait(60)
        assert api.as_(owner_token).delete(f"/projects/{project.id}").status_code == 200
    finally:
        go_on.set()
        worker.join(60)
    assert out[0].status_code == 409, out[0].text
    assert "the project was deleted during import" in out[0].json()["error"]["message"]
    deadline = time.monotonic() + 60
    while rows_of(db, project.id)["projects"]:
        assert time.monotonic() < deadline, "the rows were never removed"
        time.sleep(0.05)
    assert sum(rows_of(db, project.id).values()) == 0
    assert not list((db_dir(api) / "imports").glob("*.sqlite"))


def db_dir(api: Api) -> Any:
    settings: Settings = api.client.app.state.settings  # type: ignore[attr-defined]
    return settings.data_dir
