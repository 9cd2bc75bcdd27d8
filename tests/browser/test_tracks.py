"""Tracking objects through a video's frames in the browser (docs/video.md, "Tracks in the
browser"): a box drawn by mouse at frame 0, moved by mouse at frame 10 (a keyframe there), seen
interpolated at frame 5, marked outside by key at frame 20; a second track made entirely by
keyboard (N, Alt+arrows, K, P, O, a label key); the timeline's keyframe marks jump; the
submitted annotation holds exactly those keyframes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accord.db import Database
from tests.browser.conftest import People
from tests.browser.video_desk import PLAYER, sit_at_video, submitted_result
from tests.media.video_samples import have_ffmpeg

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not have_ffmpeg(), reason="needs Debian's ffmpeg"),
]

FRAMES = 30
INTERFACE = {
    "fields": [{"name": "clip", "kind": "video"}],
    "questions": [
        {
            "name": "cars",
            "kind": "tracks",
            "target": "clip",
            "shape": "box",
            "labels": ["car", "person"],
        }
    ],
}
OVERLAY = ".tracks-stage [data-image-overlay]"
SHOTS = Path("/tmp/shots/tracks-web")


def to_page(page: Page, x: float, y: float) -> tuple[float, float]:
    """The page point of video pixel (x, y) on the frame (the editor's view: scale, offset)."""
    overlay = page.locator(OVERLAY)
    view = overlay.get_attribute("data-view")
    assert view, "the frame has not been drawn yet"
    scale, ox, oy = (float(v) for v in view.split(","))
    box = overlay.bounding_box()
    assert box is not None
    return box["x"] + x * scale + ox, box["y"] + y * scale + oy


def drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=4)
    page.mouse.move(*end, steps=4)
    page.mouse.up()


def row(page: Page, track: str) -> dict[str, Any]:
    """What the card says of a track at the current frame."""
    item = page.locator(f"[data-track-id={track}]")
    geom = item.get_attribute("data-geom") or ""
    return {
        "present": item.get_attribute("data-present") == "true",
        "keyframe": item.get_attribute("data-keyframe") == "true",
        "geom": json.loads(geom) if geom else None,
    }


def step_to(page: Page, frame: int) -> None:
    player = page.locator(PLAYER)
    now = int(player.get_attribute("data-frame") or 0)
    key = "." if frame > now else ","
    for _ in range(abs(frame - now)):
        page.keyboard.press(key)
    expect(player).to_have_attribute("data-frame", str(frame))
    expect(page.locator(".tracks-stage")).to_have_attribute("data-stage-frame", str(frame))


def shot(people: People, page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".tracks-video").screenshot(path=str(SHOTS / f"{name}.png"))
    people.shot(page, name)


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1.0


