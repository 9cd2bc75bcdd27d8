"""Audio paths in the browser that tests/browser/test_audio.py leaves out (docs/audio.md, "In
the browser"): zoom by Ctrl+wheel, the buttons and Z / Shift+Z, a zoomed waveform scrolled by
a horizontal wheel and Shift+wheel and by the playhead going out of view; the speed by the
menu and by `-` / `+` (the <audio> element plays at that rate, pitch kept); `{` / `}` moving
the selected segment's edges to the playhead; a segment dragged whole by its body; a segment's
attribute set in the card; the submitted answer holds exactly those times. Then the waveform's
pending and failed states (a plain player to listen to, the failure's reason) and a chat turn
with a video clip that plays, by mouse and by keyboard."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from accord.db import Database
from accord.settings import Settings
from tests.browser.conftest import People
from tests.browser.test_audio import ANNOTATOR, LEAD, PLAYER, drag, exported, seek_to, upload, x_of
from tests.browser.test_video_player import upload as upload_video
from tests.factories import add_tasks, make_project, make_user
from tests.media.audio_samples import have_tools, make_speech
from tests.media.video_samples import make_video

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not have_tools(), reason="needs Debian's ffmpeg and espeak-ng"),
]

WORDS = "the quick brown fox jumps over the lazy dog, and pack my box with five dozen jugs"
INTERFACE = {
    "fields": [{"name": "speech", "kind": "audio"}],
    "questions": [
        {
            "name": "parts",
            "kind": "segments",
            "target": "speech",
            "labels": ["speech", "noise"],
            "attributes": [{"name": "noisy", "type": "choice", "options": ["yes", "no"]}],
            "overlap": "refuse",
        }
    ],
}
SHOTS = Path("/tmp/shots/av_browser_tests")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"audio-{name}.png"))


def box_of(locator: Locator) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None
    return dict(box)


def settle(page: Page) -> None:
    """Two animation frames: what a scroll or a zoom redraws is drawn."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def wheel(page: Page, over: Locator, dx: float, dy: float, hold: str | None = None) -> None:
    box = box_of(over)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    if hold:
        page.keyboard.down(hold)
    page.mouse.wheel(dx, dy)
    if hold:
        page.keyboard.up(hold)


def test_zoom_scroll_speed_edges_move_and_attributes(
    people: People, db: Database, tmp_path: Path
) -> None:
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, INTERFACE, members={annotator: "annotator"})
    sent = upload(people.url, lead_token, project.id, make_speech(tmp_path / "talk.wav", WORDS))
    add_tasks(
        db,
        lead,
        project,
        [{"id": "a1", "speech": {"src": sent["src"], "duration": float(sent["duration"])}}],
    )

    page = people.page("annotator")
    people.sign_in(page, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    player = page.locator(PLAYER)
    expect(player).to_have_attribute("data-drawn", "true")
    duration = float(player.get_attribute("data-duration") or 0)
    assert duration > 4
    bar = page.locator(f"{PLAYER} .seg-band [data-segment-id]")
    stage = page.locator(f"{PLAYER} .audio-stage")

    # A segment dragged on the band (0.5 .. 1.5 s), selected; `{` at 0.8 s and `}` at 2.2 s
    # move its edges there (keys, the player focused).
    drag(page, x_of(page, 0.5, duration), x_of(page, 1.5, duration))
    expect(bar).to_have_count(1)
    expect(page.locator("[data-selected-segment=s1]")).to_be_visible()
    seek_to(page, 0.8)
    page.keyboard.press("{")
    expect(bar).to_have_attribute("data-start", "0.800")
    seek_to(page, 2.2)
    page.keyboard.press("}")
    expect(bar).to_have_attribute("data-end", "2.200")

    # The mouse drags it whole by its body, 1 s later: same length, to the millisecond.
    drag(page, x_of(page, 1.5, duration), x_of(page, 2.5, duration))
    expect(bar).not_to_have_attribute("data-start", "0.800")
    start, end = (
        float(bar.get_attribute("data-start") or 0),
        float(bar.get_attribute("data-end") or 0),
    )
    assert start == pytest.approx(1.8, abs=0.05) and round((end - start) * 1000) == 1400
    shot(page, "01-moved")

    # Zoom: Z doubles it (the bar twice as wide), Shift+Z back; Ctrl+wheel and the button.
    width = box_of(bar)["width"]
    page.keyboard.press("z")
    expect(player).to_have_attribute("data-zoom", "2")
    assert box_of(bar)["width"] == pytest.approx(2 * width, rel=0.02)
    page.keyboard.press("Shift+Z")
    expect(player).to_have_attribute("data-zoom", "1")
    wheel(page, stage, 0, -100, hold="Control")
    expect(player).to_have_attribute("data-zoom", "2")
    page.get_by_role("button", name="Zoom in").click()
    expect(player).to_have_attribute("data-zoom", "4")
    # Scrolled by a horizontal wheel, then by Shift+wheel: the bar moves left by as much.
    # (the playhead to 2.5 s, in the segment: its row clicked, then 7 × Shift+→)
    page.locator("[data-segment-row=s1] button").click()
    expect(player).to_have_attribute("data-time", "1.800")
    for _ in range(7):
        page.keyboard.press("Shift+ArrowRight")
    expect(player).to_have_attribute("data-time", "2.500")
    settle(page)
    x = box_of(bar)["x"]
    wheel(page, stage, 120, 0)
    page.wait_for_function(
        "([el, x]) => el.getBoundingClientRect().x < x - 100", arg=[bar.element_handle(), x]
    )
    x = box_of(bar)["x"]
    wheel(page, stage, 0, -60, hold="Shift")
    page.wait_for_function(
        "([el, x]) => el.getBoundingClientRect().x > x + 40", arg=[bar.element_handle(), x]
    )
    shot(page, "02-zoomed")
    # The playhead sent to the end by key scrolls the waveform there: the bar leaves the view.
    page.keyboard.press("End")
    expect(bar).to_have_count(0)
    page.get_by_role("button", name="Zoom out").click()
    page.keyboard.press("Shift+Z")
    expect(player).to_have_attribute("data-zoom", "1")
    expect(bar).to_have_count(1)

    # Speed: + and - step through 0.5× .. 2×; the menu by mouse; the element plays at it.
    audio = page.locator(f"{PLAYER} audio")
    page.keyboard.press("+")
    expect(player).to_have_attribute("data-speed", "1.25")
    page.keyboard.press("-")
    page.keyboard.press("-")
    expect(player).to_have_attribute("data-speed", "0.75")
    assert audio.evaluate("a => [a.playbackRate, a.preservesPitch]") == [0.75, True]
    page.get_by_label("Playback speed").select_option("2")
    expect(player).to_have_attribute("data-speed", "2")
    assert audio.evaluate("a => a.playbackRate") == 2
    page.keyboard.press("Space")
    expect(player).to_have_attribute("data-playing", "true")
    page.wait_for_function("el => Number(el.dataset.time) > 0.3", arg=player.element_handle())
    page.keyboard.press("Space")
    expect(player).to_have_attribute("data-playing", "false")

    # The segment's attribute, in the card (select it first: a click on its row).
    page.locator("[data-segment-row=s1] button").click()
    page.locator("[data-selected-segment=s1]").get_by_label("noisy").select_option("yes")
    shot(page, "03-attribute")

    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("heading", name="All done here")).to_be_visible(timeout=15_000)
    result = exported(people.url, lead_token, project.id)
    assert result["parts"] == {
        "segments": [
            {
                "id": "s1",
                "label": "speech",
                "start": start,
                "end": end,
                "attributes": {"noisy": "yes"},
            }
        ]
    }
    people.check()


