"""Where Accord keeps files: a local folder (the default: the data directory) or an
S3-compatible bucket (``ACCORD_STORAGE_URL=s3://bucket/prefix``), behind one interface.

Keys are '/'-separated relative paths (``exports/12/tasks.jsonl``). A key is never trusted:
`check_key` refuses ``..``, ``.``, absolute paths, backslashes, control characters and empty
segments, and a local key must resolve inside the root (a symbolic link out of it is refused).

Writes are all-or-nothing: `Storage.writer` streams into a temporary file (local, then
``os.replace``) or a multipart upload (S3, parts of 8 MiB, aborted on error), so a reader sees
either the whole object or none. Errors are `accord.errors.StorageMissing` (404) and
`accord.errors.StorageUnavailable` (503, naming the storage and what to check).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit

from accord.errors import Invalid, StorageMissing, StorageUnavailable
from accord.settings import Settings

CHUNK = 256 * 1024  # bytes read at a time by `read_range`
MAX_KEY_BYTES = 1024  # S3's limit, kept for local keys too
TEMP_PREFIX = ".accord-partial-"  # a local write in progress; never listed


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    modified: dt.datetime


class Storage(Protocol):
    """A place for files, addressed by key (see the module)."""

    description: str  # the storage's URL, for messages: file:///srv/accord/data, s3://b/p

    def writer(self, key: str) -> AbstractContextManager[BinaryIO]:
        """A file to write ``key`` into; the object appears only when the block exits
        without an error (else nothing is left)."""
        ...

    def write_bytes(self, key: str, data: bytes) -> None: ...

    def open(self, key: str) -> BinaryIO:
        """The object for reading (``read(n)``); not necessarily seekable."""
        ...

    def read_range(self, key: str, start: int, end: int | None) -> Iterator[bytes]:
        """Bytes ``start`` (inclusive) to ``end`` (exclusive; None: the end), in chunks."""
        ...

    def size(self, key: str) -> int:
        """The object's size in bytes; `StorageMissing` if there is none."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the object (nothing happens if there is none)."""
        ...

    def list(self, prefix: str) -> Iterator[StoredObject]:
        """The objects whose key starts with ``prefix`` ("" for all)."""
        ...

    def delete_prefix(self, prefix: str) -> int:
        """Remove every object whose key starts with ``prefix`` (a folder: it must end with
        '/'); how many went. Running it again removes what is left (nothing, once done)."""
        ...

    def presigned_url(self, key: str, seconds: int, filename: str | None = None) -> str | None:
        """A URL a browser can GET the object from for ``seconds`` (S3); None where Accord
        serves the file itself (local: see `accord.media.files`)."""
        ...


def bad_key(key: str, why: str) -> Invalid:
    return Invalid(
        f"the file key {key!r} is not allowed: {why}. A key is a relative path of "
        "'/'-separated names, without '..', '.', backslashes or empty parts",
        details={"key": key},
        code="invalid_key",
    )


def check_key(key: str) -> str:
    """``key`` if it is a safe relative key (see the module); else `Invalid`."""
    if not isinstance(key, str) or not key:
        raise bad_key(str(key), "it is empty")
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise bad_key(key[:64] + "…", f"it is longer than {MAX_KEY_BYTES} bytes")
    if key.startswith("/"):
        raise bad_key(key, "it is an absolute path")
    if "\\" in key:
        raise bad_key(key, "it holds a backslash")
    if any(ord(c) < 32 or ord(c) == 127 for c in key):
        raise bad_key(key, "it holds a control character")
    for part in key.split("/"):
        if part in ("", ".", ".."):
            raise bad_key(key, "it has an empty, '.' or '..' part")
    return key


def check_prefix(prefix: str) -> str:
    """A listing prefix: "" (everything), or a key's beginning (may end with '/')."""
    if prefix == "":
        return prefix
    check_key(prefix[:-1] if prefix.endswith("/") else prefix)
    return prefix


def missing(storage: Storage, key: str) -> StorageMissing:
    return StorageMissing(
        f"no file {key!r} in the storage {storage.description}: it was deleted, or never "
        "finished writing; make it again (run the export or import again)",
        details={"key": key, "storage": storage.description},
    )


