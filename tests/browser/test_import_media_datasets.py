"""A lead imports a video and an audio dataset from the Import page (docs/video.md and
docs/audio.md, "On the Import page"): a MOTChallenge zip by mouse into the box tracks question
picked among two, a WebVTT zip by keyboard only (Tab, arrows, Space, Enter); each runs as a
background job whose report says what the zip held, and the tasks and their predictions are
there through the API. A bad zip shows the server's refusal, naming the file and line; a
project with neither a video nor an audio field has no such section."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from accord.actions.jobs import do_beat_job, do_claim_job, do_start_job
from accord.db import Database
from tests.browser.conftest import People
from tests.browser.test_export_media_formats import tab_to
from tests.factories import make_project, make_user
from tests.formats.mot_data import make_sequence
from tests.media.audio_samples import have_tools, make_speech
from tests.test_cli_audio_formats import BYE_VTT, HELLO_VTT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not have_tools(), reason="needs Debian's ffmpeg and espeak-ng"),
]

LEAD = ("lead@example.org", "lead password 1")
MiB = 1024 * 1024
SECTION = "[data-media-import]"
REPORT = "section[aria-label='Import report']"


def tracks_question(name: str, labels: list[str]) -> dict[str, Any]:
    return {"name": name, "kind": "tracks", "target": "clip", "shape": "box", "labels": labels}


PEOPLE = ["pedestrian", "car"]
VIDEO: dict[str, Any] = {
    "fields": [{"name": "clip", "kind": "video"}],
    "questions": [
        tracks_question("vehicles", ["truck", "car"]),
        tracks_question("people", PEOPLE),  # MOT class k: the k-th label
    ],
}
AUDIO = {
    "fields": [{"name": "audio", "kind": "audio"}],
    "questions": [
        {"name": "who", "kind": "segments", "target": "audio", "labels": ["speech", "music"]},
        {"name": "words", "kind": "transcript", "target": "audio", "speakers": ["Ann", "Bob"]},
    ],
}


def zipped(folder: Path) -> Path:
    """``folder`` zipped as a person zips it (the folder itself at the zip's top)."""
    out = folder.parent / f"{folder.name}.zip"
    with zipfile.ZipFile(out, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder.parent).as_posix())
    return out


