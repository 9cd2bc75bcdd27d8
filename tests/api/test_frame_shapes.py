"""Per-frame shapes through HTTP: boxes on a video field, a ``frame`` per box. A good answer
is stored and reads back as given; a box without a frame, past the video's end or past the
frame's edge is refused with 422 naming its path."""

from __future__ import annotations

from typing import Any

from accord.db import Database
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user

FRAMES = 12
INTERFACE = {
    "fields": [{"name": "clip", "kind": "video"}],
    "questions": [{"name": "cars", "kind": "boxes", "target": "clip", "labels": ["car"]}],
}


def box(i: int, **more: Any) -> dict[str, Any]:
    return {"id": f"b{i}", "label": "car", "x": 10, "y": 20, "w": 30, "h": 40} | more


def test_submit_boxes_on_video_frames(db: Database, api: Api) -> None:
    owner, _ = make_user(db, "owner@example.com")
    annotator, token = make_user(db, "ann@example.com")
    project = make_project(db, owner, INTERFACE, members={annotator: "annotator"})
    clip = {"src": "s3://bucket/a.mp4", "frames": FRAMES, "fps": 10, "width": 320, "height": 240}
    add_tasks(db, owner, project.id, [{"id": "a", "clip": clip}])
    me = api.as_(token)
    task = me.post(f"/projects/{project.id}/next").json()["task"]
    bad = [
        (box(0), "result.cars.objects[0].frame", "missing"),
        (box(0, frame=FRAMES), "result.cars.objects[0].frame", "past the video's last frame"),
        (box(0, frame=1, x=300), "result.cars.objects[0].w", "right edge (320)"),
    ]
    for obj, path, words in bad:
        result = {"cars": {"objects": [obj]}}
        answer = me.post(f"/tasks/{task['id']}/annotations", json={"result": result})
        assert answer.status_code == 422, answer.text
        assert path in answer.text and words in answer.text, answer.text
    good = {"cars": {"objects": [box(0, frame=0), box(1, frame=FRAMES - 1, x=50)]}}
    answer = me.post(f"/tasks/{task['id']}/annotations", json={"result": good})
    assert answer.status_code == 201, answer.text
    assert answer.json()["annotation"]["result"] == good
