"""Videos: uploading them (metadata, refusals), the ``frames`` job (chunks whose frames decode
to their own numbers, in order, at ffprobe's times), and video values in task reads
(``frames_state``, signed ``manifest`` and ``frames_data``)."""

from __future__ import annotations

import io
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest
from PIL import Image

from accord.db import Database
from accord.kinds.fields.video import video_problem
from accord.media.frames import data_key, error_key, manifest_key
from accord.settings import Settings
from tests.api.conftest import Api
from tests.api.test_media import parts, wait
from tests.factories import add_tasks, make_project, make_user
from tests.media.video_samples import ffprobe_times, frame_number, have_ffmpeg, make_video

pytestmark = pytest.mark.skipif(not have_ffmpeg(), reason="needs Debian's ffmpeg")

VIDEOS = {
    "fields": [{"name": "clip", "kind": "video"}],
    "questions": [{"name": "ok", "kind": "choice", "options": ["yes", "no"]}],
}
FRAMES = 70


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("videos")
    return {
        "h264.mp4": make_video(folder / "h264.mp4", FRAMES),
        "vp9.webm": make_video(folder / "vp9.webm", FRAMES, codec="vp9"),
        "vfr.mp4": make_video(folder / "vfr.mp4", FRAMES, variable=True),
    }


@pytest.fixture(autouse=True)
def jpeg_frames(settings: Settings) -> None:
    """These tests read JPEG frames (``ACCORD_VIDEO_FRAMES=jpeg``); the packets the browser
    decodes: tests/media/test_packets.py and tests/browser/test_video_player.py."""
    settings.video_frames = "jpeg"


class Team:
    def __init__(self, db: Database, api: Api) -> None:
        self.owner, token = make_user(db, "owner@example.com")
        annotator, annotator_token = make_user(db, "ann@example.com")
        self.project = make_project(db, self.owner, VIDEOS, members={annotator: "annotator"})
        self.manager = api.as_(token)
        self.annotator = api.as_(annotator_token)
        self.path = f"/projects/{self.project.id}/media"


@pytest.fixture
def team(db: Database, api: Api) -> Team:
    return Team(db, api)


def chunk_frames(api: Api, manifest: dict[str, Any], data_link: str) -> list[np.ndarray]:
    """Every frame, read chunk by chunk with range requests as the browser does."""
    frames = []
    for chunk in manifest["chunks"]:
        answer = api.client.get(
            data_link, headers={"Range": f"bytes={chunk['start']}-{chunk['end'] - 1}"}
        )
        assert answer.status_code == 206, answer.text
        body = answer.content
        offsets = chunk["offsets"]
        assert len(body) == offsets[-1] == chunk["end"] - chunk["start"]
        for start, end in itertools.pairwise(offsets):
            with Image.open(io.BytesIO(body[start:end])) as image:
                assert image.format == "JPEG"
                frames.append(np.asarray(image.convert("RGB")))
    return frames


