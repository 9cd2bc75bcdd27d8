"""A reviewed annotation really cannot be changed on its page (My work → the annotation): the
author opens one a reviewer accepted, with a copy of an earlier fix still in this browser, and
tries to change every question by mouse and by keyboard (a choice, a text, spans over the text,
a rating, a ranking, a pairwise pick, a rubric, ratings beside a chat's turns), then undo, redo
and save. The page keeps showing the reviewed answer, its controls are disabled, nothing is sent
to the server (no draft, no edit), and after a reload it is still the reviewed answer. The same
with segments and a transcript over a recording: the timeline's keys and drags change nothing,
playing still works."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Request, expect

from accord.db import Database
from tests.browser.conftest import People
from tests.browser.test_audio import PLAYER, WORDS, upload
from tests.browser.test_audio_paths import box_of
from tests.browser.test_review_audio import INTERFACE as AUDIO_INTERFACE
from tests.browser.test_review_audio import PARTS, SPOKEN
from tests.browser.test_review_audio import RESULT as AUDIO_RESULT
from tests.factories import add_tasks, make_project, make_user
from tests.media.audio_samples import have_tools, make_speech

pytestmark = [pytest.mark.browser, pytest.mark.postgres]  # the PostgreSQL pass runs it too

LEAD = ("lead@example.org", "lead password 1")
ANNOTATOR = ("ann@example.org", "annotator password 1")
REVIEWER = ("rev@example.org", "reviewer password 1")
REVIEW_TEXT = "Alice met Bob at Acme in Paris."
INTERFACE = {
    "fields": [
        {"name": "review", "kind": "text", "label": "Review"},
        {"name": "responses", "kind": "text_list", "label": "Responses"},
        {"name": "dialogue", "kind": "chat", "label": "Dialogue"},
    ],
    "questions": [
        {
            "name": "sentiment",
            "kind": "choice",
            "label": "Sentiment",
            "options": ["positive", "negative", "mixed"],
            "required": True,
        },
        {"name": "why", "kind": "text", "label": "Why"},
        {"name": "entities", "kind": "spans", "target": "review", "labels": ["PER", "ORG"]},
        {"name": "stars", "kind": "rating", "label": "Stars", "min": 1, "max": 5},
        {
            "name": "order",
            "kind": "ranking",
            "label": "What matters most",
            "options": ["speed", "price", "comfort"],
        },
        {"name": "better", "kind": "pairwise", "label": "Better", "target": "responses"},
        {
            "name": "judge",
            "kind": "rubric",
            "label": "Judge",
            "target": "responses",
            "criteria": [
                {"name": "accurate", "label": "Accurate", "type": "pass_fail"},
                {"name": "clear", "label": "Clear", "type": "score", "min": 1, "max": 5},
            ],
        },
        {
            "name": "per_turn",
            "kind": "turns",
            "label": "Each answer",
            "target": "dialogue",
            "rating": {"min": 1, "max": 5},
        },
    ],
}
REVIEWED = {
    "sentiment": {"choice": "positive"},
    "why": {"text": "The reviewer accepted this sentence."},
    "entities": {
        "spans": [
            {"start": 0, "end": 5, "label": "PER", "text": "Alice"},
            {"start": 17, "end": 21, "label": "ORG", "text": "Acme"},
        ]
    },
    "stars": {"rating": 4},
    "order": {"order": [2, 0, 1]},
    "better": {"choice": "A", "strength": 2},
    "judge": {"criteria": {"accurate": True, "clear": 4}},
    "per_turn": {"turns": [{"index": 1, "rating": 4}]},
}
# A copy of an earlier fix left in this browser (newer than the review): never shown once locked.
STALE_FIX = {"sentiment": {"choice": "mixed"}, "why": {"text": "an old fix in progress"}}


def client(url: str, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def submitted_and_accepted(url: str, token: str, reviewer_token: str, project_id: int,
                           result: dict[str, Any]) -> tuple[int, int]:
    """The author submits `result`; a reviewer accepts it through the API. (task, annotation)."""
    with client(url, token) as author, client(url, reviewer_token) as reviewer:
        task = author.post(f"/projects/{project_id}/next").json()["task"]
        done = author.post(f"/tasks/{task['id']}/annotations", json={"result": result})
        assert done.status_code == 201, done.text
        annotation = done.json()["annotation"]
        assert annotation["review_state"] == "pending"
        lease = reviewer.post(f"/projects/{project_id}/reviews/next").json()
        assert lease["annotation"]["id"] == annotation["id"]
        decided = reviewer.post(
            f"/reviews/{lease['review']['id']}/decision",
            json={"decision": "accept", "version": annotation["version"]},
        )
        assert decided.status_code == 200, decided.text
        again = author.get(f"/annotations/{annotation['id']}").json()
        assert again["review_state"] == "accepted" and again["editable"] is False
        return task["id"], annotation["id"]


def writes(page: Page) -> list[str]:
    """Every request the page sends from now on that is not a GET (a draft, an edit...)."""
    sent: list[str] = []

    def record(request: Request) -> None:
        if request.method != "GET" and "/api/" in request.url:
            sent.append(f"{request.method} {request.url}")

    page.on("request", record)
    return sent


def question(page: Page, name: str) -> Any:
    return page.locator(f"[data-question={name}]")


def shows_the_reviewed_answer(page: Page) -> None:
    expect(page.locator(".annotate-messages")).to_contain_text("as the review left it")
    sentiment = question(page, "sentiment")
    for option, picked in (("positive", "true"), ("negative", "false"), ("mixed", "false")):
        radio = sentiment.get_by_role("radio", name=option)
        expect(radio).to_have_attribute("aria-checked", picked)
    expect(question(page, "why").locator("textarea")).to_have_value(REVIEWED["why"]["text"])
    marks = page.locator(".span-text mark")
    expect(marks).to_have_text(["Alice", "Acme"])
    expect(page.locator(".span-text .span-selected")).to_have_count(0)
    expect(question(page, "entities").locator(".span-list li")).to_have_count(2)
    stars = question(page, "stars")
    expect(stars.get_by_role("radio", name="4")).to_have_attribute("aria-checked", "true")
    expect(stars.locator(".rating-caption")).to_have_text("4")
    expect(question(page, "order").locator(".ranking-text")).to_have_text(
        ["comfort", "speed", "price"]
    )
    better = question(page, "better")
    expect(better.get_by_role("radio", name="A is better")).to_have_attribute(
        "aria-checked", "true"
    )
    expect(better.locator(".pairwise-strength [aria-checked=true]")).to_have_count(1)
    judge = question(page, "judge")
    expect(judge.get_by_role("radio", name="Pass")).to_have_attribute("aria-checked", "true")
    expect(judge.get_by_role("radiogroup", name="Clear").get_by_role("radio", name="4")
           ).to_have_attribute("aria-checked", "true")
    expect(judge.locator("textarea")).to_have_value("")
    # The turns' controls sit beside the chat (outside the questions' column): disabled too.
    turn = page.locator("[data-turns=per_turn][data-turn='1']")
    expect(turn.get_by_role("button", name="4")).to_have_attribute("aria-pressed", "true")
    expect(turn.get_by_role("button", name="4")).to_be_disabled()
    expect(turn.locator("[aria-pressed=true]")).to_have_count(1)
    # Every control of the questions is disabled; nothing has been "changed yet".
    expect(page.locator(".task-questions fieldset[disabled]")).to_have_count(1)
    expect(page.get_by_role("button", name="Save changes")).to_be_disabled()
    expect(page.get_by_role("button", name="Undo")).to_be_disabled()
    expect(page.get_by_role("button", name="Redo")).to_be_disabled()
    expect(page.locator(".save-state")).to_have_text("No changes yet")


def to_question(page: Page, name: str) -> None:
    """The keyboard's way to a question: J until it is the active one."""
    for _ in range(len(INTERFACE["questions"])):
        if "question-active" in (question(page, name).get_attribute("class") or ""):
            return
        page.keyboard.press("j")
    expect(question(page, name)).to_have_class(re.compile(r"\bquestion-active\b"))


