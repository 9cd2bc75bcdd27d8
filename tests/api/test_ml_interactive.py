"""Interactive prediction on images (docs/ml_backends.md, "Points and boxes"): a click or a box
drawn in the annotate screen is sent to the model server as Suggest's context (Label Studio's
``keypointlabels`` / ``rectanglelabels`` regions in percent, or Accord's own points and boxes
in pixels), the answer comes back as a polygon; the tasks sent (Suggest and pre-labelling)
carry signed absolute links to the image that the model server GETs without a session.

A real Accord server process (its ACCORD_PUBLIC_URL its own address) and the test model server
(tests/ml_backend_server.py, whose outline rule fetches each image and fails when it cannot).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from accord.api.app import create_app
from accord.db import Database
from accord.settings import Settings
from tests.api.test_jobs import wait
from tests.factories import add_tasks, make_project, make_user
from tests.live import LiveServer, _wait_until_up, free_port, server_env, start_accord
from tests.ml_backend_server import SIDE, MLServer, ml_server

W, H = 200, 120
INTERFACE = {
    "fields": [{"name": "image", "kind": "image"}],
    "questions": [
        {"name": "outline", "kind": "polygons", "target": "image", "labels": ["blob", "other"]},
        {"name": "note", "kind": "text"},
    ],
}
PATHS = {"labelstudio": "/ls", "accord": "/accord"}
FILES = "/api/v1/files/"


@pytest.fixture(scope="module")
def model() -> Iterator[MLServer]:
    with ml_server() as server:
        yield server


@pytest.fixture
def accord(settings: Settings) -> Iterator[LiveServer]:
    """`accord serve` with ACCORD_PUBLIC_URL set to its own address (model servers on
    127.0.0.1 allowed)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **server_env(settings, port),
        "ACCORD_PUBLIC_URL": url,
        "ACCORD_WEBHOOK_ALLOW_PRIVATE": "true",
    }
    log = settings.data_dir / f"server-{port}.log"
    process = start_accord(["serve", "--port", str(port)], env, log)
    live = LiveServer(url, process, log)
    try:
        _wait_until_up(live)
        yield live
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(15)


def pictures(settings: Settings, n: int) -> list[str]:
    """``n`` W×H PNGs in the storage's media folder: their file:// references."""
    media = Path(settings.data_dir) / "media"
    media.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        path = media / f"picture-{i}.png"
        Image.new("RGB", (W, H), (40 * i, 120, 200)).save(path)
        out.append(path.resolve().as_uri())
    return out


