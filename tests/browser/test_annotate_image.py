"""Shapes drawn on an image, by mouse and by keyboard, in Chromium: boxes (draw, select, move,
resize, relabel, nudge, delete, undo/redo, zoom, pan, attributes), polygons, polylines and
points, keypoints, masks (brush and polygon fill), image classes, and predictions under a
score threshold. Each test submits and reads the stored answer back through the API.

The image is a synthetic PNG made here (Pillow) in the storage's media/ folder, referenced as
``file:///…`` (docs/storage.md, "Bucket media in tasks").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from accord.db import Database
from accord.quality.masks import rle_decode
from accord.settings import Settings
from tests.browser.annotating import sit_down
from tests.browser.conftest import People

pytestmark = pytest.mark.browser

W, H = 400, 300
# Known rectangles on the picture: (x0, y0, x1, y1, colour).
RECTS = [(50, 40, 150, 120, (200, 60, 60)), (220, 150, 330, 260, (60, 90, 200))]


def picture(settings: Settings, name: str = "street.png") -> str:
    """A W×H PNG with RECTS drawn on it, in the media folder; its file:// reference."""
    image = Image.new("RGB", (W, H), (235, 235, 225))
    draw = ImageDraw.Draw(image)
    for x0, y0, x1, y1, colour in RECTS:
        draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=colour)
    media = Path(settings.data_dir) / "media"
    media.mkdir(parents=True, exist_ok=True)
    path = media / name
    image.save(path)
    return f"file://{path.resolve()}"


def view_of(page: Page) -> tuple[float, float, float, float, float]:
    """(canvas left, canvas top, scale, offset x, offset y) of the image on screen."""
    overlay = page.locator("[data-image-overlay]")
    box = overlay.bounding_box()
    assert box is not None
    scale, ox, oy = (float(v) for v in (overlay.get_attribute("data-view") or "").split(","))
    return box["x"], box["y"], scale, ox, oy


def at(page: Page, x: float, y: float) -> tuple[float, float]:
    """The screen point of image pixel (x, y)."""
    left, top, scale, ox, oy = view_of(page)
    return left + x * scale + ox, top + y * scale + oy


def drag(page: Page, a: tuple[float, float], b: tuple[float, float]) -> None:
    page.mouse.move(*at(page, *a))
    page.mouse.down()
    page.mouse.move(*at(page, (a[0] + b[0]) / 2, (a[1] + b[1]) / 2), steps=3)
    page.mouse.move(*at(page, *b), steps=3)
    page.mouse.up()


def click(page: Page, x: float, y: float) -> None:
    page.mouse.click(*at(page, x, y))


def loaded(page: Page) -> None:
    expect(page.locator(".image-status")).to_contain_text(f"{W}×{H} px")
    page.wait_for_function("() => document.querySelector('[data-image-overlay]')?.dataset.view")


def status(page: Page, question: str) -> Any:
    return page.locator(f'[data-question="{question}"] .shape-status')


def selected(page: Page) -> Any:
    return page.locator("[data-selected-object]")


def objects_of(page: Page, question: str) -> Any:
    return page.locator(f'[data-question="{question}"] .shape-row')


BOXES = {
    "fields": [{"name": "image", "kind": "image", "label": "Street"}],
    "questions": [{
        "name": "objects", "kind": "boxes", "target": "image", "labels": ["car", "person"],
        "attributes": [{"name": "colour", "type": "choice", "options": ["red", "blue"]}],
    }],
}


