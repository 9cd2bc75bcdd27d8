"""The annotate loop as a person drives it: typing goes after a restored text, a new task
starts at the top of both columns, a double Ctrl+Enter submits one task (not the next,
untouched one), a model's prediction is a marked suggestion, an autosave on its way when
the task is submitted never outlives the submission, and the reopen screen shows its real
save state.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Route, expect
from sqlalchemy import select

from accord.db import Database
from accord.models import Task
from tests.browser.annotating import Desk, scroll_top, sit_down
from tests.browser.conftest import People

pytestmark = [pytest.mark.browser, pytest.mark.postgres]  # the PostgreSQL pass runs it too

LONG = "\n".join(f"Paragraph {i}: a sentence long enough to need some room on screen." for i in
                 range(150))
LOOP = {
    "fields": [{"name": "text", "kind": "text", "label": "Report"}],
    "questions": [
        {"name": "label", "kind": "choice", "options": ["pos", "neg"], "required": True},
        {"name": "note", "kind": "text", "label": "Why"},
        *({"name": f"extra{i}", "kind": "choice", "options": ["yes", "no"],
           "description": "An optional question to make the column long."} for i in range(8)),
    ],
}


def task_ids(db: Database, project_id: int) -> list[int]:
    with db.read() as session:
        return list(session.scalars(
            select(Task.id).where(Task.project_id == project_id).order_by(Task.id)))


def wheel(page: Page, selector: str, dy: float) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, dy)
    page.wait_for_function(
        "s => document.querySelector(s).scrollTop > 100", arg=selector)


def test_caret_scroll_and_double_submit(people: People, db: Database) -> None:
    rows = [{"id": f"t{i}", "text": f"Task {i}. {LONG}"} for i in range(3)]
    with sit_down(people, db, LOOP, rows) as desk:
        page = desk.page
        first = desk.task_id()

        # A text box with text already in it: typing goes after it.
        page.keyboard.press("Tab")
        page.keyboard.type("already written")
        page.reload()
        assert desk.task_id() == first
        note = page.locator("[data-question=note] textarea")
        expect(note).to_have_value("already written")
        page.keyboard.press("Tab")
        expect(note).to_be_focused()
        page.keyboard.type(", and more")
        expect(note).to_have_value("already written, and more")

        # Both columns scrolled down; the next task starts at the top of each.
        page.keyboard.press("Escape")
        page.keyboard.press("k")
        page.keyboard.press("1")
        wheel(page, ".task-data", 3000)
        wheel(page, ".task-questions", 3000)
        people.shot(page, "scrolled-down")
        page.keyboard.press("Control+Enter")
        second = desk.wait_for_next(first)
        expect(page.locator("[data-question=label].question-active")).to_be_visible()
        assert scroll_top(page, ".task-data") == 0
        assert scroll_top(page, ".task-questions") == 0
        people.shot(page, "next-task-at-top")

        # Ctrl+Enter twice: the second press lands on a task that has only just appeared,
        # untouched; it is not submitted and shows no errors.
        page.keyboard.press("2")
        page.keyboard.press("Control+Enter")
        third = desk.wait_for_next(second)
        page.keyboard.press("Control+Enter")
        assert desk.task_id() == third
        expect(page.locator(".question-problems")).to_have_count(0)
        expect(page.get_by_role("alert")).to_have_count(0)
        people.shot(page, "after-double-submit")
        assert desk.task(third)["annotations"] == []
        assert desk.answer(first) == {"label": {"choice": "pos"},
                                      "note": {"text": "already written, and more"}}
        assert desk.answer(second) == {"label": {"choice": "neg"}}
        # The task is there to be answered as usual.
        page.keyboard.press("1")
        page.keyboard.press("Control+Enter")
        expect(page.locator(".done")).to_be_visible()
        people.check()


SUGGESTED = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {"name": "sentiment", "kind": "choice", "options": ["pos", "neg", "neu"],
         "required": True},
        {"name": "entities", "kind": "spans", "target": "text", "labels": ["PER", "ORG"]},
        {"name": "note", "kind": "text"},
    ],
}


def suggestion_rows() -> list[dict[str, Any]]:
    alice = {"start": 0, "end": 11, "label": "PER", "text": "Alice Smith"}
    return [
        {"id": "p1", "text": "Bob writes to Initech.", "predictions": [
            {"model_version": "sent-large-v2", "score": 0.7, "result": {
                "sentiment": {"choice": "neu"}}},
        ]},
        {"id": "p2", "text": "Alice Smith loves the new phone.", "predictions": [
            {"model_version": "sent-small", "score": 0.41, "result": {
                "sentiment": {"choice": "neg"}}},
            {"model_version": "sent-large-v2", "score": 0.93, "result": {
                "sentiment": {"choice": "pos"}, "entities": {"spans": [alice]}}},
        ]},
    ]


MINE = {"note": {"text": "my own words"}}


def draft_first_task(api: httpx.Client, project_id: int) -> None:
    """The annotator already holds the first task, with a draft of their own."""
    lease = api.post(f"/api/v1/projects/{project_id}/next").json()
    assert lease["predictions"], "the lease carries the model's prediction"
    saved = api.put(f"/api/v1/tasks/{lease['task']['id']}/draft", json={"result": MINE})
    assert saved.status_code == 200, saved.text


def test_a_prediction_is_a_marked_suggestion_and_a_draft_wins(
    people: People, db: Database
) -> None:
    with sit_down(people, db, SUGGESTED, suggestion_rows(), before=draft_first_task) as desk:
        page = desk.page
        first, second = task_ids(db, desk.project_id)
        assert desk.task_id() == first

        # A draft: it wins, and the suggestion is offered beside it.
        banner = page.locator(".suggestion-banner")
        note = page.locator("[data-question=note] textarea")
        expect(note).to_have_value("my own words")
        expect(banner).to_contain_text("sent-large-v2")
        expect(banner).to_contain_text("your own work is shown")
        expect(page.locator("[data-question=sentiment] [aria-checked=true]")).to_have_count(0)
        people.shot(page, "draft-wins")
        expect(banner.get_by_role("button", name="Use the suggestion")).to_be_visible()
        page.keyboard.press("m")
        expect(page.locator("[data-question=sentiment] .question-suggested")).to_be_visible()
        expect(page.locator("[data-question=sentiment] [aria-checked=true]")).to_contain_text(
            "neu")
        expect(note).to_have_value("my own words")
        page.keyboard.press("Control+Enter")
        assert desk.wait_for_next(first) == second
        assert desk.answer(first) == {"sentiment": {"choice": "neu"}, **MINE}

        # No draft: the best-scored prediction is pre-filled, marked as the model's.
        expect(banner).to_contain_text("sent-large-v2")
        expect(banner).to_contain_text("score 0.93")
        expect(banner).to_contain_text("2 models predicted this task")
        for name in ("sentiment", "entities"):
            expect(page.locator(f"[data-question={name}] .question-suggested")).to_be_visible()
        expect(page.locator("[data-question=sentiment] [aria-checked=true]")).to_contain_text(
            "pos")
        expect(page.locator(".span-chip")).to_contain_text("Alice Smith")
        people.shot(page, "suggested")

        # Changing an answer makes it the annotator's; the other stays the model's.
        page.keyboard.press("3")
        expect(page.locator("[data-question=sentiment] .question-suggested")).to_have_count(0)
        expect(page.locator("[data-question=sentiment] .question-done")).to_be_visible()
        expect(page.locator("[data-question=entities] .question-suggested")).to_be_visible()
        people.shot(page, "suggestion-changed")
        page.keyboard.press("Control+Enter")
        expect(page.locator(".done")).to_be_visible()
        assert desk.answer(second) == {
            "sentiment": {"choice": "neu"},
            "entities": {"spans": [{"start": 0, "end": 11, "label": "PER",
                                    "text": "Alice Smith"}]},
        }
        people.check()


SIMPLE = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {"name": "label", "kind": "choice", "options": ["pos", "neg"], "required": True},
        {"name": "note", "kind": "text"},
    ],
}


def hold_first_draft_save(page: Page) -> list[Route]:
    """Autosaves of drafts go through, except the first, which waits for the test."""
    held: list[Route] = []

    def handle(route: Route) -> None:
        if route.request.method == "PUT" and not held:
            held.append(route)
        else:
            route.continue_()

    page.route("**/api/v1/tasks/*/draft", handle)
    return held


def test_an_autosave_on_its_way_never_outlives_the_submission(
    people: People, db: Database
) -> None:
    rows = [{"id": "a", "text": "First."}, {"id": "b", "text": "Second."}]
    with sit_down(people, db, SIMPLE, rows) as desk:
        page = desk.page
        first = desk.task_id()
        held = hold_first_draft_save(page)
        posts: list[str] = []
        page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

        page.keyboard.press("1")
        page.keyboard.press("Tab")
        with page.expect_request(lambda r: r.method == "PUT" and r.url.endswith("/draft")):
            page.keyboard.type("kept")
        expect(page.locator("[data-save-state=saving]")).to_be_visible()
        assert len(held) == 1
        page.keyboard.press("Control+Enter")
        # The submission waits for the save on its way.
        expect(page.get_by_role("button", name="Submitting…")).to_be_visible()
        assert not any("/annotations" in url for url in posts)
        people.shot(page, "submit-waits-for-autosave")
        held[0].continue_()
        assert desk.wait_for_next(first) != first
        detail = desk.task(first)
        assert detail["draft"] is None, "no draft of a submitted task"
        assert [a["result"] for a in detail["annotations"]] == [
            {"label": {"choice": "pos"}, "note": {"text": "kept"}}]
        annotation = detail["annotations"][0]["id"]
        reopen(people, desk, first, annotation)
        people.check()


def reopen(people: People, desk: Desk, task_id: int, annotation: int) -> None:
    """My work → Reopen: the fix is autosaved as a draft, and the screen says so truly."""
    page = desk.page
    page.goto(f"{people.url}/projects/{desk.project_id}/mine/{annotation}")
    expect(page.locator("[data-question=label] [aria-checked=true]")).to_contain_text("pos")
    state = page.locator(".save-state")
    expect(state).to_have_attribute("data-save-state", "saved")
    expect(state).to_have_text("No changes yet")
    page.keyboard.press("2")
    expect(state).to_have_attribute("data-save-state", "pending")
    people.shot(page, "reopen-pending")
    expect(state).to_have_attribute("data-save-state", "saved")
    expect(state).to_have_text("Draft saved")
    assert desk.task(task_id)["draft"]["result"]["label"] == {"choice": "neg"}
    people.shot(page, "reopen-saved")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(f"**/projects/{desk.project_id}/mine?saved={annotation}")
    detail = desk.task(task_id)
    assert detail["draft"] is None
    assert detail["annotations"][0]["result"]["label"] == {"choice": "neg"}
    assert detail["annotations"][0]["version"] == 2
