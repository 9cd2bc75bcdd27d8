"""The S3-compatible backend of `accord.media.storage` (Amazon S3, MinIO, Ceph, moto), on boto3.

Credentials come from the standard AWS variables (``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``, ``AWS_DEFAULT_REGION``) or
the other places boto3 looks. Requests are retried in botocore's "standard" mode, a few times,
with short connect and read timeouts: an unreachable bucket fails in seconds with a
`StorageUnavailable` naming it, not after minutes. (The one exception: assembling a multipart
upload's parts into the object may take the server a while, `COMPLETE_READ_TIMEOUT`.)

A streamed write (`S3Storage.writer`) uploads its parts from a thread of its own while the
writer makes the next one, one part in flight and one waiting at most.
"""

from __future__ import annotations

import builtins
import functools
import hashlib
import io
import logging
import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from urllib3.exceptions import HTTPError as Urllib3Error

from accord.errors import StorageMissing, StorageUnavailable
from accord.media.files import content_disposition, content_type
from accord.media.storage import (
    CHUNK,
    StoredObject,
    check_folder_prefix,
    check_key,
    check_prefix,
    missing,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

log = logging.getLogger("accord.storage")

PART_SIZE = 8 * 1024 * 1024  # bytes per part of a multipart upload (S3's minimum is 5 MiB)
PAGE_SIZE = 1000  # keys per listing request (S3's maximum)
DELETE_BATCH = 1000  # keys per delete_objects request (S3's maximum)
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 5.0
COMPLETE_READ_TIMEOUT = 60.0  # assembling a large object's parts (see `_Upload._complete`)
ATTEMPTS = 3
MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
REFUSED_CODES = frozenset(
    {"AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken"}
)


def s3_client(
    endpoint_url: str | None,
    *,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
    attempts: int = ATTEMPTS,
) -> S3Client:
    """A client for ``endpoint_url`` (None: Amazon S3) with Accord's retries and timeouts."""
    options: dict[str, Any] = {}
    if endpoint_url:
        # S3-compatible servers: path-style addresses (http://host:9000/bucket/key) always
        # resolve, and checksums only where S3 requires them (older servers refuse the rest).
        options = {
            "s3": {"addressing_style": "path"},
            "request_checksum_calculation": "when_required",
            "response_checksum_validation": "when_required",
        }
    config = Config(
        signature_version="s3v4",
        retries={"mode": "standard", "total_max_attempts": attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_pool_connections=50,
        **options,
    )
    session = boto3.session.Session()  # boto3 reads the region (AWS_DEFAULT_REGION, ~/.aws)
    return session.client("s3", endpoint_url=endpoint_url or None, config=config)


def default_region() -> str | None:
    """The region boto3 would use (``AWS_REGION``, ``AWS_DEFAULT_REGION``, ~/.aws/config)."""
    return boto3.session.Session().region_name


@functools.lru_cache(maxsize=8)
def shared_client(endpoint_url: str | None) -> S3Client:
    """One client per endpoint for the whole process (clients are thread-safe and costly)."""
    return s3_client(endpoint_url)


class S3Storage:
    """Objects under ``prefix`` in ``bucket`` (keys are relative to the prefix)."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        *,
        client: S3Client | None = None,
        part_size: int = PART_SIZE,
        page_size: int = PAGE_SIZE,
    ) -> None:
        if not bucket:
            raise ValueError("an S3 storage needs a bucket: s3://bucket/prefix")
        prefix = prefix.strip("/")
        if prefix:
            check_prefix(prefix)
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint_url = endpoint_url
        self.client = client or shared_client(endpoint_url)
        self.part_size = part_size
        self.page_size = page_size
        self._root = f"{prefix}/" if prefix else ""
        self.description = f"s3://{bucket}/{prefix}"

    def full_key(self, key: str) -> str:
        return self._root + check_key(key)

    @property
    def _where(self) -> str:
        endpoint = self.endpoint_url or "Amazon S3"
        return f"the storage {self.description} (at {endpoint})"

    def unavailable(self, what: str, key: str, exc: Exception) -> StorageUnavailable:
        details = {"key": key, "storage": self.description, "endpoint": self.endpoint_url}
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            details["code"] = code
            if code == "NoSuchBucket":
                advice = (
                    f"the bucket {self.bucket!r} does not exist; create it, or correct "
                    "ACCORD_STORAGE_URL (and ACCORD_S3_ENDPOINT_URL)"
                )
            elif code in REFUSED_CODES:
                advice = (
                    f"the server refused Accord's credentials ({code}); check AWS_ACCESS_KEY_ID, "
                    f"AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), and that they may {what} "
                    f"in the bucket {self.bucket!r}"
                )
            else:
                advice = f"the server answered {code}: {error.get('Message', '')}; try again later"
        elif isinstance(exc, NoCredentialsError):
            advice = "no credentials were found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        else:
            advice = (
                f"{exc}; check that the server is up and reachable from here, and that "
                "ACCORD_S3_ENDPOINT_URL (unset for Amazon S3) and AWS_DEFAULT_REGION are right"
            )
        return StorageUnavailable(
            f"could not {what} {key!r} in {self._where}: {advice}", details=details
        )

    @contextmanager
    def calling(self, what: str, key: str) -> Iterator[None]:
        """Turns boto3's errors into `StorageMissing` and `StorageUnavailable`."""
        try:
            yield
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code", "")) in MISSING_CODES:
                raise missing(self, key) from None
            raise self.unavailable(what, key, exc) from exc
        except (BotoCoreError, Urllib3Error, OSError) as exc:
            raise self.unavailable(what, key, exc) from exc

    @contextmanager
    def writer(self, key: str) -> Iterator[BinaryIO]:
        upload = _Upload(self, key)
        try:
            yield cast(BinaryIO, upload)
            upload.finish()
        except BaseException:
            upload.abort()
            raise

    def write_bytes(self, key: str, data: bytes) -> None:
        full = self.full_key(key)
        with self.calling("write", key):
            self.client.put_object(Bucket=self.bucket, Key=full, Body=data)

    def open(self, key: str) -> BinaryIO:
        full = self.full_key(key)
        with self.calling("read", key):
            body = self.client.get_object(Bucket=self.bucket, Key=full)["Body"]
        return io.BufferedReader(_Body(self, key, body), buffer_size=CHUNK)

    def read_range(self, key: str, start: int, end: int | None) -> Iterator[bytes]:
        full = self.full_key(key)
        if end is not None and end <= start:
            return iter(())
        wanted = f"bytes={start}-" if end is None else f"bytes={start}-{end - 1}"
        try:
            with self.calling("read", key):
                if start == 0 and end is None:  # no range: S3 refuses bytes=0- of an empty file
                    body = self.client.get_object(Bucket=self.bucket, Key=full)["Body"]
                else:
                    body = self.client.get_object(Bucket=self.bucket, Key=full, Range=wanted)[
                        "Body"
                    ]
        except StorageUnavailable as exc:
            if isinstance(exc.details, dict) and exc.details.get("code") == "InvalidRange":
                return iter(())  # starts at or past the end: nothing there, as in a file
            raise
        return self._chunks(key, body)

    def _chunks(self, key: str, body: Any) -> Iterator[bytes]:
        try:
            while True:
                with self.calling("read", key):
                    data = body.read(CHUNK)
                if not data:
                    return
                yield data
        finally:
            body.close()

    def size(self, key: str) -> int:
        full = self.full_key(key)
        with self.calling("read", key):
            return int(self.client.head_object(Bucket=self.bucket, Key=full)["ContentLength"])

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except StorageMissing:
            return False
        return True

    def delete(self, key: str) -> None:
        full = self.full_key(key)
        with self.calling("delete", key):
            self.client.delete_object(Bucket=self.bucket, Key=full)

    def list(self, prefix: str) -> Iterator[StoredObject]:
        """In key order, a page of `page_size` keys per request."""
        check_prefix(prefix)
        paginator = self.client.get_paginator("list_objects_v2")
        pages = iter(
            paginator.paginate(
                Bucket=self.bucket,
                Prefix=self._root + prefix,
                PaginationConfig={"PageSize": self.page_size},
            )
        )
        cut = len(self._root)
        while True:
            with self.calling("list", prefix or "/"):
                page = next(pages, None)
            if page is None:
                return
            for item in page.get("Contents", ()):
                yield StoredObject(
                    key=item["Key"][cut:], size=item["Size"], modified=item["LastModified"]
                )

    def delete_prefix(self, prefix: str) -> int:
        """Listed a page at a time, each page removed with one ``delete_objects`` call (up to
        1000 keys, S3's limit); a key the bucket failed to remove raises (the rest stays, and
        running it again removes what is left)."""
        check_folder_prefix(prefix)
        removed = 0
        batch: builtins.list[str] = []
        for item in self.list(prefix):
            batch.append(item.key)
            if len(batch) >= DELETE_BATCH:
                removed += self._delete_many(batch, prefix)
                batch = []
        if batch:
            removed += self._delete_many(batch, prefix)
        return removed

    def _delete_many(self, keys: Sequence[str], prefix: str) -> int:
        objects: Sequence[ObjectIdentifierTypeDef] = [{"Key": self.full_key(k)} for k in keys]
        with self.calling("delete", prefix):
            answer = self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True}
            )
        failed = answer.get("Errors") or []
        if failed:
            first = failed[0]
            raise StorageUnavailable(
                f"could not delete {len(failed)} of {len(keys)} objects under {prefix!r} in "
                f"{self._where}: {first.get('Key')}: {first.get('Code')} "
                f"({first.get('Message')}); check the credentials' s3:DeleteObject permission",
                details={"prefix": prefix, "storage": self.description},
            )
        return len(keys)

    def presigned_url(self, key: str, seconds: int, filename: str | None = None) -> str | None:
        params = {"Bucket": self.bucket, "Key": self.full_key(key)}
        if filename is not None:
            params["ResponseContentDisposition"] = content_disposition(filename)
            params["ResponseContentType"] = content_type(filename)
        with self.calling("sign", key):
            return self.client.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=seconds
            )


