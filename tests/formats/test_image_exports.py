"""COCO, YOLO and VOC exports of a project, through the API (streamed and as a job): the
latest annotation per task, final answers, images bundled upright."""

from __future__ import annotations

import contextlib
import io
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest
from PIL import Image
from pycocotools.coco import COCO

from accord.db import Database
from accord.settings import Settings
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user
from tests.formats.shapes_data import HEIGHT, INTERFACE, WIDTH, answers, supervision

pytestmark = pytest.mark.db


def _photo(path: Path, orientation: int = 1) -> None:
    """A WIDTH x HEIGHT picture (stored turned when the orientation says so) with a white
    square at the top-left corner of the picture as shown."""
    shown = np.zeros((HEIGHT, WIDTH, 3), dtype=np.uint8)
    shown[0:8, 0:8] = 255
    image = Image.fromarray(shown)
    exif = Image.Exif()
    if orientation == 6:  # stored turned 90° anticlockwise: a viewer turns it clockwise
        image = image.transpose(Image.Transpose.ROTATE_90)
        exif[0x0112] = 6
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="JPEG", quality=100, exif=exif)


def _setup(db: Database, api: Api, settings: Settings, sizes: bool = True) -> tuple[Any, str]:
    owner, token = make_user(db, "owner@example.com")
    ann, ann_token = make_user(db, "ann@example.com")
    project = make_project(db, owner, INTERFACE, members={ann: "annotator"})
    media = settings.data_dir / "media" / "photos"
    rows = []
    for i in range(3):
        _photo(media / f"img{i}.jpg", orientation=6 if i == 1 else 1)
        src = f"file://{media / f'img{i}.jpg'}"
        image: Any = {"src": src, "width": WIDTH, "height": HEIGHT} if sizes else src
        rows.append({"id": f"t{i}", "image": image})
    add_tasks(db, owner, project, rows)
    for _ in range(2):  # the first two tasks get answers
        task = api.as_(ann_token).post(f"/projects/{project.id}/next").json()["task"]
        k = int(task["external_id"][1:])
        done = api.as_(ann_token).post(
            f"/tasks/{task['id']}/annotations", json={"result": answers(k)}
        )
        assert done.status_code == 201, done.text
    return project, token


