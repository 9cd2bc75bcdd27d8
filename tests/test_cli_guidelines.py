"""``accord guidelines``: list, show, save (with a conflict's diff), diff, against a live server."""

from __future__ import annotations

from pathlib import Path

from accord.db import Database
from accord.settings import Settings
from tests.factories import make_project, make_user
from tests.live import live_server
from tests.test_cli import accord, ok


def test_guidelines_commands(settings: Settings, db: Database, tmp_path: Path) -> None:
    lead, token = make_user(db, "lead@example.com")
    project = make_project(db, lead, guidelines="# Rules\nBe kind.\n")
    text = tmp_path / "guidelines.md"
    text.write_text("# Rules\nBe kind and brief.\n")
    with live_server(settings) as server:
        env = {"url": server.url, "token": token}
        pid = str(project.id)
        saved = ok(accord(settings, "guidelines", "save", pid, str(text), "--base", "1",
                          "--note", "brief", "--material", **env))  # fmt: skip
        assert "saved version 2" in saved
        listed = ok(accord(settings, "guidelines", "list", pid, **env))
        assert listed.splitlines()[0].startswith("v2") and "material: brief" in listed
        assert ok(accord(settings, "guidelines", "show", pid, "1", **env)) == "# Rules\nBe kind.\n"
        assert "+Be kind and brief." in ok(accord(settings, "guidelines", "diff", pid, "1", **env))
        late = accord(settings, "guidelines", "save", pid, str(text), "--base", "1", **env)
        assert late.returncode == 1
        assert "+Be kind and brief." in late.stderr and "version 2 now" in late.stderr
