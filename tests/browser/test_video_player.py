"""Frame-exact video playback in the browser: an annotator opens a task whose video's frames
carry their own number in their pixels, steps with the keys and with the mouse (buttons,
scrubber, the frame number box) to frames 0, 1, 57 and the last, plays and pauses with
Space; at each stop the canvas's pixels, read in the page, show the number of the frame the
player says it shows. Both paths of the frames job (docs/video.md): the video's packets
decoded by the browser (WebCodecs; ``ACCORD_VIDEO_FRAMES=packets``, H.264 with B-frames here)
and JPEG frames (``ACCORD_VIDEO_FRAMES=jpeg``); the default, ``auto``, serves the first until
it has made the second."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, Request, expect

from accord.db import Database
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user
from tests.media.test_packets import X264, encode
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
JPEG = pytest.mark.server_env(ACCORD_VIDEO_FRAMES="jpeg")
# The default (auto) serves the packets until the JPEG frames are made: these tests stop there
PACKETS = pytest.mark.server_env(ACCORD_VIDEO_FRAMES="packets")
BOTH_PATHS = pytest.mark.parametrize(
    "path", [pytest.param("packets", marks=PACKETS), pytest.param("jpeg", marks=JPEG)]
)


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


def key_of(url: str) -> str:
    """The storage key a signed file link names (its token's ``k``)."""
    token = url.split("/api/v1/files/", 1)[1].split(".", 1)[0]
    return str(json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))["k"])


def play_then_pause(page: Page, player: Locator, past: int) -> int:
    """Space plays; once past frame ``past``, Space pauses; the frame it stopped at."""
    page.keyboard.press(" ")
    expect(player).to_have_attribute("data-playing", "true")
    page.wait_for_function(
        "() => Number(document.querySelector('[data-video-field=clip]').dataset.frame) > "
        + str(past)
    )
    page.keyboard.press(" ")
    expect(player).to_have_attribute("data-playing", "false")
    return int(player.get_attribute("data-frame") or -1)


