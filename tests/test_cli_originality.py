"""`accord originality` against a real server: upload a corpus (the question found or named,
--name, --wait), list the corpora, delete one; who may, and bad options."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from accord import Client
from accord.db import Database
from accord.settings import Settings
from tests.factories import add_tasks, make_project, make_user, texts
from tests.live import live_server
from tests.test_cli import accord, ok

ORIGINAL = (
    "The committee reviewed the harbour expansion plan in detail and found that the dredging "
    "schedule conflicts with the spawning season of local fish populations every spring"
)
OTHER = (
    "Volunteers repainted the library mural over three weekends using donated paint and the "
    "children of the neighbourhood chose its colours and its birds and its trees"
)
CHECKED = {"kind": "text", "originality": {"warn_above": 0.5, "block_above": 0.8}}
ONE = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [{"name": "why", **CHECKED}],
}
TWO = {**ONE, "questions": [{"name": "why", **CHECKED}, {"name": "how", **CHECKED}]}


@pytest.mark.slow
def test_corpora_from_the_cli(settings: Settings, db: Database, tmp_path: Path) -> None:
    owner, owner_token = make_user(db, "lead@example.com")
    ann, ann_token = make_user(db, "ann@example.com")
    project = make_project(db, owner, ONE, members={ann: "annotator"})
    two = make_project(db, owner, TWO)
    add_tasks(db, owner, project, texts(2))
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(f"{ORIGINAL}\n{OTHER}\n", encoding="utf-8")
    jsonl = tmp_path / "more.jsonl"
    jsonl.write_bytes(orjson.dumps({"text": OTHER + " again"}) + b"\n")
    with live_server(settings) as server:
        lead = {"url": server.url, "token": owner_token}
        mine = {"url": server.url, "token": ann_token}
        out = ok(
            accord(
                settings, "originality", "upload", str(project.id), str(corpus), "--name",
                "harbour", "--wait", **lead,
            )
        )  # fmt: skip
        assert "corpus 1 (harbour, question why): job" in out and "succeeded" in out
        out = ok(accord(settings, "originality", "upload", str(project.id), str(jsonl), **lead))
        assert "corpus 2 (more.jsonl, question why)" in out

        with Client(server.url, ann_token) as sdk:
            task = sdk.next_task(project.id)
            assert task is not None
            refused = sdk._http.post(
                f"/tasks/{task.id}/annotations", json={"result": {"why": {"text": ORIGINAL}}}
            )
            assert refused.status_code == 422, "the uploaded corpus is in use"

        listed = ok(accord(settings, "originality", "corpora", str(project.id), **lead))
        assert "#1" in listed and "harbour" in listed and "ready" in listed and "2 texts" in listed
        rows = orjson.loads(
            ok(accord(settings, "originality", "corpora", str(project.id), "--json", **lead))
        )
        assert [r["name"] for r in rows[-1:]] == ["harbour"]

        out = ok(accord(settings, "originality", "delete", str(project.id), "1", "--wait", **lead))
        assert "corpus 1 deleted" in out and "succeeded" in out
        rows = orjson.loads(
            ok(accord(settings, "originality", "corpora", str(project.id), "--json", **lead))
        )
        assert [r["id"] for r in rows] == [2]
        with Client(server.url, ann_token) as sdk:
            done = sdk._http.post(
                f"/tasks/{task.id}/annotations", json={"result": {"why": {"text": ORIGINAL}}}
            )
            assert done.status_code == 201, done.text

        # Who may, and what is wrong, said on one line.
        denied = accord(settings, "originality", "delete", str(project.id), "2", **mine)
        assert denied.returncode != 0 and denied.stderr.startswith("error:")
        gone = accord(settings, "originality", "delete", str(project.id), "1", **lead)
        assert gone.returncode != 0 and "no reference corpus 1" in gone.stderr
        several = accord(settings, "originality", "upload", str(two.id), str(corpus), **lead)
        assert several.returncode != 0 and "why, how" in several.stderr
        assert "--question" in several.stderr
        named = accord(
            settings, "originality", "upload", str(two.id), str(corpus), "--question", "how",
            **lead,
        )  # fmt: skip
        assert "question how" in ok(named)
        missing = accord(settings, "originality", "upload", str(project.id), "nope.txt", **lead)
        assert missing.returncode != 0 and "nope.txt" in missing.stderr
        bad = accord(
            settings, "originality", "upload", str(project.id), str(corpus), "--format", "csv",
            **lead,
        )  # fmt: skip
        assert bad.returncode != 0 and "--format" in bad.stderr
