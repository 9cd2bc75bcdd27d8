"""Judging a chat with two `turns` questions and a rubric, by keys, the way the cheat sheet
says: each turns question has its own controls beside each turn, labelled with its title,
and its keys change what is shown; a number judges the highlighted row and the highlight
stays (so the sheet's own `1 ↓ 4 ↓` lands on the first and second rows); an unfinished
rubric or turns answer says what is left, in words, before anything is sent.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from accord.db import Database
from tests.browser.annotating import sit_down
from tests.browser.conftest import People

pytestmark = pytest.mark.browser

INTERFACE = {
    "fields": [{"name": "chat", "kind": "chat", "label": "Conversation"}],
    "questions": [
        {"name": "quality", "kind": "turns", "label": "Quality", "target": "chat",
         "rating": {"min": 1, "max": 5}},
        {"name": "safety", "kind": "turns", "label": "Safety", "target": "chat",
         "labels": ["safe", "unsafe"], "all_turns": True},
        {"name": "judge", "kind": "rubric", "label": "Overall", "required": True, "criteria": [
            {"name": "accurate", "label": "Accurate", "type": "pass_fail"},
            {"name": "clear", "label": "Clear", "min": 1, "max": 5},
            {"name": "deep", "label": "Depth", "min": 1, "max": 5},
        ]},
    ],
}
FOCUSED = re.compile(r"\bturn-controls-focus\b")
CHAT = [
    {"role": "user", "content": "How do I boil an egg?"},
    {"role": "assistant", "content": "Put it in boiling water for\n**seven minutes**."},
    {"role": "user", "content": "And a soft one?"},
    {"role": "assistant", "content": "Six minutes, then cold water."},
]


def sheet_sequence(page: Page) -> list[str]:
    """The rubric/turns key sequence the cheat sheet shows, as Playwright key names."""
    page.keyboard.press("?")
    sheet = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(sheet).to_be_visible()
    row = sheet.locator("tr", has_text="Rubric and turns")
    keys = row.locator("[data-keys-sequence] kbd").all_inner_texts()
    people_keys = {"↓": "ArrowDown", "↑": "ArrowUp"}
    page.keyboard.press("Escape")
    expect(sheet).to_be_hidden()
    return [people_keys.get(k, k) for k in keys]


def controls(page: Page, question: str, turn: int) -> Locator:
    return page.locator(f"[data-turns={question}][data-turn='{turn}']")


def test_two_turns_questions_and_a_rubric_by_the_cheat_sheet(
    people: People, db: Database
) -> None:
    with sit_down(people, db, INTERFACE, [{"id": "c1", "chat": CHAT}]) as desk:
        page = desk.page
        task_id = desk.task_id()
        sequence = sheet_sequence(page)
        assert sequence == ["1", "ArrowDown", "4", "ArrowDown"]

        # Both questions' controls are beside each assistant turn, each with its title.
        for turn in (1, 3):
            expect(controls(page, "quality", turn)).to_be_visible()
            expect(controls(page, "safety", turn)).to_be_visible()
            expect(controls(page, "safety", turn).locator(".turn-controls-title")
                   ).to_contain_text("Safety")
        expect(controls(page, "quality", 0)).to_have_count(0)  # a user turn

        # The second turns question's keys change its own, visible controls.
        page.keyboard.press("Tab")
        expect(page.locator("[data-question=safety].question-active")).to_be_visible()
        expect(controls(page, "safety", 1)).to_have_class(FOCUSED)
        page.keyboard.press("2")
        expect(controls(page, "safety", 1).get_by_role("button", name="unsafe")
               ).to_have_attribute("aria-pressed", "true")
        expect(page.locator("[data-turns=quality] [aria-pressed=true]")).to_have_count(0)
        # The highlight stayed on turn #1.
        expect(controls(page, "safety", 1)).to_have_class(FOCUSED)

        # Unfinished answers say so, and submitting says all that is left, in words.
        unfinished = page.locator("[data-question=safety] .question-unfinished")
        expect(unfinished).to_contain_text("1 of 2 turns judged")
        expect(page.locator("[data-question=safety] .question-done")).to_have_count(0)
        sent: list[str] = []
        page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
        page.keyboard.press("Control+Enter")
        safety_problem = page.locator("[data-question=safety] .question-problems")
        expect(safety_problem).to_have_text(
            "Not judged yet: turn #3. This question asks you to judge every assistant turn.")
        expect(page.locator("[data-question=judge] .question-problems")).to_contain_text(
            "required")
        expect(page.get_by_role("alert").filter(has_text="Not submitted")).to_be_visible()
        people.shot(page, "unfinished-refused")

        # The rubric, by the sheet's sequence: the first row 1 (pass), the second 4.
        page.keyboard.press("j")
        expect(page.locator("[data-question=judge].question-active")).to_be_visible()
        for key in sequence:
            page.keyboard.press(key)
        row = page.locator("[data-question=judge] [data-criterion]")
        expect(row.nth(0).get_by_role("radio", name="Pass")).to_have_attribute(
            "aria-checked", "true")
        expect(row.nth(1).get_by_role("radio", name="4")).to_have_attribute(
            "aria-checked", "true")
        expect(row.nth(2).locator("[aria-checked=true]")).to_have_count(0)
        expect(row.nth(2)).to_have_class(re.compile(r"\brubric-row-focus\b.*\brubric-row-open\b"))
        expect(page.locator("[data-question=judge] .question-unfinished")).to_contain_text(
            "2 of 3 judged")
        page.keyboard.press("Control+Enter")
        expect(page.locator("[data-question=judge] .question-problems")).to_have_text(
            "Not judged yet: Depth. Every criterion needs a verdict.")
        people.shot(page, "rubric-unfinished")
        # The refusal took the keys to the first question with a problem.
        expect(page.locator("[data-question=safety].question-active")).to_be_visible()
        page.keyboard.press("j")
        page.keyboard.press("2")
        expect(page.locator("[data-question=judge] .question-done")).to_be_visible()

        # The first turns question, by the same sequence: turn #1 gets 1, turn #3 gets 4.
        page.keyboard.press("k")
        page.keyboard.press("k")
        expect(page.locator("[data-question=quality].question-active")).to_be_visible()
        for key in sequence:
            page.keyboard.press(key)
        expect(controls(page, "quality", 1).get_by_role("button", name="1")
               ).to_have_attribute("aria-pressed", "true")
        expect(controls(page, "quality", 3).get_by_role("button", name="4")
               ).to_have_attribute("aria-pressed", "true")
        page.keyboard.press("j")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("1")
        expect(page.locator("[data-question=safety] .question-done")).to_be_visible()
        # All fixed: the refusal's message has gone with the last problem.
        expect(page.get_by_role("alert")).to_have_count(0)
        people.shot(page, "all-judged")
        assert not any("/annotations" in url for url in sent), "nothing was sent unfinished"

        # Markdown in a turn keeps its line break.
        expect(page.locator(".chat-turn").nth(1).locator(".chat-content br")).to_have_count(1)

        page.keyboard.press("Control+Enter")
        desk.wait_for_next(task_id)
        assert desk.answer(task_id) == {
            "quality": {"turns": [{"index": 1, "rating": 1}, {"index": 3, "rating": 4}]},
            "safety": {"turns": [{"index": 1, "labels": ["unsafe"]},
                                 {"index": 3, "labels": ["safe"]}]},
            "judge": {"criteria": {"accurate": True, "clear": 4, "deep": 2}},
        }
        people.check()
