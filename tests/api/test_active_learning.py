"""The active learning orders of the queue (docs/active_learning.md): the least sure first by
score, margin or entropy; where the model and people disagree first; diversity taking turns
between predicted classes; and a retrained model predicting the open tasks again, against a
real model server process (tests/ml_backend_server.py)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from accord.api.app import create_app
from accord.db import Database
from accord.models import Job, Prediction, Task
from accord.settings import Settings
from tests.api.conftest import Api
from tests.api.test_jobs import wait
from tests.factories import make_project, make_user
from tests.ml_backend_server import MLServer, ml_server


def jsonl(*rows: object) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in rows)


def predicted(external_id: str, label: str | None, score: float | None) -> dict[str, Any]:
    row: dict[str, Any] = {"id": external_id, "text": f"text {external_id}"}
    if label is not None:
        row["predictions"] = [
            {"model_version": "m1", "score": score, "result": {"label": {"choice": label}}}
        ]
    return row


def setup(db: Database, api: Api, rows: list[dict[str, Any]], **settings: Any) -> tuple[int, Api]:
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner, **settings)
    me = api.as_(token)
    done = me.post(
        f"/projects/{project.id}/imports", params={"format": "jsonl"}, content=jsonl(*rows)
    )
    assert done.status_code in (200, 201), done.text
    return project.id, me


def served(me: Api, project_id: int, answer: str = "pos") -> list[str]:
    """The external ids in the order the queue serves them to ``me`` (answering each)."""
    order = []
    while True:
        got = me.post(f"/projects/{project_id}/next").json()
        if got.get("task") is None:
            return order
        task = got["task"]
        order.append(task["external_id"])
        done = me.post(
            f"/tasks/{task['id']}/annotations", json={"result": {"label": {"choice": answer}}}
        )
        assert done.status_code == 201, done.text


def test_the_least_confident_prediction_is_served_first(db: Database, api: Api) -> None:
    rows = [
        predicted("sure", "pos", 0.95),
        predicted("none", None, None),
        predicted("unsure", "neg", 0.52),
        predicted("middling", "pos", 0.7),
        predicted("unscored", "neg", None),
    ]
    project_id, me = setup(db, api, rows, order="uncertainty")
    # Tasks whose prediction says nothing of its confidence come last, in id order.
    assert served(me, project_id) == ["unsure", "middling", "sure", "none", "unscored"]


def test_diversity_takes_turns_between_predicted_classes(db: Database, api: Api) -> None:
    rows = [
        predicted("pos-1", "pos", 0.60),
        predicted("pos-2", "pos", 0.61),
        predicted("pos-3", "pos", 0.62),
        predicted("neg-1", "neg", 0.90),
    ]
    project_id, me = setup(db, api, rows, order="uncertainty")
    changed = me.patch(f"/projects/{project_id}", json={"diversity": True})
    assert changed.status_code == 200 and changed.json()["diversity"] is True
    assert served(me, project_id) == ["pos-1", "neg-1", "pos-2", "pos-3"]


def test_a_change_of_order_reorders_the_queue(db: Database, api: Api) -> None:
    rows = [predicted("a", "pos", 0.9), predicted("b", "pos", 0.6)]
    project_id, me = setup(db, api, rows)  # sequential
    changed = me.patch(f"/projects/{project_id}", json={"order": "uncertainty"})
    assert changed.json()["order"] == "uncertainty", changed.text
    assert changed.json()["uncertainty_measure"] == "least_confident"
    assert served(me, project_id) == ["b", "a"]


def test_where_the_model_and_people_disagree_comes_first(db: Database, api: Api) -> None:
    rows = [
        predicted("agreed", "pos", 0.99),
        predicted("contradicted", "pos", 0.99),
        predicted("unsure", "pos", 0.51),
    ]
    project_id, me = setup(db, api, rows, order="disagreement", overlap=2)
    second, token = make_user(db, "second@example.com")
    assert me.post(
        f"/projects/{project_id}/members", json={"email": second.email, "role": "annotator"}
    ).status_code in (200, 201)
    other = api.as_(token)
    # The owner answers in queue order: the unsure one first (no answers anywhere yet).
    first = me.post(f"/projects/{project_id}/next").json()["task"]
    assert first["external_id"] == "unsure"
    answers = {"unsure": "pos", "agreed": "pos", "contradicted": "neg"}
    me.post(f"/tasks/{first['id']}/annotations", json={"result": {"label": {"choice": "pos"}}})
    while (got := me.post(f"/projects/{project_id}/next").json()).get("task"):
        task = got["task"]
        choice = answers[task["external_id"]]
        me.post(f"/tasks/{task['id']}/annotations", json={"result": {"label": {"choice": choice}}})
    # The second annotator gets the task whose first answer contradicts the model first.
    assert served(other, project_id)[0] == "contradicted"


def test_a_bad_measure_is_refused_with_the_choices(db: Database, api: Api) -> None:
    project_id, me = setup(db, api, [predicted("a", "pos", 0.9)])
    bad = me.patch(f"/projects/{project_id}", json={"uncertainty_measure": "vibes"})
    assert bad.status_code == 422
    assert "least_confident" in bad.text
    bad_order = me.patch(f"/projects/{project_id}", json={"order": "smallest"})
    assert bad_order.status_code == 422 and "uncertainty" in bad_order.text


# -- with a model server ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ml() -> Iterator[MLServer]:
    with ml_server() as server:
        yield server


@pytest.fixture
def open_api(settings: Settings, db: Database) -> Iterator[Api]:
    allowing = settings.model_copy(update={"webhook_allow_private": True})
    with TestClient(create_app(allowing, db), raise_server_exceptions=False) as client:
        yield Api(client)


TEXTS = [
    ("t1", "great wonderful love"),
    ("t2", "awful terrible hate"),
    ("t3", "good bad"),
    ("t4", "nice poor fine"),
    ("t5", "happy sad"),
    ("t6", "worst horrible awful"),
]


def _stored(db: Database, project_id: int) -> dict[str, dict[str, float]]:
    with db.read() as session:
        rows = session.execute(
            select(Task.external_id, Prediction.probabilities)
            .join(Prediction, Prediction.task_id == Task.id)
            .where(Task.project_id == project_id)
        ).all()
    return {str(e): orjson.loads(p)["label"] for e, p in rows}


@pytest.mark.parametrize("measure", ["margin", "entropy"])
def test_margin_and_entropy_use_the_servers_probabilities(
    db: Database, open_api: Api, ml: MLServer, measure: str
) -> None:
    ml.mode("ok")
    rows = [{"id": e, "text": t} for e, t in TEXTS]
    project_id, me = setup(db, open_api, rows, order="uncertainty", uncertainty_measure=measure)
    backend = me.post(
        f"/projects/{project_id}/ml-backends",
        json={"title": "nb", "url": ml.url + "/accord", "protocol": "accord"},
    ).json()
    started = me.post(f"/projects/{project_id}/ml-backends/{backend['id']}/predictions", json={})
    job = wait(me, started.json()["id"])
    assert job["state"] == "succeeded" and job["result"]["stored"] == len(TEXTS), job
    stored = _stored(db, project_id)
    assert set(stored) == {e for e, _ in TEXTS}

    def unsure(p: dict[str, float]) -> float:  # computed here from the definitions
        ps = sorted((v / sum(p.values()) for v in p.values()), reverse=True)
        if measure == "margin":
            return 1 - (ps[0] - ps[1])
        return -sum(v * math.log(v) for v in ps if v > 0) / math.log(len(ps))

    expected = sorted(stored, key=lambda e: (-unsure(stored[e]), e[1:]))
    assert served(me, project_id) == expected


def test_a_retrained_model_predicts_the_open_tasks_again(
    db: Database, open_api: Api, ml: MLServer
) -> None:
    ml.mode("ok")
    rows = [{"id": e, "text": t} for e, t in TEXTS]
    project_id, me = setup(db, open_api, rows, order="uncertainty")
    backend = me.post(
        f"/projects/{project_id}/ml-backends",
        json={"title": "nb", "url": ml.url + "/accord", "protocol": "accord"},
    ).json()
    task = me.post(f"/projects/{project_id}/next").json()["task"]
    me.post(f"/tasks/{task['id']}/annotations", json={"result": {"label": {"choice": "pos"}}})
    started = me.post(f"/projects/{project_id}/ml-backends/{backend['id']}/train")
    trained = wait(me, started.json()["id"])
    assert trained["state"] == "succeeded", trained
    again = trained["result"]["predict_job_id"]
    assert again is not None
    job = wait(me, again)
    assert job["state"] == "succeeded", job
    # Only the tasks the queue can still serve: the answered one is closed (overlap 1).
    assert job["result"]["tasks"] == len(TEXTS) - 1
    with db.read() as session:
        params = session.get(Job, again).params  # type: ignore[union-attr]
    assert params["open_only"] is True
