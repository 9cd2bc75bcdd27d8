"""Problem reports through the SDK and `accord reports export`, against a running server."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest
from PIL import Image

from accord import AccordError, Client
from accord.db import Database
from accord.settings import Settings
from tests.factories import make_user
from tests.live import live_server
from tests.test_cli import accord, ok


def test_report_triage_and_export(settings: Settings, db: Database, tmp_path: Path) -> None:
    _, admin_token = make_user(db, "root@example.com", admin=True)
    _, ann_token = make_user(db, "ann@example.com")
    picture = io.BytesIO()
    Image.new("RGB", (16, 9), (0, 90, 200)).save(picture, format="JPEG")
    with live_server(settings) as server:
        with Client(server.url, ann_token) as ann, Client(server.url, admin_token) as admin:
            made = ann.report_problem(
                "The export button does nothing", {"page": "/projects/1/export"}, picture.getvalue()
            )
            assert made["has_screenshot"] and made["status"] == "new"
            with pytest.raises(AccordError) as refused:
                ann.report_problem("x" * 100_000)
            assert refused.value.status == 422
            with pytest.raises(AccordError):
                list(ann.problem_reports())  # everyone's: admins only
            assert [r["id"] for r in ann.problem_reports(mine=True)] == [made["id"]]
            admin.triage_problem_report(made["id"], status="fixed", notes="in 0.2")
            assert [r["status"] for r in ann.problem_reports(mine=True)] == ["fixed"]
            assert [r["id"] for r in admin.problem_reports("fixed")] == [made["id"]]
        out = tmp_path / "reports.json"
        ok(accord(settings, "reports", "export", "-o", str(out), url=server.url, token=admin_token))
        rows = orjson.loads(out.read_bytes())
        assert [(r["text"], r["status"], r["notes"]) for r in rows] == [
            ("The export button does nothing", "fixed", "in 0.2")
        ]
        failed = accord(settings, "reports", "export", url=server.url, token=ann_token)
        assert failed.returncode == 1 and "only an admin" in failed.stderr
