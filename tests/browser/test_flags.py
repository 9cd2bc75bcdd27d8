"""Ambiguity flags in the browser, the whole loop: an annotator flags one task by keyboard
(keeps working) and another by mouse (and skips it); the lead finds the questions grouped by
guideline section, answers by keyboard and promotes the answer into a guideline version by
mouse; the annotator sees the bell's notification, reads the answer and the FAQ, acknowledges
the new guidelines and gets their next task."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from accord.db import Database
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user, texts

pytestmark = [pytest.mark.browser, pytest.mark.postgres]  # the PostgreSQL pass runs it too

LEAD = ("lead@example.org", "lead password 1")
ANNOTATOR = ("ann@example.org", "annotator password 1")
GUIDELINES = (
    "# Sentiment rules\n\nLabel the feeling of the text.\n\n## Sarcasm\n\n"
    "Sarcasm is negative.\n\n## Emoji\n\nIgnore emoji.\n"
)
INTERFACE = {
    "fields": [{"name": "text", "kind": "text", "label": "Review"}],
    "questions": [
        {"name": "label", "kind": "choice", "label": "Sentiment", "options": ["pos", "neg"]},
    ],
}
FIRST = "Is praise with an eye-roll emoji sarcasm?"
SECOND = "What if the text is empty apart from emoji?"


def task_id(page: Page) -> int:
    page.wait_for_selector("[data-task-id]")
    return int(page.locator("[data-task-id]").get_attribute("data-task-id") or 0)


def test_flag_answer_promote_notify_acknowledge(people: People, db: Database) -> None:
    lead, _ = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(
        db, lead, INTERFACE, members={annotator: "annotator"}, guidelines=GUIDELINES
    )
    add_tasks(db, lead, project, texts(4))

    # 1. The annotator flags the task by keyboard, about the Sarcasm section, and keeps working.
    ann = people.page("annotator")
    people.sign_in(ann, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    first_task = task_id(ann)
    expect(ann.get_by_role("button", name="Flag as unclear")).to_be_visible()
    ann.keyboard.press("q")
    dialog = ann.get_by_role("dialog", name="Flag as unclear")
    expect(dialog).to_be_visible()
    dialog.get_by_label("What is unclear under the guidelines?").fill(FIRST)
    dialog.get_by_label("About which section?").select_option(label="Sarcasm")
    people.shot(ann, "flag-dialog")
    dialog.get_by_label("What is unclear under the guidelines?").press("Control+Enter")
    expect(dialog).to_be_hidden()
    expect(ann.locator("[data-flag-sent]")).to_contain_text("Question sent")
    assert task_id(ann) == first_task  # kept working on it
    # The question goes nowhere else: a submit key pressed in the dialog did not submit.
    ann.get_by_role("radio", name="pos").click()
    ann.keyboard.press("Control+Enter")
    ann.wait_for_function(
        "before => document.querySelector('[data-task-id]')?.dataset.taskId !== String(before)",
        arg=first_task,
    )

    # 2. Another task, flagged with the mouse, and skipped.
    second_task = task_id(ann)
    ann.get_by_role("button", name="Flag as unclear").click()
    dialog.get_by_label("What is unclear under the guidelines?").fill(SECOND)
    dialog.get_by_label("About which section?").select_option(label="Emoji")
    dialog.get_by_role("button", name="Flag and skip").click()
    ann.wait_for_function(
        "before => document.querySelector('[data-task-id]')?.dataset.taskId !== String(before)",
        arg=second_task,
    )
    expect(ann.locator("[data-flag-sent]")).to_contain_text("and the task skipped")

    # 3. The lead finds the questions from the dashboard's tab, grouped by section.
    manager = people.page("lead")
    people.sign_in(manager, *LEAD, then=f"/projects/{project.id}/dashboard")
    expect(manager.locator("#flag-figures")).to_be_visible()
    expect(manager.locator(".metric-tile").filter(has_text="Open questions")).to_contain_text("2")
    people.shot(manager, "dashboard-questions", at="#flag-figures")
    manager.get_by_role("link", name="Questions", exact=True).click()
    sarcasm = manager.get_by_role("region", name="Sarcasm")
    emoji = manager.get_by_role("region", name="Emoji")
    expect(sarcasm).to_contain_text(FIRST)
    expect(emoji).to_contain_text(SECOND)
    expect(sarcasm).to_contain_text("asked by")  # the lead sees who asked
    expect(sarcasm.get_by_role("link", name="Submitted with the flag")).to_be_visible()
    people.shot(manager, "flags-queue")

    # Answer by keyboard: j selects the first (Sarcasm, in the guidelines' order), a answers.
    manager.keyboard.press("j")
    manager.keyboard.press("a")
    answer = manager.get_by_label("Answer (Markdown)")
    expect(answer).to_be_focused()
    answer.fill("Yes: an eye-roll turns praise into **sarcasm**, so label it neg.")
    answer.press("Control+Enter")
    expect(manager.get_by_role("status").filter(has_text="Answered")).to_be_visible()
    manager.get_by_role("button", name="All").click()
    card = manager.locator(".flag-card").filter(has_text=FIRST)
    expect(card.locator(".badge").filter(has_text="In the FAQ")).to_be_visible()

    # Promote with the mouse: the proposal quotes the answer and the task; edit, mark material.
    card.get_by_role("button", name="Promote into the guidelines").click()
    promote = manager.get_by_role("dialog", name="Promote question")
    text = promote.get_by_label("Guidelines (Markdown)")
    expect(text).to_have_value(re.compile(r"## Sarcasm[\s\S]*\*\*Q: " + FIRST.replace("?", r"\?")))
    expect(text).to_have_value(re.compile(r"Worked example \(task t\d\)"))
    text.press("Control+End")
    text.type("\nEye-rolls count as sarcasm.")
    promote.get_by_label("Material change").check()
    people.shot(manager, "flags-promote")
    promote.get_by_role("button", name="Save as a new version").click()
    expect(
        manager.get_by_role("status").filter(has_text="Guideline version 2 saved")
    ).to_be_visible()
    expect(card).to_contain_text("Became guidelines v2")

    # 4. The annotator's bell: open it by keyboard, follow the answer with the mouse.
    ann.reload()
    bell = ann.locator(".bell-badge")
    expect(bell).to_have_text("2")  # answered, then promoted
    ann.keyboard.press("Alt+n")
    panel = ann.get_by_role("region", name="Notifications")
    expect(panel).to_contain_text("Your question was answered")
    expect(panel).to_contain_text("became guideline version 2")
    people.shot(ann, "bell-open")
    panel.get_by_text("Your question was answered").click()
    expect(ann).to_have_url(re.compile(r"/questions\?flag=\d+$"))
    mine = ann.locator(".flag-card").filter(has_text=FIRST)
    expect(mine).to_contain_text("an eye-roll turns praise into sarcasm")
    expect(mine).to_contain_text("Now in the guidelines (v2)")
    expect(ann.locator(".faq-panel")).to_contain_text(FIRST)
    expect(ann.locator(".flag-card").filter(has_text=SECOND)).to_contain_text("Waiting")
    # Search the FAQ by keyboard.
    ann.keyboard.press("/")
    expect(ann.get_by_label("Search the FAQ")).to_be_focused()
    ann.keyboard.type("nothing-like-this")
    expect(ann.locator(".faq-panel")).to_contain_text("No answer matches")
    ann.get_by_label("Search the FAQ").fill("eye-roll")
    expect(ann.locator(".faq-entry")).to_have_count(1)
    people.shot(ann, "questions-page")
    expect(ann.locator(".bell-badge")).to_have_text("1")

    # 5. Back to annotating: the new material version must be acknowledged first.
    ann.get_by_role("link", name="Back to annotating").click()
    expect(ann.get_by_role("heading", name="The guidelines changed")).to_be_visible()
    people.shot(ann, "acknowledge")
    ann.keyboard.press("Control+Enter")
    task_id(ann)
    expect(ann.get_by_role("button", name="Flag as unclear")).to_be_visible()
    # The FAQ beside the guidelines, in the annotate screen.
    if not ann.locator(".faq-panel").is_visible():
        ann.keyboard.press("g")
    expect(ann.locator(".faq-panel")).to_contain_text(FIRST)
    people.shot(ann, "annotate-with-faq")
    people.check()


def test_a_reviewer_flags_from_the_review_screen(people: People, db: Database) -> None:
    lead, _ = make_user(db, LEAD[0], password=LEAD[1])
    annotator, token = make_user(db, ANNOTATOR[0])
    reviewer, _ = make_user(db, "rev@example.org", password="reviewer password 1")
    project = make_project(
        db,
        lead,
        INTERFACE,
        members={annotator: "annotator", reviewer: "reviewer"},
        guidelines=GUIDELINES,
        review_share=1,
    )
    add_tasks(db, lead, project, texts(2))
    author = httpx.Client(
        base_url=people.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    task = author.post(f"/projects/{project.id}/next").json()["task"]
    done = author.post(
        f"/tasks/{task['id']}/annotations", json={"result": {"label": {"choice": "pos"}}}
    )
    assert done.status_code == 201, done.text

    page = people.page("reviewer")
    people.sign_in(
        page, "rev@example.org", "reviewer password 1", then=f"/projects/{project.id}/review"
    )
    page.wait_for_selector("[data-review-id]")
    expect(page.get_by_role("button", name="Flag as unclear")).to_be_visible()
    page.keyboard.press("q")
    dialog = page.get_by_role("dialog", name="Flag as unclear")
    expect(dialog.get_by_role("button", name="Flag and skip")).to_have_count(0)
    dialog.get_by_label("What is unclear under the guidelines?").fill(
        "Does an emoji-only text count?"
    )
    dialog.get_by_label("About which section?").select_option(label="Emoji")
    people.shot(page, "review-flag-dialog")
    dialog.get_by_role("button", name="Flag, keep working").click()
    expect(page.locator("[data-flag-sent]")).to_contain_text("Question sent")
    expect(page.locator("[data-review-id]")).to_be_visible()  # still reviewing the same one
    flags = author.get(f"/projects/{project.id}/flags").json()["items"]
    assert flags == []  # the annotator does not see the reviewer's question
    author.close()
    people.check()
