"""Syncing a bucket prefix (or a folder of the local storage's ``media/``) as tasks.

Each object under the prefix becomes one task ``{field: "s3://bucket/key"}`` (local:
``{field: "file:///.../media/key"}``) whose external id is the key, through the same import as
a file (`accord.actions.imports.run_import`): keys the project already has are duplicates, so
syncing again adds only the new objects, and a sync that fails or is cancelled before its
commit point adds nothing. The listing streams page by page into the import, in constant memory.

The tasks keep the URL; it is signed whenever a task is read (`accord.media.links`). A bucket
that tasks may not use (``ACCORD_MEDIA_BUCKETS``, `accord.media.links.bucket_refusal`) is
refused before anything is listed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from accord.actions.imports import ImportOptions, run_import
from accord.db import Database
from accord.errors import Invalid, NotFound
from accord.formats.task_rows import MAX_EXTERNAL_ID
from accord.media.links import (
    MEDIA,
    SETTING,
    bucket_media_allowed,
    bucket_refusal,
    local_media_key,
)
from accord.media.storage import LocalStorage, Storage, StoredObject, storage_location
from accord.models import Project, User
from accord.queries.projects import interface_of
from accord.settings import Settings

PROGRESS_EVERY = 1000  # objects listed between two progress reports
MAX_LISTED = 100  # keys named in the result for each reason they were left out

Progress = Callable[[int], None]


def sync_prefix(
    db: Database,
    storage_settings: Settings,
    user: User,
    project_id: int,
    url: str,
    field: str,
    progress: Progress,
) -> dict[str, Any]:
    """Create a task per object under ``url`` (``s3://bucket/prefix``, or a folder inside the
    local storage's ``media/``: a ``file://`` URL, an absolute path, or a path from the
    storage root) with the object's URL in ``field``; the import's report, plus what was
    listed and left out. ``progress(done)`` is called as objects are listed (it may raise to
    cancel: then nothing is imported).

    The caller has checked that ``user`` manages the project."""
    _check_field(db, project_id, field)
    source, prefix, to_url, allowed = _location(storage_settings, url)
    listing = _Listing(source.list(prefix), to_url, allowed, field, progress)
    if not listing.has_rows():
        raise Invalid(
            f"nothing to sync: no objects under {url}"
            + (f" ({listing.left_out} could not be tasks)" if listing.left_out else ""),
            details={"url": url},
            code="empty_sync",
        )
    options = ImportOptions(
        staging_dir=storage_settings.data_dir / "imports",
        max_result_bytes=storage_settings.max_result_bytes,
        max_row_bytes=storage_settings.max_row_bytes,
    )
    # From its commit point on, the import finishes whatever happens: progress is not asked
    # again (a cancel then would report as cancelled a sync that added its tasks).
    report = run_import(db, user, project_id, listing, "jsonl", options, filename=url[:300])
    return {
        "url": url,
        "field": field,
        "listed": listing.listed,
        "import_id": report.import_id,
        "created": report.created,
        "duplicates": report.duplicates,
        "duplicate_ids": report.duplicate_ids,
        "left_out": listing.left_out,
        "left_out_keys": listing.left_out_keys,
    }


def _check_field(db: Database, project_id: int, field: str) -> None:
    """Refuse at once a sync whose rows the project could not take (rather than a report of
    as many bad rows as there are objects)."""
    with db.read() as session:
        project = session.get(Project, project_id)
        if project is None or project.deleted_at is not None:
            raise NotFound(f"no project {project_id}, or you are not a member of it")
        interface = interface_of(project)
    names = ", ".join(f.name for f in interface.fields)
    if interface.field(field) is None:
        raise Invalid(
            f"the project has no field {field!r} to put the objects' URLs in; its fields are "
            f"{names}",
            details={"field": "field"},
        )
    problem = interface.row_check()({field: "s3://bucket/key"})
    if problem is not None:
        name, message = problem
        raise Invalid(
            f"a task made of {field!r} alone would be refused ({name}: {message}); sync into "
            "a project whose other fields are optional, or whose field takes a text",
            details={"field": "field"},
        )


Location = tuple[Storage, str, Callable[[str], str], Callable[[str], bool]]


def _location(settings: Settings, url: str) -> Location:
    """What to list, the prefix to list, how a listed key becomes the task's URL, and which
    keys may become tasks."""
    if url.startswith("s3://"):
        bucket, _, prefix = url[len("s3://") :].partition("/")
        if not bucket:
            raise Invalid(
                f"{url!r} names no bucket: give s3://bucket/prefix", details={"field": "url"}
            )
        reason = _prefix_refusal(settings, bucket, prefix)
        if reason is not None:
            raise Invalid(
                f"cannot sync {url}: {reason}",
                details={"field": "url", "setting": SETTING},
                code="bucket_not_allowed",
            )
        from accord.media.s3 import S3Storage, shared_client  # boto3 only when needed

        client = shared_client(settings.s3_endpoint_url)
        storage = S3Storage(bucket, "", settings.s3_endpoint_url, client=client)
        return (
            storage,
            prefix,
            lambda key: f"s3://{bucket}/{key}",
            # a prefix around Accord's own storage (s3://bucket/ when it is s3://bucket/accord)
            lambda key: bucket_media_allowed(settings, bucket, key),
        )
    key = local_media_key(settings, url, folder=True)
    if key is None:
        scheme, root, _ = storage_location(settings)
        raise Invalid(
            f"cannot sync {url!r}: give s3://bucket/prefix, or a folder inside "
            f"{Path(root) / MEDIA} (the local storage's media area)"
            + ("" if scheme == "file" else "; local folders need local storage"),
            details={"field": "url"},
        )
    local = LocalStorage(Path(storage_location(settings)[1]))
    return local, key + "/", lambda name: (local.root / name).as_uri(), lambda name: True


def _prefix_refusal(settings: Settings, bucket: str, prefix: str) -> str | None:
    """Why the objects under ``s3://bucket/prefix`` may not become tasks (None: they may;
    single keys inside Accord's own files are then left out as they are listed)."""
    own = storage_location(settings)
    if own[0] == "s3" and bucket == own[1]:
        if bucket_media_allowed(settings, bucket, prefix or "/"):
            return None
        return (
            "it is inside Accord's own storage, which holds every project's files; sync media "
            f"from another bucket or prefix, or from the storage's {MEDIA} area"
        )
    return bucket_refusal(settings, bucket, prefix or "/")


