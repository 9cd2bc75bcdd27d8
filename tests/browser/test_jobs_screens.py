"""Background jobs in the browser, as a project's manager meets them: an import of a few
thousand rows goes as a job that the Import screen follows to its report (by mouse); a bad
file is refused with its rows (by keyboard), then retried skipping them; an import running on
another worker is found again after leaving the page, with its retry and log, and cancelled; an
export runs in the background and its file downloads; the Jobs page lists them all, follows
the active ones live, expands a job by keyboard and cancels a queued one with `c`.

Two jobs here are "on another worker": recorded through the job actions as another worker
would (claimed, beating, retried), with their heartbeat and their queue message put an hour
ahead so that this server's sweep leaves them alone. That makes a running and a queued job
that stay so until the test moves them, which a real job of a few thousand rows never does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import orjson
import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import update

from accord.actions.jobs import do_beat_job, do_claim_job, do_finish_job, do_retry_job, do_start_job
from accord.db import Database
from accord.db.types import utcnow
from accord.models import Job, JobState, Task, User
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user, texts

pytestmark = pytest.mark.browser

LEAD = ("lead@example.org", "lead password 1")
ANN = ("ann@example.org", "annotator password 1")
ROWS = 3000
MiB = 1024 * 1024


def jsonl(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(row) + b"\n" for row in rows)


def setup(db: Database, tasks: int = 0) -> tuple[User, int, str]:
    """The lead (a manager), an annotator, a project with ``tasks`` tasks; the lead's token."""
    lead, token = make_user(db, LEAD[0], password=LEAD[1], can_create_projects=True)
    ann, _ = make_user(db, ANN[0], password=ANN[1])
    project = make_project(db, lead, members={ann: "annotator"})
    if tasks:
        add_tasks(db, lead, project, texts(tasks))
    return lead, project.id, token


def ahead(db: Database, job_id: int) -> None:
    """Keep this server's sweep off a job another worker has (or no worker took yet)."""
    later = utcnow() + dt.timedelta(hours=1)
    with db.write() as session:
        session.execute(
            update(Job).where(Job.id == job_id).values(heartbeat_at=later, sent_at=later)
        )


def running_elsewhere(db: Database, lead: User, project_id: int) -> int:
    """An import another worker runs: its first worker died (a retry, a log line), the second
    has read 18 of 48 MiB in the minute since the job started."""
    with db.write() as session:
        job = do_start_job(
            session,
            lead,
            project_id,
            "import",
            {
                "key": "spool/imports/elsewhere.jsonl",
                "format": "jsonl",
                "filename": "big.jsonl",
                "size": 48 * MiB,
            },
            unit="bytes",
        )
        job_id: int = job.id
    with db.write() as session:
        assert do_claim_job(session, job_id, "worker-a:101") is not None
    with db.write() as session:
        found = session.get(Job, job_id)
        assert found is not None
        assert do_retry_job(session, found, "its worker (worker-a:101) stopped answering")
    with db.write() as session:
        claim = do_claim_job(session, job_id, "worker-b:202")
        assert claim is not None and claim.attempt == 2
        do_beat_job(
            session,
            job_id,
            2,
            done=18 * MiB,
            total=48 * MiB,
            unit="bytes",
            phase="checking and staging rows",
        )
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(started_at=utcnow() - dt.timedelta(seconds=60))
        )
    ahead(db, job_id)
    return job_id