def test_upload_probes_and_the_job_makes_exact_frames(
    team: Team, samples: dict[str, Path], settings: Settings, db: Database
) -> None:
    files = {name: path.read_bytes() for name, path in samples.items()}
    answer = team.manager.post(team.path, files=parts(files))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    described = {f["name"]: f for f in body["files"]}
    assert body["thumbnails_job"] is None and isinstance(body["frames_job"], int)
    h264, vp9, vfr = described["h264.mp4"], described["vp9.webm"], described["vfr.mp4"]
    assert (h264["format"], h264["width"], h264["height"]) == ("mp4", 320, 240)
    assert h264["video"] == {
        "codec": "h264",
        "frames": FRAMES,
        "fps": 25.0,
        "variable_rate": False,
        "duration": FRAMES / 25,
        "rotation": 0,
    }
    assert (vp9["format"], vp9["video"]["codec"], vp9["video"]["frames"]) == (
        "matroska",
        "vp9",
        FRAMES,
    )
    assert vfr["video"]["variable_rate"] is True and vfr["video"]["frames"] == FRAMES
    job = wait(team.manager, body["frames_job"], timeout=120)
    assert job["state"] == "succeeded", job
    assert job["kind"] == "frames" and job["result"]["made"] == 3

    rows = [{"id": name, "clip": described[name]["src"]} for name in files]
    add_tasks(db, team.owner, team.project.id, rows)
    listed = team.manager.get(f"/projects/{team.project.id}/tasks").json()["items"]
    for task in listed:
        name = task["external_id"]
        clip = task["data"]["clip"]
        assert clip["frames_state"] == "ready", clip
        assert clip["src"].startswith("/api/v1/files/")
        manifest = team.manager.client.get(clip["manifest"]).json()
        assert manifest["frames"] == FRAMES and (manifest["width"], manifest["height"]) == (
            320,
            240,
        )
        assert manifest["variable_rate"] is (name == "vfr.mp4")
        # Frame N of the chunks is the frame showing N, at the time ffprobe gives frame N.
        decoded = chunk_frames(team.manager, manifest, clip["frames_data"])
        assert [frame_number(f) for f in decoded] == list(range(FRAMES)), name
        assert manifest["times"] == pytest.approx(ffprobe_times(samples[name]), abs=1e-6)
        src = described[name]["src"]
        assert (settings.data_dir / manifest_key(team.project.id, src)).exists()
        assert (settings.data_dir / data_key(team.project.id, src)).stat().st_size == manifest[
            "bytes"
        ]
    # The annotator's next task carries the frames too; the stored task keeps its reference.
    served = team.annotator.post(f"/projects/{team.project.id}/next").json()["task"]
    assert served["data"]["clip"]["frames_state"] == "ready"
    exported = team.manager.get(f"/projects/{team.project.id}/export").text
    assert "frames_state" not in exported and h264["src"] in exported


def test_pending_and_failed_frames_in_task_reads(
    team: Team, samples: dict[str, Path], settings: Settings, db: Database
) -> None:
    good = samples["h264.mp4"].read_bytes()
    folder = settings.data_dir / "media" / "projects" / str(team.project.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cut.mp4").write_bytes(good[: len(good) // 3])  # truncated after an upload
    (folder / "fine.mp4").write_bytes(good)
    cut, fine = (folder / "cut.mp4").as_uri(), (folder / "fine.mp4").as_uri()
    add_tasks(
        db,
        team.owner,
        team.project.id,
        [{"id": "cut", "clip": cut}, {"id": "fine", "clip": {"src": fine, "frames": FRAMES}}],
    )
    clips = {
        t["external_id"]: t["data"]["clip"]
        for t in team.manager.get(f"/projects/{team.project.id}/tasks").json()["items"]
    }
    assert clips["cut"]["frames_state"] == clips["fine"]["frames_state"] == "pending"
    assert "manifest" not in clips["fine"] and clips["fine"]["frames"] == FRAMES
    started = team.manager.post(f"/projects/{team.project.id}/frames", json={})
    assert started.status_code == 202, started.text
    job = wait(team.manager, started.json()["id"], timeout=120)
    assert job["state"] == "succeeded" and job["result"]["made"] == 1, job
    assert job["result"]["failed"] == 1
    clips = {
        t["external_id"]: t["data"]["clip"]
        for t in team.manager.get(f"/projects/{team.project.id}/tasks").json()["items"]
    }
    assert clips["fine"]["frames_state"] == "ready"
    assert clips["cut"]["frames_state"] == "failed"
    assert "cut.mp4" in clips["cut"]["frames_error"] and "manifest" not in clips["cut"]
    stored = orjson.loads((settings.data_dir / error_key(team.project.id, cut)).read_bytes())
    assert stored["error"] == clips["cut"]["frames_error"]
    # Frames the job decoded once are not decoded again.
    again = wait(
        team.manager, team.manager.post(f"/projects/{team.project.id}/frames", json={}).json()["id"]
    )
    assert again["result"]["existing"] == 1
    wrong = team.manager.post(f"/projects/{team.project.id}/frames", json={"fields": ["ok"]})
    assert wrong.status_code == 422 and "not a video field" in wrong.json()["error"]["message"]


def test_an_import_starts_the_frames_job(
    team: Team, samples: dict[str, Path], settings: Settings
) -> None:
    folder = settings.data_dir / "media" / "projects" / str(team.project.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.webm").write_bytes(samples["vp9.webm"].read_bytes())
    body = orjson.dumps({"id": "a", "clip": (folder / "a.webm").as_uri()}) + b"\n"
    answer = team.manager.post(
        f"/projects/{team.project.id}/imports?format=jsonl&background=true", content=body
    )
    assert answer.status_code == 202, answer.text
    imported = wait(team.manager, answer.json()["id"])
    assert imported["state"] == "succeeded", imported
    frames = wait(team.manager, imported["result"]["frames_job"], timeout=120)
    assert frames["state"] == "succeeded" and frames["result"]["made"] == 1, frames


def ffmpeg_bytes(tmp_path: Path, name: str, *args: str) -> bytes:
    import subprocess

    out = tmp_path / name
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args, str(out)], check=True, timeout=60)
    return out.read_bytes()


