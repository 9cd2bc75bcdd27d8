"""What the annotate-screen browser tests share: a project with one annotator signed in on
its annotate screen, the server's view of their work over the API, and the page's state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from playwright.sync_api import Page

from accord.db import Database
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user

LEAD = ("lead@example.org", "lead password 1")
ANNOTATOR = ("ann@example.org", "annotator password 1")


@dataclass
class Desk:
    """An annotator at work: their page, the project, and an API client as them."""

    page: Page
    project_id: int
    api: httpx.Client

    def __enter__(self) -> Desk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.api.close()

    def task_id(self) -> int:
        self.page.wait_for_selector("[data-task-id]")
        return int(self.page.locator("[data-task-id]").get_attribute("data-task-id") or 0)

    def wait_for_next(self, before: int) -> int:
        """The id of the task shown after `before` (0: all done)."""
        self.page.wait_for_function(
            "before => { const t = document.querySelector('[data-task-id]');"
            " return document.querySelector('.done') ||"
            " (t && t.dataset.taskId !== String(before)); }",
            arg=before,
        )
        if self.page.locator(".done").count():
            return 0  # nothing left
        return self.task_id()

    def task(self, task_id: int) -> dict[str, Any]:
        """The task as the annotator's API sees it: their annotations and their draft."""
        response = self.api.get(f"/api/v1/tasks/{task_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def answer(self, task_id: int) -> dict[str, Any]:
        annotations = self.task(task_id)["annotations"]
        assert len(annotations) == 1, annotations
        result: dict[str, Any] = annotations[0]["result"]
        return result


def sit_down(
    people: People,
    db: Database,
    interface: dict[str, Any],
    rows: list[dict[str, Any]],
    *,
    before: Callable[[httpx.Client, int], None] | None = None,
) -> Desk:
    """A project with these tasks and one annotator, who opens its annotate screen
    (after `before(api, project_id)` has done what it needs as them over the API)."""
    lead, _ = make_user(db, LEAD[0])
    annotator, token = make_user(db, ANNOTATOR[0], password=ANNOTATOR[1])
    project = make_project(db, lead, interface, members={annotator: "annotator"})
    add_tasks(db, lead, project, rows)
    client = httpx.Client(
        base_url=people.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    if before is not None:
        before(client, project.id)
    page = people.page("annotator")
    people.sign_in(page, *ANNOTATOR, then=f"/projects/{project.id}/annotate")
    return Desk(page, project.id, client)


def scroll_top(page: Page, selector: str) -> float:
    return float(page.locator(selector).first.evaluate("e => e.scrollTop"))
