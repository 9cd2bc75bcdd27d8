"""The README's flow, end to end, through the real CLI and SDK against a running server:
users create → tokens create → projects create → import → next/submit (SDK) → export."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import uuid
from pathlib import Path

import orjson
import pytest

from accord import AccordError, Client
from accord.db import Database
from accord.settings import Settings
from tests.live import USE_SPAWNER, live_server, server_env, spawner

INTERFACE = """fields:
  - {name: text, kind: text}
questions:
  - {name: label, kind: choice, options: [pos, neg], required: true}
"""


def accord(
    settings: Settings, *args: str, url: str = "", token: str = "", stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = server_env(settings, 0)
    if url:
        env["ACCORD_URL"] = url
    if token:
        env["ACCORD_TOKEN"] = token
    if not USE_SPAWNER:
        return subprocess.run(
            [sys.executable, "-m", "accord.cli.main", *args],
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
    # Forked by the test spawner (tests/spawner.py): the same command line, minus the imports.
    streams = settings.data_dir / "cli-streams"
    streams.mkdir(exist_ok=True)
    stem = streams / uuid.uuid4().hex
    paths = [stem.with_suffix(s) for s in (".in", ".out", ".err")]
    paths[0].write_text(stdin)
    process = spawner().spawn(list(args), env, paths[1], paths[2], stdin=paths[0])
    code = process.wait(120)
    out, err = (path.read_text() for path in paths[1:])
    for path in paths:
        path.unlink()
    return subprocess.CompletedProcess(list(args), code, out, err)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
def test_readme_flow(settings: Settings, db: Database, tmp_path: Path) -> None:
    ok(accord(settings, "db", "upgrade"))
    out = ok(
        accord(
            settings,
            "users",
            "create",
            "lead@example.com",
            "--admin",
            "--password-stdin",
            stdin="a long enough password\n",
        )
    )
    assert "created admin lead@example.com" in out
    token = ok(accord(settings, "tokens", "create", "lead@example.com")).strip()
    assert token.startswith("acc_")
    annotator_out = ok(accord(settings, "users", "create", "ann@example.com"))
    assert "password: " in annotator_out
    annotator_token = ok(accord(settings, "tokens", "create", "ann@example.com")).strip()

    interface = tmp_path / "interface.yaml"
    interface.write_text(INTERFACE)
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(
        "".join(
            orjson.dumps({"id": f"t{i}", "text": f"text {i}"}).decode() + "\n" for i in range(5)
        )
    )
    with live_server(settings) as server:
        env = {"url": server.url, "token": token}
        project = ok(
            accord(
                settings,
                "projects",
                "create",
                "Demo",
                "--interface",
                str(interface),
                "--overlap",
                "1",
                **env,
            )
        ).strip()
        assert project.isdigit()
        ok(
            accord(
                settings,
                "projects",
                "add-member",
                project,
                "ann@example.com",
                "--role",
                "annotator",
                **env,
            )
        )
        imported = ok(accord(settings, "import", project, str(tasks), "--wait", **env))
        assert "created 5 tasks" in imported
        listed = ok(accord(settings, "jobs", project, **env))
        assert " import  succeeded " in listed

        with Client(server.url, annotator_token) as sdk:
            done = 0
            while (task := sdk.next_task(int(project))) is not None:
                sdk.save_draft(task.id, {"label": {"choice": "neg"}}, seconds=1)
                sdk.submit(task.id, {"label": {"choice": "pos"}}, seconds=2.5)
                done += 1
            assert done == 5
            with pytest.raises(AccordError) as error:
                sdk.submit(task_id=10**6, result={})
            assert error.value.status == 404 and "no task" in error.value.message

        exported = tmp_path / "out.jsonl"
        ok(accord(settings, "export", project, "-o", str(exported), **env))
        rows = [orjson.loads(line) for line in exported.read_text().splitlines()]
        assert [r["external_id"] for r in rows] == [f"t{i}" for i in range(5)]
        assert all(r["annotations"][0]["result"] == {"label": {"choice": "pos"}} for r in rows)
        assert all(r["annotations"][0]["seconds"] == 2.5 for r in rows)
        csv_out = ok(accord(settings, "export", project, "--format", "csv", **env))
        table = list(csv.DictReader(io.StringIO(csv_out)))
        assert len(table) == 5 and {r["label"] for r in table} == {"pos"}
        assert {r["annotator"] for r in table} == {"ann@example.com"}
        agreed = ok(accord(settings, "export", project, "--consensus", **env))
        first = orjson.loads(agreed.splitlines()[0])["consensus"]["label"]
        assert first["value"] == {"choice": "pos"} and first["n"] == 1
        assert first["agreement"] is None, "one answer: no pair to agree"

        with Client(server.url, token) as sdk:
            assert [r["external_id"] for r in sdk.export(int(project))] == [
                f"t{i}" for i in range(5)
            ]
            assert len(list(sdk.export(int(project), format="csv"))) == 5
            agreed = next(sdk.export(int(project), consensus=True))
            assert agreed["consensus"]["label"]["value"] == {"choice": "pos"}
            report = sdk.import_tasks(
                int(project), [{"id": "t0", "text": "again"}, {"text": 3}], skip_invalid=True
            )
            assert (report.created, report.duplicates, report.skipped) == (0, 1, 1)

        # Failures: a one-line reason on stderr and a non-zero exit.
        missing = accord(settings, "import", project, str(tmp_path / "nope.jsonl"), **env)
        assert missing.returncode == 1 and missing.stderr.count("\n") == 1
        assert missing.stderr.startswith("error: no such file")
        bad = tmp_path / "bad.jsonl"
        bad.write_text('{"text": "ok"}\n{"text": 1}\n')
        refused = accord(settings, "import", project, str(bad), "--wait", **env)
        assert refused.returncode == 1
        assert refused.stderr.startswith("error: line 2, field 'text': expected a string")
        # Without --wait the import runs on: the command prints its job's id.
        started = accord(settings, "import", project, str(tasks), **env)
        assert started.returncode == 0 and started.stdout.strip().isdigit()
        job_id = started.stdout.strip()
        followed = ok(accord(settings, "job", job_id, "--wait", **env))
        assert f"job {job_id}  import  succeeded" in followed and '"duplicates": 5' in followed
        # An export into the storage, as a job: where the file is, and the file itself.
        stored = tmp_path / "stored.jsonl"
        where = ok(accord(settings, "export", project, "--to-storage", "-o", str(stored), **env))
        assert where.strip().endswith(".jsonl") and "exports/project-" in where
        assert stored.read_bytes() == exported.read_bytes()
        wrong = accord(settings, "export", project, url=server.url, token="acc_wrong")
        assert wrong.returncode == 1 and "unknown or revoked" in wrong.stderr
    down = accord(settings, "export", project, url="http://127.0.0.1:9", token=token)
    assert down.returncode == 1 and "cannot talk to the Accord server" in down.stderr
    dup = accord(settings, "users", "create", "lead@example.com")
    assert (
        dup.returncode == 1
        and dup.stderr == "error: a user with the email lead@example.com already exists\n"
    )
