"""The whole life of a small project in the browser, as the people who run it would do it.

A manager signs in, creates a project with the interface editor (choice, spans, free text,
pairwise), imports a file (one bad row: refused, then retried skipping it), adds an
annotator. The annotator labels 20 tasks with the keyboard only, reloads mid-task and finds
the draft restored, skips one. The manager sees the progress, filters the data, opens a task,
and exports: the export holds exactly what was typed, field by field.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import orjson
import pytest
from playwright.sync_api import Locator, Page, expect

from accord.db import Database
from tests.browser.conftest import People
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.postgres]  # the PostgreSQL pass runs it too

LEAD = ("lead@example.org", "lead password 1")
ANNOTATOR = ("ann@example.org", "annotator password 1")
LABELLED = 20
RELOAD_AT = 4  # the task (by position) that is reloaded half-done
SKIP_AT = 10  # the task (by position) that is skipped
IMPORTED = 22

INTERFACE = """\
fields:
  - {name: text, kind: text, label: Sentence}
  - {name: responses, kind: text_list, min_items: 2, max_items: 2, label: Replies}
questions:
  - {name: sentiment, kind: choice, options: [positive, neutral, negative], required: true}
  - {name: entities, kind: spans, target: text, labels: [PER, ORG]}
  - {name: better, kind: pairwise, target: responses, required: true}
  - {name: note, kind: text, label: Why}
"""
PEOPLE = ["Alice Smith", "Bruno Diaz", "Chen Wei", "Dana Levi"]
ORGS = ["Acme Corp", "Globex Inc", "Initech Ltd"]
OPTIONS = ["positive", "neutral", "negative"]


def task_rows() -> list[dict[str, Any]]:
    rows = []
    for i in range(IMPORTED):
        person, org = PEOPLE[i % len(PEOPLE)], ORGS[i % len(ORGS)]
        rows.append({
            "id": f"s-{i:02d}",
            "text": f"{person} works at {org} in Paris, case {i}.",
            "responses": [f"Reply A to case {i}.", f"Reply B to case {i}, longer."],
        })
    return rows


def import_file(rows: list[dict[str, Any]]) -> bytes:
    lines = [orjson.dumps(row) for row in rows]
    lines.insert(7, b'{"id": "bad", "responses": ["only one"]}')  # line 8: no text, one reply
    return b"\n".join(lines) + b"\n"


def expected_answer(n: int, text: str) -> dict[str, Any]:
    """What the annotator's keys make for the n-th labelled task."""
    person = text.split(" works at ")[0]
    org = text.split(" works at ")[1].split(" in Paris")[0]
    start = text.index(org)
    return {
        "sentiment": {"choice": OPTIONS[n % 3]},
        "entities": {"spans": [
            {"start": 0, "end": len(person), "label": "PER", "text": person},
            {"start": start, "end": start + len(org), "label": "ORG", "text": org},
        ]},
        "better": {"choice": "AB"[n % 2], "strength": n % 3 + 1},
        "note": {"text": f"Reply {'AB'[n % 2]} is clearer, note {n}."},
    }


def test_manager_and_annotator_run_a_project(people: People, db: Database) -> None:
    make_user(db, LEAD[0], password=LEAD[1], can_create_projects=True)
    make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    rows = task_rows()

    lead = people.page("manager")
    people.sign_in(lead, *LEAD)
    project_id = create_project(people, lead)
    import_tasks(people, lead, project_id, rows)
    add_annotator(people, lead, project_id)

    annotator = people.page("annotator")
    people.sign_in(annotator, *ANNOTATOR, then=f"/projects/{project_id}/annotate")
    entered, skipped = label_tasks(people, annotator)
    assert len(entered) == LABELLED

    watch_progress(people, lead, project_id, entered, skipped)
    exported = export_jsonl(people, lead, project_id)
    by_id = {task["id"]: task for task in exported}
    assert len(exported) == IMPORTED
    for task_id, answer in entered.items():
        annotations = by_id[task_id]["annotations"]
        assert len(annotations) == 1, task_id
        assert annotations[0]["annotator"] == ANNOTATOR[0]
        assert annotations[0]["result"] == answer, task_id
        assert by_id[task_id]["status"] == "complete"
    assert by_id[skipped]["annotations"] == []
    check_csv(lead, project_id, entered, by_id)
    change_settings(people, lead)
    people.check()


