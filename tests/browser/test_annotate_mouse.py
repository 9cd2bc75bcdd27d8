"""Spans made with the mouse on a long text, scrolled the way a person scrolls: a drag across
words and a double-click on a word become the selection (it does not vanish on mouse-up),
then a label key or a label button marks it; clicking in the scrolled text never jumps back
to its top.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from accord.db import Database
from tests.browser.annotating import scroll_top, sit_down
from tests.browser.conftest import People

pytestmark = pytest.mark.browser

INTERFACE = {
    "fields": [{"name": "text", "kind": "text", "label": "Report"}],
    "questions": [
        {"name": "entities", "kind": "spans", "target": "text", "labels": ["PER", "ORG"]},
    ],
}
TARGET_LINE = 150
LINES = [
    f"Line {i:03d}: the quick brown fox jumps over the lazy dog near the river bank."
    for i in range(240)
]
LINES[TARGET_LINE] = f"Line {TARGET_LINE}: Zanzibar Holdings hired Marie Curie as an adviser."
LINES[TARGET_LINE + 6] = f"Line {TARGET_LINE + 6}: a quiet line with a riverside inn."
TEXT = "\n".join(LINES)

# Where a piece of the text is on screen: the client rectangle of its first occurrence.
FIND = """needle => {
  const root = document.querySelector('.span-text');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const at = node.data.indexOf(needle);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + needle.length);
    const rects = range.getClientRects();
    const first = rects[0], last = rects[rects.length - 1];
    const box = root.getBoundingClientRect();
    return {left: first.left, right: last.right, y: (first.top + first.bottom) / 2,
            visible: first.top >= box.top && last.bottom <= box.bottom, boxMiddle:
            (box.top + box.bottom) / 2};
  }
  return null;
}"""


def where(page: Page, needle: str) -> dict[str, float]:
    found = page.evaluate(FIND, needle)
    assert found is not None, needle
    return dict(found)


def wheel_to(page: Page, needle: str) -> None:
    """Scroll the text with the mouse wheel until `needle` is in the middle of the box."""
    box = page.locator(".span-text").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    spot = where(page, needle)
    page.mouse.wheel(0, spot["y"] - spot["boxMiddle"])
    page.wait_for_function(f"() => ({FIND})({needle!r}).visible")


def test_mouse_drag_and_double_click_make_spans_on_a_long_scrolled_text(
    people: People, db: Database
) -> None:
    with sit_down(people, db, INTERFACE, [{"id": "long", "text": TEXT}]) as desk:
        page = desk.page
        task_id = desk.task_id()
        expect(page.locator(".span-text")).to_contain_text("Zanzibar Holdings")

        wheel_to(page, "Zanzibar Holdings")
        scrolled = scroll_top(page, ".span-text")
        assert scrolled > 2000, "the target is far down the text"

        # Drag across two words with the mouse, as a person does.
        spot = where(page, "Zanzibar Holdings")
        page.mouse.move(spot["left"] + 1, spot["y"])
        page.mouse.down()
        page.mouse.move((spot["left"] + spot["right"]) / 2, spot["y"], steps=4)
        page.mouse.move(spot["right"] - 1, spot["y"], steps=4)
        page.mouse.up()
        selected = page.locator(".span-selected")
        expect(selected).to_have_text("Zanzibar Holdings")
        assert abs(scroll_top(page, ".span-text") - scrolled) < 30, "no jump to the top"
        people.shot(page, "drag-selected")
        page.keyboard.press("2")
        chip = page.locator(".span-chip")
        expect(chip).to_have_count(1)
        expect(chip).to_contain_text("ORG")
        expect(chip).to_contain_text("Zanzibar Holdings")
        expect(page.locator("mark.span-piece", has_text="Zanzibar Holdings")).to_be_visible()

        # A double-click picks a whole word; the label button marks it.
        spot = where(page, "Curie")
        page.mouse.dblclick((spot["left"] + spot["right"]) / 2, spot["y"])
        expect(selected).to_have_text("Curie")
        page.locator(".span-label-button", has_text="PER").click()
        expect(chip).to_have_count(2)
        expect(page.locator(".span-chip", has_text="Curie")).to_contain_text("PER")

        # A click elsewhere in the scrolled text puts the cursor there; nothing moves.
        before = scroll_top(page, ".span-text")
        spot = where(page, "riverside")
        page.mouse.click(spot["left"] + 3, spot["y"])
        expect(page.locator(".span-text .span-cursor")).to_have_count(1)
        assert abs(scroll_top(page, ".span-text") - before) < 30, "no jump to the top"
        # ...and Shift+→ selects from there, by word.
        page.keyboard.press("Shift+ArrowRight")
        expect(selected).to_have_text("riverside")

        # Clicking a span picks it.
        page.keyboard.press("Escape")
        spot = where(page, "Holdings")
        page.mouse.click((spot["left"] + spot["right"]) / 2, spot["y"])
        expect(page.locator(".span-picked")).to_contain_text("Zanzibar Holdings")
        assert scroll_top(page, ".span-text") > 2000
        people.shot(page, "marked-and-picked")

        page.keyboard.press("Control+Enter")
        desk.wait_for_next(task_id)
        spans = desk.answer(task_id)["entities"]["spans"]
        zanzibar = TEXT.index("Zanzibar Holdings")
        curie = TEXT.index("Curie")
        assert spans == [
            {"start": zanzibar, "end": zanzibar + 17, "label": "ORG", "text": "Zanzibar Holdings"},
            {"start": curie, "end": curie + 5, "label": "PER", "text": "Curie"},
        ]
        people.check()
