"""Projects: create, read with progress, change settings, and the guard on interface changes."""

from __future__ import annotations

import copy

from accord.db import Database
from tests.api.conftest import Api
from tests.factories import SIMPLE, add_tasks, make_project, make_user, texts

YAML = """
fields:
  - {name: text, kind: text}
questions:
  - {name: label, kind: choice, options: [pos, neg], required: true}
"""


def test_create_from_yaml_and_read_with_progress(db: Database, api: Api) -> None:
    owner, token = make_user(db, "owner@example.com")
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
    _, token = make_user(db, "owner@example.com")
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
