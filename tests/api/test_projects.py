"""Projects: create, read with progress, change settings, and the guard on interface changes."""

from __future__ import annotations

import copy
import threading
import time
from typing import Any, cast

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from accord.actions import interfaces as interfaces_actions
from accord.actions import projects as projects_actions
from accord.api import projects as projects_api
from accord.db import Database
from accord.jobs import queue_settle
from accord.models import Project, Task
from tests.api.conftest import Api
from tests.factories import SIMPLE, add_tasks, make_project, make_user, texts

YAML = """
fields:
  - {name: text, kind: text}
questions:
  - {name: label, kind: choice, options: [pos, neg], required: true}
"""


def test_create_from_yaml_and_read_with_progress(db: Database, api: Api) -> None:
    owner, token = make_user(db, "owner@example.com", can_create_projects=True)
    me = api.as_(token)
    created = me.post("/projects", json={"name": " Reviews ", "interface": YAML, "overlap": 2})
    assert created.status_code == 201, created.text
    project = created.json()
    assert project["name"] == "Reviews" and project["role"] == "manager"
    assert project["interface"]["questions"][0]["options"] == [{"value": "pos"}, {"value": "neg"}]
    add_tasks(db, owner, project["id"], texts(3))
    read = me.get(f"/projects/{project['id']}").json()
    assert read["progress"] == {
        "tasks": 3,
        "new": 3,
        "in_progress": 0,
        "complete": 0,
        "annotations": 0,
        "mine": 0,
    }
    assert [p["id"] for p in me.get("/projects").json()] == [project["id"]]


def test_bad_interfaces_are_refused_with_the_path(db: Database, api: Api) -> None:
    _, token = make_user(db, "owner@example.com", can_create_projects=True)
    me = api.as_(token)
    cases = {
        "fields: [{name: t, kind: text}]\nquestions: [{name: q, kind: spans, target: nope, "
        "labels: [A]}]": "target 'nope' is not a field",
        "fields: [{name: t, kind: picture}]": "does not match any of the expected tags",
        "fields: [{name: t, kind: text}]\nquestions: [{name: q, kind: choice}]": (
            "questions[0].options"
        ),
        "fields: [{name: t, kind: text}\n": "not valid YAML or JSON",
    }
    for text, expected in cases.items():
        response = me.post("/projects", json={"name": "x", "interface": text})
        assert response.status_code == 422, text
        error = response.json()["error"]
        assert error["code"] == "invalid_interface"
        assert expected in error["message"] + str(error["details"]), (text, error)


def test_settings_change(db: Database, api: Api) -> None:
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner)
    me = api.as_(token)
    changed = me.patch(
        f"/projects/{project.id}",
        json={
            "name": "Renamed",
            "guidelines": "# Be kind",
            "overlap": 3,
            "order": "random",
            "lease_seconds": 120,
        },
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["name"], body["overlap"], body["order"], body["lease_seconds"]) == (
        "Renamed",
        3,
        "random",
        120,
    )
    assert body["guidelines_version"] == 2
    bad = me.patch(f"/projects/{project.id}", json={"overlap": 0})
    assert bad.status_code == 422


def test_overlap_change_reopens_tasks(db: Database, api: Api) -> None:
    owner, token = make_user(db, "owner@example.com")
    annotator, a = make_user(db, "a@example.com")
    project = make_project(db, owner, members={annotator: "annotator"})
    add_tasks(db, owner, project, texts(1))
    task = api.as_(a).post(f"/projects/{project.id}/next").json()["task"]
    api.as_(a).post(
        f"/tasks/{task['id']}/annotations", json={"result": {"label": {"choice": "pos"}}}
    )
    _, b = make_user(db, "b@example.com")
    api.as_(token).post(
        f"/projects/{project.id}/members", json={"email": "b@example.com", "role": "annotator"}
    )
    assert api.as_(b).post(f"/projects/{project.id}/next").json()["task"] is None
    api.as_(token).patch(f"/projects/{project.id}", json={"overlap": 2})
    assert api.as_(b).post(f"/projects/{project.id}/next").json()["task"]["id"] == task["id"]


