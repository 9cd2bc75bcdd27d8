"""The LLM endpoint the server offers every project (ACCORD_LLM_BASE_URL, _MODEL, _API_KEY):
a manager chooses it instead of the project's own; its key comes from the environment, is sent
only to the endpoint and never shown; the project keeps its own parameters and budget. Against
a real OpenAI-compatible server process (tests/openai_server.py)."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
from fastapi.testclient import TestClient

from accord.api.app import create_app
from accord.db import Database
from accord.settings import Settings
from tests.api.conftest import Api
from tests.api.test_llm_calls import JUDGED, judged_row, last_request
from tests.factories import add_tasks, make_project, make_user
from tests.openai_server import running

KEY = "sk-instance-0123456789wxyz"


@pytest.fixture(scope="module")
def llm_server() -> Iterator[str]:
    with running() as address:
        yield address


def app_with(settings: Settings, db: Database, **more: object) -> TestClient:
    # No ACCORD_WEBHOOK_ALLOW_PRIVATE: the address an admin set may be a private one.
    return TestClient(create_app(settings.model_copy(update=more), db))


def test_a_project_uses_the_servers_endpoint_with_its_own_budget(
    settings: Settings, db: Database, llm_server: str
) -> None:
    owner, token = make_user(db, "owner@example.com")
    _, ann_token = make_user(db, "ann@example.com")
    project = make_project(db, owner, JUDGED)
    offered = {
        "llm_base_url": f"{llm_server}/ok/v1",
        "llm_model": "instance-model",
        "llm_api_key": KEY,
    }
    with app_with(settings, db, **offered) as client:
        me, other = Api(client).as_(token), Api(client).as_(ann_token)
        base = f"/projects/{project.id}/llm"
        assert other.get(f"/projects/{project.id}/llm/instance").status_code == 404
        instance = me.get(f"/projects/{project.id}/llm/instance").json()
        assert instance == {
            "available": True,
            "base_url": f"{llm_server}/ok/v1",
            "model": "instance-model",
            "has_key": True,
        }
        mixed = me.put(base, json={"use_instance": True, "model": "mine"})
        assert mixed.status_code == 422 and "leave out base_url" in mixed.text
        chosen = me.put(base, json={"use_instance": True, "token_budget": 5000})
        assert chosen.status_code == 200, chosen.text
        shown = chosen.json()
        assert shown["uses_instance"] is True and shown["model"] == "instance-model"
        assert shown["has_key"] is True and shown["key_hint"] == "…wxyz"
        assert shown["token_budget"] == 5000
        for answer in (chosen, me.get(base), me.get(base + "/instance")):
            assert KEY not in answer.text
        template = {"name": "judge", "prompt": "Judge {{prompt}}\nREPLY: {{reply}}"}
        assert me.post(base + "/templates", json=template).status_code == 201
        reply = orjson.dumps({"answer": {"rating": 4}, "rationale": "fine"}).decode()
        add_tasks(db, owner, project, [judged_row(reply)])
        task_id = me.get(f"/projects/{project.id}/tasks").json()["items"][0]["id"]
        judged = me.post(
            f"/tasks/{task_id}/llm/judge", json={"template": "judge", "question": "quality"}
        )
        assert judged.status_code == 200 and judged.json()["status"] == "ok", judged.text
        sent = last_request(llm_server)
        assert sent["authorization"] == f"Bearer {KEY}"  # from the environment, to the server
        assert sent["body"]["model"] == "instance-model"
        used = me.get(base).json()["tokens_used"]
        assert 0 < used <= 5000  # counted against the project's own budget
        # The same address as the project's own is refused: a manager's URL obeys the
        # webhooks' rules (no loopback); only the one an admin set may be private.
        own = me.put(base, json={"base_url": f"{llm_server}/ok/v1", "model": "own"})
        assert own.status_code == 422 and "loopback" in own.text
        assert me.get(base).json()["uses_instance"] is True


def test_without_one_the_choice_is_refused_and_saying_how(
    settings: Settings, db: Database
) -> None:
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner, JUDGED)
    with app_with(settings, db) as client:
        me = Api(client).as_(token)
        assert me.get(f"/projects/{project.id}/llm/instance").json()["available"] is False
        refused = me.put(f"/projects/{project.id}/llm", json={"use_instance": True})
        assert refused.status_code == 422
        assert "ACCORD_LLM_BASE_URL" in refused.json()["error"]["message"]
        bare = me.put(f"/projects/{project.id}/llm", json={"model": "m"})
        assert bare.status_code == 422 and "base_url" in bare.text


def test_a_project_left_on_a_withdrawn_endpoint_is_told_why(
    settings: Settings, db: Database, llm_server: str
) -> None:
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner, JUDGED)
    offered = {"llm_base_url": f"{llm_server}/ok/v1", "llm_model": "m", "llm_api_key": KEY}
    with app_with(settings, db, **offered) as client:
        me = Api(client).as_(token)
        assert me.put(f"/projects/{project.id}/llm", json={"use_instance": True}).is_success
        template = {"name": "judge", "prompt": "Judge {{prompt}}"}
        assert me.post(f"/projects/{project.id}/llm/templates", json=template).is_success
    add_tasks(db, owner, project, [judged_row("x")])
    with app_with(settings, db) as client:  # the admin took the setting away
        me = Api(client).as_(token)
        task_id = me.get(f"/projects/{project.id}/tasks").json()["items"][0]["id"]
        got = me.post(
            f"/tasks/{task_id}/llm/judge", json={"template": "judge", "question": "quality"}
        )
        assert got.status_code == 422
        assert "no longer offers one" in got.json()["error"]["message"]
