"""A lead exports a video-tracking project and an audio project from the Export page in the
formats their tools read (docs/video.md and docs/audio.md, "On the Export page"): picks the
format and, where several questions suit, the question, once by keyboard (Tab, arrows, Space,
Enter) and once by mouse; downloads the file by the link and as a background job and reads
it (MOTChallenge's SEQUENCE/gt/gt.txt holds the chosen question's tracks, RTTM the chosen
segments question, the WebVTT zip one .vtt per task with its transcript). Every format and
content the page offers is one the server makes (no 422 behind a link)."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from accord.db import Database
from accord.models import User
from tests.browser import test_audio, test_video_player
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user
from tests.media.audio_samples import have_tools, make_speech
from tests.media.video_samples import make_video

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not have_tools(), reason="needs Debian's ffmpeg and espeak-ng"),
]

LEAD = ("lead@example.org", "lead password 1")
ANNOTATOR = ("ann@example.org", "annotator password 1")
FORMAT = "[data-export-format={}]"
LINK = "[data-export-link]"
QUESTION = "[data-export-question]"


def tracks_question(name: str, labels: list[str]) -> dict[str, Any]:
    return {"name": name, "kind": "tracks", "target": "clip", "shape": "box", "labels": labels}


VIDEO = {
    "fields": [{"name": "clip", "kind": "video"}],
    "questions": [
        tracks_question("vehicles", ["car", "truck"]),
        tracks_question("people", ["pedestrian", "car"]),
        {"name": "acts", "kind": "events", "target": "clip", "labels": ["pick", "place"]},
    ],
}
AUDIO = {
    "fields": [{"name": "rec", "kind": "audio"}],
    "questions": [
        {"name": "speakers", "kind": "segments", "target": "rec", "labels": ["alice", "bob"]},
        {"name": "noises", "kind": "segments", "target": "rec", "labels": ["door", "dog"]},
        {"name": "words", "kind": "transcript", "target": "rec"},
    ],
}


def box_track(ident: str, label: str, x: float) -> dict[str, Any]:
    """A 10×12 box at (x, 5) on frames 0 and 1, gone from frame 2."""
    keyframes = [{"frame": 0, "x": x, "y": 5, "w": 10, "h": 12}, {"frame": 2, "outside": True}]
    return {"id": ident, "label": label, "keyframes": keyframes}


def segment(ident: str, start: float, end: float, label: str = "", text: str = "") -> Any:
    """A segment of a segments question (with ``label``) or a transcript (with ``text``)."""
    out: dict[str, Any] = {"id": ident, "start": start, "end": end}
    if label:
        out["label"] = label
    if text:
        out["text"] = text
    return out


def annotate(url: str, token: str, project_id: int, results: dict[str, Any]) -> None:
    """The annotator submits ``results[external id]`` on each task."""
    with httpx.Client(
        base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {token}"}
    ) as api:
        for _ in results:
            task = api.post(f"/projects/{project_id}/next").json()["task"]
            result = results[task["external_id"]]
            done = api.post(f"/tasks/{task['id']}/annotations", json={"result": result})
            assert done.status_code == 201, done.text


@dataclass
class Team:
    lead: User
    project: int
    lead_token: str
    token: str  # the annotator's


def team(db: Database, interface: dict[str, Any]) -> Team:
    """A project of the lead's with an annotator."""
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    annotator, token = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, interface, members={annotator: "annotator"})
    return Team(lead, project.id, lead_token, token)


def tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until the focus is on ``selector`` (as a person tabbing through the page)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"{selector} never got the focus by Tab")


def downloaded(page: Page, go: Locator | str) -> tuple[str, bytes]:
    """Click ``go`` (a locator) or press ``go`` (a key) and read the file it downloads."""
    with page.expect_download() as download:
        if isinstance(go, str):
            page.keyboard.press(go)
        else:
            go.click()
    path = download.value.path()
    return download.value.suggested_filename, Path(path).read_bytes()


