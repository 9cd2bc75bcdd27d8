"""MOTA and IDF1 of a project's tracks questions in its metrics (docs/metrics.md, "Tracks"):
gold scoring and pairwise agreement, overall and per annotator, computed by the metrics job
and read from its snapshot; an annotator sees only their own; the CLI's table lists them."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import select

from accord.db import Database
from accord.models import GoldAnswer, Task
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user

INTERFACE = {
    "fields": [{"name": "clip", "kind": "video"}],
    "questions": [
        {"name": "cars", "kind": "tracks", "target": "clip", "shape": "box", "labels": ["car"]}
    ],
}
FRAMES = 10
WHOLE = {"cars": {"tracks": [{"id": "t1", "label": "car", "keyframes": [
    {"frame": 0, "x": 0, "y": 0, "w": 10, "h": 10}]}]}}  # fmt: skip
HALF = {"cars": {"tracks": [{"id": "t1", "label": "car", "keyframes": [
    {"frame": 0, "x": 0, "y": 0, "w": 10, "h": 10}, {"frame": 5, "outside": True}]}]}}  # fmt: skip


@pytest.fixture
def project(db: Database, api: Api) -> tuple[int, dict[str, Api], dict[str, int]]:
    """Three tasks of a 10-frame video, overlap 2: ann follows the car on all 10 frames of
    each; bo loses it after frame 4 on v1 and v3, follows it on v2. v3 is made gold
    afterwards (the car on all 10 frames)."""
    owner, owner_token = make_user(db, "owner@example.com")
    people, members, ids = {}, {}, {}
    for name in ("ann", "bo"):
        user, token = make_user(db, f"{name}@example.com")
        people[name], members[user], ids[name] = api.as_(token), "annotator", user.id
    made = make_project(db, owner, INTERFACE, overlap=2, members=members)
    video = {"src": "https://example.org/clip.mp4", "frames": FRAMES, "width": 64, "height": 48}
    add_tasks(db, owner, made, [{"id": f"v{i}", "clip": video} for i in (1, 2, 3)])
    for name in ("ann", "bo"):
        for _ in range(3):
            task = people[name].post(f"/projects/{made.id}/next").json()["task"]
            result = HALF if name == "bo" and task["external_id"] != "v2" else WHOLE
            done = people[name].post(f"/tasks/{task['id']}/annotations", json={"result": result})
            assert done.status_code == 201, done.text
    with db.write() as session:
        gold = session.scalar(select(Task.id).where(Task.external_id == "v3"))
        assert gold is not None
        known = orjson.dumps(WHOLE).decode()
        session.add(GoldAnswer(task_id=gold, project_id=made.id, purpose="gold", result=known))
    return made.id, {"owner": api.as_(owner_token), **people}, ids


def refreshed(api: Api, me: Api, path: str) -> dict[str, Any]:
    me.get(path)
    assert api.client.app.state.jobs.wait_idle(60)
    found = me.get(path)
    assert found.status_code == 200, found.text
    out: dict[str, Any] = found.json()
    return out


def figures(n: int, mota: tuple[float, float], idf1: tuple[float, float]) -> dict[str, Any]:
    return {
        "n": n,
        "mota_mean": mota[0],
        "mota_median": mota[1],
        "idf1_mean": idf1[0],
        "idf1_median": idf1[1],
    }


def test_mota_and_idf1_of_gold_and_of_pairs(db: Database, api: Api, project: Any) -> None:
    project_id, as_, ids = project
    out = refreshed(api, as_["owner"], f"/projects/{project_id}/metrics?by=question")
    cars = out["tracks"]["cars"]
    ann, bo = str(ids["ann"]), str(ids["bo"])
    # Gold (v3): ann matches all 10 frames (MOTA 1, IDF1 1); bo misses 5 of 10 (MOTA 0.5,
    # IDF1 2·5 / (10 + 5)).
    assert cars["gold"] == {
        **figures(2, (0.75, 0.75), (0.8333, 0.8333)),
        "by_annotator": {ann: figures(1, (1.0, 1.0), (1.0, 1.0)),
                         bo: figures(1, (0.5, 0.5), (0.6667, 0.6667))},
    }  # fmt: skip
    # Pairs (v1, v2; gold tasks left out), each annotator the tracker against the other: on
    # v1 bo against ann misses 5 of 10 (MOTA 0.5), ann against bo has 5 false positives over
    # bo's 5 frames (MOTA 0); IDF1 2/3 both ways. On v2 both are perfect.
    assert cars["agreement"] == {
        **figures(4, (0.625, 0.75), (0.8333, 0.8333)),
        "by_annotator": {ann: figures(2, (0.5, 0.5), (0.8333, 0.8333)),
                         bo: figures(2, (0.75, 0.75), (0.8333, 0.8333))},
    }  # fmt: skip
    assert cars["shape"] == "box"
    assert set(out["names"]) >= {ann, bo}  # named for the dashboard


def test_the_figures_equal_motmetrics(db: Database, api: Api, project: Any) -> None:
    mm = pytest.importorskip("motmetrics")
    import numpy as np

    project_id, as_, _ = project
    out = refreshed(api, as_["owner"], f"/projects/{project_id}/metrics?by=question")
    accumulator = mm.MOTAccumulator(auto_id=True)
    for frame in range(FRAMES):  # bo (hypothesis) against the gold (reference) on v3
        hyp = [1] if frame < 5 else []
        distances = np.zeros((1, len(hyp)))  # the same box: IoU 1, distance 0
        accumulator.update([1], hyp, distances)
    summary = mm.metrics.create().compute(accumulator, metrics=["mota", "idf1"])
    bo = out["tracks"]["cars"]["gold"]["by_annotator"]
    [mine] = [v for v in bo.values() if v["mota_mean"] != 1.0]
    assert mine["mota_mean"] == round(float(summary["mota"].iloc[0]), 4)
    assert mine["idf1_mean"] == round(float(summary["idf1"].iloc[0]), 4)


def test_an_annotator_sees_their_own_track_figures(db: Database, api: Api, project: Any) -> None:
    project_id, as_, ids = project
    refreshed(api, as_["owner"], f"/projects/{project_id}/metrics?by=question")
    mine = as_["bo"].get(f"/projects/{project_id}/metrics?by=question").json()["tracks"]["cars"]
    bo = str(ids["bo"])
    own = figures(2, (0.75, 0.75), (0.8333, 0.8333))
    assert mine["agreement"] == {**own, "by_annotator": {bo: own}}
    assert mine["gold"] is None  # the project does not show gold results
    shown = as_["owner"].patch(f"/projects/{project_id}", json={"gold_feedback": True})
    assert shown.status_code == 200, shown.text
    mine = as_["bo"].get(f"/projects/{project_id}/metrics?by=question").json()["tracks"]["cars"]
    assert mine["gold"]["mota_mean"] == 0.5 and list(mine["gold"]["by_annotator"]) == [bo]


def test_no_tracks_question_no_tracks_figures(db: Database, api: Api) -> None:
    owner, token = make_user(db, "owner@example.com")
    text_only = {"fields": [{"name": "t", "kind": "text"}], "questions": [
        {"name": "ok", "kind": "choice", "options": ["y", "n"]}]}  # fmt: skip
    made = make_project(db, owner, text_only)
    out = refreshed(api, api.as_(token), f"/projects/{made.id}/metrics?by=question")
    assert out["tracks"] == {}
