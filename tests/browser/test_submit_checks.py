"""Declared submit checks on the annotate screen (docs/checks.md): each check's state shows
live as the annotator types (keyboard), the server-only language check comes back from the
checks endpoint, a block-level failure stops the submit (mouse click and Ctrl+Enter), and a
warn-level one does not: the answer is accepted and the warning is shown; a warn-level pattern
rule shows as it is typed too. A transcript's segments are checked the same way, each on its
own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from accord.db import Database
from tests.browser.annotating import ANNOTATOR, LEAD, sit_down
from tests.browser.conftest import People
from tests.browser.test_audio import WORDS, upload
from tests.factories import add_tasks, make_project, make_user
from tests.media.audio_samples import have_tools, make_speech

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


TRANSCRIPT = {
    "fields": [{"name": "speech", "kind": "audio"}],
    "questions": [
        {
            "name": "said",
            "kind": "transcript",
            "target": "speech",
            "rules": [{"pattern": "\\d", "must_match": False, "message": "write numbers as words"}],
            "checks": [
                {"kind": "words", "min": 2},
                {"kind": "phrases", "forbidden": ["um"], "level": "warn"},
                {"kind": "language", "expected": ["de"], "level": "warn", "min_words": 5},
            ],
        }
    ],
}
ENGLISH = "This is plainly a sentence written in English for testing"


@pytest.mark.skipif(not have_tools(), reason="needs Debian's ffmpeg and espeak-ng")
def test_transcript_segments_checked_live_and_blocks_stop_the_submit(
    people: People, db: Database, tmp_path: Path
) -> None:
    """A transcript's segments take the text checks as a text answer does: each row shows its
    verdict as it is typed (✗ blocks, ⚠ warns, the server's language verdict per segment), a
    block stops the submit (mouse and keyboard), warnings go through with the answer."""
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    annotator, token = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, TRANSCRIPT, members={annotator: "annotator"})
    sent = upload(people.url, lead_token, project.id, make_speech(tmp_path / "t.wav", WORDS))
    media = {"src": sent["src"], "duration": float(sent["duration"])}
    add_tasks(db, lead, project, [{"id": "t1", "speech": media}])
    page = people.page("annotator")
    people.sign_in(page, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    expect(page.locator("[data-audio-field=speech]")).to_have_attribute("data-drawn", "true")
    card = page.locator("[data-transcript-card=said]")
    rows = card.locator("[data-transcript-row]")
    first, second = rows.nth(0), rows.nth(1)
    task_id = int(page.locator("[data-task-id]").get_attribute("data-task-id") or 0)

    card.locator(".seg-now").click()
    page.keyboard.press("Home")
    page.keyboard.press("n")  # a segment at 0 s, the keyboard in its box
    page.keyboard.type("one")
    expect(first).to_have_attribute("data-state", "block")
    expect(first.locator(".tr-status")).to_contain_text("words check: 1 word; write at least 2")
    words = first.locator(".check-row[data-check=words]")  # the selected row lists its checks
    expect(words).to_have_attribute("data-state", "block")
    people.shot(page, "transcript-block", at="[data-transcript-card=said]")

    # A block-level failure: the click on Submit does not send it.
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".annotate-messages")).to_contain_text("Not submitted")
    problems = page.locator("[data-question=said] .question-problems")
    expect(problems).to_contain_text("words check: 1 word; write at least 2")
    assert my_annotations(people.url, token, task_id) == []

    first.locator("input").focus()
    page.keyboard.press("End")
    page.keyboard.type(" um two")
    expect(first).to_have_attribute("data-state", "warn")
    expect(first.locator(".tr-status")).to_contain_text('contains the forbidden phrase "um"')
    expect(words).to_have_attribute("data-state", "pass")

    page.keyboard.press("Escape")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("n")  # a second segment at 2 s
    page.keyboard.type("I have 2 cats")
    expect(second).to_have_attribute("data-state", "block")
    expect(second.locator(".tr-status")).to_contain_text("write numbers as words")
    page.keyboard.press("Control+Enter")  # the keyboard submit: refused too
    expect(problems).to_contain_text("write numbers as words")
    assert my_annotations(people.url, token, task_id) == []

    page.keyboard.press("Control+a")
    page.keyboard.type(ENGLISH)
    language = second.locator(".check-row[data-check=language]")
    expect(language).to_have_attribute("data-state", "warn")  # the server's verdict
    expect(second).to_have_attribute("data-state", "warn")
    expect(second.locator(".tr-status")).to_contain_text("language: looks written in en")
    expect(first).to_have_attribute("data-state", "warn")  # its own verdicts kept
    people.shot(page, "transcript-warnings", at="[data-transcript-card=said]")

    page.keyboard.press("Control+Enter")
    expect(page.locator(".annotate-messages")).to_contain_text("Submitted, with 2 warnings")
    [answer] = my_annotations(people.url, token, task_id)
    assert [s["text"] for s in answer["result"]["said"]["segments"]] == ["one um two", ENGLISH]
    people.check()


def my_annotations(url: str, token: str, task_id: int) -> list[dict[str, Any]]:
    """The annotator's own annotations of the task, as their API shows them."""
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
        answer = client.get(f"/api/v1/tasks/{task_id}")
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["annotations"]
    return found