class LocalStorage:
    """Files in a folder of this machine (every server and worker must see the same one)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.description = self.root.as_uri()

    def path(self, key: str) -> Path:
        """Where ``key`` lives; refused unless it resolves inside the root."""
        check_key(key)
        path = (self.root / key).resolve()
        if path == self.root or not path.is_relative_to(self.root):
            raise bad_key(key, "it leads out of the storage folder")
        return path

    @contextmanager
    def _failing(self, what: str, key: str) -> Iterator[None]:
        try:
            yield
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise missing(self, key) from None
        except OSError as exc:
            raise StorageUnavailable(
                f"could not {what} {key!r} in the storage {self.description}: "
                f"{exc.strerror or exc}; check that the folder exists, is writable by the "
                "server, and has free space",
                details={"key": key, "storage": self.description, "errno": exc.errno},
            ) from exc

    @contextmanager
    def writer(self, key: str) -> Iterator[BinaryIO]:
        path = self.path(key)
        with self._failing("write", key):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
        done = False
        try:
            with os.fdopen(fd, "wb") as file:
                yield file
                with self._failing("write", key):
                    file.flush()
                    os.fsync(file.fileno())
            with self._failing("write", key):
                os.replace(temp, path)
                _sync_folder(path.parent)
            done = True
        finally:
            if not done:
                Path(temp).unlink(missing_ok=True)

    def write_bytes(self, key: str, data: bytes) -> None:
        with self.writer(key) as file:
            file.write(data)

    def open(self, key: str) -> BinaryIO:
        path = self.path(key)
        with self._failing("read", key):
            return path.open("rb")

    def read_range(self, key: str, start: int, end: int | None) -> Iterator[bytes]:
        file = self.open(key)  # opened now: a missing file fails here, not when iterated
        return self._chunks(file, key, start, end)

    def _chunks(self, file: BinaryIO, key: str, start: int, end: int | None) -> Iterator[bytes]:
        with file, self._failing("read", key):
            file.seek(start)
            left = None if end is None else end - start
            while left is None or left > 0:
                data = file.read(CHUNK if left is None else min(CHUNK, left))
                if not data:
                    return
                if left is not None:
                    left -= len(data)
                yield data

    def size(self, key: str) -> int:
        path = self.path(key)
        with self._failing("read", key):
            stat = path.stat()
        if not path.is_file():
            raise missing(self, key)
        return stat.st_size

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        path = self.path(key)
        with self._failing("delete", key):
            try:
                path.unlink()
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                return

    def list(self, prefix: str) -> Iterator[StoredObject]:
        """Files only, in key order within each folder; symbolic links and writes in
        progress are not listed."""
        check_prefix(prefix)
        head = prefix.rpartition("/")[0]
        folder = self.path(head) if head else self.root
        if not folder.is_dir():
            return
        yield from self._walk(folder, f"{head}/" if head else "", prefix)

    def _walk(self, folder: Path, above: str, prefix: str) -> Iterator[StoredObject]:
        with self._failing("list", above or "/"):
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        for entry in entries:
            key = above + entry.name
            if entry.name.startswith(TEMP_PREFIX) or entry.is_symlink():
                continue
            if entry.is_dir():
                if f"{key}/".startswith(prefix) or prefix.startswith(f"{key}/"):
                    yield from self._walk(Path(entry.path), f"{key}/", prefix)
            elif entry.is_file() and key.startswith(prefix):
                stat = entry.stat()
                when = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC)
                yield StoredObject(key=key, size=stat.st_size, modified=when)

    def delete_prefix(self, prefix: str) -> int:
        """The files below the folder ``prefix``, then its emptied folders."""
        folder = self.path(check_folder_prefix(prefix).rstrip("/"))
        removed = 0
        for item in self.list(prefix):
            self.delete(item.key)
            removed += 1
        if folder.is_dir():
            with self._failing("delete", prefix):
                for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
                    if path.is_dir() and not path.is_symlink():
                        _remove_empty(path)
                _remove_empty(folder)
        return removed

    def presigned_url(self, key: str, seconds: int, filename: str | None = None) -> str | None:
        self.path(key)
        return None


def check_folder_prefix(prefix: str) -> str:
    """``prefix`` if it names a folder (``media/projects/3/``); a deletion by prefix never
    takes ``media/projects/3`` for a prefix of ``media/projects/31/`` too."""
    if not prefix.endswith("/"):
        raise bad_key(prefix, "a prefix to delete must name a folder, ending with '/'")
    check_prefix(prefix)
    return prefix


def _remove_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:  # not empty (a write in progress, a symbolic link): left as it is
        return


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a crash after it keeps the new name)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def storage_location(settings: Settings) -> tuple[str, str, str | None]:
    """``("file", root, None)`` or ``("s3", bucket, prefix)`` from the settings."""
    url = settings.storage_url
    if not url:
        return "file", str(settings.data_dir.resolve()), None
    parts = urlsplit(url)
    if parts.scheme == "file":
        return "file", str(Path(parts.path).resolve()), None
    return "s3", parts.netloc, parts.path.strip("/")


def open_storage(settings: Settings) -> Storage:
    """The storage the settings name (``ACCORD_STORAGE_URL``, ``ACCORD_S3_ENDPOINT_URL``).

    Nothing is contacted here; an S3 storage's client is made once per process and URL.
    """
    scheme, where, prefix = storage_location(settings)
    if scheme == "file":
        return LocalStorage(Path(where))
    return _s3_storage(where, prefix or "", settings.s3_endpoint_url)


@functools.lru_cache(maxsize=8)
def _s3_storage(bucket: str, prefix: str, endpoint_url: str | None) -> Storage:
    from accord.media.s3 import S3Storage  # boto3 is imported only when a bucket is used

    return S3Storage(bucket, prefix, endpoint_url)
