"""``POST /tasks/{task_id}/assist``: GrabCut from a rough box (or the intelligent scissors
through points) on the task's image, read from the media area or a bucket, for whoever may
annotate the task or review the project's work."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from accord.api.app import create_app
from accord.db import Database
from accord.quality.masks import rle_decode
from accord.settings import Settings
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user
from tests.media.test_assist import H, W, iou, raster, rough, shape_image
from tests.s3 import S3Server, s3, s3_server, unique_prefix

__all__ = ["s3", "s3_server"]  # the moto server fixtures, used by the bucket test

INTERFACE = {
    "fields": [{"name": "image", "kind": "image"}, {"name": "note", "kind": "text"}],
    "questions": [
        {"name": "masks", "kind": "masks", "target": "image", "labels": ["thing"]},
        {"name": "outline", "kind": "polygons", "target": "image", "labels": ["thing"]},
    ],
}


class Setup:
    def __init__(self, db: Database, api: Api, settings: Settings, src: str | None = None) -> None:
        image, self.truth, box = shape_image()
        folder = settings.data_dir / "media" / "assist"
        folder.mkdir(parents=True)
        path = folder / "shape.png"
        path.write_bytes(image.getvalue())
        owner, owner_token = make_user(db, "owner@example.com")
        annotator, annotator_token = make_user(db, "ann@example.com")
        peer, peer_token = make_user(db, "peer@example.com")
        reviewer, reviewer_token = make_user(db, "rev@example.com")
        _, stranger_token = make_user(db, "stranger@example.com")
        members = {annotator: "annotator", peer: "annotator", reviewer: "reviewer"}
        self.project = make_project(db, owner, INTERFACE, members=members)
        image_value: Any = src or {"src": path.as_uri(), "width": W, "height": H}
        add_tasks(db, owner, self.project, [{"image": image_value, "note": "n"}])
        self.annotator = api.as_(annotator_token)
        leased = self.annotator.post(f"/projects/{self.project.id}/next").json()
        self.task_id = leased["task"]["id"]
        self.as_ = {
            "annotator": self.annotator,
            "peer": api.as_(peer_token),
            "reviewer": api.as_(reviewer_token),
            "manager": api.as_(owner_token),
            "stranger": api.as_(stranger_token),
            "anonymous": api.as_(None),
        }
        r = rough(box)
        self.body = {"field": "image", "box": {"x": r.x, "y": r.y, "w": r.w, "h": r.h}}

    def post(self, body: dict[str, Any], who: str = "annotator") -> Any:
        return self.as_[who].post(f"/tasks/{self.task_id}/assist", json=body)


@pytest.fixture
def setup(db: Database, api: Api, settings: Settings) -> Setup:
    return Setup(db, api, settings)


def test_a_mask_from_a_rough_box(setup: Setup) -> None:
    answer = setup.post(setup.body)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["tool"] == "grabcut" and body["points"] is None
    assert (body["width"], body["height"]) == (W, H) and body["rle"]["size"] == [H, W]
    assert iou(rle_decode(body["rle"]), setup.truth) >= 0.9
    assert 0 < body["seconds"] < body["budget_seconds"]


def test_a_polygon_with_clicks(setup: Setup) -> None:
    box = setup.body["box"]
    centre = [box["x"] + box["w"] / 2, box["y"] + box["h"] / 2]
    body = {**setup.body, "output": "polygon", "foreground": [centre], "background": [[3, 3]]}
    answer = setup.post(body)
    assert answer.status_code == 200, answer.text
    points = answer.json()["points"]
    assert answer.json()["rle"] is None and 3 <= len(points) <= 200
    assert iou(raster(points), setup.truth) >= 0.9


def test_scissors_through_points_on_the_outline(setup: Setup) -> None:
    from tests.media.test_assist import ellipse_truth, outline_points

    _, box = ellipse_truth()
    points = [list(p) for p in outline_points(box)]
    body = {"field": "image", "tool": "scissors", "points": points, "output": "polygon"}
    answer = setup.post(body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["tool"] == "scissors"
    assert iou(raster(answer.json()["points"]), setup.truth) >= 0.9


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("stranger", 404), ("peer", 404), ("reviewer", 200), ("manager", 200)],
)
def test_who_may_assist(setup: Setup, who: str, status: int) -> None:
    assert setup.post(setup.body, who).status_code == status


def test_reviewers_assist_in_their_projects_only(
    db: Database, api: Api, settings: Settings, setup: Setup
) -> None:
    """A reviewer fixing an annotation (or adjudicating) gets the same outline as the
    annotator; a reviewer or manager of another project is not told the task exists."""
    mine = setup.post(setup.body, "reviewer")
    assert mine.status_code == 200, mine.text
    assert iou(rle_decode(mine.json()["rle"]), setup.truth) >= 0.9
    polygon = setup.post({**setup.body, "output": "polygon"}, "reviewer")
    assert polygon.status_code == 200 and iou(raster(polygon.json()["points"]), setup.truth) >= 0.9
    elsewhere, token = make_user(db, "elsewhere@example.com")
    boss, boss_token = make_user(db, "boss@example.com")
    make_project(db, boss, INTERFACE, members={elsewhere: "reviewer"})
    for other in (token, boss_token):
        answer = api.as_(other).post(f"/tasks/{setup.task_id}/assist", json=setup.body)
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"]["message"] == f"no task {setup.task_id}, or you cannot see it"


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"box": {"x": 10, "y": 10, "w": 0, "h": 20}}, "box.w"),
        ({"box": {"x": 10, "y": 10, "w": 20}}, "box.h"),
        ({"box": {"x": 600, "y": 10, "w": 80, "h": 20}}, "box.w"),
        ({"box": {"x": 10, "y": 10, "w": 2, "h": 20}}, "box.w"),
        ({"foreground": [[1, 2, 3]]}, "foreground[0]"),
        ({"foreground": [[1, 1]] * 51}, "foreground"),
        ({"foreground": [[1, 1]]}, "foreground[0]"),  # outside the box
        ({"background": [[9000, 1]]}, "background[0]"),
        ({"output": "outline"}, "output"),
        ({"tool": "sam"}, "tool"),
        ({"max_points": 2}, "max_points"),
        ({"field": "note"}, "field"),
        ({"field": "nothing"}, "field"),
        ({"extra": 1}, "extra"),
        ({"box": None}, "box"),
        ({"tool": "scissors", "points": [[10, 10], [50, 50]]}, "points"),
        ({"tool": "scissors", "points": [[10, 10], [50, 50], [10, 900]]}, "points[2]"),
    ],
)
def test_bad_input_is_refused_with_its_path(
    setup: Setup, change: dict[str, Any], path: str
) -> None:
    answer = setup.post({**setup.body, **change})
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["details"][0]["path"] == path, error
    assert error["message"].startswith(f"{path}: ")


@pytest.mark.parametrize(
    ("src", "says"),
    [
        ("https://example.com/a.png", "does not fetch web URLs"),
        ("file:///etc/hostname", "media/ area"),
    ],
)
def test_images_the_server_will_not_read(
    db: Database, api: Api, settings: Settings, src: str, says: str
) -> None:
    setup = Setup(db, api, settings, src=src)
    answer = setup.post(setup.body)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["details"][0]["path"] == "field" and says in error["message"]


def test_a_missing_file_is_named(db: Database, api: Api, settings: Settings) -> None:
    gone = (settings.data_dir / "media" / "gone.png").as_uri()
    setup = Setup(db, api, settings, src=gone)
    answer = setup.post(setup.body)
    assert answer.status_code == 404, answer.text
    error = answer.json()["error"]
    assert error["code"] == "file_missing" and "gone.png" in error["message"]


def test_grabcut_runs_off_the_event_loop(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    """GrabCut runs on a worker thread (no event loop there), after the read transaction."""
    import asyncio

    from accord.api import assist as assist_api

    seen: list[bool] = []
    real = assist_api.assist

    def spy(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
            seen.append(True)
        except RuntimeError:
            seen.append(False)
        return real(*args, **kwargs)

    monkeypatch.setattr(assist_api, "assist", spy)
    assert setup.post(setup.body).status_code == 200
    assert seen == [False]


def test_an_image_in_a_bucket(db: Database, settings: Settings, s3: S3Server) -> None:
    """An ``s3://`` image (a bucket other than Accord's storage) is read through the S3 API."""
    image, truth, _ = shape_image()
    key = f"{unique_prefix()}/shape.png"
    s3.client().put_object(Bucket=s3.bucket, Key=key, Body=image.getvalue())
    bucket = settings.model_copy(
        update={"s3_endpoint_url": s3.endpoint, "media_buckets": s3.bucket}
    )
    with TestClient(create_app(bucket, db), raise_server_exceptions=False) as client:
        setup = Setup(db, Api(client), bucket, src=f"s3://{s3.bucket}/{key}")
        answer = setup.post(setup.body)
        assert answer.status_code == 200, answer.text
        assert iou(rle_decode(answer.json()["rle"]), truth) >= 0.9
