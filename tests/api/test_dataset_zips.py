"""Importing a dataset zip that holds its images (``POST /projects/{id}/imports?format=
coco|yolo|voc`` with the zip; the SDK's ``import_dataset`` with a ``.zip``): a project
exported ``with_media`` in each format and imported into a new project gives back its shapes
and image sizes exactly; a corrupt member is refused by name with nothing stored; images the
dataset does not name are left out and counted; a zip without its images still finds the
uploaded ones; the layouts of Accord's, CVAT's and Roboflow's COCO zips."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from skimage import data as samples

from accord.db import Database
from accord.models import User
from accord.sdk.client import Client
from accord.settings import Settings
from tests.api.conftest import Api
from tests.api.test_image_imports import stored, zipped
from tests.api.test_media import parts, picture, wait
from tests.factories import make_project, make_user
from tests.formats.shapes_data import HEIGHT, INTERFACE, WIDTH, answers, png

pytestmark = pytest.mark.db

NAMES = ["a.png", "sub/b.jpg", "c.png"]  # the first two are annotated, c.png is a negative
CARRIED = {  # the questions each format carries
    "coco": ("boxes", "outline", "pose", "mask"),
    "yolo": ("boxes", "outline", "pose"),
    "voc": ("boxes", "outline"),
}


def photo() -> bytes:
    """The astronaut of scikit-image's samples, WIDTH x HEIGHT as shown, stored turned a
    quarter with an EXIF orientation (6) that turns it back."""
    image = Image.fromarray(samples.astronaut()).resize((WIDTH, HEIGHT))
    image = image.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95, exif=exif.tobytes())
    return out.getvalue()


IMAGES = {"a.png": png(seed=1), "sub/b.jpg": photo(), "c.png": png(seed=2)}


class Team:
    def __init__(self, db: Database, api: Api) -> None:
        self.db = db
        self.api = api
        self.owner, token = make_user(db, "lead@example.com")
        self.me = api.as_(token)
        self.annotator, annotator_token = make_user(db, "ann@example.com")
        self.ann = api.as_(annotator_token)

    def project(self, members: dict[User, str] | None = None) -> int:
        return make_project(self.db, self.owner, INTERFACE, members=members).id

    def import_(self, project_id: int, body: bytes, fmt: str, **params: Any) -> Any:
        return self.me.post(
            f"/projects/{project_id}/imports",
            params={"format": fmt, "filename": "export.zip", **params},
            content=body,
            headers={"Content-Type": "application/zip"},
        )

    def annotated(self) -> int:
        """A project of the three images, the first two answered with every shape kind."""
        project_id = self.project({self.annotator: "annotator"})
        upload = self.me.post(f"/projects/{project_id}/media", files=parts(IMAGES))
        assert upload.status_code == 201, upload.text
        rows = [
            {"id": f["name"], "image": {k: f[k] for k in ("src", "width", "height")}}
            for f in upload.json()["files"]
        ]
        self._rows(project_id, rows[:2])
        for _ in range(2):
            task = self.ann.post(f"/projects/{project_id}/next").json()["task"]
            seed = NAMES.index(task["external_id"])
            result = {"result": answers(seed)}
            answer = self.ann.post(f"/tasks/{task['id']}/annotations", json=result)
            assert answer.status_code == 201, answer.text
        self._rows(project_id, rows[2:])  # c.png: no answer
        return project_id

    def _rows(self, project_id: int, rows: list[dict[str, Any]]) -> None:
        body = b"".join(orjson.dumps(row) + b"\n" for row in rows)
        done = self.me.post(
            f"/projects/{project_id}/imports", params={"format": "jsonl"}, content=body
        )
        assert done.status_code == 201, done.text

    def exported(self, project_id: int, fmt: str) -> bytes:
        answer = self.me.get(
            f"/projects/{project_id}/export", params={"format": fmt, "with_media": True}
        )
        assert answer.status_code == 200, answer.text
        assert zipfile.is_zipfile(io.BytesIO(answer.content))
        return bytes(answer.content)

    def sdk(self) -> Client:
        client = Client("http://testserver", "unused")
        client._http = TestClient(
            self.api.client.app, base_url="http://testserver/api/v1", headers=self.me.headers
        )
        return client


@pytest.fixture
def team(db: Database, api: Api) -> Team:
    return Team(db, api)


def _geometry(question: str, obj: dict[str, Any], fmt: str) -> Any:
    """What a shape is, whatever else the format adds (ids, flags): exact, except YOLO's
    numbers, normalised by the image's size and back (to 10⁻⁶ pixel, as tests/formats)."""

    def n(value: float) -> float:
        return round(value, 6) if fmt == "yolo" else value

    if question == "boxes":
        return (obj["label"], *(n(obj[k]) for k in "xywh"))
    if question == "mask":
        return (obj["label"], orjson.dumps(obj["rle"]))
    return (obj["label"], tuple(tuple(n(v) for v in p) for p in obj["points"]))