def create_project(people: People, page: Page) -> int:
    page.get_by_role("link", name="New project").click()
    expect(page.get_by_role("heading", name="New project")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Support replies")
    page.get_by_label("Description").fill("Sentiment, names and the better reply.")
    page.get_by_label("Overlap").fill("1")
    page.get_by_label("Guidelines (Markdown)").fill(
        "# Rules\n\n1. **PER** is a person.\n2. **ORG** a company.")
    expect(page.locator(".guidelines-rendered strong").first).to_have_text("PER")
    editor = page.get_by_label("Interface (YAML or JSON)")

    # A mistake the browser sees at once: a target that is not a field; its line is marked.
    editor.fill(INTERFACE.replace("target: text,", "target: txt,"))
    problem = page.locator(".iface-problem").first
    expect(problem).to_contain_text("no field named \"txt\"")
    expect(problem.locator(".iface-goto")).to_have_text("line 6")
    expect(page.locator(".iface-lineno-bad")).to_have_text("6")
    people.shot(page, "new-project-browser-error", at="#interface-title")

    # One only the server sees: refused with its path, shown next to the line.
    editor.fill(INTERFACE.replace("label: Why}", "label: Why, min_length: -5}"))
    page.get_by_role("button", name="Create project").click()
    server_problem = page.locator(".iface-problem-server").first
    expect(server_problem).to_contain_text("questions[3].min_length")
    expect(server_problem.locator(".iface-goto")).to_have_text("line 8")
    people.shot(page, "new-project-server-error", at="#interface-title")

    editor.fill(INTERFACE)
    expect(page.locator(".iface-problem:not(.iface-problem-stale)")).to_have_count(0)
    preview = page.locator(".iface-preview")
    for title in ("sentiment", "entities", "better", "Why"):
        expect(preview.locator(".question-title", has_text=title)).to_be_visible()
    expect(preview.locator(".span-label-button")).to_have_count(2)
    people.shot(page, "new-project-ready", at="#interface-title")
    page.keyboard.press("Control+s")
    page.wait_for_url("**/import?created=1")
    return int(page.url.split("/projects/")[1].split("/")[0])


def import_tasks(people: People, page: Page, project_id: int, rows: list[dict[str, Any]]) -> None:
    expect(page.get_by_text("Project “Support replies” created")).to_be_visible()
    page.locator("input[type=file]").set_input_files(
        {"name": "tasks.jsonl", "mimeType": "application/x-ndjson", "buffer": import_file(rows)}
    )
    page.get_by_role("button", name="Import", exact=True).click()
    refusal = page.locator(".row-errors")
    expect(refusal).to_be_visible()
    expect(refusal.locator("tbody tr")).to_have_count(1)
    expect(refusal.locator("tbody td").first).to_have_text("8")
    expect(page.get_by_text("Import refused: 1 bad line.")).to_be_visible()
    people.shot(page, "import-refused")
    page.get_by_role("button", name="Retry, skipping invalid rows").click()
    report = page.locator(".report-counts")
    expect(report).to_be_visible()
    expect(report.locator(".report-count", has_text="Tasks created").locator("dd")).to_have_text(
        str(IMPORTED))
    expect(report.locator(".report-count", has_text="Invalid rows skipped").locator("dd")
           ).to_have_text("1")
    expect(page.locator(".row-errors tbody tr")).to_have_count(1)
    people.shot(page, "import-report")


def add_annotator(people: People, page: Page, project_id: int) -> None:
    tab(page, "Members").click()
    email = page.get_by_label("Email of an account")
    email.fill("nobody@example.org")
    email.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(
        "no account with the email nobody@example.org")
    # The last manager cannot make themself an annotator.
    page.get_by_label(f"Role of {LEAD[0]}").select_option("annotator")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label(f"Role of {LEAD[0]}")).to_have_value("manager")
    people.shot(page, "members-refusal")
    email.fill(ANNOTATOR[0])
    page.get_by_label("Role", exact=True).select_option("annotator")
    page.get_by_role("button", name="Add member").click()
    row = page.locator(f"tr[data-member='{ANNOTATOR[0]}']")
    expect(row).to_be_visible()
    expect(page.get_by_label(f"Role of {ANNOTATOR[0]}")).to_have_value("annotator")
    people.shot(page, "members")


