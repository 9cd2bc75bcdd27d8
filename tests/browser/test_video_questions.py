"""Several questions drawing on one video (docs/video.md, "Several questions on a video"): two
tracks questions and a per-frame boxes question. The annotate, review and task pages show a
switch above the video naming each with its count; the mouse (a button) and the keyboard (the
screen's next-question keys; on the task page Tab to the switch, then ← →) change which one the
frame and the timeline show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
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
REVIEWER = ("rev@example.org", "reviewer password 1")
PLAYER = "[data-video-field=clip]"
SWITCH = "[data-video-shown]"
FRAMES = 12
INTERFACE = {
    "fields": [{"name": "clip", "kind": "video"}],
    "questions": [
        {"name": "cars", "kind": "tracks", "target": "clip", "shape": "box", "labels": ["car"]},
        {
            "name": "walkers",
            "kind": "tracks",
            "target": "clip",
            "shape": "box",
            "labels": ["person"],
        },
        {"name": "signs", "kind": "boxes", "target": "clip", "labels": ["stop", "yield"]},
    ],
}


def box(frame: int, x: float) -> dict[str, Any]:
    return {"frame": frame, "x": x, "y": 40, "w": 40, "h": 30}


RESULT = {
    "cars": {"tracks": [{"id": "t1", "label": "car", "keyframes": [box(0, 20)]}]},
    "walkers": {
        "tracks": [
            {"id": "t1", "label": "person", "keyframes": [box(0, 100), box(6, 140)]},
            {"id": "t2", "label": "person", "keyframes": [box(2, 200)]},
        ]
    },
    "signs": {
        "objects": [
            {"id": "1", "label": "stop", "frame": 0, "x": 10, "y": 150, "w": 30, "h": 30},
            {"id": "2", "label": "yield", "frame": 0, "x": 60, "y": 150, "w": 30, "h": 30},
            {"id": "3", "label": "stop", "frame": 4, "x": 10, "y": 150, "w": 30, "h": 30},
        ]
    },
}


def shows(page: Page, question: str, drawn: int) -> None:
    """The video shows ``question``: the switch says so, and its frame 0 holds ``drawn`` shapes."""
    expect(page.locator(SWITCH)).to_have_attribute("data-video-shown", question)
    expect(page.locator(f"[data-show-question={question}]")).to_have_attribute(
        "aria-pressed", "true"
    )
    stage = page.locator(f"{PLAYER} .tracks-stage")
    expect(stage).to_have_attribute("data-stage-frame", "0")
    expect(stage.locator("[data-shape-count]")).to_have_attribute("data-shape-count", str(drawn))


def counts(page: Page) -> list[str]:
    buttons = page.locator(f"{SWITCH} [data-show-question]")
    return [" ".join(text.split()) for text in buttons.all_text_contents()]


def test_every_question_on_a_video_is_shown_by_mouse_and_keyboard(
    people: People, db: Database, tmp_path: Path
) -> None:
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    annotator, token = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    reviewer, _ = make_user(db, REVIEWER[0], password=REVIEWER[1])
    members = {annotator: "annotator", reviewer: "reviewer"}
    project = make_project(db, lead, INTERFACE, members=members, review_share=1.0)
    src = upload(people.url, lead_token, project.id, make_video(tmp_path / "clip.mp4", FRAMES))
    add_tasks(db, lead, project, [{"id": f"v{i}", "clip": src} for i in range(2)])
    with httpx.Client(
        base_url=people.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as author:
        task = author.post(f"/projects/{project.id}/next").json()["task"]
        done = author.post(f"/tasks/{task['id']}/annotations", json={"result": RESULT})
        assert done.status_code == 201, done.text

    # Annotate (the other task): the switch names the three, the first tracks question shown.
    page = people.page("annotator")
    people.sign_in(page, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    expect(page.locator(PLAYER)).to_have_attribute("data-frames", str(FRAMES))
    shows(page, "cars", 0)
    assert counts(page) == ["cars (0 tracks)", "walkers (0 tracks)", "signs (0 boxes)"]
    # Mouse: the boxes question; its card becomes the active one.
    page.locator("[data-show-question=signs]").click()
    expect(page.locator(".frame-shapes-video")).to_be_visible()
    shows(page, "signs", 0)
    # Keyboard: k, the previous question, is the second tracks question.
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("k")
    shows(page, "walkers", 0)
    expect(page.locator(".tracks-video")).to_have_attribute(
        "aria-label", "clip with the tracks of walkers"
    )
    people.shot(page, "video-questions-annotate", at=SWITCH)

    # Review: the author's answers; Tab (next question) and a click switch.
    page = people.page("reviewer")
    people.sign_in(page, *REVIEWER, then=f"/projects/{project.id}/review")
    expect(page.locator(PLAYER)).to_have_attribute("data-frames", str(FRAMES))
    shows(page, "cars", 1)
    assert counts(page) == ["cars (1 track)", "walkers (2 tracks)", "signs (3 boxes)"]
    page.locator("[data-show-question=walkers]").click()
    shows(page, "walkers", 1)  # t2 starts at frame 2
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Tab")
    shows(page, "signs", 2)  # the boxes of frame 0
    people.shot(page, "video-questions-review", at=SWITCH)

    # The task page (the lead): read only; a click, then the keys along the switch.
    page = people.page("lead")
    people.sign_in(page, *LEAD, then=f"/projects/{project.id}/tasks/{task['id']}")
    expect(page.locator(PLAYER)).to_have_attribute("data-frames", str(FRAMES))
    shows(page, "cars", 1)
    assert counts(page) == ["cars (1 track)", "walkers (2 tracks)", "signs (3 boxes)"]
    expect(page.locator("[data-answer=walkers]")).to_contain_text(
        "t2 · person: 1 keyframe from frame 2"
    )
    page.locator("[data-show-question=walkers]").click()
    shows(page, "walkers", 1)
    expect(page.locator("[data-show-question=walkers]")).to_be_focused()
    page.keyboard.press("ArrowRight")
    shows(page, "signs", 2)
    expect(page.locator("[data-show-question=signs]")).to_be_focused()
    page.keyboard.press("Home")
    shows(page, "cars", 1)
    page.keyboard.press("End")
    shows(page, "signs", 2)
    page.locator("[data-show-question=signs]").press("Shift+Tab")
    expect(page.locator("[data-show-question=walkers]")).to_be_focused()
    page.keyboard.press("Enter")
    shows(page, "walkers", 1)
    people.shot(page, "video-questions-task", at=".task-detail")
    people.check()