@BOTH_PATHS
def test_stepping_and_playing_show_the_exact_frame(
    people: People, db: Database, tmp_path: Path, path: str
) -> None:
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, INTERFACE, members={annotator: "annotator"})
    video = make_video(tmp_path / "clip.mp4", FRAMES, variable=True)
    src = upload(people.url, lead_token, project.id, video)
    add_tasks(db, lead, project, [{"id": "v1", "clip": src}])

    page = people.page("annotator")
    data: list[str] = []
    page.on("request", lambda r: data.append(r.url) if r.headers.get("range") else None)
    people.sign_in(page, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    player = page.locator(PLAYER)
    expect(player).to_have_attribute("data-frames", str(FRAMES))
    at_frame(page, 0)
    read = "packets.bin" if path == "packets" else "frames.bin"  # what the player reads
    assert data and all(key_of(url).endswith(read) for url in data), data

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
    stopped = play_then_pause(page, player, past=10)
    assert 10 < stopped < FRAMES
    at_frame(page, stopped)
    page.keyboard.press(" ")  # plays to the end, and stops there
    expect(player).to_have_attribute("data-playing", "false", timeout=20_000)
    at_frame(page, FRAMES - 1)
    people.shot(page, "video-after-playing", at=PLAYER)
    people.check()


def open_video(
    people: People,
    db: Database,
    tmp_path: Path,
    frames: int,
    video: Path | None = None,
    before: Callable[[Page], None] | None = None,
    drawn: bool = True,
) -> Page:
    """The annotator's page on a task whose clip has ``frames`` coded frames (``video``, else
    one made), frame 0 drawn; ``before`` is done to the page before it opens the task."""
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, INTERFACE, members={annotator: "annotator"})
    video = video or make_video(tmp_path / "clip.mp4", frames)
    src = upload(people.url, lead_token, project.id, video)
    add_tasks(db, lead, project, [{"id": "v1", "clip": src}])
    page = people.page("annotator")
    if before is not None:
        before(page)
    people.sign_in(page, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    if drawn:
        expect(page.locator(PLAYER)).to_have_attribute("data-frames", str(frames))
        at_frame(page, 0)
    return page


# Every frame the player draws, as it draws it: the frame number it sets on the canvas with
# the pixels, and the number those pixels show (read in a mutation observer's callback, which
# runs right after the drawing script, before anything else is drawn).
RECORD_DRAWN = """([grid, block]) => {
  const c = document.querySelector('.video-canvas');
  const g = c.getContext('2d');
  window.__painted = [];
  new MutationObserver(() => {
    const left = (c.width - grid * block) / 2, top = (c.height - grid * block) / 2;
    let number = 0;
    for (let bit = 0; bit < grid * grid; bit++) {
      const row = Math.floor(bit / grid), col = bit % grid;
      const d = g.getImageData(left + col * block + block / 4, top + row * block + block / 4,
                               block / 2, block / 2).data;
      let sum = 0;
      for (let i = 0; i < d.length; i += 4) sum += (d[i] + d[i + 1] + d[i + 2]) / 3;
      if (sum / (d.length / 4) > 128) number |= 1 << bit;
    }
    window.__painted.push([Number(c.dataset.frame), number]);
  }).observe(c, {attributes: true, attributeFilter: ['data-frame']});
}"""


@BOTH_PATHS
def test_playback_draws_the_frame_it_says_at_every_refresh(
    people: People, db: Database, tmp_path: Path, path: str
) -> None:
    frames = 150  # five chunks: playback crosses chunks it fetches while playing
    page = open_video(people, db, tmp_path, frames)
    player = page.locator(PLAYER)
    page.evaluate(RECORD_DRAWN, [GRID, BLOCK])

    # The mouse starts it at 2×; it plays to the end and stops there.
    page.get_by_label("Playback speed").select_option("2")
    page.get_by_role("button", name="Play", exact=True).click()
    expect(player).to_have_attribute("data-playing", "true")
    expect(player).to_have_attribute("data-playing", "false", timeout=30_000)
    at_frame(page, frames - 1)

    painted: list[list[int]] = page.evaluate("() => window.__painted")
    shown = [frame for frame, _ in painted]
    assert [number for _, number in painted] == shown  # each frame's pixels are that frame
    assert shown == sorted(set(shown)) and shown[-1] == frames - 1  # forward, never twice
    assert len(shown) > frames // 10, shown  # frame by frame, not a slide show
    # Frames the player passed over to stay in time are counted, and only those.
    dropped = int(player.get_attribute("data-dropped") or -1)
    assert dropped == (frames - shown[0]) - len(shown)

    # Space pauses mid-way; the pixels are the frame shown.
    player.focus()
    page.keyboard.press("Home")
    at_frame(page, 0)
    page.keyboard.press(" ")
    page.wait_for_function(
        "() => Number(document.querySelector('[data-video-field=clip]').dataset.frame) > 40"
    )
    page.keyboard.press(" ")
    expect(player).to_have_attribute("data-playing", "false")
    stopped = int(player.get_attribute("data-frame") or -1)
    at_frame(page, stopped)
    people.shot(page, "video-played", at=PLAYER)
    people.check()


@JPEG
def test_a_seek_into_a_chunk_not_loaded_fetches_that_frame_alone_first(
    people: People, db: Database, tmp_path: Path
) -> None:
    frames = 320  # ten chunks of 32; opening fetches the first two
    page = open_video(people, db, tmp_path, frames)
    player = page.locator(PLAYER)
    ranges: list[tuple[int, int]] = []
    files: list[str] = []  # the signed links read whole: the manifest among them

    def seen(request: Request) -> None:
        asked = request.headers.get("range")
        if asked:
            start, end = asked.removeprefix("bytes=").split("-")
            ranges.append((int(start), int(end)))
        elif "/api/v1/files/" in request.url:
            files.append(request.url)

    page.on("request", seen)
    page.reload()
    at_frame(page, 0)
    [manifest] = [
        answer.json()
        for answer in map(page.request.get, files)
        if "json" in answer.headers.get("content-type", "")
    ]

    def frame_bytes(frame: int) -> tuple[int, int]:
        chunk = manifest["chunks"][frame // manifest["chunk_frames"]]
        i = frame % manifest["chunk_frames"]
        return chunk["start"] + chunk["offsets"][i], chunk["start"] + chunk["offsets"][i + 1] - 1

    def chunk_bytes(frame: int) -> tuple[int, int]:
        chunk = manifest["chunks"][frame // manifest["chunk_frames"]]
        return chunk["start"], chunk["end"] - 1

    def is_range(wanted: tuple[int, int]) -> Callable[[Request], bool]:
        return lambda r: r.headers.get("range") == f"bytes={wanted[0]}-{wanted[1]}"

    # Keys: G, 250, Enter. The first request is frame 250's own bytes; its chunk follows.
    assert chunk_bytes(250) not in ranges
    player.focus()
    asked_before = len(ranges)
    with page.expect_request(is_range(chunk_bytes(250))):
        page.keyboard.press("g")
        page.keyboard.press("Control+a")
        page.keyboard.type("250")
        page.keyboard.press("Enter")
        at_frame(page, 250)
    assert ranges[asked_before] == frame_bytes(250)
    # The next frame comes from that chunk: no request of its own.
    player.focus()
    page.keyboard.press(".")
    at_frame(page, 251)
    assert frame_bytes(251) not in ranges

    # The mouse: the scrubber to frame 100, in a chunk not fetched either.
    assert chunk_bytes(100) not in ranges
    asked_before = len(ranges)
    with page.expect_request(is_range(chunk_bytes(100))):
        page.get_by_label("Frame", exact=True).fill("100")
        at_frame(page, 100)
    assert ranges[asked_before] == frame_bytes(100)
    page.get_by_role("button", name="Previous frame").click()
    at_frame(page, 99)
    assert frame_bytes(99) not in ranges
    people.check()


def test_while_playing_the_frame_box_takes_a_number_and_paused_the_controls_say_the_frame(
    people: People, db: Database, tmp_path: Path
) -> None:
    frames = 150
    page = open_video(people, db, tmp_path, frames)
    player = page.locator(PLAYER)
    box = page.get_by_label("Frame number")

    # Playing, the controls follow the frame at a low rate; paused, they say the frame itself.
    player.focus()
    stopped = play_then_pause(page, player, past=10)
    at_frame(page, stopped)
    expect(box).to_have_value(str(stopped))
    expect(page.get_by_label("Frame", exact=True)).to_have_value(str(stopped))

    # Keys: G while playing selects the whole number (the frame by then), so what is typed
    # replaces it; Enter goes there and pauses.
    page.keyboard.press(" ")
    expect(player).to_have_attribute("data-playing", "true")
    page.keyboard.press("g")
    expect(box).to_be_focused()
    page.wait_for_timeout(100)  # a few frames later: the box is brought up to date, selected
    page.keyboard.type("57")
    page.keyboard.press("Enter")
    expect(player).to_have_attribute("data-playing", "false")
    at_frame(page, 57)
    expect(box).to_have_value("57")

    # The mouse: a click in the box while playing, the number typed over, Enter.
    page.keyboard.press(" ")
    expect(player).to_have_attribute("data-playing", "true")
    box.click()
    page.keyboard.press("Control+a")
    page.keyboard.type("20")
    page.keyboard.press("Enter")
    at_frame(page, 20)
    expect(player).to_have_attribute("data-playing", "false")
    people.check()


@PACKETS
def test_packets_step_back_across_keyframes_and_seek_with_the_mouse(
    people: People, db: Database, tmp_path: Path
) -> None:
    """H.264 with B-frames and a keyframe every 12 frames: the browser decodes from the
    keyframe before a frame; a step back over a keyframe decodes the chunk before."""
    video = encode(
        tmp_path / "gops.mp4", 100, [*X264, "-bf", "3", "-g", "12", "-sc_threshold", "0"]
    )
    page = open_video(people, db, tmp_path, 100, video)
    player = page.locator(PLAYER)
    data: list[str] = []
    page.on("request", lambda r: data.append(key_of(r.url)) if r.headers.get("range") else None)

    # Keys: G, 38, Enter (mid-chunk, B-frames around it); then back over the keyframe at 36
    # and the one at 24, each step checked by its pixels; forward again.
    player.focus()
    page.keyboard.press("g")
    page.keyboard.press("Control+a")
    page.keyboard.type("38")
    page.keyboard.press("Enter")
    at_frame(page, 38)
    for frame in range(37, 21, -1):
        page.keyboard.press(",")
        at_frame(page, frame)
    for frame in range(23, 27):
        page.keyboard.press(".")
        at_frame(page, frame)
    page.keyboard.press("End")
    at_frame(page, 99)
    page.keyboard.press("ArrowLeft")
    at_frame(page, 98)

    # The mouse: the scrubber to a frame of another chunk, then the buttons.
    page.get_by_label("Frame", exact=True).fill("61")
    at_frame(page, 61)
    page.get_by_role("button", name="Previous frame").click()
    at_frame(page, 60)
    page.get_by_role("button", name="Previous frame").click()
    at_frame(page, 59)
    page.get_by_role("button", name="Next frame").click()
    at_frame(page, 60)
    assert data and all(key.endswith("packets.bin") for key in data), data
    people.shot(page, "video-packets-steps", at=PLAYER)
    people.check()


@PACKETS
def test_a_browser_without_webcodecs_says_what_to_do(
    people: People, db: Database, tmp_path: Path
) -> None:
    page = open_video(
        people,
        db,
        tmp_path,
        20,
        make_video(tmp_path / "clip.mp4", 20),
        before=lambda page: page.add_init_script("delete window.VideoDecoder"),
        drawn=False,
    )
    problem = page.locator(".video-failed")
    expect(problem).to_contain_text("no WebCodecs video decoder")
    expect(problem).to_contain_text("avc1.")
    expect(problem).to_contain_text("ACCORD_VIDEO_FRAMES=jpeg")
    expect(page.locator(".video-canvas")).to_have_count(0)
    people.shot(page, "video-no-webcodecs", at=".video-failed")
    people.check()