class _Upload(io.RawIOBase):
    """What `S3Storage.writer` hands out: writes fill parts of at least `part_size` bytes,
    each sent by a thread of its own (`_Sender`) while the next one fills. An object smaller
    than one part is sent with one ``put_object`` at the end."""

    def __init__(self, storage: S3Storage, key: str) -> None:
        super().__init__()
        self.storage = storage
        self.key = key
        self.full = storage.full_key(key)
        self.chunks: list[bytes] = []  # written, not yet cut into a part
        self.buffered = 0
        self.upload_id: str | None = None
        self.parts: list[dict[str, Any]] = []
        self.sender: _Sender | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: Any, /) -> int:
        if self.closed:
            raise ValueError("write to a finished upload")
        size = len(data)
        if size:
            self.chunks.append(bytes(data))
            self.buffered += size
            if self.buffered >= self.storage.part_size:
                self._cut()
        return size

    def _cut(self) -> None:
        """Send what is buffered as one part (as several if it is over two parts long)."""
        size = self.storage.part_size
        joined = b"".join(self.chunks)
        self.chunks, self.buffered = [], 0
        start = 0
        while len(joined) - start >= 2 * size:
            self._send(joined[start : start + size])
            start += size
        self._send(joined[start:] if start else joined)

    def _send(self, part: bytes) -> None:
        if self.upload_id is None:
            storage = self.storage
            with storage.calling("write", self.key):
                started = storage.client.create_multipart_upload(
                    Bucket=storage.bucket, Key=self.full
                )
            self.upload_id = started["UploadId"]
            self.sender = _Sender(self)
        assert self.sender is not None
        self.sender.put(part)

    def send_now(self, number: int, part: bytes) -> None:
        """Upload one part (on the sender's thread)."""
        storage = self.storage
        with storage.calling("write", self.key):
            sent = storage.client.upload_part(
                Bucket=storage.bucket,
                Key=self.full,
                UploadId=self.upload_id,  # type: ignore[arg-type]
                PartNumber=number,
                Body=part,
            )
        self.parts.append({"ETag": sent["ETag"], "PartNumber": number})

    def finish(self) -> None:
        storage = self.storage
        if self.upload_id is None:
            with storage.calling("write", self.key):
                storage.client.put_object(
                    Bucket=storage.bucket, Key=self.full, Body=b"".join(self.chunks)
                )
        else:
            if self.chunks:
                self._send(b"".join(self.chunks))
            assert self.sender is not None
            self.sender.close()
            self._complete()
        self.chunks = []
        self.close()

    def _complete(self) -> None:
        """Assemble the parts into the object. Servers take a while for a large one (moto
        copies every part; Amazon S3 may take minutes, sending spaces meanwhile), hence a
        client with a long read timeout; if an attempt timed out but the server finished it,
        the retry finds no upload and the object's ETag says it is there."""
        storage = self.storage
        parts = sorted(self.parts, key=lambda part: part["PartNumber"])
        try:
            with storage.calling("write", self.key):
                _assembling_client(storage).complete_multipart_upload(
                    Bucket=storage.bucket,
                    Key=self.full,
                    UploadId=self.upload_id,  # type: ignore[arg-type]
                    MultipartUpload={"Parts": parts},  # type: ignore[typeddict-item]
                )
        except StorageUnavailable as exc:
            if not (isinstance(exc.details, dict) and exc.details.get("code") == "NoSuchUpload"):
                raise
            if _multipart_etag(parts) != self._etag_now():
                raise
            log.info("the upload of %s was completed by an earlier attempt", self.key)

    def _etag_now(self) -> str | None:
        try:
            with self.storage.calling("read", self.key):
                head = self.storage.client.head_object(Bucket=self.storage.bucket, Key=self.full)
        except (StorageMissing, StorageUnavailable):
            return None
        return str(head.get("ETag", "")).strip('"')

    def abort(self) -> None:
        """Drop the parts sent so far (best effort: a bucket unreachable now keeps them until
        its lifecycle rule for incomplete uploads removes them)."""
        self.chunks = []
        if self.sender is not None:
            self.sender.close(skip=True)
        self.close()
        if self.upload_id is None:
            return
        storage = self.storage
        try:
            with storage.calling("write", self.key):
                storage.client.abort_multipart_upload(
                    Bucket=storage.bucket, Key=self.full, UploadId=self.upload_id
                )
        except StorageUnavailable as exc:
            log.warning("could not abort the upload of %s: %s", self.key, exc.message)