def test_bad_videos_are_refused_and_nothing_is_stored(
    team: Team, samples: dict[str, Path], settings: Settings, tmp_path: Path
) -> None:
    good = samples["h264.mp4"].read_bytes()
    sound = ffmpeg_bytes(
        tmp_path, "tone.mp4", "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac"
    )
    cases = {
        "notes.mp4": (
            b"these are not the frames you are looking for",
            "not an MP4, MOV, MKV or WebM",
        ),
        "sound.mp4": (sound, "holds no video stream"),
        "cut.mp4": (good[:2000], "cannot be"),
        "empty.webm": (b"", "the file is empty (0 bytes)"),
    }
    for name, (data, why) in cases.items():
        answer = team.manager.post(team.path, files=parts({name: data, "good.mp4": good}))
        assert answer.status_code == 422, (name, answer.text)
        error = answer.json()["error"]
        assert error["code"] == "bad_video" and why in error["message"], (name, error)
        assert error["details"]["files"][0]["file"] == name
    assert not (settings.data_dir / "media" / "projects" / str(team.project.id)).exists()


def test_limits_from_the_settings(
    db: Database, settings: Settings, samples: dict[str, Path]
) -> None:
    from fastapi.testclient import TestClient

    from accord.api.app import create_app

    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner, VIDEOS)
    data = samples["h264.mp4"].read_bytes()
    for update, why in (
        ({"video_max_pixels": 320 * 239}, "ACCORD_VIDEO_MAX_PIXELS"),
        ({"video_max_frames": FRAMES - 1}, "ACCORD_VIDEO_MAX_FRAMES"),
        ({"video_max_seconds": 1.0}, "ACCORD_VIDEO_MAX_SECONDS"),
    ):
        limited = settings.model_copy(update=update)
        with TestClient(create_app(limited, db), raise_server_exceptions=False) as client:
            answer = (
                Api(client)
                .as_(token)
                .post(f"/projects/{project.id}/media", files=parts({"a.mp4": data}))
            )
        assert answer.status_code == 422, answer.text
        assert why in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("s3://b/clip.mp4", None),
        ({"src": "file:///srv/media/a.webm", "frames": 10, "fps": 29.97, "duration": 0.3}, None),
        ({"src": "https://x.org/a.mp4", "width": 640, "height": 480}, None),
        ({"src": "s3://b/a.mp4", "frames": 0}, "frames: 0 is outside"),
        ({"src": "s3://b/a.mp4", "fps": -1}, "fps: expected a positive number"),
        ({"src": "s3://b/a.mp4", "width": 10}, "height: missing"),
        ({"src": "s3://b/a.mp4", "thumb": "x"}, "unknown key 'thumb'"),
        ({"frames": 3}, "src: missing"),
        ("clip.mp4", "is not a media reference"),
        (3, "expected a media reference"),
    ],
)
def test_video_values(value: Any, problem: str | None) -> None:
    found = video_problem(value)
    assert (found is None) if problem is None else (found is not None and problem in found)