def tab(page: Page, name: str) -> Locator:
    return page.get_by_role("navigation", name="Project").get_by_role("link", name=name)


def current_task(page: Page) -> int:
    page.wait_for_selector("[data-task-id]")
    return int(page.locator("[data-task-id]").get_attribute("data-task-id") or 0)


def next_task(page: Page, before: int) -> None:
    page.wait_for_function(
        "before => { const t = document.querySelector('[data-task-id]');"
        " return document.querySelector('.done') || (t && t.dataset.taskId !== String(before)); }",
        arg=before,
    )


def answer_all_but_note(page: Page, n: int) -> None:
    keys = page.keyboard
    expect(page.locator("[data-question=sentiment].question-active")).to_be_visible()
    keys.press(str(n % 3 + 1))
    keys.press("Tab")
    for key in ["Shift+ArrowRight", "Shift+ArrowRight", "1", "ArrowRight", "ArrowRight",
                "Shift+ArrowRight", "Shift+ArrowRight", "2"]:
        keys.press(key)
    keys.press("Tab")
    keys.press(str(n % 2 + 1))
    keys.press(f"Shift+Digit{n % 3 + 1}")
    keys.press("Tab")


def label_tasks(people: People, page: Page) -> tuple[dict[int, dict[str, Any]], int]:
    entered: dict[int, dict[str, Any]] = {}
    skipped = 0
    position = 0
    while len(entered) < LABELLED:
        task_id = current_task(page)
        text = page.locator(".span-text").inner_text()
        if position == SKIP_AT:
            people.shot(page, "annotate-before-skip")
            page.keyboard.press("s")
            expect(page.get_by_role("dialog", name="Skip this task")).to_be_visible()
            people.shot(page, "annotate-skip-dialog")
            # The dialog opens in its reason box, where the quick reasons' keys work.
            assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
            page.keyboard.press("1")
            next_task(page, task_id)
            skipped = task_id
            position += 1
            continue
        n = len(entered)
        answer = expected_answer(n, text)
        answer_all_but_note(page, n)
        note = answer["note"]["text"]
        if position == RELOAD_AT:
            page.keyboard.type(note[:10])
            people.shot(page, "annotate-before-reload")
            page.reload()
            assert current_task(page) == task_id
            expect(page.locator("[data-question=note] textarea")).to_have_value(note[:10])
            expect(page.locator(".span-chip")).to_have_count(2)
            expect(page.locator("[data-question=sentiment] [aria-checked=true]")).to_have_count(1)
            people.shot(page, "annotate-after-reload")
            for _ in range(3):
                page.keyboard.press("Tab")
            page.keyboard.press("Control+End")
            page.keyboard.type(note[10:])
        else:
            page.keyboard.type(note)
        if n == 0:
            expect(page.locator(".span-chip")).to_have_count(2)
            people.shot(page, "annotate-first-task")
        page.keyboard.press("Control+Enter")
        next_task(page, task_id)
        entered[task_id] = answer
        position += 1
    people.shot(page, "annotate-last")
    return entered, skipped


