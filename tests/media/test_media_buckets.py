"""``ACCORD_MEDIA_BUCKETS``: the buckets tasks may reference by ``s3://`` URL. A reference to
another bucket is refused at import (naming the line, the field, the bucket and the setting),
refused by bucket sync, and never signed on read (an image object gets ``error`` instead);
``*`` allows any bucket, as before the setting existed. Against the real moto server."""

from __future__ import annotations

import io
import time
from typing import Any

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select

from accord.api.app import create_app
from accord.db import Database
from accord.errors import Invalid
from accord.formats.task_rows import ImportReport, RowRules, checked_rows
from accord.jobs.bucket_sync import sync_prefix
from accord.jobs.thumbnails import open_source
from accord.kinds import Interface
from accord.media.links import bucket_row_check, sign_task_data
from accord.models import Task
from accord.settings import Settings
from tests.api.conftest import Api
from tests.factories import SIMPLE, add_tasks, make_project, make_user
from tests.s3 import S3Server, unique_prefix

IMAGES = {
    "fields": [{"name": "photo", "kind": "image"}, {"name": "note", "kind": "text"}],
    "questions": [{"name": "boxes", "kind": "boxes", "target": "photo", "labels": ["cat"]}],
}


@pytest.fixture
def remote(settings: Settings, s3: S3Server) -> Settings:
    """Local storage, the moto server as the S3 endpoint, no bucket allowed."""
    return settings.model_copy(update={"s3_endpoint_url": s3.endpoint})


def allowing(settings: Settings, buckets: str) -> Settings:
    return settings.model_copy(update={"media_buckets": buckets})


def put(s3: S3Server, key: str, body: bytes) -> str:
    s3.client().put_object(Bucket=s3.bucket, Key=key, Body=body)
    return f"s3://{s3.bucket}/{key}"


def test_the_setting_is_a_list_of_bucket_names_or_a_star() -> None:
    assert Settings(media_buckets=" cats , dogs-2,").media_buckets == "cats,dogs-2"
    assert Settings(media_buckets="cats,dogs").media_bucket_names == {"cats", "dogs"}
    assert Settings().media_bucket_names == frozenset()
    assert Settings(media_buckets="*").media_bucket_names is None
    with pytest.raises(ValidationError, match=r"either \* .* or a list"):
        Settings(media_buckets="*,cats")
    with pytest.raises(ValidationError, match="'s3://cats' is not a bucket name"):
        Settings(media_buckets="s3://cats")


def rows_of(settings: Settings, rows: list[dict[str, Any]]) -> tuple[list[str], ImportReport]:
    """The external ids of the good rows of a JSONL import into IMAGES, and the report."""
    rules = RowRules(Interface.model_validate(IMAGES), None, media_check=bucket_row_check(settings))
    source = io.BytesIO(b"".join(orjson.dumps(row) + b"\n" for row in rows))
    report = ImportReport()
    good = [str(row[0]) for row in checked_rows(source, "jsonl", rules, report, stop_early=False)]
    return good, report


def test_an_import_refuses_a_bucket_not_allowed_naming_line_field_bucket_and_setting(
    remote: Settings,
) -> None:
    rows = [
        {"id": "ok", "photo": "https://example.com/1.jpg", "note": "a web address"},
        {"id": "object", "photo": {"src": "s3://their-bucket/a.jpg"}, "note": "x"},
        {"id": "text", "photo": "https://example.com/2.jpg", "note": "s3://their-bucket/b.txt"},
        {"id": "plain", "photo": "s3://their-bucket/c.jpg", "note": "y"},
    ]
    good, report = rows_of(remote, rows)
    assert good == ["ok"]
    assert [(e["line"], e["field"]) for e in report.errors] == [
        (2, "photo"),
        (3, "note"),
        (4, "photo"),
    ]
    message = report.errors[0]["message"]
    assert message.startswith("s3://their-bucket/a.jpg: bucket 'their-bucket' is not one tasks")
    assert "adding their-bucket to ACCORD_MEDIA_BUCKETS (now: none; * allows any bucket)" in message

    good, report = rows_of(allowing(remote, "their-bucket"), rows)
    assert good == ["ok", "object", "text", "plain"] and report.skipped == 0
    assert bucket_row_check(allowing(remote, "*")) is None  # nothing to check: old behaviour
    good, report = rows_of(allowing(remote, "other,more"), rows[1:2])
    assert good == [] and "(now: more, other;" in report.errors[0]["message"]


def test_an_import_into_a_bucket_storage_allows_its_media_area_only(remote: Settings) -> None:
    own = remote.model_copy(update={"storage_url": "s3://shared/accord"})
    rows = [
        {"id": "media", "photo": "s3://shared/accord/media/cats/1.jpg", "note": ""},
        {"id": "beside", "photo": "s3://shared/elsewhere/1.jpg", "note": ""},
        {"id": "export", "photo": "s3://shared/accord/exports/3/tasks.jsonl", "note": ""},
        {"id": "other", "photo": "s3://other/1.jpg", "note": ""},
    ]
    good, report = rows_of(own, rows)
    assert good == ["media", "beside"]
    assert [e["line"] for e in report.errors] == [3, 4]
    assert "inside Accord's own storage (s3://shared/accord/)" in report.errors[0]["message"]
    assert "ACCORD_MEDIA_BUCKETS" in report.errors[1]["message"]
    # With *, other buckets are allowed, Accord's own files still are not.
    good, report = rows_of(allowing(own, "*"), rows)
    assert good == ["media", "beside", "other"] and [e["line"] for e in report.errors] == [3]