def test_boxes_by_mouse_and_keyboard(people: People, db: Database, settings: Settings) -> None:
    src = picture(settings)
    row = {"id": "street", "image": {"src": src, "width": W, "height": H}}
    with sit_down(people, db, BOXES, [row]) as desk:
        page = desk.page
        task_id = desk.task_id()
        loaded(page)
        scale = view_of(page)[2]
        tol = 1 / scale + 0.02  # a mouse lands on a whole screen pixel

        # Drag a box over the red rectangle; 2 relabels it as a person.
        drag(page, (50, 40), (150, 120))
        rows = objects_of(page, "objects")
        expect(rows).to_have_count(1)
        page.keyboard.press("2")
        expect(rows.first).to_contain_text("person")

        # A second box by keys alone: N at the crosshair, arrows move it, N again.
        page.keyboard.press("Escape")
        page.mouse.move(*at(page, 220, 150))
        page.keyboard.press("1")
        page.keyboard.press("n")
        page.mouse.move(*at(page, 1, 1))  # the mouse leaves the spot: keys drive from here
        page.mouse.move(*at(page, 220, 150))
        for _ in range(2):
            page.keyboard.press("Shift+ArrowRight")
        page.keyboard.press("Shift+ArrowDown")
        page.keyboard.press("n")
        expect(rows).to_have_count(2)
        expect(status(page, "objects")).to_contain_text("car #2")

        # Move box 1 by dragging its inside, resize it by its bottom-right handle.
        drag(page, (100, 80), (110, 90))
        drag(page, (160, 130), (170, 135))
        # Arrow keys nudge it by 1 px, Shift by 10.
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Shift+ArrowDown")
        page.locator(".shape-attribute select").select_option("red")
        people.shot(page, "boxes-drawn")

        # Tab picks box 2, Delete removes it; Ctrl+Z brings it back, Ctrl+Shift+Z removes it again.
        page.locator('[data-question="objects"] [data-keys]').focus()
        page.keyboard.press("Tab")
        expect(selected(page)).to_have_attribute("data-selected-object", "2")
        page.keyboard.press("Delete")
        expect(rows).to_have_count(1)
        page.keyboard.press("Control+z")
        expect(rows).to_have_count(2)
        page.keyboard.press("Control+Shift+z")
        expect(rows).to_have_count(1)
        page.keyboard.press("Control+z")
        expect(rows).to_have_count(2)

        # Zoom with the wheel at a point (that point stays put), + and F; pan with Space+drag.
        before = view_of(page)
        spot = at(page, 100, 100)
        page.mouse.move(*spot)
        page.mouse.wheel(0, -300)
        page.wait_for_function(
            "least => parseFloat(document.querySelector('[data-image-overlay]').dataset.view)"
            " > least", arg=before[2] * 1.2)
        after = at(page, 100, 100)
        assert abs(after[0] - spot[0]) < 1.5 and abs(after[1] - spot[1]) < 1.5
        page.keyboard.press("+")
        people.shot(page, "zoomed")
        page.keyboard.press("f")
        expect(page.locator("[data-zoom]")).to_have_attribute("data-zoom", str(before[2]))
        page.keyboard.down("Space")
        page.mouse.move(*at(page, 200, 150))
        page.mouse.down()
        page.mouse.move(spot[0] + 40, spot[1] + 30, steps=4)
        page.mouse.up()
        page.keyboard.up("Space")
        moved = view_of(page)
        assert moved[3] != before[3] and moved[4] != before[4], "Space+drag pans"
        expect(rows).to_have_count(2)  # panning drew nothing
        people.shot(page, "panned")

        page.keyboard.press("Control+Enter")
        desk.wait_for_next(task_id)
        boxes = desk.answer(task_id)["objects"]["objects"]
        assert [b["id"] for b in boxes] == ["1", "2"]
        one, two = boxes
        assert one["label"] == "person" and one["attributes"] == {"colour": "red"}
        # Drawn 50,40 → 150,120; moved by +10,+10; bottom-right corner dragged to 170,135;
        # then 1 px right and 10 px down by keys.
        assert one["x"] == pytest.approx(61, abs=tol) and one["y"] == pytest.approx(60, abs=tol)
        assert one["w"] == pytest.approx(110, abs=2 * tol)
        assert one["h"] == pytest.approx(85, abs=2 * tol)
        assert two["label"] == "car"
        assert two["x"] == pytest.approx(220, abs=tol) and two["y"] == pytest.approx(150, abs=tol)
        assert two["w"] == pytest.approx(100 / scale, abs=0.02)
        assert two["h"] == pytest.approx(50 / scale, abs=0.02)
        for box in boxes:
            assert all(round(box[k], 2) == box[k] for k in "xywh")
            assert box["x"] >= 0 and box["x"] + box["w"] <= W and box["y"] + box["h"] <= H
        people.check()


LINES = {
    "fields": [{"name": "image", "kind": "image"}],
    "questions": [
        {"name": "roofs", "kind": "polygons", "target": "image", "labels": ["roof"]},
        {"name": "lanes", "kind": "polylines", "target": "image", "labels": ["lane"]},
        {"name": "eyes", "kind": "points", "target": "image", "labels": ["eye", "nose"]},
    ],
}