def test_track_by_mouse_and_by_keyboard_then_submit(
    people: People, db: Database, tmp_path: Path
) -> None:
    desk = sit_at_video(people, db, tmp_path, INTERFACE, FRAMES, ".tracks-stage")
    page = desk.page
    page.locator(OVERLAY).scroll_into_view_if_needed()

    # Mouse: a box dragged on frame 0 is a new track, t1.
    drag(page, to_page(page, 40, 40), to_page(page, 100, 90))
    expect(page.locator("[data-track-id]")).to_have_count(1)
    first = row(page, "t1")
    assert first["keyframe"] and first["geom"]["x"] == pytest.approx(40, abs=1)
    assert first["geom"]["w"] == pytest.approx(60, abs=1)
    x0 = first["geom"]["x"]

    # Keys: to frame 10 (the card has the keys after the click); drag the box 100 px right.
    step_to(page, 10)
    assert row(page, "t1") == {**first, "keyframe": False}  # held after its only keyframe
    drag(page, to_page(page, 70, 65), to_page(page, 170, 65))
    tenth = row(page, "t1")
    assert tenth["keyframe"] and close(tenth["geom"]["x"], x0 + 100)
    x10 = tenth["geom"]["x"]

    # Frame 5 is halfway, interpolated (exactly a + t * (b - a)).
    step_to(page, 5)
    fifth = row(page, "t1")
    assert not fifth["keyframe"] and fifth["geom"]["x"] == x0 + 0.5 * (x10 - x0)
    shot(people, page, "tracks-interpolated")

    # Frame 20: O, outside from there; the track is gone from the frame, and back at 19.
    step_to(page, 20)
    page.keyboard.press("o")
    expect(page.locator("[data-track-id=t1]")).to_have_attribute("data-present", "false")
    expect(page.locator("[data-track-row=t1] [data-keyframe='20']")).to_have_count(1)

    # Keyboard only: a person (2) from frame 2: N at the crosshair (the frame's middle, as the
    # pointer is off the frame), Alt+Shift+arrows move it 50 screen px, N again.
    page.mouse.move(1, 1)
    page.keyboard.press("Escape")
    step_to(page, 2)
    page.keyboard.press("2")
    page.keyboard.press("n")
    page.keyboard.press("Alt+Shift+ArrowRight")
    page.keyboard.press("Alt+Shift+ArrowDown")
    page.keyboard.press("n")
    expect(page.locator("[data-track-id]")).to_have_count(2)
    expect(page.locator("[data-track-id=t2]")).to_have_attribute("data-label", "person")
    expect(page.locator("[data-selected-track=t2]")).to_be_visible()
    start = row(page, "t2")["geom"]
    # Frame 8: Alt+Shift+← moves it 10 px left (a keyframe); frame 4: K makes one; at 8 P 5
    # puts one at 13; at 16 O ends it.
    step_to(page, 8)
    page.keyboard.press("Alt+Shift+ArrowLeft")
    eighth = row(page, "t2")
    assert eighth["keyframe"] and eighth["geom"]["x"] == pytest.approx(start["x"] - 10, abs=0.01)
    step_to(page, 4)
    page.keyboard.press("k")
    expect(page.locator("[data-track-id=t2]")).to_have_attribute("data-keyframe", "true")
    step_to(page, 8)
    page.keyboard.press("p")
    frames_box = page.get_by_label("Frames to propagate over")
    expect(frames_box).to_be_focused()
    frames_box.fill("5")
    frames_box.press("Enter")
    expect(page.locator("[data-track-row=t2] [data-keyframe='13']")).to_have_count(1)
    step_to(page, 16)
    page.keyboard.press("o")
    page.keyboard.press("Shift+ArrowLeft")  # back to the previous keyframe, 13
    expect(page.locator(PLAYER)).to_have_attribute("data-frame", "13")
    shot(people, page, "tracks-keyboard")

    # Mouse on the timeline: t1's keyframe mark at 10 selects t1 and goes there.
    page.locator("[data-track-row=t1] [data-keyframe='10']").click()
    expect(page.locator(PLAYER)).to_have_attribute("data-frame", "10")
    expect(page.locator("[data-selected-track=t1]")).to_be_visible()
    shot(people, page, "tracks-timeline")

    result = submitted_result(people, desk)
    t1, t2 = result["cars"]["tracks"]
    assert (t1["id"], t1["label"], t2["id"], t2["label"]) == ("t1", "car", "t2", "person")
    assert [(k["frame"], k.get("outside", False)) for k in t1["keyframes"]] == [
        (0, False),
        (10, False),
        (20, True),
    ]
    assert t1["keyframes"][0]["x"] == x0 and t1["keyframes"][1]["x"] == x10
    assert [(k["frame"], k.get("outside", False)) for k in t2["keyframes"]] == [
        (2, False),
        (4, False),
        (8, False),
        (13, False),
        (16, True),
    ]
    assert t2["keyframes"][3]["x"] == t2["keyframes"][2]["x"] == eighth["geom"]["x"]
    people.check()