@pytest.fixture
def image_task(db: Database, s3: S3Server) -> tuple[int, str, str, str]:
    """A task whose references were imported while allowed: (task id, object, text, token)."""
    prefix = unique_prefix()
    photo = put(s3, f"{prefix}/photo.png", b"a photo")
    note = put(s3, f"{prefix}/note.txt", b"a note")
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner, IMAGES)
    add_tasks(db, owner, project, [{"id": "t", "photo": {"src": photo}, "note": note}])
    with db.read() as session:
        task_id = session.scalars(select(Task.id).where(Task.project_id == project.id)).one()
    return task_id, photo, note, token


def test_a_task_read_signs_only_allowed_buckets_and_marks_the_others(
    db: Database, remote: Settings, s3: S3Server, image_task: tuple[int, str, str, str]
) -> None:
    task_id, photo, note, token = image_task
    for settings, signed in ((remote, False), (allowing(remote, s3.bucket), True)):
        with TestClient(create_app(settings, db), raise_server_exceptions=False) as client:
            answer = Api(client, token).get(f"/tasks/{task_id}")
        assert answer.status_code == 200, answer.text
        data = answer.json()["task"]["data"]
        if signed:
            assert "error" not in data["photo"]
            assert httpx.get(data["photo"]["src"]).content == b"a photo"
            assert httpx.get(data["note"]).content == b"a note"
        else:  # left as they were; the image says why, for the browser to show
            assert data["photo"]["src"] == photo and data["note"] == note
            assert data["photo"]["error"].startswith(f"not shown: {photo}: bucket ")
            assert f"adding {s3.bucket} to ACCORD_MEDIA_BUCKETS" in data["photo"]["error"]


def test_star_allows_any_bucket_and_an_error_key_is_never_passed_on(
    remote: Settings, s3: S3Server
) -> None:
    data = {"photo": {"src": "s3://anything/x.jpg", "error": "forged", "thumb": "forged"}}
    signed = sign_task_data(data, allowing(remote, "*"), 60)["photo"]
    assert signed["src"].startswith(f"{s3.endpoint}/anything/x.jpg?") and signed.keys() == {"src"}
    refused = sign_task_data(data, remote, 60)["photo"]
    assert refused["src"] == "s3://anything/x.jpg" and "forged" not in refused["error"]


def test_the_server_reads_no_bucket_not_allowed(remote: Settings, s3: S3Server) -> None:
    """Thumbnails, exports with their images and the assist read images through open_source."""
    url = put(s3, f"{unique_prefix()}/x.png", b"bytes")
    with pytest.raises(Invalid, match="ACCORD_MEDIA_BUCKETS") as refused:
        open_source(remote, url)
    assert refused.value.code == "bucket_not_allowed"
    with open_source(allowing(remote, s3.bucket), url) as stream:
        assert stream.read() == b"bytes"


def test_a_sync_of_a_bucket_not_allowed_is_refused(
    db: Database, remote: Settings, s3: S3Server
) -> None:
    owner, _ = make_user(db, "owner@example.com")
    project = make_project(db, owner, SIMPLE)
    prefix = unique_prefix()
    put(s3, f"{prefix}/1.jpg", b"1")
    url = f"s3://{s3.bucket}/{prefix}/"

    def sync(settings: Settings) -> dict[str, Any]:
        return sync_prefix(db, settings, owner, project.id, url, "text", lambda _: None)

    with pytest.raises(Invalid, match=f"cannot sync {url}: bucket '{s3.bucket}'") as refused:
        sync(remote)
    assert refused.value.code == "bucket_not_allowed"
    assert refused.value.details == {"field": "url", "setting": "ACCORD_MEDIA_BUCKETS"}
    assert "ACCORD_MEDIA_BUCKETS" in refused.value.message
    assert sync(allowing(remote, "*"))["created"] == 1
    put(s3, f"{prefix}/2.jpg", b"2")
    assert sync(allowing(remote, f"elsewhere,{s3.bucket}"))["created"] == 1


def test_the_import_api_refuses_a_bucket_not_allowed_before_anything_is_written(
    db: Database, remote: Settings
) -> None:
    owner, token = make_user(db, "importer@example.com")
    project = make_project(db, owner, IMAGES)
    body = b"\n".join(
        orjson.dumps(row)
        for row in (
            {"id": "ok", "photo": "https://example.com/1.jpg", "note": ""},
            {"id": "theirs", "photo": {"src": "s3://their-bucket/a.jpg"}, "note": ""},
        )
    )
    with TestClient(create_app(remote, db), raise_server_exceptions=False) as client:
        api = Api(client, token)
        for background in ("false", "true"):
            sent = api.post(
                f"/projects/{project.id}/imports?format=jsonl&background={background}",
                content=body,
                headers={"Content-Type": "application/x-ndjson"},
            )
            if background == "true":
                assert sent.status_code == 202, sent.text
                job = api.get(f"/jobs/{sent.json()['id']}").json()
                for _ in range(200):
                    if job["state"] in ("succeeded", "failed", "cancelled"):
                        break
                    time.sleep(0.05)
                    job = api.get(f"/jobs/{sent.json()['id']}").json()
                assert job["state"] == "failed", job
                refusal = orjson.dumps(job).decode()
            else:
                assert sent.status_code == 422, sent.text
                refusal = sent.text
            assert "their-bucket" in refusal and "ACCORD_MEDIA_BUCKETS" in refusal
        with db.read() as session:
            assert session.scalars(select(Task.id).where(Task.project_id == project.id)).all() == []
