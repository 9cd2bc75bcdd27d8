"""Images in and out of a project in Chromium, as its manager does it: a folder of images is
added on the Import screen (one task per image, its relative path as the task's id; adding
it again adds nothing), a bad image stops the upload naming the file, a COCO file with its
images folder is imported (its shapes as predictions), and a COCO export with the images runs
as a job whose zip pycocotools reads back.

The images are made here with Pillow (synthetic, known sizes; one a JPEG turned by its EXIF
orientation) in a temporary folder.
"""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page, Route, expect
from pycocotools.coco import COCO

from accord.db import Database
from tests.browser.conftest import People
from tests.browser.test_jobs_screens import tab_to
from tests.factories import make_project, make_user

pytestmark = pytest.mark.browser

LEAD = ("lead@example.org", "lead password 1")
ANN = ("ann@example.org", "annotator password 1")
INTERFACE: dict[str, Any] = {
    "fields": [{"name": "photo", "kind": "image"}],
    "questions": [
        {"name": "boxes", "kind": "boxes", "target": "photo", "labels": ["cat", "dog"]},
        {"name": "outline", "kind": "polygons", "target": "photo", "labels": ["cat"]},
    ],
}


def picture(
    path: Path, size: tuple[int, int], colour: tuple[int, int, int], turned: bool = False
) -> None:
    """A picture of ``size`` (as shown); ``turned``: a JPEG stored on its side with EXIF
    orientation 6, so that it shows at ``size``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, colour)
    if turned:
        exif = Image.Exif()
        exif[0x0112] = 6  # a viewer turns it 90° clockwise
        image.transpose(Image.Transpose.ROTATE_90).save(path, format="JPEG", exif=exif)
    else:
        image.save(path)


def tasks_of(client: httpx.Client, project_id: int) -> dict[str, dict[str, Any]]:
    page = client.get(f"/projects/{project_id}/tasks", params={"limit": 1000})
    assert page.status_code == 200, page.text
    return {t["external_id"]: t for t in page.json()["items"]}


def import_page(people: People, project_id: int) -> Page:
    page = people.page("manager")
    people.sign_in(page, *LEAD, then=f"/projects/{project_id}/import")
    expect(page.get_by_role("heading", name="Add a folder of images")).to_be_visible()
    return page


def test_a_folder_of_images_becomes_tasks(people: People, db: Database, tmp_path: Path) -> None:
    lead, token = make_user(db, LEAD[0], password=LEAD[1], can_create_projects=True)
    project_id = make_project(db, lead, INTERFACE).id
    folder = tmp_path / "pics"
    picture(folder / "a.png", (64, 48), (200, 30, 30))
    picture(folder / "b.jpg", (40, 30), (30, 200, 30), turned=True)
    picture(folder / "sub" / "c.png", (20, 10), (30, 30, 200))
    (folder / "notes.txt").write_text("not an image")

    page = import_page(people, project_id)
    people.shot(page, "import-images")
    part = page.locator("[data-image-folder]")
    tab_to(page, part.locator("[data-pick-folder]"))  # the pickers are reached by keyboard
    page.keyboard.press("Tab")
    expect(part.locator("[data-pick-images]")).to_be_focused()
    part.locator("[data-pick-folder]").set_input_files(folder)
    expect(part.locator("[data-picked-images]")).to_have_attribute("data-picked-images", "3")
    expect(part).to_contain_text("Left out, not images: pics/notes.txt")
    people.shot(page, "folder-picked")
    part.get_by_role("button", name="Upload and import 3 images").click()
    report = page.get_by_role("region", name="Import report")
    expect(report).to_contain_text("Imported 3 tasks")
    expect(page.locator("[data-image-uploaded]")).to_contain_text("Uploaded 3 images (3 new")
    people.shot(page, "folder-imported")

    with httpx.Client(
        base_url=f"{people.url}/api/v1", headers={"Authorization": f"Bearer {token}"}
    ) as api:
        tasks = tasks_of(api, project_id)
        assert sorted(tasks) == ["pics/a.png", "pics/b.jpg", "pics/sub/c.png"]
        sizes = {
            name: (t["data"]["photo"]["width"], t["data"]["photo"]["height"])
            for name, t in tasks.items()
        }
        assert sizes == {"pics/a.png": (64, 48), "pics/b.jpg": (40, 30), "pics/sub/c.png": (20, 10)}

        # The same folder again: the images are there with the same bytes, the tasks too.
        part.locator("[data-pick-folder]").set_input_files(folder)
        part.get_by_role("button", name="Upload and import 3 images").click()
        expect(page.locator("[data-image-uploaded]")).to_contain_text("Uploaded 3 images (0 new")
        expect(report).to_contain_text("Imported 0 tasks")
        assert len(tasks_of(api, project_id)) == 3

    # A file that lies about its type stops the upload, naming it; nothing is imported.
    bad = tmp_path / "more"
    picture(bad / "d.png", (10, 10), (9, 9, 9))
    (bad / "e.jpg").write_bytes(b"this is no JPEG")
    part.locator("[data-pick-images]").set_input_files([bad / "d.png", bad / "e.jpg"])
    part.get_by_role("button", name="Upload and import 2 images").click()
    error = page.locator("[data-image-error]")
    expect(error.get_by_role("alert")).to_contain_text("e.jpg")
    expect(error.get_by_role("alert")).to_contain_text("nothing was imported")
    expect(error.locator("table")).to_contain_text("e.jpg")
    people.shot(page, "bad-image", at="[data-image-folder] .image-pickers")
    with httpx.Client(
        base_url=f"{people.url}/api/v1", headers={"Authorization": f"Bearer {token}"}
    ) as api:
        assert len(tasks_of(api, project_id)) == 3
    people.check()


def coco_file(path: Path) -> None:
    path.write_text(
        json.dumps(
            {
                "images": [
                    {"id": 1, "file_name": "one.png", "width": 80, "height": 60},
                    {"id": 2, "file_name": "two/two.png", "width": 50, "height": 40},
                ],
                "categories": [
                    {"id": 1, "name": "cat"},
                    {"id": 2, "name": "dog"},
                    {"id": 3, "name": "zebra"},
                ],
                "annotations": [
                    {
                        "id": 1,
                        "image_id": 1,
                        "category_id": 1,
                        "bbox": [10, 5, 20, 15],
                        "area": 300,
                        "segmentation": [[10, 5, 30, 5, 30, 20, 10, 20]],
                        "iscrowd": 0,
                    },
                    {
                        "id": 2,
                        "image_id": 1,
                        "category_id": 2,
                        "bbox": [40, 30, 10.5, 12],
                        "score": 0.9,
                        "area": 126,
                        "segmentation": [],
                        "iscrowd": 0,
                    },
                    {
                        "id": 3,
                        "image_id": 2,
                        "category_id": 3,
                        "bbox": [1, 1, 5, 5],
                        "area": 25,
                        "segmentation": [],
                        "iscrowd": 0,
                    },
                ],
            }
        )
    )


def test_a_coco_dataset_goes_in_and_comes_out(people: People, db: Database, tmp_path: Path) -> None:
    lead, token = make_user(db, LEAD[0], password=LEAD[1], can_create_projects=True)
    ann, ann_token = make_user(db, ANN[0], password=ANN[1])
    project_id = make_project(db, lead, INTERFACE, members={ann: "annotator"}).id
    images = tmp_path / "images"
    picture(images / "one.png", (80, 60), (120, 120, 40))
    picture(images / "two" / "two.png", (50, 40), (40, 120, 120))
    coco_file(tmp_path / "instances.json")

    page = import_page(people, project_id)
    dataset = page.locator("[data-dataset-import]")
    expect(dataset.locator("[data-dataset-cli=coco]")).to_contain_text(
        f"accord import {project_id} instances.json --format coco --media images/ --wait"
    )
    dataset.locator("[data-dataset-format=coco]").check()
    dataset.locator("[data-pick-coco]").set_input_files(tmp_path / "instances.json")
    dataset.locator("[data-pick-dataset-folder]").set_input_files(images)
    expect(dataset.locator("[data-dataset-picked]")).to_contain_text(
        "instances.json · 2 files in images/"
    )
    # The upload is held back to see its progress, then cancelled: nothing is imported.
    held: list[Route] = []
    page.route("**/api/v1/projects/*/media", lambda route: held.append(route))
    upload = dataset.get_by_role("button", name="Upload and import the dataset")
    upload.click()
    progress = dataset.locator("[data-image-upload]")
    expect(progress).to_contain_text("Uploading images… 0 of 2 stored")
    people.shot(page, "coco-uploading", at="[data-dataset-import] .image-pickers")
    for _ in range(100):  # the route's handler runs while Playwright waits
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    progress.get_by_role("button", name="Cancel upload").click()
    expect(dataset.locator("[data-image-error]")).to_contain_text(
        "Upload cancelled: no task was imported."
    )
    page.unroute("**/api/v1/projects/*/media")
    with contextlib.suppress(Exception):  # the page dropped the request already
        held[0].abort()
    # Again, for real.
    upload.click()
    expect(page.get_by_role("region", name="Import report")).to_contain_text("Imported 2 tasks")
    expect(page.locator("[data-image-uploaded]")).to_contain_text(
        "Left out (no question offers the label): 1 shape of 'zebra'"
    )
    people.shot(page, "coco-imported", at="[data-dataset-import]")

    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"{people.url}/api/v1", headers=auth) as api:
        tasks = tasks_of(api, project_id)
        assert sorted(tasks) == ["one.png", "two/two.png"]
        assert tasks["one.png"]["data"]["photo"]["width"] == 80
        detail = api.get(f"/tasks/{tasks['one.png']['id']}").json()
        (prediction,) = detail["predictions"]
        assert prediction["model_version"] == "coco:instances.json"
        boxes = prediction["result"]["boxes"]["objects"]
        assert [(b["label"], b["x"], b["y"], b["w"], b["h"]) for b in boxes] == [
            ("cat", 10, 5, 20, 15),
            ("dog", 40, 30, 10.5, 12),
        ]
        assert boxes[1]["score"] == 0.9
        assert prediction["result"]["outline"]["objects"][0]["points"] == [
            [10, 5],
            [30, 5],
            [30, 20],
            [10, 20],
        ]
        assert api.get(f"/tasks/{tasks['two/two.png']['id']}").json()["predictions"] == []

    # The annotator accepts the first image's predictions as they are; the second has none.
    with httpx.Client(
        base_url=f"{people.url}/api/v1", headers={"Authorization": f"Bearer {ann_token}"}
    ) as api:
        for _ in range(2):
            task = api.post(f"/projects/{project_id}/next").json()["task"]
            answer: dict[str, Any] = {"boxes": {"objects": []}, "outline": {"objects": []}}
            if task["external_id"] == "one.png":
                answer = {
                    "boxes": prediction["result"]["boxes"],
                    "outline": prediction["result"]["outline"],
                }
            done = api.post(f"/tasks/{task['id']}/annotations", json={"result": answer})
            assert done.status_code == 201, done.text

    # Export COCO with the images, as a job; download the zip; pycocotools reads it.
    page.goto(f"{people.url}/projects/{project_id}/export")
    page.locator("[data-export-format=coco]").check()
    expect(page.locator("[data-export-content=consensus]")).to_be_disabled()
    page.locator("[data-export-media]").check()
    expect(page.locator("[data-export-link]")).to_have_text("Download COCO with the images (zip)")
    people.shot(page, "export-coco")
    with page.expect_download() as streamed:
        page.locator("[data-export-link]").click()
    assert streamed.value.suggested_filename == f"project-{project_id}.coco.zip"
    read_back(streamed.value.path(), tmp_path / "streamed")
    page.get_by_role("button", name="Export in the background").click()
    expect(page.locator("[data-export-file]")).to_have_text(f"project-{project_id}.coco.zip")
    people.shot(page, "export-coco-ready", at=".export-background")
    with page.expect_download() as download:
        page.get_by_role("status").filter(has_text="Export ready").get_by_role(
            "link", name="Download"
        ).click()
    assert download.value.suggested_filename == f"project-{project_id}.coco.zip"
    read_back(download.value.path(), tmp_path)
    people.check()


def read_back(path: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(path) as bundle:
        names = set(bundle.namelist())
        assert {"annotations/instances.json", "images/one.png", "images/two/two.png"} <= names
        bundle.extract("annotations/instances.json", tmp_path / "out")
        one = Image.open(io.BytesIO(bundle.read("images/one.png")))
        assert one.size == (80, 60)
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints its timings
        coco = COCO(str(tmp_path / "out" / "annotations" / "instances.json"))
    images = {i["file_name"]: i for i in coco.loadImgs(coco.getImgIds())}
    assert {n: (i["width"], i["height"]) for n, i in images.items()} == {
        "one.png": (80, 60),
        "two/two.png": (50, 40),
    }
    cats = {c["id"]: c["name"] for c in coco.loadCats(coco.getCatIds())}
    anns = coco.loadAnns(coco.getAnnIds(imgIds=[images["one.png"]["id"]]))
    shapes = sorted(
        (cats[a["category_id"]], tuple(a["bbox"]), bool(a["segmentation"])) for a in anns
    )
    assert shapes == [
        ("cat", (10, 5, 20, 15), False),
        ("cat", (10, 5, 20, 15), True),
        ("dog", (40, 30, 10.5, 12), False),
    ]
    (outline,) = [a for a in anns if a["segmentation"]]
    assert outline["segmentation"] == [[10, 5, 30, 5, 30, 20, 10, 20]]
    assert coco.getAnnIds(imgIds=[images["two/two.png"]["id"]]) == []


VOC_XML = """<annotation><filename>c.jpg</filename>
  <object><name>cat</name><truncated>1</truncated>
    <bndbox><xmin>11</xmin><ymin>6</ymin><xmax>30</xmax><ymax>20</ymax></bndbox>
    <polygon><x1>11</x1><y1>6</y1><x2>30</x2><y2>6</y2><x3>30</x3><y3>20</y3></polygon>
  </object>
