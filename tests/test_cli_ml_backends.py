"""`accord ml-backends` and the SDK against a real server and a real model server process:
connect, check, pre-label with --wait, Suggest through the SDK, retrain, remove; bad options."""

from __future__ import annotations

import orjson
import pytest

from accord import Client
from accord.db import Database
from accord.settings import Settings
from tests.factories import add_tasks, make_project, make_user
from tests.live import live_server
from tests.ml_backend_server import ml_server
from tests.test_cli import accord, ok

ROWS = [{"text": "great wonderful love"}, {"text": "awful terrible hate"}]


@pytest.mark.slow
def test_ml_backends_from_the_cli_and_the_sdk(settings: Settings, db: Database) -> None:
    owner, owner_token = make_user(db, "lead@example.com")
    ann, ann_token = make_user(db, "ann@example.com")
    project = make_project(db, owner, members={ann: "annotator"})
    add_tasks(db, owner, project, ROWS)
    allow = {"ACCORD_WEBHOOK_ALLOW_PRIVATE": "true"}  # the model server is on 127.0.0.1
    with ml_server() as model, live_server(settings, env=allow) as server:
        lead = {"url": server.url, "token": owner_token}
        pid = str(project.id)
        made = ok(
            accord(
                settings,
                "ml-backends",
                "add",
                pid,
                "sentiment",
                model.url + "/accord",
                "--protocol",
                "accord",
                "--interactive",
                "--timeout",
                "5",
                **lead,
            )
        ).strip()
        assert made.isdigit()
        checked = ok(accord(settings, "ml-backends", "check", pid, made, **lead))
        assert "up" in checked and "model sk-" in checked
        report = ok(accord(settings, "ml-backends", "predict", pid, made, "--wait", **lead))
        assert "2 predictions stored" in report and "0 tasks without one" in report
        rows = orjson.loads(ok(accord(settings, "ml-backends", "list", pid, "--json", **lead)))
        assert rows[0]["protocol"] == "accord" and rows[0]["interactive"] is True
        ordered = ok(
            accord(
                settings, "projects", "order", pid, "uncertainty", "--measure", "margin",
                "--diversity", **lead,
            )
        )
        assert f"project {pid} serves its tasks in uncertainty order (margin, diverse)" in ordered
        wrong = accord(settings, "projects", "order", pid, "uncertainty", "--measure", "x", **lead)
        assert wrong.returncode != 0 and "uncertainty_measure" in wrong.stderr
        again = ok(
            accord(settings, "ml-backends", "predict", pid, made, "--open-only", "--wait", **lead)
        )
        assert "2 predictions stored" in again
        with Client(server.url, ann_token) as sdk:
            task = sdk.next_task(project.id)
            assert task is not None
            got = sdk.ml_predict(task.id, {"clicks": []})
            assert got["result"]["label"]["choice"] in ("pos", "neg")
        changed = ok(
            accord(settings, "ml-backends", "change", pid, made, "--train-every", "5", **lead)
        )
        assert "retrain every 5" in changed
        with Client(server.url, ann_token) as sdk:
            sdk.submit(task.id, {"label": {"choice": "pos"}})
        trained = ok(accord(settings, "ml-backends", "train", pid, made, "--wait", **lead))
        assert "succeeded" in trained
        assert model.requests("/accord/train")[-1]["body"]["annotations"][0]["result"] == {
            "label": {"choice": "pos"}
        }
        bad = accord(
            settings, "ml-backends", "add", pid, "x", model.url, "--protocol", "grpc", **lead
        )
        assert bad.returncode != 0 and "--protocol" in bad.stderr
        refused = accord(settings, "ml-backends", "change", pid, made, **lead)
        assert refused.returncode != 0 and "nothing to change" in refused.stderr
        ok(accord(settings, "ml-backends", "remove", pid, made, **lead))
        assert (
            orjson.loads(ok(accord(settings, "ml-backends", "list", pid, "--json", **lead))) == []
        )