def tab_to(page: Page, target: Locator, most: int = 40) -> None:
    """Press Tab until ``target`` has the focus (as a keyboard user would)."""
    for _ in range(most):
        if target.evaluate("e => e === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def nav(page: Page, name: str) -> Locator:
    return page.get_by_role("navigation", name="Project").get_by_role("link", name=name)


def count(report: Locator, label: str) -> Locator:
    return report.locator(".report-count", has_text=label).locator("dd")


def test_the_import_screen_follows_import_jobs(people: People, db: Database) -> None:
    lead, project_id, _ = setup(db)
    page = people.page("manager")
    people.sign_in(page, *LEAD, then=f"/projects/{project_id}/import")
    expect(page.get_by_role("heading", name="Import tasks")).to_be_visible()

    # By mouse: choose a file of a few thousand rows, import it, read the job's report.
    rows = [{"id": f"r{i}", "text": f"Row number {i} of the big file."} for i in range(ROWS)]
    with page.expect_file_chooser() as chooser:
        page.get_by_text("choose a file…").click()
    chooser.value.set_files(
        {"name": "rows.jsonl", "mimeType": "application/x-ndjson", "buffer": jsonl(rows)}
    )
    expect(page.locator(".drop-file")).to_contain_text("rows.jsonl")
    page.get_by_role("button", name="Import", exact=True).click()
    report = page.get_by_role("region", name="Import report")
    expect(count(report, "Tasks created")).to_have_text(f"{ROWS:,}")
    expect(count(report, "Duplicates")).to_have_text("0")
    expect(report).to_contain_text(f"Imported {ROWS:,} tasks.")
    people.shot(page, "import-job-report")
    with db.read() as session:
        assert session.query(Task).count() == ROWS

    # By keyboard: a file with two bad rows is refused, naming them; then retried skipping them.
    bad: list[dict[str, Any]] = [{"id": f"b{i}", "text": f"Fine row {i}."} for i in range(40)]
    bad[4] = {"id": "b4", "txt": "no text field"}
    bad[30] = {"id": "b30", "text": 12}
    file_input = page.locator("input[type=file]")
    tab_to(page, file_input)
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(
        {"name": "bad.jsonl", "mimeType": "application/x-ndjson", "buffer": jsonl(bad)}
    )
    tab_to(page, page.get_by_role("button", name="Import", exact=True))
    page.keyboard.press("Enter")
    refused = page.locator(".row-errors")
    expect(page.get_by_text("Import refused: 2 bad lines.")).to_be_visible()
    expect(refused.locator("tbody tr")).to_have_count(2)
    expect(refused.locator("tbody tr").first.locator("td").first).to_have_text("5")
    expect(refused.locator("tbody tr").nth(1).locator("td").first).to_have_text("31")
    expect(page.get_by_role("alert")).to_contain_text("line 5")
    people.shot(page, "import-job-refused")
    tab_to(page, page.get_by_role("button", name="Retry, skipping invalid rows"))
    page.keyboard.press("Enter")
    expect(count(report, "Tasks created")).to_have_text("38")
    expect(count(report, "Invalid rows skipped")).to_have_text("2")
    expect(report.locator(".row-errors tbody tr")).to_have_count(2)
    people.shot(page, "import-job-skipped")

    # An import running on another worker: the Jobs page follows it live; leave the Import
    # page, come back, and it is there.
    job_id = running_elsewhere(db, lead, project_id)
    nav(page, "Data").click()
    expect(page.locator(".data-summary")).to_contain_text(f"{ROWS + 38:,} tasks")
    nav(page, "Jobs").click()
    running = page.locator(f"tr[data-job-row='{job_id}']")
    expect(running).to_contain_text("18.0 MiB of 48.0 MiB (37%)")
    expect(running).to_contain_text("Retry: attempt 2 of 3")
    with db.write() as session:  # the worker gets on
        assert do_beat_job(session, job_id, 2, done=24 * MiB) is False
    ahead(db, job_id)
    expect(running).to_contain_text("24.0 MiB of 48.0 MiB (50%)")
    people.shot(page, "jobs-running")
    nav(page, "Import").click()
    progress = page.get_by_role("region", name=f"Import job {job_id}")
    expect(page.get_by_text("is still running; here is how far it has got")).to_be_visible()
    expect(progress.locator("[data-job-progress]")).to_have_text("24.0 MiB of 48.0 MiB (50%)")
    expect(progress).to_contain_text("Running · checking and staging rows")
    expect(progress).to_contain_text("Retry: attempt 2 of 3")
    expect(progress).to_contain_text("stopped answering")
    expect(progress).to_contain_text("left")  # the rate and the time left
    expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", str(24 * MiB))
    expect(page.get_by_role("button", name="Import", exact=True)).to_be_disabled()
    people.shot(page, "import-job-running-elsewhere")

    # Cancel it by keyboard: the dialog starts on the safe answer; its worker then stops.
    tab_to(page, progress.get_by_role("button", name=f"Cancel import job {job_id}"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=f"Cancel import job {job_id}?")
    expect(dialog).to_contain_text("nothing is imported")
    expect(dialog.get_by_role("button", name="Keep the job")).to_be_focused()
    people.shot(page, "import-job-cancel-dialog")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(progress).to_contain_text("Cancelling")
    with db.write() as session:  # the worker's next step sees the cancel and stops
        assert do_beat_job(session, job_id, 2, done=25 * MiB) is True
        assert do_finish_job(session, job_id, 2, JobState.cancelled) is not None
    expect(page.get_by_text("Import cancelled: nothing was imported.")).to_be_visible()
    expect(page.locator("input[type=file]")).to_be_enabled()  # free to import another file
    people.shot(page, "import-job-cancelled")

    # The Jobs page lists the four imports, newest first; the cancelled one says it all.
    nav(page, "Jobs").click()
    table = page.locator(".jobs-table")
    expect(table.locator("tr[data-job-row]")).to_have_count(4)
    states = [
        table.locator("tr[data-job-row]").nth(i).get_attribute("data-state") for i in range(4)
    ]
    assert states == ["cancelled", "succeeded", "failed", "succeeded"]
    expect(table.locator("tr[data-job-row]").nth(1)).to_contain_text("38 created · 2 skipped")
    expect(table.locator("tr[data-job-row]").nth(2)).to_contain_text("line 5")
    expect(table.locator("tr[data-job-row]").nth(3)).to_contain_text(f"{ROWS:,} created")
    people.shot(page, "jobs-imports")
    people.check()


def test_exports_run_as_jobs_and_the_jobs_page_follows_them(people: People, db: Database) -> None:
    lead, project_id, token = setup(db, tasks=300)
    page = people.page("manager")
    people.sign_in(page, *LEAD, then=f"/projects/{project_id}/export")

    # Export in the background with a filter, follow it, download its file: the same file
    # as the direct download with that filter.
    page.get_by_label("Task status").select_option("new")
    with page.expect_download() as streamed:
        page.locator("[data-export-link]").click()
    direct = streamed.value.path().read_bytes()
    page.get_by_role("button", name="Export in the background").click()
    ready = page.locator("[data-export-file]")
    expect(ready).to_have_text(f"project-{project_id}.jsonl")
    expect(page.get_by_text("Export ready")).to_contain_text("300 tasks")
    people.shot(page, "export-job-ready", at=".export-background")
    with page.expect_download() as download:
        page.get_by_role("status").filter(has_text="Export ready").get_by_role(
            "link", name="Download"
        ).click()
    assert download.value.suggested_filename == f"project-{project_id}.jsonl"
    body = download.value.path().read_bytes()
    assert body == direct and len(body.splitlines()) == 300
    recent = page.locator(".export-jobs")
    expect(recent.locator("tbody tr")).to_have_count(1)
    expect(recent.locator("tbody tr").first).to_contain_text("Succeeded")
    expect(recent.get_by_role("link", name=f"Download project-{project_id}.jsonl")).to_be_visible()

    # The Jobs page: the export; an export no worker has taken yet (queued), cancelled by `c`.
    with db.write() as session:
        queued = do_start_job(
            session, lead, project_id, "export", {"format": "csv"}, unit="bytes"
        ).id
    ahead(db, queued)
    nav(page, "Jobs").click()
    rows = page.locator(".jobs-table tr[data-job-row]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-state", "queued")
    expect(rows.first).to_contain_text("waiting")
    people.shot(page, "jobs-queued")

    # Live: an import started elsewhere (the API) appears and finishes while the page is open.
    with httpx.Client(
        base_url=f"{people.url}/api/v1", headers={"Authorization": f"Bearer {token}"}
    ) as api:
        started = api.post(
            f"/projects/{project_id}/imports",
            params={"background": "true", "format": "jsonl"},
            content=jsonl([{"id": "late", "text": "Imported by a script."}]),
        )
        assert started.status_code == 202, started.text
    imported = page.locator(f"tr[data-job-row='{started.json()['id']}']")
    expect(imported).to_have_attribute("data-state", "succeeded")
    expect(imported).to_contain_text("1 created")

    # By keyboard: on the queued export, `c` cancels it; the next row down opens with Enter.
    page.locator(f"tr[data-job-row='{queued}']").focus()
    page.keyboard.press("c")
    dialog = page.get_by_role("dialog", name=f"Cancel export job {queued}?")
    expect(dialog).to_contain_text("It has not started: it will not run.")
    people.shot(page, "jobs-cancel-dialog")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(f"tr[data-job-row='{queued}']")).to_have_attribute(
        "data-state", "cancelled"
    )
    expect(page.locator(f"tr[data-job-row='{queued}']")).to_be_focused()
    page.keyboard.press("ArrowDown")
    export_row = rows.nth(2)
    expect(export_row).to_be_focused()
    page.keyboard.press("Enter")
    detail = page.locator("[data-job-detail]")
    expect(detail).to_contain_text(f"project-{project_id}.jsonl")
    expect(detail).to_contain_text("300 tasks")
    people.shot(page, "jobs-export-expanded")
    with page.expect_download() as again:
        detail.get_by_role("link", name=f"Download project-{project_id}.jsonl").click()
    assert again.value.path().read_bytes() == direct
    export_row.focus()
    page.keyboard.press("Enter")
    expect(detail).to_have_count(0)

    # Once its file expired (ACCORD_EXPORT_KEEP_HOURS), the file is no longer offered.
    with db.write() as session:
        session.execute(
            update(Job)
            .where(Job.kind == "export", Job.state == JobState.succeeded.value)
            .values(expired_at=utcnow())
        )
    page.goto(f"{people.url}/projects/{project_id}/export")
    expired = page.locator(".export-jobs [data-export-expired]")
    expect(expired).to_contain_text("File deleted")
    expect(page.locator(".export-jobs [data-download-job]")).to_have_count(0)
    people.shot(page, "export-expired", at=".export-background")

    # Annotators do not see jobs.
    annotator = people.page("annotator")
    people.sign_in(annotator, *ANN, then=f"/projects/{project_id}/jobs")
    expect(
        annotator.get_by_role("heading", name="You don't have access to this page")
    ).to_be_visible()
    people.check()
