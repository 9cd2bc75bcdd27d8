"""The project dashboard in the browser: a manager opens it from the project's tabs, sorts
its tables by mouse and by keyboard, switches day/week with shortcuts, picks an annotator's
confusion matrix, downloads CSV and JSON, and watches it fill as annotators work; a reviewer
sees it too; an annotator sees only their own figures in My work, and no dashboard."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from accord.db import Database
from accord.models import User
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user, texts

pytestmark = pytest.mark.browser

LEAD = ("lead@example.org", "lead password 1")
ANN = ("ann@example.org", "annotator password 1")
BO = ("bo@example.org", "annotator password 2")
REV = ("rev@example.org", "reviewer password 1")
INTERFACE = {
    "fields": [{"name": "text", "kind": "text", "label": "Review"}],
    "questions": [
        {
            "name": "sentiment",
            "kind": "choice",
            "label": "Sentiment",
            "options": ["positive", "negative", "neutral"],
            "required": True,
        },
    ],
}


def http(url: str, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def submit(me: httpx.Client, project_id: int, choice: str, seconds: float) -> dict[str, Any]:
    task = me.post(f"/projects/{project_id}/next").json()["task"]
    body = {"result": {"sentiment": {"choice": choice}}, "seconds": seconds}
    done = me.post(f"/tasks/{task['id']}/annotations", json=body)
    assert done.status_code == 201, done.text
    out: dict[str, Any] = done.json()["annotation"]
    return out


def decide_all(lead: httpx.Client, project_id: int, reject: int) -> None:
    """Decide every review: reject the first ``reject``, accept the rest."""
    while True:
        found = lead.post(f"/projects/{project_id}/reviews/next").json()
        if found["review"] is None:
            return
        body: dict[str, Any] = {"version": found["annotation"]["version"], "decision": "accept"}
        if reject > 0:
            body = {**body, "decision": "reject", "comment": "read the guidelines again"}
            reject -= 1
        assert lead.post(f"/reviews/{found['review']['id']}/decision", json=body).is_success


def column(page: Page, caption: str, index: int) -> list[str]:
    table = page.locator("table.metrics-table").filter(
        has=page.locator(f"caption:has-text('{caption}')")
    )
    return table.locator(f"tbody tr td:nth-child({index})").all_inner_texts()


def test_the_dashboard_by_mouse_and_keyboard(people: People, db: Database) -> None:
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    ann, ann_token = make_user(db, ANN[0], password=ANN[1])
    bo, bo_token = make_user(db, BO[0], password=BO[1])
    rev, _ = make_user(db, REV[0], password=REV[1])
    with db.write() as session:
        for user, name in ((ann, "Ann"), (bo, "Bo"), (rev, "Rev"), (lead, "Lead")):
            row = session.get(User, user.id)
            assert row is not None
            row.name = name
    members = {ann: "annotator", bo: "annotator", rev: "reviewer"}
    project = make_project(db, lead, INTERFACE, overlap=2, members=members, review_share=1.0)
    add_tasks(db, lead, project, texts(8))
    as_ann, as_bo, as_lead = (http(people.url, t) for t in (ann_token, bo_token, lead_token))
    try:
        watch_the_dashboard(people, project.id, as_ann, as_bo, as_lead)
    finally:
        for client in (as_ann, as_bo, as_lead):
            client.close()


def watch_the_dashboard(
    people: People,
    project_id: int,
    as_ann: httpx.Client,
    as_bo: httpx.Client,
    as_lead: httpx.Client,
) -> None:
    for choice in ("positive", "positive", "negative", "neutral"):
        submit(as_ann, project_id, choice, 30)  # 120 tasks per hour
    for choice in ("positive", "negative", "negative"):
        submit(as_bo, project_id, choice, 90)  # 40 tasks per hour
    decide_all(as_lead, project_id, reject=1)

    # The manager goes from the project's data page to its Dashboard tab, by mouse.
    page = people.page("manager")
    people.sign_in(page, *LEAD, then=f"/projects/{project_id}/data")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.locator(".metric-tile").filter(has_text="Annotations")).to_contain_text("7")
    expect(page.locator("canvas[role=img]").first).to_be_visible()
    # The per-question figures come from the background snapshot: R reads them again.
    for _ in range(30):
        page.keyboard.press("r")
        if page.locator(".question-card").count():
            break
        page.wait_for_timeout(500)
    expect(page.locator(".question-card")).to_have_count(1)
    people.shot(page, "dashboard-top")

    names = column(page, "Figures per annotator", 1)
    assert sorted(names) == ["Ann", "Bo"]
    # Sort by throughput with the mouse: largest first, then again for smallest first.
    table = page.locator("#per-annotator + * table, section[aria-labelledby=per-annotator] table")
    header = table.first.locator("th").filter(has_text="Tasks/h")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    assert column(page, "Figures per annotator", 1) == ["Ann", "Bo"]
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert column(page, "Figures per annotator", 1) == ["Bo", "Ann"]
    # By keyboard: Tab to the Annotator header and sort with Enter, then Space.
    by_name = table.first.locator("th").filter(has_text="Annotator")
    by_name.get_by_role("button").focus()
    page.keyboard.press("Enter")
    expect(by_name).to_have_attribute("aria-sort", "ascending")
    assert column(page, "Figures per annotator", 1) == ["Ann", "Bo"]
    page.keyboard.press("Space")
    expect(by_name).to_have_attribute("aria-sort", "descending")
    assert column(page, "Figures per annotator", 1) == ["Bo", "Ann"]
    people.shot(page, "dashboard-per-annotator", at="#per-annotator")

    # Shortcuts: W shows weeks, D days again (the focus is on no field).
    page.locator("h1").click()
    page.keyboard.press("w")
    expect(page.get_by_role("button", name="Per week")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("th").filter(has_text="Week of")).to_have_count(1)
    page.get_by_role("button", name="Per day").click()  # and by mouse
    expect(page.locator("th").filter(has_text="Day")).to_have_count(1)

    # The confusion matrix of each annotator: chosen with the keyboard in the select.
    card = page.locator(".question-card")
    picker = card.get_by_label("Confusion matrix of")
    first_choice = picker.input_value()
    picker.focus()
    page.keyboard.press("ArrowDown")
    expect(picker).not_to_have_value(first_choice)
    expect(card.locator(".confusion-table caption")).to_contain_text("answer")
    people.shot(page, "dashboard-per-question", at="#per-question")

    # Downloads: CSV by mouse, JSON by keyboard.
    downloads = page.locator(".download-list li").first
    with page.expect_download() as got:
        downloads.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(got.value.path().read_text(encoding="utf-8"))))
    assert sorted(r["annotator"] for r in rows) == [ANN[0], BO[0]]
    downloads.get_by_role("link", name="JSON").focus()
    with page.expect_download() as got:
        page.keyboard.press("Enter")
    data = json.loads(got.value.path().read_text(encoding="utf-8"))
    assert data["by"] == "annotator" and len(data["rows"]) == 2

    # It fills as people work: one more submission shows up at the next refresh (every 15 s,
    # without anyone pressing anything).
    tile = page.locator(".metric-tile").filter(has_text="Annotations")
    submit(as_bo, project_id, "positive", 60)
    expect(tile).to_contain_text("8", timeout=25_000)

    # A reviewer sees the dashboard too (by name; emails are for managers).
    reviewer = people.page("reviewer")
    people.sign_in(reviewer, *REV, then=f"/projects/{project_id}/dashboard")
    expect(reviewer.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(reviewer.locator("table.metrics-table").nth(1)).to_contain_text("Ann")

    # An annotator: their own figures in My work, and the dashboard is not for them.
    annotator = people.page("annotator")
    people.sign_in(annotator, *ANN, then=f"/projects/{project_id}/mine")
    figures = annotator.locator(".my-figures")
    expect(figures.locator(".metric-tile").filter(has_text="Submitted")).to_contain_text("4")
    expect(figures.locator(".metric-tile").filter(has_text="Tasks per hour")).to_contain_text(
        "120.0"
    )
    figures.locator("summary").focus()
    annotator.keyboard.press("Enter")  # the per-day table opens by keyboard
    expect(figures.locator("table")).to_be_visible()
    figures.locator("th").filter(has_text="Submitted").get_by_role("button").click()
    expect(figures.locator("th").filter(has_text="Submitted")).to_have_attribute(
        "aria-sort", "descending"
    )
    assert "Bo" not in figures.inner_text()
    people.shot(annotator, "my-figures", at=".my-figures")
    annotator.goto(f"{people.url}/projects/{project_id}/dashboard")
    expect(
        annotator.get_by_text("This page is for the project's managers and reviewers")
    ).to_be_visible()
    people.check()
