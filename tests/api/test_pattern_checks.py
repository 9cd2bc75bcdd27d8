"""No manager's pattern can stall the server: patterns run in linear time, and the checks that
run them happen outside the database's write lock and off the event loop, so other people's
requests answer while one answer is being checked."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from accord.db import Database
from accord.kinds import patterns
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user, texts

WRITING: dict[str, Any] = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {
            "name": "why",
            "kind": "text",
            "required": True,
            "rules": [
                {"pattern": "(a+)+$", "must_match": False, "message": "no trailing a's"},
                {"pattern": "^(a|aa)+$", "must_match": False, "message": "not only a's"},
            ],
        }
    ],
}


def two_annotators(db: Database) -> tuple[int, str, str]:
    owner, _ = make_user(db, "owner@example.com")
    (a, a_token), (b, b_token) = make_user(db, "a@example.com"), make_user(db, "b@example.com")
    project = make_project(db, owner, WRITING, members={a: "annotator", b: "annotator"})
    add_tasks(db, owner, project, texts(4))
    return project.id, a_token, b_token


def submit(api: Api, project_id: int, text: str) -> Any:
    task = api.post(f"/projects/{project_id}/next").json()["task"]
    return api.post(f"/tasks/{task['id']}/annotations", json={"result": {"why": {"text": text}}})


@pytest.mark.timeout(60)
def test_a_catastrophic_pattern_is_checked_at_once(db: Database, api: Api) -> None:
    """Python's re.search spins for ever on these (about 2**5000 steps); RE2 takes microseconds."""
    project_id, a, b = two_annotators(db)
    refused = submit(api.as_(a), project_id, "a" * 5000 + "b")
    assert refused.status_code == 201, refused.text  # ends in b: no rule is broken
    broken = submit(api.as_(b), project_id, "b" + "a" * 5000)
    assert broken.status_code == 422
    assert "no trailing a's" in broken.json()["error"]["message"]


def test_a_slow_check_does_not_hold_up_other_annotators(
    db: Database, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While one answer's patterns are being checked (held here until released), another
    annotator's next and submit go through: the check holds neither the write lock nor the
    event loop."""
    project_id, a, b = two_annotators(db)
    started, release = threading.Event(), threading.Event()
    search = patterns.search

    def held(pattern: str, text: str) -> bool:
        if text == "held back":
            started.set()
            release.wait(30)
        return search(pattern, text)

    monkeypatch.setattr(patterns, "search", held)
    answers: dict[str, Any] = {}
    slow = threading.Thread(
        target=lambda: answers.update(a=submit(api.as_(a), project_id, "held back"))
    )
    slow.start()
    try:
        assert started.wait(10), "the held check never started"
        other = threading.Thread(
            target=lambda: answers.update(b=submit(api.as_(b), project_id, "a fine answer"))
        )
        other.start()
        other.join(20)
        assert not other.is_alive(), "another annotator waited for someone else's check"
        assert answers["b"].status_code == 201, answers["b"].text
        assert "a" not in answers, "the held answer was written before its check ended"
    finally:
        release.set()
        slow.join(30)
    assert answers["a"].status_code == 201, answers["a"].text
