"""`accord import PROJECT dataset.zip --format coco|yolo|voc` against a real server: the zip
is unpacked on the caller's machine, its images uploaded in batches, its rows imported."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import orjson
import pytest

from accord import Client
from accord.db import Database
from accord.settings import Settings
from tests.api.test_media import picture
from tests.factories import make_project, make_user
from tests.formats.shapes_data import INTERFACE
from tests.live import live_server
from tests.test_cli import accord

pytestmark = pytest.mark.slow


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    path.write_bytes(out.getvalue())
    return path


def test_a_coco_zip_with_its_images(settings: Settings, db: Database, tmp_path: Path) -> None:
    owner, token = make_user(db, "lead@example.com")
    project = make_project(db, owner, INTERFACE)
    document = {
        "images": [
            {"id": 1, "file_name": "a.jpg", "width": 60, "height": 40},
            {"id": 2, "file_name": "sub/b.png", "width": 30, "height": 20},
        ],
        "categories": [{"id": 3, "name": "cat"}],
        "annotations": [{"id": 1, "image_id": 2, "category_id": 3, "bbox": [1, 2, 10, 5]}],
    }
    files = {
        "annotations/instances.json": orjson.dumps(document),
        "images/a.jpg": picture(60, 40),
        "images/sub/b.png": picture(30, 20, "PNG"),
    }
    good = _zip(tmp_path / "set.zip", files)
    lacking = _zip(tmp_path / "lacking.zip", {k: v for k, v in files.items() if "b.png" not in k})
    with live_server(settings) as server:
        env = {"url": server.url, "token": token}
        refused = accord(
            settings, "import", str(project.id), str(lacking), "--format", "coco", **env
        )
        assert refused.returncode != 0
        assert "1 of the dataset's 2 images are not in lacking.zip: sub/b.png" in refused.stderr
        out = accord(
            settings, "import", str(project.id), str(good), "--format", "coco", "--wait", **env
        )
        assert out.returncode == 0, out.stderr
        assert "uploaded 2 images (2 new)" in out.stderr
        assert "created 2 tasks" in out.stdout and "1 predictions" in out.stdout
        with Client(server.url, token) as sdk:
            by_id = {r["external_id"]: r for r in sdk.export(project.id)}
        image = by_id["sub/b.png"]["data"]["image"]
        assert (image["width"], image["height"]) == (30, 20)
        (prediction,) = by_id["sub/b.png"]["predictions"]
        assert prediction["model_version"] == "coco:set.zip"
        box = prediction["result"]["boxes"]["objects"][0]
        assert (box["x"], box["y"], box["w"], box["h"]) == (1, 2, 10, 5)
