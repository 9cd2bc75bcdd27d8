"""Spoken dialogues: a ``chat`` turn carrying an ``audio`` or ``video`` clip is stored as
imported, read back with the clip signed (task listing, task detail, the annotator's next
task), exported with its reference; a bad clip reference is refused with its path."""

from __future__ import annotations

import orjson
import pytest

from accord.db import Database
from tests.api.conftest import Api
from tests.api.test_media import parts
from tests.factories import make_project, make_user
from tests.media.audio_samples import make_tone

DIALOGUES = {
    "fields": [{"name": "dialogue", "kind": "chat", "roles": ["user", "assistant"]}],
    "questions": [{"name": "ok", "kind": "choice", "options": ["yes", "no"]}],
}


def test_turn_clips_are_stored_and_read_back_signed(
    db: Database, api: Api, tmp_path_factory: pytest.TempPathFactory
) -> None:
    owner, token = make_user(db, "owner@example.com")
    annotator, annotator_token = make_user(db, "ann@example.com")
    project = make_project(db, owner, DIALOGUES, members={annotator: "annotator"})
    manager = api.as_(token)
    wav = make_tone(tmp_path_factory.mktemp("clips") / "question.wav", 0.5).read_bytes()
    uploaded = manager.post(
        f"/projects/{project.id}/media", files=parts({"calls/question.wav": wav})
    )
    assert uploaded.status_code == 201, uploaded.text
    (clip,) = uploaded.json()["files"]
    dialogue = [
        {"role": "user", "content": "", "audio": clip["src"]},
        {
            "role": "assistant",
            "content": "Here it is.",
            "audio": {"src": clip["src"], "duration": clip["duration"]},
            "video": "https://cdn.example.com/answer.mp4",
        },
    ]
    body = orjson.dumps({"id": "call-1", "dialogue": dialogue}) + b"\n"
    imported = manager.post(
        f"/projects/{project.id}/imports", params={"format": "jsonl"}, content=body
    )
    assert imported.status_code == 201, imported.text

    (task,) = manager.get(f"/projects/{project.id}/tasks").json()["items"]
    asked, answered = task["data"]["dialogue"]
    assert asked["audio"].startswith("/api/v1/files/") and asked["content"] == ""
    assert manager.client.get(asked["audio"]).content == wav
    assert answered["audio"]["src"].startswith("/api/v1/files/")
    assert answered["audio"]["duration"] == clip["duration"]
    assert answered["video"] == "https://cdn.example.com/answer.mp4"  # not ours: as it is
    detail = manager.get(f"/tasks/{task['id']}").json()["task"]["data"]["dialogue"]
    assert detail[0]["audio"].startswith("/api/v1/files/")
    served = api.as_(annotator_token).post(f"/projects/{project.id}/next").json()["task"]
    assert served["data"]["dialogue"][1]["audio"]["src"].startswith("/api/v1/files/")
    # the stored task keeps its references
    (row,) = [
        orjson.loads(line)
        for line in manager.get(f"/projects/{project.id}/export").text.splitlines()
    ]
    assert row["data"]["dialogue"] == dialogue


def test_a_bad_clip_reference_is_refused_with_its_path(db: Database, api: Api) -> None:
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner, DIALOGUES)
    rows = [
        {"dialogue": [{"role": "user", "content": "hi"}]},
        {
            "dialogue": [
                {"role": "user", "content": "hi"},
                {"role": "user", "content": "", "audio": "clip.wav"},
            ]
        },
    ]
    body = b"".join(orjson.dumps(row) + b"\n" for row in rows)
    refused = api.as_(token).post(
        f"/projects/{project.id}/imports", params={"format": "jsonl"}, content=body
    )
    assert refused.status_code == 422
    (error,) = refused.json()["error"]["details"]["errors"]
    assert (error["line"], error["field"]) == (2, "dialogue")
    assert error["message"].startswith("turn [1]: audio: 'clip.wav' is not a media reference")
