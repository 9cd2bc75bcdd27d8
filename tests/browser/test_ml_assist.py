"""The model server's help inside the annotate screen, in Chromium (docs/ml_backends.md,
docs/images.md "Smart"): the image widget's Smart tool sends a click or a box to the project's
interactive model server (tests/ml_backend_server.py, whose rule makes a polygon of it after
fetching the task's image through the link Accord sent) by mouse and by keyboard, each answer
one undoable step; and after Suggest is clicked with the mouse, the number keys still pick a
choice (the keys go back to the question)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from accord.db import Database
from accord.settings import Settings
from tests.browser.conftest import People
from tests.browser.test_annotate_image import at, drag, objects_of, status
from tests.factories import add_tasks, make_project, make_user
from tests.ml_backend_server import SIDE, MLServer, ml_server

# ACCORD_WEBHOOK_ALLOW_PRIVATE: the model server is on 127.0.0.1.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.server_env(ACCORD_WEBHOOK_ALLOW_PRIVATE="true"),
]

LEAD = ("lead@example.org", "lead password 1")
ANNOTATOR = ("ann@example.org", "annotator password 1")
W, H = 400, 240
IMAGES = {
    "fields": [{"name": "image", "kind": "image"}],
    "questions": [
        {"name": "outline", "kind": "polygons", "target": "image", "labels": ["blob", "other"]}
    ],
}


@pytest.fixture(scope="module")
def model() -> Iterator[MLServer]:
    with ml_server() as server:
        yield server


def annotator_at(
    people: People,
    db: Database,
    interface: dict[str, Any] | None,
    rows: list[dict[str, Any]],
    backend_url: str,
    protocol: str = "labelstudio",
) -> tuple[Page, int, httpx.Client]:
    """A project whose interactive model server is at ``backend_url``; its annotator on the
    annotate screen; an API client as the lead."""
    lead, lead_token = make_user(db, LEAD[0])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, interface, members={annotator: "annotator"})
    add_tasks(db, lead, project, rows)
    api = httpx.Client(
        base_url=people.url + "/api/v1",
        headers={"Authorization": f"Bearer {lead_token}"},
        timeout=30,
    )
    body = {"title": "outliner", "url": backend_url, "protocol": protocol, "interactive": True}
    made = api.post(f"/projects/{project.id}/ml-backends", json=body)
    assert made.status_code == 201, made.text
    page = people.page("annotator")
    people.sign_in(page, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    return page, project.id, api


def blobs(settings: Settings) -> str:
    """A W×H picture with two blobs, in the storage's media folder: its file:// reference."""
    image = Image.new("RGB", (W, H), (225, 230, 235))
    draw = ImageDraw.Draw(image)
    draw.ellipse((80, 60, 130, 110), fill=(200, 60, 50))
    draw.rectangle((220, 70, 320, 160), fill=(50, 90, 200))
    media = Path(settings.data_dir) / "media"
    media.mkdir(parents=True, exist_ok=True)
    path = media / "blobs.png"
    image.save(path)
    return path.resolve().as_uri()


def points_of(api: httpx.Client, project_id: int) -> list[dict[str, Any]]:
    """The submitted objects of the project's one task."""
    [task] = api.get(f"/projects/{project_id}/tasks").json()["items"]
    [annotation] = api.get(f"/tasks/{task['id']}").json()["annotations"]
    objects: list[dict[str, Any]] = annotation["result"]["outline"]["objects"]
    return objects


def near(points: list[list[float]], expected: list[list[float]], within: float = 1.5) -> bool:
    return len(points) == len(expected) and all(
        abs(p[0] - q[0]) <= within and abs(p[1] - q[1]) <= within
        for p, q in zip(points, expected, strict=True)
    )


def square(x: float, y: float) -> list[list[float]]:
    h = SIDE / 2
    return [[x - h, y - h], [x + h, y - h], [x + h, y + h], [x - h, y + h]]


