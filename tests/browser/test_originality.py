"""A pasted near-copy of an earlier response is caught at submit and shown side by side; the
annotator revises (Esc) and an original answer typed by hand goes through (Ctrl+Enter). A
rewording close enough to warn is submitted anyway by mouse. Paste counts reach the server."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from accord.db import Database
from tests.browser.annotating import sit_down
from tests.browser.conftest import People

pytestmark = pytest.mark.browser

INTERFACE: dict[str, Any] = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {
            "name": "why",
            "kind": "text",
            "label": "Why",
            "originality": {"warn_above": 0.5, "block_above": 0.8},
        },
    ],
}
EARLIER = (
    "The committee reviewed the harbour expansion plan in detail and found that the dredging "
    "schedule conflicts with the spawning season of local fish populations every spring"
)
NEAR_COPY = "In short, " + EARLIER + "."
REWORDED = (
    "The committee reviewed the harbour expansion plan in detail and decided that the dredging "
    "timetable clashes with the spawning season of local fish populations every spring"
)
MINE = "Moving the dredging to late autumn avoids the fish and costs little, so I would do that."


def answer_earlier(api: httpx.Client, project_id: int) -> None:
    task = api.post(f"/api/v1/projects/{project_id}/next").json()["task"]
    done = api.post(
        f"/api/v1/tasks/{task['id']}/annotations", json={"result": {"why": {"text": EARLIER}}}
    )
    assert done.status_code == 201, done.text


def paste(page: Page, text: str) -> None:
    """What Ctrl+V does: a paste event, then the text inserted at the caret."""
    page.evaluate(
        """text => {
            const data = new DataTransfer();
            data.setData('text/plain', text);
            const event = new ClipboardEvent(
                'paste', {clipboardData: data, bubbles: true, cancelable: true});
            document.activeElement.dispatchEvent(event);
        }""",
        text,
    )
    page.keyboard.insert_text(text)


def test_a_pasted_near_copy_is_caught_at_submit(people: People, db: Database) -> None:
    rows = [{"id": f"t{i}", "text": f"Task {i}"} for i in range(4)]
    with sit_down(people, db, INTERFACE, rows, before=answer_earlier) as desk:
        page = desk.page
        first = desk.task_id()
        box = page.locator("[data-question=why] textarea")
        box.click()
        paste(page, NEAR_COPY)
        page.keyboard.press("Control+Enter")

        dialog = page.get_by_role("dialog", name="Not original enough to submit")
        expect(dialog).to_be_visible()
        expect(dialog.locator(".originality-score")).to_contain_text("why: 92% similar")
        expect(dialog.locator("[data-side=yours] mark")).to_have_text(EARLIER)
        expect(dialog.locator("[data-side=theirs] mark")).to_have_text(EARLIER)
        expect(dialog.get_by_role("button", name="Submit anyway")).to_have_count(0)
        people.shot(page, "blocked-side-by-side")

        page.keyboard.press("Escape")  # revise
        expect(dialog).to_be_hidden()
        expect(box).to_be_focused()
        page.keyboard.press("Control+A")
        page.keyboard.type(MINE)
        page.keyboard.press("Control+Enter")
        second = desk.wait_for_next(first)
        assert second and desk.answer(first) == {"why": {"text": MINE}}

        # Close, not a copy: a warning; the annotator submits it anyway, by mouse.
        box.click()
        paste(page, REWORDED)
        page.get_by_role("button", name="Submit").first.click()
        warned = page.get_by_role("dialog", name="Close to earlier work")
        expect(warned).to_be_visible()
        expect(warned.locator(".originality-score")).to_contain_text("similar to an earlier answer")
        people.shot(page, "warned-side-by-side")
        warned.get_by_role("button", name="Submit anyway").click()
        third = desk.wait_for_next(second)

        # The same by keyboard: Ctrl+Enter submits, and Ctrl+Enter in the dialog submits anyway.
        box.click()
        paste(page, EARLIER.replace("local", "river").replace("every", "each"))
        page.keyboard.press("Control+Enter")
        expect(warned).to_be_visible()
        page.keyboard.press("Control+Enter")
        expect(warned).to_be_hidden()
        assert desk.wait_for_next(third) != third
        people.check()

        # The paste counts reached the server (the author sees their own check).
        mine = desk.task(first)["annotations"][0]
        check = desk.api.get(f"/api/v1/annotations/{mine['id']}/originality").json()
        assert check["typing"]["why"]["pasted"] == len(NEAR_COPY)
        assert check["typing"]["why"]["typed"] >= len(MINE)
        close = desk.task(second)["annotations"][0]
        assert close["review_state"] == "pending"
        warned_check = desk.api.get(f"/api/v1/annotations/{close['id']}/originality").json()
        assert warned_check["verdict"] == "warn"
        assert warned_check["typing"]["why"] == {"typed": 0, "pasted": len(REWORDED)}


def test_a_reviewer_sees_the_passages_and_paste_counts(people: People, db: Database) -> None:
    from tests.factories import add_tasks, make_project, make_user

    lead, _ = make_user(db, "lead@example.org")
    a, a_token = make_user(db, "a@example.org")
    b, b_token = make_user(db, "b@example.org")
    reviewer, _ = make_user(db, "rev@example.org", password="reviewer password 1")
    project = make_project(
        db, lead, INTERFACE, members={a: "annotator", b: "annotator", reviewer: "reviewer"}
    )
    add_tasks(db, lead, project, [{"id": f"t{i}", "text": f"Task {i}"} for i in range(3)])
    for token, text, typing in (
        (a_token, EARLIER, None),
        (b_token, REWORDED, {"why": {"typed": 3, "pasted": len(REWORDED) - 3}}),
    ):
        with httpx.Client(
            base_url=people.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as me:
            task = me.post(f"/api/v1/projects/{project.id}/next").json()["task"]
            body: dict[str, Any] = {"result": {"why": {"text": text}}}
            if typing:
                body["typing"] = typing
            assert me.post(f"/api/v1/tasks/{task['id']}/annotations", json=body).is_success

    page = people.page("reviewer")
    people.sign_in(
        page, "rev@example.org", "reviewer password 1", then=f"/projects/{project.id}/review"
    )
    note = page.locator(".originality-note")
    expect(page.locator(".review-head")).to_contain_text("close to earlier work (originality)")
    expect(note).to_contain_text(f"why: {len(REWORDED) - 3} characters pasted, 3 typed")
    note.locator("summary").click()
    expect(note.locator("details")).to_contain_text("55% similar to an earlier answer")
    expect(note.locator("mark").first).to_have_text(
        "The committee reviewed the harbour expansion plan in detail and"
    )
    people.shot(page, "reviewer-originality")
    people.check()


def test_a_manager_uploads_reference_corpora(people: People, db: Database, tmp_path: Any) -> None:
    from tests.factories import make_project, make_user

    lead, _ = make_user(db, "lead@example.org", password="lead password 1")
    project = make_project(db, lead, INTERFACE)
    good = tmp_path / "essays.txt"
    good.write_text(f"{EARLIER}\n{REWORDED}\n\n{MINE}\n")
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(f"{EARLIER}\n".encode() + b"caf\xe9 au lait\n")

    page = people.page("lead")
    people.sign_in(
        page, "lead@example.org", "lead password 1", then=f"/projects/{project.id}/import"
    )
    section = page.locator(".reference-corpora")
    expect(section).to_contain_text("Reference corpora (originality)")
    section.get_by_label("File").set_input_files(str(good))
    section.get_by_role("button", name="Upload corpus").click()
    # Indexed by a background job: a busy machine may take a while.
    expect(section.locator("[data-corpus-state=ready]")).to_contain_text(
        "essays.txt", timeout=60_000
    )
    expect(section.locator("[data-corpus-state=ready]")).to_contain_text("3")

    section.get_by_label("File").set_input_files(str(bad))
    section.get_by_label("File").focus()
    page.keyboard.press("Tab")  # to the button, by keyboard
    page.keyboard.press("Enter")
    failed = section.locator("[data-corpus-state=failed]")
    expect(failed).to_contain_text("line 2: not UTF-8", timeout=60_000)
    people.shot(page, "reference-corpora", at=".reference-corpora")
    people.check()


def _as(people: People, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=people.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def test_an_edit_is_checked_before_saving_and_its_warnings_shown(
    people: People, db: Database
) -> None:
    """Editing one's annotation (My work → Reopen) meets the same dialog as a submit, its own
    earlier text passed over; My work then says what the saved edit was warned about. By
    keyboard (Ctrl+Enter, Esc, Ctrl+Enter in the dialog) and by mouse."""
    from tests.factories import add_tasks, make_project, make_user

    lead, _ = make_user(db, "lead@example.org")
    a, a_token = make_user(db, "a@example.org")
    b, b_token = make_user(db, "b@example.org", password="annotator password 1")
    project = make_project(db, lead, INTERFACE, members={a: "annotator", b: "annotator"})
    add_tasks(db, lead, project, [{"id": f"t{i}", "text": f"Task {i}"} for i in range(3)])
    with _as(people, a_token) as me:
        answer_earlier(me, project.id)
    with _as(people, b_token) as me:
        task = me.post(f"/api/v1/projects/{project.id}/next").json()["task"]
        done = me.post(
            f"/api/v1/tasks/{task['id']}/annotations", json={"result": {"why": {"text": MINE}}}
        )
        assert done.status_code == 201, done.text
        annotation_id = done.json()["annotation"]["id"]

    page = people.page("annotator")
    reopen = f"/projects/{project.id}/mine/{annotation_id}"
    people.sign_in(page, "b@example.org", "annotator password 1", then=reopen)
    box = page.locator("[data-question=why] textarea")
    expect(box).to_have_value(MINE)

    # Keyboard: a near-copy is refused before saving; Esc goes back to the text.
    box.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(NEAR_COPY)
    page.keyboard.press("Control+Enter")
    blocked = page.get_by_role("dialog", name="Not original enough to submit")
    expect(blocked).to_be_visible()
    expect(blocked.locator(".originality-score")).to_contain_text("why: 92% similar")
    page.keyboard.press("Escape")
    expect(blocked).to_be_hidden()
    expect(box).to_be_focused()

    # Mouse: close to earlier work, saved anyway; My work says it was, with the warning.
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(REWORDED)
    page.get_by_role("button", name="Save changes").click()
    warned = page.get_by_role("dialog", name="Close to earlier work")
    expect(warned).to_be_visible()
    people.shot(page, "edit-warned")
    warned.get_by_role("button", name="Save anyway").click()
    page.wait_for_url(f"**/projects/{project.id}/mine?saved={annotation_id}")
    notice = page.locator(".notice-warning").filter(has_text=f"Annotation #{annotation_id} saved")
    expect(notice).to_contain_text("with a warning: why: 55% similar to an earlier answer")
    people.shot(page, "edit-saved-with-warning")

    # Keyboard again: its own earlier text does not count; Ctrl+Enter in the dialog saves.
    page.goto(people.url + reopen)
    expect(box).to_have_value(REWORDED)
    box.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(EARLIER.replace("local", "river").replace("every", "each"))
    page.keyboard.press("Control+Enter")
    expect(warned).to_be_visible()
    page.keyboard.press("Control+Enter")
    page.wait_for_url(f"**/projects/{project.id}/mine?saved={annotation_id}")
    expect(page.locator(".notice-warning")).to_contain_text("similar to an earlier answer")
    with _as(people, b_token) as me:
        saved = me.get(f"/api/v1/annotations/{annotation_id}").json()
    assert saved["version"] == 3 and "river" in saved["result"]["why"]["text"]
    people.check()


def test_a_manager_deletes_a_reference_corpus(people: People, db: Database, tmp_path: Any) -> None:
    from tests.factories import make_project, make_user

    lead, lead_token = make_user(db, "lead@example.org", password="lead password 1")
    project = make_project(db, lead, INTERFACE)
    with _as(people, lead_token) as me:
        for name in ("first", "second"):
            started = me.post(
                f"/api/v1/projects/{project.id}/originality/corpora",
                params={"question": "why", "name": name},
                content=f"{EARLIER}\n{MINE}\n".encode(),
            )
            assert started.status_code == 202, started.text

    page = people.page("lead")
    people.sign_in(
        page, "lead@example.org", "lead password 1", then=f"/projects/{project.id}/import"
    )
    section = page.locator(".reference-corpora")
    expect(section.locator("[data-corpus-state=ready]")).to_have_count(2, timeout=60_000)

    # Keyboard: to the button, Enter; the dialog starts on Cancel, Esc cancels.
    delete_first = section.get_by_role("button", name="Delete corpus first")
    delete_first.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Delete the corpus “first”?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    people.shot(page, "delete-corpus-confirm")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(section.locator("tbody tr")).to_have_count(2)
    # Then for real: Tab to the delete button of the dialog, Enter.
    delete_first.focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Delete corpus")).to_be_focused()
    page.keyboard.press("Enter")
    expect(section.locator(".notice-success")).to_contain_text("Deleted “first”")
    expect(section.locator("tbody tr")).to_have_count(1, timeout=60_000)

    # Mouse: the other one.
    section.get_by_role("button", name="Delete corpus second").click()
    page.get_by_role("dialog", name="Delete the corpus “second”?").get_by_role(
        "button", name="Delete corpus"
    ).click()
    expect(section.locator(".reference-corpora-list")).to_have_count(0, timeout=60_000)
    people.shot(page, "delete-corpus-done", at=".reference-corpora")
    with _as(people, lead_token) as me:
        assert me.get(f"/api/v1/projects/{project.id}/originality/corpora").json() == []
    people.check()
