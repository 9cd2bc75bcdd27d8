"""`accord import ... --source NAME` against a real server: a COCO dataset (images uploaded,
shapes made the named source's annotations) and a JSONL file whose rows carry predictions;
the report printed; the source's account refused a token by `accord tokens create`."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from accord import Client
from accord.actions.source_answers import source_email
from accord.db import Database
from accord.settings import Settings
from tests.factories import make_project, make_user
from tests.formats.shapes_data import INTERFACE
from tests.live import live_server
from tests.test_cli import accord, ok
from tests.test_cli_images import _coco, _images

pytestmark = pytest.mark.slow

QUESTIONS = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [{"name": "label", "kind": "choice", "options": ["pos", "neg"]}],
}


def test_coco_and_jsonl_as_a_sources_annotations(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    owner, token = make_user(db, "lead@example.com")
    images = make_project(db, owner, INTERFACE)
    texts = make_project(db, owner, QUESTIONS, overlap=2)
    media = tmp_path / "images"
    coco = _coco(tmp_path)
    _images(media, ["a.png", "sub/b.png"])
    rows = tmp_path / "rows.jsonl"
    rows.write_bytes(
        b"".join(
            orjson.dumps(
                {
                    "id": f"r{i}",
                    "text": f"text {i}",
                    "predictions": [{"model_version": "v", "result": {"label": {"choice": "pos"}}}],
                }
            )
            + b"\n"
            for i in range(3)
        )
    )
    with live_server(settings) as server:
        env = {"url": server.url, "token": token}
        source = ("--source", "legacy-2024")
        args = ("import", str(images.id), str(coco), "--format", "coco", "--media", str(media))
        out = ok(accord(settings, *args, *source, "--wait", **env))
        assert "created 2 tasks" in out
        assert "2 annotations by the source 'legacy-2024', 0 left as predictions" in out
        plain = ok(accord(settings, "import", str(texts.id), str(rows), *source, "--wait", **env))
        assert "created 3 tasks" in plain and "3 annotations by the source" in plain
        with Client(server.url, token) as sdk:
            exported = {r["external_id"]: r for r in sdk.export(images.id)}
            (annotation,) = exported["sub/b.png"]["annotations"]
            assert annotation["annotator"] == source_email("legacy-2024")
            assert annotation["result"]["boxes"]["objects"][0]["label"] == "dog"
            assert exported["sub/b.png"]["predictions"] == []
            counted = sdk.project(texts.id).raw["progress"]
            assert counted["in_progress"] == 3, counted  # overlap 2: one more person each
            members = {m["name"]: m for m in sdk._call("GET", f"/projects/{texts.id}/members")}
            assert members["legacy-2024"]["is_source"]
            # The SDK's keyword, on the synchronous import: again, nothing twice.
            again = sdk.import_tasks(texts.id, rows, source="legacy-2024")
            assert (again.created, again.duplicates, again.annotations) == (0, 3, 0)
            assert again.source == "legacy-2024"
    refused = accord(settings, "tokens", "create", source_email("legacy-2024"))
    assert refused.returncode != 0 and "never signs in" in refused.stderr