def test_interface_change_that_orphans_annotations_is_refused(db: Database, api: Api) -> None:
    owner, token = make_user(db, "owner@example.com")
    annotator, a = make_user(db, "a@example.com")
    project = make_project(db, owner, members={annotator: "annotator"})
    add_tasks(db, owner, project, texts(2))
    task = api.as_(a).post(f"/projects/{project.id}/next").json()["task"]
    ann = (
        api.as_(a)
        .post(f"/tasks/{task['id']}/annotations", json={"result": {"label": {"choice": "neg"}}})
        .json()["annotation"]
    )
    me = api.as_(token)

    removed = copy.deepcopy(SIMPLE)
    removed["questions"] = [{"name": "other", "kind": "rating"}]
    refused = me.patch(f"/projects/{project.id}", json={"interface": removed})
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "interface_orphans"
    assert "orphan 1 annotations" in error["message"] and "'label' is removed" in error["message"]
    assert error["details"][0]["ids"] == [ann["id"]]

    narrowed = copy.deepcopy(SIMPLE)
    narrowed["questions"][0]["options"] = ["pos"]
    refused = me.patch(f"/projects/{project.id}", json={"interface": narrowed})
    assert refused.status_code == 409
    assert "do not fit the changed question" in refused.json()["error"]["message"]

    widened = copy.deepcopy(SIMPLE)
    widened["questions"][0]["options"] = ["pos", "neg", "neutral"]
    widened["questions"].append({"name": "note", "kind": "text"})
    accepted = me.patch(f"/projects/{project.id}", json={"interface": widened})
    assert accepted.status_code == 200, accepted.text
    assert len(accepted.json()["interface"]["questions"]) == 2


def test_interface_change_that_orphans_task_data_is_refused(db: Database, api: Api) -> None:
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner)
    add_tasks(db, owner, project, texts(2))
    renamed = copy.deepcopy(SIMPLE)
    renamed["fields"] = [{"name": "body", "kind": "text"}]
    refused = api.as_(token).patch(f"/projects/{project.id}", json={"interface": renamed})
    assert refused.status_code == 409
    assert "field 'text' is removed but tasks carry it" in refused.json()["error"]["message"]
    capped = copy.deepcopy(SIMPLE)
    capped["fields"] = [{"name": "text", "kind": "text", "max_length": 5}]
    refused = api.as_(token).patch(f"/projects/{project.id}", json={"interface": capped})
    assert refused.status_code == 409
    assert "does not fit the changed fields" in refused.json()["error"]["message"]


def test_delete(db: Database, api: Api) -> None:
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner)
    add_tasks(db, owner, project, texts(2))
    assert api.as_(token).delete(f"/projects/{project.id}").status_code == 200
    assert api.as_(token).get(f"/projects/{project.id}").status_code == 404


# -- settings changes never hold the write lock for long ---------------------------------------


def queue_state(db: Database, project_id: int) -> list[tuple[int, bool, int]]:
    with db.read() as session:
        rows = session.execute(
            select(Task.id, Task.is_open, Task.queue_key)
            .where(Task.project_id == project_id)
            .order_by(Task.id)
        )
        return [(i, bool(o), int(k)) for i, o, k in rows]


