"""Audio in the browser: a spoken recording (espeak-ng) uploaded, its waveform job run, the
page draws the waveform and the spectrogram; a segment marked by dragging on the waveform and
another by keys (`[`, `]`, a label key, Shift+1 for the speaker); a transcript typed segment by
segment (N, `/` split, Enter to the next box, a text rule shown as typed); the submitted
answers hold exactly those times and texts. A chat turn with a recording plays in its turn."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from playwright.sync_api import Page, expect

from accord.db import Database
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user
from tests.media.audio_samples import have_tools, make_speech

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not have_tools(), reason="needs Debian's ffmpeg and espeak-ng"),
]

LEAD = ("lead@example.org", "lead password 1")
ANNOTATOR = ("ann@example.org", "annotator password 1")
WORDS = "the quick brown fox jumps over the lazy dog, and pack my box with five dozen jugs"
INTERFACE = {
    "fields": [{"name": "speech", "kind": "audio"}],
    "questions": [
        {
            "name": "parts",
            "kind": "segments",
            "target": "speech",
            "labels": ["speech", "noise"],
            "speakers": ["A", "B"],
            "overlap": "refuse",
        },
        {"name": "words", "kind": "transcript", "target": "speech", "checks": ["trimmed"]},
    ],
}
PLAYER = "[data-audio-field=speech]"
SHOTS = Path("/tmp/shots/audio_web")


def upload(url: str, token: str, project_id: int, recording: Path) -> dict[str, Any]:
    """Upload ``recording``, wait for its waveform job; the upload's answer for the file."""
    with httpx.Client(
        base_url=url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as client:
        files = [("file", (recording.name, recording.read_bytes(), "audio/wav"))]
        answer = client.post(f"/projects/{project_id}/media", files=files)
        assert answer.status_code == 201, answer.text
        job_id = answer.json()["waveform_job"]
        deadline = time.monotonic() + 120
        while (job := client.get(f"/jobs/{job_id}").json())["state"] not in ("succeeded", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert job["state"] == "succeeded" and job["result"]["made"] == 1, job
        return dict(answer.json()["files"][0])


def exported(url: str, token: str, project_id: int) -> dict[str, Any]:
    with httpx.Client(
        base_url=url + "/api/v1", headers={"Authorization": f"Bearer {token}"}
    ) as client:
        lines = client.get(f"/projects/{project_id}/export", params={"format": "jsonl"}).content
    [task] = [orjson.loads(line) for line in lines.splitlines() if line.strip()]
    [annotation] = task["annotations"]
    return dict(annotation["result"])


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def x_of(page: Page, seconds: float, duration: float) -> tuple[float, float]:
    """The page point at ``seconds`` on the band over the waveform (not zoomed)."""
    band = page.locator(f"{PLAYER} .seg-band")
    box = band.bounding_box()
    assert box is not None
    return box["x"] + seconds * box["width"] / duration, box["y"] + box["height"] / 3


def seek_to(page: Page, seconds: float) -> None:
    """Home, then → (1 s) and Shift+→ (0.1 s) presses, the player focused."""
    page.keyboard.press("Home")
    for _ in range(int(seconds)):
        page.keyboard.press("ArrowRight")
    for _ in range(round((seconds - int(seconds)) * 10)):
        page.keyboard.press("Shift+ArrowRight")
    expect(page.locator(PLAYER)).to_have_attribute("data-time", f"{seconds:.3f}")


def test_mark_segments_and_type_a_transcript(people: People, db: Database, tmp_path: Path) -> None:
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, INTERFACE, members={annotator: "annotator"})
    sent = upload(people.url, lead_token, project.id, make_speech(tmp_path / "talk.wav", WORDS))
    duration = float(sent["duration"])
    assert duration > 4
    add_tasks(
        db, lead, project, [{"id": "a1", "speech": {"src": sent["src"], "duration": duration}}]
    )

    page = people.page("annotator")
    people.sign_in(page, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    player = page.locator(PLAYER)
    expect(player).to_have_attribute("data-drawn", "true")
    duration = float(player.get_attribute("data-duration") or 0)  # the waveform's own
    expect(page.locator(f"{PLAYER} [data-spectrogram-drawn]")).not_to_have_attribute(
        "data-spectrogram-drawn", ""
    )
    shot(page, "01-waveform")

    # Mouse: drag on the waveform from 0.5 s to 1.5 s makes a speech segment (label 1).
    drag(page, x_of(page, 0.5, duration), x_of(page, 1.5, duration))
    bars = page.locator(f"{PLAYER} .seg-band [data-segment-id]")
    expect(bars).to_have_count(1)

    # Keys: 2 (noise), [ at 2.0 s, ] at 3.3 s, Shift+1 names speaker A.
    page.keyboard.press("2")
    seek_to(page, 2.0)
    page.keyboard.press("[")
    expect(page.locator("[data-segments-mark]").first).to_have_attribute(
        "data-segments-mark", "2.000"
    )
    seek_to(page, 3.3)
    page.keyboard.press("]")
    expect(bars).to_have_count(2)
    page.keyboard.press("Shift+1")
    noise = page.locator("[data-lane=noise] [data-segment-id]")
    expect(noise).to_have_attribute("data-start", "2.000")
    expect(noise).to_have_attribute("data-end", "3.300")

    # A noise segment overlapping it is refused (overlap: refuse): still two.
    seek_to(page, 2.5)
    page.keyboard.press("n")
    expect(bars).to_have_count(2)
    # Space plays, Space pauses; the playhead moved.
    page.keyboard.press("Space")
    expect(player).to_have_attribute("data-playing", "true")
    page.wait_for_function("el => Number(el.dataset.time) > 2.6", arg=player.element_handle())
    page.keyboard.press("Space")
    expect(player).to_have_attribute("data-playing", "false")
    # Each lane's name is on a line of its own: it covers none of the lane's segments (one
    # starting near 0 s stays visible), and the lane spans the waveform's width, in time.
    for lane in ("speech", "noise"):
        name = page.locator(f"[data-lane={lane}] .seg-lane-name").bounding_box()
        track = page.locator(f"[data-lane={lane}] .seg-track").bounding_box()
        assert name and track and name["y"] + name["height"] <= track["y"] + 0.5
    wave = page.locator(f"{PLAYER} .seg-band").bounding_box()
    assert wave and abs(track["x"] - wave["x"]) < 1 and abs(track["width"] - wave["width"]) < 1
    shot(page, "02-segments")

    # Transcript: its card takes the keyboard; N makes a segment at the playhead, typed into.
    card = page.locator("[data-transcript-card=words]")
    card.locator(".seg-now").click()
    page.keyboard.press("Home")
    page.keyboard.press("n")  # 0 .. 2 s, the keyboard in its box
    page.keyboard.type("the quick brown fox ")
    expect(card.locator(".text-problem")).to_contain_text("spaces")  # checks: trimmed
    page.keyboard.press("Backspace")
    expect(card.locator(".text-problem")).to_have_count(0)
    page.keyboard.press("Escape")
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("n")  # 2 .. 4 s
    page.keyboard.type("jumps over the lazy dog")
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("/")  # split at 3.1 s: the new box (3.1 .. 4) has the keyboard
    page.keyboard.type("lazy dog")
    page.keyboard.press("Shift+Enter")  # back to 2 .. 3.1: fix its text
    page.keyboard.press("End")
    for _ in range(len(" lazy dog")):
        page.keyboard.press("Backspace")
    rows = card.locator("[data-transcript-row]")
    expect(rows).to_have_count(3)
    expect(rows.nth(1).locator("input")).to_have_value("jumps over the")
    # The transcript's segments are drawn on the waveform while it is the active question.
    expect(page.locator(f"{PLAYER} .seg-band [data-segment-id]")).to_have_count(3)
    shot(page, "03-transcript")

    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("heading", name="All done here")).to_be_visible(timeout=15_000)

    result = exported(people.url, lead_token, project.id)
    first, second = result["parts"]["segments"]
    assert first["label"] == "speech" and "speaker" not in first
    assert abs(first["start"] - 0.5) < 0.05 and abs(first["end"] - 1.5) < 0.05
    assert round(first["start"] * 1000) == first["start"] * 1000  # snapped to the ms
    assert second == {"id": "s2", "label": "noise", "start": 2.0, "end": 3.3, "speaker": "A"}
    spoken = [(s["start"], s["end"], s["text"]) for s in result["words"]["segments"]]
    assert spoken == [
        (0.0, 2.0, "the quick brown fox"),
        (2.0, 3.1, "jumps over the"),
        (3.1, 4.0, "lazy dog"),
    ]
    people.check()


def drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + end[0]) / 2, end[1], steps=3)
    page.mouse.move(*end, steps=3)
    page.mouse.up()