def tasks_of(url: str, token: str, project_id: int) -> dict[str, dict[str, Any]]:
    """The project's tasks by external id, each with its predictions (`GET /tasks/{id}`)."""
    with httpx.Client(
        base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        page = api.get(f"/projects/{project_id}/tasks", params={"limit": 50})
        assert page.status_code == 200, page.text
        out = {}
        for item in page.json()["items"]:
            detail = api.get(f"/tasks/{item['id']}")
            assert detail.status_code == 200, detail.text
            out[item["external_id"]] = detail.json()
        return out


def shot(page: Page, tmp_path: Path, name: str) -> None:
    """The whole page as a PNG under the test's tmp dir (look at them)."""
    page.screenshot(path=str(tmp_path / "shots" / f"{name}.png"), full_page=True)


def test_mot_zip_by_mouse_and_bad_zips(people: People, db: Database, tmp_path: Path) -> None:
    lead, token = make_user(db, LEAD[0], password=LEAD[1])
    project = make_project(db, lead, VIDEO).id
    good = tmp_path / "good" / "train"
    make_sequence(good, "SEQ-01")
    bad = tmp_path / "bad" / "train"
    make_sequence(bad, "SEQ-01", extra="31,1,1,1,5,5,1,1,1\n")  # line 54: past the 30 frames
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"this is not a zip")

    page = people.page("lead")
    people.sign_in(page, *LEAD, then=f"/projects/{project}/import")
    section = page.locator(SECTION)
    expect(section.get_by_role("heading", name="Import a video dataset")).to_be_visible()
    offered = section.locator("[data-media-format]").evaluate_all("rs => rs.map(r => r.value)")
    assert offered == ["mot", "cvat-video", "ytvis", "coco-video"]  # no events formats
    expect(section.locator("[data-media-format=mot]")).to_be_checked()
    expect(section.locator("[data-media-layout=mot]")).to_contain_text("seqinfo.ini, gt/gt.txt")
    question = section.get_by_label("Question", exact=True)
    expect(question).to_have_value("vehicles")
    expect(question.locator("option")).to_have_text(["vehicles", "people"])

    # Mouse: the other video formats name the questions they fill; back to MOT, pick people.
    section.locator("[data-media-format=ytvis]").click()
    expect(section.locator("[data-media-questions]")).to_contain_text("vehicles, people")
    expect(section.locator("[data-media-layout=ytvis]")).to_contain_text("One YouTube-VIS JSON")
    expect(question).to_have_count(0)
    section.locator("[data-media-format=mot]").click()
    question.select_option("people")
    section.locator("summary", has_text="The same from a terminal").click()
    expect(section.locator("[data-media-cli=mot] pre code")).to_have_text(
        f"accord import {project} MOT17/train --format mot --question people --wait"
    )
    send = section.get_by_role("button", name="Send the zip and import")
    expect(send).to_be_disabled()

    # A zip whose gt.txt has a frame past the sequence: the job's refusal names file and line.
    with page.expect_file_chooser() as chooser:
        section.get_by_text("Choose the zip…").click()
    chooser.value.set_files(str(zipped(bad)))
    expect(section.locator("[data-media-zip-picked]")).to_contain_text("train.zip")
    send.click()
    refusal = section.get_by_role("alert")
    expect(refusal).to_contain_text(
        "train/SEQ-01/gt/gt.txt, line 54: frame 31 is past the sequence's 30 frames",
        timeout=60_000,
    )
    shot(page, tmp_path, "1-bad-gt")
    # Not a zip at all.
    with page.expect_file_chooser() as chooser:
        section.get_by_text("Choose the zip…").click()
    chooser.value.set_files(str(junk))
    send.click()
    expect(refusal).to_contain_text(
        "a MOT dataset is sent as a zip file, and this is not one", timeout=60_000
    )
    shot(page, tmp_path, "2-not-a-zip")
    assert tasks_of(people.url, token, project) == {}

    # The question picked is renamed meanwhile (another tab): the server's refusal, at once.
    renamed = {**VIDEO, "questions": [VIDEO["questions"][0], tracks_question("walkers", PEOPLE)]}
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as api:
        changed = api.patch(f"{people.url}/api/v1/projects/{project}", json={"interface": renamed})
        assert changed.status_code == 200, changed.text
    with page.expect_file_chooser() as chooser:
        section.get_by_text("Choose the zip…").click()
    chooser.value.set_files(str(zipped(good)))
    send.click()
    expect(refusal).to_contain_text("'people'")
    expect(refusal).to_contain_text("walkers")
    shot(page, tmp_path, "3-unknown-question")
    assert tasks_of(people.url, token, project) == {}

    # The page again: the good zip, one task, its tracks a prediction of the question picked.
    page.reload()
    section.locator("[data-media-format=mot]").click()
    question.select_option("walkers")
    with page.expect_file_chooser() as chooser:
        section.get_by_text("Choose the zip…").click()
    chooser.value.set_files(str(zipped(good)))
    send.click()
    report = section.locator(REPORT)
    expect(report).to_contain_text("Imported 1 task", timeout=90_000)
    expect(report.locator("[data-media-dataset-counts]")).to_contain_text(
        "Uploaded 1 video (1 new to the project's media, 1 made from frames): 2 tracks, "
        "22 keyframes from 53 rows."
    )
    expect(report).to_contain_text("Left out 1 row with conf 0 (ignored in MOT).")
    shot(page, tmp_path, "4-mot-report")
    # The Jobs page says the same of the import job, its row opened by mouse.
    page.goto(f"{people.url}/projects/{project}/jobs")
    page.locator("tr[data-job-row]").filter(has_text="1 created").locator(".job-toggle").click()
    expect(page.locator("[data-job-detail] [data-media-dataset-counts]")).to_contain_text(
        "2 tracks, 22 keyframes from 53 rows."
    )
    shot(page, tmp_path, "5-mot-job-detail")
    (task,) = tasks_of(people.url, token, project).values()
    assert task["task"]["external_id"] == "SEQ-01"
    assert task["task"]["data"]["clip"]["frames"] == 30
    (prediction,) = task["predictions"]
    assert prediction["model_version"] == "mot:SEQ-01"
    assert list(prediction["result"]) == ["walkers"]
    tracks = prediction["result"]["walkers"]["tracks"]
    assert sorted((t["id"], t["label"]) for t in tracks) == [("t1", "pedestrian"), ("t7", "car")]
    people.check()


