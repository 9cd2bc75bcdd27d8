"""What a project's manager sees and does, in the browser, as a person would: skips in the data
manager and the task page, predicted spans as text, deleting an annotation and ticked tasks
with a confirmation that counts them, a warning before leaving unsaved settings, an interface
editor that wraps and forgets server errors once edited, the orphan refusal's advice; and an
annotator who opens the managers' pages gets a clear "no access" page, sees their skips in
My work, and is offered no "New project".
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from accord.actions.users import do_update_user
from accord.db import Database
from accord.models import User
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user

pytestmark = pytest.mark.browser

LEAD = ("lead@example.org", "lead password 1")
ANN = ("ann@example.org", "annotator password 1")
INTERFACE = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {"name": "label", "kind": "choice", "options": ["pos", "neg"]},
        {"name": "entities", "kind": "spans", "target": "text", "labels": ["PER", "ORG"]},
        {"name": "note", "kind": "text"},
    ],
}
TEXTS = [
    "Alice works at Acme.",
    "Bob liest die Zeitung.",
    "Something rude here.",
    "Carol joined Initech.",
    "Dave likes tea.",
    "Erin met Frank.",
]
GERMAN, RUDE = "The text is in German", "Offensive content"


def named(db: Database, email: str, password: str, name: str, **grants: Any) -> str:
    """An account with a name and a password; its API token."""
    user, token = make_user(db, email, password=password, **grants)
    with db.write() as session:
        fresh = session.get(User, user.id)
        assert fresh is not None
        do_update_user(session, None, fresh, name=name)
    return token


def setup(people: People, db: Database) -> tuple[int, list[int], dict[str, str]]:
    """A project of six tasks (the first with a model's prediction, offsets only). Ann submits
    task 0 and 3, skips 1 and 2 with reasons; Bo answers the next open one (task 1) with a
    note. Returns the project's id, those tasks' ids in that order, and the API tokens."""
    lead_token = named(db, *LEAD, "Lena Lead", can_create_projects=True)
    ann_token = named(db, *ANN, "Ann Rivera")
    bo_token = named(db, "bo@example.org", "bo password 1 long", "Bo Chen")
    with db.read() as session:
        users = {u.email: u for u in session.query(User)}
    members = {users[ANN[0]]: "annotator", users["bo@example.org"]: "annotator"}
    project = make_project(db, users[LEAD[0]], INTERFACE, overlap=1, members=members)
    rows: list[dict[str, Any]] = [{"id": f"t{i}", "text": t} for i, t in enumerate(TEXTS)]
    rows[0]["predictions"] = [{
        "model_version": "ner-v2", "score": 0.91,
        "result": {"entities": {"spans": [{"start": 0, "end": 5, "label": "PER"},
                                          {"start": 15, "end": 19, "label": "ORG"}]}},
    }]
    add_tasks(db, users[LEAD[0]], project, rows)
    ids: list[int] = []
    with api(people, ann_token) as ann:
        for step in ("submit", "skip", "skip", "submit"):
            answer_ = ann.post(f"/projects/{project.id}/next")
            assert answer_.status_code == 200, answer_.text
            task = answer_.json()["task"]
            ids.append(task["id"])
            if step == "skip":
                reason = GERMAN if len(ids) == 2 else RUDE
                assert ann.post(f"/tasks/{task['id']}/skip", json={"reason": reason}).is_success
            else:
                spans = [{"start": 0, "end": 5, "label": "PER"}]
                answer = {"label": {"choice": "pos"}, "entities": {"spans": spans}}
                done = ann.post(f"/tasks/{task['id']}/annotations", json={"result": answer})
                assert done.status_code == 201, done.text
    with api(people, bo_token) as bo:
        task = bo.post(f"/projects/{project.id}/next").json()["task"]
        note = {"label": {"choice": "neg"}, "note": {"text": "fine"}}
        done = bo.post(f"/tasks/{task['id']}/annotations", json={"result": note})
        assert done.status_code == 201, done.text
    ids.append(task["id"])
    return project.id, ids, {"lead": lead_token, "ann": ann_token}


def api(people: People, token: str) -> httpx.Client:
    return httpx.Client(base_url=f"{people.url}/api/v1",
                        headers={"Authorization": f"Bearer {token}"})


def row(page: Page, task_id: int) -> Any:
    return page.locator(f".task-row[data-task-id='{task_id}']")


def test_manager_sees_skips_and_deletes_work(people: People, db: Database) -> None:
    project_id, ids, _ = setup(people, db)
    page = people.page("manager")
    people.sign_in(page, *LEAD, then=f"/projects/{project_id}/data")

    # The skips column, then the filter for skipped tasks.
    expect(row(page, ids[1]).locator("[data-skips]")).to_have_text("1")
    expect(row(page, ids[0]).locator("[data-skips]")).to_have_text("0")
    page.get_by_label("Skipped by someone").check()
    expect(page.locator(".data-summary")).to_contain_text("2 tasks")
    expect(page.locator(".task-row[data-loaded='1']")).to_have_count(2)
    people.shot(page, "data-skipped-only")

    # Who skipped, when, why (the manager sees the email too).
    row(page, ids[1]).click()
    skips = page.get_by_role("region", name="Skips")
    expect(skips).to_contain_text("Ann Rivera")
    expect(skips).to_contain_text(ANN[0])
    expect(skips).to_contain_text(f"“{GERMAN}”")
    people.shot(page, "task-skipped")

    # Predicted and answered spans read as their text; then delete the annotation.
    page.goto(f"{people.url}/projects/{project_id}/tasks/{ids[0]}")
    prediction = page.locator("[data-prediction='ner-v2']")
    expect(prediction.locator("[data-answer=entities]")).to_contain_text("PER: “Alice”")
    expect(prediction.locator("[data-answer=entities]")).to_contain_text("ORG: “Acme”")
    card = page.locator(".annotation-card[data-annotation]")
    expect(card.locator("[data-answer=entities]")).to_contain_text("PER: “Alice”")
    expect(card.locator("strong").first).to_have_text("Ann Rivera")
    card.get_by_role("button", name="Delete annotation").click()
    dialog = page.get_by_role("dialog", name="Delete annotation")
    expect(dialog).to_contain_text("Ann Rivera's annotation")
    people.shot(page, "delete-annotation-dialog")
    dialog.get_by_role("button", name="Delete annotation").click()
    expect(page.get_by_role("status").filter(has_text="deleted")).to_be_visible()
    expect(page.get_by_text("Nobody has submitted an annotation")).to_be_visible()
    expect(page.locator(".status")).to_have_text("New")
    people.shot(page, "annotation-deleted")

    # Tick tasks with the mouse (a click, then Shift+click for a range) and the keyboard
    # (Space unticks the current row), then Delete asks with the counts.
    page.goto(f"{people.url}/projects/{project_id}/data")
    expect(page.locator(".task-row[data-loaded='1']")).to_have_count(6)
    row(page, ids[0]).get_by_role("checkbox").click()
    row(page, ids[3]).get_by_role("checkbox").click(modifiers=["Shift"])
    expect(page.locator(".task-row[data-ticked='1']")).to_have_count(4)
    page.locator(".task-grid-scroll").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(page.locator(".task-row[data-ticked='1']")).to_have_count(3)
    expect(page.get_by_text("3 tasks ticked")).to_be_visible()
    people.shot(page, "data-ticked")
    page.keyboard.press("Delete")
    confirm = page.get_by_role("dialog", name="Delete 3 tasks?")
    expect(confirm).to_contain_text("3 tasks will be deleted, with their 1 annotation")
    people.shot(page, "delete-tasks-dialog")
    confirm.get_by_role("button", name="Delete 3 tasks and 1 annotation").click()
    expect(page.get_by_text("Deleted 3 tasks and 1 annotation.")).to_be_visible()
    expect(page.locator(".data-summary")).to_contain_text("3 tasks")
    counts = page.locator(".progress-counts")
    expect(counts.locator("[data-count=all] dd")).to_have_text("3")
    expect(counts.locator("[data-count=annotations] dd")).to_have_text("1")
    for gone in (ids[0], ids[2], ids[3]):
        expect(row(page, gone)).to_have_count(0)
    people.shot(page, "data-after-delete")
    people.check()


def test_settings_warn_before_leaving_and_the_editor_fits(people: People, db: Database) -> None:
    project_id, _, _ = setup(people, db)
    page = people.page("manager")
    people.sign_in(page, *LEAD, then=f"/projects/{project_id}/settings")
    tabs = page.get_by_role("navigation", name="Project")
    name = page.get_by_role("region", name="General").get_by_label("Name", exact=True)
    expect(name).to_have_value("Test project")

    # Unsaved: switching tabs asks; staying keeps the edit; closing the page would ask too.
    name.fill("Renamed project")
    assert not unload_allowed(page)
    tabs.get_by_role("link", name="Members").click()
    dialog = page.get_by_role("dialog", name="Leave without saving?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Stay on this page")).to_be_focused()
    people.shot(page, "settings-leave-dialog")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(name).to_have_value("Renamed project")
    assert page.url.endswith("/settings")
    page.keyboard.press("Control+s")
    expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    assert unload_allowed(page)
    tabs.get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", name="Members")).to_be_visible()

    # The browser's Back asks as well; leaving drops the edit.
    tabs.get_by_role("link", name="Settings").click()
    page.get_by_label("Description").fill("not kept")
    page.go_back()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Leave without saving").click()
    expect(page.get_by_role("heading", name="Members")).to_be_visible()
    tabs.get_by_role("link", name="Settings").click()
    expect(page.get_by_label("Description")).to_have_value("")

    # A long line wraps: nothing scrolls sideways, the text box grows with its lines.
    editor = page.get_by_label("Interface (YAML or JSON)")
    long_label = "A question with a very long label " * 6
    labelled = f"name: note, kind: text, label: '{long_label.strip()}'"
    text = editor.input_value().replace("name: note, kind: text", labelled)
    editor.fill(text)
    sizes = page.evaluate("""() => {
      const box = document.querySelector('.iface-scroll');
      const area = document.querySelector('.iface-text');
      return [box.scrollWidth, box.clientWidth, area.scrollWidth, area.clientWidth,
              area.scrollHeight, area.clientHeight];
    }""")
    assert sizes[0] <= sizes[1] and sizes[2] <= sizes[3], f"scrolls sideways: {sizes}"
    assert sizes[4] <= sizes[5] + 1, f"the text box scrolls inside itself: {sizes}"
    people.shot(page, "editor-wrapped", at="#interface-title")

    # A server error shows until the text changes; a good save leaves none.
    editor.fill(text.replace("name: note, kind: text,", "name: note, kind: text, min_length: -5,"))
    page.get_by_role("button", name="Save changes").click()
    server = page.locator(".iface-problem-server")
    expect(server).to_contain_text("min_length")
    editor.press("End")
    editor.press("Control+End")
    editor.type(" ")
    expect(server).to_have_count(0)
    expect(page.get_by_text("The server refused the interface")).to_have_count(0)
    editor.fill(text)
    page.keyboard.press("Control+s")
    expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    expect(page.locator(".iface-problem")).to_have_count(0)

    # Removing an answered question: refused, with what a manager can do about it.
    editor.fill("\n".join(line for line in text.splitlines() if "name: note" not in line))
    page.get_by_role("button", name="Save changes").click()
    advice = page.locator(".orphans-advice")
    expect(advice).to_contain_text("Delete annotation")
    expect(advice.get_by_role("link", name="tasks answering “note”")).to_have_attribute(
        "href", f"/projects/{project_id}/data?question=note")
    expect(page.locator(".orphans-title")).to_contain_text("press 'Delete annotation'")
    example = page.locator(".orphans-ids a").first
    expect(example).to_have_attribute("target", "_blank")
    people.shot(page, "settings-orphans-advice", at=".orphans-title")
    with page.context.expect_page() as opened:
        example.click()
    task_page = opened.value
    task_page.wait_for_url("**/tasks/*#annotation-*")
    expect(task_page.locator(".annotation-card-shown")).to_contain_text("Bo Chen")
    people.check()


def unload_allowed(page: Page) -> bool:
    """Whether closing the page now would go without the browser asking first."""
    return not page.evaluate("""() => {
      const event = new Event('beforeunload', {cancelable: true});
      window.dispatchEvent(event);
      return event.defaultPrevented;
    }""")


MANAGER_PAGES = ("settings", "members", "import", "export", "data")


def test_an_annotator_meets_clear_refusals(people: People, db: Database) -> None:
    project_id, ids, _ = setup(people, db)
    page = people.page("annotator")
    people.sign_in(page, *ANN)
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()
    expect(page.get_by_role("link", name="New project")).to_have_count(0)
    page.goto(f"{people.url}/projects/new")
    expect(page.get_by_role("heading", name="You cannot create projects")).to_be_visible()
    expect(page.get_by_text("Ask an admin")).to_be_visible()
    people.shot(page, "new-project-refused")

    refused = page.get_by_role("heading", name="You don't have access to this page")
    for where in [*MANAGER_PAGES, f"tasks/{ids[1]}"]:
        page.goto(f"{people.url}/projects/{project_id}/{where}")
        expect(refused).to_be_visible()
        expect(page.get_by_role("link", name="Back to your projects")).to_be_visible()
        expect(page.get_by_role("navigation", name="Project")).to_have_count(0)
        if where in ("settings", "data"):
            people.shot(page, f"no-access-{where}")
    page.goto(f"{people.url}/projects/987654/settings")
    expect(refused).to_be_visible()
    expect(page.get_by_text("does not exist, or you are not a member")).to_be_visible()
    page.get_by_role("link", name="Back to your projects").click()
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()

    # My work: the tasks I skipped, with my reasons.
    page.goto(f"{people.url}/projects/{project_id}/mine")
    skipped = page.get_by_role("region", name="Skipped")
    expect(skipped.locator("tbody tr")).to_have_count(2)
    expect(skipped.locator(f"tr[data-skip-task='{ids[1]}']")).to_contain_text(GERMAN)
    expect(skipped.locator(f"tr[data-skip-task='{ids[2]}']")).to_contain_text(RUDE)
    people.shot(page, "my-work-skips", at="#my-skips-title")
    people.check()


def test_an_edit_made_while_a_save_reloads_is_kept(people: People, db: Database) -> None:
    """Save, then type on at once: the project the save reloads arrives after the new edit and
    used to put the saved text back over it (seen as a lost edit on a slow server)."""
    project_id, _, _ = setup(people, db)
    page = people.page("manager")
    people.sign_in(page, *LEAD, then=f"/projects/{project_id}/settings")
    description = page.get_by_label("Description")
    description.fill("first")
    held: list[Any] = []
    # Hold the reload of the project that follows the save, until the next edit is typed.
    page.route(
        f"**/api/v1/projects/{project_id}",
        lambda route: held.append(route) if route.request.method == "GET" else route.continue_(),
    )
    page.keyboard.press("Control+s")
    expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the save did not reload the project"
    description.fill("second, typed while the save reloaded")
    for route in held:
        route.continue_()
    page.unroute(f"**/api/v1/projects/{project_id}")
    page.wait_for_load_state("networkidle")
    expect(description).to_have_value("second, typed while the save reloaded")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    with db.read() as session:
        from accord.models import Project

        saved = session.get(Project, project_id)
        assert saved is not None and saved.description == "second, typed while the save reloaded"
    people.check()


def test_a_manager_orders_the_queue_by_the_models_uncertainty(
    people: People, db: Database
) -> None:
    """Mouse picks the active learning order; the keyboard picks its measure; Ctrl+S saves; the
    queue then serves the task the model is least sure of first."""
    project_id, _, tokens = setup(people, db)
    with db.read() as session:
        lead = session.query(User).filter(User.email == LEAD[0]).one()
    rows = [
        {"id": f"al-{n}", "text": f"Sample {n}.", "predictions": [
            {"model_version": "m", "score": score, "result": {"label": {"choice": "pos"}}}
        ]}
        for n, score in ((1, 0.8), (2, 0.55), (3, 0.97))
    ]
    add_tasks(db, lead, project_id, rows)
    page = people.page("manager")
    people.sign_in(page, *LEAD, then=f"/projects/{project_id}/settings")
    general = page.get_by_role("region", name="General")
    expect(general.get_by_label("Uncertainty")).to_have_count(0)  # only for those orders
    order = general.get_by_label("Order", exact=True)
    order.click()
    order.select_option("uncertainty")
    measure = general.get_by_label("Uncertainty")
    expect(measure).to_have_value("least_confident")
    measure.focus()
    page.keyboard.press("ArrowDown")
    expect(measure).to_have_value("margin")
    expect(general.get_by_text("tasks without one come")).to_be_visible()
    people.shot(page, "settings-active-learning", at="#general-title")
    page.keyboard.press("Control+s")
    expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    with api(people, tokens["lead"]) as lead_api:
        saved = lead_api.get(f"/projects/{project_id}").json()
        assert (saved["order"], saved["uncertainty_measure"]) == ("uncertainty", "margin")
        served = lead_api.post(f"/projects/{project_id}/next").json()["task"]
        assert served["external_id"] == "al-2"