def test_a_chat_turn_with_a_recording_plays(people: People, db: Database, tmp_path: Path) -> None:
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    interface = {
        "fields": [{"name": "dialogue", "kind": "chat"}],
        "questions": [{"name": "ok", "kind": "choice", "options": ["yes", "no"]}],
    }
    project = make_project(db, lead, interface, members={annotator: "annotator"})
    sent = upload(people.url, lead_token, project.id, make_speech(tmp_path / "turn.wav", "hello"))
    turns = [
        {"role": "user", "content": "Say hello.", "audio": sent["src"]},
        {"role": "assistant", "content": "Hello!"},
    ]
    add_tasks(db, lead, project, [{"id": "c1", "dialogue": turns}])

    page = people.page("annotator")
    people.sign_in(page, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    audio = page.locator("audio[data-turn-audio='0']")
    expect(audio).to_be_visible()
    expect(page.locator("audio[data-turn-audio]")).to_have_count(1)
    audio.click()  # a user gesture: the page may play sound now
    audio.evaluate("el => el.play()")
    page.wait_for_function("el => el.currentTime > 0", arg=audio.element_handle())
    shot(page, "04-chat-turn")
    people.check()


def view_of(page: Page) -> tuple[float, float]:
    """The window of time the waveform shows (the player's data-view, "start-end")."""
    start, end = (page.locator(PLAYER).get_attribute("data-view") or "0-0").split("-")
    return float(start), float(end)


IN_VIEW = """el => { const [a, b] = el.dataset.view.split('-').map(Number);
  const t = Number(el.dataset.time);
  return el.dataset.playing === 'true' && a > 0 && t >= a && t <= b; }"""


def test_zoomed_playback_keeps_the_playhead_in_view(
    people: People, db: Database, tmp_path: Path
) -> None:
    """Zoomed in, the waveform turns the page as the playhead nears its edge; a scroll by hand
    is left alone while it plays (the playhead out of view), until a seek follows it again."""
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    interface = {
        "fields": [{"name": "speech", "kind": "audio"}],
        "questions": [{"name": "ok", "kind": "choice", "options": ["yes", "no"]}],
    }
    project = make_project(db, lead, interface, members={annotator: "annotator"})
    sent = upload(people.url, lead_token, project.id, make_speech(tmp_path / "long.wav", WORDS))
    duration = float(sent["duration"])
    row = {"id": "z1", "speech": {"src": sent["src"], "duration": duration}}
    add_tasks(db, lead, project, [row])
    page = people.page("annotator")
    people.sign_in(page, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    player = page.locator(PLAYER)
    expect(player).to_have_attribute("data-drawn", "true")

    # Zoom in: twice by the mouse, once by the key; the window is a fraction of the recording.
    player.locator("[data-audio-action=zoom-in]").click()
    player.locator("[data-audio-action=zoom-in]").click()
    page.keyboard.press("z")
    expect(player).to_have_attribute("data-zoom", "8")
    page.keyboard.press("Home")
    start, end = view_of(page)
    assert start == 0 and end < duration / 4

    # Space plays: the page turns as the playhead nears the edge, and it stays in view.
    page.keyboard.press("Space")
    page.wait_for_function(IN_VIEW, arg=player.element_handle())
    shot(page, "05-zoomed-follow")

    # A scroll by hand (the wheel) back to the start: left there while it plays on.
    box = page.locator(f"{PLAYER} .audio-stage").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20)
    page.mouse.wheel(-100_000, 0)
    page.wait_for_function(
        "el => el.dataset.view.startsWith('0.000-') && el.dataset.playing === 'true'",
        arg=player.element_handle(),
    )
    _, shown_end = view_of(page)
    page.wait_for_function(  # the playhead moves on, past the window the person chose
        "([el, end]) => Number(el.dataset.time) > end + 0.3 || el.dataset.playing !== 'true'",
        arg=[player.element_handle(), shown_end],
    )
    expect(player).to_have_attribute("data-playing", "true")  # it played on past the window
    assert view_of(page)[0] == 0  # and the view was not scrolled back to the playhead
    shot(page, "06-scrolled-by-hand")

    # A seek (→) follows the playhead again.
    player.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        """el => { const [a, b] = el.dataset.view.split('-').map(Number);
          const t = Number(el.dataset.time); return a > 0 && t >= a && t <= b; }""",
        arg=player.element_handle(),
    )
    people.check()
