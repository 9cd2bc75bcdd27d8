"""Data-handling settings: exports by admins only, the access log and its retention, task data
deleted after export, watermark and copy settings as the task view reads them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from sqlalchemy import select, update

from accord.db import Database
from accord.db.types import utcnow
from accord.jobs.retention import apply_retention
from accord.models import Annotation, AuditEvent, Job, Project, Task, User
from tests.api.conftest import Api
from tests.factories import SIMPLE, add_tasks, make_project, make_user, texts

POS = {"label": {"choice": "pos"}}


def world(db: Database, api: Api, **settings: Any) -> tuple[Project, Api, Api, Api]:
    manager, manager_token = make_user(db, "lead@example.com")
    annotator, token = make_user(db, "ann@example.com")
    reviewer, reviewer_token = make_user(db, "rev@example.com")
    project = make_project(
        db, manager, SIMPLE, members={annotator: "annotator", reviewer: "reviewer"}
    )
    add_tasks(db, manager, project, texts(3))
    lead = api.as_(manager_token)
    if settings:
        changed = lead.patch(f"/projects/{project.id}/handling", json=settings)
        assert changed.status_code == 200, changed.text
    return project, lead, api.as_(token), api.as_(reviewer_token)


def annotate_all(annotator: Api, project: Project) -> list[int]:
    done = []
    while (got := annotator.post(f"/projects/{project.id}/next").json())["task"] is not None:
        task_id = got["task"]["id"]
        response = annotator.post(f"/tasks/{task_id}/annotations", json={"result": POS})
        assert response.status_code == 201, response.text
        done.append(task_id)
    return done


def test_settings_read_by_members_changed_by_managers(db: Database, api: Api) -> None:
    project, manager, annotator, _ = world(db, api)
    assert annotator.get(f"/projects/{project.id}/handling").json()["watermark"] is False
    refused = annotator.patch(f"/projects/{project.id}/handling", json={"watermark": True})
    assert refused.status_code == 403
    bad = manager.patch(f"/projects/{project.id}/handling", json={"retention_days": -1})
    assert bad.status_code == 422 and "retention_days" in bad.text
    unknown = manager.patch(f"/projects/{project.id}/handling", json={"colour": "red"})
    assert unknown.status_code == 422
    changed = manager.patch(
        f"/projects/{project.id}/handling", json={"watermark": True, "block_copy": True}
    ).json()
    assert changed["watermark"] and changed["block_copy"]
    got = annotator.post(f"/projects/{project.id}/next").json()
    handling = annotator.get(f"/tasks/{got['task']['id']}/handling").json()
    assert handling["watermark"] and handling["block_copy"]
    assert handling["viewer"]["email"] == "ann@example.com"
    audit = manager.get(f"/projects/{project.id}/audit").json()["items"]
    changes = [e for e in audit if e["action"] == "project.handling"]
    assert changes[0]["after"] == {"watermark": True, "block_copy": True}


def test_export_refused_to_managers_when_admins_only(db: Database, api: Api, admin: Api) -> None:
    project, manager, _, _ = world(db, api, export_admins_only=True)
    streamed = manager.get(f"/projects/{project.id}/export")
    assert streamed.status_code == 403
    error = streamed.json()["error"]
    assert error["code"] == "export_admins_only" and "admins only" in error["message"]
    job = manager.post(f"/projects/{project.id}/exports", json={"format": "jsonl"})
    assert job.status_code == 403
    assert admin.get(f"/projects/{project.id}/export").status_code == 200
    manager.patch(f"/projects/{project.id}/handling", json={"export_admins_only": False})
    assert manager.get(f"/projects/{project.id}/export").status_code == 200


def test_access_log_records_views(db: Database, api: Api) -> None:
    project, manager, annotator, reviewer = world(db, api, access_log=True)
    assert manager.patch(f"/projects/{project.id}", json={"review_share": 1}).status_code == 200
    got = annotator.post(f"/projects/{project.id}/next").json()
    task_id = got["task"]["id"]
    annotator.post(f"/projects/{project.id}/next")  # the held task again: viewed again
    assert manager.get(f"/tasks/{task_id}").status_code == 200
    annotator.post(f"/tasks/{task_id}/annotations", json={"result": POS})
    review = reviewer.post(f"/projects/{project.id}/reviews/next").json()
    assert review["task"]["id"] == task_id
    log = manager.get(f"/projects/{project.id}/access-log", params={"task_id": task_id}).json()
    seen = [(v["email"], v["where"]) for v in reversed(log["items"])]
    assert seen == [
        ("ann@example.com", "annotate"),
        ("ann@example.com", "annotate"),
        ("lead@example.com", "task"),
        ("rev@example.com", "review"),
    ]
    assert annotator.get(f"/projects/{project.id}/access-log").status_code == 403


def test_no_access_log_unless_asked(db: Database, api: Api) -> None:
    project, manager, annotator, _ = world(db, api)
    annotate_all(annotator, project)
    assert manager.get(f"/projects/{project.id}/access-log").json()["items"] == []


def test_access_log_retention_purges_old_views(db: Database, api: Api) -> None:
    project, manager, annotator, _ = world(db, api, access_log=True, access_log_days=7)
    annotate_all(annotator, project)
    with db.write() as session:
        first = session.scalars(
            select(AuditEvent.id).where(AuditEvent.action == "task.view").order_by(AuditEvent.id)
        ).first()
        session.execute(
            update(AuditEvent)
            .where(AuditEvent.id == first)
            .values(at=utcnow() - dt.timedelta(days=8))
        )
    assert apply_retention(db) == (1, 0)
    log = manager.get(f"/projects/{project.id}/access-log").json()["items"]
    assert len(log) == 2 and first not in {v["id"] for v in log}


def test_retention_deletes_exported_task_data_keeps_annotations(db: Database, api: Api) -> None:
    project, manager, annotator, _ = world(db, api, retention_days=30)
    done = annotate_all(annotator, project)
    assert apply_retention(db) == (0, 0)  # never exported
    assert manager.get(f"/projects/{project.id}/export").status_code == 200
    assert apply_retention(db) == (0, 0)  # exported, but not 30 days ago
    with db.read() as session:
        owner = session.get(User, project.created_by)
    assert owner is not None
    add_tasks(db, owner, project, texts(1, "late"))
    with db.write() as session:  # the export happened 31 days ago, before the late task
        session.execute(
            update(AuditEvent)
            .where(AuditEvent.action == "project.export")
            .values(at=utcnow() - dt.timedelta(days=31))
        )
        session.execute(
            update(Task)
            .where(Task.id.in_(done))
            .values(created_at=utcnow() - dt.timedelta(days=40))
        )
    assert apply_retention(db) == (0, 3)
    with db.read() as session:
        tasks = {t.id: t for t in session.scalars(select(Task))}
        annotations = list(session.scalars(select(Annotation)))
    assert all(tasks[i].data == "{}" and tasks[i].data_deleted_at for i in done)
    late = [t for t in tasks.values() if t.id not in done]
    assert orjson.loads(late[0].data)["text"] == "task number 0" and not late[0].data_deleted_at
    assert len(annotations) == 3 and all(orjson.loads(a.result) == POS for a in annotations)
    shown = manager.get(f"/tasks/{done[0]}").json()["task"]
    assert shown["data_deleted"] is True and shown["data"] == {}
    assert apply_retention(db) == (0, 0)  # done already


def test_retention_counts_export_jobs(db: Database, api: Api) -> None:
    project, _, annotator, _ = world(db, api, retention_days=1)
    annotate_all(annotator, project)
    long_ago = utcnow() - dt.timedelta(days=2)
    with db.write() as session:
        session.add(
            Job(
                project_id=project.id,
                kind="export",
                state="succeeded",
                created_at=long_ago,
                finished_at=long_ago,
            )
        )
        session.execute(update(Task).values(created_at=long_ago - dt.timedelta(hours=1)))
    assert apply_retention(db) == (0, 3)
