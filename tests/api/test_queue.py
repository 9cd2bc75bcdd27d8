"""The annotator's loop: next, draft, skip, submit, edit; overlap and lease expiry."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from accord.db import Database
from accord.models import Assignment, Task
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user, texts


def setup(db: Database, overlap: int = 1, count: int = 3, interface: dict | None = None):
    owner, owner_token = make_user(db, "owner@example.com")
    annotators = [make_user(db, f"a{i}@example.com") for i in range(3)]
    project = make_project(
        db,
        owner,
        interface,
        overlap=overlap,
        members={user: "annotator" for user, _ in annotators},
    )
    add_tasks(db, owner, project, texts(count))
    return project, owner_token, [token for _, token in annotators]


def test_next_leases_tasks_in_order_and_returns_the_held_one(db: Database, api: Api) -> None:
    project, _, (a, b, _) = setup(db)
    first = api.as_(a).post(f"/projects/{project.id}/next").json()
    assert first["task"]["external_id"] == "t0"
    assert first["task"]["data"] == {"text": "task number 0"}
    again = api.as_(a).post(f"/projects/{project.id}/next").json()
    assert again["task"]["id"] == first["task"]["id"], "the held lease comes back"
    other = api.as_(b).post(f"/projects/{project.id}/next").json()
    assert other["task"]["external_id"] == "t1", "overlap 1: nobody else gets t0"


def test_submit_then_next_and_nothing_left(db: Database, api: Api) -> None:
    project, _, (a, _, _) = setup(db, count=2)
    me = api.as_(a)
    seen = []
    while (task := me.post(f"/projects/{project.id}/next").json()["task"]) is not None:
        seen.append(task["external_id"])
        response = me.post(
            f"/tasks/{task['id']}/annotations",
            json={"result": {"label": {"choice": "pos"}}, "seconds": 3.5},
        )
        assert response.status_code == 201, response.text
        assert response.json()["annotation"]["seconds"] == 3.5
    assert seen == ["t0", "t1"]
    assert me.post(f"/projects/{project.id}/next").json() == {
        "task": None,
        "draft": None,
        "lease_expires_at": None,
        "predictions": [],
        "practice": None,
    }


def test_overlap_gives_each_task_to_distinct_annotators(db: Database, api: Api) -> None:
    project, _, tokens = setup(db, overlap=2, count=2)
    got: dict[str, list[int]] = {}
    for token in tokens:
        me = api.as_(token)
        while (task := me.post(f"/projects/{project.id}/next").json()["task"]) is not None:
            got.setdefault(token, []).append(task["id"])
            me.post(
                f"/tasks/{task['id']}/annotations", json={"result": {"label": {"choice": "neg"}}}
            )
    counts: dict[int, int] = {}
    for ids in got.values():
        assert len(ids) == len(set(ids))
        for task_id in ids:
            counts[task_id] = counts.get(task_id, 0) + 1
    assert counts and all(c == 2 for c in counts.values())
    assert sum(counts.values()) == 4


def test_submit_with_next_returns_the_following_task(db: Database, api: Api) -> None:
    project, _, (a, _, _) = setup(db)
    me = api.as_(a)
    task = me.post(f"/projects/{project.id}/next").json()["task"]
    body = me.post(
        f"/tasks/{task['id']}/annotations?next=true", json={"result": {"label": {"choice": "pos"}}}
    ).json()
    assert body["next"]["task"]["external_id"] == "t1"


def test_invalid_answers_name_the_path(db: Database, api: Api) -> None:
    project, _, (a, _, _) = setup(db)
    me = api.as_(a)
    task = me.post(f"/projects/{project.id}/next").json()["task"]
    response = me.post(
        f"/tasks/{task['id']}/annotations",
        json={"result": {"label": {"choice": "maybe"}, "extra": 1}},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_result"
    paths = {d["path"] for d in error["details"]}
    assert paths == {"result.label.choice", "result.extra"}
    missing = me.post(f"/tasks/{task['id']}/annotations", json={"result": {}})
    assert missing.json()["error"]["details"] == [
        {"path": "result.label", "message": "required; answer it"}
    ]


def test_draft_is_saved_as_is_and_restored(db: Database, api: Api) -> None:
    project, _, (a, _, _) = setup(db)
    me = api.as_(a)
    task = me.post(f"/projects/{project.id}/next").json()["task"]
    half = {"label": {"choice": "not yet an option"}}
    saved = me.put(f"/tasks/{task['id']}/draft", json={"result": half, "seconds": 12})
    assert saved.status_code == 200, saved.text
    back = me.post(f"/projects/{project.id}/next").json()
    assert back["draft"]["result"] == half and back["draft"]["seconds"] == 12
    done = me.post(
        f"/tasks/{task['id']}/annotations", json={"result": {"label": {"choice": "pos"}}}
    )
    assert done.json()["annotation"]["seconds"] == 12, "the draft's time is kept"
    assert me.get(f"/tasks/{task['id']}").json()["draft"] is None


def test_skip_frees_the_slot_and_never_comes_back(db: Database, api: Api) -> None:
    project, _, (a, b, _) = setup(db, count=1)
    task = api.as_(a).post(f"/projects/{project.id}/next").json()["task"]
    skipped = api.as_(a).post(f"/tasks/{task['id']}/skip", json={"reason": "unclear text"})
    assert skipped.status_code == 200
    assert api.as_(a).post(f"/projects/{project.id}/next").json()["task"] is None
    assert api.as_(b).post(f"/projects/{project.id}/next").json()["task"]["id"] == task["id"]
    again = api.as_(a).post(f"/tasks/{task['id']}/skip", json={"reason": "x"})
    assert again.status_code == 409


def test_expired_lease_returns_to_the_queue(db: Database, api: Api) -> None:
    project, _, (a, b, _) = setup(db, count=1)
    task = api.as_(a).post(f"/projects/{project.id}/next").json()["task"]
    api.as_(a).put(f"/tasks/{task['id']}/draft", json={"result": {}, "seconds": 1})
    assert api.as_(b).post(f"/projects/{project.id}/next").json()["task"] is None
    with db.write() as session:
        session.execute(
            update(Assignment).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    taken = api.as_(b).post(f"/projects/{project.id}/next").json()["task"]
    assert taken["id"] == task["id"]
    late = api.as_(a).post(
        f"/tasks/{task['id']}/annotations", json={"result": {"label": {"choice": "pos"}}}
    )
    assert late.status_code == 409 and late.json()["error"]["code"] == "task_full"
    with db.read() as session:
        row = session.get(Task, task["id"])
        assert row is not None and row.n_claimed == 1


def test_submit_twice_is_refused_and_edit_keeps_history(db: Database, api: Api) -> None:
    project, _, (a, b, _) = setup(db)
    me = api.as_(a)
    task = me.post(f"/projects/{project.id}/next").json()["task"]
    ann = me.post(
        f"/tasks/{task['id']}/annotations",
        json={"result": {"label": {"choice": "pos"}}, "seconds": 2},
    ).json()["annotation"]
    twice = me.post(
        f"/tasks/{task['id']}/annotations", json={"result": {"label": {"choice": "neg"}}}
    )
    assert twice.status_code == 409
    edited = me.put(
        f"/annotations/{ann['id']}", json={"result": {"label": {"choice": "neg"}}, "seconds": 3}
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2 and edited.json()["seconds"] == 5
    versions = me.get(f"/annotations/{ann['id']}/versions").json()
    assert [v["result"]["label"]["choice"] for v in versions] == ["pos", "neg"]
    other = api.as_(b).put(
        f"/annotations/{ann['id']}", json={"result": {"label": {"choice": "pos"}}}
    )
    assert other.status_code == 404, "another annotator cannot even see it"
    mine = me.get(f"/projects/{project.id}/annotations/mine").json()
    assert [item["id"] for item in mine["items"]] == [ann["id"]]


def test_a_fix_to_a_submitted_annotation_autosaves_as_the_task_draft(
    db: Database, api: Api
) -> None:
    project, _, (a, _, _) = setup(db)
    me = api.as_(a)
    task = me.post(f"/projects/{project.id}/next").json()["task"]
    ann = me.post(
        f"/tasks/{task['id']}/annotations", json={"result": {"label": {"choice": "pos"}}}
    ).json()["annotation"]
    assert ann["editable"] is True
    fix = {"label": {"choice": "neg"}}
    assert (
        me.put(f"/tasks/{task['id']}/draft", json={"result": fix, "seconds": 2}).status_code == 200
    )
    assert me.get(f"/tasks/{task['id']}").json()["draft"]["result"] == fix
    me.put(f"/annotations/{ann['id']}", json={"result": fix})
    assert me.get(f"/tasks/{task['id']}").json()["draft"] is None, "saving the fix ends the draft"


def test_next_carries_the_task_s_predictions(db: Database, api: Api) -> None:
    owner, _ = make_user(db, "owner@example.com")
    annotator, token = make_user(db, "ann@example.com")
    project = make_project(db, owner, members={annotator: "annotator"})
    other = make_project(db, owner)
    guess = {"label": {"choice": "neg"}}
    add_tasks(db, owner, project, [
        {"id": "p0", "text": "bad", "predictions": [
            {"model_version": "m1", "score": 0.25, "result": guess},
            {"model_version": "m2", "result": {"label": {"choice": "pos"}}},
        ]},
        {"id": "p1", "text": "no model saw this one"},
        {"id": "p2", "text": "good", "predictions": [
            {"model_version": "m3", "score": 0.75, "result": {"label": {"choice": "pos"}}},
        ]},
    ])
    add_tasks(db, owner, other, [{"id": "x", "text": "x", "predictions": [
        {"model_version": "elsewhere", "result": guess}]}])
    me = api.as_(token)

    first = me.post(f"/projects/{project.id}/next").json()
    assert first["task"]["external_id"] == "p0"
    assert first["predictions"] == [
        {"model_version": "m1", "score": 0.25, "result": guess},
        {"model_version": "m2", "score": None, "result": {"label": {"choice": "pos"}}},
    ]
    held = me.post(f"/projects/{project.id}/next").json()
    assert held["predictions"] == first["predictions"], "the held task comes back with them"

    answer = {"result": {"label": {"choice": "neg"}}}
    following = me.post(f"/tasks/{first['task']['id']}/annotations?next=true", json=answer)
    body = following.json()["next"]
    assert body["task"]["external_id"] == "p1" and body["predictions"] == []
    last = me.post(f"/tasks/{body['task']['id']}/annotations?next=true", json=answer).json()
    assert last["next"]["task"]["external_id"] == "p2"
    assert last["next"]["predictions"] == [
        {"model_version": "m3", "score": 0.75, "result": {"label": {"choice": "pos"}}}
    ]
