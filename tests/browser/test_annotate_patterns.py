"""No project pattern can hang an annotator's tab: a `text` question's rules run in a worker
with a time budget. `(a+)+$` on "aaaa…ab" backtracks for ever in JavaScript's engine; typing
such a text keeps the page responsive (the character count follows every key), the rule is
reported as checked when you submit, and the server (linear-time) accepts the answer.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.db import Database
from tests.browser.annotating import sit_down
from tests.browser.conftest import People

pytestmark = pytest.mark.browser

RUNAWAY = "(a+)+$"
INTERFACE = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {"name": "why", "kind": "text", "label": "Why", "required": True, "rules": [
            {"pattern": RUNAWAY, "must_match": False, "message": "Do not end with a run of a's"},
            {"pattern": r"\d", "message": "Cite a number"},
        ]},
    ],
}


def test_a_runaway_pattern_never_hangs_the_page(people: People, db: Database) -> None:
    with sit_down(people, db, INTERFACE, [{"id": "r", "text": "Rate this."}]) as desk:
        page = desk.page
        task_id = desk.task_id()
        box = page.locator("[data-question=why] textarea")
        expect(box).to_be_focused()
        count = page.locator("[data-question=why] .text-count")
        verdict = page.locator("[data-question=why] .text-status")

        page.keyboard.type("a" * 12)
        expect(count).to_have_text("12 characters")
        expect(verdict).to_contain_text("✗ Do not end with a run of a's")  # checked live

        page.keyboard.type("a" * 28 + "b")  # from here on the pattern backtracks for ever
        expect(count).to_have_text("41 characters")
        page.keyboard.type(" and still typing")
        expect(count).to_have_text("58 characters")
        server_rules = page.locator("[data-question=why] .text-server-rules")
        expect(server_rules).to_have_text(
            "One rule is checked when you submit (too slow to check as you type).")
        # The other rule is still checked as you type, in the worker.
        expect(verdict).to_contain_text("✗ Cite a number")
        page.keyboard.type(", 3 times")
        expect(verdict).to_contain_text("✓ fits the rules")
        expect(count).to_have_text("67 characters")
        people.shot(page, "runaway-pattern")

        written = "a" * 40 + "b and still typing, 3 times"
        page.keyboard.press("Control+Enter")
        expect(page.locator(".done")).to_be_visible()
        assert desk.answer(task_id) == {"why": {"text": written}}
        people.check()
