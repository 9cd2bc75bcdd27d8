"""The data manager shows a small picture of each task's image: its thumbnail once the
thumbnails job has made it, the image itself (scaled) for a string reference without one, and
the image's file name in the row's text instead of a long signed link. Real photographs
(scikit-image's samples), uploaded through the API as a manager would."""

from __future__ import annotations

import io
import time

import httpx
import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect
from skimage import data as samples

from accord.db import Database
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user

pytestmark = pytest.mark.browser

LEAD = ("lead@example.org", "lead password 1")
INTERFACE = {
    "fields": [
        {"name": "image", "kind": "image"},
        {"name": "note", "kind": "text", "required": False},
    ],
    "questions": [{"name": "ok", "kind": "choice", "options": ["yes", "no"]}],
}


def encoded(pixels: np.ndarray, fmt: str) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format=fmt)
    return out.getvalue()


def test_the_data_manager_shows_thumbnails(people: People, db: Database) -> None:
    lead, token = make_user(db, LEAD[0], password=LEAD[1], can_create_projects=True)
    project = make_project(db, lead, INTERFACE)
    headers = {"Authorization": f"Bearer {token}"}
    files = [
        ("file", ("set/astronaut.jpg", encoded(samples.astronaut(), "JPEG"), "image/jpeg")),
        ("file", ("set/coffee.jpg", encoded(samples.coffee(), "JPEG"), "image/jpeg")),
        ("file", ("set/camera.png", encoded(samples.camera(), "PNG"), "image/png")),
    ]
    api = f"{people.url}/api/v1"
    answer = httpx.post(f"{api}/projects/{project.id}/media", files=files, headers=headers)
    assert answer.status_code == 201, answer.text
    uploaded = answer.json()
    deadline = time.monotonic() + 60
    while True:
        job = httpx.get(f"{api}/jobs/{uploaded['thumbnails_job']}", headers=headers).json()
        if job["state"] in ("succeeded", "failed"):
            break
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    assert job["state"] == "succeeded" and job["result"]["made"] == 3, job
    astronaut, coffee, camera = uploaded["files"]
    rows = [
        {"id": "a", "image": {k: astronaut[k] for k in ("src", "width", "height")}},
        {"id": "b", "image": {k: coffee[k] for k in ("src", "width", "height")}, "note": "hot"},
        {"id": "c", "image": camera["src"]},  # a string: the image itself, scaled
    ]
    add_tasks(db, lead, project.id, rows)

    page = people.page("lead")
    people.sign_in(page, *LEAD, then=f"/projects/{project.id}/data")
    pictures = page.locator("img.task-picture")
    expect(pictures).to_have_count(3)
    expect(page.get_by_role("row").filter(has_text="image: coffee.jpg · note: hot")).to_have_count(
        1
    )
    expect(page.get_by_role("gridcell").filter(has_text="/api/v1/files/")).to_have_count(0)
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.task-picture')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    loaded = pictures.evaluate_all(
        "els => els.map(e => [e.naturalWidth, e.naturalHeight, e.getBoundingClientRect().height])"
    )
    # The thumbnails (longest side 256), then the string reference's own image (512 × 512).
    assert [tuple(x[:2]) for x in loaded] == [(256, 256), (256, 171), (512, 512)]
    assert all(x[2] <= 26 for x in loaded)  # small, inside the 32 px row
    people.shot(page, "data-pictures")
    people.check()
