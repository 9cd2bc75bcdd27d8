"""Importing image datasets on the server (``POST /projects/{id}/imports?format=coco|yolo|voc``):
images found among those uploaded into the project, the rows the SDK makes, refusals naming the
missing images, all or nothing, in the background too; and the thumbnails job an import
starts when its tasks reference media."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path
from typing import Any, cast

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from accord.db import Database
from accord.formats.datasets import open_dataset
from accord.formats.shapes import ImageSchema, Placed
from accord.media.links import thumb_key
from accord.models import Import, Prediction, Task
from accord.settings import Settings
from tests.api.conftest import Api
from tests.api.test_media import bucket_api, grey16, parts, picture, wait
from tests.factories import make_project, make_user
from tests.formats.shapes_data import INTERFACE
from tests.s3 import S3Server, s3, s3_server

__all__ = ["bucket_api", "s3", "s3_server"]  # fixtures: the moto server, an app over a bucket

CHOICE_ONLY = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [{"name": "ok", "kind": "choice", "options": ["yes", "no"]}],
}


class Lead:
    def __init__(self, db: Database, api: Api) -> None:
        self.user, token = make_user(db, "lead@example.com")
        self.api = api.as_(token)
        self.project = make_project(db, self.user, INTERFACE)
        self.id = self.project.id

    def upload(self, files: dict[str, bytes]) -> list[dict[str, Any]]:
        answer = self.api.post(f"/projects/{self.id}/media", files=parts(files))
        assert answer.status_code == 201, answer.text
        files_out: list[dict[str, Any]] = answer.json()["files"]
        return files_out

    def import_(self, body: bytes, fmt: str, **params: Any) -> Any:
        query = {"format": fmt, **params}
        kind = "application/json" if fmt == "coco" else "application/zip"
        return self.api.post(
            f"/projects/{self.id}/imports",
            params=query,
            content=body,
            headers={"Content-Type": kind},
        )


@pytest.fixture
def lead(db: Database, api: Api) -> Lead:
    return Lead(db, api)


def coco_document() -> dict[str, Any]:
    return {
        "images": [
            {"id": 1, "file_name": "a.png", "width": 60, "height": 40},
            {"id": 2, "file_name": "sub/b.jpg", "width": 30, "height": 50},
        ],
        "categories": [{"id": 3, "name": "cat"}, {"id": 4, "name": "dog"}, {"id": 5, "name": "x"}],
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
            {"id": 3, "image_id": 2, "category_id": 5, "bbox": [1, 1, 2, 2], "iscrowd": 0},
        ],
    }


IMAGES = {
    "a.png": picture(60, 40, "PNG"),
    # stored 50 × 30, shown 30 × 50: the EXIF orientation turns it a quarter
    "sub/b.jpg": picture(50, 30, orientation=6),
}


def stored(db: Database, project_id: int) -> dict[str, Any]:
    """Each task by external id: its data and its predictions."""
    with db.read() as session:
        tasks = session.execute(
            select(Task.id, Task.external_id, Task.data).where(Task.project_id == project_id)
        ).all()
        predictions = session.execute(
            select(Prediction.task_id, Prediction.model_version, Prediction.result).where(
                Prediction.project_id == project_id
            )
        ).all()
    by_task: dict[int, list[dict[str, Any]]] = {}
    for task_id, version, result in predictions:
        by_task.setdefault(task_id, []).append(
            {"model_version": version, "result": orjson.loads(result)}
        )
    return {
        external: {"data": orjson.loads(data), "predictions": by_task.get(task_id, [])}
        for task_id, external, data in tasks
    }


def sdk_rows(
    fmt: str, path: Path, answers: list[dict[str, Any]], name: str
) -> dict[str, dict[str, Any]]:
    """The rows the SDK's `import_dataset` makes from the upload's answers."""
    dataset, _ = open_dataset(fmt, path)
    placed = {a["name"]: Placed(a["src"], a["width"], a["height"]) for a in answers}
    rows = dataset.rows(ImageSchema.of(INTERFACE), placed, f"{fmt}:{name}")
    return {row["id"]: row for row in rows}


def assert_same_rows(db: Database, project_id: int, rows: dict[str, dict[str, Any]]) -> None:
    tasks = stored(db, project_id)
    assert set(tasks) == set(rows)
    for name, row in rows.items():
        assert tasks[name]["data"] == {"image": row["image"]}
        assert tasks[name]["predictions"] == row.get("predictions", [])


def test_coco_with_uploaded_images_makes_the_sdks_rows(
    lead: Lead, db: Database, settings: Settings, tmp_path: Path
) -> None:
    answers = lead.upload(IMAGES)
    document = coco_document()
    answer = lead.import_(orjson.dumps(document), "coco", filename="instances.json")
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert (report["created"], report["predictions"], report["duplicates"]) == (2, 2, 0)
    assert report["dataset"] == {
        "images": 2,
        "skipped_labels": {"x": 1},
        **{"from_zip": 0, "new_from_zip": 0, "unnamed_in_zip": 0, "unnamed_examples": []},
    }
    path = tmp_path / "instances.json"
    path.write_bytes(orjson.dumps(document))
    assert_same_rows(db, lead.id, sdk_rows("coco", path, answers, "instances.json"))
    tall = stored(db, lead.id)["sub/b.jpg"]["data"]["image"]
    assert (tall["width"], tall["height"]) == (30, 50)
    # The thumbnails of the new tasks' images are made in the background.
    assert report["thumbnails_job"] is not None
    job = wait(lead.api, report["thumbnails_job"])
    assert job["state"] == "succeeded" and job["params"]["import_id"] == report["import_id"]
    assert job["result"]["images"] == 2 and job["result"]["failed"] == 0
    for item in answers:
        assert (settings.data_dir / thumb_key(lead.id, item["src"])).is_file()
    # Again: the same ids, nothing added twice.
    again = lead.import_(orjson.dumps(document), "coco", filename="instances.json")
    assert again.status_code == 201 and again.json()["duplicates"] == 2
    assert again.json()["created"] == 0 and again.json()["thumbnails_job"] is None


def test_images_not_uploaded_are_named_and_nothing_is_imported(lead: Lead, db: Database) -> None:
    lead.upload({"a.png": IMAGES["a.png"]})
    document = coco_document()
    document["images"] += [
        {"id": 10 + i, "file_name": f"more/{i:02}.png", "width": 5, "height": 5} for i in range(24)
    ]
    answer = lead.import_(orjson.dumps(document), "coco")
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "missing_media"
    message = error["message"]
    assert message.startswith("25 of the 26 images the dataset names were not uploaded")
    assert "sub/b.jpg, more/00.png" in message and "more/18.png (and 5 more)" in message
    assert "more/19.png" not in message
    assert f"POST /api/v1/projects/{lead.id}/media" in message and "--media DIR" in message
    assert error["details"]["count"] == 25 and len(error["details"]["missing"]) == 20
    assert stored(db, lead.id) == {}
    with db.read() as session:
        assert session.scalar(select(Import.id).where(Import.project_id == lead.id)) is None


def test_a_bad_shape_refuses_the_whole_dataset(lead: Lead, db: Database) -> None:
    lead.upload(IMAGES)
    document = coco_document()
    document["annotations"][1]["bbox"] = [5, 5, 200, 10]  # wider than the 30 px image
    answer = lead.import_(orjson.dumps(document), "coco")
    assert answer.status_code == 422, answer.text
    assert "boxes.objects[0].w" in answer.text
    assert stored(db, lead.id) == {}
    broken = lead.import_(b'{"images": [{"id": 1}]}', "coco", filename="mine.json")
    assert broken.status_code == 422
    assert broken.json()["error"]["message"] == "mine.json: images[0] needs an id and a file_name"
    assert lead.import_(b"{}", "coco", skip_invalid=True).status_code == 422
    plain = make_project(db, lead.user, CHOICE_ONLY)
    refused = lead.api.post(
        f"/projects/{plain.id}/imports", params={"format": "coco"}, content=b"{}"
    )
    assert refused.status_code == 422 and "no image field" in refused.text


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


DATA_YAML = b"path: ../elsewhere\ntrain: images/train\nval: images/val\nnames: [cat, dog]\n"


def yolo_files(tmp: Path) -> dict[str, bytes]:
    files = {
        "data.yaml": DATA_YAML,
        "labels/train/a.txt": b"0 0.5 0.5 0.5 0.5\n1 0.1 0.1 0.3 0.1 0.3 0.3\n",
        "labels/val/b.txt": b"1 0.5 0.5 0.2 0.2\n",
    }
    for name, data in files.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_bytes(data)
    (tmp / "data.yaml").write_bytes(DATA_YAML.replace(b"../elsewhere", b"."))
    return files


def test_yolo_zip_of_labels(lead: Lead, db: Database, tmp_path: Path) -> None:
    files = yolo_files(tmp_path)
    answers = lead.upload({"images/train/a.png": IMAGES["a.png"]})
    refused = lead.import_(zipped({"set/" + k: v for k, v in files.items()}), "yolo")
    assert refused.status_code == 422, refused.text
    assert "images/val/b.*" in refused.json()["error"]["message"]  # its label, not its image
    answers += lead.upload({"images/val/b.jpg": IMAGES["sub/b.jpg"]})
    answer = lead.import_(zipped({"set/" + k: v for k, v in files.items()}), "yolo")
    assert answer.status_code == 201, answer.text
    assert answer.json()["created"] == 2
    for answer_file in answers:  # the local copy for the SDK's reader
        local = tmp_path / answer_file["name"]
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(b"")
    rows = sdk_rows("yolo", tmp_path / "data.yaml", answers, "data.yaml")
    assert_same_rows(db, lead.id, rows)
    box = stored(db, lead.id)["images/train/a.png"]["predictions"][0]["result"]["boxes"]
    assert box["objects"][0] == {"id": "1", "label": "cat", "x": 15, "y": 10, "w": 30, "h": 20}


def test_voc_zip(lead: Lead, db: Database) -> None:
    lead.upload({"a.png": IMAGES["a.png"]})
    xml = (
        b"<annotation><filename>a.png</filename><size><width>60</width><height>40</height>"
        b"</size><object><name>dog</name><truncated>1</truncated><bndbox><xmin>2</xmin>"
        b"<ymin>3</ymin><xmax>11</xmax><ymax>8</ymax></bndbox></object></annotation>"
    )
    answer = lead.import_(zipped({"VOC/Annotations/a.xml": xml}), "voc", filename="voc.zip")
    assert answer.status_code == 201, answer.text
    task = stored(db, lead.id)["a.png"]
    assert task["predictions"][0]["model_version"] == "voc:voc.zip"
    obj = task["predictions"][0]["result"]["boxes"]["objects"][0]
    assert obj == {"id": "1", "label": "dog", "x": 1, "y": 2, "w": 10, "h": 6, "truncated": True}


@pytest.mark.parametrize(
    "name", ["../evil/Annotations/a.xml", "/abs/Annotations/a.xml", "a/../../b.xml"]
)
def test_zip_members_leading_out_are_refused(lead: Lead, name: str) -> None:
    answer = lead.import_(zipped({name: b"<annotation/>"}), "voc")
    assert answer.status_code == 422, answer.text
    assert "leads out of the dataset's folder" in answer.json()["error"]["message"]
    assert lead.import_(b"not a zip", "yolo").status_code == 422


def test_in_the_background(lead: Lead, db: Database, settings: Settings) -> None:
    lead.upload(IMAGES)
    answer = lead.import_(orjson.dumps(coco_document()), "coco", background=True)
    assert answer.status_code == 202, answer.text
    job = wait(lead.api, answer.json()["id"])
    assert job["state"] == "succeeded", job
    result = job["result"]
    assert result["created"] == 2 and result["dataset"]["images"] == 2
    assert job["unit"] == "images" and job["done"] == 2
    thumbs = wait(lead.api, result["thumbnails_job"])
    assert thumbs["state"] == "succeeded" and thumbs["result"]["images"] == 2
    # A refusal fails the job with the message, nothing imported.
    document = coco_document()
    document["images"].append({"id": 9, "file_name": "gone.png"})
    failed = wait(
        lead.api, lead.import_(orjson.dumps(document), "coco", background=True).json()["id"]
    )
    assert failed["state"] == "failed" and "gone.png" in failed["error"]
    assert len(stored(db, lead.id)) == 2


def import_rows(api: Api, project_id: int, rows: list[dict[str, Any]]) -> dict[str, Any]:
    body = b"".join(orjson.dumps(row) + b"\n" for row in rows)
    answer = api.post(f"/projects/{project_id}/imports", params={"format": "jsonl"}, content=body)
    assert answer.status_code == 201, answer.text
    report: dict[str, Any] = answer.json()
    return report


def test_any_import_of_media_starts_the_thumbnails(
    lead: Lead, db: Database, settings: Settings
) -> None:
    folder = settings.data_dir / "media" / "scans"
    folder.mkdir(parents=True)
    (folder / "ok.png").write_bytes(picture(80, 20, "PNG"))
    web = import_rows(lead.api, lead.id, [{"id": "w", "image": "https://example.com/a.png"}])
    assert web["thumbnails_job"] is None  # nothing the server would read
    local = import_rows(lead.api, lead.id, [{"id": "f", "image": (folder / "ok.png").as_uri()}])
    job = wait(lead.api, local["thumbnails_job"])
    assert job["result"] == {"images": 1, "made": 1, "existing": 0, "failed": 0}
    plain = make_project(db, lead.user, CHOICE_ONLY)
    text = import_rows(lead.api, plain.id, [{"text": (folder / "ok.png").as_uri()}])
    assert text["thumbnails_job"] is None  # no image field
    # In the background, and from a bucket sync.
    started = lead.api.post(
        f"/projects/{lead.id}/imports",
        params={"format": "jsonl", "background": True},
        content=orjson.dumps({"id": "g", "image": {"src": (folder / "ok.png").as_uri()}}),
    )
    result = wait(lead.api, started.json()["id"])["result"]
    assert wait(lead.api, result["thumbnails_job"])["result"]["existing"] == 1
    (folder / "new.png").write_bytes(picture(20, 80, "PNG"))
    sync = lead.api.post(
        f"/projects/{lead.id}/bucket-syncs", json={"url": folder.as_uri(), "field": "image"}
    )
    assert sync.status_code == 202, sync.text
    synced = wait(lead.api, sync.json()["id"])
    assert synced["state"] == "succeeded", synced
    made = wait(lead.api, synced["result"]["thumbnails_job"])["result"]
    assert made["images"] == 2 and made["made"] == 1  # new.png; ok.png had one
    key = thumb_key(lead.id, (folder / "new.png").as_uri())
    deadline = time.monotonic() + 5
    while not (settings.data_dir / key).is_file():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_the_sdk_import_dataset_still_works(lead: Lead, db: Database, tmp_path: Path) -> None:
    from accord.sdk.client import Client

    sdk = Client("http://testserver", "unused")
    sdk._http = TestClient(
        lead.api.client.app,
        base_url="http://testserver/api/v1",
        headers=lead.api.headers,
    )
    media = tmp_path / "media"
    for name, data in IMAGES.items():
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(data)
    path = tmp_path / "instances.json"
    path.write_bytes(orjson.dumps(coco_document()))
    job = sdk.import_dataset(lead.id, path, "coco", media)
    assert job["dataset"]["images"] == 2
    assert wait(lead.api, job["id"])["state"] == "succeeded"
    answers = [
        {"name": name, **_placed(stored(db, lead.id)[name]["data"]["image"])} for name in IMAGES
    ]
    assert_same_rows(db, lead.id, sdk_rows("coco", path, answers, "instances.json"))


def _placed(image: dict[str, Any]) -> dict[str, Any]:
    return {"src": image["src"], "width": image["width"], "height": image["height"]}


def test_who_may_import(lead: Lead, db: Database, api: Api) -> None:
    _, token = make_user(db, "other@example.com")
    other = api.as_(token)
    answer = other.post(f"/projects/{lead.id}/imports", params={"format": "coco"}, content=b"{}")
    assert answer.status_code == 404


def test_deleting_the_project_removes_its_media(
    lead: Lead, settings: Settings, client: TestClient
) -> None:
    files = {**IMAGES, "g.tif": grey16(40, 20)}
    answer = lead.api.post(f"/projects/{lead.id}/media", files=parts(files))
    assert answer.status_code == 201, answer.text
    assert wait(lead.api, answer.json()["thumbnails_job"])["state"] == "succeeded"
    media = settings.data_dir / "media"
    folders = [media / "projects", media / "thumbs/projects", media / "display/projects"]
    assert all((folder / str(lead.id)).is_dir() for folder in folders)
    assert lead.api.delete(f"/projects/{lead.id}").status_code == 200
    purger = cast(FastAPI, client.app).state.purger
    deadline = time.monotonic() + 30
    while not purger.idle() or (media / "projects" / str(lead.id)).exists():
        assert time.monotonic() < deadline, "the project's media are still there"
        time.sleep(0.05)
    assert not any((folder / str(lead.id)).exists() for folder in folders)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[]",
        b'{"images": 5}',
        b'{"images": [5]}',
        b'{"images": [{"id": [1], "file_name": "a.png"}]}',
        b'{"images": [{"id": 1, "file_name": "a.png"}], "categories": [7]}',
        b'{"images": [{"id": 1, "file_name": "a.png"}], "annotations": [5]}',
        b'{"images": [{"id": 1, "file_name": "a.png"}], "categories": [{"id": 1, "name": "cat"}],'
        b' "annotations": [{"image_id": 1, "category_id": 1, "bbox": "x"}]}',
        b'{"images": [{"id": 1, "file_name": "a.png"}], "annotations": [{"image_id": [1]}]}',
    ],
)
def test_malformed_coco_is_refused_not_a_crash(lead: Lead, body: bytes) -> None:
    lead.upload({"a.png": IMAGES["a.png"]})
    answer = lead.import_(body, "coco")
    assert answer.status_code == 422, answer.text


@pytest.mark.parametrize(
    "data_yaml",
    [
        b"names: [cat]\ntrain: /etc\n",
        b"names: [cat]\ntrain: ../../../../..\n",
        b"- a list\n",
        b"names: 5\ntrain: images\n",
        b"names: [cat]\n",
        b"names: [cat]\ntrain: list.txt\n",
    ],
)
def test_yolo_zips_that_lead_out_or_hold_nothing_are_refused(lead: Lead, data_yaml: bytes) -> None:
    files = {"data.yaml": data_yaml, "list.txt": b"../../../etc/hosts.png\n"}
    answer = lead.import_(zipped(files), "yolo")
    assert answer.status_code == 422, answer.text


def test_a_bad_label_line_names_its_file_and_line(lead: Lead, db: Database) -> None:
    lead.upload({"images/train/a.png": IMAGES["a.png"]})
    files = {
        "data.yaml": b"names: [cat, dog]\ntrain: images/train\n",
        "labels/train/a.txt": b"0 0.5 0.5 0.5 0.5\n7 0.5 0.5 0.1 0.1\n",
    }
    answer = lead.import_(zipped(files), "yolo")
    assert answer.status_code == 422, answer.text
    message = answer.json()["error"]["message"]
    assert message.startswith("labels/train/a.txt, line 2: class 7 is not in data.yaml's names")
    assert stored(db, lead.id) == {}


def test_a_dataset_over_media_in_a_bucket(
    bucket_api: tuple[Api, str], db: Database, s3: S3Server
) -> None:
    api, prefix = bucket_api
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner, INTERFACE)
    manager = api.as_(token)
    upload = manager.post(f"/projects/{project.id}/media", files=parts(IMAGES))
    assert upload.status_code == 201, upload.text
    answer = manager.post(
        f"/projects/{project.id}/imports",
        params={"format": "coco", "filename": "instances.json"},
        content=orjson.dumps(coco_document()),
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["created"] == 2
    tasks = stored(db, project.id)
    tall = tasks["sub/b.jpg"]["data"]["image"]
    key = f"{prefix}/media/projects/{project.id}/sub/b.jpg"
    assert tall == {"src": f"s3://{s3.bucket}/{key}", "width": 30, "height": 50}
    thumbs = wait(manager, answer.json()["thumbnails_job"])
    assert thumbs["state"] == "succeeded" and thumbs["result"]["failed"] == 0
    # Deleting the project removes its media from the bucket.
    assert manager.delete(f"/projects/{project.id}").status_code == 200
    purger = cast(FastAPI, api.client.app).state.purger
    listed: list[Any] = ["?"]
    deadline = time.monotonic() + 30
    while listed:
        assert time.monotonic() < deadline, listed
        time.sleep(0.05)
        if purger.idle():
            found = s3.client().list_objects_v2(Bucket=s3.bucket, Prefix=f"{prefix}/media/")
            listed = [item["Key"] for item in found.get("Contents", [])]