def _original(name: str) -> str:
    """The image an imported task holds, by its file name (YOLO puts it below
    images/train/, VOC keeps the file name alone)."""
    base = name.rsplit("/", 1)[-1]
    return next(n for n in NAMES if n.rsplit("/", 1)[-1] == base)


@pytest.mark.parametrize("fmt", ["coco", "yolo", "voc"])
def test_an_export_with_its_images_imports_into_a_new_project(
    team: Team, db: Database, settings: Settings, tmp_path: Path, fmt: str
) -> None:
    source = team.annotated()
    archive = team.exported(source, fmt)
    target = team.project()
    background = fmt == "yolo"  # the job path for one format, the request for the others
    answer = team.import_(target, archive, fmt, background=background)
    if background:
        assert answer.status_code == 202, answer.text
        job = wait(team.me, answer.json()["id"])
        assert job["state"] == "succeeded", job
        assert job["unit"] == "images"
        report = job["result"]
    else:
        assert answer.status_code == 201, answer.text
        report = answer.json()
    assert report["created"] == 3 and report["predictions"] == 2
    assert report["dataset"]["from_zip"] == 3 and report["dataset"]["new_from_zip"] == 3
    assert report["dataset"]["unnamed_in_zip"] == 0

    before, after = stored(db, source), stored(db, target)
    assert {_original(name) for name in after} == set(NAMES)
    for name, task in after.items():
        image, given = task["data"]["image"], before[_original(name)]["data"]["image"]
        assert (image["width"], image["height"]) == (given["width"], given["height"])
        assert image["src"].endswith(f"/media/projects/{target}/{name}")  # stored as uploaded
        seed = NAMES.index(_original(name))
        if seed == 2:
            assert task["predictions"] == []  # an image without objects
            continue
        (prediction,) = task["predictions"]
        assert prediction["model_version"] == f"{fmt}:export.zip"
        result, given_answer = prediction["result"], answers(seed)
        for question in CARRIED[fmt]:
            got = {_geometry(question, o, fmt) for o in result[question]["objects"]}
            want = {_geometry(question, o, fmt) for o in given_answer[question]["objects"]}
            assert want <= got, (question, want - got)
        assert set(result) <= set(CARRIED[fmt])
    # The files are the project's media, upright as the export wrote them.
    media = settings.data_dir / "media" / "projects" / str(target)
    b_name = next(n for n in after if n.endswith("b.jpg"))
    with Image.open(media / b_name) as turned:
        assert turned.size == (WIDTH, HEIGHT) and 0x0112 not in turned.getexif()

    # The same zip again: nothing twice, the same bytes accepted.
    again = team.import_(target, archive, fmt)
    assert again.status_code == 201, again.text
    assert again.json()["duplicates"] == 3 and again.json()["dataset"]["new_from_zip"] == 0

    # The SDK takes the zip as well (unpacked here, images uploaded in batches): same rows.
    path = tmp_path / "export.zip"
    path.write_bytes(archive)
    other = team.project()
    job = team.sdk().import_dataset(other, path, fmt)
    assert job["dataset"]["images"] == 3 and job["dataset"]["uploaded"] == 3
    assert wait(team.me, job["id"])["state"] == "succeeded"
    by_sdk = stored(db, other)
    assert set(by_sdk) == set(after)
    for name, task in by_sdk.items():
        image = task["data"]["image"]
        same = after[name]["data"]["image"]
        assert (image["width"], image["height"]) == (same["width"], same["height"])
        assert task["predictions"] == after[name]["predictions"]