</annotation>"""


def test_yolo_and_voc_datasets_go_in(people: People, db: Database, tmp_path: Path) -> None:
    lead, token = make_user(db, LEAD[0], password=LEAD[1], can_create_projects=True)
    project_id = make_project(db, lead, INTERFACE).id
    root = tmp_path / "yolo8"
    root.mkdir()
    (root / "data.yaml").write_text(
        "path: /datasets/yolo8\ntrain: images/train\nval: images/val\nnames:\n  0: cat\n  1: dog\n"
    )
    picture(root / "images" / "train" / "a.png", (100, 50), (90, 90, 90))
    picture(root / "images" / "val" / "b.jpg", (40, 80), (10, 90, 90), turned=True)
    (root / "labels" / "train").mkdir(parents=True)
    (root / "labels" / "train" / "a.txt").write_text(
        "0 0.5 0.5 0.2 0.4\n0 0.1 0.1 0.3 0.1 0.3 0.5 0.2 0.6 0.1 0.5\n"
    )
    (root / "labels" / "val").mkdir(parents=True)
    (root / "labels" / "val" / "b.txt").write_text("1 0.25 0.5 0.5 0.25\n")

    page = import_page(people, project_id)
    dataset = page.locator("[data-dataset-import]")
    dataset.locator("[data-dataset-format=yolo]").check()
    dataset.locator("[data-pick-yolo-folder]").set_input_files(root)
    expect(dataset.locator("[data-dataset-picked]")).to_contain_text("5 files in yolo8/")
    dataset.get_by_role("button", name="Upload and import the dataset").click()
    expect(page.get_by_role("region", name="Import report")).to_contain_text("Imported 2 tasks")
    expect(page.locator("[data-image-uploaded]")).to_contain_text("2 images have shapes")
    people.shot(page, "yolo-imported", at="[data-dataset-import]")

    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"{people.url}/api/v1", headers=auth) as api:
        tasks = tasks_of(api, project_id)
        assert sorted(tasks) == ["images/train/a.png", "images/val/b.jpg"]
        # The turned JPEG: its size as shown, and the box in those pixels.
        photo = tasks["images/val/b.jpg"]["data"]["photo"]
        assert (photo["width"], photo["height"]) == (40, 80)
        detail = api.get(f"/tasks/{tasks['images/val/b.jpg']['id']}").json()
        (prediction,) = detail["predictions"]
        assert prediction["model_version"] == "yolo:data.yaml"
        (box,) = prediction["result"]["boxes"]["objects"]
        assert (box["label"], box["x"], box["y"], box["w"], box["h"]) == ("dog", 0, 30, 20, 20)
        detail = api.get(f"/tasks/{tasks['images/train/a.png']['id']}").json()
        result = detail["predictions"][0]["result"]
        assert [(b["x"], b["y"], b["w"], b["h"]) for b in result["boxes"]["objects"]] == [
            (40, 15, 20, 20)
        ]
        assert result["outline"]["objects"][0]["points"] == [
            [10, 5],
            [30, 5],
            [30, 25],
            [20, 30],
            [10, 25],
        ]

    # Pascal VOC: Annotations/ and JPEGImages/ in one folder.
    voc = tmp_path / "VOC2012"
    (voc / "Annotations").mkdir(parents=True)
    (voc / "Annotations" / "c.xml").write_text(VOC_XML)
    picture(voc / "JPEGImages" / "c.jpg", (50, 30), (200, 200, 0))
    dataset.locator("[data-dataset-format=voc]").check()
    dataset.locator("[data-pick-voc-folder]").set_input_files(voc)
    expect(dataset.locator("[data-dataset-picked]")).to_contain_text("2 files in VOC2012/")
    dataset.get_by_role("button", name="Upload and import the dataset").click()
    expect(page.get_by_role("region", name="Import report")).to_contain_text("Imported 1 task")
    people.shot(page, "voc-imported", at="[data-dataset-import]")
    with httpx.Client(base_url=f"{people.url}/api/v1", headers=auth) as api:
        task = tasks_of(api, project_id)["c.jpg"]
        (prediction,) = api.get(f"/tasks/{task['id']}").json()["predictions"]
        assert prediction["model_version"] == "voc:VOC2012"
        (box,) = prediction["result"]["boxes"]["objects"]
        assert (box["x"], box["y"], box["w"], box["h"], box["truncated"]) == (10, 5, 20, 15, True)
        (outline,) = prediction["result"]["outline"]["objects"]
        assert outline["points"] == [[10, 5], [29, 5], [29, 19]]
    people.check()


def test_a_coco_zip_with_its_images_goes_in_as_a_sources_annotations(
    people: People, db: Database, tmp_path: Path
) -> None:
    """One zip (the COCO file and its images, as an export with the images is laid out) picked
    with the mouse, imported as the annotations of the source "vendor-a": the report counts
    them, the tasks carry the source's submitted annotations and no predictions."""
    lead, token = make_user(db, LEAD[0], password=LEAD[1], can_create_projects=True)
    project_id = make_project(db, lead, INTERFACE).id
    coco_file(tmp_path / "instances.json")
    pictures = tmp_path / "pictures"
    picture(pictures / "one.png", (80, 60), (120, 120, 40))
    picture(pictures / "two" / "two.png", (50, 40), (40, 120, 120))
    bundle = tmp_path / "dataset.zip"
    with zipfile.ZipFile(bundle, "w") as zipped:
        zipped.write(tmp_path / "instances.json", "annotations/instances.json")
        zipped.write(pictures / "one.png", "images/one.png")
        zipped.write(pictures / "two" / "two.png", "images/two/two.png")

    page = import_page(people, project_id)
    choice = page.locator("[data-answers-by]")
    choice.locator("[data-answers-by-source]").click()
    choice.locator("[data-source-name]").fill("vendor-a")
    dataset = page.locator("[data-dataset-import]")
    dataset.locator("[data-dataset-format=coco]").check()
    zip_part = dataset.locator("[data-dataset-zip=coco]")
    zip_part.locator("[data-pick-dataset-zip]").set_input_files(bundle)
    expect(zip_part.locator("[data-dataset-zip-picked]")).to_contain_text("dataset.zip")
    zip_part.get_by_role("button", name="Send the zip and import").click()
    report = page.get_by_role("region", name="Import report")
    expect(report).to_contain_text("Imported 2 tasks")
    expect(report).to_contain_text("Annotations by the source “vendor-a”")
    people.shot(page, "coco-zip-by-source", at="[data-dataset-import]")

    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"{people.url}/api/v1", headers=auth) as api:
        tasks = tasks_of(api, project_id)
        assert sorted(tasks) == ["one.png", "two/two.png"]
        detail = api.get(f"/tasks/{tasks['one.png']['id']}").json()
        assert detail["predictions"] == []
        (annotation,) = detail["annotations"]
        boxes = annotation["result"]["boxes"]["objects"]
        assert [(b["label"], b["x"], b["y"], b["w"], b["h"]) for b in boxes] == [
            ("cat", 10, 5, 20, 15),
            ("dog", 40, 30, 10.5, 12),
        ]
        members = api.get(f"/projects/{project_id}/members").json()
        items = members["items"] if isinstance(members, dict) else members
        assert [m["name"] for m in items if m.get("is_source")] == ["vendor-a"]
    people.check()
