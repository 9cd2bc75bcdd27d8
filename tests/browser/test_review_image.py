"""Reviewing image work in the browser: the reviewer sees the author's boxes drawn on the
image, accepts one annotation by keyboard, and fixes another with the mouse (moves a box and
deletes another) before accepting it; the stored answers say what each decision left."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from accord.db import Database
from accord.settings import Settings
from tests.browser.conftest import People
from tests.browser.test_annotate_image import at, drag, loaded, picture
from tests.factories import add_tasks, make_project, make_user

pytestmark = pytest.mark.browser

LEAD = ("lead@example.org", "lead password 1")
ANNOTATOR = ("ann@example.org", "annotator password 1")
REVIEWER = ("rev@example.org", "reviewer password 1")
INTERFACE = {
    "fields": [{"name": "street", "kind": "image"}],
    "questions": [
        {"name": "objects", "kind": "boxes", "target": "street", "labels": ["car", "person"]}
    ],
}
BOXES = [
    {"id": "b1", "label": "car", "x": 50, "y": 40, "w": 100, "h": 80},
    {"id": "b2", "label": "person", "x": 220, "y": 150, "w": 110, "h": 110},
]


def review_id(page: Page) -> int:
    page.wait_for_selector("[data-review-id]")
    return int(page.locator("[data-review-id]").get_attribute("data-review-id") or 0)


def next_review_after(page: Page, before: int) -> None:
    page.wait_for_function(
        "before => { const r = document.querySelector('[data-review-id]');"
        " return !r || r.dataset.reviewId !== String(before); }",
        arg=before,
    )


def test_a_reviewer_accepts_and_fixes_boxes(
    people: People, db: Database, settings: Settings
) -> None:
    lead, _ = make_user(db, LEAD[0], password=LEAD[1])
    annotator, token = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    reviewer, _ = make_user(db, REVIEWER[0], password=REVIEWER[1])
    members = {annotator: "annotator", reviewer: "reviewer"}
    project = make_project(db, lead, INTERFACE, members=members, review_share=1.0)
    with httpx.Client(
        base_url=people.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as author:
        image = {"src": picture(settings), "width": 400, "height": 300}
        add_tasks(db, lead, project, [{"id": f"s{i}", "street": image} for i in range(2)])
        submitted = []
        for _ in range(2):
            task = author.post(f"/projects/{project.id}/next").json()["task"]
            done = author.post(
                f"/tasks/{task['id']}/annotations", json={"result": {"objects": {"objects": BOXES}}}
            )
            assert done.status_code == 201, done.text
            submitted.append(done.json()["annotation"])

        page = people.page("reviewer")
        people.sign_in(page, *REVIEWER, then=f"/projects/{project.id}/review")
        first = review_id(page)
        loaded(page)
        expect(page.locator("[data-shape-count]")).to_have_attribute("data-shape-count", "2")
        people.shot(page, "review-image")

        # 1. Accept by keyboard, unchanged.
        page.keyboard.press("Control+Enter")
        next_review_after(page, first)
        second = review_id(page)
        loaded(page)

        # 2. Fix with the mouse: drag the car 20 px right, select the person and delete it.
        drag(page, (100, 80), (120, 80))
        page.mouse.click(*at(page, 275, 205))
        page.keyboard.press("Delete")
        expect(page.locator("[data-shape-count]")).to_have_attribute("data-shape-count", "1")
        fix = page.get_by_role("button", name="Fix and accept")
        expect(fix).to_be_visible()
        people.shot(page, "review-image-fixed")
        fix.click()
        next_review_after(page, second)
        expect(page.get_by_text("Nothing is waiting for your review")).to_be_visible()

        shown = [author.get(f"/annotations/{a['id']}").json() for a in submitted]
    assert [a["review_state"] for a in shown] == ["accepted", "fixed"]
    assert shown[0]["result"]["objects"]["objects"] == BOXES
    fixed = shown[1]["result"]["objects"]["objects"]
    assert len(fixed) == 1 and fixed[0]["label"] == "car"
    assert fixed[0]["x"] == pytest.approx(70, abs=1) and fixed[0]["y"] == pytest.approx(40, abs=1)
    people.check()
