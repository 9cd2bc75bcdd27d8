"""Model servers in the browser (docs/ml_backends.md): a manager connects the test model server
(tests/ml_backend_server.py, on 127.0.0.1, allowed by ACCORD_WEBHOOK_ALLOW_PRIVATE) in the
project's settings, checks it and pre-labels the project; the annotator asks for a suggestion
(Shift+M), submits it corrected, and keeps working with a clear notice when the server fails."""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import expect

from accord.db import Database
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user
from tests.ml_backend_server import ml_server

# ACCORD_WEBHOOK_ALLOW_PRIVATE: the model server is on 127.0.0.1.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.server_env(ACCORD_WEBHOOK_ALLOW_PRIVATE="true"),
]

LEAD = ("lead@example.org", "lead password 1")
ANNOTATOR = ("ann@example.org", "annotator password 1")
ROWS = [
    {"id": "t1", "text": "great wonderful love"},
    {"id": "t2", "text": "awful terrible hate"},
    {"id": "t3", "text": "good nice fine"},
]


def test_a_manager_connects_a_model_and_the_annotator_uses_its_suggestions(
    people: People, db: Database
) -> None:
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    annotator, _ = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, members={annotator: "annotator"})
    add_tasks(db, lead, project, ROWS)
    with ml_server() as model:
        page = people.page("lead")
        people.sign_in(page, *LEAD, then=f"/projects/{project.id}/settings")
        section = page.locator("section", has=page.get_by_role("heading", name="Model servers"))
        section.get_by_label("Name").fill("sentiment")
        section.get_by_label("Server URL").fill(model.url + "/ls")
        section.get_by_label("Offer it as Suggest").check()
        section.get_by_role("button", name="Connect server").click()
        expect(section.get_by_text("sentiment connected")).to_be_visible()
        section.get_by_role("button", name="Check").click()
        expect(section.get_by_text("sentiment is up (model sk-")).to_be_visible()
        section.get_by_role("button", name="Pre-label tasks").click()
        expect(section.get_by_text("Pre-labelling started")).to_be_visible()
        people.shot(page, "model-servers", at="section.webhooks >> nth=1")
        api = httpx.Client(
            base_url=people.url + "/api/v1", headers={"Authorization": f"Bearer {lead_token}"}
        )
        deadline = time.monotonic() + 60
        while True:
            jobs = api.get(f"/projects/{project.id}/jobs", params={"kind": "ml_predict"}).json()
            [job] = jobs["jobs"]
            if job["state"] in ("succeeded", "failed"):
                break
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        assert job["state"] == "succeeded" and job["result"]["stored"] == 3, job

        ann = people.page("annotator")
        people.sign_in(ann, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
        suggest = ann.get_by_role("button", name="Suggest")
        expect(suggest).to_be_visible()
        ann.keyboard.press("Shift+M")
        expect(ann.get_by_text("Suggested by sk-")).to_be_visible()
        people.shot(ann, "suggested")
        # The model is down: a notice says so, and the task goes on without a suggestion.
        model.mode("error")
        suggest.click()
        expect(ann.get_by_text("No suggestion from sentiment:")).to_be_visible()
        expect(ann.get_by_text("annotate without it")).to_be_visible()
        people.shot(ann, "model-down")
        ann.get_by_text("neg", exact=True).click()  # the annotator's own answer
        ann.keyboard.press("Control+Enter")
        # The next task opens with the model's pre-label (from the job) put in.
        expect(ann.locator(".suggestion-tag")).to_be_visible()
        expect(ann.get_by_role("button", name="Suggest")).to_be_enabled()
        annotations = [
            a
            for t in api.get(f"/projects/{project.id}/tasks").json()["items"]
            for a in api.get(f"/tasks/{t['id']}").json()["annotations"]
        ]
        assert [a["result"] for a in annotations] == [{"label": {"choice": "neg"}}]
        api.close()
    # The 502 of the failed suggestion is logged by Chromium; it was provoked on purpose.
    people.problems[:] = [p for p in people.problems if "status of 502" not in p]
    people.check()
