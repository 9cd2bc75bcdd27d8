"""Media referenced by tasks: ``s3://`` URLs (and local ``file://`` media) come back signed in
the next-task answer and the task detail, while the stored task keeps the URL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from accord.api.app import create_app
from accord.db import Database
from accord.media.links import needs_signing, sign_task_data
from accord.models import Task
from accord.settings import Settings
from tests.api.conftest import Api
from tests.factories import RICH, SIMPLE, add_tasks, make_project, make_user
from tests.s3 import S3Server, unique_prefix

SECONDS = 45


@pytest.fixture
def bucket_settings(settings: Settings, s3: S3Server) -> Settings:
    return settings.model_copy(
        update={
            "s3_endpoint_url": s3.endpoint,
            "file_url_seconds": SECONDS,
            "media_buckets": f"{s3.bucket},media-bucket,other-bucket",
        }
    )


@pytest.fixture
def app_api(bucket_settings: Settings, db: Database) -> Iterator[Api]:
    with TestClient(create_app(bucket_settings, db), raise_server_exceptions=False) as client:
        yield Api(client)


def put(s3: S3Server, key: str, data: bytes) -> str:
    s3.client().put_object(Bucket=s3.bucket, Key=key, Body=data)
    return f"s3://{s3.bucket}/{key}"


def assert_signed(url: str, data: bytes, s3: S3Server) -> None:
    """``url`` is a presigned GET on the bucket's server, lasting `SECONDS`, that downloads
    ``data``. (moto does not enforce expiry: the signed lifetime is read from the URL.)"""
    assert url.startswith(s3.endpoint + "/")
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == [str(SECONDS)]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    signed_at = time.mktime(time.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ"))
    assert abs(signed_at - time.mktime(time.gmtime())) < 60
    assert httpx.get(url).content == data


def test_signing_touches_only_media_urls(bucket_settings: Settings) -> None:
    data: dict[str, Any] = {
        "image": "s3://media-bucket/cats/1.jpg",
        "gallery": ["s3://media-bucket/cats/2.jpg", "plain text", 3],
        "page": "https://example.com/s3://x",
        "nested": {"deep": "s3://media-bucket/not/top/level.jpg"},
        "count": 7,
        "bad": "s3://no-key",
    }
    signed = sign_task_data(data, bucket_settings, SECONDS)
    assert signed is not data and data["image"] == "s3://media-bucket/cats/1.jpg"
    assert signed["image"].startswith(bucket_settings.s3_endpoint_url + "/media-bucket/cats/1.jpg?")
    assert signed["gallery"][0].startswith(bucket_settings.s3_endpoint_url + "/media-bucket/")
    assert signed["gallery"][1:] == ["plain text", 3]
    for name in ("page", "nested", "count", "bad"):
        assert signed[name] == data[name]
    plain = {"text": "hello"}
    assert not needs_signing(plain) and sign_task_data(plain, bucket_settings, 5) == plain


def test_accords_own_files_are_never_signed_for_a_task(bucket_settings: Settings) -> None:
    own = bucket_settings.model_copy(update={"storage_url": "s3://shared/accord"})
    data = {
        "export": "s3://shared/accord/exports/3/tasks.jsonl",  # another project's export
        "sneaky": "s3://shared/accord/media/../exports/3/tasks.jsonl",
        "media": "s3://shared/accord/media/cats/1.jpg",
        "beside": "s3://shared/elsewhere/1.jpg",
        "other": "s3://other-bucket/accord/exports/1.jpg",
    }
    signed = sign_task_data(data, own, SECONDS)
    assert signed["export"] == data["export"] and signed["sneaky"] == data["sneaky"]
    for name in ("media", "beside", "other"):
        assert "X-Amz-Signature=" in signed[name], name
    whole = own.model_copy(update={"storage_url": "s3://shared"})
    assert sign_task_data({"x": "s3://shared/exports/1.jsonl"}, whole, 5)["x"].startswith("s3://")


def test_next_task_and_task_detail_sign_bucket_media(
    db: Database, app_api: Api, s3: S3Server
) -> None:
    prefix = unique_prefix()
    first = put(s3, f"{prefix}/cats/1.jpg", b"first cat")
    second = put(s3, f"{prefix}/cats/2.jpg", b"second cat")
    owner, owner_token = make_user(db, "owner@example.com")
    annotator, token = make_user(db, "ann@example.com")
    project = make_project(db, owner, RICH, members={annotator: "annotator"})
    add_tasks(db, owner, project, [{"id": "t1", "text": first, "responses": [first, second]}])

    lease = app_api.as_(token).post(f"/projects/{project.id}/next").json()
    data = lease["task"]["data"]
    assert_signed(data["text"], b"first cat", s3)
    assert_signed(data["responses"][1], b"second cat", s3)

    detail = app_api.as_(owner_token).get(f"/tasks/{lease['task']['id']}").json()
    assert_signed(detail["task"]["data"]["responses"][0], b"first cat", s3)

    answer = {"result": {"label": {"choice": "pos"}}}
    submitted = app_api.as_(token).post(
        f"/tasks/{lease['task']['id']}/annotations", params={"next": "true"}, json=answer
    )
    assert submitted.status_code == 201 and submitted.json()["next"]["task"] is None

    with db.read() as session:  # the task keeps the bucket URL (and so do exports)
        stored = session.scalars(select(Task.data).where(Task.project_id == project.id)).one()
    assert first in stored and "X-Amz" not in stored


def test_submit_with_next_signs_the_following_task(
    db: Database, app_api: Api, s3: S3Server
) -> None:
    prefix = unique_prefix()
    owner, _ = make_user(db, "owner@example.com")
    annotator, token = make_user(db, "ann@example.com")
    project = make_project(db, owner, SIMPLE, members={annotator: "annotator"})
    urls = [put(s3, f"{prefix}/{i}.txt", f"object {i}".encode()) for i in range(2)]
    add_tasks(db, owner, project, [{"id": str(i), "text": url} for i, url in enumerate(urls)])
    me = app_api.as_(token)
    task = me.post(f"/projects/{project.id}/next").json()["task"]
    answer = {"result": {"label": {"choice": "neg"}}}
    following = me.post(
        f"/tasks/{task['id']}/annotations", params={"next": "true"}, json=answer
    ).json()["next"]["task"]
    assert_signed(following["data"]["text"], b"object 1", s3)


def test_local_media_are_signed_as_accord_links(db: Database, settings: Settings) -> None:
    media = settings.data_dir / "media" / "cats"
    media.mkdir(parents=True)
    (media / "1.jpg").write_bytes(b"a local cat")
    owner, _ = make_user(db, "owner@example.com")
    annotator, token = make_user(db, "ann@example.com")
    project = make_project(db, owner, RICH, members={annotator: "annotator"})
    root = settings.data_dir.resolve()
    cat = (root / "media" / "cats" / "1.jpg").as_uri()
    database = (root / "accord.db").as_uri()
    escaping = f"{(root / 'media').as_uri()}/../accord.db"
    add_tasks(db, owner, project, [{"id": "t", "text": cat, "responses": [database, escaping]}])

    with TestClient(create_app(settings, db)) as client:
        data = Api(client, token).post(f"/projects/{project.id}/next").json()["task"]["data"]
        assert data["text"].startswith("/api/v1/files/")
        served = client.get(data["text"])
    assert served.status_code == 200 and served.content == b"a local cat"
    assert served.headers["content-type"] == "image/jpeg"
    assert data["responses"] == [database, escaping]  # outside media/: left as they were


def test_local_paths_outside_the_media_folder_are_left_alone(
    settings: Settings, tmp_path: Path
) -> None:
    secret = b"k" * 32
    outside = (tmp_path / "elsewhere.jpg").as_uri()
    signed = sign_task_data({"a": outside, "b": "file://host/x"}, settings, 60, secret=secret)
    assert signed == {"a": outside, "b": "file://host/x"}


def test_reviewers_and_adjudicators_get_media_signed(db: Database, settings: Settings) -> None:
    """The reviewer's next review and the adjudication views show the task's media as signed
    links too, as the annotators saw them."""
    media = settings.data_dir / "media"
    media.mkdir(parents=True)
    (media / "1.jpg").write_bytes(b"a local cat")
    cat = (settings.data_dir.resolve() / "media" / "1.jpg").as_uri()
    owner, _ = make_user(db, "owner@example.com")
    people = {name: make_user(db, f"{name}@example.com") for name in ("ann", "bo", "rev")}
    roles = {"ann": "annotator", "bo": "annotator", "rev": "reviewer"}
    members = {user: roles[name] for name, (user, _) in people.items()}
    project = make_project(
        db, owner, SIMPLE, members=members, overlap=2, review_share=1.0, agreement_threshold=0.9
    )
    add_tasks(db, owner, project, [{"id": "t", "text": cat}])
    with TestClient(create_app(settings, db)) as client:
        as_ = {name: Api(client, token) for name, (_, token) in people.items()}
        for name, choice in (("ann", "pos"), ("bo", "neg")):  # they disagree
            task = as_[name].post(f"/projects/{project.id}/next").json()["task"]
            answer = {"result": {"label": {"choice": choice}}}
            assert as_[name].post(f"/tasks/{task['id']}/annotations", json=answer).is_success
        review = as_["rev"].post(f"/projects/{project.id}/reviews/next").json()
        adjudication = as_["rev"].post(f"/projects/{project.id}/adjudications/next").json()
        view = adjudication["adjudication"]
        detail = as_["rev"].get(f"/adjudications/{view['adjudication']['id']}").json()
        shown = [review["task"]["data"]["text"], view["task"]["data"]["text"]]
        shown.append(detail["task"]["data"]["text"])
        for link in shown:
            assert link.startswith("/api/v1/files/"), link
            assert client.get(link).content == b"a local cat"
