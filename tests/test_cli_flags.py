"""`accord flags` against a real server: ask, list (the lead sees who asked), answer and
publish, the FAQ search; bad options."""

from __future__ import annotations

import orjson
import pytest

from accord import Client
from accord.db import Database
from accord.settings import Settings
from tests.factories import add_tasks, make_project, make_user, texts
from tests.live import live_server
from tests.test_cli import accord, ok


@pytest.mark.slow
def test_flags_from_the_cli(settings: Settings, db: Database) -> None:
    owner, owner_token = make_user(db, "lead@example.com")
    ann, ann_token = make_user(db, "ann@example.com")
    project = make_project(db, owner, members={ann: "annotator"}, guidelines="# A\n\n## Sarcasm\n")
    add_tasks(db, owner, project, texts(2))
    with live_server(settings) as server:
        with Client(server.url, ann_token) as sdk:
            task = sdk.next_task(project.id)
            assert task is not None
        mine = {"url": server.url, "token": ann_token}
        lead = {"url": server.url, "token": owner_token}
        out = ok(
            accord(
                settings,
                "flags",
                "ask",
                str(task.id),
                "Is it sarcasm?",
                "--section",
                "sarcasm",
                **mine,
            )
        )
        assert "question #1 sent" in out
        listed = ok(accord(settings, "flags", "list", str(project.id), **lead))
        assert "#1" in listed and "ann@example.com" in listed and "sarcasm" in listed
        ok(accord(settings, "flags", "answer", "1", "Yes, negative.", "--publish", **lead))
        faq = ok(accord(settings, "flags", "faq", str(project.id), "sarcasm", **mine))
        assert "Q: Is it sarcasm?" in faq and "A: Yes, negative." in faq
        rows = orjson.loads(
            ok(
                accord(
                    settings, "flags", "list", str(project.id), "--state", "all", "--json", **mine
                )
            )
        )
        assert [r["answer"] for r in rows] == ["Yes, negative."] and rows[0]["asker_email"] is None
        bad = accord(settings, "flags", "list", str(project.id), "--state", "closed", **lead)
        assert bad.returncode != 0 and "--state" in bad.stderr
        big = accord(settings, "flags", "ask", str(task.id), "x" * 20_000, **mine)
        assert big.returncode != 0 and "10,000" in big.stderr


@pytest.mark.slow
def test_promote_from_the_cli(settings: Settings, db: Database) -> None:
    owner, owner_token = make_user(db, "lead@example.com")
    ann, ann_token = make_user(db, "ann@example.com")
    guidelines = "# A\n\n## Sarcasm\n\nNegative.\n\n## Emoji\n\nIgnore them.\n"
    project = make_project(db, owner, members={ann: "annotator"}, guidelines=guidelines)
    add_tasks(db, owner, project, texts(2))
    with live_server(settings) as server:
        with Client(server.url, ann_token) as sdk:
            task = sdk.next_task(project.id)
            assert task is not None
            asked = sdk.flag(task.id, "Is an eye-roll sarcasm?", section="emoji")
        lead = {"url": server.url, "token": owner_token}
        early = accord(settings, "flags", "promote", str(asked["id"]), **lead)
        assert early.returncode != 0 and "answer" in early.stderr
        ok(accord(settings, "flags", "answer", str(asked["id"]), "Yes.", **lead))
        bad = accord(settings, "flags", "promote", str(asked["id"]), "--section", "nope", **lead)
        assert bad.returncode != 0 and "'nope'" in bad.stderr
        args = ("--section", "sarcasm", "--note", "From the CLI", "--material")
        out = ok(accord(settings, "flags", "promote", str(asked["id"]), *args, **lead))
        assert f"question #{asked['id']} promoted into guideline version 2" in out
        with Client(server.url, owner_token) as sdk:
            versions = sdk.guidelines(project.id)
            text = sdk.guidelines_version(project.id, 2)["text"]
        assert text.index("Negative.") < text.index("**Q: Is an eye-roll sarcasm?**")
        assert text.index("**Q: Is an eye-roll sarcasm?**") < text.index("## Emoji")
        assert versions[0]["note"] == "From the CLI" and versions[0]["material"] is True
        again = accord(settings, "flags", "promote", str(asked["id"]), **lead)
        assert again.returncode != 0 and "already became guideline version 2" in again.stderr
