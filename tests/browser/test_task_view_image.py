"""Image answers seen, not edited, in Chromium (docs/images.md, "Seeing image answers: task
page, adjudication"): the manager's task page draws the shown annotation's, past version's or
prediction's shapes on the image, read only (a drag pans, Delete and the editing keys change
nothing, on the page or on the server), with the object's label, attributes, flags and score
beside it; the adjudication screen shows each answer's shapes on its own copy of the image; a
reviewer fixing an annotation is offered the assist, and it works for them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from accord.db import Database
from accord.models import Project
from accord.settings import Settings
from tests.browser.conftest import People
from tests.browser.test_annotate_image import RECTS, H, W, picture
from tests.factories import add_tasks, make_project, make_user

pytestmark = pytest.mark.browser

LEAD = ("lead@example.org", "lead password 1")
REVIEWER = ("rev@example.org", "reviewer password 1")
INTERFACE = {
    "fields": [{"name": "street", "kind": "image"}],
    "questions": [
        {
            "name": "objects",
            "kind": "boxes",
            "target": "street",
            "labels": ["car", "person"],
            "attributes": [{"name": "colour", "type": "choice", "options": ["red", "blue"]}],
        },
        {"name": "outline", "kind": "polygons", "target": "street", "labels": ["car"]},
        {"name": "scene", "kind": "image_class", "target": "street", "options": ["road", "yard"]},
    ],
}
CAR = {"id": "1", "label": "car", "x": 50, "y": 40, "w": 100, "h": 80}
ANN_V1: dict[str, Any] = {"objects": {"objects": [CAR]}, "scene": {"choice": "road"}}
ANN_V2: dict[str, Any] = {
    "objects": {
        "objects": [
            {**CAR, "attributes": {"colour": "red"}},
            {
                "id": "2",
                "label": "person",
                "x": 220,
                "y": 150,
                "w": 110,
                "h": 110,
                "occluded": True,
            },
        ]
    },
    "outline": {
        "objects": [
            {"id": "1", "label": "car", "points": [[50, 40], [150, 40], [150, 120], [50, 120]]}
        ]
    },
    "scene": {"choice": "road"},
}
BO: dict[str, Any] = {
    "objects": {"objects": [{"id": "1", "label": "car", "x": 48, "y": 38, "w": 104, "h": 84}]},
    "scene": {"choice": "yard"},
}
PREDICTION: dict[str, Any] = {
    "objects": {
        "objects": [
            {"id": "1", "label": "car", "x": 52, "y": 42, "w": 96, "h": 76, "score": 0.9},
            {"id": "2", "label": "car", "x": 300, "y": 10, "w": 40, "h": 30, "score": 0.3},
        ]
    }
}


def client(people: People, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=people.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


@dataclass
class Scene:
    project: Project
    task_id: int
    annotations: dict[str, int]
    lead: httpx.Client


@contextmanager
def two_answers(
    people: People, db: Database, settings: Settings, **project_settings: Any
) -> Iterator[Scene]:
    """One image task with a model's prediction, answered by Ann (then edited: version 2) and
    by Bo, who disagree; the lead and a reviewer can sign in."""
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    reviewer, _ = make_user(db, REVIEWER[0], password=REVIEWER[1])
    ann, ann_token = make_user(db, "ann@example.org")
    bo, bo_token = make_user(db, "bo@example.org")
    members = {ann: "annotator", bo: "annotator", reviewer: "reviewer"}
    project = make_project(db, lead, INTERFACE, overlap=2, members=members, **project_settings)
    image = {"src": picture(settings), "width": W, "height": H}
    prediction = {"model_version": "det-1", "score": 0.8, "result": PREDICTION}
    add_tasks(db, lead, project, [{"id": "s1", "street": image, "predictions": [prediction]}])
    ids: dict[str, int] = {}
    task_id = 0
    for name, token, result in (("ann", ann_token, ANN_V1), ("bo", bo_token, BO)):
        with client(people, token) as me:
            task_id = me.post(f"/projects/{project.id}/next").json()["task"]["id"]
            done = me.post(f"/tasks/{task_id}/annotations", json={"result": result})
            assert done.status_code == 201, done.text
            ids[name] = done.json()["annotation"]["id"]
            if name == "ann":
                edited = me.put(f"/annotations/{ids[name]}", json={"result": ANN_V2})
                assert edited.status_code == 200, edited.text
    with client(people, lead_token) as lead_api:
        yield Scene(project, task_id, ids, lead_api)


def view_of(stage: Locator) -> tuple[float, float, float, float, float]:
    """(canvas left, canvas top, scale, offset x, offset y) of this stage's image on screen."""
    overlay = stage.locator("[data-image-overlay]")
    box = overlay.bounding_box()
    assert box is not None
    scale, ox, oy = (float(v) for v in (overlay.get_attribute("data-view") or "").split(","))
    return box["x"], box["y"], scale, ox, oy