class _Sender:
    """Uploads an `_Upload`'s parts in order on a thread of its own, so that the writer fills
    the next part (and the network waits overlap the work that makes the bytes). At most one
    part waits while one is sent: memory stays at about three parts. The first error stops
    the uploads and is raised in the writer at its next part or at the end."""

    def __init__(self, upload: _Upload) -> None:
        self.upload = upload
        self.error: BaseException | None = None
        self.numbered = 0
        self._skip = False
        self._queue: queue.Queue[tuple[int, bytes] | None] = queue.Queue(maxsize=1)
        self._thread = threading.Thread(
            target=self._run, name=f"accord-upload-{upload.key}", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self.error is None and not self._skip:
                try:
                    self.upload.send_now(*item)
                except BaseException as exc:  # raised again in the writer's thread
                    self.error = exc

    def put(self, part: bytes) -> None:
        self.raise_error()
        self.numbered += 1
        self._queue.put((self.numbered, part))
        self.raise_error()

    def close(self, *, skip: bool = False) -> None:
        """Wait for the parts handed over (``skip``: drop those not started yet)."""
        self._skip = skip
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if not skip:
            self.raise_error()

    def raise_error(self) -> None:
        if self.error is not None:
            raise self.error


def _multipart_etag(parts: list[dict[str, Any]]) -> str:
    """The ETag S3 gives an object assembled from ``parts`` (MD5 of the parts' MD5s)."""
    digests = b"".join(bytes.fromhex(str(part["ETag"]).strip('"')) for part in parts)
    return f"{hashlib.md5(digests).hexdigest()}-{len(parts)}"


def _assembling_client(storage: S3Storage) -> S3Client:
    """``storage``'s client, with the read timeout of `COMPLETE_READ_TIMEOUT`."""
    config = storage.client.meta.config
    retries = getattr(config, "retries", None) or {}
    return _patient_client(
        storage.endpoint_url,
        float(getattr(config, "connect_timeout", CONNECT_TIMEOUT)),
        int(retries.get("total_max_attempts", ATTEMPTS)),
    )


@functools.lru_cache(maxsize=8)
def _patient_client(endpoint_url: str | None, connect_timeout: float, attempts: int) -> S3Client:
    return s3_client(
        endpoint_url,
        connect_timeout=connect_timeout,
        read_timeout=COMPLETE_READ_TIMEOUT,
        attempts=attempts,
    )


class _Body(io.RawIOBase):
    """An object's streamed body, read with `S3Storage`'s error translation."""

    def __init__(self, storage: S3Storage, key: str, body: Any) -> None:
        super().__init__()
        self.storage = storage
        self.key = key
        self.body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any, /) -> int:
        with self.storage.calling("read", self.key):
            data = self.body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self.body.close()
        super().close()
