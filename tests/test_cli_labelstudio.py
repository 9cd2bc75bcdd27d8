"""``accord projects import-labelstudio`` / ``labelstudio-config`` and ``accord export --format
labelstudio`` against a live server, and the SDK's calls: a Label Studio project comes in
(printing its id), goes back out, and comes in again the same; a broken export is refused
with every problem on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import orjson

from accord import Client
from accord.db import Database
from accord.settings import Settings
from tests.factories import make_user
from tests.live import live_server
from tests.test_cli import accord, ok

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "labelstudio"


def test_label_studio_both_ways_from_the_command_line(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    _, token = make_user(db, "lead@example.com", can_create_projects=True)
    case = FIXTURES / "ner"
    with live_server(settings) as server:
        env = {"url": server.url, "token": token}
        done = accord(
            settings,
            "projects",
            "import-labelstudio",
            str(case / "export.json"),
            "--config",
            str(case / "config.xml"),
            "--title",
            "NER",
            **env,
        )
        project = int(ok(done).strip())
        assert "2 tasks, 4 annotations, 2 predictions imported" in done.stderr

        out, config = tmp_path / "back.json", tmp_path / "config.xml"
        ok(
            accord(
                settings, "export", str(project), "--format", "labelstudio", "-o", str(out), **env
            )
        )
        ok(
            accord(
                settings, "projects", "labelstudio-config", str(project), "-o", str(config), **env
            )
        )
        tasks = json.loads(out.read_text())
        assert len(tasks) == 2 and all(len(t["annotations"]) == 2 for t in tasks)
        assert config.read_text().startswith("<View>")

        again = accord(
            settings,
            "projects",
            "import-labelstudio",
            str(out),
            "--config",
            str(config),
            "--json",
            **env,
        )
        second = orjson.loads(ok(again))["project_id"]

        broken = json.loads((case / "export.json").read_text())
        broken[0]["annotations"][0]["result"][0]["value"]["labels"] = ["NOPE"]
        bad = tmp_path / "broken.json"
        bad.write_text(json.dumps(broken))
        refused = accord(
            settings,
            "projects",
            "import-labelstudio",
            str(bad),
            "--config",
            str(case / "config.xml"),
            **env,
        )
        assert refused.returncode == 1
        assert "'NOPE' is not one of the labels" in refused.stderr
        assert "nothing was imported" in refused.stderr

        # In the background: the same id on stdout and summary, followed as a job.
        later = accord(
            settings,
            "projects",
            "import-labelstudio",
            str(case / "export.json"),
            "--config",
            str(case / "config.xml"),
            "--background",
            **env,
        )
        assert int(ok(later).strip()) > second
        assert "2 tasks, 4 annotations, 2 predictions imported" in later.stderr
        failed = accord(
            settings,
            "projects",
            "import-labelstudio",
            str(bad),
            "--config",
            str(case / "config.xml"),
            "--background",
            **env,
        )
        assert failed.returncode == 1
        assert "'NOPE' is not one of the labels" in failed.stderr
        assert "was left empty; delete it" in failed.stderr

        with Client(server.url, token) as client:
            first_rows = list(client.export(project))
            second_rows = list(client.export(second))
            assert [r["annotations"][0]["result"] for r in first_rows] == [
                r["annotations"][0]["result"] for r in second_rows
            ]
            assert client.labelstudio_config(project) == config.read_text()
            found = client.import_labelstudio(bad, case / "config.xml", skip_invalid=True)
            assert found["report"]["problem_count"] == 1
