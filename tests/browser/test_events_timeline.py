"""Marking events on a video's timeline in the browser: two events by keyboard (`.` to step,
`[` and `]`, a number key for the label), one by dragging on a lane, an edge moved with the
mouse, one deleted with Delete; the submitted annotation holds exactly those frames."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson
import pytest
from playwright.sync_api import Page, expect

from accord.db import Database
from tests.browser.conftest import People
from tests.browser.test_video_player import upload
from tests.factories import add_tasks, make_project, make_user
from tests.media.video_samples import have_ffmpeg, make_video

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not have_ffmpeg(), reason="needs Debian's ffmpeg"),
]

LEAD = ("lead@example.org", "lead password 1")
ANNOTATOR = ("ann@example.org", "annotator password 1")
FRAMES = 60
INTERFACE = {
    "fields": [{"name": "clip", "kind": "video"}],
    "questions": [
        {"name": "actions", "kind": "events", "target": "clip", "labels": ["pick", "place"]}
    ],
}
PLAYER = "[data-video-field=clip]"


def step_to(page: Page, frame: int) -> None:
    """Press `.` until the player shows ``frame`` (it starts below it)."""
    player = page.locator(PLAYER)
    now = int(player.get_attribute("data-frame") or 0)
    for _ in range(frame - now):
        page.keyboard.press(".")
    expect(player).to_have_attribute("data-frame", str(frame))


def x_of(page: Page, lane: str, frame: float) -> tuple[float, float]:
    """The page point of ``frame``'s left edge (fractions allowed) on ``lane``'s track."""
    track = page.locator(f"[data-track={lane}]")
    track.evaluate("el => el.scrollIntoView({block: 'center'})")  # not under the action bar
    box = track.bounding_box()
    assert box is not None
    return box["x"] + frame * box["width"] / FRAMES, box["y"] + box["height"] / 2


def drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + end[0]) / 2, end[1], steps=3)
    page.mouse.move(*end, steps=3)
    page.mouse.up()


def bars(page: Page) -> list[tuple[str, str, str]]:
    found = page.eval_on_selector_all(
        ".events-bar[data-event-id]",
        "els => els.map(e => [e.closest('[data-lane]').dataset.lane, e.dataset.start, "
        "e.dataset.end])",
    )
    return sorted((lane, start, end) for lane, start, end in found)


def submitted(
    people: People, page: Page, lead_token: str, project_id: int
) -> list[tuple[str, int, int]]:
    """Submit the task (Ctrl+Enter); the events of the one annotation the server stored."""
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("heading", name="All done here")).to_be_visible(timeout=15_000)
    with httpx.Client(
        base_url=people.url + "/api/v1", headers={"Authorization": f"Bearer {lead_token}"}
    ) as client:
        lines = client.get(f"/projects/{project_id}/export", params={"format": "jsonl"}).content
    [task] = [orjson.loads(line) for line in lines.splitlines() if line.strip()]
    [annotation] = task["annotations"]
    return [(e["label"], e["start"], e["end"]) for e in annotation["result"]["actions"]["events"]]


def test_mark_move_delete_and_submit_events(people: People, db: Database, tmp_path: Path) -> None:
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, INTERFACE, members={annotator: "annotator"})
    src = upload(people.url, lead_token, project.id, make_video(tmp_path / "clip.mp4", FRAMES))
    add_tasks(db, lead, project, [{"id": "v1", "clip": src}])

    page = people.page("annotator")
    people.sign_in(page, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    player = page.locator(PLAYER)
    expect(player).to_have_attribute("data-frames", str(FRAMES))
    expect(page.locator("[data-events-timeline=actions]")).to_be_visible()

    # Keyboard: pick 3..8, then (key 2) place 10..14.
    player.locator("canvas").click()
    step_to(page, 3)
    page.keyboard.press("[")
    step_to(page, 8)
    page.keyboard.press("]")
    expect(page.locator(".events-bar[data-event-id]")).to_have_count(1)
    page.keyboard.press("2")
    step_to(page, 10)
    page.keyboard.press("[")
    step_to(page, 14)
    page.keyboard.press("]")
    assert bars(page) == [("pick", "3", "8"), ("place", "10", "14")]

    # Mouse: drag on the empty pick lane from frame 30 to frame 40 makes pick 30..40.
    drag(page, x_of(page, "pick", 30.5), x_of(page, "pick", 40.5))
    assert bars(page) == [("pick", "3", "8"), ("pick", "30", "40"), ("place", "10", "14")]
    expect(player).to_have_attribute("data-frame", "40")

    # Drag the first pick's end edge (the right side of frame 8) to frame 12.
    drag(page, x_of(page, "pick", 9), x_of(page, "pick", 12.5))
    assert bars(page) == [("pick", "3", "12"), ("pick", "30", "40"), ("place", "10", "14")]

    # Click the place event: selected, the player at its start; Delete removes it.
    page.mouse.click(*x_of(page, "place", 12.5))
    expect(player).to_have_attribute("data-frame", "10")
    expect(page.locator(".events-bar.selected")).to_have_attribute("data-event-id", "e2")
    people.shot(page, "events-timeline", at=".events-video")
    page.keyboard.press("Delete")
    assert bars(page) == [("pick", "3", "12"), ("pick", "30", "40")]

    assert submitted(people, page, lead_token, project.id) == [("pick", 3, 12), ("pick", 30, 40)]
    people.check()


LONG = 400  # frames: at zoom 1 a frame is under 2 px of the lane


def zoomed_x(page: Page, lane: str, frame: float) -> tuple[float, float]:
    """The page point of ``frame``'s left edge on ``lane``'s track, in the timeline's view."""
    timeline = page.locator("[data-events-timeline=actions]")
    start = int(timeline.get_attribute("data-view-start") or 0)
    span = int(timeline.get_attribute("data-view-span") or 1)
    box = page.locator(f"[data-track={lane}]").bounding_box()
    assert box is not None
    return box["x"] + (frame - start) * box["width"] / span, box["y"] + box["height"] / 2


