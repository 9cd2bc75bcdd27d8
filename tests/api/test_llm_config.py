"""LLM endpoints and prompt templates: managers only, the key stored encrypted and never
returned, the webhooks' URL rules, template versions and their syntax (docs/llm.md)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import select

from accord.actions.llm_keys import decrypt_key
from accord.db import Database
from accord.models import AuditEvent, LlmEndpoint
from tests.api.conftest import Api
from tests.factories import make_project, make_user

KEY = "sk-test-0123456789abcdef"
ENDPOINT = {"base_url": "https://llm.example.com/v1", "model": "test-model", "api_key": KEY}


@pytest.fixture
def people(db: Database, api: Api) -> tuple[int, Api, Api]:
    owner, token = make_user(db, "owner@example.com")
    annotator, ann_token = make_user(db, "ann@example.com")
    project = make_project(db, owner, members={annotator: "annotator"})
    return project.id, api.as_(token), api.as_(ann_token)


def test_the_key_is_stored_encrypted_and_never_returned(
    db: Database, people: tuple[int, Api, Api]
) -> None:
    project_id, manager, _ = people
    put = manager.put(f"/projects/{project_id}/llm", json=ENDPOINT)
    assert put.status_code == 200, put.text
    for answer in (put, manager.get(f"/projects/{project_id}/llm")):
        assert KEY not in answer.text
        body = answer.json()
        assert body["has_key"] is True and body["key_hint"] == "…cdef"
        assert body["model"] == "test-model" and body["tokens_used"] == 0
    with db.read() as session:
        row = session.get(LlmEndpoint, project_id)
        assert row is not None and row.key_encrypted is not None
        assert KEY not in row.key_encrypted
        assert decrypt_key(db, row.key_encrypted) == KEY
        audit = session.scalars(select(AuditEvent)).all()
    assert all(KEY not in orjson.dumps(a.after).decode() for a in audit if a.after)
    # Leaving the key out keeps it; "" removes it.
    kept = manager.put(f"/projects/{project_id}/llm", json={**ENDPOINT, "api_key": None})
    assert kept.json()["has_key"] is True
    removed = manager.put(f"/projects/{project_id}/llm", json={**ENDPOINT, "api_key": ""})
    assert removed.json()["has_key"] is False and removed.json()["key_hint"] == ""


def test_only_managers_see_or_change_the_endpoint(people: tuple[int, Api, Api]) -> None:
    project_id, manager, annotator = people
    none = manager.get(f"/projects/{project_id}/llm")
    assert none.status_code == 200 and none.json() is None
    assert annotator.put(f"/projects/{project_id}/llm", json=ENDPOINT).status_code == 403
    manager.put(f"/projects/{project_id}/llm", json=ENDPOINT)
    assert annotator.get(f"/projects/{project_id}/llm").status_code == 403
    assert annotator.get(f"/projects/{project_id}/llm/templates").status_code == 403
    assert annotator.get(f"/projects/{project_id}/llm/calls").status_code == 403


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/v1", "http://localhost/v1", "http://169.254.169.254/v1", "ftp://x/y"],
)
def test_internal_addresses_are_refused_like_webhooks(
    people: tuple[int, Api, Api], url: str
) -> None:
    project_id, manager, _ = people
    answer = manager.put(f"/projects/{project_id}/llm", json={**ENDPOINT, "base_url": url})
    assert answer.status_code == 422, answer.text
    assert "url" in answer.json()["error"]["message"]


def save(manager: Api, project_id: int, **body: Any) -> Any:
    return manager.post(f"/projects/{project_id}/llm/templates", json=body)


def test_each_save_is_a_new_version(people: tuple[int, Api, Api]) -> None:
    project_id, manager, _ = people
    first = save(manager, project_id, name="judge", prompt="Judge {{text}}")
    assert first.status_code == 201 and first.json()["version"] == 1
    second = save(
        manager, project_id, name="judge", prompt="Judge {{ text }} well", system="Be fair"
    )
    assert second.json()["version"] == 2
    save(manager, project_id, name="rewrite", prompt="Rewrite {{accord.text}}")
    latest = manager.get(f"/projects/{project_id}/llm/templates").json()
    assert [(t["name"], t["version"]) for t in latest] == [("judge", 2), ("rewrite", 1)]
    versions = manager.get(f"/projects/{project_id}/llm/templates/judge").json()
    assert [v["prompt"] for v in versions] == ["Judge {{text}}", "Judge {{ text }} well"]


@pytest.mark.parametrize(
    ("prompt", "says"),
    [
        ("Hello\n{{ text | upper }}", "line 2"),
        ("{% for x in y %}", None),
        ("ok\n\n{{ }}", "line 3"),
        ("   ", "write the prompt"),
    ],
)
def test_templates_are_placeholders_only(
    people: tuple[int, Api, Api], prompt: str, says: str | None
) -> None:
    project_id, manager, _ = people
    answer = save(manager, project_id, name="t", prompt=prompt)
    if prompt.startswith("{%"):  # no {{ or }}: plain text, allowed
        assert answer.status_code == 201
        return
    assert answer.status_code == 422, answer.text
    assert says is not None and says in answer.json()["error"]["message"]


def test_a_placeholder_reaches_only_the_task_data() -> None:
    from accord.kinds.prompts import TemplateError, render

    assert render("{{a.b.1}}/{{c}}", {"a": {"b": ["x", "y"]}, "c": ["p", "q"]}) == (
        "y/[1] p\n\n[2] q"
    )
    for bad in ("{{text.__class__}}", "{{text.upper}}", "{{missing}}", "{{a.b.9}}"):
        with pytest.raises(TemplateError, match="the task has no"):
            render(bad, {"text": "x", "a": {"b": []}})
    with pytest.raises(TemplateError, match="over"):
        render("{{t}}" * 3, {"t": "x" * 40_000})
