"""A polygon whose outline crosses itself, drawn with the mouse in Chromium: with
``self_intersection: warn`` the widget warns (message, ⚠ in the object list, dashed red outline
on the canvas) and the answer is submitted as drawn; with ``refuse`` the same outline is
refused before submit, with the server's path and words, until it is redrawn."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accord.db import Database
from accord.settings import Settings
from tests.browser.annotating import sit_down
from tests.browser.conftest import People
from tests.browser.test_annotate_image import H, W, at, click, loaded, objects_of, picture

pytestmark = pytest.mark.browser

BOWTIE = [(100, 80), (220, 200), (220, 80), (100, 200)]
SQUARE = [(240, 60), (340, 60), (340, 160), (240, 160)]


def interface(self_intersection: str) -> dict[str, Any]:
    return {
        "fields": [{"name": "image", "kind": "image"}],
        "questions": [
            {
                "name": "roofs",
                "kind": "polygons",
                "target": "image",
                "labels": ["roof"],
                "self_intersection": self_intersection,
            }
        ],
    }


def draw(page: Page, points: list[tuple[int, int]]) -> None:
    """Click every point but the last, double-click the last: the outline closes."""
    for x, y in points[:-1]:
        click(page, x, y)
    page.mouse.dblclick(*at(page, *points[-1]))


def notice(page: Page) -> Any:
    return page.locator('[data-question="roofs"] .shape-crossing-notice')


def drawn(points: list[list[float]], tol: float) -> list[tuple[int, int]]:
    """The stored points as the whole image pixels they were clicked at."""
    rounded = [(round(x), round(y)) for x, y in points]
    assert all(
        abs(x - a) <= tol and abs(y - b) <= tol
        for (x, y), (a, b) in zip(points, rounded, strict=True)
    )
    return rounded


def test_warn_marks_the_outline_and_submits_it(
    people: People, db: Database, settings: Settings
) -> None:
    row = {"id": "roof", "image": {"src": picture(settings), "width": W, "height": H}}
    with sit_down(people, db, interface("warn"), [row]) as desk:
        page = desk.page
        task_id = desk.task_id()
        loaded(page)
        draw(page, SQUARE)
        expect(objects_of(page, "roofs")).to_have_count(1)
        expect(notice(page)).to_have_count(0)  # a plain outline: nothing to say
        page.keyboard.press("Escape")

        draw(page, BOWTIE)
        rows = objects_of(page, "roofs")
        expect(rows).to_have_count(2)
        expect(notice(page)).to_contain_text("crosses itself: accepted, but check it")
        expect(notice(page)).to_have_attribute("data-crossing", "2")
        marker = rows.nth(1).locator("[data-crossing]")
        expect(marker).to_have_attribute("title", "this outline crosses itself")
        expect(rows.nth(0).locator("[data-crossing]")).to_have_count(0)
        page.keyboard.press("Escape")  # unselected: drawn on the base layer, dashed red
        page.mouse.move(*at(page, 5, 295))
        shot = people.shot(page, "bowtie-warned")
        assert shot.exists()

        scale = (page.locator("[data-image-overlay]").get_attribute("data-view") or "1").split(",")
        tol = 1 / float(scale[0]) + 0.02  # a mouse lands on a whole screen pixel
        page.keyboard.press("Control+Enter")
        desk.wait_for_next(task_id)
        objects = desk.answer(task_id)["roofs"]["objects"]
        assert [drawn(o["points"], tol) for o in objects] == [SQUARE, BOWTIE]
        people.check()


def test_refuse_shows_the_error_before_submit(
    people: People, db: Database, settings: Settings
) -> None:
    row = {"id": "roof", "image": {"src": picture(settings), "width": W, "height": H}}
    with sit_down(people, db, interface("refuse"), [row]) as desk:
        page = desk.page
        task_id = desk.task_id()
        loaded(page)
        draw(page, BOWTIE)
        expect(objects_of(page, "roofs")).to_have_count(1)
        message = (
            "the outline crosses or touches itself (or all its points lie on one line); "
            "redraw it, or split it into several polygons"
        )
        expect(notice(page)).to_contain_text(f"✗ #1: {message}")

        page.keyboard.press("Control+Enter")
        problems = page.locator('[data-question="roofs"] .question-problems')
        expect(problems).to_contain_text("objects[0].points")
        expect(problems).to_contain_text(message)
        expect(page.locator(".notice, [role=alert]").first).to_be_visible()
        people.shot(page, "bowtie-refused")
        assert desk.task(task_id)["annotations"] == []  # nothing was sent

        # Delete it, draw a plain outline: the error goes, the answer is taken.
        objects_of(page, "roofs").first.click()
        page.keyboard.press("Delete")
        expect(objects_of(page, "roofs")).to_have_count(0)
        draw(page, SQUARE)
        expect(notice(page)).to_have_count(0)
        page.keyboard.press("Control+Enter")
        desk.wait_for_next(task_id)
        assert len(desk.answer(task_id)["roofs"]["objects"]) == 1
        people.check()