def test_pending_and_failed_waveforms_and_a_chat_video(
    people: People, db: Database, settings: Settings, tmp_path: Path
) -> None:
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    interface = {
        "fields": [
            {"name": "fresh", "kind": "audio"},
            {"name": "broken", "kind": "audio"},
            {"name": "dialogue", "kind": "chat"},
        ],
        "questions": [{"name": "ok", "kind": "choice", "options": ["yes", "no"]}],
    }
    project = make_project(db, lead, interface, members={annotator: "annotator"})
    # Recordings put in the project's storage by hand: no waveform job has run for them.
    folder = settings.data_dir / "media" / "projects" / str(project.id)
    folder.mkdir(parents=True, exist_ok=True)
    speech = make_speech(tmp_path / "hello.wav", "hello there").read_bytes()
    (folder / "fine.wav").write_bytes(speech)
    (folder / "cut.wav").write_bytes(speech[:40])  # damaged: the job fails on it
    clip = upload_video(people.url, lead_token, project.id, make_video(tmp_path / "c.mp4", 12))
    turns = [
        {"role": "user", "content": "What is in this clip?", "video": clip},
        {"role": "assistant", "content": "Blocks."},
    ]
    row = {
        "id": "c1",
        "fresh": {"src": (folder / "fine.wav").as_uri(), "duration": 1.0},
        "broken": (folder / "cut.wav").as_uri(),
        "dialogue": turns,
    }
    add_tasks(db, lead, project, [row])
    with httpx.Client(
        base_url=people.url + "/api/v1", headers={"Authorization": f"Bearer {lead_token}"}
    ) as client:  # the waveform job for the broken one only: the fresh one stays pending
        job = client.post(f"/projects/{project.id}/waveforms", json={"fields": ["broken"]})
        assert job.status_code == 202, job.text
        deadline = time.monotonic() + 120
        while (done := client.get(f"/jobs/{job.json()['id']}").json())["state"] not in (
            "succeeded",
            "failed",
        ):
            assert time.monotonic() < deadline, done
            time.sleep(0.1)
        assert (done["result"]["made"], done["result"]["failed"]) == (0, 1), done

    page = people.page("annotator")
    people.sign_in(page, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    pending = page.locator("[data-audio-field=fresh]")
    expect(pending).to_have_attribute("data-waveform-state", "pending")
    expect(pending).to_contain_text("being prepared")
    failed = page.locator("[data-audio-field=broken]")
    expect(failed).to_have_attribute("data-waveform-state", "failed")
    expect(failed).to_contain_text("This recording has no waveform:")
    expect(failed).to_contain_text("cut.wav")
    # The pending recording can be listened to meanwhile: its plain player plays.
    listen = pending.locator("audio")
    listen.click()
    listen.evaluate("a => a.play()")
    page.wait_for_function("a => a.currentTime > 0", arg=listen.element_handle())
    listen.evaluate("a => a.pause()")
    shot(page, "04-pending-failed")

    # The chat turn's clip: the browser's own player; the mouse plays it (its play button),
    # the keyboard (Space, the video focused) pauses it.
    video = page.locator("video[data-turn-video='0']")
    expect(video).to_be_visible()
    expect(page.locator("video[data-turn-video]")).to_have_count(1)
    video.scroll_into_view_if_needed()
    page.wait_for_function("v => v.readyState >= 1", arg=video.element_handle())
    box = box_of(video)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("v => !v.paused && v.currentTime > 0", arg=video.element_handle())
    video.focus()
    page.keyboard.press("Space")
    page.wait_for_function("v => v.paused", arg=video.element_handle())
    shot(page, "05-chat-video")
    people.check()
