"""The one question a MOTChallenge, RTTM, WebVTT or SRT file holds (``question=``): a project
with two that suit the format must name one, for export (streamed and as a job) and for
import (a dataset zip); the file then holds the named question's tracks or segments, an
import lands in it, and a name that is not a suitable question is refused with the
candidates, before anything is read, written or stored."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import orjson
import pytest

from accord.db import Database
from tests.api.conftest import Api
from tests.api.test_jobs import wait
from tests.api.test_media_dataset_zips import send, tracks_of, zipped
from tests.factories import add_tasks, make_project, make_user
from tests.formats.mot_data import make_sequence
from tests.media.audio_samples import have_tools, make_speech
from tests.media.video_samples import have_ffmpeg

pytestmark = pytest.mark.db

VIDEO = {"src": "s3://bucket/clip.mp4", "frames": 30, "fps": 10, "width": 64, "height": 48}
RECORDING = {"src": "s3://bucket/talk.wav", "duration": 4.0, "sample_rate": 16000}


def tracks_question(name: str, labels: list[str]) -> dict[str, Any]:
    return {"name": name, "kind": "tracks", "target": "clip", "shape": "box", "labels": labels}


TRACKS = {
    "fields": [{"name": "clip", "kind": "video"}],
    "questions": [
        {"name": "notes", "kind": "text"},
        tracks_question("vehicles", ["car", "truck"]),
        tracks_question("people", ["pedestrian", "car"]),
        {"name": "lines", "kind": "tracks", "target": "clip", "shape": "polygon", "labels": ["a"]},
    ],
}
AUDIO = {
    "fields": [{"name": "rec", "kind": "audio"}],
    "questions": [
        {"name": "speakers", "kind": "segments", "target": "rec", "labels": ["alice", "bob"]},
        {"name": "noises", "kind": "segments", "target": "rec", "labels": ["door", "dog"]},
        {"name": "words", "kind": "transcript", "target": "rec"},
        {"name": "captions", "kind": "transcript", "target": "rec"},
    ],
}


def box_track(ident: str, label: str, x: float) -> dict[str, Any]:
    keyframes = [
        {"frame": 0, "x": x, "y": 5, "w": 10, "h": 12},
        {"frame": 2, "outside": True},
    ]
    return {"id": ident, "label": label, "keyframes": keyframes}


def segment(ident: str, label: str, start: float, end: float, text: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"id": ident, "start": start, "end": end}
    if label:
        out["label"] = label
    if text:
        out["text"] = text
    return out


def annotated(db: Database, api: Api, interface: Any, row: dict[str, Any], result: Any) -> Any:
    """A project with ``interface`` (managed by the returned `Api`), one task ``row``
    annotated with ``result``, and its id."""
    owner, token = make_user(db, "lead@example.com")
    annotator, annotator_token = make_user(db, "ann@example.com")
    project = make_project(db, owner, interface, members={annotator: "annotator"})
    add_tasks(db, owner, project.id, [row])
    me = api.as_(annotator_token)
    task = me.post(f"/projects/{project.id}/next").json()["task"]
    done = me.post(f"/tasks/{task['id']}/annotations", json={"result": result})
    assert done.status_code == 201, done.text
    return api.as_(token), project.id


def refusal(answer: Any) -> str:
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["details"] == {"field": "question"}, error
    message: str = error["message"]
    return message


def test_mot_export_names_its_question(db: Database, api: Api) -> None:
    result = {
        "notes": {"text": "two cars"},
        "vehicles": {"tracks": [box_track("t1", "truck", 1)]},
        "people": {"tracks": [box_track("t5", "pedestrian", 30), box_track("t6", "car", 40)]},
    }
    me, project = annotated(db, api, TRACKS, {"id": "SEQ", "clip": VIDEO}, result)
    path = f"/projects/{project}/export"

    message = refusal(me.get(path, params={"format": "mot"}))
    assert "the project has 2 tracks questions with shape box over a video (vehicles, people)" in (
        message
    )
    assert "a MOTChallenge file holds one: name it with question=" in message
    assert "--question" in message

    def gt(question: str) -> list[str]:
        answer = me.get(path, params={"format": "mot", "question": question})
        assert answer.status_code == 200, answer.text
        with zipfile.ZipFile(io.BytesIO(answer.content)) as bundle:
            return bundle.read("SEQ/gt/gt.txt").decode().splitlines()

    # the class is the label's place among the question's labels: people's car is 2
    assert gt("people") == [
        "1,5,30,5,10,12,1,1,1",
        "2,5,30,5,10,12,1,1,1",
        "1,6,40,5,10,12,1,2,1",
        "2,6,40,5,10,12,1,2,1",
    ]
    assert gt("vehicles") == ["1,1,1,5,10,12,1,2,1", "2,1,1,5,10,12,1,2,1"]

    unknown = refusal(me.get(path, params={"format": "mot", "question": "bikes"}))
    assert "question=bikes: the project has no question named 'bikes'" in unknown
    assert "tracks questions with shape box over a video: vehicles, people" in unknown
    unsuited = refusal(me.get(path, params={"format": "mot", "question": "lines"}))
    assert "'lines' is a tracks question, not one of the tracks questions with shape box" in (
        unsuited
    )
    unsuited = refusal(me.get(path, params={"format": "mot", "question": "notes"}))
    assert "'notes' is a text question" in unsuited and "vehicles, people" in unsuited
    # a format that holds every question takes none
    other = refusal(me.get(path, params={"format": "jsonl", "question": "people"}))
    assert "the jsonl format takes no question" in other

    # the same as a background job: refused when started, else the named question's file
    refusal(me.post(f"/projects/{project}/exports", json={"format": "mot"}))
    refusal(me.post(f"/projects/{project}/exports", json={"format": "mot", "question": "x"}))
    started = me.post(
        f"/projects/{project}/exports", json={"format": "mot", "question": "vehicles"}
    )
    assert started.status_code == 202, started.text
    assert started.json()["params"]["question"] == "vehicles"
    done = wait(me, started.json()["id"])
    assert done["state"] == "succeeded", done
    link = me.get(f"/jobs/{done['id']}/download", follow_redirects=False)
    file = me.client.get(link.headers["location"])
    with zipfile.ZipFile(io.BytesIO(file.content)) as bundle:
        assert bundle.read("SEQ/gt/gt.txt").decode().splitlines() == gt("vehicles")


def test_audio_exports_name_their_question(db: Database, api: Api) -> None:
    result = {
        "speakers": {"segments": [segment("s1", "alice", 0, 1.5)]},
        "noises": {"segments": [segment("n1", "dog", 0.25, 0.5), segment("n2", "door", 2, 3)]},
        "words": {"segments": [segment("w1", "", 0, 1, "hello")]},
        "captions": {"segments": [segment("c1", "", 1, 2, "[door closes]")]},
    }
    me, project = annotated(db, api, AUDIO, {"id": "talk", "rec": RECORDING}, result)
    path = f"/projects/{project}/export"

    message = refusal(me.get(path, params={"format": "rttm"}))
    assert "the project has 2 segments questions over an audio field (speakers, noises)" in (
        message
    )
    assert "an RTTM file holds one" in message
    answer = me.get(path, params={"format": "rttm", "question": "noises"})
    assert answer.status_code == 200, answer.text
    assert answer.text == (
        "SPEAKER talk 1 0.250 0.250 <NA> <NA> dog <NA> <NA>\n"
        "SPEAKER talk 1 2.000 1.000 <NA> <NA> door <NA> <NA>\n"
    )
    unsuited = refusal(me.get(path, params={"format": "rttm", "question": "words"}))
    assert "'words' is a transcript question" in unsuited and "speakers, noises" in unsuited

    for fmt in ("vtt", "srt"):
        assert "(words, captions)" in refusal(me.get(path, params={"format": fmt}))
        answer = me.get(path, params={"format": fmt, "question": "captions"})
        assert answer.status_code == 200, answer.text
        with zipfile.ZipFile(io.BytesIO(answer.content)) as bundle:
            text = bundle.read(f"talk.{fmt}").decode()
        assert "[door closes]" in text and "hello" not in text

    refusal(me.post(f"/projects/{project}/exports", json={"format": "srt"}))
    started = me.post(
        f"/projects/{project}/exports", json={"format": "rttm", "question": "speakers"}
    )
    assert started.status_code == 202, started.text
    done = wait(me, started.json()["id"])
    assert done["state"] == "succeeded", done
    link = me.get(f"/jobs/{done['id']}/download", follow_redirects=False)
    assert me.client.get(link.headers["location"]).text == (
        "SPEAKER talk 1 0.000 1.500 <NA> <NA> alice <NA> <NA>\n"
    )


def test_one_suitable_question_needs_no_name(db: Database, api: Api) -> None:
    interface = {"fields": AUDIO["fields"], "questions": AUDIO["questions"][:1]}
    result = {"speakers": {"segments": [segment("s1", "bob", 0, 1)]}}
    me, project = annotated(db, api, interface, {"id": "talk", "rec": RECORDING}, result)
    answer = me.get(f"/projects/{project}/export", params={"format": "rttm"})
    assert answer.status_code == 200, answer.text
    assert answer.text == "SPEAKER talk 1 0.000 1.000 <NA> <NA> bob <NA> <NA>\n"
    named = me.get(f"/projects/{project}/export", params={"format": "rttm", "question": "speakers"})
    assert named.text == answer.text
    # nothing that suits: the format's own refusal, on the field format
    vtt = me.get(f"/projects/{project}/export", params={"format": "vtt", "question": "speakers"})
    assert vtt.status_code == 422 and vtt.json()["error"]["details"] == {"field": "format"}
    assert "no transcript question over an audio field" in vtt.text


def test_imports_refuse_before_reading_the_zip(db: Database, api: Api) -> None:
    owner, token = make_user(db, "lead@example.com")
    me = api.as_(token)
    tracks = make_project(db, owner, TRACKS).id
    audio = make_project(db, owner, AUDIO).id
    # not a zip at all: the question is refused first, nothing read, spooled or stored
    for background in (False, True):
        message = refusal(send(me, tracks, b"not a zip", "mot", background=background))
        assert "(vehicles, people)" in message
    assert "(speakers, noises)" in refusal(send(me, audio, b"x", "rttm"))
    assert "(words, captions)" in refusal(send(me, audio, b"x", "srt", background=True))
    unknown = refusal(send(me, audio, b"x", "vtt", question="speakers"))
    assert "'speakers' is a segments question" in unknown and "words, captions" in unknown
    other = refusal(send(me, tracks, b"x", "cvat-video", question="people"))
    assert "the cvat-video format takes no question" in other
    for project in (tracks, audio):  # no import job started, no task made
        assert me.get(f"/projects/{project}/jobs").json()["jobs"] == []
        assert me.get(f"/projects/{project}/tasks").json()["total"] == 0


@pytest.mark.slow
@pytest.mark.skipif(not (have_ffmpeg() and have_tools()), reason="needs ffmpeg, espeak-ng")
def test_imports_land_in_the_named_question(db: Database, api: Api, tmp_path: Path) -> None:
    owner, token = make_user(db, "lead@example.com")
    me = api.as_(token)
    tracks = make_project(db, owner, TRACKS).id
    data = tmp_path / "train"
    make_sequence(data, "SEQ-01")  # classes 1 and 2: people's pedestrian and car
    done = send(me, tracks, zipped(data), "mot", source="legacy", question="people")
    assert done.status_code == 201, done.text
    (answer,) = tracks_of(me, tracks)["SEQ-01"]
    assert set(answer) == {"people"}
    assert sorted(t["label"] for t in answer["people"]["tracks"]) == ["car", "pedestrian"]

    audio = make_project(db, owner, AUDIO).id
    folder = tmp_path / "noises"
    folder.mkdir()
    make_speech(folder / "hello.wav", "hello there general kenobi")
    (folder / "hello.rttm").write_text("SPEAKER hello 1 0.100 0.500 <NA> <NA> dog <NA> <NA>\n")
    started = send(me, audio, zipped(folder), "rttm", background=True, question="noises")
    assert started.status_code == 202, started.text
    assert started.json()["params"]["question"] == "noises"
    job = wait(me, started.json()["id"])
    assert job["state"] == "succeeded", job
    rows = me.get(f"/projects/{audio}/export", params={"format": "jsonl"}).content
    (row,) = [orjson.loads(line) for line in rows.splitlines()]
    (prediction,) = row["predictions"]
    assert prediction["result"] == {
        "noises": {"segments": [{"id": "s1", "label": "dog", "start": 0.1, "end": 0.6}]}
    }