class _Listing:
    """The listing as JSONL import rows, read by the import like a file."""

    def __init__(
        self,
        objects: Iterator[StoredObject],
        to_url: Callable[[str], str],
        allowed: Callable[[str], bool],
        field: str,
        progress: Progress,
    ) -> None:
        self._objects = objects
        self._to_url = to_url
        self._allowed = allowed
        self._field = field
        self._progress = progress
        self._buffer = bytearray()
        self._ended = False
        self.listed = 0
        self.left_out = 0  # keys longer than an id may be, or inside Accord's own files
        self.left_out_keys: list[str] = []

    def has_rows(self) -> bool:
        """Whether the listing yields at least one row (reads ahead as far as the first)."""
        while not self._buffer and not self._ended:
            self._fill()
        return bool(self._buffer)

    def _fill(self) -> None:
        item = next(self._objects, None)
        if item is None:
            self._ended = True
            return
        self.listed += 1
        if self.listed % PROGRESS_EVERY == 0:
            self._progress(self.listed)
        if item.key.endswith("/"):
            return  # a folder marker, not an object
        if len(item.key) > MAX_EXTERNAL_ID or not self._allowed(item.key):
            self.left_out += 1
            if len(self.left_out_keys) < MAX_LISTED:
                self.left_out_keys.append(item.key)
            return
        row = {"id": item.key, self._field: self._to_url(item.key)}
        self._buffer += orjson.dumps(row) + b"\n"

    def read(self, size: int = -1, /) -> bytes:
        while not self._ended and (size < 0 or len(self._buffer) < size):
            self._fill()
        if size < 0 or size >= len(self._buffer):
            data = bytes(self._buffer)
            self._buffer.clear()
            return data
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data
