"""ML backends: connecting model servers (who may, which URLs), health, batch pre-labelling as a
job with each failure recorded per task, interactive Suggest, and retraining every N
annotations; against a real model server process (tests/ml_backend_server.py) speaking both
protocols."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accord.api.app import create_app
from accord.db import Database
from accord.jobs.ml_predictions import start_due_training
from accord.settings import Settings
from tests.api.conftest import Api
from tests.api.test_jobs import wait
from tests.factories import add_tasks, make_project, make_user
from tests.live import free_port
from tests.ml_backend_server import MLServer, ml_server

ROWS = [
    {"id": "a", "text": "great wonderful love"},
    {"id": "b", "text": "awful terrible hate"},
    {"id": "c", "text": "good nice fine"},
    {"id": "d", "text": "bad poor worst"},
]
PROTOCOLS = ["labelstudio", "accord"]
PATHS = {"labelstudio": "/ls", "accord": "/accord"}


@pytest.fixture(scope="module")
def ml() -> Iterator[MLServer]:
    with ml_server() as server:
        yield server


@pytest.fixture
def model(ml: MLServer) -> MLServer:
    ml.mode("ok")
    return ml


@pytest.fixture
def allowing(settings: Settings) -> Settings:
    """ACCORD_WEBHOOK_ALLOW_PRIVATE: the model server is on 127.0.0.1."""
    return settings.model_copy(update={"webhook_allow_private": True})


@pytest.fixture
def app_client(allowing: Settings, db: Database) -> Iterator[TestClient]:
    app = create_app(allowing, db)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def open_api(app_client: TestClient) -> Api:
    return Api(app_client)


def people(db: Database, api: Api) -> tuple[int, dict[str, Api]]:
    owner, owner_token = make_user(db, "owner@example.com")
    ann, ann_token = make_user(db, "ann@example.com")
    _, stranger = make_user(db, "stranger@example.com")
    project = make_project(db, owner, members={ann: "annotator"})
    add_tasks(db, owner, project, ROWS)
    return project.id, {
        "owner": api.as_(owner_token),
        "ann": api.as_(ann_token),
        "stranger": api.as_(stranger),
    }


def connect(me: Api, project_id: int, url: str, **more: Any) -> dict[str, Any]:
    body = {"title": "sentiment", "url": url, **more}
    made = me.post(f"/projects/{project_id}/ml-backends", json=body)
    assert made.status_code == 201, made.text
    out: dict[str, Any] = made.json()
    return out


def predictions(me: Api, project_id: int) -> dict[str, list[dict[str, Any]]]:
    """Each task's predictions, by external id."""
    out = {}
    for row in ROWS:
        found = me.get(f"/projects/{project_id}/tasks", params={"limit": 100}).json()
        items = found["items"] if isinstance(found, dict) else found
        task = next(t for t in items if t["external_id"] == row["id"])
        out[row["id"]] = me.get(f"/tasks/{task['id']}").json()["predictions"]
    return out


def run_job(me: Api, project_id: int, backend_id: int, **body: Any) -> dict[str, Any]:
    started = me.post(f"/projects/{project_id}/ml-backends/{backend_id}/predictions", json=body)
    assert started.status_code == 202, started.text
    return wait(me, started.json()["id"])


# -- connecting -------------------------------------------------------------------------------


def test_managers_connect_and_check_health(db: Database, open_api: Api, model: MLServer) -> None:
    project_id, as_ = people(db, open_api)
    made = connect(as_["owner"], project_id, model.url + "/ls")
    assert made["health"] == "unknown" and made["protocol"] == "labelstudio"
    checked = as_["owner"].post(f"/projects/{project_id}/ml-backends/{made['id']}/health")
    assert checked.status_code == 200, checked.text
    assert checked.json()["health"] == "up"
    assert checked.json()["model_version"].startswith("sk-")
    [setup] = model.requests("/ls/setup")[-1:]
    assert setup["body"]["project"].startswith(f"{project_id}.")
    assert '<Choices name="label" toName="text"' in setup["body"]["schema"]
    listed = as_["owner"].get(f"/projects/{project_id}/ml-backends").json()
    assert [b["id"] for b in listed] == [made["id"]]
    # Who may: annotators are refused, strangers do not see the project.
    assert as_["ann"].get(f"/projects/{project_id}/ml-backends").status_code == 403
    assert as_["stranger"].get(f"/projects/{project_id}/ml-backends").status_code == 404
    changed = as_["owner"].patch(
        f"/projects/{project_id}/ml-backends/{made['id']}", json={"interactive": True}
    )
    assert changed.status_code == 200 and changed.json()["interactive"] is True
    gone = as_["owner"].delete(f"/projects/{project_id}/ml-backends/{made['id']}")
    assert gone.status_code == 200
    assert as_["owner"].get(f"/projects/{project_id}/ml-backends").json() == []


