"""Importing a video or audio dataset as a zip with its media (``POST /projects/{id}/imports?
format=mot|cvat-video|ytvis|rttm|vtt|srt``): the server makes the same tasks and tracks the
SDK makes from the folder, stores the media as uploads, refuses a bad file by its path in the
zip with nothing imported, and runs as a background job too."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import orjson
import pytest

from accord.db import Database
from accord.settings import Settings
from tests.api.conftest import Api
from tests.api.test_media import wait
from tests.factories import make_project, make_user
from tests.formats.mot_data import INTERFACE as MOT_INTERFACE
from tests.formats.mot_data import make_sequence
from tests.formats.video_tracks_data import FRAMES, cvat_file
from tests.formats.video_tracks_data import INTERFACE as CVAT_INTERFACE
from tests.media.audio_samples import have_tools, make_speech
from tests.media.video_samples import have_ffmpeg, make_video
from tests.test_cli_audio_formats import RTTM, SEGMENTS

pytestmark = [
    pytest.mark.db,
    pytest.mark.slow,
    pytest.mark.skipif(not (have_ffmpeg() and have_tools()), reason="needs ffmpeg, espeak-ng"),
]


def zipped(folder: Path) -> bytes:
    """The folder zipped as a person zips it: the folder itself at the zip's top."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder.parent).as_posix())
    return out.getvalue()


def send(api: Api, project_id: int, body: bytes, fmt: str, **params: Any) -> Any:
    return api.post(
        f"/projects/{project_id}/imports",
        params={"format": fmt, "filename": "data.zip", **params},
        content=body,
        headers={"Content-Type": "application/zip"},
    )


def tracks_of(api: Api, project_id: int) -> dict[str, Any]:
    rows = api.get(f"/projects/{project_id}/export", params={"format": "jsonl"})
    assert rows.status_code == 200, rows.text
    out = {}
    for line in rows.content.splitlines():
        row = orjson.loads(line)
        out[row["external_id"]] = [a["result"] for a in row["annotations"]]
    return out


def test_mot_and_cvat_zips(db: Database, api: Api, settings: Settings, tmp_path: Path) -> None:
    owner, token = make_user(db, "lead@example.com")
    me = api.as_(token)
    mot = make_project(db, owner, MOT_INTERFACE).id
    data = tmp_path / "train"
    make_sequence(data, "SEQ-01")  # frames: encoded into an MP4 on the server

    done = send(me, mot, zipped(data), "mot", source="legacy")
    assert done.status_code == 201, done.text
    report = done.json()
    assert report["created"] == 1 and report["annotations"] == 1
    held = report["media_dataset"]
    assert held["sequences"] == 1 and held["encoded"] == 1 and held["uploaded"] == 1
    assert held["ignored"] == 1 and held["tracks"] == 2
    (answer,) = tracks_of(me, mot)["SEQ-01"]
    assert len(answer["objects"]["tracks"]) == 2
    # the same zip again: the sequence's name is the task's id, its video the same bytes
    again = send(me, mot, zipped(data), "mot").json()
    assert again["created"] == 0 and again["duplicates"] == 1
    assert again["media_dataset"]["uploaded"] == 0

    cvat = make_project(db, owner, CVAT_INTERFACE).id
    folder = tmp_path / "cvat"
    folder.mkdir()
    make_video(folder / "clip.mp4", FRAMES)
    (folder / "annotations.xml").write_text(cvat_file("clip"))
    done = send(me, cvat, zipped(folder), "cvat-video", source="legacy")
    assert done.status_code == 201, done.text
    held = done.json()["media_dataset"]
    assert (held["videos"], held["tracks"], held["keyframes"]) == (1, 2, 8)
    assert held["skipped"] == {"road (box)": 1, "car (polyline)": 1, "attribute notes": 4}

    # COCO per frame out, and in again with the video: the same box tracks
    exported = me.get(f"/projects/{cvat}/export", params={"format": "coco-video"})
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("application/json")
    again = tmp_path / "coco"
    again.mkdir()
    (again / "tracks.json").write_bytes(exported.content)
    (again / "clip.mp4").write_bytes((folder / "clip.mp4").read_bytes())
    copy = make_project(db, owner, CVAT_INTERFACE).id
    done = send(me, copy, zipped(again), "coco-video", source="legacy")
    assert done.status_code == 201, done.text
    assert done.json()["media_dataset"]["tracks"] == 1  # the box track (no rotation kept)
    (first,) = tracks_of(me, cvat)["clip"]
    (second,) = tracks_of(me, copy)["clip"]
    boxes = [t for t in first["cars"]["tracks"] if t["id"] == second["cars"]["tracks"][0]["id"]]
    assert [k["frame"] for k in second["cars"]["tracks"][0]["keyframes"]] == [
        k["frame"] for k in boxes[0]["keyframes"]
    ]


def test_bad_zips_import_nothing(db: Database, api: Api, tmp_path: Path) -> None:
    owner, token = make_user(db, "lead@example.com")
    me = api.as_(token)
    project = make_project(db, owner, MOT_INTERFACE).id
    data = tmp_path / "train"
    make_sequence(data, "SEQ-01", extra="31,1,1,1,5,5,1,1,1\n")
    refused = send(me, project, zipped(data), "mot")
    assert refused.status_code == 422, refused.text
    body = refused.json()["error"]
    assert body["code"] == "bad_dataset"
    # named by its path in the zip, never by the server's temporary folder
    assert "train/SEQ-01/gt/gt.txt, line 54: frame 31 is past the sequence's 30" in (
        body["message"]
    ), body["message"]
    assert "/tmp" not in body["message"] and "dataset-" not in body["message"]

    refused = send(me, project, b"not a zip", "mot")
    assert refused.status_code == 422
    assert "a MOT dataset is sent as a zip file, and this is not one" in (
        refused.json()["error"]["message"]
    )
    refused = send(me, project, b"x", "rttm", skip_invalid=True)
    assert refused.status_code == 422
    assert me.get(f"/projects/{project}/tasks").json()["total"] == 0


def test_rttm_zip_as_a_job(db: Database, api: Api, tmp_path: Path) -> None:
    owner, token = make_user(db, "lead@example.com")
    me = api.as_(token)
    project = make_project(db, owner, SEGMENTS).id
    folder = tmp_path / "diarized"
    (folder / "talks").mkdir(parents=True)
    make_speech(folder / "hello.wav", "hello there general kenobi")
    make_speech(folder / "talks" / "bye.wav", "goodbye for now my friend")
    (folder / "labels.rttm").write_text(RTTM)

    started = send(me, project, zipped(folder), "rttm", background=True)
    assert started.status_code == 202, started.text
    job = wait(me, started.json()["id"])
    assert job["state"] == "succeeded", job
    result = job["result"]
    assert result["created"] == 2 and result["predictions"] == 2
    assert result["media_dataset"] == {"recordings": 2, "uploaded": 2, "skipped": {}}
    assert result["waveform_job"] is not None