def test_overlap_and_order_changes_settle_the_queue_in_short_batches(
    db: Database, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An overlap or order change recomputes every task's queue fields in batches (a million
    tasks at once held the write lock for seconds); the project says when it is done."""
    monkeypatch.setattr(projects_actions, "SETTLE_BATCH", 2)
    writes: list[int] = []
    write = Database.write

    def counted(self: Database) -> Any:
        writes.append(1)
        return write(self)

    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner)
    add_tasks(db, owner, project, [{"id": f"t{i}", "text": "x", "priority": i} for i in range(7)])
    monkeypatch.setattr(Database, "write", counted)
    changed = api.as_(token).patch(f"/projects/{project.id}", json={"order": "priority"})
    assert changed.status_code == 200, changed.text
    assert len(writes) >= 1 + 4, "the settings, then four batches of at most two tasks"
    assert [k for _, _, k in queue_state(db, project.id)] == [-i for i in range(7)]
    api.as_(token).patch(f"/projects/{project.id}", json={"order": "sequential", "overlap": 3})
    assert {(o, k) for _, o, k in queue_state(db, project.id)} == {(True, 0)}
    with db.read() as session:
        assert session.get(Project, project.id).queue_pending_from is None  # type: ignore[union-attr]


def test_a_settle_longer_than_the_request_allows_goes_on_in_the_background(
    db: Database, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project of millions of tasks: the change is answered after `IN_REQUEST_SECONDS` of
    batches, the server's settler finishes the queue, and the queue never over-assigns
    meanwhile (see the test above for the order)."""
    monkeypatch.setattr(projects_actions, "SETTLE_BATCH", 2)
    monkeypatch.setattr(queue_settle, "IN_REQUEST_SECONDS", 0.0)  # nothing in the request
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner)
    add_tasks(db, owner, project, [{"id": f"t{i}", "text": "x", "priority": i} for i in range(7)])
    settler = cast(FastAPI, api.client.app).state.settler
    batches: list[int] = []
    settle_batch = projects_actions._settle_batch
    gate = threading.Event()

    def slow(db: Database, project_id: int) -> bool:
        gate.wait(10)  # the background waits until the request has been answered
        batches.append(project_id)
        return settle_batch(db, project_id)

    monkeypatch.setattr(projects_actions, "_settle_batch", slow)
    changed = api.as_(token).patch(f"/projects/{project.id}", json={"order": "priority"})
    assert changed.status_code == 200, changed.text
    assert batches == [], "the request did not wait for the batches"
    with db.read() as session:
        assert session.get(Project, project.id).queue_pending_from == 0  # type: ignore[union-attr]
    gate.set()
    deadline = time.monotonic() + 30
    while not settler.idle() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert settler.idle()
    assert len(batches) == 5, "four batches of at most two tasks, then the end"
    assert [k for _, _, k in queue_state(db, project.id)] == [-i for i in range(7)]
    with db.read() as session:
        assert session.get(Project, project.id).queue_pending_from is None  # type: ignore[union-attr]


def test_a_settle_a_stopped_server_left_half_done_is_finished(db: Database) -> None:
    owner, _ = make_user(db, "owner@example.com")
    project = make_project(db, owner, order="priority")
    add_tasks(db, owner, project, [{"id": f"t{i}", "text": "x", "priority": i} for i in range(5)])
    with db.write() as session:  # as a crash would leave it: settings changed, tasks not all
        fresh = session.get(Project, project.id)
        assert fresh is not None
        fresh.order, fresh.overlap = "sequential", 1
        third = sorted(i for i, _, _ in queue_state(db, project.id))[2]
        fresh.queue_pending_from = third
    projects_actions.settle_queues(db)
    keys = [k for _, _, k in queue_state(db, project.id)]
    assert keys == [0, -1, 0, 0, 0], "the two before the mark were settled before the stop"


def test_an_interface_check_runs_outside_the_write_lock_and_misses_nothing(
    db: Database, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check of every answer against a new interface runs before the write lock is taken;
    an answer submitted while it runs is checked again inside the write, and refused there."""
    owner, token = make_user(db, "owner@example.com")
    annotator, a = make_user(db, "a@example.com")
    project = make_project(db, owner, members={annotator: "annotator"})
    add_tasks(db, owner, project, texts(3))
    narrowed = copy.deepcopy(SIMPLE)
    narrowed["questions"][0]["options"] = ["pos"]
    check = interfaces_actions.check_interface_change
    during: list[int] = []

    def racing(session: Any, project: Any, new: Any, *, since: Any = None) -> None:
        check(session, project, new, since=since)
        if since is None and not during:  # the scan outside the lock: someone submits now
            task = api.as_(a).post(f"/projects/{project.id}/next").json()["task"]
            done = api.as_(a).post(
                f"/tasks/{task['id']}/annotations", json={"result": {"label": {"choice": "neg"}}}
            )
            during.append(done.status_code)

    monkeypatch.setattr(projects_api, "check_interface_change", racing)
    refused = api.as_(token).patch(f"/projects/{project.id}", json={"interface": narrowed})
    assert during == [201], "the annotator was not held up by the scan"
    assert refused.status_code == 409, refused.text
    assert "orphan 1 annotations" in refused.json()["error"]["message"]
