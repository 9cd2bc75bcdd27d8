"""Uploading images into a project's media (``POST /projects/{id}/media``), their thumbnails
(the ``thumbnails`` job), and image objects signed in task reads (with ``thumb``)."""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from accord.api import media as media_api
from accord.api.app import create_app
from accord.db import Database
from accord.media.links import needs_signing, sign_many, sign_task_data, thumb_key
from accord.models import User
from accord.sdk.client import Client
from accord.settings import Settings
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user
from tests.s3 import S3Server, s3, s3_server, unique_prefix

__all__ = ["s3", "s3_server"]  # the moto server fixtures, used by the bucket test

IMAGES = {
    "fields": [{"name": "image", "kind": "image"}],
    "questions": [{"name": "ok", "kind": "choice", "options": ["yes", "no"]}],
}


def picture(width: int, height: int, fmt: str = "JPEG", orientation: int = 1) -> bytes:
    rng = np.random.default_rng(width * height)
    pixels = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    out = io.BytesIO()
    options: dict[str, Any] = {}
    if orientation != 1:
        exif = Image.Exif()
        exif[0x0112] = orientation
        options["exif"] = exif.tobytes()
    Image.fromarray(pixels).save(out, format=fmt, **options)
    return out.getvalue()


def grey16(width: int, height: int) -> bytes:
    ramp = np.tile(np.linspace(0, 4095, width).astype(np.uint16), (height, 1))
    out = io.BytesIO()
    Image.fromarray(ramp).save(out, format="TIFF")
    return out.getvalue()


Parts = list[tuple[str, tuple[str, bytes, str]]]


def parts(files: dict[str, bytes]) -> Parts:
    return [("file", (name, data, "application/octet-stream")) for name, data in files.items()]