def at(stage: Locator, x: float, y: float) -> tuple[float, float]:
    left, top, scale, ox, oy = view_of(stage)
    return left + x * scale + ox, top + y * scale + oy


def drag(page: Page, stage: Locator, a: tuple[float, float], b: tuple[float, float]) -> None:
    start, end = at(stage, *a), at(stage, *b)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=3)
    page.mouse.move(*end, steps=3)
    page.mouse.up()


def wait_drawn(stage: Locator) -> None:
    stage.page.wait_for_function(
        "s => s.querySelector('[data-image-overlay]')?.dataset.view",
        arg=stage.element_handle(),
    )


def test_the_task_page_shows_each_answer_on_the_image_read_only(
    people: People, db: Database, settings: Settings
) -> None:
    with two_answers(people, db, settings) as scene:
        ann, bo = scene.annotations["ann"], scene.annotations["bo"]
        page = people.page("lead")
        people.sign_in(page, *LEAD, then=f"/projects/{scene.project.id}/tasks/{scene.task_id}")
        viewer = page.locator(".image-read-only")
        stage = viewer.locator(".image-stage")
        expect(viewer).to_have_count(1)
        expect(page.locator(".image-status")).to_contain_text(f"{W}×{H} px")
        wait_drawn(stage)

        # Ann's annotation (the first) is drawn: two boxes, listed; her image class over it.
        expect(page.locator("[data-shown]")).to_have_attribute("data-shown", f"annotation-{ann}")
        expect(stage).to_have_attribute("data-shape-count", "2")
        expect(viewer.locator(".shape-row")).to_have_count(2)
        expect(viewer.locator("[data-object-counts]")).to_contain_text("2 objects: 1 car, 1 person")
        expect(stage.locator(".image-badge")).to_have_text("road")
        card = page.locator(f"[data-annotation='{ann}']")
        expect(card.locator("[data-answer=objects] dd")).to_have_text("2 objects: 1 car, 1 person")
        expect(card.locator("[data-answer=outline] dd")).to_have_text("1 object: 1 car")
        expect(card.locator("[data-answer=scene] dd")).to_have_text("road")
        prediction = page.locator("[data-prediction='det-1'] [data-answer=objects]")
        expect(prediction).to_contain_text("2 objects: 2 car")
        expect(prediction).to_contain_text("scored 0.30–0.90")

        # Inspect: a click selects the car (label, geometry, attribute); the person's flag.
        page.mouse.click(*at(stage, 100, 80))
        chosen = viewer.locator("[data-selected-object]")
        expect(chosen).to_have_attribute("data-selected-object", "1")
        expect(chosen).to_contain_text("#1 car")
        expect(chosen).to_contain_text("box 100 × 80 px at x 50, y 40")
        expect(chosen).to_contain_text("colour: red")
        page.mouse.move(*at(stage, 275, 205))
        expect(viewer.locator(".image-where")).to_contain_text("#2 person")
        viewer.locator(".shape-row[data-object-id='2']").click()
        expect(chosen).to_contain_text("occluded")
        people.shot(page, "task-page-image")

        # Nothing edits: Delete, Backspace, a label key, arrows, H, L, O, a paste change
        # nothing; a drag on empty image draws nothing; a drag on the car pans the view (the
        # car stays where it is in the image, it moves on screen).
        page.mouse.click(*at(stage, 100, 80))
        expect(chosen).to_have_attribute("data-selected-object", "1")
        before = view_of(stage)
        for key in ("Delete", "Backspace", "2", "ArrowLeft", "h", "l", "o", "Control+v", "n"):
            page.keyboard.press(key)
        page.keyboard.press("f")
        drag(page, stage, (10, 200), (40, 280))
        page.keyboard.press("f")
        expect(stage).to_have_attribute("data-shape-count", "2")
        drag(page, stage, (100, 80), (160, 120))
        after = view_of(stage)
        assert after[3] > before[3] and after[4] > before[4], "the drag panned the view"
        expect(stage).to_have_attribute("data-shape-count", "2")
        expect(chosen).to_contain_text("box 100 × 80 px at x 50, y 40")
        expect(chosen).not_to_contain_text("hidden")
        page.keyboard.press("f")
        # F fits the view again (the data-view attribute follows the key a moment later).
        page.wait_for_function(
            "([el, want]) => el.dataset.view.split(',')"
            ".every((v, i) => Math.abs(v - want[i]) < 1e-3)",
            arg=[stage.locator("[data-image-overlay]").element_handle(), list(before[2:])],
        )
        assert view_of(stage)[2:] == pytest.approx(before[2:])

        # Switching what is shown redraws: Bo's answer, the prediction, Ann's version 1, and
        # Ann's outline question (the boxes then show faint beneath).
        page.locator(f"[data-annotation='{bo}']").get_by_role(
            "button", name="Show in the data"
        ).click()
        expect(page.locator("[data-shown]")).to_have_attribute("data-shown", f"annotation-{bo}")
        expect(stage).to_have_attribute("data-shape-count", "1")
        expect(stage.locator(".image-badge")).to_have_text("yard")
        page.locator("[data-prediction='det-1']").get_by_role(
            "button", name="Show in the data"
        ).click()
        expect(stage).to_have_attribute("data-shape-count", "2")
        viewer.locator(".shape-row[data-object-id='2']").click()
        expect(chosen).to_contain_text("score 0.30")
        card.get_by_role("button", name="History (2 versions)").click()
        card.locator("[data-version='1']").get_by_role("button", name="Show in the data").click()
        expect(page.locator("[data-shown]")).to_have_attribute("data-shown", f"annotation-{ann}-v1")
        expect(stage).to_have_attribute("data-shape-count", "1")
        card.locator("[data-version='2']").get_by_role("button", name="Show in the data").click()
        expect(stage).to_have_attribute("data-shape-count", "2")
        viewer.locator("[data-show-question=outline]").click()
        outline = viewer.locator("[data-image-question=outline] .image-stage")
        expect(outline).to_have_attribute("data-shape-count", "1")
        expect(viewer.locator("[data-object-counts]")).to_contain_text("1 object: 1 car")
        viewer.locator(".shape-row").first.click()
        expect(chosen).to_contain_text("polygon of 4 points")
        outline.focus()
        page.keyboard.press("Delete")
        expect(outline).to_have_attribute("data-shape-count", "1")
        people.shot(page, "task-page-image-outline")

        # The server holds what the annotators wrote, unchanged.
        stored = {
            name: scene.lead.get(f"/annotations/{i}").json()
            for name, i in scene.annotations.items()
        }
        assert stored["ann"]["result"] == ANN_V2 and stored["ann"]["version"] == 2
        assert stored["bo"]["result"] == BO and stored["bo"]["version"] == 1
        people.check()


