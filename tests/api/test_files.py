"""Signed links to stored files (local storage): served with ranges and HEAD to whoever holds
the link; an expired, altered or foreign link is refused; a link cannot be widened."""

from __future__ import annotations

import base64
import time

import orjson
import pytest
from fastapi.testclient import TestClient

from accord.actions.secrets import instance_secret
from accord.db import Database
from accord.errors import Invalid
from accord.media.files import FILES_PATH, sign_file, verify_file
from accord.media.storage import LocalStorage, open_storage
from accord.models import InstanceSecret
from accord.settings import Settings

DATA = bytes(range(256)) * 2000  # 512,000 bytes: several chunks when streamed
KEY = "exports/7/tasks.jsonl"


@pytest.fixture
def storage(settings: Settings) -> LocalStorage:
    store = open_storage(settings)
    assert isinstance(store, LocalStorage)
    store.write_bytes(KEY, DATA)
    store.write_bytes("exports/8/other.jsonl", b"another project's export")
    return store


def link(db: Database, storage: LocalStorage, key: str = KEY, **options: object) -> str:
    from accord.api.files import file_url

    url = file_url(storage, instance_secret(db), key, 60, **options)  # type: ignore[arg-type]
    assert url.startswith(FILES_PATH)
    return url


def test_a_link_serves_the_file_without_signing_in(
    client: TestClient, db: Database, storage: LocalStorage
) -> None:
    answer = client.get(link(db, storage, filename="tasks of project 7.jsonl"))
    assert answer.status_code == 200
    assert answer.content == DATA
    assert answer.headers["accept-ranges"] == "bytes"
    assert answer.headers["content-length"] == str(len(DATA))
    assert answer.headers["content-type"] == "application/x-ndjson"
    assert answer.headers["content-disposition"] == (
        'attachment; filename="tasks of project 7.jsonl"; '
        "filename*=UTF-8''tasks%20of%20project%207.jsonl"
    )
    assert "sandbox" in answer.headers.get_list("content-security-policy")[0]
    plain = client.get(link(db, storage))  # no file name: no download header
    assert plain.status_code == 200 and "content-disposition" not in plain.headers


def test_files_that_could_run_are_sent_as_octets(
    client: TestClient, db: Database, storage: LocalStorage
) -> None:
    storage.write_bytes("media/page.html", b"<script>alert(1)</script>")
    storage.write_bytes("media/logo.svg", b"<svg onload='alert(1)'/>")
    storage.write_bytes("media/cat.png", b"\x89PNG")
    for key, expected in (
        ("media/page.html", "application/octet-stream"),
        ("media/logo.svg", "application/octet-stream"),
        ("media/cat.png", "image/png"),
    ):
        answer = client.get(link(db, storage, key))
        assert answer.status_code == 200
        assert answer.headers["content-type"] == expected, key
        assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 100),
        ("bytes=100-", 100, len(DATA)),
        ("bytes=-500", len(DATA) - 500, len(DATA)),
        ("bytes=-999999999", 0, len(DATA)),  # a suffix longer than the file: all of it
        ("bytes=500000-999999999", 500_000, len(DATA)),  # an end past the file is cut
        ("bytes=511999-511999", 511_999, 512_000),
    ],
)
def test_ranges(
    client: TestClient, db: Database, storage: LocalStorage, header: str, start: int, end: int
) -> None:
    answer = client.get(link(db, storage), headers={"Range": header})
    assert answer.status_code == 206
    assert answer.content == DATA[start:end]
    assert answer.headers["content-range"] == f"bytes {start}-{end - 1}/{len(DATA)}"
    assert answer.headers["content-length"] == str(end - start)


@pytest.mark.parametrize("header", ["bytes=512000-", "bytes=600000-700000", "bytes=-0"])
def test_a_range_outside_the_file_is_416(
    client: TestClient, db: Database, storage: LocalStorage, header: str
) -> None:
    answer = client.get(link(db, storage), headers={"Range": header})
    assert answer.status_code == 416
    assert answer.headers["content-range"] == f"bytes */{len(DATA)}"
    error = answer.json()["error"]
    assert error["code"] == "range_not_satisfiable"
    assert "512000 bytes" in error["message"]


@pytest.mark.parametrize(
    "header", ["bytes=0-1,5-9", "bytes=9-2", "items=0-5", "bytes=abc", "bytes=-"]
)
def test_ranges_it_does_not_serve_get_the_whole_file(
    client: TestClient, db: Database, storage: LocalStorage, header: str
) -> None:
    answer = client.get(link(db, storage), headers={"Range": header})
    assert answer.status_code == 200
    assert answer.content == DATA


