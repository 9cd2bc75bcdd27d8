"""Tracks of every shape in the browser (docs/video.md, "Tracks in the browser"), the paths
tests/browser/test_tracks.py (boxes) leaves out: a polygon track drawn by mouse (click point by
point, the first point closes) and one by keyboard (N at the crosshair, Alt+Shift+arrows,
Enter); its track and per-frame attributes set in the card; a point track by a click and by
N; a keypoints track by clicks in skeleton order, and by N, Shift+N (not visible) and X (skip
a point); split by X and by the Split button, merge by Shift+M twice and by the card's menu
(a merge of two labels refused, said on screen); propagate by the Propagate… button. The
submitted answer holds exactly those tracks. Then the lead's task page shows the answer read
only: the frame and the timeline step, and no key or drag changes it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from accord.db import Database
from tests.browser.conftest import People
from tests.browser.test_tracks import OVERLAY, drag, step_to, to_page
from tests.browser.video_desk import LEAD, PLAYER, sit_at_video, submitted_result
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
            "name": "outline",
            "kind": "tracks",
            "target": "clip",
            "shape": "polygon",
            "labels": ["car", "person"],
            "attributes": [
                {"name": "color", "type": "choice", "options": ["red", "blue"]},
                {"name": "moving", "type": "choice", "options": ["yes", "no"], "mutable": True},
            ],
        },
        {"name": "spot", "kind": "tracks", "target": "clip", "shape": "point", "labels": ["ball"]},
        {
            "name": "pose",
            "kind": "tracks",
            "target": "clip",
            "shape": "keypoints",
            "labels": ["arm"],
            "skeleton": {"points": ["base", "elbow", "gripper"], "edges": [[0, 1], [1, 2]]},
        },
    ],
}
SHOTS = Path("/tmp/shots/av_browser_tests")
MESSAGE = "[data-tracks-message]"
SQUARE = [(40, 40), (120, 40), (120, 100), (40, 100)]
ACTIVE = re.compile(r"\bquestion-active\b")


def shot(people: People, page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"tracks-{name}.png"))
    people.shot(page, name)


def drawn(page: Page, frame: int) -> None:
    """Wait for the frame to be drawn in the stage (after the stage changed question)."""
    expect(page.locator(".tracks-stage")).to_have_attribute("data-stage-frame", str(frame))
    expect(page.locator(OVERLAY)).to_have_attribute("data-view", re.compile(r"."))


def click(page: Page, x: float, y: float) -> None:
    page.mouse.click(*to_page(page, x, y))


def card(page: Page, question: str, inner: str) -> Locator:
    """`inner` in the card of `question` (each tracks question's card lists its own tracks)."""
    return page.locator(f"[data-question={question}] {inner}")


def state(page: Page, question: str, track: str) -> dict[str, Any]:
    """What `question`'s card says of a track at the current frame."""
    item = card(page, question, f"[data-track-id={track}]")
    geom = item.get_attribute("data-geom") or ""
    return {
        "present": item.get_attribute("data-present") == "true",
        "keyframe": item.get_attribute("data-keyframe") == "true",
        "geom": json.loads(geom) if geom else None,
    }


def crosshair_step(page: Page) -> float:
    """Video pixels the crosshair moves on Alt+Shift+arrow (50 screen pixels)."""
    view = page.locator(OVERLAY).get_attribute("data-view") or ""
    return 50 / float(view.split(",")[0])


def activate(page: Page, question: str) -> None:
    """Make `question` the active one by mouse (a click on its card's title)."""
    page.locator(f"[data-question={question}] .question-head").click()
    expect(page.locator(f"[data-question={question}]")).to_have_class(ACTIVE)
    expect(page.locator(f"[data-image-question={question}]")).to_be_visible()
    expect(page.locator(".data-field-title")).to_contain_text(f"for “{question}”")


def test_polygon_point_keypoint_tracks_then_read_only(
    people: People, db: Database, tmp_path: Path
) -> None:
    desk = sit_at_video(people, db, tmp_path, INTERFACE, FRAMES, ".tracks-stage")
    page, project = desk.page, desk.project
    task_id = int(page.locator("[data-task-id]").get_attribute("data-task-id") or 0)
    expect(page.locator("[data-image-question=outline]")).to_be_visible()
    page.locator(OVERLAY).scroll_into_view_if_needed()

    # --- polygons -------------------------------------------------------------------------
    # Mouse: four clicks, the first point again closes: t1, a car, on frame 0.
    for x, y in [*SQUARE, SQUARE[0]]:
        click(page, x, y)
    expect(card(page, "outline", "[data-track-id]")).to_have_count(1)
    t1 = state(page, "outline", "t1")
    assert t1["keyframe"] and len(t1["geom"]["points"]) == 4
    for got, want in zip(t1["geom"]["points"], SQUARE, strict=True):
        assert got == pytest.approx(list(want), abs=1)
    square = t1["geom"]["points"]
    # Its attributes by mouse in the card: the track's colour; "moving" from frame 0 on.
    selected = card(page, "outline", "[data-selected-track=t1]")
    selected.get_by_label("color").select_option("red")
    # And by keyboard: Esc leaves the card's field for the track keys; F2 goes back into the
    # selected track's fields, Tab moves between them, a letter picks an option, Esc leaves.
    keys = page.locator("[data-question=outline] [data-keys]")
    selected.get_by_label("color").focus()
    page.keyboard.press("Escape")
    expect(keys).to_be_focused()
    page.keyboard.press("F2")
    moving = selected.get_by_label("moving")
    for _ in range(6):
        if moving.evaluate("e => e === document.activeElement"):
            break
        assert selected.evaluate("e => e.contains(document.activeElement)"), "F2/Tab left"
        page.keyboard.press("Tab")
    page.keyboard.press("y")
    expect(moving).to_have_value("yes")
    page.keyboard.press("Escape")
    expect(keys).to_be_focused()
    expect(selected).to_be_visible()  # the track is still the selected one

    # Keyboard: at frame 5, label 2 (person), N at the crosshair (the frame's middle), 50
    # screen px right, N, 50 px down, N, Enter ends it: t2.
    page.mouse.move(1, 1)
    page.keyboard.press("Escape")
    step_to(page, 5)
    page.keyboard.press("2")
    step = crosshair_step(page)
    page.keyboard.press("n")
    page.keyboard.press("Alt+Shift+ArrowRight")
    page.keyboard.press("n")
    page.keyboard.press("Alt+Shift+ArrowDown")
    page.keyboard.press("n")
    page.keyboard.press("Enter")
    expect(card(page, "outline", "[data-track-id]")).to_have_count(2)
    expect(card(page, "outline", "[data-track-id=t2]")).to_have_attribute("data-label", "person")
    triangle = state(page, "outline", "t2")["geom"]["points"]
    assert triangle[0] == pytest.approx([160, 120], abs=0.5)
    assert triangle[1] == pytest.approx([160 + step, 120], abs=0.5)
    assert triangle[2] == pytest.approx([160 + step, 120 + step], abs=0.5)
    shot(people, page, "polygons")

    # t1 at frame 10: X splits it (t3 from here on, selected); Shift+M on t1, then on t2
    # (a person) is refused, said on screen; then Shift+M on t3 merges it back into t1.
    page.keyboard.press("Escape")
    card(page, "outline", "[data-track-id=t1] button").click()
    expect(card(page, "outline", "[data-selected-track=t1]")).to_be_visible()
    step_to(page, 10)
    page.keyboard.press("x")
    expect(card(page, "outline", "[data-track-id]")).to_have_count(3)
    expect(card(page, "outline", "[data-selected-track=t3]")).to_be_visible()
    expect(page.locator("[data-track-row=t1] [data-keyframe='10']")).to_have_class(
        "tracks-key outside"
    )
    assert state(page, "outline", "t3")["geom"]["points"] == square
    shot(people, page, "split")
    card(page, "outline", "[data-track-id=t1] button").click()
    page.keyboard.press("Shift+M")
    expect(card(page, "outline", MESSAGE)).to_contain_text("merging into track t1")
    card(page, "outline", "[data-track-id=t2] button").click()
    page.keyboard.press("Shift+M")
    expect(card(page, "outline", MESSAGE)).to_contain_text("track t1 is a car, track t2 a person")
    expect(card(page, "outline", "[data-track-id]")).to_have_count(3)
    card(page, "outline", "[data-track-id=t1] button").click()
    page.keyboard.press("Shift+M")
    page.keyboard.press("Tab")  # the tracks on this frame in list order: t3 (after t1), t2
    expect(card(page, "outline", "[data-selected-track=t3]")).to_be_visible()
    page.keyboard.press("Shift+M")
    expect(card(page, "outline", "[data-track-id]")).to_have_count(2)
    expect(card(page, "outline", "[data-selected-track=t1]")).to_be_visible()
    expect(page.locator("[data-track-row=t1] [data-keyframe='10']")).to_have_class("tracks-key")

    # --- points ---------------------------------------------------------------------------
    # J (the next question, by keyboard); a click at frame 10 makes p t1; the Split button at
    # 15 cuts it; the menu and Merge join the two again; Propagate… (mouse) over 4 frames.
    page.keyboard.press("j")
    expect(page.locator("[data-question=spot]")).to_have_class(ACTIVE)
    expect(page.locator("[data-image-question=spot]")).to_be_visible()
    expect(page.locator(".data-field-title")).to_contain_text("for “spot”")
    expect(card(page, "spot", "[data-track-id]")).to_have_count(0)
    drawn(page, 10)
    click(page, 200, 60)
    expect(card(page, "spot", "[data-track-id]")).to_have_count(1)
    ball = state(page, "spot", "t1")["geom"]
    assert ball == pytest.approx({"x": 200, "y": 60}, abs=1)
    step_to(page, 15)
    card(page, "spot", "[data-track-action=split]").click()
    expect(card(page, "spot", "[data-track-id]")).to_have_count(2)
    expect(card(page, "spot", "[data-selected-track=t2]")).to_be_visible()
    card(page, "spot", "[data-track-id=t1] button").click()
    page.locator("[data-question=spot]").get_by_label(
        "Track to merge into the selected one"
    ).select_option("t2")
    card(page, "spot", "[data-track-action=merge]").click()
    expect(card(page, "spot", "[data-track-id]")).to_have_count(1)
    card(page, "spot", "[data-track-action=propagate]").click()
    frames_box = page.get_by_label("Frames to propagate over")
    frames_box.fill("4")
    page.get_by_role("button", name="Propagate Enter").click()
    expect(page.locator("[data-track-row=t1] [data-keyframe='19']")).to_have_count(1)
    # Keyboard: N at the crosshair (the frame's middle) on frame 19: t2.
    page.mouse.move(1, 1)
    page.keyboard.press("Escape")
    step_to(page, 19)
    page.keyboard.press("n")
    expect(card(page, "spot", "[data-track-id]")).to_have_count(2)
    assert state(page, "spot", "t2")["geom"] == {"x": 160, "y": 120}
    shot(people, page, "points")

    # --- keypoints --------------------------------------------------------------------------
    # Mouse: its card, then base, elbow, gripper clicked in order at frame 19.
    activate(page, "pose")
    expect(card(page, "pose", "[data-track-id]")).to_have_count(0)
    drawn(page, 19)
    arm = [(60, 200), (100, 160), (150, 150)]
    for x, y in arm:  # the last point of the skeleton ends it
        click(page, x, y)
    expect(card(page, "pose", "[data-track-id]")).to_have_count(1)
    points = state(page, "pose", "t1")["geom"]["points"]
    for got, (x, y) in zip(points, arm, strict=True):
        assert got == pytest.approx([x, y, 2], abs=1)
    # Keyboard at frame 25: N (base), Alt+Shift+→, Shift+N (elbow, not visible), X skips the
    # gripper (X is the skip while drawing keypoints, not split), which ends it: t2.
    page.mouse.move(1, 1)
    page.keyboard.press("Escape")
    step_to(page, 25)
    page.keyboard.press("n")
    page.keyboard.press("Alt+Shift+ArrowRight")
    page.keyboard.press("Shift+N")
    page.keyboard.press("x")
    expect(card(page, "pose", "[data-track-id]")).to_have_count(2)
    bones = state(page, "pose", "t2")["geom"]["points"]
    assert bones[0] == pytest.approx([160, 120, 2], abs=0.5)
    assert bones[1] == pytest.approx([160 + step, 120, 1], abs=0.5)
    assert bones[2] == [0, 0, 0]
    shot(people, page, "keypoints")

    result = submitted_result(people, desk)
    assert result["outline"] == {
        "tracks": [
            {
                "id": "t1",
                "label": "car",
                "attributes": {"color": "red"},
                "keyframes": [
                    {"frame": 0, "points": square, "attributes": {"moving": "yes"}},
                    {"frame": 10, "points": square, "attributes": {"moving": "yes"}},
                ],
            },
            {"id": "t2", "label": "person", "keyframes": [{"frame": 5, "points": triangle}]},
        ]
    }
    assert result["spot"] == {
        "tracks": [
            {
                "id": "t1",
                "label": "ball",
                "keyframes": [{"frame": 10, **ball}, {"frame": 15, **ball}, {"frame": 19, **ball}],
            },
            {"id": "t2", "label": "ball", "keyframes": [{"frame": 19, "x": 160, "y": 120}]},
        ]
    }
    assert result["pose"] == {
        "tracks": [
            {"id": "t1", "label": "arm", "keyframes": [{"frame": 19, "points": points}]},
            {"id": "t2", "label": "arm", "keyframes": [{"frame": 25, "points": bones}]},
        ]
    }

    # --- the lead's task page: the answer read only -----------------------------------------
    page.context.close()
    look = people.page("lead")
    look.set_viewport_size({"width": 1400, "height": 1000})
    people.sign_in(look, *LEAD, then=f"/projects/{project.id}/tasks/{task_id}")
    expect(look.locator(PLAYER)).to_have_attribute("data-frames", str(FRAMES))
    expect(look.locator("[data-image-question=outline]")).to_have_attribute("data-read-only", "")
    expect(look.locator("[data-track-row]")).to_have_count(2)
    look.locator("[data-track-row=t1] [data-keyframe='10']").click()
    expect(look.locator(PLAYER)).to_have_attribute("data-frame", "10")
    look.locator(OVERLAY).scroll_into_view_if_needed()
    before = look.locator("[data-track-row]").all_inner_texts()
    look.keyboard.press("k")
    look.keyboard.press("x")
    look.keyboard.press("Delete")
    drag(look, to_page(look, 80, 70), to_page(look, 200, 150))
    look.keyboard.press(",")
    expect(look.locator(PLAYER)).to_have_attribute("data-frame", "9")
    assert look.locator("[data-track-row]").all_inner_texts() == before
    assert look.locator("[data-track-row=t1] [data-keyframe]").count() == 2
    shot(people, look, "read-only")
    people.check()
