"""Sensitive content: marked at import or by members, served only to those who opted in, capped
per day, break prompts, counts in the metrics."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from accord.db import Database
from accord.models import Project, SensitiveExposure, Task
from accord.sdk import AccordError
from tests.api.conftest import Api
from tests.api.test_jobs import wait
from tests.api.test_reviews import sdk_for
from tests.factories import SIMPLE, make_project, make_user

POS = {"label": {"choice": "pos"}}


def world(db: Database, api: Api, **settings: Any) -> tuple[Project, Api, Api, Api]:
    manager, manager_token = make_user(db, "lead@example.com")
    annotator, token = make_user(db, "ann@example.com")
    reviewer, reviewer_token = make_user(db, "rev@example.com")
    project = make_project(
        db, manager, SIMPLE, members={annotator: "annotator", reviewer: "reviewer"}
    )
    if settings:
        changed = api.as_(manager_token).patch(f"/projects/{project.id}/handling", json=settings)
        assert changed.status_code == 200, changed.text
    return project, api.as_(manager_token), api.as_(token), api.as_(reviewer_token)


def upload(
    manager: Api, project: Project, rows: list[dict[str, Any]], fmt: str = "jsonl", ok: bool = True
) -> Any:
    if fmt == "csv":
        keys = list(rows[0])
        lines = [",".join(keys)] + [",".join(str(r[k]) for k in keys) for r in rows]
        content = "\n".join(lines).encode() + b"\n"
    else:
        content = b"".join(orjson.dumps(r) + b"\n" for r in rows)
    response = manager.post(
        f"/projects/{project.id}/imports", params={"format": fmt}, content=content
    )
    assert (response.status_code in (200, 201)) == ok, response.text
    return response.json()


def mixed(n_plain: int, n_sensitive: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"id": f"s{i}", "text": f"hard {i}", "sensitive": True} for i in range(n_sensitive)
    ]
    rows += [{"id": f"p{i}", "text": f"plain {i}"} for i in range(n_plain)]
    return rows


def work_through(annotator: Api, project: Project) -> list[str]:
    """Take and submit every task the annotator is served; their external ids in order."""
    served = []
    for _ in range(50):
        got = annotator.post(f"/projects/{project.id}/next").json()
        if got["task"] is None:
            return served
        served.append(got["task"]["external_id"])
        done = annotator.post(f"/tasks/{got['task']['id']}/annotations", json={"result": POS})
        assert done.status_code == 201, done.text
    raise AssertionError("the queue never ran dry")


def test_import_marks_sensitive_and_keeps_it_out_of_data(db: Database, api: Api) -> None:
    project, manager, _, _ = world(db, api)
    report = upload(manager, project, mixed(2, 2))
    assert report["created"] == 4
    assert report["predictions"] == 0  # the marks are not predictions
    with db.read() as session:
        tasks = {t.external_id: t for t in session.scalars(select(Task))}
    assert tasks["s0"].sensitive and tasks["s1"].sensitive
    assert not tasks["p0"].sensitive
    assert "sensitive" not in orjson.loads(tasks["s0"].data)
    page = manager.get(f"/projects/{project.id}/tasks").json()
    assert {t["external_id"]: t["sensitive"] for t in page["items"]}["s1"] is True


def test_import_csv_words_and_bad_values(db: Database, api: Api) -> None:
    project, manager, _, _ = world(db, api)
    rows = [
        {"id": "a", "text": "x", "sensitive": "yes"},
        {"id": "b", "text": "y", "sensitive": "0"},
        {"id": "c", "text": "z", "sensitive": "maybe"},
    ]
    refused = upload(manager, project, rows, fmt="csv", ok=False)["error"]
    assert refused["details"]["errors"][0] == {
        "line": 4,
        "field": "sensitive",
        "message": "expected true or false (whether the task is sensitive)",
    }
    assert upload(manager, project, rows[:2], fmt="csv")["created"] == 2
    with db.read() as session:
        flags = {t.external_id: t.sensitive for t in session.scalars(select(Task))}
    assert flags == {"a": True, "b": False}


def test_not_opted_in_is_never_served_sensitive(db: Database, api: Api) -> None:
    project, manager, annotator, _ = world(db, api)
    upload(manager, project, mixed(3, 3))
    assert sorted(work_through(annotator, project)) == ["p0", "p1", "p2"]


def test_opted_in_is_served_sensitive_and_counted(db: Database, api: Api) -> None:
    project, manager, annotator, _ = world(db, api)
    upload(manager, project, mixed(2, 3))
    me = annotator.put(f"/projects/{project.id}/sensitive/opt-in", json={"opt_in": True})
    assert me.status_code == 200 and me.json()["opted_in"] is True
    assert len(work_through(annotator, project)) == 5
    mine = annotator.get(f"/projects/{project.id}/sensitive/me").json()
    assert mine["served_today"] == 3 and mine["limit_reached"] is False
    metrics = manager.get(f"/projects/{project.id}/metrics/sensitive").json()
    assert [(d["email"], d["served"]) for d in metrics["days"]] == [("ann@example.com", 3)]
    assert metrics["members"][0]["opted_in"] is True


def test_daily_cap_stops_sensitive_but_not_plain_work(db: Database, api: Api) -> None:
    project, manager, annotator, _ = world(db, api)
    assert (
        manager.patch(f"/projects/{project.id}/handling", json={"sensitive_daily_limit": 2}).json()[
            "sensitive_daily_limit"
        ]
        == 2
    )
    upload(manager, project, mixed(2, 4))
    annotator.put(f"/projects/{project.id}/sensitive/opt-in", json={"opt_in": True})
    served = work_through(annotator, project)
    assert sorted(served) == ["p0", "p1", "s0", "s1"]
    mine = annotator.get(f"/projects/{project.id}/sensitive/me").json()
    assert mine["served_today"] == 2 and mine["limit_reached"] is True
    # a manager raises this annotator's own limit: sensitive work resumes
    user_id = manager.get(f"/projects/{project.id}/metrics/sensitive").json()["members"][0][
        "user_id"
    ]
    raised = manager.put(
        f"/projects/{project.id}/members/{user_id}/sensitive-limit", json={"limit": 3}
    )
    assert raised.status_code == 200 and raised.json()["limit"] == 3
    assert work_through(annotator, project) == ["s2"]


def test_yesterdays_count_does_not_cap_today(db: Database, api: Api) -> None:
    project, manager, annotator, _ = world(db, api, sensitive_daily_limit=1)
    upload(manager, project, mixed(0, 2))
    annotator.put(f"/projects/{project.id}/sensitive/opt-in", json={"opt_in": True})
    assert work_through(annotator, project) == ["s0"]
    with db.write() as session:
        for row in session.scalars(select(SensitiveExposure)):
            row.day = "2000-01-01"
    assert work_through(annotator, project) == ["s1"]


def test_break_prompt_and_taking_a_break(db: Database, api: Api) -> None:
    project, manager, annotator, _ = world(db, api, sensitive_break_after=2)
    upload(manager, project, mixed(0, 3))
    annotator.put(f"/projects/{project.id}/sensitive/opt-in", json={"opt_in": True})
    for _ in range(2):
        got = annotator.post(f"/projects/{project.id}/next").json()
        annotator.post(f"/tasks/{got['task']['id']}/annotations", json={"result": POS})
    mine = annotator.get(f"/projects/{project.id}/sensitive/me").json()
    assert mine["streak"] == 2 and mine["break_due"] is True
    after = annotator.post(f"/projects/{project.id}/sensitive/break").json()
    assert after["break_due"] is False and after["streak"] == 0 and after["served_today"] == 2


def test_mark_by_annotator_and_reviewer_unmark_by_manager(db: Database, api: Api) -> None:
    project, manager, annotator, reviewer = world(db, api)
    upload(manager, project, mixed(2, 0))
    got = annotator.post(f"/projects/{project.id}/next").json()
    task_id = got["task"]["id"]
    assert got["task"]["sensitive"] is False
    marked = annotator.post(f"/tasks/{task_id}/sensitive", json={"reason": "graphic"})
    assert marked.status_code == 200 and marked.json()["sensitive"] is True
    refused = annotator.post(f"/tasks/{task_id}/sensitive", json={"sensitive": False})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "unmark_sensitive"
    handling = reviewer.get(f"/tasks/{task_id}/handling").json()
    assert handling["sensitive"] is True and handling["may_unmark"] is False
    assert reviewer.post(f"/tasks/{task_id}/sensitive", json={}).status_code == 200
    assert manager.post(f"/tasks/{task_id}/sensitive", json={"sensitive": False}).json() == {
        "task_id": task_id,
        "sensitive": False,
    }
    audit = manager.get(f"/projects/{project.id}/audit").json()["items"]
    assert {"task.sensitive", "task.not_sensitive"} <= {e["action"] for e in audit}


def test_others_tasks_are_not_markable_by_annotators(db: Database, api: Api) -> None:
    project, manager, annotator, _ = world(db, api)
    upload(manager, project, mixed(2, 0))
    with db.read() as session:
        task_id = session.scalars(select(Task.id)).first()
    assert annotator.post(f"/tasks/{task_id}/sensitive", json={}).status_code == 404
    outsider = api.as_(make_user(db, "out@example.com")[1])
    assert (
        outsider.put(f"/projects/{project.id}/sensitive/opt-in", json={"opt_in": True}).status_code
        == 404
    )


def test_annotators_see_only_their_own_counts(db: Database, api: Api) -> None:
    project, manager, annotator, _ = world(db, api)
    upload(manager, project, mixed(0, 2))
    annotator.put(f"/projects/{project.id}/sensitive/opt-in", json={"opt_in": True})
    work_through(annotator, project)
    other, token = make_user(db, "ann2@example.com")
    with db.write() as session:
        from accord.actions.members import do_set_member

        do_set_member(session, None, session.get(Project, project.id), other, "annotator")  # type: ignore[arg-type]
    theirs = api.as_(token).get(f"/projects/{project.id}/metrics/sensitive").json()
    assert theirs["days"] == []
    assert [m["email"] for m in theirs["members"]] == ["ann2@example.com"]


def test_sdk_marks_and_sets_handling(db: Database, api: Api, client: TestClient) -> None:
    project, manager, annotator, _ = world(db, api)
    upload(manager, project, mixed(1, 0))
    lead = sdk_for(manager, client)
    assert lead.data_handling(project.id)["sensitive_daily_limit"] == 0
    changed = lead.data_handling(project.id, sensitive_daily_limit=3, watermark=True)
    assert changed["sensitive_daily_limit"] == 3 and changed["watermark"] is True
    ann = sdk_for(annotator, client)
    task = ann.next_task(project.id)
    assert task is not None
    assert ann.mark_sensitive(task.id, reason="graphic") is True
    with pytest.raises(AccordError, match="only a project manager"):
        ann.mark_sensitive(task.id, False)
    assert lead.mark_sensitive(task.id, False) is False


def test_background_import_marks_sensitive(db: Database, api: Api) -> None:
    project, manager, _, _ = world(db, api)
    rows = mixed(1200, 1300)  # staged and moved in chunks
    started = manager.post(
        f"/projects/{project.id}/imports",
        params={"background": "true", "format": "jsonl"},
        content=b"".join(orjson.dumps(r) + b"\n" for r in rows),
    )
    assert started.status_code == 202, started.text
    done = wait(manager, started.json()["id"])
    assert done["state"] == "succeeded", done
    assert done["result"]["created"] == 2500 and done["result"]["predictions"] == 0
    with db.read() as session:
        flagged = session.scalars(select(Task.external_id).where(Task.sensitive.is_(True))).all()
    assert sorted(flagged) == sorted(f"s{i}" for i in range(1300))


def test_reviewers_are_told_the_task_is_sensitive(db: Database, api: Api) -> None:
    project, manager, annotator, reviewer = world(db, api)
    assert manager.patch(f"/projects/{project.id}", json={"review_share": 1}).status_code == 200
    upload(manager, project, mixed(0, 1))
    annotator.put(f"/projects/{project.id}/sensitive/opt-in", json={"opt_in": True})
    served = annotator.post(f"/projects/{project.id}/next").json()["task"]
    assert served["sensitive"] is True
    annotator.post(f"/tasks/{served['id']}/annotations", json={"result": POS})
    review = reviewer.post(f"/projects/{project.id}/reviews/next").json()
    assert review["task"]["id"] == served["id"] and review["task"]["sensitive"] is True


def test_sensitive_gold_is_held_back_like_any_sensitive_task(db: Database, api: Api) -> None:
    """Gold mixed into the work is served only to those who may see sensitive tasks: a
    sensitive gold task never reaches an annotator who has not opted in."""
    from tests.api.test_gold import gold_rows, settings

    project, manager, annotator, _ = world(db, api)
    settings(db, project, gold_rate=1.0)
    gold = gold_rows(2)
    gold[0]["sensitive"] = True
    upload(manager, project, [*gold, *mixed(3, 0)])
    served = work_through(annotator, project)
    assert "gold0" not in served and "gold1" in served
    assert len(served) == 4  # the plain gold task and the three plain tasks
