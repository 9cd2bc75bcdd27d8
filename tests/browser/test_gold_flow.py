"""Gold, qualification and training in the browser: the manager sets them in Settings (mouse);
the annotator passes the qualification (keyboard, then mouse), meets a gold task and its
feedback (Enter to go on), practises in training from My work; the manager watches the Gold
page, pauses and resumes the annotator (mouse), and the annotator sees why they are paused."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from accord.db import Database
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.postgres]  # the PostgreSQL pass runs it too

LEAD = ("lead@example.org", "lead password 1")
ANNOTATOR = ("ann@example.org", "annotator password 1")
INTERFACE = {
    "fields": [{"name": "text", "kind": "text", "label": "Review"}],
    "questions": [
        {
            "name": "sentiment",
            "kind": "choice",
            "label": "Sentiment",
            "options": ["positive", "negative"],
            "required": True,
        },
    ],
}
POSITIVE = {"sentiment": {"choice": "positive"}}


def known(prefix: str, purpose: str, n: int) -> list[dict[str, object]]:
    return [
        {
            "id": f"{prefix}{i}",
            "text": f"Lovely food and kind staff ({prefix} {i}).",
            "gold": POSITIVE,
            "gold_purpose": purpose,
            "gold_explanation": "Praise of food and staff is positive (guidelines §2).",
        }
        for i in range(n)
    ]


def task_id(page: Page) -> str:
    page.wait_for_selector("[data-task-id]")
    return page.locator("[data-task-id]").get_attribute("data-task-id") or ""


def test_qualification_gold_feedback_training_and_pause(people: People, db: Database) -> None:
    lead, _ = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, INTERFACE, members={annotator: "annotator"})
    regular = [{"id": f"t{i}", "text": f"An ordinary review number {i}."} for i in range(4)]
    known_rows = [*known("k", "gold", 2), *known("q", "qualification", 2)]
    add_tasks(db, lead, project, [*regular, *known_rows, *known("p", "training", 1)])

    # The manager turns gold and the qualification on, with the mouse.
    manager = people.page("manager")
    people.sign_in(manager, *LEAD, then=f"/projects/{project.id}/settings")
    manager.get_by_label("Gold tasks served (%)").fill("100")
    manager.get_by_label("After a gold task").select_option("yes")
    manager.get_by_label("Qualification: score to pass (%)").fill("50")
    manager.get_by_role("button", name="Save changes").click()
    expect(manager.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    people.shot(manager, "settings-gold", at="#gold-title")

    # The annotator must qualify first: the banner says where they stand.
    page = people.page("annotator")
    people.sign_in(page, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    banner = page.locator("[data-practice=qualification]")
    expect(banner).to_contain_text("task 1 of 2")
    expect(page.get_by_role("button", name="Skip")).to_have_count(0)
    people.shot(page, "qualification-first")
    first = task_id(page)
    page.keyboard.press("1")  # positive, by keyboard
    page.keyboard.press("Control+Enter")
    page.wait_for_function(
        "before => document.querySelector('[data-task-id]')?.dataset.taskId !== before",
        arg=first,
    )
    expect(banner).to_contain_text("task 2 of 2")
    page.get_by_role("radio", name="positive").click()  # by mouse
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("You passed the qualification")).to_be_visible()

    # Gold is next (100 % here): after submitting, the expected answer and why.
    page.get_by_role("radio", name="negative").click()
    page.keyboard.press("Control+Enter")
    panel = page.locator(".feedback-panel")
    expect(panel).to_contain_text("0%")
    expect(panel).to_contain_text("guidelines §2")
    people.shot(page, "gold-feedback")
    page.keyboard.press("Enter")  # "Next task" has the focus
    expect(panel).to_have_count(0)
    task_id(page)

    # Training from My work, by mouse: the answer after the task, then done.
    page.goto(f"{people.url}/projects/{project.id}/mine")
    page.get_by_role("link", name="Start training").click()
    expect(page.locator("[data-practice=training]")).to_contain_text("task 1 of 1")
    page.get_by_role("radio", name="positive").click()
    page.get_by_role("button", name="Submit").click()
    expect(panel).to_contain_text("100%")
    people.shot(page, "training-feedback")
    panel.get_by_role("button", name="Next task").click()
    expect(page.get_by_text("Training finished")).to_be_visible()

    # The manager's Gold page: the score with its interval; pause with the mouse.
    manager.goto(f"{people.url}/projects/{project.id}/gold")
    row = manager.locator(f"tr[data-user='{ANNOTATOR[0]}']")
    expect(row).to_contain_text("0%")
    expect(row).to_contain_text("passed")
    expect(manager.locator(".gold-known")).to_contain_text("Praise of food")
    people.shot(manager, "gold-page")
    row.get_by_role("button", name="Pause").click()
    expect(row).to_contain_text("Paused")

    page.goto(f"{people.url}/projects/{project.id}/annotate")
    expect(page.get_by_text("you are paused in this project")).to_be_visible()
    people.shot(page, "paused")

    row.get_by_role("button", name="Resume").click()
    expect(row).to_contain_text("Working")
    page.get_by_role("button", name="Try again").click()
    task_id(page)
    people.check()