OPEN: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _closed() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def client(base: str, token: str) -> httpx.Client:
    made = httpx.Client(
        base_url=base + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    OPEN.append(made)
    return made


def project_with_images(db: Database, settings: Settings, n: int = 2) -> tuple[int, str, str]:
    """A project of ``n`` image tasks (the image as an object with its size); the owner's and
    the annotator's tokens."""
    owner, owner_token = make_user(db, "owner@example.com")
    ann, ann_token = make_user(db, "ann@example.com")
    project = make_project(db, owner, INTERFACE, members={ann: "annotator"})
    rows = [
        {"id": f"p{i}", "image": {"src": src, "width": W, "height": H}}
        for i, src in enumerate(pictures(settings, n))
    ]
    add_tasks(db, owner, project, rows)
    return project.id, owner_token, ann_token


def connect(owner: httpx.Client, project_id: int, url: str, protocol: str) -> int:
    body = {"title": "outliner", "url": url, "protocol": protocol, "interactive": True}
    made = owner.post(f"/projects/{project_id}/ml-backends", json=body)
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def square(x: float, y: float) -> list[list[float]]:
    half = SIDE / 2
    return [[x - half, y - half], [x + half, y - half], [x + half, y + half], [x - half, y + half]]


def close(a: list[list[float]], b: list[list[float]]) -> bool:
    return len(a) == len(b) and all(
        abs(p[0] - q[0]) < 0.01 and abs(p[1] - q[1]) < 0.01 for p, q in zip(a, b, strict=True)
    )


@pytest.mark.parametrize("protocol", ["labelstudio", "accord"])
def test_a_click_and_a_box_become_polygons_from_an_image_the_server_fetched(
    db: Database, settings: Settings, accord: LiveServer, model: MLServer, protocol: str
) -> None:
    project_id, owner_token, ann_token = project_with_images(db, settings, 1)
    owner, ann = client(accord.url, owner_token), client(accord.url, ann_token)
    connect(owner, project_id, model.url + PATHS[protocol], protocol)
    task = ann.post(f"/projects/{project_id}/next").json()["task"]
    base = {"question": "outline", "field": "image", "image": {"width": W, "height": H}}

    # A click: a square polygon around it, of the label asked.
    click = {**base, "points": [{"x": 50, "y": 60, "label": "other"}], "answer": {}}
    got = ann.post(f"/tasks/{task['id']}/ml-predict", json={"context": click})
    assert got.status_code == 200, got.text
    [made] = got.json()["result"]["outline"]["objects"]
    assert made["label"] == "other" and close(made["points"], square(50, 60)), made
    assert got.json()["model_version"] == "outline-1"
    sent = model.requests(PATHS[protocol] + "/predict")[-1]["body"]
    if protocol == "labelstudio":
        # Label Studio's shape, as its smart keypoint tool sends it.
        [region] = sent["params"]["context"]["result"]
        assert region == {
            "id": "p0",
            "type": "keypointlabels",
            "from_name": "outline",
            "to_name": "image",
            "original_width": W,
            "original_height": H,
            "image_rotation": 0,
            "is_positive": 1,
            "value": {"x": 25.0, "y": 50.0, "width": 0.5, "keypointlabels": ["other"]},
        }
        assert sent["params"]["context"]["answer"] == {}
        image = sent["tasks"][0]["data"]["image"]
    else:
        assert sent["context"] == click
        image = sent["tasks"][0]["data"]["image"]["src"]
    # The image went as a signed absolute link, which the model server fetched.
    assert image.startswith(accord.url + FILES), image
    assert model.fetched()[-1] == {"url": image, "status": 200}
    assert httpx.get(image).status_code == 200  # no session needed

    # A box: its outline.
    box = {**base, "boxes": [{"x": 10, "y": 20, "width": 60, "height": 30, "label": "blob"}]}
    got = ann.post(f"/tasks/{task['id']}/ml-predict", json={"context": box})
    assert got.status_code == 200, got.text
    [made] = got.json()["result"]["outline"]["objects"]
    assert made["label"] == "blob"
    assert close(made["points"], [[10, 20], [70, 20], [70, 50], [10, 50]]), made
    if protocol == "labelstudio":
        sent = model.requests("/ls/predict")[-1]["body"]
        [region] = sent["params"]["context"]["result"]
        assert region["type"] == "rectanglelabels"
        assert region["value"] == {
            "x": 5.0,
            "y": 100 * 20 / H,
            "width": 30.0,
            "height": 25.0,
            "rotation": 0,
            "rectanglelabels": ["blob"],
        }
    # Nothing stored; the task's data still names the file as it was imported.
    detail = owner.get(f"/tasks/{task['id']}").json()
    assert detail["predictions"] == []


def test_points_and_boxes_that_do_not_fit_are_refused_with_where(
    db: Database, settings: Settings, accord: LiveServer, model: MLServer
) -> None:
    project_id, owner_token, ann_token = project_with_images(db, settings, 1)
    owner, ann = client(accord.url, owner_token), client(accord.url, ann_token)
    connect(owner, project_id, model.url + "/ls", "labelstudio")
    task = ann.post(f"/projects/{project_id}/next").json()["task"]
    before = len(model.requests("/ls/predict"))
    base = {"question": "outline", "field": "image", "image": {"width": W, "height": H}}
    for context, words in [
        ({**base, "points": [{"x": 500, "y": 5}]}, "context.points[0]: lies outside the 200×120"),
        ({**base, "points": [{"x": "a", "y": 5}]}, "context.points[0]: expected numbers x, y"),
        ({**base, "question": "note", "points": [{"x": 1, "y": 1}]}, "not a shape question"),
        ({**base, "field": "other", "boxes": []}, "drawn on 'image'"),
        ({**base, "image": {"width": 0}, "points": []}, "context.image"),
    ]:
        got = ann.post(f"/tasks/{task['id']}/ml-predict", json={"context": context})
        assert got.status_code == 422, got.text
        assert words in got.json()["error"]["message"], got.json()
    assert len(model.requests("/ls/predict")) == before, "nothing is sent"


def test_pre_labelling_sends_links_the_server_fetches(
    db: Database, settings: Settings, accord: LiveServer, model: MLServer
) -> None:
    project_id, owner_token, _ = project_with_images(db, settings, 3)
    owner = client(accord.url, owner_token)
    backend_id = connect(owner, project_id, model.url + "/ls", "labelstudio")
    fetched = len(model.fetched())
    started = owner.post(f"/projects/{project_id}/ml-backends/{backend_id}/predictions", json={})
    assert started.status_code == 202, started.text
    job = wait(owner, started.json()["id"])
    assert job["state"] == "succeeded" and job["result"]["stored"] == 3, job
    got = model.fetched()[fetched:]
    assert len(got) == 3 and all(f["status"] == 200 for f in got), got
    assert all(f["url"].startswith(accord.url + FILES) for f in got), got
    # The stored predictions: a square in the middle of each image; the tasks keep file://.
    tasks = owner.get(f"/projects/{project_id}/tasks", params={"limit": 10}).json()
    items = tasks["items"] if isinstance(tasks, dict) else tasks
    for item in items:
        [prediction] = owner.get(f"/tasks/{item['id']}").json()["predictions"]
        [made] = prediction["result"]["outline"]["objects"]
        assert close(made["points"], square(W / 2, H / 2)), made
    stored = db_data(db, project_id)
    assert all(d["image"]["src"].startswith("file://") for d in stored)


def test_without_a_public_url_suggest_sends_the_servers_own_address_not_the_host_header(
    db: Database, settings: Settings, model: MLServer
) -> None:
    """No ACCORD_PUBLIC_URL: the link is made absolute with the server's own address
    (ACCORD_HOST and ACCORD_PORT), never with the address the request names in its Host
    header, which an annotator chooses. (The test client serves no port, so the model server
    cannot fetch it: the call fails, saying so.)"""
    project_id, owner_token, ann_token = project_with_images(db, settings, 1)
    # A port nothing listens at: the model server's fetch is refused.
    allowing = settings.model_copy(update={"webhook_allow_private": True, "port": free_port()})
    assert "ACCORD_PUBLIC_URL" not in os.environ
    with TestClient(create_app(allowing, db), raise_server_exceptions=False) as app:
        headers = {"Authorization": f"Bearer {owner_token}"}
        body = {"title": "outliner", "url": model.url + "/accord", "protocol": "accord"}
        made = app.post(
            f"/api/v1/projects/{project_id}/ml-backends",
            json={**body, "interactive": True},
            headers=headers,
        )
        assert made.status_code == 201, made.text
        ann = {"Authorization": f"Bearer {ann_token}"}
        task = app.post(f"/api/v1/projects/{project_id}/next", headers=ann).json()["task"]
        context = {
            "question": "outline",
            "field": "image",
            "image": {"width": W, "height": H},
            "points": [{"x": 20, "y": 20, "label": "blob"}],
        }
        own = f"http://127.0.0.1:{allowing.port}"
        for host in (None, "169.254.169.254", "attacker.example:8443"):
            asked = {**ann, "Host": host} if host else ann
            got = app.post(
                f"/api/v1/tasks/{task['id']}/ml-predict", json={"context": context}, headers=asked
            )
            assert got.status_code == 502, got.text
            assert got.json()["error"]["code"] == "model_status"
            message = got.json()["error"]["message"]
            assert f"could not fetch the image '{own}/api/v1/files/" in message, message
            sent: dict[str, Any] = model.requests("/accord/predict")[-1]["body"]
            assert sent["tasks"][0]["data"]["image"]["src"].startswith(own + FILES), sent



def db_data(db: Database, project_id: int) -> list[dict[str, Any]]:
    import orjson
    from sqlalchemy import select

    from accord.models import Task

    with db.read() as session:
        rows = session.scalars(select(Task.data).where(Task.project_id == project_id)).all()
    return [orjson.loads(r) for r in rows]
