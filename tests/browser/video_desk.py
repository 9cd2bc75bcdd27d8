"""An annotator at a video task: the lead's project with the given interface, one task whose
``clip`` is a generated video of ``frames`` frames (uploaded, its frames job done), and the
annotator's page open on it with the player ready (the video browser tests share it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
from playwright.sync_api import Page, expect

from accord.db import Database
from accord.models import Project
from tests.browser.conftest import People
from tests.browser.test_video_player import upload
from tests.factories import add_tasks, make_project, make_user
from tests.media.video_samples import make_video

LEAD = ("lead@example.org", "lead password 1")
ANNOTATOR = ("ann@example.org", "annotator password 1")
PLAYER = "[data-video-field=clip]"


@dataclass
class VideoDesk:
    page: Page
    project: Project
    lead_token: str


def sit_at_video(
    people: People,
    db: Database,
    tmp_path: Path,
    interface: dict[str, Any],
    frames: int,
    stage: str = ".tracks-stage",
) -> VideoDesk:
    """The annotator's page on the video task, frame 0 drawn on ``stage``."""
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, interface, members={annotator: "annotator"})
    src = upload(people.url, lead_token, project.id, make_video(tmp_path / "clip.mp4", frames))
    add_tasks(db, lead, project, [{"id": "v1", "clip": src}])
    page = people.page("annotator")
    page.set_viewport_size({"width": 1400, "height": 1000})
    people.sign_in(page, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    expect(page.locator(PLAYER)).to_have_attribute("data-frames", str(frames))
    expect(page.locator(stage)).to_have_attribute("data-stage-frame", "0")
    return VideoDesk(page, project, lead_token)


def submitted_result(people: People, desk: VideoDesk) -> dict[str, Any]:
    """Submit the task (Ctrl+Enter) and read back, through the export, the one annotation's
    result the server stored."""
    desk.page.keyboard.press("Control+Enter")
    expect(desk.page.get_by_role("heading", name="All done here")).to_be_visible(timeout=15_000)
    with httpx.Client(
        base_url=people.url + "/api/v1", headers={"Authorization": f"Bearer {desk.lead_token}"}
    ) as client:
        lines = client.get(f"/projects/{desk.project.id}/export", params={"format": "jsonl"})
    [task] = [orjson.loads(line) for line in lines.content.splitlines() if line.strip()]
    [annotation] = task["annotations"]
    result: dict[str, Any] = annotation["result"]
    return result