def drag_across(page: Page, text: Any, start: int, end: int) -> None:
    """A mouse drag over characters start..end of the text drawn by the spans widget."""
    box = text.evaluate(
        """(root, [start, end]) => {
             const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
             let at = 0, from = null, to = null;
             for (let node = walker.nextNode(); node; node = walker.nextNode()) {
               const n = node.textContent.length;
               if (from === null && start < at + n) from = [node, start - at];
               if (to === null && end <= at + n) to = [node, end - at];
               at += n;
             }
             const range = document.createRange();
             range.setStart(...from);
             range.setEnd(...to);
             const rects = range.getClientRects();
             const first = rects[0], last = rects[rects.length - 1];
             return {x0: first.left + 1, y0: first.top + first.height / 2,
                     x1: last.right - 1, y1: last.top + last.height / 2};
           }""",
        [start, end],
    )
    page.mouse.move(box["x0"], box["y0"])
    page.mouse.down()
    page.mouse.move((box["x0"] + box["x1"]) / 2, box["y1"], steps=4)
    page.mouse.move(box["x1"], box["y1"], steps=4)
    page.mouse.up()


def test_a_reviewed_annotation_cannot_be_changed_by_mouse_or_keyboard(
    people: People, db: Database
) -> None:
    lead, _ = make_user(db, LEAD[0], password=LEAD[1])
    annotator, token = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    reviewer, reviewer_token = make_user(db, REVIEWER[0], password=REVIEWER[1])
    project = make_project(
        db, lead, INTERFACE, members={annotator: "annotator", reviewer: "reviewer"},
        review_share=1.0,
    )
    add_tasks(db, lead, project, [{
        "id": "t0",
        "review": REVIEW_TEXT,
        "responses": ["Short answer.", "A longer answer."],
        "dialogue": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}],
    }])
    task_id, annotation_id = submitted_and_accepted(
        people.url, token, reviewer_token, project.id, REVIEWED
    )

    page = people.page("annotator")
    people.sign_in(page, *ANNOTATOR)
    draft_key = f"accord.draft.{annotator.id}.{task_id}"
    stale = json.dumps({"taskId": task_id, "result": STALE_FIX, "seconds": 5,
                        "savedAt": "2099-01-01T00:00:00.000Z", "syncedAt": None})
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [draft_key, stale])
    sent = writes(page)
    page.goto(f"{people.url}/projects/{project.id}/mine/{annotation_id}")
    shows_the_reviewed_answer(page)
    assert sent == []
    people.shot(page, "locked-opened")

    # The mouse, question by question.
    sentiment = question(page, "sentiment")
    sentiment.get_by_role("radio", name="negative").click(force=True)
    sentiment.get_by_role("radio", name="mixed").click(force=True)
    why = question(page, "why").locator("textarea")
    expect(why).to_be_disabled()
    why.click(force=True)
    page.keyboard.type(" And more")
    text = page.locator(".span-text")
    drag_across(page, text, 24, 29)  # "Paris"
    expect(page.locator(".span-text .span-selected")).to_have_count(0)
    question(page, "entities").locator(".span-label-button", has_text="PER").click(force=True)
    page.keyboard.press("2")
    text.locator("mark", has_text="Alice").click()  # picking a span, to delete it...
    page.keyboard.press("Delete")
    question(page, "entities").locator(".span-chip").first.click(force=True)
    page.keyboard.press("Backspace")
    question(page, "stars").get_by_role("radio", name="1").click(force=True)
    order = question(page, "order")
    order.locator(".ranking-item", has_text="price").drag_to(
        order.locator(".ranking-item", has_text="comfort")
    )
    better = question(page, "better")
    better.get_by_role("radio", name="B is better").click(force=True)
    better.get_by_role("radio", name="Tie").click(force=True)
    judge = question(page, "judge")
    judge.get_by_role("radio", name="Fail").click(force=True)
    judge.get_by_role("radiogroup", name="Clear").get_by_role("radio", name="1").click(force=True)
    judge.locator("textarea").click(force=True)
    page.keyboard.type("a comment")
    page.locator("[data-turns=per_turn][data-turn='1']").get_by_role("button", name="2").click(
        force=True
    )
    shows_the_reviewed_answer(page)
    people.shot(page, "locked-after-the-mouse")

    # The keyboard: J to each question, then its keys.
    page.locator(".data-field-title").first.click()  # out of any box
    to_question(page, "sentiment")
    for key in ("2", "3", "Backspace", "Delete"):
        page.keyboard.press(key)
    to_question(page, "why")
    page.keyboard.type("typed")
    to_question(page, "entities")
    for key in ("Shift+ArrowRight", "Shift+ArrowRight", "1", "]", "Delete", "Backspace"):
        page.keyboard.press(key)
    to_question(page, "stars")
    for key in ("1", "ArrowRight", "ArrowLeft", "Backspace"):
        page.keyboard.press(key)
    to_question(page, "order")
    for key in ("Shift+ArrowDown", "3", "Enter", "Delete"):
        page.keyboard.press(key)
    to_question(page, "better")
    for key in ("2", "Shift+3", "3", "Backspace"):
        page.keyboard.press(key)
    to_question(page, "judge")
    for key in ("2", "ArrowDown", "ArrowLeft", "1", "Delete"):
        page.keyboard.press(key)
    to_question(page, "per_turn")
    for key in ("2", "ArrowRight", "Backspace", "Delete"):
        page.keyboard.press(key)
    for key in ("Control+z", "Control+Shift+z", "Control+y", "Control+Enter"):
        page.keyboard.press(key)
    shows_the_reviewed_answer(page)
    people.shot(page, "locked-after-the-keyboard", at="[data-question=order]")
    # The page itself never scrolls (its columns do): a question brought into view leaves the
    # action bar at the window's foot, with nothing under it.
    assert page.evaluate("document.documentElement.scrollHeight - innerHeight") <= 0
    assert page.evaluate("scrollY") == 0

    # Autosaves would have gone after 3 s: none was, nor any edit.
    page.wait_for_timeout(4000)
    assert sent == []
    assert page.evaluate("key => localStorage.getItem(key)", draft_key) == stale

    page.reload()
    shows_the_reviewed_answer(page)
    people.shot(page, "locked-after-reload")
    assert sent == []
    with client(people.url, token) as author:
        assert author.get(f"/annotations/{annotation_id}").json()["result"] == REVIEWED
        assert author.get(f"/tasks/{task_id}").json()["draft"] is None
    people.check()