def test_a_server_that_is_down_is_recorded_down(db: Database, open_api: Api) -> None:
    project_id, as_ = people(db, open_api)
    made = connect(as_["owner"], project_id, f"http://127.0.0.1:{free_port()}")
    checked = as_["owner"].post(f"/projects/{project_id}/ml-backends/{made['id']}/health").json()
    assert checked["health"] == "down"
    assert "could not connect" in checked["health_error"]


def test_urls_obey_the_webhook_rules(db: Database, api: Api) -> None:
    project_id, as_ = people(db, api)  # ACCORD_WEBHOOK_ALLOW_PRIVATE is not set here
    for url, why in [
        ("http://127.0.0.1:9090", "loopback"),
        ("http://localhost:9090", "this machine"),
        ("http://169.254.169.254/latest", "link-local"),
        ("http://10.1.2.3:9090", "private-network"),
        ("ftp://example.com/model", "must start with http"),
    ]:
        made = as_["owner"].post(
            f"/projects/{project_id}/ml-backends", json={"title": "m", "url": url}
        )
        assert made.status_code == 422, (url, made.text)
        assert why in made.json()["error"]["message"], made.text
    bad = as_["owner"].post(
        f"/projects/{project_id}/ml-backends",
        json={"title": "m", "url": "https://models.example.com", "protocol": "grpc"},
    )
    assert bad.status_code == 422


# -- batch pre-labelling ------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_job_stores_predictions_with_version_and_score(
    db: Database, open_api: Api, model: MLServer, protocol: str
) -> None:
    project_id, as_ = people(db, open_api)
    made = connect(as_["owner"], project_id, model.url + PATHS[protocol], protocol=protocol)
    job = run_job(as_["owner"], project_id, made["id"], batch_size=3)
    assert job["state"] == "succeeded", job
    assert job["result"]["stored"] == 4 and job["result"]["failed"] == 0
    assert (job["done"], job["total"], job["unit"]) == (4, 4, "tasks")
    got = predictions(as_["owner"], project_id)
    expected = {"a": "pos", "b": "neg", "c": "pos", "d": "neg"}
    for name, label in expected.items():
        [prediction] = got[name]
        assert prediction["result"] == {"label": {"choice": label}}
        assert prediction["model_version"].startswith("sk-")
        assert 0.5 < prediction["score"] <= 1.0
    sent = model.requests(PATHS[protocol] + "/predict")[-1]["body"]
    if protocol == "labelstudio":
        assert sent["label_config"].startswith("<View>") and "params" in sent
        assert {"id", "data"} <= set(sent["tasks"][0])
    else:
        assert sent["interface"]["questions"][0]["name"] == "label"
    # Again: each task keeps one prediction of this model version.
    again = run_job(as_["owner"], project_id, made["id"])
    assert again["state"] == "succeeded", again
    assert all(len(v) == 1 for v in predictions(as_["owner"], project_id).values())


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_answers_that_do_not_fit_are_recorded_per_task_and_not_stored(
    db: Database, open_api: Api, model: MLServer, protocol: str
) -> None:
    project_id, as_ = people(db, open_api)
    made = connect(as_["owner"], project_id, model.url + PATHS[protocol], protocol=protocol)
    model.mode("partial")  # odd task ids get the answer "maybe", not an option
    job = run_job(as_["owner"], project_id, made["id"], batch_size=4)
    assert job["state"] == "succeeded", job
    result = job["result"]
    assert result["stored"] + result["failed"] == 4 and result["failed"] >= 1
    failed = {f["task_id"] for f in result["failures"]}
    assert all(task_id % 2 == 1 for task_id in failed)
    lines = [line["message"] for line in job["log"]]
    for task_id in failed:
        assert any(line.startswith(f"task {task_id}: ") and "maybe" in line for line in lines)
    stored = [p for v in predictions(as_["owner"], project_id).values() for p in v]
    assert len(stored) == result["stored"]
    assert all(p["result"]["label"]["choice"] in ("pos", "neg") for p in stored)


@pytest.mark.parametrize(
    ("mode", "words"),
    [("garbage", "not JSON"), ("error", "HTTP 500"), ("slow", "no answer within")],
)
def test_a_failing_server_fails_each_task_and_the_job_goes_on(
    db: Database, open_api: Api, model: MLServer, mode: str, words: str
) -> None:
    project_id, as_ = people(db, open_api)
    made = connect(as_["owner"], project_id, model.url + "/ls", timeout_seconds=0.5)
    model.mode(mode, delay=2.0)
    job = run_job(as_["owner"], project_id, made["id"], batch_size=2)
    assert job["state"] == "succeeded", job
    assert job["result"]["stored"] == 0 and job["result"]["failed"] == 4
    assert len(job["result"]["failures"]) == 4
    assert all(words in f["error"] for f in job["result"]["failures"])
    assert sum(words in line["message"] for line in job["log"]) >= 2  # a line per batch
    assert all(v == [] for v in predictions(as_["owner"], project_id).values())


