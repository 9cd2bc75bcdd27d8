"""The dashboard's tracks figures in the browser (docs/metrics.md, "Tracks"): MOTA and IDF1 of
a tracks question against gold and between annotators, per annotator by name, sorted by
mouse and by keyboard."""

from __future__ import annotations

import time

import httpx
import orjson
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from accord.db import Database
from accord.models import GoldAnswer, Task, User
from tests.browser.conftest import People
from tests.browser.test_dashboard import column
from tests.factories import add_tasks, make_project, make_user

pytestmark = pytest.mark.browser

LEAD = ("lead@example.org", "lead password 1")
INTERFACE = {
    "fields": [{"name": "clip", "kind": "video"}],
    "questions": [
        {"name": "cars", "kind": "tracks", "target": "clip", "shape": "box", "labels": ["car"]}
    ],
}
BOX = {"x": 0, "y": 0, "w": 10, "h": 10}
WHOLE = {"cars": {"tracks": [{"id": "t1", "label": "car", "keyframes": [{"frame": 0, **BOX}]}]}}
HALF = {"cars": {"tracks": [{"id": "t1", "label": "car", "keyframes": [
    {"frame": 0, **BOX}, {"frame": 5, "outside": True}]}]}}  # fmt: skip
CAPTION = "MOTA and IDF1 per tracks question"


def test_mota_and_idf1_on_the_dashboard(people: People, db: Database) -> None:
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    members = {}
    tokens = {}
    for name in ("Ann", "Bo"):
        user, tokens[name] = make_user(db, f"{name.lower()}@example.org")
        members[user] = "annotator"
        with db.write() as session:
            row = session.get(User, user.id)
            assert row is not None
            row.name = name
    project = make_project(db, lead, INTERFACE, overlap=2, members=members)
    video = {"src": "https://example.org/clip.mp4", "frames": 10, "width": 64, "height": 48}
    add_tasks(db, lead, project, [{"id": f"v{i}", "clip": video} for i in (1, 2, 3)])
    api = people.url + "/api/v1"
    for name, token in tokens.items():
        with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {token}"}) as me:
            for _ in range(3):
                task = me.post(f"/projects/{project.id}/next").json()["task"]
                result = HALF if name == "Bo" and task["external_id"] != "v2" else WHOLE
                done = me.post(f"/tasks/{task['id']}/annotations", json={"result": result})
                assert done.status_code == 201, done.text
    with db.write() as session:
        gold = session.scalar(select(Task.id).where(Task.external_id == "v3"))
        assert gold is not None
        known = orjson.dumps(WHOLE).decode()
        session.add(GoldAnswer(task_id=gold, project_id=project.id, purpose="gold", result=known))
    # The figures come from the metrics job: ask once, and wait for its snapshot.
    with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {lead_token}"}) as me:
        deadline = time.monotonic() + 60
        while me.get(f"/projects/{project.id}/metrics?by=question").json()["computed_at"] is None:
            assert time.monotonic() < deadline, "the metrics job did not store a snapshot"
            time.sleep(0.2)

    page = people.page("lead")
    people.sign_in(page, *LEAD, then=f"/projects/{project.id}/dashboard")
    figures = page.locator("[data-tracks-figures]")
    expect(figures).to_be_visible()
    expect(figures.locator("tbody tr")).to_have_count(6)  # gold and pairs: all, Ann, Bo
    rows = list(
        zip(column(page, CAPTION, 2), column(page, CAPTION, 3), column(page, CAPTION, 5),
            column(page, CAPTION, 7), strict=True)
    )  # fmt: skip
    assert ("gold", "Bo", "0.500", "0.667") in rows
    assert ("gold", "all", "0.750", "0.833") in rows
    assert ("other annotators", "Ann", "0.500", "0.833") in rows
    assert ("other annotators", "all", "0.625", "0.833") in rows
    # Sort by MOTA mean with the mouse (largest first), then by keyboard (smallest first).
    header = figures.locator("th").filter(has_text="MOTA mean")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    assert column(page, CAPTION, 5)[0] == "1.000"
    header.get_by_role("button").focus()
    page.keyboard.press("Enter")
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert column(page, CAPTION, 5)[0] == "0.500"
    people.shot(page, "dashboard-tracks", at="[data-tracks-figures]")
    people.check()
