"""The frames job's packets path through the API: with ``ACCORD_VIDEO_FRAMES=packets`` an
H.264 upload gets packets.bin and a version 2 manifest, both read through the task's signed
links (``manifest``, ``frames_packets``, by range); an HEVC upload keeps JPEG frames, and the
job's log says why; with ``auto`` (the default) the H.264 upload ends with JPEG frames too, in
the manifest's place, its packets kept. The packets themselves: tests/media/test_packets.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.db import Database
from accord.settings import Settings
from tests.api.conftest import Api
from tests.api.test_media import parts, wait
from tests.api.test_video import Team
from tests.factories import add_tasks
from tests.media.test_packets import encode
from tests.media.video_samples import have_ffmpeg, make_video

pytestmark = pytest.mark.skipif(not have_ffmpeg(), reason="needs Debian's ffmpeg")


@pytest.fixture
def team(db: Database, api: Api) -> Team:
    return Team(db, api)


def test_h264_gets_packets_and_hevc_keeps_jpeg_frames_saying_why(
    team: Team, db: Database, tmp_path: Path, settings: Settings
) -> None:
    settings.video_frames = "packets"
    files = {
        "clip.mp4": make_video(tmp_path / "clip.mp4", 30).read_bytes(),
        "hevc.mp4": encode(
            tmp_path / "hevc.mp4", 10, ["-c:v", "libx265", "-x265-params", "log-level=none"]
        ).read_bytes(),
    }
    answer = team.manager.post(team.path, files=parts(files))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    job = wait(team.manager, body["frames_job"], timeout=120)
    assert job["state"] == "succeeded" and job["result"]["made"] == 2, job
    said = " ".join(line["message"] for line in job["log"])
    assert "hevc.mp4" in said and "JPEG frames, not packets: codec hevc" in said, said

    described = {f["name"]: f["src"] for f in body["files"]}
    add_tasks(db, team.owner, team.project.id, [{"id": n, "clip": s} for n, s in described.items()])
    listed = team.manager.get(f"/projects/{team.project.id}/tasks").json()["items"]
    clips = {task["external_id"]: task["data"]["clip"] for task in listed}
    packets = team.manager.client.get(clips["clip.mp4"]["manifest"]).json()
    assert packets["format"] == "packets" and packets["version"] == 2 and packets["frames"] == 30
    chunk = packets["chunks"][0]
    got = team.manager.client.get(
        clips["clip.mp4"]["frames_packets"],
        headers={"Range": f"bytes={chunk['start']}-{chunk['end'] - 1}"},
    )
    assert got.status_code == 206 and len(got.content) == chunk["end"] - chunk["start"]
    assert team.manager.client.get(clips["clip.mp4"]["frames_data"]).status_code == 404
    jpeg = team.manager.client.get(clips["hevc.mp4"]["manifest"]).json()
    assert jpeg["format"] == "jpeg" and "codec hevc" in jpeg["why_jpeg"]


def test_by_default_the_packets_come_first_and_the_jpeg_frames_take_their_place(
    team: Team, db: Database, tmp_path: Path, settings: Settings
) -> None:
    assert settings.video_frames == "auto"
    files = {"clip.mp4": make_video(tmp_path / "clip.mp4", 30).read_bytes()}
    answer = team.manager.post(team.path, files=parts(files))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    job = wait(team.manager, body["frames_job"], timeout=120)
    assert job["state"] == "succeeded" and job["result"]["made"] == 1, job
    add_tasks(db, team.owner, team.project.id, [{"id": "c", "clip": body["files"][0]["src"]}])
    listed = team.manager.get(f"/projects/{team.project.id}/tasks").json()["items"]
    clip = listed[0]["data"]["clip"]
    manifest = team.manager.client.get(clip["manifest"]).json()
    assert manifest["format"] == "jpeg" and manifest["frames"] == 30
    assert "why_jpeg" not in manifest
    for link in ("frames_data", "frames_packets"):  # the packets stay for earlier players
        assert team.manager.client.get(clip[link]).status_code == 200, link
