"""``tracks`` questions through HTTP: a good answer is stored, a bad one is refused with 422
naming its path (a keyframe past the video's end, keyframes out of order, geometry on an
outside keyframe, a box past the frame's edge), and the stored answer reads back as given."""

from __future__ import annotations

from typing import Any

from accord.db import Database
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user

FRAMES = 30
INTERFACE = {
    "fields": [{"name": "clip", "kind": "video"}],
    "questions": [
        {
            "name": "cars",
            "kind": "tracks",
            "target": "clip",
            "shape": "box",
            "rotation": True,
            "labels": ["car", "person"],
            "attributes": [
                {"name": "color", "type": "choice", "options": ["red", "blue"]},
                {"name": "moving", "type": "choice", "options": ["yes", "no"], "mutable": True},
            ],
        }
    ],
}


def key(frame: int, x: float = 10, **more: Any) -> dict[str, Any]:
    return {"frame": frame, "x": x, "y": 20, "w": 30, "h": 40, **more}


def tracks(*keyframes: Any) -> dict[str, Any]:
    track = {"id": "t1", "label": "car", "attributes": {"color": "red"}}
    return {"cars": {"tracks": [track | {"keyframes": list(keyframes)}]}}


def test_submit_tracks_good_and_bad(db: Database, api: Api) -> None:
    owner, _ = make_user(db, "owner@example.com")
    annotator, token = make_user(db, "ann@example.com")
    project = make_project(db, owner, INTERFACE, members={annotator: "annotator"})
    clip = {"src": "s3://bucket/a.mp4", "frames": FRAMES, "fps": 10, "width": 320, "height": 240}
    add_tasks(db, owner, project.id, [{"id": "a", "clip": clip}])
    me = api.as_(token)
    task = me.post(f"/projects/{project.id}/next").json()["task"]
    bad = [
        (tracks(key(0), key(FRAMES)), "result.cars.tracks[0].keyframes[1].frame", "past the video"),
        (tracks(key(5), key(5)), "result.cars.tracks[0].keyframes[1].frame", "is not after"),
        (tracks(key(0), {"frame": 3, "outside": True, "x": 1}), "keyframes[1].x", "no geometry"),
        (tracks(key(0, x=300)), "result.cars.tracks[0].keyframes[0].w", "right edge (320)"),
    ]
    for result, path, words in bad:
        answer = me.post(f"/tasks/{task['id']}/annotations", json={"result": result})
        assert answer.status_code == 422, answer.text
        assert path in answer.text and words in answer.text, answer.text
    good = tracks(
        key(0, attributes={"moving": "yes"}),
        key(10, x=40, rotation=-30, occluded=True),
        {"frame": 20, "outside": True, "attributes": {"moving": "no"}},
        key(FRAMES - 1, x=5),
    )
    answer = me.post(f"/tasks/{task['id']}/annotations", json={"result": good})
    assert answer.status_code == 201, answer.text
    assert answer.json()["annotation"]["result"] == good
