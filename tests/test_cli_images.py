"""`accord import PROJECT FILE --format coco|yolo|voc [--media DIR]` and `accord export
PROJECT --format coco|yolo|voc [--with-media] -o OUT` against a real server, and the SDK's
`import_dataset`: images uploaded, shapes imported as predictions, exports read back."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import orjson
import pytest
from PIL import Image

from accord import AccordError, Client
from accord.db import Database
from accord.settings import Settings
from tests.factories import make_project, make_user
from tests.formats.shapes_data import INTERFACE
from tests.live import live_server
from tests.test_cli import accord, ok

pytestmark = pytest.mark.slow


def _images(folder: Path, names: list[str]) -> None:
    rng = np.random.default_rng(1)
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        pixels = rng.integers(0, 255, (40, 60, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(path, format="PNG")


def _coco(folder: Path) -> Path:
    document = {
        "images": [
            {"id": 1, "file_name": "a.png", "width": 60, "height": 40},
            {"id": 2, "file_name": "sub/b.png", "width": 60, "height": 40},
        ],
        "categories": [{"id": 3, "name": "cat"}, {"id": 4, "name": "dog"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 3, "bbox": [1, 2, 10, 5], "iscrowd": 0},
            {
                "id": 2,
                "image_id": 2,
                "category_id": 4,
                "bbox": [5, 5, 20, 10],
                "iscrowd": 0,
                "segmentation": [[5, 5, 25, 5, 25, 15]],
            },
        ],
    }
    path = folder / "instances.json"
    path.write_bytes(orjson.dumps(document))
    return path


def test_coco_in_and_every_format_out(settings: Settings, db: Database, tmp_path: Path) -> None:
    owner, token = make_user(db, "lead@example.com")
    project = make_project(db, owner, INTERFACE)
    media = tmp_path / "images"
    coco = _coco(tmp_path)
    _images(media, ["a.png"])  # sub/b.png is missing
    with live_server(settings) as server:
        env = {"url": server.url, "token": token}
        refused = accord(
            settings,
            "import",
            str(project.id),
            str(coco),
            "--format",
            "coco",
            "--media",
            str(media),
            **env,
        )
        assert refused.returncode != 0
        assert "1 of the dataset's 2 images are not in" in refused.stderr
        assert "sub/b.png" in refused.stderr and "nothing was uploaded" in refused.stderr
        _images(media, ["sub/b.png"])
        out = accord(
            settings,
            "import",
            str(project.id),
            str(coco),
            "--format",
            "coco",
            "--media",
            str(media),
            "--wait",
            **env,
        )
        assert out.returncode == 0, out.stderr
        assert "created 2 tasks" in out.stdout and "2 predictions" in out.stdout
        assert "uploaded 2 images" in out.stderr

        with Client(server.url, token) as sdk:
            rows = list(sdk.export(project.id))
            by_id = {r["external_id"]: r for r in rows}
            image = by_id["sub/b.png"]["data"]["image"]
            assert image["width"] == 60 and image["height"] == 40
            assert image["src"].endswith("sub/b.png")
            (prediction,) = by_id["sub/b.png"]["predictions"]
            assert prediction["model_version"] == "coco:instances.json"
            result = prediction["result"]
            assert result["outline"]["objects"][0]["points"] == [[5, 5], [25, 5], [25, 15]]
            assert result["boxes"]["objects"][0] == {
                "id": "2",
                "label": "dog",
                "x": 5,
                "y": 5,
                "w": 20,
                "h": 10,
            }
            # importing again adds nothing: the images' names are the tasks' ids
            job = sdk.import_dataset(project.id, coco, "coco", media)
            done = sdk.wait_job(job["id"], timeout=60)
            assert done["result"]["duplicates"] == 2 and done["result"]["created"] == 0
            assert job["dataset"]["uploaded"] == 0  # the same bytes were there already
            with pytest.raises(AccordError, match="unknown dataset format"):
                sdk.import_dataset(project.id, coco, "labelme", media)

        for fmt, name in (("coco", "out.json"), ("yolo", "out.zip"), ("voc", "voc.zip")):
            target = tmp_path / name
            ok(
                accord(
                    settings, "export", str(project.id), "--format", fmt, "-o", str(target), **env
                )
            )
            assert target.stat().st_size > 0
        exported = orjson.loads((tmp_path / "out.json").read_bytes())
        assert [i["file_name"] for i in exported["images"]] == ["a.png", "sub/b.png"]
        # no annotations yet: the exports hold the images without objects
        assert exported["annotations"] == []
        names = zipfile.ZipFile(tmp_path / "out.zip").namelist()
        assert sorted(names) == ["data.yaml", "labels/train/a.txt", "labels/train/sub/b.txt"]

        bundled = tmp_path / "with.zip"
        ok(
            accord(
                settings,
                "export",
                str(project.id),
                "--format",
                "voc",
                "--with-media",
                "-o",
                str(bundled),
                **env,
            )
        )
        archive = zipfile.ZipFile(bundled)
        assert "JPEGImages/b.png" in archive.namelist()
        assert Image.open(io.BytesIO(archive.read("JPEGImages/a.png"))).size == (60, 40)

        bad = accord(settings, "export", str(project.id), "--format", "csv", "--with-media", **env)
        assert bad.returncode != 0 and "--with-media goes with" in bad.stderr


def test_yolo_and_voc_in(settings: Settings, db: Database, tmp_path: Path) -> None:
    owner, token = make_user(db, "lead@example.com")
    project = make_project(db, owner, INTERFACE)
    root = tmp_path / "yolo"
    _images(root, ["images/train/x.png", "images/val/y.png"])
    (root / "labels/train").mkdir(parents=True)
    (root / "labels/train/x.txt").write_text("0 0.5 0.5 0.5 0.5\n")
    (root / "data.yaml").write_text(
        "path: .\ntrain: images/train\nval: images/val\nnames: [cat, dog]\n"
    )
    voc = tmp_path / "voc"
    _images(voc, ["JPEGImages/v.png"])
    (voc / "Annotations").mkdir()
    (voc / "Annotations/v.xml").write_text(
        "<annotation><filename>v.png</filename><object><name>dog</name><bndbox><xmin>1</xmin>"
        "<ymin>1</ymin><xmax>10</xmax><ymax>20</ymax></bndbox></object></annotation>"
    )
    with live_server(settings) as server:
        env = {"url": server.url, "token": token}
        out = accord(
            settings,
            "import",
            str(project.id),
            str(root / "data.yaml"),
            "--format",
            "yolo",
            "--wait",
            **env,
        )
        assert out.returncode == 0, out.stderr
        assert "created 2 tasks" in out.stdout and "1 predictions" in out.stdout
        out = accord(
            settings, "import", str(project.id), str(voc), "--format", "voc", "--wait", **env
        )
        assert out.returncode == 0, out.stderr
        assert "created 1 tasks" in out.stdout
        with Client(server.url, token) as sdk:
            by_id = {r["external_id"]: r for r in sdk.export(project.id)}
        assert set(by_id) == {"images/train/x.png", "images/val/y.png", "v.png"}
        box = by_id["images/train/x.png"]["predictions"][0]["result"]["boxes"]["objects"][0]
        assert (box["x"], box["y"], box["w"], box["h"]) == (15, 10, 30, 20)
        box = by_id["v.png"]["predictions"][0]["result"]["boxes"]["objects"][0]
        assert (box["x"], box["y"], box["w"], box["h"]) == (0, 0, 10, 20)

        # a bad line stops the import, naming it; nothing is imported
        _images(root, ["images/train/z.png"])
        (root / "labels/train/z.txt").write_text("0 0.5 0.5 0.5 0.5\n9 0.5 0.5 0.1 0.1\n")
        bad = accord(
            settings,
            "import",
            str(project.id),
            str(root / "data.yaml"),
            "--format",
            "yolo",
            "--wait",
            **env,
        )
        assert bad.returncode != 0
        assert "z.txt, line 2: class 9 is not in data.yaml's names" in bad.stderr
        with Client(server.url, token) as sdk:
            assert len(list(sdk.export(project.id))) == 3
