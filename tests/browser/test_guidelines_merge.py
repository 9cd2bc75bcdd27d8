"""A guidelines save that lost a race, in the browser: edits to different lines are merged into
the editor ("merged, review and save"; undo and merge again), overlapping edits are shown side
by side to choose from (mouse on one run, keys on the other); nothing is saved until the
manager saves, from the current version."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord import Client
from accord.db import Database
from tests.browser.conftest import People
from tests.factories import make_project, make_user

pytestmark = pytest.mark.browser

LEAD = ("lead@example.org", "lead password 1")
INTERFACE = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [{"name": "label", "kind": "choice", "options": ["pos", "neg"]}],
}
V1 = "# Intro\nBe kind.\n\n## Labels\n- pos: good\n- neg: bad\n"


def current(project_id: int, token: str, url: str) -> tuple[int, str]:
    with Client(url, token) as sdk:
        number = sdk.guidelines(project_id)[0]["number"]
        return number, sdk.guidelines_version(project_id, number)["text"]


@pytest.mark.parametrize("by", ["mouse", "keys"])
def test_a_lost_race_is_merged(people: People, db: Database, by: str) -> None:
    lead, token = make_user(db, LEAD[0], password=LEAD[1])
    project = make_project(db, lead, INTERFACE, guidelines=V1)
    page = people.page("lead")
    people.sign_in(page, *LEAD, then=f"/projects/{project.id}/guidelines")
    source = page.locator("textarea.guidelines-source")
    save = page.get_by_role("button", name="Save version")

    # Different lines: mine changes the intro, someone else the labels meanwhile.
    source.fill(V1.replace("Be kind.", "Be kind and brief."))
    with Client(people.url, token) as sdk:
        sdk.save_guidelines(
            project.id,
            V1.replace("- neg: bad", "- neg: bad or rude"),
            base_version=1,
            note="neg widened",
        )
    source.press("Control+s")
    merged = page.locator(".guidelines-merged")
    expect(merged).to_contain_text("Merged with version 2 (“neg widened”)")
    expect(merged).to_contain_text("your changes and theirs touch different lines")
    both = V1.replace("Be kind.", "Be kind and brief.").replace("- neg: bad", "- neg: bad or rude")
    expect(source).to_have_value(both)
    expect(page.locator("#guidelines-edit-title")).to_contain_text("from version 2")
    people.shot(page, "merged-clean")
    assert current(project.id, token, people.url)[0] == 2  # nothing saved by the merge
    # Undo brings my text and the conflict back; the merge is offered again.
    merged.get_by_role("button", name="Undo the merge").click()
    expect(source).to_have_value(V1.replace("Be kind.", "Be kind and brief."))
    page.get_by_role("button", name="Merge again").click()
    expect(source).to_have_value(both)
    if by == "mouse":
        save.click()
    else:
        source.press("Control+s")
    expect(page.get_by_text("Saved as version 3")).to_be_visible()
    assert current(project.id, token, people.url) == (3, both)

    # Overlapping lines: both change "pos"; mine also changes the intro (merged as it is).
    mine = both.replace("- pos: good", "- pos: glowing").replace("and brief", "and short")
    source.fill(mine)
    with Client(people.url, token) as sdk:
        sdk.save_guidelines(
            project.id,
            both.replace("- pos: good", "- pos: fine"),
            base_version=3,
            note="pos narrowed",
        )
    source.press("Control+s")
    conflict = page.locator(".merge-conflict")
    expect(conflict).to_have_count(1)
    expect(conflict).to_contain_text("section “Labels”, line 5")
    expect(conflict.get_by_label("Yours", exact=True)).to_contain_text("- pos: glowing")
    expect(conflict.get_by_label("Version 4", exact=True)).to_contain_text("- pos: fine")
    put = page.get_by_role("button", name="Put the merge in the editor")
    expect(put).to_be_disabled()
    people.shot(page, "conflict", at=".guidelines-conflict")
    if by == "mouse":
        conflict.get_by_label("Keep both (yours first)").click()
        put.click()
    else:
        conflict.get_by_label("Keep yours").focus()
        page.keyboard.press("Space")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")  # Keep both
        expect(conflict.get_by_label("Keep both (yours first)")).to_be_checked()
        page.keyboard.press("Tab")
        expect(put).to_be_focused()
        page.keyboard.press("Enter")
    resolved = both.replace("and brief", "and short").replace(
        "- pos: good", "- pos: glowing\n- pos: fine"
    )
    expect(source).to_have_value(resolved)
    expect(page.locator(".guidelines-merged")).to_contain_text("with the choices you made")
    people.shot(page, "merged-choices")
    assert current(project.id, token, people.url)[0] == 4
    source.press("Control+s")
    expect(page.get_by_text("Saved as version 5")).to_be_visible()
    assert current(project.id, token, people.url) == (5, resolved)
    people.check()