def coco(names: list[str]) -> bytes:
    document = {
        "images": [
            {"id": i + 1, "file_name": name, "width": WIDTH, "height": HEIGHT}
            for i, name in enumerate(names)
        ],
        "categories": [{"id": 1, "name": "cat"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 10, 5], "iscrowd": 0}
        ],
    }
    return orjson.dumps(document)


def media_of(settings: Settings, project_id: int) -> list[str]:
    folder = settings.data_dir / "media" / "projects" / str(project_id)
    if not folder.is_dir():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_a_corrupt_image_refuses_the_import_by_its_member(
    team: Team, db: Database, settings: Settings
) -> None:
    target = team.project()
    truncated = IMAGES["sub/b.jpg"][:300]
    body = zipped(
        {
            "annotations/instances.json": coco(["a.png", "sub/b.jpg"]),
            "images/a.png": IMAGES["a.png"],
            "images/sub/b.jpg": truncated,
        }
    )
    answer = team.import_(target, body, "coco")
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "bad_image"
    assert error["message"].startswith("1 of the 2 images in the zip are refused, so nothing")
    assert "images/sub/b.jpg: " in error["message"]
    assert [f["file"] for f in error["details"]["files"]] == ["images/sub/b.jpg"]
    assert error["details"]["files"][0]["name"] == "sub/b.jpg"
    assert stored(db, target) == {} and media_of(settings, target) == []
    # In the background: the job fails with the same message.
    job = wait(team.me, team.import_(target, body, "coco", background=True).json()["id"])
    assert job["state"] == "failed" and "images/sub/b.jpg" in job["error"]
    assert stored(db, target) == {} and media_of(settings, target) == []


def test_images_the_dataset_does_not_name_are_left_out_and_counted(
    team: Team, db: Database, settings: Settings
) -> None:
    target = team.project()
    body = zipped(
        {
            "annotations/instances.json": coco(["a.png"]),
            "images/a.png": IMAGES["a.png"],
            "images/extra.png": IMAGES["c.png"],
            "notes.txt": b"not an image",
        }
    )
    answer = team.import_(target, body, "coco")
    assert answer.status_code == 201, answer.text
    dataset = answer.json()["dataset"]
    assert dataset["from_zip"] == 1 and dataset["unnamed_in_zip"] == 1
    assert dataset["unnamed_examples"] == ["images/extra.png"]
    assert set(stored(db, target)) == {"a.png"}
    assert media_of(settings, target) == ["a.png"]


def test_a_zip_without_its_images_finds_the_uploaded_ones(
    team: Team, db: Database, settings: Settings
) -> None:
    target = team.project()
    refused = team.import_(target, zipped({"instances.json": coco(["a.png", "c.png"])}), "coco")
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "missing_media" and "(nor are they in the zip)" in error["message"]
    upload = team.me.post(f"/projects/{target}/media", files=parts({"a.png": IMAGES["a.png"]}))
    assert upload.status_code == 201, upload.text
    # a.png uploaded, c.png in the zip (beside the JSON)
    body = zipped({"instances.json": coco(["a.png", "c.png"]), "c.png": IMAGES["c.png"]})
    answer = team.import_(target, body, "coco")
    assert answer.status_code == 201, answer.text
    assert answer.json()["created"] == 2 and answer.json()["dataset"]["from_zip"] == 1
    assert media_of(settings, target) == ["a.png", "c.png"]
    image = stored(db, target)["c.png"]["data"]["image"]
    assert (image["width"], image["height"]) == (WIDTH, HEIGHT)


