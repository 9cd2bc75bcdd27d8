"""Video and audio served from an S3 bucket: the server stores uploads in a real
S3-compatible server (moto, its own process), the frames and waveform jobs write their
files there, and the browser reads them through presigned links, straight from the bucket
(the manifest, the frames by HTTP range, the waveform's peaks): the page's
Content-Security-Policy and the bucket's CORS must let it. The video's frames carry their
number in their pixels, so the frame drawn is checked, by keys and by the mouse."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Request, expect

from accord.db import Database
from accord.settings import Settings
from tests.browser import test_audio, test_video_player
from tests.browser.conftest import WEB_DIST, People
from tests.factories import add_tasks, make_project, make_user
from tests.live import LiveServer, live_server
from tests.media.audio_samples import have_tools, make_speech
from tests.media.video_samples import have_ffmpeg, make_video
from tests.s3 import CREDENTIALS, S3Server, s3, s3_server, unique_prefix

__all__ = ["s3", "s3_server"]  # the fixtures this module's tests use

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (have_ffmpeg() and have_tools()), reason="needs Debian's ffmpeg and espeak-ng"
    ),
]

LEAD = ("lead@example.org", "lead password 1")
ANNOTATOR = ("ann@example.org", "annotator password 1")
FRAMES = 70  # three chunks of 32 frames


@pytest.fixture
def server(settings: Settings, db: Database, s3: S3Server) -> Iterator[LiveServer]:
    """The browser tests' server, its files in the bucket (under a prefix of this test's)."""
    if not WEB_DIST.exists():
        pytest.fail("the web app is not built: run `make web` (or `cd web && npm run build`)")
    env = {
        "ACCORD_STORAGE_URL": f"s3://{s3.bucket}/{unique_prefix()}",
        "ACCORD_S3_ENDPOINT_URL": s3.endpoint,
        **CREDENTIALS,
    }
    with live_server(settings, env=env) as live:
        yield live


def bucket_requests(page: Page, s3: S3Server) -> list[str]:
    """The URLs ``page`` will request from the S3 server, as it requests them."""
    urls: list[str] = []

    def seen(request: Request) -> None:
        if request.url.startswith(s3.endpoint):
            urls.append(request.url)

    page.on("request", seen)
    return urls


def test_video_frames_come_from_the_bucket(
    people: People, db: Database, tmp_path: Path, s3: S3Server
) -> None:
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, test_video_player.INTERFACE, members={annotator: "annotator"})
    src = test_video_player.upload(
        people.url, lead_token, project.id, make_video(tmp_path / "clip.mp4", FRAMES)
    )
    add_tasks(db, lead, project, [{"id": "v1", "clip": src}])

    page = people.page("annotator")
    from_bucket = bucket_requests(page, s3)
    people.sign_in(page, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    player = page.locator(test_video_player.PLAYER)
    expect(player).to_have_attribute("data-frames", str(FRAMES))
    test_video_player.at_frame(page, 0)

    # Keys: step, then jump into the last chunk (not loaded yet).
    player.click()
    page.keyboard.press(".")
    test_video_player.at_frame(page, 1)
    page.keyboard.press("g")
    page.keyboard.press("Control+a")
    page.keyboard.type("66")
    page.keyboard.press("Enter")
    test_video_player.at_frame(page, 66)
    # The mouse: the scrubber's start, then the button.
    scrubber = page.get_by_label("Frame", exact=True)
    box = scrubber.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)
    test_video_player.at_frame(page, 0)
    page.get_by_role("button", name="Next frame").click()
    test_video_player.at_frame(page, 1)
    people.shot(page, "video-from-bucket", at=test_video_player.PLAYER)

    # packets.bin: the video's packets, decoded by the browser (frames.bin: JPEG frames)
    assert any("packets.bin" in url or "frames.bin" in url for url in from_bucket), from_bucket
    assert not any(people.url in url for url in from_bucket)
    people.check()


def test_audio_waveform_comes_from_the_bucket(
    people: People, db: Database, tmp_path: Path, s3: S3Server
) -> None:
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, test_audio.INTERFACE, members={annotator: "annotator"})
    sent = test_audio.upload(
        people.url, lead_token, project.id, make_speech(tmp_path / "talk.wav", "one two three")
    )
    speech = {"src": sent["src"], "duration": sent["duration"]}
    add_tasks(db, lead, project, [{"id": "a1", "speech": speech}])
    page = people.page("annotator")
    from_bucket = bucket_requests(page, s3)
    people.sign_in(page, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    player = page.locator(test_audio.PLAYER)
    expect(player).to_have_attribute("data-drawn", "true")
    # Playing it by key moves the playhead: the recording itself loads from the bucket.
    player.focus()
    page.keyboard.press("ArrowRight")
    expect(player).to_have_attribute("data-time", "1.000")
    people.shot(page, "audio-from-bucket", at=test_audio.PLAYER)
    assert from_bucket, "nothing was read from the bucket"
    people.check()