def wait(api: Api, job_id: int, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job = api.get(f"/jobs/{job_id}").json()
        if job["state"] in ("succeeded", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['state']}"
        time.sleep(0.05)


class Team:
    def __init__(self, db: Database, api: Api) -> None:
        self.owner, owner_token = make_user(db, "owner@example.com")
        annotator, annotator_token = make_user(db, "ann@example.com")
        _, stranger_token = make_user(db, "stranger@example.com")
        self.project = make_project(db, self.owner, IMAGES, members={annotator: "annotator"})
        self.manager = api.as_(owner_token)
        self.annotator = api.as_(annotator_token)
        self.stranger = api.as_(stranger_token)
        self.anonymous = api.as_(None)
        self.path = f"/projects/{self.project.id}/media"


@pytest.fixture
def team(db: Database, api: Api) -> Team:
    return Team(db, api)


def media_files(settings: Settings, project_id: int) -> list[str]:
    root = settings.data_dir / "media" / "projects" / str(project_id)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_upload_checks_stores_and_describes_each_file(team: Team, settings: Settings) -> None:
    files = {
        "train/0001.jpg": picture(320, 200, orientation=6),  # shown 200 × 320
        "train/0002.jpg": picture(64, 48, "PNG"),  # a PNG named .jpg: taken for a PNG
        "val/scan é.tif": grey16(90, 30),
        "c.webp": picture(30, 20, "WEBP"),
    }
    answer = team.manager.post(team.path, files=parts(files))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    described = {f["name"]: f for f in body["files"]}
    assert list(described) == list(files)
    assert [(f["width"], f["height"], f["format"]) for f in body["files"]] == [
        (200, 320, "jpeg"),
        (64, 48, "png"),
        (90, 30, "tiff"),
        (30, 20, "webp"),
    ]
    root = settings.data_dir / "media" / "projects" / str(team.project.id)
    for name, data in files.items():
        src = described[name]["original"] or described[name]["src"]
        assert src.startswith("file:///") and described[name]["stored"] is True
        path = Path(unquote(urlsplit(src).path))
        assert path == (root / name).resolve() and path.read_bytes() == data
    # Browsers cannot show a TIFF: src is a PNG copy of it (16-bit grey kept), beside it.
    tiff = described["val/scan é.tif"]
    copy = Path(unquote(urlsplit(tiff["src"]).path))
    display = settings.data_dir / "media" / "display" / "projects" / str(team.project.id)
    assert copy == (display / "val/scan é.tif.png").resolve()
    with Image.open(copy) as shown:
        assert (shown.format, shown.mode, shown.size) == ("PNG", "I;16", (90, 30))
    assert [described[n]["original"] for n in files if n != "val/scan é.tif"] == [None] * 3
    assert isinstance(body["thumbnails_job"], int)
    # The same bytes again: accepted, nothing rewritten.
    again = team.manager.post(team.path, files=parts({"c.webp": files["c.webp"]}))
    assert again.status_code == 201 and again.json()["files"][0]["stored"] is False
    # Other bytes under a taken name: refused, the old file kept.
    clash = team.manager.post(team.path, files=parts({"c.webp": picture(31, 20, "WEBP")}))
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "media_exists"
    assert "c.webp" in clash.json()["error"]["message"]
    assert (root / "c.webp").read_bytes() == files["c.webp"]


def test_one_bad_file_refuses_the_whole_request(team: Team, settings: Settings) -> None:
    good = picture(40, 30)
    files = {
        "a.jpg": good,
        "b.jpg": good[: len(good) // 2],  # truncated
        "c.png": b"<svg xmlns='http://www.w3.org/2000/svg'/>",  # not an image it takes
        "d.jpg": good,
    }
    answer = team.manager.post(team.path, files=parts(files))
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "bad_image"
    assert "2 of the 4 files are refused, so none was stored" in error["message"]
    assert [d["file"] for d in error["details"]["files"]] == ["b.jpg", "c.png"]
    assert "truncated or corrupt" in error["details"]["files"][0]["message"]
    assert "not a JPEG, PNG, WebP or TIFF" in error["details"]["files"][1]["message"]
    assert media_files(settings, team.project.id) == []
    assert not list((settings.data_dir / "tmp").iterdir())  # the temporary files are gone


@pytest.mark.parametrize(
    "name",
    ["../escape.jpg", "a/../../escape.jpg", "/etc/escape.jpg", "a\\b.jpg", "a//b.jpg", "./a.jpg"],
)
def test_names_leading_out_are_refused(team: Team, settings: Settings, name: str) -> None:
    files = [("file", ("fine.jpg", picture(10, 10), "image/jpeg"))]
    files.append(("file", (name, picture(10, 10), "image/jpeg")))
    answer = team.manager.post(team.path, files=files)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "invalid_file_name"
    assert media_files(settings, team.project.id) == []
    assert not (settings.data_dir / "escape.jpg").exists()
    assert not (settings.data_dir / "media" / "escape.jpg").exists()


def test_malformed_requests_are_refused(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    data = picture(10, 10)
    cases = [
        ({"content": b"raw", "headers": {"Content-Type": "image/jpeg"}}, 422, "multipart"),
        ({"files": [("image", ("a.jpg", data, "image/jpeg"))]}, 422, "part named 'image'"),
        ({"files": parts({"a.jpg": data}) * 2}, 422, "sent twice"),
        ({"files": [("file", ("", data, "image/jpeg"))]}, 422, "empty"),
        ({"data": {"note": "x"}, "files": []}, 422, "multipart"),
    ]
    for kwargs, status, words in cases:
        answer = team.manager.post(team.path, **kwargs)
        assert answer.status_code == status, (kwargs, answer.text)
        assert words in answer.json()["error"]["message"], answer.text
    monkeypatch.setattr(media_api, "MAX_FILES", 2)
    many = team.manager.post(team.path, files=parts({f"{i}.jpg": data for i in range(3)}))
    assert many.status_code == 413 and "more than 2 files" in many.json()["error"]["message"]
    monkeypatch.setattr(media_api, "MAX_FILE_BYTES", len(data) - 1)
    big = team.manager.post(team.path, files=parts({"big.jpg": data}))
    assert big.status_code == 413 and "big.jpg" in big.json()["error"]["message"]


def test_who_may_upload(team: Team, settings: Settings) -> None:
    files = parts({"a.jpg": picture(10, 10)})
    assert team.anonymous.post(team.path, files=files).status_code == 401
    assert team.stranger.post(team.path, files=files).status_code == 404
    refused = team.annotator.post(team.path, files=files)
    assert refused.status_code == 403 and "manage" in refused.json()["error"]["message"]
    assert team.manager.post("/projects/999999/media", files=files).status_code == 404
    assert media_files(settings, team.project.id) == []


def import_images(db: Database, owner: User, project_id: int, rows: list[dict[str, Any]]) -> None:
    add_tasks(db, owner, project_id, rows)


def test_thumbnails_and_signed_image_objects_in_task_reads(
    team: Team, settings: Settings, db: Database
) -> None:
    files = {"photos/tall.jpg": picture(400, 300, orientation=6), "g.tif": grey16(600, 100)}
    answer = team.manager.post(team.path, files=parts(files))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    job = wait(team.manager, body["thumbnails_job"])
    assert job["state"] == "succeeded", job
    assert job["kind"] == "thumbnails" and job["result"]["made"] == 2
    sizes = {}
    for described in body["files"]:
        key = thumb_key(team.project.id, described["src"])
        assert key.startswith(f"media/thumbs/projects/{team.project.id}/")
        digest = hashlib.sha256(described["src"].encode()).hexdigest()
        assert key.endswith(f"/{digest}.webp")
        with Image.open(settings.data_dir / key) as thumb:
            assert thumb.format == "WEBP"
            sizes[described["name"]] = thumb.size
    assert sizes == {"photos/tall.jpg": (192, 256), "g.tif": (256, 43)}

    tall, grey = body["files"]
    rows = [
        {"id": "obj", "image": {k: tall[k] for k in ("src", "width", "height")}},
        {"id": "str", "image": grey["src"]},  # the string form: signed, no room for a thumb
        {"id": "web", "image": {"src": "https://example.com/cat.jpg"}},
    ]
    import_images(db, team.owner, team.project.id, rows)
    listed = team.manager.get(f"/projects/{team.project.id}/tasks").json()["items"]
    by_id = {t["external_id"]: t["data"]["image"] for t in listed}
    signed = by_id["obj"]
    assert signed["width"] == 300 and signed["height"] == 400
    assert signed["src"].startswith("/api/v1/files/") and signed["thumb"].startswith(
        "/api/v1/files/"
    )
    client = team.manager.client
    assert client.get(signed["src"]).content == files["photos/tall.jpg"]
    with Image.open(io.BytesIO(client.get(signed["thumb"]).content)) as thumb:
        assert thumb.format == "WEBP" and thumb.size == (192, 256)
    assert by_id["str"].startswith("/api/v1/files/")
    assert by_id["web"] == {"src": "https://example.com/cat.jpg"}
    # The task detail signs the same way; the stored task keeps its reference.
    detail = team.manager.get(f"/tasks/{listed[0]['id']}").json()["task"]["data"]["image"]
    assert detail["src"].startswith("/api/v1/files/") and "thumb" in detail
    exported = team.manager.get(f"/projects/{team.project.id}/export").text
    assert tall["src"] in exported and "/api/v1/files/" not in exported
    # The annotator's next task: src signed, no thumbnail looked up.
    served = team.annotator.post(f"/projects/{team.project.id}/next").json()["task"]
    assert served["external_id"] == "obj"
    image = served["data"]["image"]
    assert image["src"].startswith("/api/v1/files/") and "thumb" not in image
    assert (image["width"], image["height"]) == (300, 400)


def test_thumbnails_of_imported_tasks_log_each_failure(
    team: Team, settings: Settings, db: Database
) -> None:
    folder = settings.data_dir / "media" / "scans"
    folder.mkdir(parents=True)
    (folder / "ok.png").write_bytes(picture(500, 250, "PNG"))
    (folder / "broken.png").write_bytes(picture(50, 50, "PNG")[:100])
    rows = [
        {"id": "1", "image": (folder / "ok.png").as_uri()},
        {"id": "2", "image": {"src": (folder / "broken.png").as_uri()}},
        {"id": "3", "image": (folder / "missing.png").as_uri()},
        {"id": "4", "image": "https://example.com/x.png"},
        {"id": "5", "image": (folder / "ok.png").as_uri()},  # the same image again
    ]
    import_images(db, team.owner, team.project.id, rows)
    path = f"/projects/{team.project.id}/thumbnails"
    assert team.annotator.post(path, json={}).status_code == 403
    wrong = team.manager.post(path, json={"fields": ["text"]})
    assert wrong.status_code == 422 and "not an image field" in wrong.json()["error"]["message"]
    started = team.manager.post(path, json={})
    assert started.status_code == 202, started.text
    job = wait(team.manager, started.json()["id"])
    assert job["state"] == "succeeded", job
    assert job["result"] == {"images": 4, "made": 1, "existing": 0, "failed": 3}
    log = [line["message"] for line in job["log"]]
    assert len(log) == 3
    assert "broken.png: no thumbnail: " in log[0] and "truncated or corrupt" in log[0]
    assert "missing.png: no thumbnail: no file" in log[1]
    assert "https://example.com/x.png: no thumbnail: " in log[2] and "not fetched" in log[2]
    key = thumb_key(team.project.id, (folder / "ok.png").as_uri())
    assert (settings.data_dir / key).is_file()
    # Again: the thumbnail that exists is passed over.
    again = wait(team.manager, team.manager.post(path, json={"fields": ["image"]}).json()["id"])
    assert again["result"]["existing"] == 1 and again["result"]["made"] == 0


def test_the_sdk_uploads_media(
    team: Team, client: TestClient, db: Database, tmp_path: Path
) -> None:
    _, token = make_user(db, "sdk@example.com", admin=True)
    sdk = Client("http://testserver", token)
    sdk._http = TestClient(
        client.app,
        base_url="http://testserver/api/v1",
        headers={"Authorization": f"Bearer {token}"},
    )
    (tmp_path / "a.jpg").write_bytes(picture(30, 20, orientation=8))
    (tmp_path / "b.png").write_bytes(picture(10, 5, "PNG"))
    files = sdk.upload_media(
        team.project.id, [("set/a.jpg", tmp_path / "a.jpg"), ("set/b.png", tmp_path / "b.png")]
    )
    assert [(f["name"], f["width"], f["height"]) for f in files] == [
        ("set/a.jpg", 20, 30),
        ("set/b.png", 10, 5),
    ]
    from accord.sdk.client import AccordError

    with pytest.raises(AccordError) as caught:
        sdk.upload_media(team.project.id, [("../x.jpg", tmp_path / "a.jpg")])
    assert caught.value.status == 422 and "../x.jpg" in str(caught.value)


@pytest.fixture
def bucket_api(settings: Settings, db: Database, s3: S3Server) -> Iterator[tuple[Api, str]]:
    prefix = unique_prefix()
    bucket = settings.model_copy(
        update={"storage_url": f"s3://{s3.bucket}/{prefix}", "s3_endpoint_url": s3.endpoint}
    )
    with TestClient(create_app(bucket, db), raise_server_exceptions=False) as test_client:
        yield Api(test_client), prefix


def test_upload_and_thumbnails_in_a_bucket(
    bucket_api: tuple[Api, str], db: Database, s3: S3Server
) -> None:
    api, prefix = bucket_api
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner, IMAGES)
    manager = api.as_(token)
    data = picture(300, 200, orientation=6)
    answer = manager.post(f"/projects/{project.id}/media", files=parts({"x/a.jpg": data}))
    assert answer.status_code == 201, answer.text
    described = answer.json()["files"][0]
    key = f"{prefix}/media/projects/{project.id}/x/a.jpg"
    assert described["src"] == f"s3://{s3.bucket}/{key}"
    assert s3.client().get_object(Bucket=s3.bucket, Key=key)["Body"].read() == data
    job = wait(manager, answer.json()["thumbnails_job"])
    assert job["state"] == "succeeded" and job["result"]["made"] == 1, job
    src = described["src"]
    add_tasks(
        db, owner, project.id, [{"id": "a", "image": {"src": src, "width": 200, "height": 300}}]
    )
    item = manager.get(f"/projects/{project.id}/tasks").json()["items"][0]["data"]["image"]
    assert item["src"].startswith(s3.endpoint + f"/{s3.bucket}/{key}?")
    assert httpx.get(item["src"]).content == data
    with Image.open(io.BytesIO(httpx.get(item["thumb"]).content)) as thumb:
        assert thumb.size == (171, 256)


def test_signing_image_objects(settings: Settings) -> None:
    media = settings.data_dir / "media"
    media.mkdir()
    (media / "a.png").write_bytes(picture(8, 8, "PNG"))
    src = (media / "a.png").as_uri()
    secret = b"s" * 32
    data = {
        "image": {"src": src, "width": 8, "height": 8},
        "web": {"src": "https://example.com/a.png", "width": 8, "height": 8},
        "outside": {"src": (settings.data_dir / "accord.db").as_uri()},
        "text": "plain",
    }
    assert needs_signing({"image": data["image"]})
    assert not needs_signing({"web": data["web"], "text": "plain"})
    plain = sign_task_data(data, settings, 60, secret=secret)
    assert plain["image"]["src"].startswith("/api/v1/files/") and "thumb" not in plain["image"]
    assert plain["image"]["width"] == 8 and data["image"]["src"] == src  # a copy
    assert plain["web"] == data["web"] and plain["outside"] == data["outside"]
    # No thumbnail yet: none given, even with the project.
    assert "thumb" not in sign_task_data(data, settings, 60, secret=secret, project_id=5)["image"]
    key = thumb_key(5, src)
    (settings.data_dir / key).parent.mkdir(parents=True)
    (settings.data_dir / key).write_bytes(b"webp")
    signed = sign_task_data(data, settings, 60, secret=secret, project_id=5)
    assert signed["image"]["thumb"].startswith("/api/v1/files/")
    assert "thumb" not in signed["web"] and "thumb" not in signed["outside"]
    # Another project's thumbnail is not this one's.
    assert "thumb" not in sign_task_data(data, settings, 60, secret=secret, project_id=6)["image"]
    # Many at once: the same answers.
    rows = sign_many([data, {"text": "x"}], settings, 60, secret=secret, project_id=5)
    assert rows[0]["image"]["thumb"].startswith("/api/v1/files/") and rows[1] == {"text": "x"}


def test_an_unreachable_bucket_leaves_reads_working_without_thumbs(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.live import free_port
    from tests.s3 import CREDENTIALS

    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)

    dead = settings.model_copy(
        update={
            "storage_url": "s3://nowhere/accord",
            "s3_endpoint_url": f"http://127.0.0.1:{free_port()}",
            "media_buckets": "media-bucket",
        }
    )
    data = {"image": {"src": "s3://media-bucket/cats/1.jpg", "width": 4, "height": 3}}
    signed = sign_task_data(data, dead, 60, project_id=1)
    assert signed["image"]["src"].startswith(dead.s3_endpoint_url + "/media-bucket/cats/1.jpg?")
    assert "thumb" not in signed["image"]


class FakeContext:
    """What the thumbnails job uses of a `JobContext`, for calling it directly."""

    def __init__(self, settings: Settings, sources: list[str]) -> None:
        from accord.media.storage import open_storage

        self.settings = settings
        self.project_id = 1
        self.params = {"sources": sources}
        self.storage = open_storage(settings)
        self.logged: list[str] = []

    def progress(self, done: int, total: int | None = None, **_: Any) -> None:
        pass

    def log(self, message: str) -> None:
        self.logged.append(message)


def test_a_bucket_that_is_away_stops_the_job_for_a_retry(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accord.errors import StorageUnavailable
    from accord.jobs.thumbnails import thumbnails_job
    from tests.live import free_port
    from tests.s3 import CREDENTIALS

    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    media = settings.data_dir / "media"
    media.mkdir()
    (media / "ok.png").write_bytes(picture(40, 40, "PNG"))
    away = settings.model_copy(
        update={"s3_endpoint_url": f"http://127.0.0.1:{free_port()}", "media_buckets": "media"}
    )
    missing = [(media / f"gone{i}.png").as_uri() for i in range(4)]
    # Missing files are the images' fault: logged, the job goes on.
    context = FakeContext(away, [*missing, (media / "ok.png").as_uri()])
    result = thumbnails_job(context)  # type: ignore[arg-type]
    assert result == {"images": 5, "made": 1, "existing": 0, "failed": 4}
    # A bucket that does not answer, three images in a row: the job stops, to be retried.
    bucket = [f"s3://media/{i}.jpg" for i in range(5)]
    (media / "ok2.png").write_bytes(picture(30, 40, "PNG"))  # made: the count starts again
    context = FakeContext(away, [bucket[0], (media / "ok2.png").as_uri(), *bucket[1:]])
    with pytest.raises(StorageUnavailable):
        thumbnails_job(context)  # type: ignore[arg-type]
    assert len(context.logged) == 4 and all("no thumbnail" in line for line in context.logged)