def test_if_range_gets_the_whole_file(
    client: TestClient, db: Database, storage: LocalStorage
) -> None:
    answer = client.get(link(db, storage), headers={"Range": "bytes=0-9", "If-Range": '"x"'})
    assert answer.status_code == 200 and answer.content == DATA


def test_head(client: TestClient, db: Database, storage: LocalStorage) -> None:
    url = link(db, storage, filename="t.jsonl")
    whole = client.head(url)
    assert whole.status_code == 200
    assert whole.content == b""
    assert whole.headers["content-length"] == str(len(DATA))
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-disposition"].startswith("attachment;")
    part = client.head(url, headers={"Range": "bytes=-500"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes {len(DATA) - 500}-{len(DATA) - 1}/{len(DATA)}"
    assert part.headers["content-length"] == "500"
    assert client.head(url, headers={"Range": "bytes=999999-"}).status_code == 416


def test_an_expired_link_is_refused(
    client: TestClient, db: Database, storage: LocalStorage
) -> None:
    from accord.api.files import file_url

    secret = instance_secret(db)
    stale = file_url(storage, secret, KEY, 60, now=time.time() - 61)
    answer = client.get(stale)
    assert answer.status_code == 403
    error = answer.json()["error"]
    assert error["code"] == "link_expired"
    assert "expired" in error["message"] and "get a new link" in error["message"]
    fresh = file_url(storage, secret, KEY, 60, now=time.time() - 55)
    assert client.get(fresh).status_code == 200


def _parts(url: str) -> tuple[dict[str, object], str]:
    payload, signature = url.removeprefix(FILES_PATH).split(".")
    return orjson.loads(base64.urlsafe_b64decode(payload + "==")), signature


def _encode(fields: dict[str, object], signature: str) -> str:
    payload = base64.urlsafe_b64encode(orjson.dumps(fields)).rstrip(b"=").decode()
    return f"{FILES_PATH}{payload}.{signature}"


def test_a_link_cannot_be_widened_or_altered(
    client: TestClient, db: Database, storage: LocalStorage
) -> None:
    url = link(db, storage)
    fields, signature = _parts(url)
    forged = [
        _encode({**fields, "k": "exports/8/other.jsonl"}, signature),  # another file
        _encode({**fields, "k": "exports/"}, signature),  # a folder
        _encode({**fields, "k": "accord.db"}, signature),  # the database beside the files
        _encode({**fields, "e": int(str(fields["e"])) + 3600}, signature),  # a later expiry
        _encode({**fields, "f": "x.html"}, signature),  # another name
        url[:-2] + ("AA" if not url.endswith("AA") else "BB"),  # a damaged signature
        url.split(".")[0],  # no signature
        FILES_PATH + "not-a-token",
    ]
    for bad in forged:
        answer = client.get(bad)
        assert answer.status_code == 403, bad
        error = answer.json()["error"]
        assert error["code"] == "link_invalid"
        assert "only for the file and the time it was made for" in error["message"]
    other = sign_file(b"\x00" * 32, KEY, int(time.time()) + 60)  # another instance's secret
    assert client.get(FILES_PATH + other).status_code == 403
    assert client.get(url).status_code == 200  # the genuine link still works


def test_no_link_is_made_for_a_key_outside_the_storage(db: Database, storage: LocalStorage) -> None:
    for key in ("../accord.db", "/etc/passwd", "exports/../../x", "a//b"):
        with pytest.raises(Invalid):
            link(db, storage, key)


def test_a_file_removed_after_its_link_was_made_is_404(
    client: TestClient, db: Database, storage: LocalStorage
) -> None:
    url = link(db, storage)
    storage.delete(KEY)
    answer = client.get(url)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "file_missing"


def test_the_secret_is_made_once_and_shared_by_every_process(
    db: Database, settings: Settings, storage: LocalStorage
) -> None:
    first = instance_secret(db)
    assert len(first) == 32
    other_process = Database(settings.resolved_database_url())  # its own memory, same rows
    try:
        assert instance_secret(other_process) == first
        token = link(db, storage).removeprefix(FILES_PATH)
        assert verify_file(instance_secret(other_process), token).key == KEY
    finally:
        other_process.dispose()
    with db.read() as session:
        assert session.query(InstanceSecret).count() == 1