def watch_progress(people: People, page: Page, project_id: int,
                   entered: dict[int, dict[str, Any]], skipped: int) -> None:
    page.goto(f"{people.url}/projects/{project_id}/data")
    counts = page.locator(".progress-counts")
    expect(counts.locator("[data-count=all] dd")).to_have_text(str(IMPORTED))
    expect(counts.locator("[data-count=complete] dd")).to_have_text(str(LABELLED))
    expect(counts.locator("[data-count=new] dd")).to_have_text(str(IMPORTED - LABELLED))
    expect(counts.locator("[data-count=annotations] dd")).to_have_text(str(LABELLED))
    expect(page.locator(".task-row[data-loaded='1']")).to_have_count(IMPORTED)
    people.shot(page, "data")

    # Filters: by status, then by an answer's value.
    page.get_by_label("Status").select_option("new")
    expect(page.locator(".data-summary")).to_contain_text(f"{IMPORTED - LABELLED} tasks")
    expect(page.locator(f".task-row[data-task-id='{skipped}']")).to_be_visible()
    page.get_by_label("Status").select_option("")
    page.get_by_label("Answer to").select_option("sentiment")
    page.get_by_label("holds").select_option("negative")
    negatives = sum(1 for a in entered.values() if a["sentiment"]["choice"] == "negative")
    expect(page.locator(".data-summary")).to_contain_text(f"{negatives} tasks")
    people.shot(page, "data-filtered")

    # Open a task with the keyboard and read its annotation and history.
    grid = page.locator(".task-grid-scroll")
    grid.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/tasks/*")
    card = page.locator(".annotation-card").first
    expect(card).to_contain_text(ANNOTATOR[0])
    expect(card.locator("[data-answer=sentiment]")).to_contain_text("negative")
    card.get_by_role("button", name="History (1 version)").click()
    expect(card.locator(".version")).to_have_count(1)
    expect(page.locator(".span-text .span-piece").first).to_be_visible()
    people.shot(page, "task-detail")
    page.get_by_role("link", name="← Data").click()
    expect(page.get_by_label("holds")).to_have_value("negative")


def export_jsonl(people: People, page: Page, project_id: int) -> list[dict[str, Any]]:
    tab(page, "Export").click()
    expect(page.get_by_role("heading", name="Export", exact=True)).to_be_visible()
    people.shot(page, "export")
    with page.expect_download() as download:
        page.locator("[data-export-link]").click()
    path = download.value.path()
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line]


def check_csv(page: Page, project_id: int, entered: dict[int, dict[str, Any]],
              by_id: dict[int, dict[str, Any]]) -> None:
    page.get_by_label("CSV").check()
    page.get_by_label("Task status").select_option("complete")
    page.get_by_label("Annotator (email)").fill(ANNOTATOR[0])
    with page.expect_download() as download:
        page.locator("[data-export-link]").click()
    text = download.value.path().read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == LABELLED
    for row in rows:
        answer = entered[int(row["task_id"])]
        assert row["annotator"] == ANNOTATOR[0]
        assert row["sentiment"] == answer["sentiment"]["choice"]
        assert row["better"] == f"{answer['better']['choice']}:{answer['better']['strength']}"
        assert row["note"] == answer["note"]["text"]
        assert orjson.loads(row["entities"]) == answer["entities"]
        assert row["data.text"] == by_id[int(row["task_id"])]["data"]["text"]


def change_settings(people: People, page: Page) -> None:
    """Removing an answered question is refused with what it would orphan; settings save."""
    tab(page, "Settings").click()
    editor = page.get_by_label("Interface (YAML or JSON)")
    expect(editor).to_have_value(re.compile("name: note"))
    without_note = "\n".join(
        line for line in editor.input_value().splitlines() if "name: note" not in line)
    editor.fill(without_note)
    page.get_by_role("button", name="Save changes").click()
    refusal = page.locator(".orphans-table")
    expect(refusal).to_be_visible()
    row = refusal.locator("tbody tr").first
    expect(row.locator("td").nth(0)).to_have_text("note")
    expect(row.locator("td").nth(1)).to_have_text("annotations")
    expect(row.locator("td").nth(2)).to_have_text(str(LABELLED))
    people.shot(page, "settings-orphans", at="#interface-title")

    general = page.get_by_role("region", name="General")
    general.get_by_label("Name", exact=True).fill("Support replies (v2)")
    page.get_by_label("Lease time (minutes)").fill("30")
    editor.fill(INTERFACE)
    page.keyboard.press("Control+s")
    expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    expect(page.locator(".topbar-project")).to_have_text("Support replies (v2)")
    page.reload()
    expect(page.get_by_label("Lease time (minutes)")).to_have_value("30")
    people.shot(page, "settings")