def test_coco_through_the_api(db: Database, api: Api, settings: Settings) -> None:
    project, token = _setup(db, api, settings)
    response = api.as_(token).get(f"/projects/{project.id}/export", params={"format": "coco"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert 'filename="project-' in response.headers["content-disposition"]
    path = Path(str(settings.data_dir)) / "out.json"
    path.write_bytes(response.content)
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(str(path))
    images = coco.loadImgs(coco.getImgIds())
    assert [i["file_name"] for i in images] == [
        "photos/img0.jpg",
        "photos/img1.jpg",
        "photos/img2.jpg",
    ]
    by_image = {i["file_name"]: coco.getAnnIds(imgIds=i["id"]) for i in images}
    assert len(by_image["photos/img2.jpg"]) == 0  # not annotated: an image without objects
    anns = coco.loadAnns(by_image["photos/img0.jpg"])
    boxes = answers(0)["boxes"]["objects"]
    assert [a["bbox"] for a in anns[:2]] == [[o["x"], o["y"], o["w"], o["h"]] for o in boxes]


def test_yolo_job_with_the_images_bundled_upright(
    db: Database, api: Api, settings: Settings
) -> None:
    project, token = _setup(db, api, settings, sizes=False)
    me = api.as_(token)
    started = me.post(
        f"/projects/{project.id}/exports", json={"format": "yolo", "with_media": True}
    )
    assert started.status_code == 202, started.text
    job = _finished(me, started.json()["id"])
    assert job["state"] == "succeeded", job
    assert job["result"]["filename"].endswith(".yolo.zip")
    key = job["result"]["key"]
    archive = zipfile.ZipFile(settings.data_dir / key)
    root = settings.data_dir / "unzipped"
    archive.extractall(root)
    turned = Image.open(root / "images/train/photos/img1.jpg")
    assert turned.size == (WIDTH, HEIGHT)  # upright: the stored picture was HEIGHT x WIDTH
    assert 0x0112 not in turned.getexif()
    pixels = np.asarray(turned.convert("L"))
    assert pixels[:8, :8].mean() > 200 and pixels[10:, 10:].mean() < 50
    sv = supervision()
    with contextlib.redirect_stderr(io.StringIO()):
        dataset = sv.DetectionDataset.from_yolo(
            str(root / "images/train/photos"),
            str(root / "labels/train/photos"),
            str(root / "data.yaml"),
        )
    det = next(d for p, _, d in dataset if p.endswith("img1.jpg"))
    boxes = answers(1)["boxes"]["objects"]
    expected = [[o["x"], o["y"], o["x"] + o["w"], o["y"] + o["h"]] for o in boxes]
    np.testing.assert_allclose(det.xyxy[:2], expected, atol=1e-3)


def _finished(api: Api, job_id: int) -> dict[str, Any]:
    import time

    for _ in range(300):
        job = api.get(f"/jobs/{job_id}").json()
        if job["state"] in ("succeeded", "failed", "cancelled"):
            return dict(job)
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def test_voc_and_final(db: Database, api: Api, settings: Settings) -> None:
    project, token = _setup(db, api, settings)
    response = api.as_(token).get(
        f"/projects/{project.id}/export", params={"format": "voc", "final": True}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    # overlap 1: the final answer of the two complete tasks is their one annotation
    assert sorted(names) == [
        "Annotations/img0.xml",
        "Annotations/img1.xml",
        "ImageSets/Main/default.txt",
    ]


def test_refusals(db: Database, api: Api, settings: Settings) -> None:
    project, token = _setup(db, api, settings, sizes=False)
    me = api.as_(token)
    response = me.get(f"/projects/{project.id}/export", params={"format": "yolo"})
    assert response.status_code == 422, response.text
    assert "the size of its image" in response.json()["error"]["message"]
    response = me.get(
        f"/projects/{project.id}/export", params={"format": "coco", "consensus": True}
    )
    assert (
        response.status_code == 422 and "leave out consensus" in response.json()["error"]["message"]
    )
    owner, _ = make_user(db, "other@example.com")
    text_project = make_project(db, owner, None)
    _, admin_token = make_user(db, "a@example.com", admin=True)
    response = api.as_(admin_token).get(
        f"/projects/{text_project.id}/export", params={"format": "coco"}
    )
    assert response.status_code == 422 and "no image field" in response.json()["error"]["message"]
    assert orjson.loads(response.content)["error"]["details"] == {"field": "format"}


def test_coco_with_the_images_is_a_zip(db: Database, api: Api, settings: Settings) -> None:
    project, token = _setup(db, api, settings, sizes=False)
    response = api.as_(token).get(
        f"/projects/{project.id}/export", params={"format": "coco", "with_media": True}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert ".coco.zip" in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == [
        "annotations/instances.json",
        "images/photos/img0.jpg",
        "images/photos/img1.jpg",
        "images/photos/img2.jpg",
    ]
    path = settings.data_dir / "instances.json"
    path.write_bytes(archive.read("annotations/instances.json"))
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(str(path))
    # the sizes came from the files (the tasks gave none), the turned one upright
    assert {(i["width"], i["height"]) for i in coco.loadImgs(coco.getImgIds())} == {(WIDTH, HEIGHT)}
    assert len(coco.getAnnIds()) == 2 * 5


def test_missing_image_stops_a_bundled_export(db: Database, api: Api, settings: Settings) -> None:
    project, token = _setup(db, api, settings)
    (settings.data_dir / "media" / "photos" / "img0.jpg").unlink()
    response = api.as_(token).get(
        f"/projects/{project.id}/export", params={"format": "voc", "with_media": True}
    )
    assert response.status_code == 422, response.text
    message = response.json()["error"]["message"]
    assert message.startswith("task ") and "cannot bundle its image" in message
