"""Rotated videos (a phone's portrait video: the picture stored turned, and the container
telling players to turn it back): the upload reports the size as shown and the rotation, and
the frames job turns every frame upright, the way Debian's ffmpeg shows it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from accord.db import Database
from tests.api.conftest import Api
from tests.api.test_media import parts, wait
from tests.api.test_video import Team, chunk_frames
from tests.factories import add_tasks
from tests.media.video_samples import HEIGHT, WIDTH, frame_number, have_ffmpeg, make_video

pytestmark = pytest.mark.skipif(not have_ffmpeg(), reason="needs Debian's ffmpeg")

FRAMES = 40  # two chunks


def ffmpeg_frame(path: Path, number: int, width: int, height: int) -> np.ndarray:
    """Frame ``number`` as Debian's ffmpeg shows it (turned as the container says)."""
    select = ["-vf", f"select=eq(n\\,{number})", "-frames:v", "1"]
    raw = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(path),
            *select,
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(height, width, 3)


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_rotated_videos_are_shown_upright(
    degrees: int, db: Database, api: Api, tmp_path: Path
) -> None:
    team = Team(db, api)
    video = make_video(tmp_path / f"turned-{degrees}.mp4", FRAMES, rotate=degrees)
    shown = (HEIGHT, WIDTH) if degrees in (90, 270) else (WIDTH, HEIGHT)
    answer = team.manager.post(team.path, files=parts({video.name: video.read_bytes()}))
    assert answer.status_code == 201, answer.text
    [file] = answer.json()["files"]
    assert (file["width"], file["height"]) == shown
    assert file["video"]["rotation"] == degrees and file["video"]["frames"] == FRAMES
    assert wait(team.manager, answer.json()["frames_job"], timeout=120)["state"] == "succeeded"

    add_tasks(db, team.owner, team.project.id, [{"id": "turned", "clip": file["src"]}])
    [task] = team.manager.get(f"/projects/{team.project.id}/tasks").json()["items"]
    clip = task["data"]["clip"]
    manifest = team.manager.client.get(clip["manifest"]).json()
    assert (manifest["width"], manifest["height"]) == shown
    frames = chunk_frames(team.manager, manifest, clip["frames_data"])
    assert all(frame.shape[:2] == shown[::-1] for frame in frames)
    # Turned back by the container's rotation, frame N shows N: every frame was turned the
    # same way, by the right amount in the right direction.
    turns = degrees // 90
    assert [frame_number(np.rot90(f, k=turns)) for f in frames] == list(range(FRAMES))
    # ...which is how ffmpeg shows it (JPEG's loss aside).
    for number in (1, 21):
        reference = ffmpeg_frame(video, number, *shown)
        difference = np.abs(frames[number].astype(int) - reference.astype(int)).mean()
        assert difference < 8, (number, difference)