def test_adjudication_shows_each_answers_shapes_read_only(
    people: People, db: Database, settings: Settings
) -> None:
    with two_answers(people, db, settings, agreement_threshold=0.9) as scene:
        page = people.page("reviewer")
        people.sign_in(page, *REVIEWER, then=f"/projects/{scene.project.id}/adjudicate")
        page.wait_for_selector("[data-adjudication-id]")
        cards = page.locator(".adjudication-answer")
        expect(cards).to_have_count(2)
        stages = [cards.nth(i).locator("[data-read-only] .image-stage") for i in range(2)]
        for stage in stages:
            wait_drawn(stage)
        counts = {
            cards.nth(i).locator("[data-read-only] .image-stage").get_attribute("data-shape-count")
            for i in range(2)
        }
        assert counts == {"1", "2"}
        ann_card = cards.filter(has=page.locator(".image-stage[data-shape-count='2']"))
        expect(ann_card).to_contain_text("2 objects: 1 car, 1 person")
        expect(ann_card.locator(".image-badge")).to_have_text("road")
        stage = ann_card.locator("[data-read-only] .image-stage")

        # The final answer (editable, below) starts as the consensus; a candidate's image
        # only looks: a click selects, a drag pans, Delete changes neither it nor the final.
        final = page.locator(".task [data-image-question]:not([data-read-only]) .image-stage")
        wait_drawn(final)
        final_count = final.get_attribute("data-shape-count")
        page.mouse.click(*at(stage, 275, 205))
        expect(ann_card.locator("[data-selected-object]")).to_contain_text("#2 person")
        page.keyboard.press("Delete")
        drag(page, stage, (100, 80), (140, 100))
        expect(stage).to_have_attribute("data-shape-count", "2")
        expect(final).to_have_attribute("data-shape-count", final_count or "")
        # The assist is offered in the final answer's polygons (the reviewer may use it).
        expect(page.locator('[data-question="outline"] [data-assist]')).to_be_visible()
        people.shot(page, "adjudication-image")
        people.check()


