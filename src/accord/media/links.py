"""Media referenced by tasks, signed when the task is read.

A task's data may name media already in a bucket by URL (``s3://bucket/key``), the way Label
Studio's cloud storage works; the task keeps that URL (exports too), and whoever reads the task
(the next-task answer, the task detail) gets a presigned GET instead, made with the server's
credentials and endpoint and valid for ``ACCORD_FILE_URL_SECONDS``. With local storage, a
``file:///...`` URL of a file in the storage's ``media/`` folder becomes a signed
``/api/v1/files/...`` link the same way.

Accord's own files (exports, uploads of every project) live in the same storage, so a URL that
points into Accord's storage is signed only inside its ``media/`` area: a manager cannot reach
another project's export by writing its URL into a task. Anything else is left as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from accord.errors import Invalid
from accord.media.files import file_url
from accord.media.storage import LocalStorage, check_key, storage_location
from accord.settings import Settings

S3 = "s3://"
FILE = "file://"
MEDIA = "media/"  # the area of Accord's own storage that tasks may reference


def split_s3(url: str) -> tuple[str, str] | None:
    """``(bucket, key)`` of ``s3://bucket/key``; None if it is not one."""
    if not url.startswith(S3):
        return None
    bucket, _, key = url[len(S3) :].partition("/")
    if not bucket or not key:
        return None
    return bucket, key


def bucket_media_allowed(settings: Settings, bucket: str, key: str) -> bool:
    """Whether ``s3://bucket/key`` may be signed for (or synced into) a task: anywhere but
    Accord's own storage outside its ``media/`` area."""
    scheme, own_bucket, prefix = storage_location(settings)
    if scheme != "s3" or bucket != own_bucket:
        return True
    root = f"{prefix}/" if prefix else ""
    if not key.startswith(root):
        return True
    try:
        check_key(key[len(root) :])
    except Invalid:
        return False
    return key[len(root) :].startswith(MEDIA)


def local_media_key(settings: Settings, path: str, *, folder: bool = False) -> str | None:
    """The storage key of ``path`` (a local path or ``file://`` URL) when local storage is in
    use and the path lies in its ``media/`` folder (or, with ``folder``, is that folder);
    else None."""
    scheme, root, _ = storage_location(settings)
    if scheme != "file":
        return None
    if path.startswith(FILE):
        parts = urlsplit(path)
        if parts.netloc not in ("", "localhost"):
            return None
        path = unquote(parts.path)
    media = Path(root) / MEDIA
    try:
        resolved = (Path(root) / path).resolve()  # a relative path is taken from the root
    except (OSError, ValueError):
        return None
    if not resolved.is_relative_to(media) or (resolved == media and not folder):
        return None
    key = resolved.relative_to(Path(root)).as_posix()
    try:
        return check_key(key)
    except Invalid:
        return None


def is_link(value: Any) -> bool:
    return isinstance(value, str) and value.startswith((S3, FILE))


def needs_signing(data: dict[str, Any]) -> bool:
    """Whether any top-level string (or string in a list) of ``data`` is a media URL."""
    for value in data.values():
        if is_link(value):
            return True
        if isinstance(value, list) and any(is_link(item) for item in value):
            return True
    return False


class _Signer:
    def __init__(self, settings: Settings, seconds: int, secret: bytes | None) -> None:
        self.settings = settings
        self.seconds = seconds
        self.secret = secret

    def sign(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if value.startswith(S3):
            return self._bucket(value)
        if value.startswith(FILE) and self.secret is not None:
            return self._local(value, self.secret)
        return value

    def _bucket(self, url: str) -> str:
        where = split_s3(url)
        if where is None or not bucket_media_allowed(self.settings, *where):
            return url
        from accord.media.s3 import S3Storage, shared_client  # boto3 only when needed

        bucket, key = where
        client = shared_client(self.settings.s3_endpoint_url)
        storage = S3Storage(bucket, "", self.settings.s3_endpoint_url, client=client)
        with storage.calling("sign", key):
            return client.generate_presigned_url(
                "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=self.seconds
            )

    def _local(self, url: str, secret: bytes) -> str:
        key = local_media_key(self.settings, url)
        if key is None:
            return url
        root = Path(storage_location(self.settings)[1])
        return file_url(LocalStorage(root), secret, key, self.seconds)


def sign_task_data(
    data: dict[str, Any], storage_settings: Settings, seconds: int, *, secret: bytes | None = None
) -> dict[str, Any]:
    """A copy of ``data`` whose media URLs (top-level strings, and strings in top-level lists)
    are signed links valid for ``seconds``; everything else as it was. ``secret`` (the
    instance's, `accord.actions.secrets`) is needed for local ``file://`` media only."""
    if not needs_signing(data):
        return dict(data)
    signer = _Signer(storage_settings, seconds, secret)
    signed: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, list):
            signed[name] = [signer.sign(item) for item in value]
        else:
            signed[name] = signer.sign(value)
    return signed
