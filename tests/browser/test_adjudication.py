"""Adjudication in the browser: the manager sets the consensus settings in Settings; tasks
whose answers disagree ask for one more annotator, then wait for adjudication; a reviewer
reaches the queue from the projects page and records the final answers by keyboard (pick an
answer by its number) and by mouse (merge answers question by question); the manager exports
the gold standard."""

from __future__ import annotations

import httpx
import orjson
import pytest
from playwright.sync_api import Page, expect

from accord.db import Database
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user, texts

pytestmark = [pytest.mark.browser, pytest.mark.postgres]  # the PostgreSQL pass runs it too

LEAD = ("lead@example.org", "lead password 1")
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
        {"name": "stars", "kind": "rating", "label": "Stars", "min": 1, "max": 5},
    ],
}


def answer(choice: str, stars: int) -> dict[str, object]:
    return {"sentiment": {"choice": choice}, "stars": {"rating": stars}}


def adjudication_id(page: Page) -> int:
    page.wait_for_selector("[data-adjudication-id]")
    return int(page.locator("[data-adjudication-id]").get_attribute("data-adjudication-id") or 0)


def next_after(page: Page, before: int) -> None:
    page.wait_for_function(
        "before => { const r = document.querySelector('[data-adjudication-id]');"
        " return !r || r.dataset.adjudicationId !== String(before); }",
        arg=before,
    )


def test_adjudication_by_keyboard_and_mouse(people: People, db: Database) -> None:
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    reviewer, _ = make_user(db, REVIEWER[0], password=REVIEWER[1])
    annotators = {}
    for name in ("ann", "bo", "cy"):
        user, token = make_user(db, f"{name}@example.org")
        annotators[name] = (user, token)
    members = {user: "annotator" for user, _ in annotators.values()} | {reviewer: "reviewer"}
    project = make_project(db, lead, INTERFACE, overlap=2, members=members)
    add_tasks(db, lead, project, texts(3))

    # The manager sets the consensus: adjudicate below 0.9, dynamic overlap up to 3 (mouse),
    # Dawid-Skene (keyboard), saved with Ctrl+S.
    manager = people.page("manager")
    people.sign_in(manager, *LEAD, then=f"/projects/{project.id}/settings")
    manager.get_by_label("Adjudicate below an agreement of").fill("0.9")
    manager.get_by_label("Ask for more annotators, up to").click()
    manager.keyboard.press("Control+A")
    manager.keyboard.type("3")
    method = manager.get_by_label("Consensus method")
    method.focus()
    method.select_option("dawid_skene")
    manager.keyboard.press("Control+s")
    expect(manager.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    people.shot(manager, "settings-consensus", at="#consensus-title")

    def api(token: str) -> httpx.Client:
        return httpx.Client(
            base_url=people.url + "/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )

    def submit(name: str, result: dict[str, object]) -> int:
        with api(annotators[name][1]) as client:
            task = client.post(f"/projects/{project.id}/next").json()["task"]
            done = client.post(f"/tasks/{task['id']}/annotations", json={"result": result})
            assert done.status_code == 201, done.text
            return int(task["id"])

    # Task 1 and 2: ann and bo disagree, so each asks for a third annotator; cy answers, and
    # both still disagree at the maximum: adjudication. Task 3: everyone agrees.
    first = submit("ann", answer("positive", 4))
    submit("bo", answer("negative", 2))
    assert submit("cy", answer("negative", 1)) == first, "the task came back for a third"
    second = submit("ann", answer("negative", 5))
    submit("bo", answer("positive", 5))
    assert submit("cy", answer("positive", 3)) == second
    submit("ann", answer("positive", 5))
    submit("bo", answer("positive", 5))

    # The reviewer reaches the queue from the projects page, with the mouse.
    page = people.page("reviewer")
    people.sign_in(page, *REVIEWER)
    page.locator(".project-row").first.get_by_role("link", name="Adjudicate").click()
    one = adjudication_id(page)
    cards = page.locator(".adjudication-answer")
    expect(cards).to_have_count(3)
    expect(cards.nth(0)).to_contain_text("positive")
    expect(cards.nth(1)).to_contain_text("negative")
    expect(page.locator(".adjudication-agreement")).to_contain_text("sentiment")
    people.shot(page, "adjudication-first")

    # 1. By keyboard: 3 takes the third answer, Ctrl+Enter records it.
    page.keyboard.press("3")
    expect(cards.nth(2)).to_have_class("adjudication-answer adjudication-answer-picked")
    expect(page.locator("[data-final-source]")).to_have_attribute("data-final-source", "answer-3")
    page.keyboard.press("Control+Enter")
    next_after(page, one)
    expect(page.get_by_role("status").filter(has_text="answer 3")).to_be_visible()
    two = adjudication_id(page)

    # 2. By mouse: answer 1 as a start, its stars replaced by answer 3's, then recorded.
    cards.nth(0).get_by_role("button", name="use this answer").click()
    cards.nth(2).locator(".adjudication-value", has_text="stars").get_by_role(
        "button", name="take"
    ).click()
    expect(page.locator("[data-final-source]")).to_have_attribute("data-final-source", "written")
    people.shot(page, "adjudication-merged")
    page.get_by_role("button", name="Record this final answer").click()
    next_after(page, two)
    expect(page.get_by_text("Nothing is waiting for adjudication")).to_be_visible()
    people.shot(page, "adjudication-empty")

    with api(lead_token) as client:
        decided = client.get(
            f"/projects/{project.id}/adjudications", params={"state": "decided"}
        ).json()["items"]
        assert {d["task_id"]: d["result"] for d in decided} == {
            first: answer("negative", 1),
            second: answer("negative", 3),
        }
        final = client.get(f"/projects/{project.id}/export", params={"final": True})
        rows = [orjson.loads(line) for line in final.text.splitlines()]
    assert [(r["source"], r["result"]) for r in rows] == [
        ("adjudicated", answer("negative", 1)),
        ("adjudicated", answer("negative", 3)),
        ("consensus", answer("positive", 5)),
    ]

    # The manager finds the gold standard on the export page.
    manager.goto(f"{people.url}/projects/{project.id}/export")
    manager.locator("[data-export-content=final]").check()
    expect(manager.locator("[data-export-link]")).to_have_attribute(
        "href", f"/api/v1/projects/{project.id}/export?format=jsonl&final=true"
    )
    people.shot(manager, "export-gold-standard")
    people.check()