def test_a_reviewer_fixing_an_annotation_uses_the_assist(
    people: People, db: Database, settings: Settings
) -> None:
    lead, _ = make_user(db, LEAD[0], password=LEAD[1])
    reviewer, _ = make_user(db, REVIEWER[0], password=REVIEWER[1])
    ann, token = make_user(db, "ann@example.org")
    project = make_project(
        db, lead, INTERFACE, members={ann: "annotator", reviewer: "reviewer"}, review_share=1.0
    )
    image = {"src": picture(settings), "width": W, "height": H}
    add_tasks(db, lead, project, [{"id": "s1", "street": image}])
    with client(people, token) as me:
        task_id = me.post(f"/projects/{project.id}/next").json()["task"]["id"]
        done = me.post(f"/tasks/{task_id}/annotations", json={"result": ANN_V1})
        assert done.status_code == 201, done.text
        annotation_id = done.json()["annotation"]["id"]

        page = people.page("reviewer")
        people.sign_in(page, *REVIEWER, then=f"/projects/{project.id}/review")
        page.wait_for_selector("[data-review-id]")
        page.locator('[data-question="outline"]').click()
        page.locator('[data-question="outline"] [data-keys]').focus()
        stage = page.locator("[data-image-question=outline] .image-stage")
        wait_drawn(stage)
        button = page.locator('[data-question="outline"] [data-assist]')
        expect(button).to_be_visible()
        # The blue rectangle, by a rough box and A: the server's polygon becomes the outline.
        x0, y0, x1, y1, _ = RECTS[1]
        page.mouse.move(*at(stage, 5, 5))
        page.keyboard.press("a")
        drag(page, stage, (x0 - 12, y0 - 12), (x1 + 12, y1 + 12))
        page.keyboard.press("a")
        expect(stage).to_have_attribute("data-shape-count", "1")
        expect(page.locator('[data-question="outline"] [data-assist-error]')).to_have_count(0)
        people.shot(page, "review-assist")
        page.get_by_role("button", name="Fix and accept").click()
        expect(page.get_by_text("Nothing is waiting for your review")).to_be_visible()
        fixed = me.get(f"/annotations/{annotation_id}").json()
    assert fixed["review_state"] == "fixed"
    polygon = fixed["result"]["outline"]["objects"][0]["points"]
    xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
    assert min(xs) == pytest.approx(x0, abs=3) and max(xs) == pytest.approx(x1, abs=3)
    assert min(ys) == pytest.approx(y0, abs=3) and max(ys) == pytest.approx(y1, abs=3)
    people.check()
