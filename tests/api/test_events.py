"""``events`` questions on videos: submitting events (refusals with their paths) and the
``events_csv`` / ``events_json`` exports, whose seconds come from the frames job's manifest
(a variable frame rate too) or from the value's fps."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from accord.db import Database
from tests.api.conftest import Api
from tests.api.test_media import parts, wait
from tests.factories import add_tasks, make_project, make_user
from tests.media.video_samples import ffprobe_times, have_ffmpeg, make_video

pytestmark = pytest.mark.skipif(not have_ffmpeg(), reason="needs Debian's ffmpeg")

FRAMES = 40
INTERFACE = {
    "fields": [{"name": "clip", "kind": "video"}],
    "questions": [
        {
            "name": "actions",
            "kind": "events",
            "target": "clip",
            "labels": ["pick", "place"],
            "attributes": [{"name": "hand", "type": "choice", "options": ["left", "right"]}],
        },
        {"name": "ok", "kind": "choice", "options": ["yes", "no"]},
    ],
}


class Team:
    def __init__(self, db: Database, api: Api) -> None:
        self.owner, token = make_user(db, "owner@example.com")
        annotator, annotator_token = make_user(db, "=ann@example.com")
        self.project = make_project(db, self.owner, INTERFACE, members={annotator: "annotator"})
        self.manager = api.as_(token)
        self.annotator = api.as_(annotator_token)


@pytest.fixture
def team(db: Database, api: Api) -> Team:
    return Team(db, api)


def upload(team: Team, tmp_path: Path) -> tuple[str, list[float]]:
    """A variable-frame-rate video, uploaded and decoded: its reference and ffprobe's times."""
    video = make_video(tmp_path / "vfr.mp4", FRAMES, variable=True)
    answer = team.manager.post(
        f"/projects/{team.project.id}/media", files=parts({"vfr.mp4": video.read_bytes()})
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert wait(team.manager, body["frames_job"], timeout=120)["state"] == "succeeded"
    return body["files"][0]["src"], ffprobe_times(video)


def event(start: int, end: int, label: str = "pick", id: str = "e", **more: Any) -> Any:
    return {"id": id, "label": label, "start": start, "end": end, **more}


def submit(me: Api, task_id: int, events: list[Any]) -> Any:
    result = {"actions": {"events": events}, "ok": {"choice": "yes"}}
    return me.post(f"/tasks/{task_id}/annotations", json={"result": result})


def next_task(me: Api, project_id: int) -> dict[str, Any]:
    task = me.post(f"/projects/{project_id}/next").json()["task"]
    assert task is not None
    return dict(task)


def test_refusals_name_their_path(team: Team, db: Database) -> None:
    clip = {"src": "s3://bucket/a.mp4", "frames": FRAMES, "fps": 20}
    add_tasks(db, team.owner, team.project.id, [{"id": "a", "clip": clip}])
    task = next_task(team.annotator, team.project.id)
    cases = [
        ([event(0, 5), event(3, FRAMES, id="f")], "result.actions.events[1].end", "past"),
        ([event(9, 4)], "result.actions.events[0].end", "before the start"),
        ([event(0, 5), event(5, 8, id="f")], "result.actions.events[1]", "overlap"),
        ([event(0, 1, "drop")], "result.actions.events[0].label", "'drop' is not one of"),
        (
            [event(0, 1, attributes={"hand": "both"})],
            "result.actions.events[0].attributes.hand",
            "'both'",
        ),
    ]
    for events, path, words in cases:
        answer = submit(team.annotator, task["id"], events)
        assert answer.status_code == 422, answer.text
        assert path in answer.text and words in answer.text, answer.text
    answer = team.manager.get(f"/projects/{team.project.id}/export", params={"format": "jsonl"})
    assert '"annotations":[]' in answer.text.replace(" ", "")  # nothing was half-written


def test_submit_and_export_events_with_frames_and_seconds(
    team: Team, db: Database, tmp_path: Path
) -> None:
    src, times = upload(team, tmp_path)
    # Task "vfr": the decoded video (seconds from the manifest's times); task "fps": a video
    # never decoded, whose value gives its rate (seconds = frame / fps).
    rows = [
        {"id": "vfr", "clip": src},
        {"id": "fps", "clip": {"src": "s3://bucket/b.mp4", "frames": 100, "fps": 20}},
    ]
    add_tasks(db, team.owner, team.project.id, rows)
    marked = {
        "vfr": [
            event(3, 10, id="e1", attributes={"hand": "left"}),
            event(12, FRAMES - 1, "place", id="e2"),
        ],
        "fps": [event(20, 39, id="x")],
    }
    for _ in rows:
        task = next_task(team.annotator, team.project.id)
        assert task["data"]["clip"]["frames_state"] in ("ready", "failed")
        done = submit(team.annotator, task["id"], marked[task["external_id"]])
        assert done.status_code == 201, done.text

    path = f"/projects/{team.project.id}/export"
    answer = team.manager.get(path, params={"format": "events_csv"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    # the same name as the background job's file (docs/video.md)
    name = f'filename="project-{team.project.id}.events.csv"'
    assert name in answer.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(answer.text, newline="")))
    got = {(r["external_id"], r["event_id"]): r for r in table}
    assert len(table) == 3
    e1, e2, x = got["vfr", "e1"], got["vfr", "e2"], got["fps", "x"]
    assert e1["annotator"] == "'=ann@example.com"  # neutralised for spreadsheets
    assert (e1["question"], e1["label"], e1["start_frame"], e1["end_frame"]) == (
        "actions",
        "pick",
        "3",
        "10",
    )
    assert float(e1["start_s"]) == pytest.approx(times[3], abs=1e-6)
    assert float(e1["end_s"]) == pytest.approx(times[11], abs=1e-6)
    assert e1["seconds_from"] == "manifest"
    assert json.loads(e1["attributes"]) == {"hand": "left"}
    assert e2["end_frame"] == str(FRAMES - 1) and float(e2["end_s"]) > times[-1]
    assert (x["start_s"], x["end_s"], x["seconds_from"]) == ("1.0", "2.0", "fps")

    answer = team.manager.get(path, params={"format": "events_json", "spreadsheet_safe": "false"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    items = json.loads(answer.content)
    assert [(i["external_id"], i["event_id"]) for i in items] == [
        ("vfr", "e1"),
        ("vfr", "e2"),
        ("fps", "x"),
    ]
    first = next(i for i in items if i["event_id"] == "e1")
    assert first["annotator"] == "=ann@example.com"
    assert (first["start_frame"], first["end_frame"]) == (3, 10)
    assert first["start_s"] == pytest.approx(times[3], abs=1e-6)
    assert first["attributes"] == {"hand": "left"}
    assert next(i for i in items if i["event_id"] == "x")["start_s"] == 1.0

    # As a background job into the storage: the same bytes, under the events' file name.
    for fmt, params in (("events_csv", {}), ("events_json", {"spreadsheet_safe": False})):
        streamed = team.manager.get(path, params={"format": fmt, **params}).content
        job, stored = export_job(team.manager, team.project.id, fmt, **params)
        assert stored == streamed, fmt
        assert job["result"]["filename"].endswith(fmt.replace("_", "."))


def export_job(me: Api, project_id: int, fmt: str, **params: Any) -> tuple[Any, bytes]:
    """Run the export as a job (POST .../exports); the finished job and the file it wrote."""
    started = me.post(f"/projects/{project_id}/exports", json={"format": fmt, **params})
    assert started.status_code == 202, started.text
    job = wait(me, started.json()["id"])
    assert job["state"] == "succeeded", job
    link = me.get(f"/jobs/{job['id']}/download", follow_redirects=False)
    return job, me.client.get(link.headers["location"]).content


def test_events_formats_need_an_events_question(db: Database, api: Api) -> None:
    owner, token = make_user(db, "lead@example.com")
    plain = {"fields": [{"name": "t", "kind": "text"}], "questions": []}
    project = make_project(db, owner, plain)
    answer = api.as_(token).get(f"/projects/{project.id}/export?format=events_csv")
    assert answer.status_code == 422 and "no events question" in answer.text
    job = api.as_(token).post(f"/projects/{project.id}/exports", json={"format": "events_json"})
    assert job.status_code == 422 and "no events question" in job.text