def test_the_smart_tool_by_mouse_and_by_keyboard(
    people: People, db: Database, settings: Settings, model: MLServer
) -> None:
    model.mode("ok")
    row = {"id": "blobs", "image": {"src": blobs(settings), "width": W, "height": H}}
    page, project_id, api = annotator_at(people, db, IMAGES, [row], model.url + "/ls")
    expect(page.locator(".image-status")).to_contain_text(f"{W}×{H} px")
    page.wait_for_function("() => document.querySelector('[data-image-overlay]')?.dataset.view")
    smart = page.locator('[data-question="outline"] [data-smart]')
    expect(smart).to_be_visible()
    fetched = len(model.fetched())

    # By mouse: the Smart button, a click on the red blob, then a box around the blue one.
    smart.click()
    expect(smart).to_have_attribute("data-smart", "on")
    expect(status(page, "outline")).to_contain_text("Smart (blob): click the object")
    people.shot(page, "smart-on")
    page.mouse.click(*at(page, 105, 85))
    expect(objects_of(page, "outline")).to_have_count(1)
    expect(status(page, "outline")).to_contain_text("Smart (blob): added #1 (outline-1")
    drag(page, (215, 65), (325, 165))
    expect(objects_of(page, "outline")).to_have_count(2)
    expect(smart).to_have_attribute("data-smart", "on")  # it stays on for the next one
    people.shot(page, "smart-click-and-box")
    # Each answer is one undo step.
    page.keyboard.press("Control+z")
    expect(objects_of(page, "outline")).to_have_count(1)
    page.keyboard.press("Control+Shift+z")
    expect(objects_of(page, "outline")).to_have_count(2)

    # By keyboard: Esc leaves, 2 picks the label "other", I turns it on, the arrows move the
    # crosshair, Enter asks at it; then N at two corners asks with a box.
    page.keyboard.press("Escape")
    expect(smart).to_have_attribute("data-smart", "off")
    page.mouse.move(*at(page, 40, 180))  # the crosshair starts where the pointer was
    page.keyboard.press("2")
    page.keyboard.press("i")
    expect(status(page, "outline")).to_contain_text("Smart (other)")
    page.keyboard.press("Enter")
    expect(objects_of(page, "outline")).to_have_count(3)
    for _ in range(4):
        page.keyboard.press("Shift+ArrowRight")  # 50 screen px each
    page.keyboard.press("n")
    expect(status(page, "outline")).to_contain_text("one corner placed")
    for _ in range(2):
        page.keyboard.press("Shift+ArrowDown")
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("n")
    expect(objects_of(page, "outline")).to_have_count(4)
    people.shot(page, "smart-keyboard")
    sent = model.requests("/ls/predict")[-1]["body"]["params"]["context"]
    [region] = sent["result"]
    assert region["type"] == "rectanglelabels" and region["value"]["rectanglelabels"] == ["other"]
    assert region["from_name"] == "outline" and region["to_name"] == "image"
    page.keyboard.press("Escape")
    # The screen's shortcut help names the tool's key.
    page.keyboard.press("?")
    help = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help.get_by_text("Image shapes: the Smart tool")).to_be_visible()
    people.shot(page, "smart-in-shortcuts", at='[data-keys-sequence="i"]')
    page.keyboard.press("Escape")
    expect(help).to_have_count(0)
    page.locator('[data-question="outline"] [data-keys]').focus()
    page.keyboard.press("Control+Enter")
    expect(page.locator("[data-task-id]")).to_have_count(0)

    objects = points_of(api, project_id)
    assert [o["label"] for o in objects] == ["blob", "blob", "other", "other"], objects
    assert near(objects[0]["points"], square(105, 85)), objects[0]
    assert near(objects[1]["points"], [[215, 65], [325, 65], [325, 165], [215, 165]]), objects[1]
    assert near(objects[2]["points"], square(40, 180)), objects[2]
    # Every image the model server was sent, it could fetch (a signed absolute link).
    got = model.fetched()[fetched:]
    assert len(got) == 4 and all(f["status"] == 200 for f in got), got
    assert all(f["url"].startswith(people.url + "/api/v1/files/") for f in got), got
    api.close()
    people.check()


def test_after_suggest_by_mouse_the_number_keys_still_pick_a_choice(
    people: People, db: Database, model: MLServer
) -> None:
    model.mode("ok")
    rows = [{"id": "t1", "text": "great wonderful love"}]
    page, _, api = annotator_at(people, db, None, rows, model.url + "/ls")
    choice = page.locator('[data-question="label"] [role="radio"]')
    expect(choice.first).to_be_visible()
    page.get_by_role("button", name="Suggest").click()
    expect(page.get_by_text("Suggested by sk-")).to_be_visible()
    expect(choice.nth(0)).to_have_attribute("aria-checked", "true")  # the model: pos
    focused = page.evaluate("() => !!document.activeElement?.closest('[data-question]')")
    assert focused, "the keys went back to the question"
    page.keyboard.press("2")
    expect(choice.nth(1)).to_have_attribute("aria-checked", "true")
    people.shot(page, "digit-after-suggest")

    # And when the model fails: the notice, and the keys still pick.
    model.mode("error")
    page.get_by_role("button", name="Suggest").click()
    expect(page.get_by_text("annotate without it")).to_be_visible()
    page.keyboard.press("1")
    expect(choice.nth(0)).to_have_attribute("aria-checked", "true")
    people.shot(page, "digit-after-failed-suggest")
    model.mode("ok")
    api.close()
    # The 502 of the failed suggestion is logged by Chromium; it was provoked on purpose.
    people.problems[:] = [p for p in people.problems if "status of 502" not in p]
    people.check()