def test_other_bytes_under_a_name_already_in_the_media_are_refused(
    team: Team, db: Database, settings: Settings
) -> None:
    target = team.project()
    team.me.post(f"/projects/{target}/media", files=parts({"c.png": IMAGES["a.png"]}))
    body = zipped(
        {
            "images/a.png": IMAGES["a.png"],
            "images/c.png": IMAGES["c.png"],
            "annotations/instances.json": coco(["a.png", "c.png"]),
        }
    )
    answer = team.import_(target, body, "coco")
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"]["code"] == "media_exists" and "c.png" in answer.text
    assert media_of(settings, target) == ["c.png"] and stored(db, target) == {}


@pytest.mark.parametrize(
    "files",
    [
        # Roboflow: the JSON with its images beside it, in the split's folder
        {"train/_annotations.coco.json": "json", "train/a.png": "a", "train/c.png": "c"},
        # a zipped folder holding annotations/ and images/ (CVAT's layout, one folder down)
        {"set/annotations/x.json": "json", "set/images/a.png": "a", "set/images/c.png": "c"},
        # the JSON at the top, images below images/ next to it
        {"x.json": "json", "images/a.png": "a", "images/c.png": "c"},
    ],
)
def test_coco_zip_layouts(team: Team, db: Database, files: dict[str, str]) -> None:
    target = team.project()
    content = {"json": coco(["a.png", "c.png"]), "a": IMAGES["a.png"], "c": IMAGES["c.png"]}
    answer = team.import_(target, zipped({k: content[v] for k, v in files.items()}), "coco")
    assert answer.status_code == 201, answer.text
    assert set(stored(db, target)) == {"a.png", "c.png"}


def test_coco_zips_with_no_or_several_json_files_are_refused(team: Team) -> None:
    target = team.project()
    none = team.import_(target, zipped({"images/a.png": IMAGES["a.png"]}), "coco")
    assert none.status_code == 422 and "no COCO .json file" in none.text
    several = zipped({"train/a.json": coco(["a.png"]), "valid/b.json": coco(["a.png"])})
    answer = team.import_(target, several, "coco")
    assert answer.status_code == 422, answer.text
    message = answer.json()["error"]["message"]
    assert "2 .json files (train/a.json, valid/b.json)" in message
    # a name leading out of the zip is not looked for outside it
    outside = zipped({"x.json": coco(["../a.png"]), "a.png": IMAGES["a.png"]})
    refused = team.import_(target, outside, "coco")
    assert refused.status_code == 422, refused.text


def test_yolo_and_voc_zips_with_their_images(team: Team, db: Database) -> None:
    target = team.project()
    yolo = zipped(
        {
            "ds/data.yaml": b"path: .\ntrain: images/train\nnames: [cat, dog]\n",
            "ds/images/train/a.png": IMAGES["a.png"],
            "ds/labels/train/a.txt": b"0 0.5 0.5 0.25 0.25\n",
        }
    )
    answer = team.import_(target, yolo, "yolo")
    assert answer.status_code == 201, answer.text
    box = stored(db, target)["images/train/a.png"]["predictions"][0]["result"]["boxes"]
    assert box["objects"][0] == {"id": "1", "label": "cat", "x": 24, "y": 18, "w": 16, "h": 12}
    xml = (
        b"<annotation><filename>v.jpg</filename><object><name>dog</name><bndbox><xmin>2</xmin>"
        b"<ymin>3</ymin><xmax>11</xmax><ymax>8</ymax></bndbox></object></annotation>"
    )
    voc = zipped({"v/b.xml": xml, "v/v.jpg": picture(40, 30)})  # the image beside its XML
    answer = team.import_(target, voc, "voc")
    assert answer.status_code == 201, answer.text
    image = stored(db, target)["v.jpg"]["data"]["image"]
    assert (image["width"], image["height"]) == (40, 30)
