"""Syncing a bucket prefix (or a local media folder) as tasks, through the import: one task per
object, the key as its id; syncing again adds only the new objects."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from accord.db import Database
from accord.errors import Invalid, NotFound, StorageUnavailable
from accord.jobs import bucket_sync
from accord.jobs.bucket_sync import sync_prefix
from accord.models import Import, Project, Task, User
from accord.settings import Settings
from tests.factories import RICH, SIMPLE, make_project, make_user
from tests.s3 import S3Server, unique_prefix


@pytest.fixture
def bucket_settings(settings: Settings, s3: S3Server) -> Settings:
    return settings.model_copy(update={"s3_endpoint_url": s3.endpoint, "media_buckets": s3.bucket})


@pytest.fixture
def owner_project(db: Database) -> tuple[User, Project]:
    owner, _ = make_user(db, "owner@example.com")
    return owner, make_project(db, owner, SIMPLE)


def tasks_of(db: Database, project_id: int) -> dict[str, str]:
    with db.read() as session:
        rows = session.execute(
            select(Task.external_id, Task.data).where(Task.project_id == project_id)
        )
        return {str(external_id): data for external_id, data in rows}


def put_objects(s3: S3Server, keys: list[str]) -> None:
    client = s3.client()
    for key in keys:
        client.put_object(Bucket=s3.bucket, Key=key, Body=key.encode())


def test_a_prefix_becomes_tasks_and_a_second_sync_adds_only_new_objects(
    db: Database,
    bucket_settings: Settings,
    s3: S3Server,
    owner_project: tuple[User, Project],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner, project = owner_project
    prefix = unique_prefix()
    keys = [f"{prefix}/images/{i:03d}.jpg" for i in range(25)]
    too_long = f"{prefix}/images/{'a' * 200}.jpg"  # longer than a task's id may be
    put_objects(s3, [*keys, f"{prefix}/images/", f"{prefix}/elsewhere/x.jpg", too_long])
    monkeypatch.setattr(bucket_sync, "PROGRESS_EVERY", 10)
    seen: list[int] = []
    url = f"s3://{s3.bucket}/{prefix}/images/"

    result = sync_prefix(db, bucket_settings, owner, project.id, url, "text", seen.append)

    assert result["created"] == 25 and result["duplicates"] == 0
    assert result["listed"] == 27  # the folder marker is listed, not made a task
    assert (result["left_out"], result["left_out_keys"]) == (1, [too_long])
    assert seen == [10, 20]  # every 10 objects listed, while listing
    tasks = tasks_of(db, project.id)
    assert sorted(tasks) == keys
    assert tasks[keys[0]] == f'{{"text":"s3://{s3.bucket}/{keys[0]}"}}'
    with db.read() as session:
        entry = session.get(Import, result["import_id"])
        assert entry is not None and entry.filename == url and entry.created == 25

    more = [f"{prefix}/images/1{i:02d}.jpg" for i in range(3)]
    put_objects(s3, more)
    again = sync_prefix(db, bucket_settings, owner, project.id, url, "text", seen.append)
    assert (again["created"], again["duplicates"]) == (3, 25)
    assert sorted(tasks_of(db, project.id)) == sorted([*keys, *more])


def test_a_cancelled_or_failed_listing_imports_nothing(
    db: Database,
    bucket_settings: Settings,
    s3: S3Server,
    owner_project: tuple[User, Project],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner, project = owner_project
    prefix = unique_prefix()
    put_objects(s3, [f"{prefix}/{i}.txt" for i in range(30)])
    monkeypatch.setattr(bucket_sync, "PROGRESS_EVERY", 10)

    class Cancelled(Exception):
        pass

    def cancel_at_20(done: int) -> None:
        if done >= 20:
            raise Cancelled

    url = f"s3://{s3.bucket}/{prefix}/"
    with pytest.raises(Cancelled):
        sync_prefix(db, bucket_settings, owner, project.id, url, "text", cancel_at_20)
    assert tasks_of(db, project.id) == {}
    with db.read() as session:
        states = session.scalars(select(Import.state).where(Import.project_id == project.id))
        assert list(states) == ["failed"]

    s3.stop()
    try:
        with pytest.raises(StorageUnavailable, match=s3.endpoint):
            sync_prefix(db, bucket_settings, owner, project.id, url, "text", lambda _: None)
    finally:
        s3.start()
    assert tasks_of(db, project.id) == {}


def test_refusals_name_what_to_fix(
    db: Database, bucket_settings: Settings, s3: S3Server, owner_project: tuple[User, Project]
) -> None:
    owner, project = owner_project
    prefix = unique_prefix()
    put_objects(s3, [f"{prefix}/1.jpg"])
    url = f"s3://{s3.bucket}/{prefix}/"

    def sync(target: str, field: str = "text", project_id: int = project.id) -> None:
        sync_prefix(db, bucket_settings, owner, project_id, target, field, lambda _: None)

    with pytest.raises(Invalid, match=r"no field 'image'.*its fields are text"):
        sync(url, "image")
    with pytest.raises(Invalid, match="nothing to sync: no objects under") as empty:
        sync(f"s3://{s3.bucket}/{prefix}/nothing-here/")
    assert empty.value.code == "empty_sync"
    with pytest.raises(Invalid, match="names no bucket"):
        sync("s3:///x")
    with pytest.raises(NotFound):
        sync(url, project_id=project.id + 1000)
    rich = make_project(db, owner, RICH)  # its other field, responses, is required
    with pytest.raises(Invalid, match="would be refused"):
        sync(url, project_id=rich.id)

    own = bucket_settings.model_copy(update={"storage_url": f"s3://{s3.bucket}/{prefix}"})
    with pytest.raises(Invalid, match="inside Accord's own storage"):
        sync_prefix(db, own, owner, project.id, url, "text", lambda _: None)
    assert tasks_of(db, project.id) == {}


def test_a_prefix_around_accords_storage_leaves_its_files_out(
    db: Database, bucket_settings: Settings, s3: S3Server, owner_project: tuple[User, Project]
) -> None:
    owner, project = owner_project
    top = unique_prefix()
    put_objects(
        s3, [f"{top}/accord/exports/1.jsonl", f"{top}/accord/media/a.jpg", f"{top}/pics/b.jpg"]
    )
    own = bucket_settings.model_copy(update={"storage_url": f"s3://{s3.bucket}/{top}/accord"})
    url = f"s3://{s3.bucket}/{top}/"
    result = sync_prefix(db, own, owner, project.id, url, "text", lambda _: None)
    assert sorted(tasks_of(db, project.id)) == [f"{top}/accord/media/a.jpg", f"{top}/pics/b.jpg"]
    assert (result["left_out"], result["left_out_keys"]) == (1, [f"{top}/accord/exports/1.jsonl"])


def test_a_local_media_folder(
    db: Database, settings: Settings, owner_project: tuple[User, Project]
) -> None:
    owner, project = owner_project
    root = settings.data_dir.resolve()
    folder = root / "media" / "scans"
    (folder / "2024").mkdir(parents=True)
    for name in ("a.png", "b.png", "2024/c.png"):
        (folder / name).write_bytes(b"png")

    def sync(target: str) -> dict[str, object]:
        return sync_prefix(db, settings, owner, project.id, target, "text", lambda _: None)

    result = sync("media/scans")
    assert result["created"] == 3
    tasks = tasks_of(db, project.id)
    assert sorted(tasks) == ["media/scans/2024/c.png", "media/scans/a.png", "media/scans/b.png"]
    assert (folder / "a.png").as_uri() in tasks["media/scans/a.png"]
    (folder / "d.png").write_bytes(b"png")
    again = sync(folder.as_uri())  # the same folder, as a file:// URL
    assert (again["created"], again["duplicates"]) == (1, 3)
    assert sync(str(root / "media"))["duplicates"] == 4  # the whole media folder, by path

    for outside in ("", ".", "imports", str(root), "media/../imports", "/etc", "file:///etc"):
        with pytest.raises(Invalid, match="media area"):
            sync(outside)


def test_local_folders_need_local_storage(
    db: Database, bucket_settings: Settings, owner_project: tuple[User, Project], tmp_path: Path
) -> None:
    owner, project = owner_project
    remote = bucket_settings.model_copy(update={"storage_url": "s3://somewhere/accord"})
    with pytest.raises(Invalid, match="local folders need local storage"):
        sync_prefix(db, remote, owner, project.id, "media/x", "text", lambda _: None)
