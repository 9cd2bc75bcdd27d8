"""LLM assistance in the browser (docs/llm.md): a manager sets the endpoint (the key is never
shown back) and a `rewrite` template in the project's settings; the annotator asks for a
suggestion on the annotate screen, sees it stream in, edits it and uses it. The endpoint is
the test OpenAI-compatible server (tests/openai_server.py) on 127.0.0.1, allowed by
ACCORD_WEBHOOK_ALLOW_PRIVATE."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.db import Database
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user
from tests.openai_server import running

# ACCORD_WEBHOOK_ALLOW_PRIVATE: the LLM test server is on 127.0.0.1.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.server_env(ACCORD_WEBHOOK_ALLOW_PRIVATE="true"),
]

LEAD = ("lead@example.org", "lead password 1")
ANNOTATOR = ("ann@example.org", "annotator password 1")
KEY = "sk-browser-0123456789abcdef"
INTERFACE = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [{"name": "answer", "kind": "text", "required": True}],
}


def test_a_suggestion_streams_in_and_the_annotator_uses_it_edited(
    people: People, db: Database
) -> None:
    lead, _ = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, INTERFACE, members={annotator: "annotator"})
    add_tasks(db, lead, project, [{"id": "t1", "text": "Explain rainbows"}])
    with running() as llm:
        page = people.page("lead")
        people.sign_in(page, *LEAD, then=f"/projects/{project.id}/settings")
        section = page.locator("section.llm")
        expect(section.get_by_role("heading", name="LLM assistance")).to_be_visible()
        section.get_by_label("Base URL").fill(f"{llm}/ok/v1")
        section.get_by_label("Model").fill("test-model")
        section.get_by_label("API key").fill(KEY)
        section.get_by_label("Token budget").fill("100000")
        section.get_by_role("button", name="Save endpoint").click()
        expect(section.get_by_text("Saved: test-model (key …cdef).")).to_be_visible()
        expect(section.get_by_label("API key")).to_have_value("")
        assert KEY not in page.content()
        section.get_by_label("Name", exact=True).fill("rewrite")
        section.get_by_label("Prompt", exact=True).fill("Rewrite: {{accord.text}}")
        section.get_by_role("button", name="Save as a new version").click()
        expect(section.get_by_text("Template rewrite saved as version 1.")).to_be_visible()
        people.shot(page, "llm-settings", at="section.llm")

        desk = people.page("annotator")
        people.sign_in(desk, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
        box = desk.locator("#q-answer-text")
        box.fill("rainbows are light bent by rain")
        desk.get_by_role("button", name="Suggest with LLM").click()
        suggestion = desk.locator("#llm-answer")
        expect(suggestion).to_have_value("Echo: Rewrite: rainbows are light bent by rain")
        people.shot(desk, "llm-suggestion")
        suggestion.fill("Rainbows are sunlight bent and split by raindrops.")
        desk.get_by_role("button", name="Use this text").click()
        expect(box).to_have_value("Rainbows are sunlight bent and split by raindrops.")
        expect(desk.locator("#llm-answer")).to_have_count(0)
    people.check()