def test_vtt_zip_by_keyboard(people: People, db: Database, tmp_path: Path) -> None:
    lead, token = make_user(db, LEAD[0], password=LEAD[1])
    project = make_project(db, lead, AUDIO).id
    folder = tmp_path / "subtitles"
    (folder / "talks").mkdir(parents=True)
    make_speech(folder / "hello.wav", "hello there general kenobi")
    make_speech(folder / "talks" / "bye.wav", "goodbye for now my friend")
    (folder / "hello.vtt").write_text(HELLO_VTT)
    (folder / "talks" / "bye.vtt").write_text(BYE_VTT)
    data = zipped(folder)

    page = people.page("lead")
    people.sign_in(page, *LEAD, then=f"/projects/{project}/import")
    section = page.locator(SECTION)
    expect(section.get_by_role("heading", name="Import an audio dataset")).to_be_visible()
    offered = section.locator("[data-media-format]").evaluate_all("rs => rs.map(r => r.value)")
    assert offered == ["rttm", "vtt", "srt"]

    # Tab to the formats (RTTM is checked), ArrowDown to WebVTT: its one question is named.
    tab_to(page, "[data-media-format=rttm]")
    page.keyboard.press("ArrowDown")
    expect(section.locator("[data-media-format=vtt]")).to_be_checked()
    expect(section.locator("[data-export-question-note]")).to_contain_text(
        "WebVTT holds one question: words"
    )
    expect(section.locator("[data-media-layout=vtt]")).to_contain_text(
        "talks/day1.vtt goes with talks/day1.wav"
    )
    # Tab to the zip's file input; Space opens the file chooser. (The window as it is, not a
    # full-page screenshot, which resizes the viewport just before the key: in one full run
    # the chooser never opened after it; not reproduced since, alone or under load.)
    tab_to(page, "[data-pick-media-zip]")
    page.screenshot(path=str(tmp_path / "shots" / "5-vtt-zip-focused.png"))
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(data))
    expect(section.locator("[data-media-zip-picked]")).to_contain_text("subtitles.zip")
    tab_to(page, "[data-import-media-zip]", limit=5)
    page.keyboard.press("Enter")
    report = section.locator(REPORT)
    expect(report).to_contain_text("Imported 2 tasks", timeout=90_000)
    expect(report.locator("[data-media-dataset-counts]")).to_have_text(
        "Uploaded 2 recordings (2 new to the project's media)."
    )
    shot(page, tmp_path, "6-vtt-report")

    tasks = tasks_of(people.url, token, project)
    assert sorted(tasks) == ["hello", "talks/bye"]
    (hello,) = tasks["hello"]["predictions"]
    segments = hello["result"]["words"]["segments"]
    assert [(s["id"], s["text"], s.get("speaker")) for s in segments] == [
        ("s1", "hello & there", "Ann"),
        ("s2", "general\nkenobi", None),
    ]
    (bye,) = tasks["talks/bye"]["predictions"]
    assert bye["result"]["words"]["segments"][0]["speaker"] == "Bob"
    assert tasks["hello"]["task"]["data"]["audio"]["duration"] > 1
    people.check()


def test_a_running_media_import_is_followed_in_its_section(
    people: People, db: Database
) -> None:
    """A MOT import another worker is running when the page opens: its progress shows in the
    video dataset's section (where it was started), not under the file of tasks."""
    lead, _ = make_user(db, LEAD[0], password=LEAD[1])
    project = make_project(db, lead, VIDEO).id
    with db.write() as session:
        job = do_start_job(
            session, lead, project, "import",
            {"key": "spool/imports/elsewhere.zip", "format": "mot", "filename": "seqs.zip",
             "size": 4 * MiB, "question": "people"},
            unit="bytes",
        )  # fmt: skip
        job_id: int = job.id
    with db.write() as session:
        assert do_claim_job(session, job_id, "worker-a:101") is not None
    with db.write() as session:
        do_beat_job(session, job_id, 1, done=MiB, total=4 * MiB)
    page = people.page("lead")
    people.sign_in(page, *LEAD, then=f"/projects/{project}/import")
    progress = page.get_by_role("region", name=f"Import job {job_id}")
    expect(page.locator(SECTION).get_by_text("is still running; here is how far it has got"))\
        .to_be_visible()
    expect(page.locator(SECTION).get_by_role("region", name=f"Import job {job_id}")).to_be_visible()
    expect(progress.locator("[data-job-progress]")).to_have_text("1.0 MiB of 4.0 MiB (25%)")
    expect(page.locator(".importer > [aria-label^='Import job']")).to_have_count(0)
    expect(page.get_by_role("button", name="Import", exact=True)).to_be_disabled()
    expect(page.locator(f"{SECTION} select")).to_be_disabled()  # the next import's question
    people.shot(page, "media-import-running-elsewhere", at=SECTION)
    people.check()


def test_no_section_without_video_or_audio(people: People, db: Database) -> None:
    lead, _ = make_user(db, LEAD[0], password=LEAD[1])
    text = {"fields": [{"name": "t", "kind": "text"}], "questions": [{"name": "q", "kind": "text"}]}
    project = make_project(db, lead, text).id
    page = people.page("lead")
    people.sign_in(page, *LEAD, then=f"/projects/{project}/import")
    expect(page.get_by_role("heading", name="Import tasks")).to_be_visible()
    expect(page.locator(SECTION)).to_have_count(0)
    people.check()


@pytest.fixture(autouse=True)
def _shots_folder(tmp_path: Path) -> None:
    (tmp_path / "shots").mkdir()
