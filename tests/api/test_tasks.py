"""The task listing behind the data manager: filters, sorting, paging, totals; one task."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from accord.actions.users import do_update_user
from accord.db import Database
from accord.models import Project, User
from accord.queries.tasks import TaskQuery, count_tasks, list_tasks
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


def _named(db: Database, email: str, name: str):
    """A user with a display name, and their API token."""
    user, token = make_user(db, email)
    with db.write() as session:
        fresh = session.get(User, user.id)
        assert fresh is not None
        do_update_user(session, None, fresh, name=name)
    return user, token


def skips_setup(db: Database, api: Api):
    """r0 skipped by Ann and Bo, r1 by Ann; r2 submitted by Bo; a reviewer looks on."""
    owner, owner_token = make_user(db, "owner@example.com")
    ann, ann_token = _named(db, "ann@example.com", "Ann Lee")
    bo, bo_token = _named(db, "bo@example.com", "Bo Chen")
    reviewer, reviewer_token = make_user(db, "rev@example.com")
    members = {ann: "annotator", bo: "annotator", reviewer: "reviewer"}
    project = make_project(db, owner, RICH, overlap=2, members=members)
    add_tasks(db, owner, project, ROWS)
    ids = {}
    for token, reasons in ((ann_token, ["unclear", "too long"]), (bo_token, ["offensive"])):
        me = api.as_(token)
        for reason in reasons:
            task = me.post(f"/projects/{project.id}/next").json()["task"]
            ids[task["external_id"]] = task["id"]
            skipped = me.post(f"/tasks/{task['id']}/skip", json={"reason": reason})
            assert skipped.status_code == 200, skipped.text
    bo = api.as_(bo_token)
    task = bo.post(f"/projects/{project.id}/next").json()["task"]
    assert task["external_id"] == "r1"
    answer = {"label": {"choice": "pos"}}
    assert bo.post(f"/tasks/{task['id']}/annotations", json={"result": answer}).status_code == 201
    who = {"owner": owner_token, "ann": ann_token, "bo": bo_token, "reviewer": reviewer_token}
    return project, ids, {name: api.as_(token) for name, token in who.items()}


def test_skips_are_counted_and_filtered_in_the_listing(db: Database, api: Api) -> None:
    project, _, as_ = skips_setup(db, api)
    base = f"/projects/{project.id}/tasks"
    page = as_["owner"].get(base).json()
    assert {t["external_id"]: t["skips"] for t in page["items"]} == {
        "r0": 2,
        "r1": 1,
        "r2": 0,
        "r3": 0,
        "r4": 0,
    }
    skipped = as_["owner"].get(base, params={"skipped": "true"}).json()
    assert ids(skipped) == ["r0", "r1"] and skipped["total"] == 2
    assert ids(
        as_["owner"].get(base, params={"skipped": "true", "sort": "-annotations"}).json()
    ) == ["r1", "r0"]
    assert ids(as_["owner"].get(base, params={"skipped": "true", "status": "new"}).json()) == ["r0"]
    one = as_["owner"].get(base, params={"skipped": "true", "limit": 1, "offset": 1}).json()
    assert ids(one) == ["r1"] and one["total"] == 2
    assert as_["reviewer"].get(base, params={"skipped": "true"}).json()["total"] == 2


def test_task_detail_says_who_skipped_it_and_why(db: Database, api: Api) -> None:
    _, task_ids, as_ = skips_setup(db, api)
    r0 = task_ids["r0"]
    skips = as_["owner"].get(f"/tasks/{r0}").json()["skips"]
    assert [(s["name"], s["email"], s["reason"]) for s in skips] == [
        ("Ann Lee", "ann@example.com", "unclear"),
        ("Bo Chen", "bo@example.com", "offensive"),
    ]
    assert all(s["at"] and s["user_id"] for s in skips)
    seen_by_reviewer = as_["reviewer"].get(f"/tasks/{r0}").json()["skips"]
    assert [(s["name"], s["email"]) for s in seen_by_reviewer] == [
        ("Ann Lee", None),
        ("Bo Chen", None),
    ], "reviewers see names, not emails"
    own = as_["ann"].get(f"/tasks/{r0}").json()["skips"]
    assert [(s["name"], s["email"], s["reason"]) for s in own] == [
        ("Ann Lee", "ann@example.com", "unclear")
    ], "an annotator sees their own skip only"


def test_my_work_lists_my_skips_newest_first(db: Database, api: Api) -> None:
    project, task_ids, as_ = skips_setup(db, api)
    mine = f"/projects/{project.id}/skips/mine"
    page = as_["ann"].get(mine).json()
    assert [(s["task_id"], s["external_id"], s["reason"]) for s in page["items"]] == [
        (task_ids["r1"], "r1", "too long"),
        (task_ids["r0"], "r0", "unclear"),
    ]
    assert page["next_before"] is None
    first = as_["ann"].get(mine, params={"limit": 1}).json()
    assert [s["reason"] for s in first["items"]] == ["too long"]
    older = as_["ann"].get(mine, params={"limit": 1, "before": first["next_before"]}).json()
    assert [s["reason"] for s in older["items"]] == ["unclear"]
    assert as_["owner"].get(mine).json() == {"items": [], "next_before": None}
    assert [s["reason"] for s in as_["bo"].get(mine).json()["items"]] == ["offensive"]


def test_the_skipped_filter_reads_indexes_not_every_task(db: Database, api: Api) -> None:
    """SQLite's plans for the skipped tasks' page and count: seeks in the assignments index,
    then the tasks by id; never a walk over the project's tasks, whatever the sort."""
    if not db.is_sqlite:
        pytest.skip("query plans are checked on SQLite")
    project, _, _ = skips_setup(db, api)
    seen: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, statement: str, params: Any, *args: Any) -> None:
        if "FROM tasks" in statement and not statement.startswith("EXPLAIN"):
            seen.append((statement, params))

    with db.read() as session:
        fresh = session.get(Project, project.id)
        assert fresh is not None
        event.listen(db.engine, "before_cursor_execute", remember)
        try:
            for sort in ("id", "-id", "annotations", "-annotations"):
                query = TaskQuery(skipped=True, sort=sort)
                list_tasks(session, fresh, query, limit=50)
                count_tasks(session, fresh, query)
        finally:
            event.remove(db.engine, "before_cursor_execute", remember)
        assert len(seen) == 8
        for statement, params in seen:
            explained = session.connection().exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", tuple(params)
            )
            plan = [row[3] for row in explained]
            steps = " | ".join(plan)
            assert (
                "ix_assignments_project_id_user_id_state (project_id=? AND user_id=? AND state=?)"
                in steps
            ), steps
            assert not any(step.startswith("SCAN tasks") for step in plan), steps
            assert "ix_tasks_project_id_n_submitted" not in steps, steps


def test_a_tasks_predictions_are_read_through_the_index(db: Database, api: Api) -> None:
    """The task page reads its predictions with one index probe, not a scan of every
    prediction of every project (the only index on predictions starts with project_id)."""
    if not db.is_sqlite:
        pytest.skip("query plans are checked on SQLite")
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner, RICH)
    row = {
        **ROWS[0],
        "predictions": [{"model_version": "m1", "result": {"label": {"choice": "pos"}}}],
    }
    add_tasks(db, owner, project, [row])
    me = api.as_(token)
    task = me.get(f"/projects/{project.id}/tasks").json()["items"][0]["id"]
    seen: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, statement: str, params: Any, *args: Any) -> None:
        if "FROM predictions" in statement and not statement.startswith("EXPLAIN"):
            seen.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        detail = me.get(f"/tasks/{task}").json()
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    assert [p["model_version"] for p in detail["predictions"]] == ["m1"]
    assert len(seen) == 1
    with db.read() as session:
        explained = session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {seen[0][0]}", tuple(seen[0][1])
        )
        plan = " | ".join(row[3] for row in explained)
    assert "ix_predictions_project_id_task_id (project_id=? AND task_id=?)" in plan, plan
