"""Per-frame shapes in the browser (docs/video.md, "Per-frame shapes"): a ``boxes`` question
on a video field. A box dragged by mouse at frame 0; `.` steps to frame 5 (the card has the
keys after the click), where a second box is dragged and a third drawn by keyboard (N, Alt+
arrows, N); `,` back at frame 0 shows only the first; the submitted annotation holds the
three boxes with their frames."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accord.db import Database
from tests.browser.conftest import People
from tests.browser.test_tracks import drag, to_page
from tests.browser.video_desk import PLAYER, sit_at_video, submitted_result
from tests.media.video_samples import have_ffmpeg

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not have_ffmpeg(), reason="needs Debian's ffmpeg"),
]

FRAMES = 12
INTERFACE = {
    "fields": [{"name": "clip", "kind": "video"}],
    "questions": [{"name": "cars", "kind": "boxes", "target": "clip", "labels": ["car", "person"]}],
}
STAGE = ".frame-shapes-video .tracks-stage"
COUNT = "[data-frame-objects]"
SHOTS = Path("/tmp/shots/frame_shapes")


def step_to(page: Page, frame: int) -> None:
    player = page.locator(PLAYER)
    now = int(player.get_attribute("data-frame") or 0)
    key = "." if frame > now else ","
    for _ in range(abs(frame - now)):
        page.keyboard.press(key)
    expect(player).to_have_attribute("data-frame", str(frame))
    expect(page.locator(STAGE)).to_have_attribute("data-stage-frame", str(frame))
    expect(page.locator(COUNT)).to_have_attribute("data-frame-objects", str(frame))


def shot(people: People, page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".frame-shapes-video").screenshot(path=str(SHOTS / f"{name}.png"))
    people.shot(page, name)


def test_boxes_on_two_frames_by_mouse_and_keyboard_then_submit(
    people: People, db: Database, tmp_path: Path
) -> None:
    desk = sit_at_video(people, db, tmp_path, INTERFACE, FRAMES, STAGE)
    page = desk.page
    page.locator(f"{STAGE} [data-image-overlay]").scroll_into_view_if_needed()

    # Mouse at frame 0: a box.
    drag(page, to_page(page, 40, 40), to_page(page, 100, 90))
    expect(page.locator(COUNT)).to_contain_text("1 box at frame 0 (1 in all)")

    # Key: to frame 5, where frame 0's box is not shown; a second box by mouse there.
    step_to(page, 5)
    expect(page.locator(COUNT)).to_contain_text("0 boxes at frame 5 (1 in all)")
    drag(page, to_page(page, 120, 60), to_page(page, 200, 120))
    expect(page.locator(COUNT)).to_contain_text("1 box at frame 5 (2 in all)")

    # Keyboard only: Esc, the label key 2, N at the crosshair (the frame's middle: the
    # pointer is off the frame), Alt+Shift+arrows move it 50 screen px, N again.
    page.mouse.move(1, 1)
    page.keyboard.press("Escape")
    page.keyboard.press("2")
    page.keyboard.press("n")
    page.keyboard.press("Alt+Shift+ArrowRight")
    page.keyboard.press("Alt+Shift+ArrowDown")
    page.keyboard.press("n")
    expect(page.locator(COUNT)).to_contain_text("2 boxes at frame 5 (3 in all)")
    shot(people, page, "frame-5")

    step_to(page, 0)
    expect(page.locator(COUNT)).to_contain_text("1 box at frame 0 (3 in all)")
    shot(people, page, "frame-0")

    result = submitted_result(people, desk)
    objects = result["cars"]["objects"]
    assert [(o["frame"], o["label"]) for o in objects] == [(0, "car"), (5, "car"), (5, "person")]
    assert len({o["id"] for o in objects}) == 3
    first, second, third = objects
    assert first["x"] == pytest.approx(40, abs=1) and first["w"] == pytest.approx(60, abs=1)
    assert second["x"] == pytest.approx(120, abs=1) and second["h"] == pytest.approx(60, abs=1)
    assert third["w"] > 0 and third["h"] > 0
    people.check()
