"""The image assist in Chromium: a rough box drawn with the mouse around a shape on a generated
image, `A`, and GrabCut's mask (a masks question) or polygon (a polygons question) appears as a
new object, is submitted and read back through the API (docs/images.md, "Assist: from a rough
box to a mask or polygon")."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Route, expect

from accord.db import Database
from accord.quality.masks import rle_decode
from accord.settings import Settings
from tests.browser.annotating import sit_down
from tests.browser.conftest import People
from tests.browser.test_annotate_image import at, drag, objects_of, status, view_of
from tests.media.test_assist import (
    H,
    W,
    ellipse_truth,
    iou,
    outline_points,
    raster,
    rough,
    textured,
)

pytestmark = pytest.mark.browser

INTERFACE = {
    "fields": [{"name": "image", "kind": "image"}],
    "questions": [
        {"name": "blobs", "kind": "masks", "target": "image", "labels": ["blob", "other"]},
        {"name": "outline", "kind": "polygons", "target": "image", "labels": ["blob"]},
    ],
}


def shape_picture(settings: Settings) -> tuple[str, np.ndarray, tuple[float, float, float, float]]:
    """A textured W×H PNG with a red ellipse, in the media folder: its file:// reference, the
    ellipse's pixels and a rough box around it (x0, y0, x1, y1)."""
    pixels = textured(seed=7)
    truth, box = ellipse_truth()
    pixels[truth] = (205, 55, 45)
    media = Path(settings.data_dir) / "media"
    media.mkdir(parents=True, exist_ok=True)
    path = media / "blob.png"
    Image.fromarray(pixels).save(path)
    r = rough(box)
    return path.resolve().as_uri(), truth, (r.x, r.y, r.x + r.w, r.y + r.h)


def test_assist_turns_a_rough_box_into_a_mask_and_a_polygon(
    people: People, db: Database, settings: Settings
) -> None:
    src, truth, (x0, y0, x1, y1) = shape_picture(settings)
    ellipse_box = ellipse_truth()[1]
    row = {"id": "blob", "image": {"src": src, "width": W, "height": H}}
    with sit_down(people, db, INTERFACE, [row]) as desk:
        page = desk.page
        task_id = desk.task_id()
        expect(page.locator(".image-status")).to_contain_text(f"{W}×{H} px")
        page.wait_for_function("() => document.querySelector('[data-image-overlay]')?.dataset.view")
        view_of(page)

        # The masks question: A, a rough box by mouse, a click on the object, A runs it. The
        # request is held back a moment to see the working state.
        held: list[Route] = []
        page.route("**/api/v1/tasks/*/assist", lambda route: held.append(route))
        page.mouse.move(*at(page, 20, 20))
        page.keyboard.press("a")
        expect(status(page, "blobs")).to_contain_text("Assist: drag a rough box")
        drag(page, (x0, y0), (x1, y1))
        expect(status(page, "blobs")).to_contain_text("box drawn")
        page.keyboard.down("Shift")
        page.mouse.click(*at(page, (x0 + x1) / 2, (y0 + y1) / 2))
        page.keyboard.up("Shift")
        expect(status(page, "blobs")).to_contain_text("1 on / 0 off")
        page.keyboard.press("a")
        button = page.locator('[data-question="blobs"] [data-assist]')
        expect(button).to_contain_text("working…")
        people.shot(page, "assist-working")
        assert len(held) == 1
        held[0].continue_()
        page.unroute("**/api/v1/tasks/*/assist")
        expect(objects_of(page, "blobs")).to_have_count(1)
        expect(button).to_have_attribute("data-assist", "off")
        people.shot(page, "assist-mask")

        # The polygons question: J, A, a box, Enter runs it.
        page.keyboard.press("j")
        expect(page.locator('[data-image-question="outline"]')).to_be_visible()
        page.wait_for_function("() => document.querySelector('[data-image-overlay]')?.dataset.view")
        page.keyboard.press("a")
        drag(page, (x0, y0), (x1, y1))
        expect(status(page, "outline")).to_contain_text("box drawn")
        page.keyboard.press("Enter")
        expect(objects_of(page, "outline")).to_have_count(1)
        people.shot(page, "assist-polygon")
        # One undo step.
        page.keyboard.press("Control+z")
        expect(objects_of(page, "outline")).to_have_count(0)
        page.keyboard.press("Control+Shift+z")
        expect(objects_of(page, "outline")).to_have_count(1)

        # Intelligent scissors: clicks (no box) along the outline, then A.
        page.keyboard.press("Escape")
        page.keyboard.press("a")
        for x, y in outline_points(ellipse_box, 8):
            page.mouse.click(*at(page, x, y))
        expect(status(page, "outline")).to_contain_text("8 points on the outline")
        people.shot(page, "assist-scissors-points")
        page.keyboard.press("a")
        expect(objects_of(page, "outline")).to_have_count(2)
        people.shot(page, "assist-scissors")

        # The server's refusal is shown, and the box stays for another try.
        refusal = {
            "error": {
                "code": "assist_refused",
                "message": "box: GrabCut found no object in the box; draw the box closer",
                "details": [{"path": "box", "message": "GrabCut found no object"}],
            }
        }
        page.route(
            "**/api/v1/tasks/*/assist", lambda route: route.fulfill(status=422, json=refusal)
        )
        page.keyboard.press("a")
        drag(page, (x0, y0), (x1, y1))
        page.keyboard.press("a")
        alert = page.locator('[data-question="outline"] [data-assist-error]')
        expect(alert).to_contain_text("GrabCut found no object")
        expect(status(page, "outline")).to_contain_text("Assist failed")
        people.shot(page, "assist-refused")
        page.unroute("**/api/v1/tasks/*/assist")
        page.keyboard.press("Escape")
        expect(objects_of(page, "outline")).to_have_count(2)

        # A box under 4 px a side is refused in the browser; Esc leaves the tool.
        page.keyboard.press("a")
        drag(page, (5, 5), (7.5, 7.5))
        expect(status(page, "outline")).to_contain_text("Assist: drag a rough box")
        page.keyboard.press("Escape")
        expect(page.locator('[data-question="outline"] [data-assist]')).to_have_attribute(
            "data-assist", "off"
        )

        page.keyboard.press("Control+Enter")
        desk.wait_for_next(task_id)
        result = desk.answer(task_id)
        masks = result["blobs"]["objects"]
        assert len(masks) == 1 and masks[0]["label"] == "blob"
        assert iou(rle_decode(masks[0]["rle"]), truth) >= 0.9
        polygons = result["outline"]["objects"]
        assert len(polygons) == 2
        for polygon in polygons:  # by GrabCut, by the scissors
            assert 3 <= len(polygon["points"]) <= 200
            assert iou(raster(polygon["points"]), truth) >= 0.9
        people.check()
