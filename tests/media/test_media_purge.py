"""Deleting by prefix (`Storage.delete_prefix`) on the local folder and a real S3-compatible
server (moto), and the purge of a deleted project's stored media (uploads, thumbnails,
browser copies) by `accord.jobs.purge.purge_all`."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.actions.projects import do_delete_project
from accord.actions.purge import MEDIA_PREFIXES
from accord.db import Database
from accord.errors import Invalid, StorageUnavailable
from accord.jobs.purge import purge_all
from accord.media.s3 import S3Storage
from accord.media.storage import LocalStorage, Storage
from accord.models import Project
from tests.factories import make_project, make_user
from tests.s3 import S3Server, unique_prefix

PAGE = 3  # keys per listing request on S3 here, so that a deletion takes several


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "store")
    server: S3Server = request.getfixturevalue("s3")
    client = server.client(connect_timeout=1, read_timeout=5, attempts=2)
    return S3Storage(server.bucket, unique_prefix(), server.endpoint, client=client, page_size=PAGE)


def keys(storage: Storage) -> list[str]:
    return sorted(item.key for item in storage.list(""))


def test_delete_prefix_removes_the_folder_only(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside = [f"media/projects/3/{name}" for name in ("a.jpg", "b/c.png", "b/d/e.png")]
    inside += [f"media/projects/3/many/{i}.png" for i in range(7)]
    outside = ["media/projects/31/a.jpg", "media/projects/3.jpg", "exports/3/x.jsonl"]
    for key in inside + outside:
        storage.write_bytes(key, key.encode())
    if isinstance(storage, S3Storage):
        monkeypatch.setattr("accord.media.s3.DELETE_BATCH", 4)  # several delete_objects calls
    assert storage.delete_prefix("media/projects/3/") == len(inside)
    assert keys(storage) == sorted(outside)
    assert storage.delete_prefix("media/projects/3/") == 0  # again: nothing left, no error
    assert storage.delete_prefix("media/projects/404/") == 0
    if isinstance(storage, LocalStorage):
        assert not (storage.root / "media/projects/3").exists()  # its emptied folders too
        assert (storage.root / "media/projects/31").is_dir()


@pytest.mark.parametrize("prefix", ["media/projects/3", "", "../x/", "media//"])
def test_delete_prefix_wants_a_folder(storage: Storage, prefix: str) -> None:
    storage.write_bytes("media/projects/31/a.jpg", b"x")
    with pytest.raises(Invalid):
        storage.delete_prefix(prefix)
    assert keys(storage) == ["media/projects/31/a.jpg"]


def test_purge_removes_a_deleted_projects_media(storage: Storage, db: Database) -> None:
    owner, _ = make_user(db, "lead@example.com")
    doomed = make_project(db, owner)
    kept = make_project(db, owner)
    for project_id in (doomed.id, kept.id):
        for prefix in MEDIA_PREFIXES:
            storage.write_bytes(prefix.format(id=project_id) + "x/a.png", b"png")
    with db.write() as session:
        do_delete_project(session, owner, session.get(Project, doomed.id))
    assert purge_all(db, storage=lambda: storage) == 1
    assert keys(storage) == sorted(p.format(id=kept.id) + "x/a.png" for p in MEDIA_PREFIXES)
    with db.read() as session:
        assert session.get(Project, doomed.id) is None
        assert session.get(Project, kept.id) is not None


def test_a_failing_storage_keeps_the_project_for_later(db: Database, tmp_path: Path) -> None:
    owner, _ = make_user(db, "lead@example.com")
    doomed = make_project(db, owner)
    local = LocalStorage(tmp_path / "store")
    local.write_bytes(f"media/projects/{doomed.id}/a.png", b"png")
    with db.write() as session:
        do_delete_project(session, owner, session.get(Project, doomed.id))

    def away() -> Storage:
        raise StorageUnavailable("the bucket is away")

    assert purge_all(db, storage=away) == 0
    with db.read() as session:
        assert session.get(Project, doomed.id) is not None  # rows kept until the media go
    assert purge_all(db, storage=lambda: local) == 1
    assert keys(local) == []
