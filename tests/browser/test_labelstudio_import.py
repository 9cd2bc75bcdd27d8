"""A lead brings a Label Studio project in from the New project page, as a person would: picks
the export and the config, names it by keyboard, starts it with Enter, follows the job and opens
the project; a broken export lists every problem and the empty project is deleted by mouse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accord.db import Database
from tests.browser.conftest import People
from tests.factories import make_user

pytestmark = pytest.mark.browser

LEAD = ("lead@example.org", "lead password 1")
NER = Path(__file__).resolve().parent.parent / "fixtures" / "labelstudio" / "ner"


def test_a_label_studio_project_comes_in_from_the_new_project_page(
    people: People, db: Database, tmp_path: Path
) -> None:
    make_user(db, LEAD[0], password=LEAD[1], can_create_projects=True)
    page = people.page("lead")
    people.sign_in(page, *LEAD, then="/projects/new")
    opener = page.locator("summary", has_text="Coming from Label Studio? Bring its project")
    form = page.locator("form[data-labelstudio-import]")
    expect(form).to_be_hidden()  # closed until asked for
    opener.click()
    start = form.get_by_role("button", name="Import the Label Studio project")
    expect(start).to_be_disabled()  # both files first
    form.get_by_label("Export (JSON)").set_input_files(str(NER / "export.json"))
    form.get_by_label("Labeling config (XML)").set_input_files(str(NER / "config.xml"))
    expect(start).to_be_enabled()
    name = form.get_by_label("Project name")
    name.focus()
    page.keyboard.type("Reviews NER")
    people.shot(page, "labelstudio-form")
    page.keyboard.press("Enter")

    report = page.locator("[data-labelstudio-report]")
    expect(report).to_contain_text("Imported 2 tasks, 4 annotations and 2 predictions")
    job = page.locator("[data-labelstudio-job]")
    expect(job.locator("[data-job-state]")).to_contain_text("Succeeded")
    people.shot(page, "labelstudio-imported")
    report.get_by_role("button", name="Open the project").click()
    general = page.get_by_role("region", name="General")
    expect(general.get_by_label("Name", exact=True)).to_have_value("Reviews NER")

    # A broken region: nothing imported, every problem listed; the empty project deleted.
    broken = json.loads((NER / "export.json").read_text())
    broken[0]["annotations"][0]["result"][0]["value"]["labels"] = ["NOPE"]
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps(broken))
    page.goto(f"{people.url}/projects/new")
    opener.focus()
    page.keyboard.press("Enter")  # the section opens by keyboard too
    form.get_by_label("Export (JSON)").set_input_files(str(bad))
    form.get_by_label("Labeling config (XML)").set_input_files(str(NER / "config.xml"))
    form.get_by_role("button", name="Import the Label Studio project").click()
    failed = page.locator("[data-labelstudio-failed]")
    expect(failed).to_contain_text("nothing was imported")
    expect(failed.locator("[data-labelstudio-problems] li")).to_contain_text(
        ["'NOPE' is not one of the labels"]
    )
    people.shot(page, "labelstudio-failed")
    failed.get_by_role("button", name="Delete the empty project").click()
    expect(failed.get_by_role("status")).to_contain_text("The empty project was deleted")
