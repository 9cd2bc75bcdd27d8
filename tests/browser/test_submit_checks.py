"""Declared submit checks on the annotate screen (docs/checks.md): each check's state shows
live as the annotator types (keyboard), the server-only language check comes back from the
checks endpoint, a block-level failure stops the submit (mouse click and Ctrl+Enter), and a
warn-level one does not: the answer is accepted and the warning is shown; a warn-level pattern
rule shows as it is typed too."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.db import Database
from tests.browser.annotating import sit_down
from tests.browser.conftest import People

pytestmark = pytest.mark.browser

INTERFACE = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {
            "name": "chosen",
            "kind": "text",
            "label": "Better answer",
            "required": True,
            "checks": [
                {"kind": "words", "min": 6},
                {"kind": "phrases", "forbidden": ["as an AI"]},
                {"kind": "language", "expected": ["en"], "level": "warn", "min_words": 3},
            ],
        },
        {
            "name": "rejected",
            "kind": "text",
            "label": "Worse answer",
            "rules": [
                {"pattern": "(?i)worse", "must_match": False, "level": "warn",
                 "message": "say why it is worse rather than calling it worse"}
            ],
        },
    ],
    "checks": [
        {"kind": "differ", "questions": ["chosen", "rejected"], "message": "Write two answers."}
    ],
}
GERMAN = "Das ist eine deutsche Antwort mit genug Wörtern für die Prüfung."


def test_checks_show_live_warnings_submit_and_blocks_do_not(people: People, db: Database) -> None:
    rows = [{"id": "a", "text": "Compare."}, {"id": "b", "text": "Compare again."}]
    with sit_down(people, db, INTERFACE, rows) as desk:
        page = desk.page
        first = desk.task_id()
        chosen = page.locator("[data-question=chosen]")
        words = chosen.locator(".check-row[data-check=words]")
        phrases = chosen.locator(".check-row[data-check=phrases]")
        language = chosen.locator(".check-row[data-check=language]")
        expect(chosen.locator("textarea")).to_be_focused()

        page.keyboard.type("As an AI I think")
        expect(words).to_have_attribute("data-state", "block")
        expect(words).to_contain_text("5 words; write at least 6")
        expect(phrases).to_have_attribute("data-state", "block")
        expect(phrases).to_contain_text('contains the forbidden phrase "as an AI"')
        expect(language).to_have_attribute("data-state", "pass")  # the server's verdict
        people.shot(page, "blocking-checks", at="[data-question=chosen]")

        # A block-level failure: the click on Submit does not send it.
        page.get_by_role("button", name="Submit").click()
        expect(page.locator(".annotate-messages")).to_contain_text("Not submitted")
        expect(chosen.locator(".question-problems")).to_contain_text("words check")
        assert desk.task(first)["annotations"] == []

        chosen.locator("textarea").fill("")
        chosen.locator("textarea").focus()
        page.keyboard.type(GERMAN)
        expect(words).to_have_attribute("data-state", "pass")
        expect(phrases).to_have_attribute("data-state", "pass")
        expect(language).to_have_attribute("data-state", "warn")
        expect(language).to_contain_text("looks written in de")
        page.keyboard.press("Escape")
        page.keyboard.press("Tab")  # to the next question
        page.locator("[data-question=rejected] textarea").focus()
        page.keyboard.type("A shorter, worse answer.")
        notes = page.locator(".consistency-notes .check-row[data-check=differ]")
        expect(notes).to_have_attribute("data-state", "pass")
        # A warn-level pattern rule shows as it is typed, and does not stop the submit.
        warned = page.locator("[data-rule-warnings=rejected] .check-row")
        expect(warned).to_have_attribute("data-state", "warn")
        expect(warned).to_contain_text("say why it is worse rather than calling it worse")
        people.shot(page, "warning-live", at="[data-question=chosen]")

        # Warn-level only: the click submits, and the warning is shown.
        page.get_by_role("button", name="Submit").click()
        second = desk.wait_for_next(first)
        assert second != 0
        expect(page.locator(".annotate-messages")).to_contain_text("Submitted, with 2 warnings")
        expect(page.locator(".annotate-messages")).to_contain_text("calling it worse")
        assert desk.answer(first)["chosen"] == {"text": GERMAN}
        people.shot(page, "submitted-with-warning")

        # A consistency check across questions blocks too (the keyboard submit).
        same = "This is the same answer in both boxes, sadly."
        expect(chosen.locator("textarea")).to_be_focused()
        page.keyboard.type(same)
        page.locator("[data-question=rejected] textarea").focus()
        page.keyboard.type(same)
        expect(notes).to_have_attribute("data-state", "block")
        expect(notes).to_contain_text("Write two answers.")
        people.shot(page, "consistency-block", at=".consistency-notes")
        page.keyboard.press("Control+Enter")
        expect(page.locator("[data-question=rejected] .question-problems")).to_contain_text(
            "differ check: Write two answers."
        )
        assert desk.task(second)["annotations"] == []
        page.keyboard.type(" Not quite.")
        expect(notes).to_have_attribute("data-state", "pass")
        page.keyboard.press("Control+Enter")
        expect(page.locator(".done")).to_be_visible()
        assert desk.answer(second)["rejected"] == {"text": same + " Not quite."}
        people.check()
