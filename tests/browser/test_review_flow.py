"""Review in the browser, as people do it: the manager sets the review policy in Settings; a
reviewer works the queue by keyboard and by mouse (accept, fix in place, reject with comments);
the author finds the rejection in My work, reworks it, sees what a reviewer fixed; the rework
comes back to review in a second round."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from accord.db import Database
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user, texts

pytestmark = [pytest.mark.browser, pytest.mark.postgres]  # the PostgreSQL pass runs it too

LEAD = ("lead@example.org", "lead password 1")
ANNOTATOR = ("ann@example.org", "annotator password 1")
REVIEWER = ("rev@example.org", "reviewer password 1")
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


def review_id(page: Page) -> int:
    page.wait_for_selector("[data-review-id]")
    return int(page.locator("[data-review-id]").get_attribute("data-review-id") or 0)


def next_review_after(page: Page, before: int) -> None:
    page.wait_for_function(
        "before => { const r = document.querySelector('[data-review-id]');"
        " return !r || r.dataset.reviewId !== String(before); }",
        arg=before,
    )


def test_review_by_keyboard_and_mouse_then_rework(people: People, db: Database) -> None:
    lead, _ = make_user(db, LEAD[0], password=LEAD[1])
    annotator, token = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    reviewer, _ = make_user(db, REVIEWER[0], password=REVIEWER[1])
    project = make_project(
        db, lead, INTERFACE, members={annotator: "annotator", reviewer: "reviewer"}
    )
    add_tasks(db, lead, project, texts(4))
    author = httpx.Client(
        base_url=people.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )

    # The manager asks for everything to be reviewed, with the mouse, in Settings.
    manager = people.page("manager")
    people.sign_in(manager, *LEAD, then=f"/projects/{project.id}/settings")
    manager.get_by_label("Then review (%)").fill("100")
    manager.get_by_label("Checklist").fill(
        "critical: No factual error [facts]\nminor: Follows the style guide §3"
    )
    manager.get_by_role("button", name="Save changes").click()
    expect(manager.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    people.shot(manager, "settings-review-policy", at="#review-title")

    submitted = []
    for choice in ("positive", "positive", "negative"):
        task = author.post(f"/projects/{project.id}/next").json()["task"]
        done = author.post(
            f"/tasks/{task['id']}/annotations", json={"result": {"sentiment": {"choice": choice}}}
        )
        assert done.status_code == 201 and done.json()["annotation"]["review_state"] == "pending"
        submitted.append(done.json()["annotation"])

    # The reviewer finds the queue from the projects page (no Annotate button for reviewers).
    page = people.page("reviewer")
    people.sign_in(page, *REVIEWER)
    row = page.locator(".project-row").first
    expect(row.get_by_role("link", name="Annotate")).to_have_count(0)
    row.get_by_role("link", name="Review").click()
    first = review_id(page)
    expect(page.locator(".review-head")).to_contain_text(f"Annotation #{submitted[0]['id']}")
    expect(page.get_by_role("radio", name="positive")).to_have_attribute("aria-checked", "true")
    expect(page.get_by_role("button", name="Accept")).to_be_visible()
    people.shot(page, "review-first")

    # 1. Accept by keyboard.
    page.keyboard.press("Control+Enter")
    next_review_after(page, first)
    expect(page.get_by_role("status").filter(has_text="accepted")).to_be_visible()
    second = review_id(page)

    # 2. Fix with the mouse: the change turns Accept into Fix and accept; a checklist item
    # ticked with the mouse goes with it.
    page.get_by_role("radio", name="negative").click()
    page.locator("[data-checklist-item=follows-the-style-guide-3]").check()
    fix = page.get_by_role("button", name="Fix and accept")
    expect(fix).to_be_visible()
    people.shot(page, "review-fixing")
    fix.click()
    next_review_after(page, second)
    third = review_id(page)

    # 3. Reject by keyboard, with a reason, a comment on the question and a checklist item.
    page.keyboard.press("Alt+1")
    expect(page.locator("[data-checklist-item=facts]")).to_be_checked()
    page.keyboard.press("r")
    dialog = page.get_by_role("dialog", name="Send back to the author")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Send back").click()  # no reason yet: refused, stays
    expect(dialog).to_be_visible()
    dialog.get_by_label("Why (required)").fill("The second sentence is sarcastic (guidelines §2).")
    dialog.locator("[data-comment-question=sentiment]").fill("sarcasm reads as negative")
    people.shot(page, "review-reject-dialog")
    page.keyboard.press("Control+Enter")
    next_review_after(page, third)
    expect(page.get_by_text("Nothing is waiting for your review")).to_be_visible()
    people.shot(page, "review-queue-empty")

    states = [author.get(f"/annotations/{a['id']}").json()["review_state"] for a in submitted]
    assert states == ["accepted", "fixed", "rejected"]

    # The author: the rejection waits in My work, with the reasons; they rework it.
    mine = people.page("annotator")
    people.sign_in(mine, *ANNOTATOR, then=f"/projects/{project.id}/mine")
    rework = mine.locator(".rework")
    expect(rework).to_contain_text("Sent back to you (1)")
    expect(rework).to_contain_text("sarcastic")
    expect(rework).to_contain_text("sarcasm reads as negative")
    expect(rework.locator(".review-failed")).to_contain_text("No factual error")
    people.shot(mine, "my-work-rework")
    rework.get_by_role("link", name="Rework").click()
    expect(mine.locator(".review-round")).to_contain_text("sent back by")
    mine.get_by_role("radio", name="negative").click()
    mine.keyboard.press("Control+Enter")
    expect(mine.get_by_text(f"Annotation #{submitted[2]['id']} saved.")).to_be_visible()
    expect(mine.locator(".rework")).to_have_count(0)

    # What the reviewer fixed is shown to the author, before → after.
    mine.goto(f"{people.url}/projects/{project.id}/mine/{submitted[1]['id']}")
    diff = mine.locator(".review-diff")
    expect(diff).to_contain_text("sentiment: positive")
    expect(diff).to_contain_text("sentiment: negative")
    # A fixed annotation is locked: shown as the review left it, with nothing to save.
    expect(mine.locator(".annotate-messages")).to_contain_text("as the review left it")
    expect(mine.locator(".annotate-messages")).not_to_contain_text("kept as a draft")
    expect(mine.get_by_role("button", name="Save changes")).to_be_disabled()
    mine.keyboard.press("Control+Enter")
    expect(mine).to_have_url(re.compile(rf"/mine/{submitted[1]['id']}$"))
    people.shot(mine, "author-sees-fix")

    # The rework is back in the queue: round 2, with round 1's reasons shown; accept by mouse.
    page.get_by_role("button", name="Check again").click()
    expect(page.locator(".review-head")).to_contain_text("round 2")
    expect(page.locator(".review-rounds")).to_contain_text("sarcastic")
    expect(page.get_by_role("radio", name="negative")).to_have_attribute("aria-checked", "true")
    people.shot(page, "review-round-two")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Nothing is waiting for your review")).to_be_visible()
    final: dict[str, Any] = author.get(f"/annotations/{submitted[2]['id']}").json()
    assert final["review_state"] == "accepted" and final["version"] == 2

    # The manager's report: what went to review and why, decisions, checklist failures.
    manager.goto(f"{people.url}/projects/{project.id}/reviews")
    summary = manager.locator(".review-summary tbody tr")
    expect(summary).to_have_count(1)
    expect(summary.first).to_contain_text("3 (100%)")
    expect(summary.first).to_contain_text("1 resubmitted")
    expect(manager.locator(".checklist-failures tbody tr")).to_have_count(2)
    expect(manager.locator(".checklist-failures")).to_contain_text("No factual error")
    people.shot(manager, "review-report")
    manager.get_by_label("Count failures per").select_option("week")
    expect(manager.locator(".checklist-failures thead")).to_contain_text("Week of")
    author.close()
    people.check()
