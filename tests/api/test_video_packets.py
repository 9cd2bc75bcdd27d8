"""The frames job's packets path through the API (``ACCORD_VIDEO_FRAMES=auto``, the default):
an H.264 upload gets packets.bin and a version 2 manifest, both read through the task's signed
links (``manifest``, ``frames_packets``, by range); an HEVC upload keeps JPEG frames, and the
job's log says why. The packets themselves: tests/media/test_packets.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.db import Database
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
    team: Team, db: Database, tmp_path: Path
) -> None:
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