def test_zoom_the_timeline_to_place_events_on_a_long_video(
    people: People, db: Database, tmp_path: Path
) -> None:
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, INTERFACE, members={annotator: "annotator"})
    src = upload(people.url, lead_token, project.id, make_video(tmp_path / "long.mp4", LONG))
    add_tasks(db, lead, project, [{"id": "v1", "clip": src}])
    page = people.page("annotator")
    people.sign_in(page, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    player = page.locator(PLAYER)
    timeline = page.locator("[data-events-timeline=actions]")
    expect(player).to_have_attribute("data-frames", str(LONG))
    timeline.evaluate("el => el.scrollIntoView({block: 'center'})")
    expect(timeline).to_have_attribute("data-view-span", str(LONG))

    # Keys: Z twice shows a quarter of the video; going to frame 250 (G) brings the view there.
    player.locator("canvas").click()
    page.keyboard.press("z")
    page.keyboard.press("z")
    expect(timeline).to_have_attribute("data-zoom", "4")
    expect(timeline).to_have_attribute("data-view-span", "100")
    expect(page.locator("[data-events-zoom]")).to_have_text("zoom 4× · frames 0–99")
    page.keyboard.press("g")
    page.keyboard.press("Control+a")
    page.keyboard.type("250")
    page.keyboard.press("Enter")
    expect(player).to_have_attribute("data-frame", "250")
    expect(timeline).to_have_attribute("data-view-start", "200")
    people.shot(page, "events-zoomed", at=".events-video")

    # The mouse, zoomed: a drag from frame 230 to 240 marks exactly those frames.
    drag(page, zoomed_x(page, "pick", 230.5), zoomed_x(page, "pick", 240.5))
    assert bars(page) == [("pick", "230", "240")]
    # The wheel scrolls the zoomed view (the current frame stays where it is) ...
    page.mouse.move(*zoomed_x(page, "place", 260))
    page.mouse.wheel(0, 300)
    expect(timeline).to_have_attribute("data-view-start", "210")
    expect(player).to_have_attribute("data-frame", "240")
    # ... Ctrl+wheel zooms in around the pointer, then the buttons zoom out to the whole video.
    page.keyboard.down("Control")
    page.mouse.wheel(0, -100)
    page.keyboard.up("Control")
    expect(timeline).to_have_attribute("data-zoom", "8")
    expect(timeline).to_have_attribute("data-view-span", "50")
    out = page.get_by_role("button", name="Zoom the timeline out")
    for zoom in ("4", "2", "1"):
        out.click()
        expect(timeline).to_have_attribute("data-zoom", zoom)
    expect(out).to_be_disabled()
    expect(page.locator("[data-events-zoom]")).to_have_text("whole video")
    assert bars(page) == [("pick", "230", "240")]
    # Shift+Z at zoom 1 changes nothing; the event is submitted as marked.
    page.keyboard.press("Shift+Z")
    expect(timeline).to_have_attribute("data-zoom", "1")
    assert submitted(people, page, lead_token, project.id) == [("pick", 230, 240)]
    people.check()
