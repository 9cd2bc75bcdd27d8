"""A manager exports for training code from the Export page, as a person would: picks CoNLL by
mouse, checks what it writes, narrows to reviewed annotations by keyboard; a format the
interface cannot make is refused with the reason; Label Studio's JSON comes with its config."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.db import Database
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user

pytestmark = pytest.mark.browser

LEAD = ("lead@example.org", "lead password 1")
NER = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {"name": "entities", "kind": "spans", "target": "text", "labels": ["PER", "ORG"]}
    ],
}


def test_training_formats_from_the_export_page(people: People, db: Database) -> None:
    lead, token = make_user(db, LEAD[0], password=LEAD[1])
    project = make_project(db, lead, NER)
    add_tasks(db, lead, project, [{"text": "Alice works at Acme."}, {"text": "Bob met Carol."}])
    import httpx

    with httpx.Client(
        base_url=f"{people.url}/api/v1", headers={"Authorization": f"Bearer {token}"}
    ) as api:
        for spans in (
            [{"start": 0, "end": 5, "label": "PER"}],
            [{"start": 0, "end": 3, "label": "PER"}],
        ):
            task = api.post(f"/projects/{project.id}/next").json()["task"]
            done = api.post(
                f"/tasks/{task['id']}/annotations", json={"result": {"entities": {"spans": spans}}}
            )
            assert done.status_code == 201, done.text
    page = people.page("lead")
    people.sign_in(page, *LEAD, then=f"/projects/{project.id}/export")

    page.locator("[data-export-format=conll]").click()
    check = page.locator("[data-training-check]")
    check.get_by_role("button", name="Check what it writes").click()
    expect(check.locator("[data-training-report]")).to_contain_text(
        "2 records from 2 answers; nothing left out."
    )
    link = page.locator("[data-export-link]")
    expect(link).to_have_attribute("href", f"/api/v1/projects/{project.id}/export?format=conll")
    people.shot(page, "export-conll-checked")

    # Reviewed only, by keyboard: the arrow keys move along the Content radios, past the
    # consensus one (not with a training format: disabled).
    expect(page.locator("[data-export-content=consensus]")).to_be_disabled()
    page.locator("[data-export-content=annotations]").focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator("[data-export-content=reviewed]")).to_be_checked()
    expect(link).to_have_attribute(
        "href", f"/api/v1/projects/{project.id}/export?format=conll&reviewed=true"
    )
    check.get_by_role("button", name="Check what it writes").focus()
    page.keyboard.press("Enter")
    expect(check.locator("[data-training-report]")).to_contain_text("0 records from 0 answers")

    # A format this interface cannot make: the server's reason, before any download.
    page.locator("[data-export-format=trl-preference]").click()
    expect(page.locator("[data-export-content=reviewed]")).to_be_checked()  # still fits
    check.get_by_role("button", name="Check what it writes").click()
    expect(check.get_by_role("alert")).to_contain_text("pairwise")
    people.shot(page, "export-preference-refused")

    # Label Studio's JSON, and the config to load it with; reviewed falls back to annotations.
    page.locator("[data-export-format=labelstudio]").click()
    expect(page.locator("[data-export-content=annotations]")).to_be_checked()
    config = page.locator("[data-labelstudio-config]")
    expect(config).to_have_attribute("href", f"/api/v1/projects/{project.id}/labelstudio-config")
    for href in (config.get_attribute("href"), link.get_attribute("href")):
        got = page.request.get(f"{people.url}{href}")
        assert got.status == 200, (href, got.text())
