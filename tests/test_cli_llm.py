"""`accord llm` and the SDK against a real server and a real OpenAI-compatible server process:
set the endpoint (key from the environment, never printed), save a template, run the
candidates job, judge a task, stream a suggestion, read the call log."""

from __future__ import annotations

import os

import orjson
import pytest

from accord import Client
from accord.db import Database
from accord.settings import Settings
from tests.factories import add_tasks, make_project, make_user
from tests.live import live_server
from tests.openai_server import running
from tests.test_cli import accord, ok

KEY = "sk-cli-0123456789abcdef"
INTERFACE = {
    "fields": [
        {"name": "prompt", "kind": "text"},
        {"name": "responses", "kind": "text_list", "required": False, "min_items": 0},
    ],
    "questions": [
        {"name": "quality", "kind": "rating", "min": 1, "max": 5},
        {"name": "answer", "kind": "text"},
    ],
}


@pytest.mark.slow
def test_llm_from_the_cli_and_the_sdk(settings: Settings, db: Database) -> None:
    owner, owner_token = make_user(db, "lead@example.com")
    ann, ann_token = make_user(db, "ann@example.com")
    project = make_project(db, owner, INTERFACE, members={ann: "annotator"})
    rows = [
        {"id": f"p{i}", "prompt": f'REPLY: {{"answer": {{"rating": {i + 2}}}}}'} for i in range(2)
    ]
    add_tasks(db, owner, project, rows)
    env = {"ACCORD_WEBHOOK_ALLOW_PRIVATE": "true", "ACCORD_LLM_MODEL": "inst-model"}
    with running() as llm, live_server(
        settings, env={**env, "ACCORD_LLM_BASE_URL": f"{llm}/ok/v1"}
    ) as server:
        lead = {"url": server.url, "token": owner_token}
        pid = str(project.id)
        os.environ["H2_TEST_LLM_KEY"] = KEY
        try:
            out = ok(
                accord(
                    settings, "llm", "set", pid, "--base-url", f"{llm}/ok/v1", "--model", "m1",
                    "--key-env", "H2_TEST_LLM_KEY", "--budget", "100000", **lead,
                )
            )  # fmt: skip
        finally:
            del os.environ["H2_TEST_LLM_KEY"]
        assert "with key" in out
        # The server's endpoint (ACCORD_LLM_BASE_URL), then back to the project's own.
        inst = ok(accord(settings, "llm", "set", pid, "--instance", **lead))
        assert "uses the server's endpoint: inst-model (no key)" in inst
        both = accord(settings, "llm", "set", pid, "--instance", "--model", "x", **lead)
        assert both.returncode != 0 and "--instance: leave out" in both.stderr
        os.environ["H2_TEST_LLM_KEY"] = KEY
        try:
            ok(
                accord(
                    settings, "llm", "set", pid, "--base-url", f"{llm}/ok/v1", "--model", "m1",
                    "--key-env", "H2_TEST_LLM_KEY", "--budget", "100000", **lead,
                )
            )  # fmt: skip
        finally:
            del os.environ["H2_TEST_LLM_KEY"]
        shown = ok(accord(settings, "llm", "show", pid, **lead))
        assert KEY not in shown and "…cdef" in shown and "of 100000" in shown
        saved = ok(
            accord(settings, "llm", "template", pid, "judge", "-", stdin="{{prompt}}", **lead)
        )
        assert "version 1" in saved
        ok(accord(settings, "llm", "template", pid, "gen", "-", stdin="#{{accord.index}}", **lead))
        rewrite = "Rewrite: {{accord.text}}"
        ok(accord(settings, "llm", "template", pid, "chat", "-", stdin="hello", **lead))
        ok(accord(settings, "llm", "template", pid, "rewrite", "-", stdin=rewrite, **lead))
        ran = ok(
            accord(
                settings, "llm", "run", pid, "judge", "--template", "judge",
                "--question", "quality", "--wait", **lead,
            )
        )  # fmt: skip
        assert "succeeded" in ran
        ok(
            accord(
                settings, "llm", "run", pid, "candidates", "--template", "gen",
                "--field", "responses", "--n", "2", "--wait", **lead,
            )
        )  # fmt: skip
        scored = ok(accord(settings, "llm", "scores", pid, "--question", "quality", **lead))
        assert "llm:m1: agrees with people -" in scored  # nobody has answered yet
        calls = orjson.loads(ok(accord(settings, "llm", "calls", pid, "--json", **lead)))
        assert len(calls) == 6 and {c["status"] for c in calls} == {"ok"}
        assert {c["template_version"] for c in calls} == {1}
        with Client(server.url, owner_token) as sdk:
            endpoint = sdk.llm(project.id)
            assert endpoint is not None and endpoint["tokens_used"] > 0
            bad = sdk.llm_judge(calls[0]["task_id"], "chat", "quality")
            assert bad["status"] == "invalid"  # "Echo: hello" is no judgement: never stored
        with Client(server.url, ann_token) as sdk:
            task = sdk.next_task(project.id)
            assert task is not None
            assert task.data["responses"] == ["Echo: #1", "Echo: #2"]
        suggested = ok(
            accord(
                settings, "llm", "suggest", str(task.id), "hello there",
                url=server.url, token=ann_token,
            )
        )  # fmt: skip
        assert suggested.strip() == "Echo: Rewrite: hello there"
        refused = accord(settings, "llm", "show", pid, url=server.url, token=ann_token)
        assert refused.returncode == 1 and "does not allow" in refused.stderr