def test_polygons_polylines_and_points_by_mouse(
    people: People, db: Database, settings: Settings
) -> None:
    row = {"id": "lines", "image": picture(settings)}
    with sit_down(people, db, LINES, [row]) as desk:
        page = desk.page
        task_id = desk.task_id()
        loaded(page)
        tol = 1 / view_of(page)[2] + 0.02

        # A polygon: three clicks and a double-click close it; then a vertex is dragged.
        for x, y in [(220, 150), (330, 150), (330, 260)]:
            click(page, x, y)
        expect(status(page, "roofs")).to_contain_text("3 points")
        page.mouse.dblclick(*at(page, 220, 260))
        expect(objects_of(page, "roofs")).to_have_count(1)
        drag(page, (330, 260), (340, 270))
        # Escape cancels a polygon being drawn.
        page.keyboard.press("Escape")
        click(page, 10, 10)
        click(page, 30, 10)
        page.keyboard.press("Escape")
        expect(objects_of(page, "roofs")).to_have_count(1)
        people.shot(page, "polygon")

        # J: the next question (lanes) takes the image, at the same zoom; F fits it again.
        page.keyboard.press("+")
        zoom = page.locator("[data-zoom]").get_attribute("data-zoom")
        page.keyboard.press("j")
        expect(page.locator('[data-image-question="lanes"]')).to_be_visible()
        loaded(page)
        expect(page.locator("[data-zoom]")).to_have_attribute("data-zoom", zoom or "")
        page.keyboard.press("f")
        # The fitted view is in place before the clicks are placed on it (under load the
        # zoom lands a little later than the key).
        expect(page.locator("[data-zoom]")).not_to_have_attribute("data-zoom", zoom or "")
        # Two clicks and Enter make a polyline.
        click(page, 10, 290)
        click(page, 390, 200)
        page.keyboard.press("Enter")
        expect(objects_of(page, "lanes")).to_have_count(1)

        page.keyboard.press("j")
        expect(page.locator('[data-image-question="eyes"]')).to_be_visible()
        loaded(page)
        click(page, 100, 80)
        page.keyboard.press("2")  # the point just placed becomes a nose
        page.keyboard.press("Escape")
        page.keyboard.press("1")
        click(page, 120, 80)
        expect(objects_of(page, "eyes")).to_have_count(2)
        people.shot(page, "points-over-others")

        page.keyboard.press("Control+Enter")
        desk.wait_for_next(task_id)
        result = desk.answer(task_id)
        (roof,) = result["roofs"]["objects"]
        expected = [(220, 150), (330, 150), (340, 270), (220, 260)]
        assert len(roof["points"]) == 4
        for (x, y), (ex, ey) in zip(roof["points"], expected, strict=True):
            assert x == pytest.approx(ex, abs=tol) and y == pytest.approx(ey, abs=tol)
        (lane,) = result["lanes"]["objects"]
        assert lane["points"][0] == [pytest.approx(10, abs=tol), pytest.approx(290, abs=tol)]
        nose, eye = result["eyes"]["objects"]
        assert nose["label"] == "nose" and eye["label"] == "eye"
        assert eye["x"] == pytest.approx(120, abs=tol)
        people.check()


SKELETON = {
    "fields": [{"name": "image", "kind": "image"}],
    "questions": [
        {"name": "pose", "kind": "keypoints", "target": "image", "labels": ["person"],
         "skeleton": {"points": ["head", "left_hand", "right_hand"], "edges": [[0, 1], [0, 2]]}},
        {"name": "regions", "kind": "masks", "target": "image", "labels": ["red", "blue"]},
        {"name": "scene", "kind": "image_class", "target": "image", "options": ["street", "park"]},
    ],
}


def test_keypoints_masks_and_image_class(people: People, db: Database, settings: Settings) -> None:
    src = picture(settings)
    row = {"id": "pose", "image": {"src": src, "width": W, "height": H}}
    with sit_down(people, db, SKELETON, [row]) as desk:
        page = desk.page
        task_id = desk.task_id()
        loaded(page)
        tol = 1 / view_of(page)[2] + 0.02

        # Keypoints in skeleton order; Shift+click places one that is not visible.
        click(page, 200, 50)
        expect(status(page, "pose")).to_contain_text("left_hand")
        page.keyboard.down("Shift")
        click(page, 150, 120)
        page.keyboard.up("Shift")
        click(page, 250, 120)
        expect(objects_of(page, "pose")).to_have_count(1)
        people.shot(page, "keypoints")

        # Masks: a brush stroke over the red rectangle, then a polygon fill of the blue one.
        page.keyboard.press("j")
        expect(page.locator('[data-image-question="regions"]')).to_be_visible()
        loaded(page)
        drag(page, (60, 80), (140, 80))
        expect(objects_of(page, "regions")).to_have_count(1)
        page.keyboard.press("Escape")
        page.keyboard.press("2")
        page.keyboard.press("p")
        for x, y in [(220, 150), (330, 150), (330, 260), (220, 260)]:
            click(page, x, y)
        page.keyboard.press("Enter")
        expect(objects_of(page, "regions")).to_have_count(2)
        people.shot(page, "masks")

        page.keyboard.press("j")
        page.keyboard.press("2")
        expect(page.locator(".image-badge")).to_have_text("park")

        page.keyboard.press("Control+Enter")
        desk.wait_for_next(task_id)
        result = desk.answer(task_id)
        (person,) = result["pose"]["objects"]
        head, left, right = person["points"]
        assert head[2] == 2 and left[2] == 1 and right[2] == 2
        assert head[0] == pytest.approx(200, abs=tol) and head[1] == pytest.approx(50, abs=tol)
        stroke, filled = result["regions"]["objects"]
        assert stroke["label"] == "red" and filled["label"] == "blue"
        assert stroke["rle"]["size"] == [H, W]
        painted = np.asarray(rle_decode(stroke["rle"]), dtype=bool)
        assert painted[80, 100] and not painted[200, 300]
        assert 80 * 8 < painted.sum() < 100 * 30
        blue = np.asarray(rle_decode(filled["rle"]), dtype=bool)
        assert blue[200, 270] and not blue[80, 100]
        assert abs(int(blue.sum()) - 110 * 110) < 110 * 4 * 2  # within a pixel of the outline
        assert result["scene"] == {"choice": "park"}
        people.check()


