"""Sensitive content and confidentiality in the browser: the task is watermarked and copying from
it is blocked; an annotator marks a task sensitive by keyboard; one who has not opted in gets no
sensitive task; after opting in (mouse) a sensitive task is blurred until revealed (mouse, then
keyboard), the break prompt shows and is answered by keyboard, and the daily cap stops more
sensitive tasks. On the manager's task page a sensitive task is blurred the same way (Reveal it,
h); a manager sets one member's own daily limit on Data handling (mouse and keyboard)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from accord.actions.confidentiality import do_set_handling
from accord.db import Database
from accord.models import Membership, Project, Task
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.postgres]  # the PostgreSQL pass runs it too

LEAD = ("lead@example.org", "lead password 1")
ANNOTATOR = ("ann@example.org", "annotator password 1")
INTERFACE = {
    "fields": [{"name": "text", "kind": "text", "label": "Post"}],
    "questions": [
        {"name": "label", "kind": "choice", "label": "Harmful?", "options": ["yes", "no"]},
        {"name": "note", "kind": "text", "label": "Note"},
    ],
}
ROWS = [
    {"id": "s0", "text": "A first distressing post, described in detail.", "sensitive": True},
    {"id": "s1", "text": "A second distressing post.", "sensitive": True},
    {"id": "s2", "text": "A third distressing post.", "sensitive": True},
    {"id": "p0", "text": "An ordinary post about gardening and tomatoes."},
]
COPY_BLOCKED = """sel => {
  const target = document.querySelector(sel);
  const event = new ClipboardEvent('copy', {bubbles: true, cancelable: true});
  target.dispatchEvent(event);
  return event.defaultPrevented;
}"""


def external_id(page: Page) -> str:
    meta = page.locator(".task-meta").first
    expect(meta).to_be_visible()
    return (meta.text_content() or "").split("·")[0].removeprefix("Task ").strip()


def submit(page: Page, before: str) -> None:
    page.get_by_role("radio", name="no").click()
    page.keyboard.press("Control+Enter")
    page.wait_for_function(
        "before => !document.querySelector('.task-meta')?.textContent.startsWith('Task ' + before)",
        arg=before,
    )


def test_blur_reveal_cap_watermark_copy(people: People, db: Database) -> None:
    lead, _ = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, INTERFACE, members={annotator: "annotator"})
    add_tasks(db, lead, project, ROWS)
    with db.write() as session:
        fresh = session.get(Project, project.id)
        assert fresh is not None
        do_set_handling(
            session,
            lead,
            fresh,
            {
                "watermark": True,
                "block_copy": True,
                "sensitive_daily_limit": 2,
                "sensitive_break_after": 2,
            },
        )

    # 1. Not opted in: the plain task, watermarked, its text not copyable (the answer box is).
    ann = people.page("annotator")
    people.sign_in(ann, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    assert external_id(ann) == "p0"
    expect(ann.locator(".task-watermarked")).to_have_count(1)
    watermark = ann.locator(".task-data").evaluate(
        "e => getComputedStyle(e, '::after').backgroundImage"
    )
    assert "data:image/svg+xml" in watermark and "ann%40example.org" in watermark
    assert ann.evaluate(COPY_BLOCKED, ".task-data .field-text, .task-data p")
    assert not ann.evaluate(COPY_BLOCKED, ".task-questions textarea")
    people.shot(ann, "plain-watermarked")

    # 2. The annotator marks it sensitive by keyboard: veiled at once; h reveals it.
    ann.locator("body").click(position={"x": 5, "y": 300})
    ann.keyboard.press("Shift+H")
    expect(ann.locator("[data-sensitive=veiled]")).to_have_count(1)
    ann.keyboard.press("h")
    expect(ann.locator("[data-sensitive=revealed]")).to_have_count(1)
    submit(ann, "p0")

    # 3. Nothing else for someone who has not opted in: the sensitive tasks are kept back.
    expect(ann.get_by_role("heading", name="All done here")).to_be_visible()
    ann.get_by_label("Sensitive tasks").check()
    ann.get_by_role("button", name="Check again").click()
    assert external_id(ann) == "s0"

    # 4. Blurred until revealed, by mouse.
    veiled = ann.locator("[data-sensitive=veiled]")
    expect(veiled).to_have_count(1)
    blur = ann.locator(".task-data > *").first.evaluate("e => getComputedStyle(e).filter")
    assert "blur" in blur
    people.shot(ann, "sensitive-veiled")
    ann.get_by_role("button", name="Reveal it").click()
    expect(ann.locator("[data-sensitive=revealed]")).to_have_count(1)
    assert ann.locator(".task-data > *").first.evaluate("e => getComputedStyle(e).filter") == "none"
    people.shot(ann, "sensitive-revealed")
    submit(ann, "s0")

    # 5. The second sensitive task: the break prompt (b answers it), revealed by keyboard.
    assert external_id(ann) == "s1"
    expect(ann.get_by_test_id("sensitive-today")).to_have_text("· 2 of 2 today")  # their count
    expect(ann.locator("[data-sensitive=veiled]")).to_have_count(1)
    prompt = ann.get_by_role("alert").filter(has_text="Time for a break")
    expect(prompt).to_be_visible()
    people.shot(ann, "break-prompt")
    ann.keyboard.press("b")
    expect(prompt).to_be_hidden()
    ann.keyboard.press("h")
    expect(ann.locator("[data-sensitive=revealed]")).to_have_count(1)
    submit(ann, "s1")

    # 6. The daily cap (2): s2 is not served today.
    expect(ann.get_by_role("heading", name="All done here")).to_be_visible()
    expect(ann.get_by_text("You reached today's limit of 2 sensitive tasks")).to_be_visible()
    people.shot(ann, "capped")
    people.check()


def test_manager_sets_data_handling(people: People, db: Database) -> None:
    lead, _ = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, INTERFACE, members={annotator: "annotator"})
    add_tasks(db, lead, project, ROWS)
    page = people.page("lead")
    people.sign_in(page, *LEAD, then=f"/projects/{project.id}/settings")
    section = page.get_by_role("region", name="Data handling")
    expect(section).to_be_visible()
    # keyboard: type the limit, tab to the watermark box, Space ticks it, Enter saves
    limit = section.get_by_label("Sensitive tasks per annotator per day")
    limit.fill("5")
    section.get_by_label("Only admins may export").check()  # mouse
    section.get_by_label("Watermark the viewer's identity").focus()
    page.keyboard.press("Space")
    limit.press("Enter")
    expect(section.get_by_text("Data handling saved")).to_be_visible()
    expect(section.get_by_role("row", name="ann@example.org")).to_contain_text("no")
    people.shot(page, "data-handling", at=".data-handling")
    with db.read() as session:
        stored = session.get(Project, project.id)
        assert stored is not None
        assert stored.sensitive_daily_limit == 5 and stored.watermark
        assert stored.export_admins_only
    exported = page.request.get(f"{people.url}/api/v1/projects/{project.id}/export")
    assert exported.status == 403 and "admins only" in exported.text()

    # One member's own daily limit: the project's default at first (the box disabled).
    row = section.get_by_role("row", name="ann@example.org")
    own = row.get_by_label("Daily limit for ann@example.org", exact=True)
    default = row.get_by_label("project default")
    save = row.get_by_role("button", name="Save the daily limit for ann@example.org")
    expect(default).to_be_checked()
    expect(own).to_be_disabled()
    default.uncheck()  # mouse
    expect(own).to_have_value("5")  # the project's, to start from
    own.fill("")
    save.click()
    expect(section.get_by_role("alert")).to_contain_text(
        "Daily limit for ann@example.org: is empty; write one (0: no limit), "
        'or tick "project default".'
    )
    expect(own).to_have_attribute("aria-invalid", "true")
    assert member_limit(db, project.id, annotator.id) is None  # nothing written
    people.shot(page, "member-limit-error", at=".data-handling-members")
    own.fill("3")
    own.press("Enter")  # keyboard
    expect(section.locator("[data-member-limit-outcome]")).to_contain_text(
        "ann@example.org's own daily limit is 3 a day."
    )
    assert member_limit(db, project.id, annotator.id) == 3
    people.shot(page, "member-limit-saved", at=".data-handling-members")
    default.focus()
    page.keyboard.press("Space")
    expect(own).to_be_disabled()
    page.keyboard.press("Tab")  # to Save
    page.keyboard.press("Enter")
    expect(section.locator("[data-member-limit-outcome]")).to_contain_text(
        "ann@example.org follows the project's daily limit (5 a day)."
    )
    assert member_limit(db, project.id, annotator.id) is None
    people.check()


def member_limit(db: Database, project_id: int, user_id: int) -> int | None:
    with db.read() as session:
        membership = session.get(Membership, (project_id, user_id))
        assert membership is not None
        limit: int | None = membership.sensitive_limit
        return limit


FILTER = "e => getComputedStyle(e).filter"


def test_manager_task_page_blurs_a_sensitive_task(people: People, db: Database) -> None:
    lead, _ = make_user(db, LEAD[0], password=LEAD[1])
    project = make_project(db, lead, INTERFACE)
    add_tasks(db, lead, project, ROWS)
    with db.read() as session:
        ids = {name: id_ for name, id_ in session.execute(select(Task.external_id, Task.id))}
    page = people.page("lead")
    people.sign_in(page, *LEAD, then=f"/projects/{project.id}/tasks/{ids['s0']}")
    data = page.locator(".task-detail-data")
    expect(page.locator("[data-sensitive=veiled]")).to_have_count(1)
    blur = data.locator(".task-data > *").first.evaluate(FILTER)
    assert "blur" in blur
    expect(data.get_by_text("Sensitive content", exact=True)).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Time for a break")).to_have_count(0)
    people.shot(page, "task-page-veiled")
    data.get_by_role("button", name="Reveal it").click()  # mouse
    expect(page.locator("[data-sensitive=revealed]")).to_have_count(1)
    assert data.locator(".task-data > *").first.evaluate(FILTER) == "none"
    expect(data.locator(".task-data")).to_contain_text("A first distressing post")
    people.shot(page, "task-page-revealed")
    page.locator("h1").click()
    page.keyboard.press("h")  # keyboard: hidden again, and shown again
    expect(page.locator("[data-sensitive=veiled]")).to_have_count(1)
    page.keyboard.press("h")
    expect(page.locator("[data-sensitive=revealed]")).to_have_count(1)

    # A task that is not sensitive is shown plainly.
    page.goto(f"{people.url}/projects/{project.id}/tasks/{ids['p0']}")
    expect(page.locator(".task-data")).to_contain_text("gardening and tomatoes")
    expect(page.locator("[data-sensitive]")).to_have_count(0)
    assert page.locator(".task-data > *").first.evaluate(FILTER) == "none"
    people.check()
