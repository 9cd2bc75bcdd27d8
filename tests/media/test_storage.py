"""The storage contract, run against the local folder and a real S3-compatible server (moto in
a process of its own): streaming multipart writes, atomicity, ranges, paginated listings, key
validation, missing objects, and an unreachable bucket."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from accord.errors import Invalid, StorageMissing, StorageUnavailable
from accord.media.s3 import PART_SIZE, S3Storage
from accord.media.storage import TEMP_PREFIX, LocalStorage, Storage, open_storage
from accord.settings import Settings
from tests.s3 import S3Server, unique_prefix

MiB = 1024 * 1024
PAGE = 7  # keys per listing request on S3 here, so that a listing takes several


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "store")
    server: S3Server = request.getfixturevalue("s3")
    client = server.client(connect_timeout=1, read_timeout=5, attempts=2)
    return S3Storage(server.bucket, unique_prefix(), server.endpoint, client=client, page_size=PAGE)


def blocks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    """``total`` bytes of a repeatable pattern, in blocks of ``size``."""
    pattern = bytes(i % 251 for i in range(251)) * (size // 251 + 2)
    sent = 0
    while sent < total:
        n = min(size, total - sent)
        offset = sent % 251
        yield pattern[offset : offset + n]
        sent += n


def digest_of(storage: Storage, key: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with storage.open(key) as file:
        while chunk := file.read(MiB):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def test_bytes_round_trip(storage: Storage) -> None:
    storage.write_bytes("a/b/hello.txt", b"hello world")
    assert storage.exists("a/b/hello.txt")
    assert storage.size("a/b/hello.txt") == 11
    with storage.open("a/b/hello.txt") as file:
        assert file.read(5) == b"hello"
        assert file.read() == b" world"
    storage.write_bytes("a/b/hello.txt", b"replaced")  # an overwrite replaces it whole
    assert b"".join(storage.read_range("a/b/hello.txt", 0, None)) == b"replaced"
    storage.delete("a/b/hello.txt")
    assert not storage.exists("a/b/hello.txt")
    storage.delete("a/b/hello.txt")  # absent: no error
    storage.write_bytes("empty", b"")
    assert storage.size("empty") == 0
    assert b"".join(storage.read_range("empty", 0, None)) == b""


def test_streaming_write_of_several_parts(storage: Storage) -> None:
    total = PART_SIZE + 3 * MiB + 17  # two parts on S3, the second shorter
    expected = hashlib.sha256()
    with storage.writer("big/object.bin") as file:
        for block in blocks(total):
            expected.update(block)
            file.write(block)
        assert not storage.exists("big/object.bin"), "visible before the write finished"
    assert digest_of(storage, "big/object.bin") == (total, expected.hexdigest())
    assert storage.size("big/object.bin") == total
    if isinstance(storage, S3Storage):  # it went up as a multipart upload of two parts
        head = storage.client.head_object(
            Bucket=storage.bucket, Key=storage.full_key("big/object.bin")
        )
        assert head["ETag"].strip('"').endswith("-2")


@pytest.mark.parametrize("total", [1000, PART_SIZE + MiB], ids=["small", "multipart"])
def test_a_failed_write_leaves_nothing(storage: Storage, total: int) -> None:
    storage.write_bytes("kept.bin", b"the old content")

    for key in ("new.bin", "kept.bin"):
        with pytest.raises(RuntimeError, match="broke"), storage.writer(key) as file:
            for block in blocks(total):
                file.write(block)
            raise RuntimeError("the export broke")

    assert not storage.exists("new.bin")
    assert b"".join(storage.read_range("kept.bin", 0, None)) == b"the old content"
    assert [o.key for o in storage.list("")] == ["kept.bin"]
    if isinstance(storage, LocalStorage):
        assert not [p for p in storage.root.rglob("*") if p.name.startswith(TEMP_PREFIX)]
    else:
        assert isinstance(storage, S3Storage)
        pending = storage.client.list_multipart_uploads(
            Bucket=storage.bucket, Prefix=storage.prefix
        )
        assert pending.get("Uploads", []) == [], "the parts sent were not aborted"


def test_ranges(storage: Storage) -> None:
    data = bytes(range(256)) * 4096  # 1 MiB: several read chunks
    storage.write_bytes("r.bin", data)
    cases = [(0, 10), (5, 6), (1000, None), (0, None), (len(data) - 3, None), (300_000, 900_001)]
    for start, end in cases:
        got = b"".join(storage.read_range("r.bin", start, end))
        assert got == data[start:end], (start, end)
    assert b"".join(storage.read_range("r.bin", 7, 7)) == b""


def test_list_pages_and_prefixes(storage: Storage) -> None:
    names = [f"set/{i:03d}.txt" for i in range(3 * PAGE + 4)]
    for i, name in enumerate(names):
        storage.write_bytes(name, b"x" * i)
    storage.write_bytes("set/sub/deep.txt", b"deep")
    storage.write_bytes("settings.json", b"{}")
    storage.write_bytes("other/1.txt", b"1")

    listed = list(storage.list("set/"))
    assert sorted(o.key for o in listed) == sorted([*names, "set/sub/deep.txt"])
    sizes = {o.key: o.size for o in listed}
    assert all(sizes[name] == i for i, name in enumerate(names))
    assert all(o.modified.tzinfo is not None for o in listed)
    # a prefix is the beginning of keys, not only a folder (as on S3)
    assert sorted(o.key for o in storage.list("set")) == sorted(
        [*names, "set/sub/deep.txt", "settings.json"]
    )
    assert [o.key for o in storage.list("set/00")] == [f"set/00{i}.txt" for i in range(10)]
    assert len(list(storage.list(""))) == len(names) + 3
    assert list(storage.list("nothing/")) == []


BAD_KEYS = [
    "",
    "../outside",
    "a/../../etc/passwd",
    "/etc/passwd",
    "a//b",
    "a/./b",
    "a\\..\\b",
    "nul\x00byte",
    "line\nbreak",
    "trailing/",
    "x" * 1100,
]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_keys_are_checked(storage: Storage, key: str) -> None:
    calls = [
        lambda: storage.write_bytes(key, b"x"),
        lambda: storage.writer(key).__enter__(),
        lambda: storage.open(key),
        lambda: storage.read_range(key, 0, None),
        lambda: storage.size(key),
        lambda: storage.exists(key),
        lambda: storage.delete(key),
        lambda: storage.presigned_url(key, 60),
    ]
    for call in calls:
        with pytest.raises(Invalid) as refused:
            call()
        assert refused.value.code == "invalid_key"
    with pytest.raises(Invalid):
        list(storage.list("../"))


def test_a_local_key_cannot_leave_the_root_by_a_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    storage = LocalStorage(tmp_path / "store")
    storage.root.mkdir()
    (storage.root / "link").symlink_to(outside)
    with pytest.raises(Invalid, match="leads out of the storage folder"):
        storage.open("link/secret.txt")
    with pytest.raises(Invalid):
        storage.write_bytes("link/new.txt", b"x")
    assert not (outside / "new.txt").exists()
    assert list(storage.list("")) == []  # links are not followed by listings either


def test_missing_objects(storage: Storage) -> None:
    for call in (
        lambda: storage.open("absent/file.bin"),
        lambda: storage.size("absent/file.bin"),
        lambda: storage.read_range("absent/file.bin", 0, 10),
    ):
        with pytest.raises(StorageMissing) as missing:
            call()
        assert missing.value.status == 404
        assert missing.value.code == "file_missing"
        assert "absent/file.bin" in missing.value.message
        assert storage.description in missing.value.message
    assert not storage.exists("absent/file.bin")


def test_an_unreachable_bucket_fails_fast_and_clearly(s3: S3Server) -> None:
    client = s3.client(connect_timeout=1, read_timeout=2, attempts=2)
    storage = S3Storage(s3.bucket, unique_prefix(), s3.endpoint, client=client)
    storage.write_bytes("before.txt", b"before")
    s3.stop()
    try:
        for call in (
            lambda: storage.write_bytes("during.txt", b"x"),
            lambda: storage.size("before.txt"),
            lambda: list(storage.list("")),
        ):
            started = time.monotonic()
            with pytest.raises(StorageUnavailable) as down:
                call()
            assert time.monotonic() - started < 10
            error = down.value
            assert error.status == 503 and error.code == "storage_unavailable"
            assert s3.endpoint in error.message and storage.description in error.message
            assert "check that the server is up" in error.message
    finally:
        s3.start()  # moto keeps nothing: the bucket comes back empty
    storage.write_bytes("after.txt", b"after")
    assert b"".join(storage.read_range("after.txt", 0, None)) == b"after"


def test_a_bucket_frozen_mid_upload_leaves_nothing_half_written(s3: S3Server) -> None:
    """The server stops answering while a multipart write is under way: the write fails in
    seconds, the object under that key keeps its old content, and work goes on afterwards."""
    client = s3.client(connect_timeout=1, read_timeout=1, attempts=2)
    storage = S3Storage(s3.bucket, unique_prefix(), s3.endpoint, client=client)
    storage.write_bytes("report.bin", b"version 1")
    started = 0.0
    with pytest.raises(StorageUnavailable), storage.writer("report.bin") as file:
        for i, block in enumerate(blocks(3 * PART_SIZE, MiB)):
            if i == PART_SIZE // MiB + 1:  # one part is up: the bucket stops answering
                s3.pause()
                started = time.monotonic()
            file.write(block)
    assert time.monotonic() - started < 15
    s3.resume()
    assert b"".join(storage.read_range("report.bin", 0, None)) == b"version 1"
    storage.write_bytes("report.bin", b"version 2")
    assert b"".join(storage.read_range("report.bin", 0, None)) == b"version 2"


def test_a_missing_bucket_says_what_to_do(s3: S3Server) -> None:
    client = s3.client(connect_timeout=1, read_timeout=2, attempts=1)
    storage = S3Storage("no-such-bucket", "", s3.endpoint, client=client)
    with pytest.raises(StorageUnavailable, match="'no-such-bucket' does not exist; create it"):
        storage.write_bytes("x", b"x")


def test_open_storage_from_settings(tmp_path: Path, s3: S3Server) -> None:
    local = open_storage(Settings(data_dir=tmp_path / "data"))
    assert isinstance(local, LocalStorage) and local.root == (tmp_path / "data").resolve()
    folder = open_storage(Settings(storage_url=(tmp_path / "files").as_uri()))
    assert isinstance(folder, LocalStorage) and folder.description == (tmp_path / "files").as_uri()
    bucket = open_storage(
        Settings(storage_url=f"s3://{s3.bucket}/some/prefix/", s3_endpoint_url=s3.endpoint)
    )
    assert isinstance(bucket, S3Storage)
    assert (bucket.bucket, bucket.prefix, bucket.description) == (
        s3.bucket,
        "some/prefix",
        f"s3://{s3.bucket}/some/prefix",
    )
    bucket.write_bytes("k.txt", b"through the settings")
    assert [o.key for o in bucket.list("")] == ["k.txt"]
    raw = s3.client().get_object(Bucket=s3.bucket, Key="some/prefix/k.txt")
    assert raw["Body"].read() == b"through the settings"
    with pytest.raises(ValidationError, match="ACCORD_STORAGE_URL must be"):
        Settings(storage_url="/srv/files")
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
