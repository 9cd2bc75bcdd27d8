"""``image_class`` answers take the paths of ``choice`` ones: the project-wide Dawid-Skene run,
the per-task consensus that uses its skills, the metrics (Krippendorff's alpha, labels,
confusion)."""

from __future__ import annotations

from typing import Any, cast

import orjson
from fastapi import FastAPI
from sqlalchemy import select

from accord.db import Database
from accord.jobs.consensus import questions_of, run_consensus
from accord.jobs.metrics import categorical
from accord.kinds import Interface
from accord.kinds.questions.choice import single_choice
from accord.models import ConsensusRun, Project, TaskConsensus, User
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user

INTERFACE = {
    "fields": [{"name": "image", "kind": "image"}],
    "questions": [
        {
            "name": "scene",
            "kind": "image_class",
            "target": "image",
            "options": ["indoor", "outdoor"],
        },
        {
            "name": "tags",
            "kind": "image_class",
            "target": "image",
            "options": ["blurry", "dark"],
            "multiple": True,
            "min_choices": 0,
        },
    ],
}
FLIP = {"indoor": "outdoor", "outdoor": "indoor"}


def images(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {"id": f"t{i}", "image": {"src": f"https://example.com/{i}.jpg", "width": 8, "height": 8}}
        for i in range(start, start + count)
    ]


def setup(db: Database, api: Api, tasks: int) -> tuple[int, dict[str, Api], User]:
    owner, owner_token = make_user(db, "owner@example.com")
    people, members = {}, {}
    for name in ("good", "fair", "bad"):
        user, token = make_user(db, f"{name}@example.com")
        people[name], members[user] = api.as_(token), "annotator"
    project = make_project(
        db, owner, INTERFACE, overlap=3, members=members, consensus_method="dawid_skene"
    )
    add_tasks(db, owner, project, images(tasks))
    return project.id, {"owner": api.as_(owner_token), **people}, owner


def work(me: Api, project_id: int, answer: Any) -> None:
    while (task := me.post(f"/projects/{project_id}/next").json()["task"]) is not None:
        truth = "indoor" if int(task["external_id"][1:]) % 3 else "outdoor"
        result = {"scene": {"choice": answer(truth)}, "tags": {"choices": ["dark"]}}
        done = me.post(f"/tasks/{task['id']}/annotations", json={"result": result})
        assert done.status_code == 201, done.text


def test_single_image_class_questions_are_choices() -> None:
    interface = Interface.model_validate(INTERFACE)
    scene, tags = interface.questions
    assert single_choice(scene) and not single_choice(tags)
    assert categorical(scene) and not categorical(tags)


def test_dawid_skene_and_the_consensus_of_later_tasks(db: Database, api: Api) -> None:
    project_id, as_, owner = setup(db, api, tasks=12)
    with db.read() as session:
        project = session.get(Project, project_id)
        assert project is not None
        assert [q.name for q in questions_of(project)] == ["scene"]
    work(as_["good"], project_id, lambda t: t)
    work(as_["fair"], project_id, lambda t: t)
    work(as_["bad"], project_id, lambda t: FLIP[t])
    reports = run_consensus(db, project_id)
    assert [(r.question, r.tasks, r.annotations) for r in reports] == [("scene", 12, 36)]
    with db.read() as session:
        rows = session.scalars(select(TaskConsensus).where(TaskConsensus.question == "scene"))
        stored = rows.all()
        run = session.scalars(select(ConsensusRun)).one()
    assert len(stored) == 12 and {r.method for r in stored} == {"dawid_skene"}
    assert orjson.loads(run.skills or "")["classes"] == ["indoor", "outdoor"]
    # After the run: the majority says outdoor, but "bad" is always wrong.
    add_tasks(db, owner, project_id, images(1, start=99))
    work(as_["good"], project_id, lambda t: "indoor")
    work(as_["fair"], project_id, lambda t: "outdoor")
    work(as_["bad"], project_id, lambda t: "outdoor")
    with db.read() as session:
        last = session.scalars(
            select(TaskConsensus)
            .where(TaskConsensus.question == "scene")
            .order_by(TaskConsensus.task_id.desc())
        ).first()
        tags = session.scalars(
            select(TaskConsensus).where(TaskConsensus.question == "tags")
        ).first()
    assert last is not None and last.method == "dawid_skene"
    assert orjson.loads(last.answer or "") == {"choice": "indoor"}
    assert tags is not None and tags.method == "majority"  # several picks: a vote per option


def test_metrics_by_question(db: Database, api: Api) -> None:
    project_id, as_, _ = setup(db, api, tasks=3)
    work(as_["good"], project_id, lambda t: t)
    work(as_["fair"], project_id, lambda t: t)
    work(as_["bad"], project_id, lambda t: FLIP[t])
    path = f"/projects/{project_id}/metrics?by=question"
    as_["owner"].get(path)
    assert cast(FastAPI, api.client.app).state.jobs.wait_idle(60)
    found = as_["owner"].get(path).json()
    (scene,) = found["questions"]
    assert scene["name"] == "scene" and set(scene["classes"]) == {"indoor", "outdoor"}, scene
    assert (scene["answers"], scene["items"]) == (9, 3)
    assert scene["labels"] == {"indoor": 5, "outdoor": 4}
    assert scene["alpha"] is not None
    assert "scene" in found["task_agreement"] and "tags" in found["task_agreement"]
