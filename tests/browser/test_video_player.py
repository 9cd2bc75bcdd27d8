"""Frame-exact video playback in the browser: an annotator opens a task whose video's frames
carry their own number in their pixels, steps with the keys and with the mouse (buttons,
scrubber, the frame number box) to frames 0, 1, 57 and the last, plays and pauses with
Space; at each stop the canvas's pixels, read in the page, show the number of the frame the
player says it shows."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from accord.db import Database
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user
from tests.media.video_samples import BLOCK, GRID, have_ffmpeg, make_video

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not have_ffmpeg(), reason="needs Debian's ffmpeg"),
]

LEAD = ("lead@example.org", "lead password 1")
ANNOTATOR = ("ann@example.org", "annotator password 1")
INTERFACE = {
    "fields": [{"name": "clip", "kind": "video"}],
    "questions": [{"name": "ok", "kind": "choice", "options": ["yes", "no"]}],
}
FRAMES = 80
PLAYER = "[data-video-field=clip]"


def shown_number(page: Page) -> int:
    """The number the canvas's pixels show: each code block's middle read in the page with
    getImageData (at the canvas's own size, that of the video), decoded here."""
    means = page.evaluate(
        """([grid, block]) => {
            const c = document.querySelector('.video-canvas');
            const g = c.getContext('2d');
            const left = (c.width - grid * block) / 2, top = (c.height - grid * block) / 2;
            const out = [];
            for (let bit = 0; bit < grid * grid; bit++) {
                const row = Math.floor(bit / grid), col = bit % grid;
                const d = g.getImageData(left + col * block + block / 4,
                                         top + row * block + block / 4, block / 2, block / 2).data;
                let sum = 0;
                for (let i = 0; i < d.length; i += 4) sum += (d[i] + d[i + 1] + d[i + 2]) / 3;
                out.push(sum / (d.length / 4));
            }
            return out;
        }""",
        [GRID, BLOCK],
    )
    return sum(1 << bit for bit, mean in enumerate(means) if mean > 128)


def at_frame(page: Page, frame: int) -> None:
    """Wait until the player shows ``frame`` and has drawn it; check the pixels say so."""
    player = page.locator(PLAYER)
    expect(player).to_have_attribute("data-frame", str(frame))
    expect(player).to_have_attribute("data-drawn", str(frame))
    assert shown_number(page) == frame


def upload(url: str, token: str, project_id: int, video: Path) -> str:
    with httpx.Client(
        base_url=url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as client:
        files = [("file", ("clip.mp4", video.read_bytes(), "video/mp4"))]
        answer = client.post(f"/projects/{project_id}/media", files=files)
        assert answer.status_code == 201, answer.text
        job_id = answer.json()["frames_job"]
        deadline = time.monotonic() + 120
        while (job := client.get(f"/jobs/{job_id}").json())["state"] not in ("succeeded", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert job["state"] == "succeeded" and job["result"]["made"] == 1, job
        return str(answer.json()["files"][0]["src"])


def test_stepping_and_playing_show_the_exact_frame(
    people: People, db: Database, tmp_path: Path
) -> None:
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, INTERFACE, members={annotator: "annotator"})
    video = make_video(tmp_path / "clip.mp4", FRAMES, variable=True)
    src = upload(people.url, lead_token, project.id, video)
    add_tasks(db, lead, project, [{"id": "v1", "clip": src}])

    page = people.page("annotator")
    people.sign_in(page, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    player = page.locator(PLAYER)
    expect(player).to_have_attribute("data-frames", str(FRAMES))
    at_frame(page, 0)

    # Keys, with the player focused: . forward, , back, → forward, G then a number.
    player.click()
    page.keyboard.press(".")
    at_frame(page, 1)
    page.keyboard.press(",")
    at_frame(page, 0)
    page.keyboard.press("ArrowRight")
    at_frame(page, 1)
    page.keyboard.press("g")
    expect(page.get_by_label("Frame number")).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type("57")
    page.keyboard.press("Enter")
    at_frame(page, 57)
    expect(page.locator("[data-video-time]")).to_contain_text(" s / ")
    page.keyboard.press("End")
    at_frame(page, FRAMES - 1)
    people.shot(page, "video-last-frame", at=PLAYER)

    # The mouse: the buttons, then the scrubber.
    page.get_by_role("button", name="Previous frame").click()
    at_frame(page, FRAMES - 2)
    page.get_by_role("button", name="Next frame").click()
    at_frame(page, FRAMES - 1)
    scrubber = page.get_by_label("Frame", exact=True)
    box = scrubber.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)
    at_frame(page, 0)
    page.get_by_role("button", name="Next frame").click()
    at_frame(page, 1)
    scrubber.fill("57")  # a range input's value set as a drag would
    at_frame(page, 57)

    # Space plays (at 4×) and pauses; wherever it stops, the pixels match the frame shown.
    page.get_by_label("Playback speed").select_option("4")
    player.focus()
    page.keyboard.press("Home")
    at_frame(page, 0)
    page.keyboard.press(" ")
    expect(player).to_have_attribute("data-playing", "true")
    page.wait_for_function(
        "() => Number(document.querySelector('[data-video-field=clip]').dataset.frame) > 10"
    )
    page.keyboard.press(" ")
    expect(player).to_have_attribute("data-playing", "false")
    stopped = int(player.get_attribute("data-frame") or -1)
    assert 10 < stopped < FRAMES
    at_frame(page, stopped)
    page.keyboard.press(" ")  # plays to the end, and stops there
    expect(player).to_have_attribute("data-playing", "false", timeout=20_000)
    at_frame(page, FRAMES - 1)
    people.shot(page, "video-after-playing", at=PLAYER)
    people.check()
