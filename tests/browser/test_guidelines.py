"""Versioned guidelines in the browser: a manager edits the guidelines with the preview, marks
the change material and saves (keyboard), compares and restores versions (mouse); the annotator
is stopped before their next task, sees what changed, acknowledges (mouse on one run, keys on
the other) and continues; a question shows its linked guideline section."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from accord.db import Database
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user

pytestmark = pytest.mark.browser


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (30, 120, 200)).save(out, format="PNG")
    return out.getvalue()


LEAD = ("lead@example.org", "lead password 1")
ANNOTATOR = ("ann@example.org", "annotator password 1")
INTERFACE = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {
            "name": "label",
            "kind": "choice",
            "options": ["pos", "neg"],
            "required": True,
            "guideline": "labels",
        }
    ],
}
V1 = "# Intro\nBe kind.\n\n## Labels\n- pos: good\n- neg: bad\n"


@pytest.mark.parametrize("by", ["mouse", "keys"])
def test_material_change_must_be_acknowledged(people: People, db: Database, by: str) -> None:
    lead, _ = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, INTERFACE, members={annotator: "annotator"}, guidelines=V1)
    add_tasks(db, lead, project, [{"id": f"t{i}", "text": f"task {i}"} for i in range(3)])

    # The annotator works; the question shows its section, opened with Alt+G.
    ann = people.page("annotator")
    people.sign_in(ann, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    ann.wait_for_selector("[data-task-id]")
    section = ann.locator("[data-question=label] .guideline-section")
    expect(section).to_contain_text("Labels")
    ann.keyboard.press("Alt+g")
    expect(section.locator(".markdown")).to_contain_text("pos: good")

    # The manager edits: preview, note, material, Ctrl+S.
    page = people.page("lead")
    people.sign_in(page, *LEAD, then=f"/projects/{project.id}/guidelines")
    source = page.locator("textarea.guidelines-source")
    source.fill(
        V1.replace("- pos: good", "- pos: good, or merely fine")
        + "\n## Edge cases\nSarcasm is neg.\n"
    )
    expect(page.locator(".guidelines-preview-box")).to_contain_text("Sarcasm is neg.")
    # An image, uploaded by mouse into the text, shows in the preview (from the storage).
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Insert image").click()
    chooser.value.set_files(files=[{"name": "tone.png", "mimeType": "image/png", "buffer": png()}])
    image = page.locator(".guidelines-preview-box img.guideline-image")
    expect(image).to_be_visible()
    page.wait_for_function(
        "() => document.querySelector('.guidelines-preview-box img.guideline-image')"
        ".naturalWidth === 40"
    )
    page.get_by_placeholder("What changed, and why").fill("pos widened; sarcasm")
    page.get_by_label("Material change", exact=False).check()
    people.shot(page, "editor")
    source.press("Control+s")
    expect(page.get_by_text("Saved as version 2")).to_be_visible()
    # History: v2 picked, its diff against v1 shown; restore by mouse is offered on v1.
    expect(page.locator(".guidelines-compare .guideline-diff")).to_contain_text("merely fine")
    page.locator(".guidelines-version[data-version='1']").click()
    expect(page.locator(".guidelines-version[data-version='1'] button")).to_contain_text("Restore")
    people.shot(page, "history", at=".guidelines-history")

    # The annotator submits the task in hand; the next one waits for the acknowledgement.
    ann.keyboard.press("1")
    ann.keyboard.press("Control+Enter")
    ack = ann.locator(".guidelines-ack")
    expect(ack).to_contain_text("The guidelines changed")
    expect(ack).to_contain_text("pos widened; sarcasm")
    expect(ack.locator(".diff-add").first).to_be_visible()
    people.shot(ann, "acknowledge")
    if by == "mouse":
        ack.get_by_role("button", name="I have read it").click()
    else:
        ann.keyboard.press("Control+Enter")
    ann.wait_for_selector("[data-task-id]")
    # The panel and the section show the new version without a reload.
    ann.keyboard.press("g")
    expect(ann.locator("aside.guidelines")).to_contain_text("Sarcasm is neg.")
    expect(ann.locator("aside.guidelines .guidelines-head h2")).to_contain_text("v2")
    people.shot(ann, "after-acknowledge")

    # The manager restores version 1 by mouse: version 3, not material, does not block.
    page.reload()
    page.locator(".guidelines-version[data-version='1']").click()
    page.locator(".guidelines-version[data-version='1'] button").click()
    expect(page.locator(".guidelines-version[data-version='3']")).to_contain_text("restores v1")
    ann.keyboard.press("Escape")
    ann.keyboard.press("1")
    ann.keyboard.press("Control+Enter")
    ann.wait_for_selector("[data-task-id], .done")
    expect(ann.locator(".guidelines-ack")).to_have_count(0)
    people.check()
