"""Report a problem, as people do it: an annotator opens the dialog by mouse and by keyboard on
the annotate screen (the screen's own keys stay quiet behind it), sees the context gathered
(the task's id, a recent error and a failed request, never the task's text), adds a screenshot
and sends it; an admin sees it with its context and screenshot and sets its status; the
annotator sees the status in My reports."""

from __future__ import annotations

import base64

import pytest
from playwright.sync_api import Route, expect
from sqlalchemy import select

from accord.db import Database
from accord.models import ProblemReport
from tests.browser.annotating import sit_down
from tests.browser.conftest import SHOTS, People
from tests.factories import make_user

pytestmark = pytest.mark.browser

ADMIN = ("root@example.org", "admin password 12")
SECRET = "Confidential prompt about the merger"
INTERFACE = {
    "fields": [{"name": "text", "kind": "text", "label": "Prompt"}],
    "questions": [{"name": "label", "kind": "choice", "options": ["pos", "neg"]}],
}


def _refuse_limits(route: Route) -> None:
    route.fulfill(
        status=429,
        content_type="application/json",
        body='{"error": {"code": "rate_limited", "message": "slow down", "details": null}}',
    )


def test_report_a_problem_end_to_end(people: People, db: Database) -> None:
    make_user(db, ADMIN[0], admin=True, password=ADMIN[1])
    rows = [{"id": "t1", "text": SECRET}]
    with sit_down(people, db, INTERFACE, rows) as desk:
        page = desk.page
        task_id = desk.task_id()
        expect(page.locator(".task-data")).to_contain_text(SECRET)
        # A client-side error, and (below) a failed request, for the report to carry.
        page.evaluate("setTimeout(() => { throw new Error('boom for the report') }, 0)")
        page.evaluate("() => new Promise((done) => setTimeout(done, 0))")  # after the throw

        # By mouse: the top bar's button (its title names the key); the first request the
        # dialog makes is refused, so there is a failed request to report.
        page.route("**/api/v1/problem-reports/limits", _refuse_limits)
        button = page.get_by_role("button", name="Report a problem")
        expect(button).to_have_attribute("title", "Report a problem (Ctrl+Shift+E)")
        button.click()
        dialog = page.get_by_role("dialog", name="Report a problem")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_label("What happened? What did you expect?")).to_be_focused()
        expect(dialog.locator(".report-keys")).to_contain_text("Shift")
        # The annotate screen's keys stay quiet behind the dialog (g: guidelines, s: skip).
        dialog.get_by_label("Include the task's content", exact=False).focus()
        page.keyboard.press("g")
        page.keyboard.press("s")
        expect(page.locator(".guidelines-panel, .skip-dialog")).to_have_count(0)
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        page.unroute("**/api/v1/problem-reports/limits")

        # By keyboard, from anywhere.
        page.keyboard.press("Control+Shift+E")
        expect(dialog).to_be_visible()
        page.keyboard.type("Submit spun forever after I picked a label.")
        dialog.get_by_text("What is sent with it").click()
        context = dialog.get_by_test_id("report-context")
        expect(context).to_contain_text(f'"task_id": {task_id}')
        expect(context).to_contain_text("boom for the report")
        expect(context).to_contain_text('"path": "/problem-reports/limits"')
        expect(context).not_to_contain_text(SECRET)
        page.keyboard.press("Alt+s")
        preview = dialog.get_by_role("img", name="Screenshot to be sent with the report")
        expect(preview).to_be_visible()
        expect(dialog).to_contain_text("The task's content is left out.")
        people.shot(page, "dialog-with-screenshot")
        page.keyboard.press("Control+Enter")
        expect(dialog.get_by_role("status")).to_contain_text("sent, thank you")
        people.shot(page, "sent")
        page.keyboard.press("Escape")
        # The expected page error from above; nothing else may have gone wrong.
        people.problems[:] = [p for p in people.problems if "boom for the report" not in p]

    with db.read() as session:
        report = session.scalars(select(ProblemReport)).one()
    assert report.task_id == task_id and report.project_id == desk.project_id
    assert report.screenshot_key is not None and report.screenshot_type == "image/jpeg"
    assert SECRET not in str(report.context)
    assert report.context["failed_requests"][0]["status"] == 429
    assert report.context["browser"]["viewport"] == [1440, 900]

    # The admin: the list, the report with its context and screenshot; set its status.
    admin = people.page("admin")
    people.sign_in(admin, *ADMIN, then="/admin/problem-reports")
    admin.get_by_role("button", name=f"#{report.id}").click()
    detail = admin.get_by_role("article", name=f"Report {report.id}")
    expect(detail).to_contain_text("Submit spun forever")
    expect(detail).to_contain_text("boom for the report")
    expect(detail).to_contain_text("GET /problem-reports/limits")
    shot = detail.get_by_role("img", name=f"Screenshot of report {report.id}")
    expect(shot).to_be_visible()
    admin.wait_for_function(
        "() => { const i = document.querySelector('.report-detail img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    saved = admin.evaluate(
        "async (u) => { const r = await fetch(u); const b = new Uint8Array(await r.arrayBuffer());"
        " let s = ''; for (const x of b) s += String.fromCharCode(x); return btoa(s); }",
        f"/api/v1/problem-reports/{report.id}/screenshot",
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"{people.name}-stored-screenshot.jpg").write_bytes(base64.b64decode(saved))
    detail.get_by_label("Status").select_option("in_progress")
    detail.get_by_label("Notes (admins only)").fill("Reproduced; fixing the submit spinner.")
    admin.keyboard.press("Control+Enter")
    expect(detail.get_by_role("status")).to_contain_text("Saved")
    expect(admin.locator(".reports-list")).to_contain_text("In progress")
    people.shot(admin, "admin-triage")

    # The reporter sees the status (not the admins' notes).
    page.goto(f"{people.url}/problem-reports")
    expect(page.locator(".reports-list")).to_contain_text("In progress")
    page.keyboard.press("j")
    mine = page.get_by_role("article", name=f"Report {report.id}")
    expect(mine).to_contain_text("In progress")
    expect(mine).not_to_contain_text("Reproduced")
    people.shot(page, "my-reports")
    people.check()