def test_predictions_under_the_threshold_are_hidden(
    people: People, db: Database, settings: Settings
) -> None:
    prediction = {"objects": {"objects": [
        {"id": "1", "label": "car", "x": 50, "y": 40, "w": 100, "h": 80, "score": 0.9},
        {"id": "2", "label": "car", "x": 220, "y": 150, "w": 110, "h": 110, "score": 0.3},
    ]}}
    row = {"id": "pred", "image": {"src": picture(settings), "width": W, "height": H},
           "predictions": [{"model_version": "det-1", "score": 0.8, "result": prediction}]}
    with sit_down(people, db, BOXES, [row]) as desk:
        page = desk.page
        task_id = desk.task_id()
        loaded(page)
        rows = objects_of(page, "objects")
        expect(rows).to_have_count(2)
        page.locator('input[aria-label="Score threshold"]').fill("0.5")
        expect(page.locator(".shape-threshold")).to_contain_text("1 of 2 hidden")
        expect(page.locator(".shape-row-dim")).to_have_count(1)
        # Clicking where the hidden box is selects nothing; Tab skips it.
        click(page, 270, 200)
        expect(page.locator("[data-selected-object]")).to_have_count(0)
        page.locator('[data-question="objects"] [data-keys]').focus()
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        expect(selected(page)).to_have_attribute("data-selected-object", "1")
        page.keyboard.press("ArrowLeft")
        people.shot(page, "predictions")
        page.keyboard.press("Control+Enter")
        desk.wait_for_next(task_id)
        kept = desk.answer(task_id)["objects"]["objects"]
        assert [(o["id"], o["x"]) for o in kept] == [("1", 49), ("2", 220)]
        people.check()


ROTATED = {
    "fields": [{"name": "image", "kind": "image"}],
    "questions": [{"name": "objects", "kind": "boxes", "target": "image", "labels": ["crate"],
                   "rotation": True}],
}


def test_rotating_copying_and_pasting_a_box(
    people: People, db: Database, settings: Settings
) -> None:
    row = {"id": "rot", "image": {"src": picture(settings), "width": W, "height": H}}
    with sit_down(people, db, ROTATED, [row]) as desk:
        page = desk.page
        task_id = desk.task_id()
        loaded(page)
        drag(page, (150, 100), (250, 160))
        rows = objects_of(page, "objects")
        expect(rows).to_have_count(1)
        # The round handle sits 22 screen px above the top edge's middle: drag it to the right.
        left, top, scale, ox, oy = view_of(page)
        handle = (left + 200 * scale + ox, top + 100 * scale + oy - 22)
        page.mouse.move(*handle)
        page.mouse.down()
        page.mouse.move(*at(page, 260, 130), steps=3)
        page.mouse.move(*at(page, 300, 130), steps=3)
        page.mouse.up()
        page.keyboard.press("r")
        people.shot(page, "rotated")
        page.keyboard.press("Control+c")
        page.keyboard.press("Control+v")
        expect(rows).to_have_count(2)
        page.keyboard.press("Control+Enter")
        desk.wait_for_next(task_id)
        first, pasted = desk.answer(task_id)["objects"]["objects"]
        assert first["rotation"] == pytest.approx(91, abs=0.6)
        assert (first["x"], first["y"], first["w"], first["h"]) == pytest.approx(
            (150, 100, 100, 60), abs=1 / scale + 0.02)
        assert pasted["id"] != first["id"]
        assert {k: v for k, v in pasted.items() if k != "id"} == {
            k: v for k, v in first.items() if k != "id"}
        people.check()
