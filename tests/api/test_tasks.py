"""The task listing behind the data manager: filters, sorting, paging, totals; one task."""

from __future__ import annotations

from accord.db import Database
from tests.api.conftest import Api
from tests.factories import RICH, add_tasks, make_project, make_user

ROWS = [
    {"id": f"r{i}", "text": text, "responses": ["x", "y"]}
    for i, text in enumerate(["Alice in Paris", "Bob 100% sure", "carol_x", "Dave", "ALICE again"])
]


def setup(db: Database, api: Api):
    owner, token = make_user(db, "owner@example.com")
    ann, ann_token = make_user(db, "ann@example.com")
    project = make_project(db, owner, RICH, overlap=1, members={ann: "annotator"})
    add_tasks(db, owner, project, ROWS)
    me = api.as_(ann_token)
    for label in ("pos", "neg"):
        task = me.post(f"/projects/{project.id}/next").json()["task"]
        result = {
            "label": {"choice": label},
            "entities": {"spans": [{"start": 0, "end": 3, "label": "ORG"}]},
        }
        assert (
            me.post(f"/tasks/{task['id']}/annotations", json={"result": result}).status_code == 201
        )
    return project, api.as_(token)


def ids(page: dict) -> list[str]:
    return [t["external_id"] for t in page["items"]]


def test_filters_sort_and_paging(db: Database, api: Api) -> None:
    project, me = setup(db, api)
    base = f"/projects/{project.id}/tasks"
    everything = me.get(base).json()
    assert ids(everything) == ["r0", "r1", "r2", "r3", "r4"] and everything["total"] == 5
    assert ids(me.get(base, params={"sort": "-id", "limit": 2}).json()) == ["r4", "r3"]
    assert ids(me.get(base, params={"offset": 3}).json()) == ["r3", "r4"]
    page = me.get(base, params={"limit": 2}).json()
    assert ids(me.get(base, params={"after": page["next_after"], "limit": 2}).json()) == [
        "r2",
        "r3",
    ]
    assert ids(me.get(base, params={"status": "complete"}).json()) == ["r0", "r1"]
    assert ids(me.get(base, params={"sort": "-annotations"}).json())[:2] == ["r1", "r0"]
    assert ids(me.get(base, params={"q": "alice"}).json()) == ["r0", "r4"]
    assert ids(me.get(base, params={"q": "100%"}).json()) == ["r1"]
    assert ids(me.get(base, params={"q": "l_x"}).json()) == ["r2"]
    assert me.get(base, params={"q": "a_i"}).json()["total"] == 0, "_ is not a wildcard"
    assert me.get(base, params={"q": "text"}).json()["total"] == 0, "keys are not searched"
    assert ids(me.get(base, params={"annotator": "ann@example.com"}).json()) == ["r0", "r1"]
    assert me.get(base, params={"annotator": "nobody@example.com"}).json()["total"] == 0
    assert ids(me.get(base, params={"question": "label", "value": "neg"}).json()) == ["r1"]
    assert ids(me.get(base, params={"question": "entities", "value": "ORG"}).json()) == ["r0", "r1"]
    assert ids(me.get(base, params={"question": "label"}).json()) == ["r0", "r1"]
    filtered = me.get(base, params={"status": "new", "q": "a", "limit": 1}).json()
    assert filtered["total"] == 3 and ids(filtered) == ["r2"]


def test_one_task_with_its_work(db: Database, api: Api) -> None:
    project, me = setup(db, api)
    first = me.get(f"/projects/{project.id}/tasks", params={"limit": 1}).json()["items"][0]
    detail = me.get(f"/tasks/{first['id']}").json()
    assert detail["task"]["data"]["text"] == "Alice in Paris"
    assert [a["annotator"] for a in detail["annotations"]] == ["ann@example.com"]
    assert detail["annotations"][0]["result"]["label"] == {"choice": "pos"}