@pytest.mark.skipif(not have_tools(), reason="needs Debian's ffmpeg and espeak-ng")
def test_reviewed_segments_and_a_transcript_only_play(
    people: People, db: Database, tmp_path: Path
) -> None:
    """Segments and a transcript over a recording, reviewed: the timeline's keys and drags change
    nothing, the transcript's boxes are disabled; the recording still plays, a click still
    selects a segment and goes to it."""
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    annotator, token = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    reviewer, reviewer_token = make_user(db, REVIEWER[0], password=REVIEWER[1])
    project = make_project(
        db, lead, AUDIO_INTERFACE, members={annotator: "annotator", reviewer: "reviewer"},
        review_share=1.0,
    )
    speech = make_speech(tmp_path / "talk.wav", WORDS)
    uploaded = upload(people.url, lead_token, project.id, speech)
    recording = {"src": uploaded["src"], "duration": float(uploaded["duration"])}
    add_tasks(db, lead, project, [{"id": "a0", "speech": recording}])
    task_id, annotation_id = submitted_and_accepted(
        people.url, token, reviewer_token, project.id, AUDIO_RESULT
    )

    page = people.page("annotator")
    people.sign_in(page, *ANNOTATOR)
    sent = writes(page)
    page.goto(f"{people.url}/projects/{project.id}/mine/{annotation_id}")
    player = page.locator(PLAYER)
    expect(player).to_have_attribute("data-drawn", "true")
    duration = float(player.get_attribute("data-duration") or 0)

    def unchanged(on_band: list[dict[str, Any]] = PARTS) -> None:
        """The answer as reviewed; `on_band`: the active question's segments, drawn on the band."""
        bars = page.locator(f"{PLAYER} .seg-band [data-segment-id]")
        expect(bars).to_have_count(len(on_band))
        for part in on_band:
            bar = page.locator(f"{PLAYER} .seg-band [data-segment-id={part['id']}]")
            expect(bar).to_have_attribute("data-start", f"{part['start']:.3f}")
            expect(bar).to_have_attribute("data-end", f"{part['end']:.3f}")
        rows = page.locator("[data-segments-card=parts] [data-segment-row]")
        expect(rows).to_have_count(len(PARTS))
        expect(rows.nth(0)).to_contain_text("speech (A)")
        lines = page.locator("[data-transcript-card=words] [data-transcript-row] input[type=text]")
        expect(lines).to_have_count(len(SPOKEN))
        for i, spoken in enumerate(SPOKEN):
            expect(lines.nth(i)).to_have_value(spoken["text"])
            expect(lines.nth(i)).to_be_disabled()
        expect(page.get_by_role("button", name="Undo")).to_be_disabled()
        expect(page.locator(".save-state")).to_have_text("No changes yet")

    unchanged()
    people.shot(page, "locked-audio-opened")

    # Keyboard, on the segments card (the active question): Tab selects s1 and goes to it;
    # then every editing key of the timeline.
    expect(page.locator("[data-question=parts]")).to_have_class(re.compile(r"question-active"))
    page.keyboard.press("Tab")
    expect(page.locator("[data-selected-segment=s1]")).to_be_visible()
    expect(player).to_have_attribute("data-time", "0.500")
    for key in ("ArrowRight", "}", "{", "]", "[", "/", "n", "2", "Shift+2", "Delete",
                "Backspace"):
        page.keyboard.press(key)
    unchanged()
    # Playing still works: Space plays from the playhead and pauses.
    page.keyboard.press("Space")
    expect(player).to_have_attribute("data-playing", "true")
    page.keyboard.press("Space")
    expect(player).to_have_attribute("data-playing", "false")

    # The mouse: a drag along an empty stretch of the band, a drag of s1's end; a click on s2
    # selects it and goes to its start.
    band = box_of(page.locator(f"{PLAYER} .seg-band"))
    per_second = band["width"] / duration
    y = band["y"] + band["height"] / 2
    page.mouse.move(band["x"] + 4.4 * per_second, y)
    page.mouse.down()
    page.mouse.move(band["x"] + 4.9 * per_second, y, steps=6)
    page.mouse.up()
    end = box_of(page.locator(f"{PLAYER} .seg-band [data-segment-id=s1] [data-edge=end]"))
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + 60, end["y"] + end["height"] / 2, steps=6)
    page.mouse.up()
    page.locator(f"{PLAYER} .seg-band [data-segment-id=s2]").click()
    expect(page.locator("[data-selected-segment=s2]")).to_be_visible()
    expect(player).to_have_attribute("data-time", "2.000")
    unchanged()

    # The transcript: its boxes are disabled; J goes to it, its keys change nothing.
    page.keyboard.press("j")
    expect(page.locator("[data-question=words]")).to_have_class(re.compile(r"question-active"))
    for key in ("Tab", "Enter", "n", "/", "Delete"):
        page.keyboard.press(key)
    box = page.locator("[data-transcript-card=words] [data-transcript-row] input[type=text]")
    box.first.click(force=True)
    page.keyboard.type(" extra")
    page.keyboard.press("Control+z")
    unchanged(SPOKEN)
    people.shot(page, "locked-audio-after-trying")

    page.wait_for_timeout(4000)  # an autosave would have gone by now
    assert sent == []
    page.reload()
    expect(player).to_have_attribute("data-drawn", "true")
    unchanged()
    assert sent == []
    with client(people.url, token) as author:
        assert author.get(f"/annotations/{annotation_id}").json()["result"] == AUDIO_RESULT
        assert author.get(f"/tasks/{task_id}").json()["draft"] is None
    people.check()