def member(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return bundle.read(name).decode()


def members(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return sorted(bundle.namelist())


def background(page: Page, people: People, shot: str) -> tuple[str, bytes]:
    """Wait for the background export started on the page; download its file."""
    expect(page.locator("[data-export-file]")).to_be_visible(timeout=60_000)
    people.shot(page, shot, at=".export-background")
    ready = page.get_by_role("status").filter(has_text="Export ready")
    return downloaded(page, ready.get_by_role("link", name="Download"))


def every_offer_is_made(page: Page, people: People, formats: list[str]) -> None:
    """Each format offered, with each content it leaves enabled: the link's export is made
    (200), never refused."""
    offered = page.locator("[data-export-format]").evaluate_all("rs => rs.map(r => r.value)")
    assert [f for f in offered if f in formats] == formats, offered
    for fmt in formats:
        page.locator(FORMAT.format(fmt)).click()
        for content in ("annotations", "consensus", "reviewed", "final"):
            radio = page.locator(f"[data-export-content={content}]")
            if radio.is_disabled():
                continue
            radio.click()
            href = page.locator(LINK).get_attribute("href")
            got = page.request.get(f"{people.url}{href}")
            assert got.status == 200, (fmt, content, href, got.text())
        page.locator("[data-export-content=annotations]").click()


def gt(rows: str) -> list[str]:
    return rows.splitlines()


# frame, id, left, top, width, height, conf, class (the label's place in its question), visibility
PEOPLE_GT = [
    "1,5,30,5,10,12,1,1,1",
    "2,5,30,5,10,12,1,1,1",
    "1,6,40,5,10,12,1,2,1",
    "2,6,40,5,10,12,1,2,1",
]
VEHICLES_GT = ["1,1,1,5,10,12,1,2,1", "2,1,1,5,10,12,1,2,1"]  # truck: class 2


def test_video_formats_and_the_mot_question(people: People, db: Database, tmp_path: Path) -> None:
    made = team(db, VIDEO)
    project = made.project
    video = make_video(tmp_path / "clip.mp4", 30)
    src = test_video_player.upload(people.url, made.lead_token, project, video)
    add_tasks(db, made.lead, project, [{"id": "SEQ-1", "clip": src}])
    annotate(people.url, made.token, project, {"SEQ-1": {
        "vehicles": {"tracks": [box_track("t1", "truck", 1)]},
        "people": {"tracks": [box_track("t5", "pedestrian", 30), box_track("t6", "car", 40)]},
        "acts": {"events": [{"id": "e1", "label": "pick", "start": 3, "end": 10}]},
    }})  # fmt: skip

    page = people.page("lead")
    people.sign_in(page, *LEAD, then=f"/projects/{project}/export")
    expect(page.get_by_text("For video tools")).to_be_visible()
    expect(page.get_by_text("For speech tools")).to_have_count(0)
    expect(page.locator(FORMAT.format("rttm"))).to_have_count(0)

    # Keyboard: Tab into the formats (JSON Lines is checked), arrows down past CSV and Label
    # Studio to MOTChallenge; Tab to its Question, ArrowDown to people; Tab to the link, Enter.
    tab_to(page, FORMAT.format("jsonl"))
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.locator(FORMAT.format("mot"))).to_be_checked()
    expect(page.locator("[data-export-content=consensus]")).to_be_disabled()
    question = page.get_by_label("Question", exact=True)
    expect(question).to_have_value("vehicles")
    expect(question.locator("option")).to_have_text(["vehicles", "people"])
    page.keyboard.press("Tab")
    expect(question).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(question).to_have_value("people")
    link = page.locator(LINK)
    expect(link).to_have_attribute(
        "href", f"/api/v1/projects/{project}/export?format=mot&question=people"
    )
    expect(link).to_have_text("Download MOTChallenge (people)")
    people.shot(page, "export-mot-question")
    tab_to(page, LINK)
    name, data = downloaded(page, "Enter")
    assert name == f"project-{project}.mot.zip"
    assert members(data) == ["SEQ-1/gt/gt.txt", "SEQ-1/seqinfo.ini"]
    assert gt(member(data, "SEQ-1/gt/gt.txt")) == PEOPLE_GT
    assert "seqLength=30" in member(data, "SEQ-1/seqinfo.ini")  # from the frames job

    # Mouse: the other question, downloaded by the link and as a background job.
    page.locator(FORMAT.format("mot")).click()
    question.select_option("vehicles")
    expect(link).to_have_attribute(
        "href", f"/api/v1/projects/{project}/export?format=mot&question=vehicles"
    )
    name, data = downloaded(page, link)
    assert gt(member(data, "SEQ-1/gt/gt.txt")) == VEHICLES_GT
    page.get_by_role("button", name="Export in the background").click()
    name, data = background(page, people, "export-mot-background")
    assert name == f"project-{project}.mot.zip"
    assert gt(member(data, "SEQ-1/gt/gt.txt")) == VEHICLES_GT

    # The events: no question to choose; consensus and the final answer are not offered.
    page.locator(FORMAT.format("events_csv")).click()
    expect(page.locator(QUESTION)).to_have_count(0)
    for content in ("consensus", "final"):
        expect(page.locator(f"[data-export-content={content}]")).to_be_disabled()
    expect(page.get_by_text("not with the events formats").first).to_be_visible()
    expect(link).to_have_attribute("href", f"/api/v1/projects/{project}/export?format=events_csv")
    people.shot(page, "export-events")
    _, data = downloaded(page, link)
    (row,) = csv.DictReader(io.StringIO(data.decode(), newline=""))
    assert (row["external_id"], row["question"], row["label"]) == ("SEQ-1", "acts", "pick")
    assert (row["start_frame"], row["end_frame"], row["seconds_from"]) == ("3", "10", "manifest")

    formats = ["mot", "cvat-video", "ytvis", "coco-video", "events_csv", "events_json"]
    every_offer_is_made(page, people, formats)
    people.check()


def test_audio_formats_and_their_questions(people: People, db: Database, tmp_path: Path) -> None:
    made = team(db, AUDIO)
    project = made.project
    speech = make_speech(tmp_path / "talk.wav", "hello there, general kenobi, you are a bold one")
    sent = test_audio.upload(people.url, made.lead_token, project, speech)
    recording = {"src": sent["src"], "duration": float(sent["duration"])}
    rows = [{"id": "talk-1", "rec": recording}, {"id": "talk-2", "rec": recording}]
    add_tasks(db, made.lead, project, rows)
    annotate(people.url, made.token, project, {
        "talk-1": {
            "speakers": {"segments": [segment("s1", 0, 0.5, "alice")]},
            "noises": {"segments": [segment("n1", 0.25, 0.5, "dog")]},
            "words": {"segments": [segment("w1", 0, 0.5, text="hello there")]},
        },
        "talk-2": {
            "speakers": {"segments": [segment("s1", 0.5, 1, "bob")]},
            "noises": {"segments": [segment("n1", 0, 0.75, "door")]},
            "words": {"segments": [segment("w1", 0.5, 1, text="general kenobi")]},
        },
    })  # fmt: skip

    page = people.page("lead")
    people.sign_in(page, *LEAD, then=f"/projects/{project}/export")
    expect(page.get_by_text("For speech tools")).to_be_visible()
    expect(page.get_by_text("For video tools")).to_have_count(0)

    # Keyboard: arrows from JSON Lines to RTTM, Tab to the Question, ArrowDown to noises,
    # Tab to the link, Enter.
    tab_to(page, FORMAT.format("jsonl"))
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.locator(FORMAT.format("rttm"))).to_be_checked()
    question = page.get_by_label("Question", exact=True)
    expect(question.locator("option")).to_have_text(["speakers", "noises"])
    page.keyboard.press("Tab")
    expect(question).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(question).to_have_value("noises")
    link = page.locator(LINK)
    expect(link).to_have_attribute(
        "href", f"/api/v1/projects/{project}/export?format=rttm&question=noises"
    )
    people.shot(page, "export-rttm-question")
    tab_to(page, LINK)
    name, data = downloaded(page, "Enter")
    assert name == f"project-{project}.rttm"
    assert data.decode().splitlines() == [
        "SPEAKER talk-1 1 0.250 0.250 <NA> <NA> dog <NA> <NA>",
        "SPEAKER talk-2 1 0.000 0.750 <NA> <NA> door <NA> <NA>",
    ]

    # Mouse: WebVTT, whose one transcript question needs no choosing.
    page.locator(FORMAT.format("vtt")).click()
    expect(page.locator(QUESTION)).to_have_count(0)
    expect(page.locator("[data-export-question-note]")).to_have_text(
        "WebVTT holds one question: words, the project's only transcript question over an "
        "audio field."
    )
    expect(link).to_have_attribute(
        "href", f"/api/v1/projects/{project}/export?format=vtt&question=words"
    )
    people.shot(page, "export-vtt")
    name, data = downloaded(page, link)
    assert name == f"project-{project}.vtt.zip"
    assert members(data) == ["talk-1.vtt", "talk-2.vtt"]
    first, second = member(data, "talk-1.vtt"), member(data, "talk-2.vtt")
    assert first.startswith("WEBVTT") and "hello there" in first and "kenobi" not in first
    assert "00:00:00.500 --> 00:00:01.000" in second and "general kenobi" in second

    # The same as a background job, started and downloaded by keyboard (Space, Enter).
    tab_to(page, "[data-export-job]")
    page.keyboard.press(" ")
    expect(page.locator("[data-export-file]")).to_have_text(f"project-{project}.vtt.zip")
    people.shot(page, "export-vtt-background", at=".export-background")
    tab_to(page, "[data-download-job]")
    name, again = downloaded(page, "Enter")
    assert name == f"project-{project}.vtt.zip"
    assert (member(again, "talk-1.vtt"), member(again, "talk-2.vtt")) == (first, second)

    every_offer_is_made(page, people, ["rttm", "vtt", "srt"])
    people.check()
