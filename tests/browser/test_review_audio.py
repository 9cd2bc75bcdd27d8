"""Reviewing audio work in the browser (issue 11): a reviewer opens an author's `segments`
(with speakers) and `transcript` answers over a recording: the waveform is drawn, each segment
sits on the band and in its label's lane at its own times, the transcript's texts are in their
boxes; Tab selects a segment and P plays it, stopping at its end; one annotation is accepted
by keyboard, another fixed by keyboard (`}` moves a segment's end, a word typed) and accepted;
its author sees each segment the reviewer changed. Another reviewer fixes segments with the
mouse alone (an end dragged in its lane, a segment dragged whole on the band). Then a spoken
dialogue (a `chat` field whose turns carry recordings, per-turn ratings and a rubric): the
reviewer plays a turn's clip with the mouse and rejects with a comment by mouse; the author
finds the rejection in My work and the clips and ratings on the rework page, and resubmits."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from accord.db import Database
from accord.models import Project, User
from tests.browser.conftest import People
from tests.browser.test_audio import ANNOTATOR, LEAD, PLAYER, WORDS, upload
from tests.browser.test_audio import INTERFACE as ANNOTATING
from tests.browser.test_audio_paths import box_of
from tests.browser.test_review_flow import next_review_after, review_id
from tests.factories import add_tasks, make_project, make_user
from tests.media.audio_samples import have_tools, make_speech

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not have_tools(), reason="needs Debian's ffmpeg and espeak-ng"),
]

REVIEWER = ("rev@example.org", "reviewer password 1")
# Annotating's recording and segments question; a transcript question with speakers.
INTERFACE = {
    "fields": ANNOTATING["fields"],
    "questions": [
        ANNOTATING["questions"][0],
        {"name": "words", "kind": "transcript", "target": "speech", "speakers": ["A", "B"]},
    ],
}
PARTS = [
    {"id": "s1", "label": "speech", "start": 0.5, "end": 1.5, "speaker": "A"},
    {"id": "s2", "label": "noise", "start": 2.0, "end": 3.3, "speaker": "B"},
    {"id": "s3", "label": "speech", "start": 3.5, "end": 4.2, "speaker": "B"},
]
SPOKEN = [
    {"id": "s1", "start": 0.0, "end": 2.0, "text": "the quick brown fox", "speaker": "A"},
    {"id": "s2", "start": 2.0, "end": 4.0, "text": "jumps over the lazy dog", "speaker": "B"},
]
RESULT = {"parts": {"segments": PARTS}, "words": {"segments": SPOKEN}}


def drawn_where_they_belong(page: Page, segments: list[dict[str, Any]], duration: float) -> None:
    """Each segment's bar on the band, and in its label's lane, spans its times (to 2 px)."""
    band = box_of(page.locator(f"{PLAYER} .seg-band"))
    per_second = band["width"] / duration
    for segment in segments:
        bar = page.locator(f"{PLAYER} .seg-band [data-segment-id={segment['id']}]")
        expect(bar).to_have_attribute("data-start", f"{segment['start']:.3f}")
        expect(bar).to_have_attribute("data-end", f"{segment['end']:.3f}")
        lane = page.locator(f"[data-lane={segment['label']}] [data-segment-id={segment['id']}]")
        for shown in (box_of(bar), box_of(lane)):
            assert shown["x"] == pytest.approx(band["x"] + segment["start"] * per_second, abs=2)
            width = (segment["end"] - segment["start"]) * per_second
            assert shown["width"] == pytest.approx(width, abs=2)
        # The lane's bar lies inside its lane (not cut, not spilling onto the next one).
        lane_box = box_of(page.locator(f"[data-lane={segment['label']}] .seg-track"))
        assert lane_box["y"] - 1 <= box_of(lane)["y"]
        assert box_of(lane)["y"] + box_of(lane)["height"] <= lane_box["y"] + lane_box["height"] + 1


def submit(url: str, token: str, project_id: int, results: list[dict[str, Any]]) -> list[int]:
    """The author takes the next task and submits each result; the annotations' ids."""
    ids = []
    with httpx.Client(
        base_url=url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as author:
        for result in results:
            task = author.post(f"/projects/{project_id}/next").json()["task"]
            done = author.post(f"/tasks/{task['id']}/annotations", json={"result": result})
            assert done.status_code == 201, done.text
            assert done.json()["annotation"]["review_state"] == "pending"
            ids.append(done.json()["annotation"]["id"])
    return ids


def annotation(url: str, token: str, annotation_id: int) -> dict[str, Any]:
    with httpx.Client(
        base_url=url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        answer = client.get(f"/annotations/{annotation_id}")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


def reviewed_project(db: Database, interface: dict[str, Any]) -> tuple[User, str, str, Project]:
    """A project that reviews everything: its lead (and API token), the annotator's API token
    (the annotator and the reviewer sign in with ANNOTATOR and REVIEWER), the project."""
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    annotator, token = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    reviewer, _ = make_user(db, REVIEWER[0], password=REVIEWER[1])
    members = {annotator: "annotator", reviewer: "reviewer"}
    return (
        lead,
        lead_token,
        token,
        make_project(db, lead, interface, members=members, review_share=1.0),
    )


def test_review_segments_and_a_transcript_by_keyboard(
    people: People, db: Database, tmp_path: Path
) -> None:
    lead, lead_token, token, project = reviewed_project(db, INTERFACE)
    sent = upload(people.url, lead_token, project.id, make_speech(tmp_path / "talk.wav", WORDS))
    recording = {"src": sent["src"], "duration": float(sent["duration"])}
    add_tasks(db, lead, project, [{"id": f"a{i}", "speech": recording} for i in range(2)])
    submitted = submit(people.url, token, project.id, [RESULT, RESULT])

    page = people.page("reviewer")
    people.sign_in(page, *REVIEWER, then=f"/projects/{project.id}/review")
    first = review_id(page)
    expect(page.locator(".review-head")).to_contain_text(f"Annotation #{submitted[0]}")
    player = page.locator(PLAYER)
    expect(player).to_have_attribute("data-drawn", "true")
    expect(page.locator(f"{PLAYER} [data-spectrogram-drawn]")).not_to_have_attribute(
        "data-spectrogram-drawn", ""
    )
    duration = float(player.get_attribute("data-duration") or 0)
    assert duration > 4.2

    # The author's segments: on the band and in their lanes, at their times; listed in the
    # card with their speakers. The waveform is not blank: it has drawn peaks.
    expect(page.locator(f"{PLAYER} .seg-band [data-segment-id]")).to_have_count(3)
    expect(page.locator("[data-lane=speech] [data-segment-id]")).to_have_count(2)
    expect(page.locator("[data-lane=noise] [data-segment-id]")).to_have_count(1)
    drawn_where_they_belong(page, PARTS, duration)
    rows = page.locator("[data-segments-card=parts] [data-segment-row]")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("speech (A)")
    expect(rows.nth(1)).to_contain_text("noise (B)")
    # The transcript's texts, in their boxes, with their speakers.
    lines = page.locator("[data-transcript-card=words] [data-transcript-row]")
    expect(lines).to_have_count(2)
    expect(lines.nth(0).locator("input[type=text]")).to_have_value("the quick brown fox")
    expect(lines.nth(1).locator("input[type=text]")).to_have_value("jumps over the lazy dog")
    expect(lines.nth(1).get_by_label("Speaker of the segment at")).to_have_value("B")
    expect(page.get_by_role("button", name="Accept")).to_be_visible()
    people.shot(page, "review-audio-opened")

    # Keyboard: the segments card has the keys; Tab selects the first segment and goes to
    # its start, Tab again the second; P plays it and stops at its end.
    expect(page.locator("[data-question=parts]")).to_have_class("question question-active")
    page.keyboard.press("Tab")
    expect(page.locator("[data-selected-segment=s1]")).to_be_visible()
    expect(player).to_have_attribute("data-time", "0.500")
    page.keyboard.press("Tab")
    expect(page.locator("[data-selected-segment=s2]")).to_be_visible()
    expect(player).to_have_attribute("data-time", "2.000")
    page.keyboard.press("p")
    expect(player).to_have_attribute("data-playing", "true")
    page.wait_for_function("el => Number(el.dataset.time) > 2.2", arg=player.element_handle())
    people.shot(page, "review-audio-playing-a-segment")
    expect(player).to_have_attribute("data-playing", "false", timeout=10_000)
    expect(player).to_have_attribute("data-time", "3.300")  # stopped at the segment's end
    stopped = 3.3
    # Space plays on from there and pauses, as on the annotate screen.
    page.keyboard.press("Space")
    expect(player).to_have_attribute("data-playing", "true")
    page.wait_for_function(
        "([el, t]) => Number(el.dataset.time) > t + 0.2", arg=[player.element_handle(), stopped]
    )
    page.keyboard.press("Space")
    expect(player).to_have_attribute("data-playing", "false")
    # Nothing was changed by listening: Ctrl+Enter accepts as submitted.
    expect(page.get_by_role("button", name="Accept")).to_be_visible()
    page.keyboard.press("Control+Enter")
    next_review_after(page, first)
    expect(page.get_by_role("status").filter(has_text="accepted")).to_be_visible()
    second = review_id(page)
    expect(player).to_have_attribute("data-drawn", "true")
    expect(page.locator(f"{PLAYER} .seg-band [data-segment-id]")).to_have_count(3)

    # The second one is fixed by keyboard: Tab ×3 selects s3 (3.5 .. 4.2 s); the playhead to
    # 4.0 s (Shift+← ×5 from 4.5), `}` moves its end there; j, the transcript, types a fix.
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(page.locator("[data-selected-segment=s3]")).to_be_visible()
    expect(player).to_have_attribute("data-time", "3.500")
    page.keyboard.press("ArrowRight")
    for _ in range(5):
        page.keyboard.press("Shift+ArrowLeft")
    expect(player).to_have_attribute("data-time", "4.000")
    page.keyboard.press("}")
    expect(page.locator(f"{PLAYER} .seg-band [data-segment-id=s3]")).to_have_attribute(
        "data-end", "4.000"
    )
    page.keyboard.press("j")
    expect(page.locator("[data-question=words]")).to_have_class("question question-active")
    page.keyboard.press("Tab")  # the transcript's segments: the first, at 0 s
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # into its box
    box = lines.nth(1).locator("input[type=text]")
    expect(box).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(" twice")
    expect(box).to_have_value("jumps over the lazy dog twice")
    fix = page.get_by_role("button", name="Fix and accept")
    expect(fix).to_be_visible()
    # The action bar's status gives way to its buttons (cut short, whole in its title).
    status = page.locator("[data-review-changed=true]")
    expect(status).to_have_attribute("title", re.compile("accepting saves your fix"))
    guidelines = box_of(page.get_by_role("button", name="Guidelines"))
    assert box_of(status)["x"] + box_of(status)["width"] <= guidelines["x"]
    people.shot(page, "review-audio-fixing")
    page.keyboard.press("Escape")
    page.keyboard.press("Control+Enter")
    next_review_after(page, second)
    expect(page.get_by_text("Nothing is waiting for your review")).to_be_visible()

    accepted, fixed = (annotation(people.url, token, i) for i in submitted)
    assert accepted["review_state"] == "accepted" and accepted["result"] == RESULT
    assert fixed["review_state"] == "fixed"
    parts = fixed["result"]["parts"]["segments"]
    assert parts[:2] == PARTS[:2] and parts[2] == {**PARTS[2], "end": 4.0}
    assert fixed["result"]["words"]["segments"][1]["text"] == "jumps over the lazy dog twice"

    # The author sees what the reviewer fixed, segment by segment (not only "3 segments").
    mine = people.page("annotator")
    people.sign_in(mine, *ANNOTATOR, then=f"/projects/{project.id}/mine/{submitted[1]}")
    diff = mine.locator(".review-diff")
    expect(diff.locator("[data-changed-question=parts]")).to_contain_text(
        "s3 (speech, B): end 4.200 s → 4.000 s"
    )
    expect(diff.locator("[data-changed-question=words]")).to_contain_text(
        "s2 (B): “jumps over the lazy dog” → “jumps over the lazy dog twice”"
    )
    expect(diff.locator(".review-diff-segments li")).to_have_count(2)
    people.shot(mine, "author-sees-the-audio-fix", at=".review-round")
    people.check()


DIALOGUE_INTERFACE = {
    "fields": [{"name": "dialogue", "kind": "chat", "label": "Call"}],
    "questions": [
        {
            "name": "per_turn",
            "kind": "turns",
            "label": "Each answer",
            "target": "dialogue",
            "rating": {"min": 1, "max": 5},
        },
        {
            "name": "judge",
            "kind": "rubric",
            "label": "The call",
            "target": "dialogue",
            "criteria": [
                {"name": "polite", "label": "Polite", "type": "pass_fail"},
                {"name": "clear", "label": "Clear", "type": "score", "min": 1, "max": 5},
            ],
        },
    ],
}
DIALOGUE_RESULT = {
    "per_turn": {"turns": [{"index": 1, "rating": 4}, {"index": 3, "rating": 2}]},
    "judge": {"criteria": {"polite": True, "clear": 3}},
}


def test_review_a_spoken_dialogue_and_reject_it_by_mouse(
    people: People, db: Database, tmp_path: Path
) -> None:
    lead, lead_token, token, project = reviewed_project(db, DIALOGUE_INTERFACE)
    said = [
        "what time does the shop open",
        "the shop opens at nine in the morning",
        "and on sundays",
        "it is closed on sundays",
    ]
    clips = [
        upload(people.url, lead_token, project.id, make_speech(tmp_path / f"t{i}.wav", words))
        for i, words in enumerate(said)
    ]
    turns = [
        {
            "role": "user" if i % 2 == 0 else "assistant",
            "content": words.capitalize() + ("?" if i % 2 == 0 else "."),
            "audio": {"src": clip["src"], "duration": float(clip["duration"])},
        }
        for i, (words, clip) in enumerate(zip(said, clips, strict=True))
    ]
    add_tasks(db, lead, project, [{"id": "call-1", "dialogue": turns}])
    [submitted] = submit(people.url, token, project.id, [DIALOGUE_RESULT])

    page = people.page("reviewer")
    people.sign_in(page, *REVIEWER, then=f"/projects/{project.id}/review")
    review_id(page)
    expect(page.locator(".review-head")).to_contain_text(f"Annotation #{submitted}")
    # Every turn's recording has its player; the author's ratings and rubric are shown.
    expect(page.locator("audio[data-turn-audio]")).to_have_count(4)
    for index, rating in ((1, "4"), (3, "2")):
        controls = page.locator(f"[data-turns=per_turn][data-turn='{index}']")
        expect(controls.get_by_role("button", name=rating, exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
    expect(page.locator("[data-turns=per_turn]")).to_have_count(2)  # assistant turns only
    rubric = page.locator("[data-question=judge]")
    polite = rubric.get_by_role("radiogroup", name="Polite")
    expect(polite.get_by_role("radio", name="Pass")).to_have_attribute("aria-checked", "true")
    clear = rubric.get_by_role("radiogroup", name="Clear")
    expect(clear.get_by_role("radio", name="3")).to_have_attribute("aria-checked", "true")
    people.shot(page, "review-dialogue-opened")

    # The mouse plays turn 1's clip: its player's play button (the left end of its controls).
    audio = page.locator("audio[data-turn-audio='1']")
    audio.scroll_into_view_if_needed()
    page.wait_for_function("a => a.readyState >= 1 && a.duration > 0", arg=audio.element_handle())
    box = box_of(audio)
    page.mouse.click(box["x"] + min(24, box["width"] / 10), box["y"] + box["height"] / 2)
    page.wait_for_function("a => !a.paused && a.currentTime > 0", arg=audio.element_handle())
    people.shot(page, "review-dialogue-playing", at="audio[data-turn-audio='1']")
    page.wait_for_function("a => a.ended", arg=audio.element_handle(), timeout=15_000)

    # Reject by mouse: the reason, a comment on the per-turn ratings, Send back.
    page.get_by_role("button", name="Reject…").click()
    dialog = page.get_by_role("dialog", name="Send back to the author")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Why (required)").click()
    page.keyboard.type("Turn 3 says the shop is closed on Sundays: that answers the question.")
    dialog.locator("[data-comment-question=per_turn]").click()
    page.keyboard.type("turn #3 deserves a 4 or 5")
    people.shot(page, "review-dialogue-reject")
    dialog.get_by_role("button", name="Send back").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_text("Nothing is waiting for your review")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="sent back to its author")).to_be_visible()
    assert annotation(people.url, token, submitted)["review_state"] == "rejected"

    # The author: the rejection waits in My work with the reason and the comment; the rework
    # page shows the clips and their own ratings, to change.
    mine = people.page("annotator")
    people.sign_in(mine, *ANNOTATOR, then=f"/projects/{project.id}/mine")
    rework = mine.locator(".rework")
    expect(rework).to_contain_text("Sent back to you (1)")
    expect(rework).to_contain_text("closed on Sundays")
    expect(rework).to_contain_text("turn #3 deserves a 4 or 5")
    expect(mine.get_by_role("row").filter(has_text="rejected")).to_contain_text(
        "per_turn: 2 turns · judge: polite pass, clear 3"
    )
    people.shot(mine, "dialogue-my-work-rework")
    rework.get_by_role("link", name="Rework").click()
    expect(mine.locator(".review-round")).to_contain_text("sent back by")
    expect(mine.locator("audio[data-turn-audio]")).to_have_count(4)
    turn3 = mine.locator("[data-turns=per_turn][data-turn='3']")
    expect(turn3.get_by_role("button", name="2", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    turn3.get_by_role("button", name="5", exact=True).click()
    people.shot(mine, "dialogue-rework")
    mine.keyboard.press("Control+Enter")
    expect(mine.get_by_text(f"Annotation #{submitted} saved.")).to_be_visible()
    again = annotation(people.url, token, submitted)
    assert again["version"] == 2 and again["review_state"] == "pending"
    assert again["result"]["per_turn"]["turns"] == [
        {"index": 1, "rating": 4},
        {"index": 3, "rating": 5},
    ]
    people.check()


def test_review_fixes_segments_by_mouse(people: People, db: Database, tmp_path: Path) -> None:
    """The reviewer corrects the author's segments with the mouse alone: drags a segment's
    end in its lane, drags another whole along the band, and clicks Fix and accept; the
    fixed times are the ones saved (to the pixel's worth of time)."""
    lead, lead_token, token, project = reviewed_project(db, INTERFACE)
    sent = upload(people.url, lead_token, project.id, make_speech(tmp_path / "talk.wav", WORDS))
    recording = {"src": sent["src"], "duration": float(sent["duration"])}
    add_tasks(db, lead, project, [{"id": "a0", "speech": recording}])
    [submitted] = submit(people.url, token, project.id, [RESULT])

    page = people.page("reviewer")
    people.sign_in(page, *REVIEWER, then=f"/projects/{project.id}/review")
    review_id(page)
    player = page.locator(PLAYER)
    expect(player).to_have_attribute("data-drawn", "true")
    duration = float(player.get_attribute("data-duration") or 0)
    band = box_of(page.locator(f"{PLAYER} .seg-band"))
    per_second = band["width"] / duration

    # s2's end (noise lane, 3.3 s) dragged to 3.8 s: the end's handle, pressed and moved.
    end = box_of(page.locator("[data-lane=noise] [data-segment-id=s2] [data-edge=end]"))
    at = (end["x"] + end["width"] / 2, end["y"] + end["height"] / 2)
    page.mouse.move(*at)
    page.mouse.down()
    page.mouse.move(at[0] + 0.25 * per_second, at[1], steps=4)
    page.mouse.move(at[0] + 0.5 * per_second, at[1], steps=4)
    page.mouse.up()
    moved_end = float(
        page.locator(f"{PLAYER} .seg-band [data-segment-id=s2]").get_attribute("data-end") or 0
    )
    assert moved_end == pytest.approx(3.8, abs=2 / per_second)

    # s1 (speech, 0.5 .. 1.5 s) dragged whole by its middle on the band, 0.2 s later.
    bar = box_of(page.locator(f"{PLAYER} .seg-band [data-segment-id=s1]"))
    middle = (bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    page.mouse.move(*middle)
    page.mouse.down()
    page.mouse.move(middle[0] + 0.1 * per_second, middle[1], steps=3)
    page.mouse.move(middle[0] + 0.2 * per_second, middle[1], steps=3)
    page.mouse.up()
    shifted = page.locator(f"{PLAYER} .seg-band [data-segment-id=s1]")
    start = float(shifted.get_attribute("data-start") or 0)
    assert start == pytest.approx(0.7, abs=2 / per_second)
    assert float(shifted.get_attribute("data-end") or 0) == pytest.approx(start + 1.0, abs=0.0015)
    people.shot(page, "review-audio-fixed-by-mouse")

    page.get_by_role("button", name="Fix and accept").click()
    expect(page.get_by_text("Nothing is waiting for your review")).to_be_visible()
    fixed = annotation(people.url, token, submitted)
    assert fixed["review_state"] == "fixed"
    parts = {s["id"]: s for s in fixed["result"]["parts"]["segments"]}
    assert parts["s2"]["end"] == pytest.approx(moved_end, abs=0.0005)
    assert parts["s2"]["start"] == 2.0 and parts["s3"] == PARTS[2]
    assert parts["s1"]["start"] == pytest.approx(start, abs=0.0005)
    assert fixed["result"]["words"] == RESULT["words"]
    people.check()