def test_a_server_that_stays_down_stops_the_job_saying_where(db: Database, open_api: Api) -> None:
    project_id, as_ = people(db, open_api)
    add_tasks(db, _owner(db), project_id, [{"id": f"x{i}", "text": "more"} for i in range(4)])
    made = connect(as_["owner"], project_id, f"http://127.0.0.1:{free_port()}")
    job = run_job(as_["owner"], project_id, made["id"], batch_size=1)
    assert job["state"] == "failed", job
    assert "did not answer 5 batches in a row" in job["error"]
    assert "3 tasks not tried" in job["error"]
    assert job["done"] == 5


def _owner(db: Database) -> Any:
    from sqlalchemy import select

    from accord.models import User

    with db.read() as session:
        return session.scalar(select(User).where(User.email == "owner@example.com"))


# -- interactive --------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_suggest_answers_the_annotator_within_a_budget(
    db: Database, open_api: Api, model: MLServer, protocol: str
) -> None:
    project_id, as_ = people(db, open_api)
    offer = as_["ann"].get(f"/projects/{project_id}/ml-suggest").json()
    assert offer == {"available": False, "backend_id": None, "title": ""}
    made = connect(
        as_["owner"],
        project_id,
        model.url + PATHS[protocol],
        protocol=protocol,
        interactive=True,
        timeout_seconds=1,
    )
    offer = as_["ann"].get(f"/projects/{project_id}/ml-suggest").json()
    assert offer["available"] and offer["backend_id"] == made["id"]
    task = as_["ann"].post(f"/projects/{project_id}/next").json()["task"]
    context = {"clicks": [[1, 2]], "answer": {}}
    got = as_["ann"].post(f"/tasks/{task['id']}/ml-predict", json={"context": context})
    assert got.status_code == 200, got.text
    assert got.json()["result"]["label"]["choice"] in ("pos", "neg")
    assert got.json()["model_version"].startswith("sk-")
    sent = model.requests(PATHS[protocol] + "/predict")[-1]["body"]
    assert (sent["params"]["context"] if protocol == "labelstudio" else sent["context"]) == context
    # Nothing is stored: it is the browser's to use.
    assert as_["owner"].get(f"/tasks/{task['id']}").json()["predictions"] == []
    for mode, code in [
        ("misfit", "model_misfit"),
        ("error", "model_status"),
        ("slow", "model_timeout"),
    ]:
        model.mode(mode, delay=3.0)
        failed = as_["ann"].post(f"/tasks/{task['id']}/ml-predict", json={"context": context})
        assert failed.status_code == 502, failed.text
        error = failed.json()["error"]
        assert error["code"] == code and "annotate without it" in error["message"]
    # An annotator asks only about tasks they work on; strangers see nothing.
    others = [t for t in range(task["id"] - 4, task["id"] + 5) if t != task["id"]]
    assert all(
        as_["ann"].post(f"/tasks/{t}/ml-predict", json={}).status_code == 404 for t in others
    )
    assert as_["stranger"].post(f"/tasks/{task['id']}/ml-predict", json={}).status_code == 404


# -- retraining ---------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_every_n_annotations_the_backend_is_retrained_from_a_worker(
    db: Database, open_api: Api, app_client: TestClient, model: MLServer, protocol: str
) -> None:
    project_id, as_ = people(db, open_api)
    path = PATHS[protocol]
    made = connect(as_["owner"], project_id, model.url + path, protocol=protocol, train_every=2)
    runner = app_client.app.state.jobs  # type: ignore[attr-defined]
    before = len(model.requests(path + ("/webhook" if protocol == "labelstudio" else "/train")))
    for label in ("pos",):
        task = as_["ann"].post(f"/projects/{project_id}/next").json()["task"]
        done = as_["ann"].post(
            f"/tasks/{task['id']}/annotations", json={"result": {"label": {"choice": label}}}
        )
        assert done.status_code == 201, done.text
    assert start_due_training(runner) == [], "one annotation of two: not yet"
    task = as_["ann"].post(f"/projects/{project_id}/next").json()["task"]
    done = as_["ann"].post(
        f"/tasks/{task['id']}/annotations", json={"result": {"label": {"choice": "neg"}}}
    )
    assert done.status_code == 201, done.text
    [job_id] = start_due_training(runner)
    job = wait(as_["owner"], job_id)
    assert job["state"] == "succeeded", job
    assert job["result"]["annotations"] == 2
    sent = model.requests(path + ("/webhook" if protocol == "labelstudio" else "/train"))
    assert len(sent) == before + 1
    event = sent[-1]["body"]
    if protocol == "labelstudio":
        assert event["action"] == "ANNOTATION_CREATED"
        assert event["project"]["id"] == project_id and "<View>" in event["project"]["label_config"]
        assert event["annotation"]["result"][0]["value"]["choices"] == ["neg"]
        assert len(event["annotations"]) == 2
    else:
        assert [a["result"]["label"]["choice"] for a in event["annotations"]] == ["pos", "neg"]
    backend = as_["owner"].get(f"/projects/{project_id}/ml-backends/{made['id']}").json()
    assert backend["trained_through"] > 0 and backend["last_trained_at"] is not None
    assert backend["model_version"] == job["result"]["model_version"] != ""
    assert start_due_training(runner) == [], "nothing new since"
