"""Media referenced by tasks, signed when the task is read.

A task's data may name media already in a bucket by URL (``s3://bucket/key``), the way Label
Studio's cloud storage works; the task keeps that URL (exports too), and whoever reads the task
(the next-task answer, the task detail) gets a presigned GET instead, made with the server's
credentials and endpoint and valid for ``ACCORD_FILE_URL_SECONDS``. With local storage, a
``file:///...`` URL of a file in the storage's ``media/`` folder becomes a signed
``/api/v1/files/...`` link the same way.

Accord's own files (exports, uploads of every project) live in the same storage, so a URL that
points into Accord's storage is signed only inside its ``media/`` area: a manager cannot reach
another project's export by writing its URL into a task. Other buckets are signed only when
``ACCORD_MEDIA_BUCKETS`` names them (or is ``*``): the server's credentials may reach buckets
no manager should read through it. Anything else is left as it is; an image object whose
``src`` is refused gets ``error``, saying why, for the browser to show (`bucket_refusal`).
The import (`bucket_row_check`) and the bucket sync (`accord.jobs.bucket_sync`) refuse such
references up front, so a task holds one only if the setting changed since it was imported.

An image field may hold an object, ``{"src": URL, "width": W, "height": H}``: its ``src`` is
signed the same way and the object kept (with ``error`` when it may not be signed). Given
the project (``project_id``), the object also gets ``thumb``, a signed link to the image's
thumbnail, when one was made (`accord.jobs.thumbnails`, stored at `thumb_key`).

A chat turn (an object in a list) may carry ``audio`` and ``video`` clips: each, a media URL
or an object with its ``src``, is signed the same way (`has_clips`).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from accord.errors import AccordError, Invalid
from accord.media.derived_links import Derived, source_digest
from accord.media.files import file_url
from accord.media.storage import LocalStorage, Storage, check_key, open_storage, storage_location
from accord.settings import Settings

log = logging.getLogger("accord.storage")

S3 = "s3://"
FILE = "file://"
MEDIA = "media/"  # the area of Accord's own storage that tasks may reference
THUMBS = "media/thumbs/projects/"  # thumbnails: THUMBS + "{project_id}/{sha256 of src}.webp"
SRC = "src"
CLIPS = ("audio", "video")  # a chat turn's clips, signed like media values
THUMB = "thumb"
ERROR = "error"  # why an image object's src was not signed (added on read, never stored)
SETTING = "ACCORD_MEDIA_BUCKETS"
KNOWN_THUMBS = 100_000  # thumbnails seen to exist, remembered by each process
LOOKUP_THREADS = 8  # existence checks of a page's thumbnails run side by side (a bucket)


def split_s3(url: str) -> tuple[str, str] | None:
    """``(bucket, key)`` of ``s3://bucket/key``; None if it is not one."""
    if not url.startswith(S3):
        return None
    bucket, _, key = url[len(S3) :].partition("/")
    if not bucket or not key:
        return None
    return bucket, key


def bucket_media_allowed(settings: Settings, bucket: str, key: str) -> bool:
    """Whether ``s3://bucket/key`` may be signed for (or synced into) a task (see
    `bucket_refusal`)."""
    return bucket_refusal(settings, bucket, key) is None


def bucket_refusal(settings: Settings, bucket: str, key: str) -> str | None:
    """Why ``s3://bucket/key`` may not be signed for (or synced into) a task; None when it may.

    Accord's own bucket may be referenced anywhere but inside Accord's own storage outside its
    ``media/`` area; another bucket only when ``ACCORD_MEDIA_BUCKETS`` names it, or is ``*``.
    """
    scheme, own_bucket, prefix = storage_location(settings)
    if scheme == "s3" and bucket == own_bucket:
        root = prefix or ""
        return None if _own_key_allowed(root, key) else _own_refusal(bucket, root)
    allowed = settings.media_bucket_names
    if allowed is None or bucket in allowed:
        return None
    listed = ", ".join(sorted(allowed)) if allowed else "none"
    return (
        f"bucket {bucket!r} is not one tasks may use (the server would read it with its own "
        f"credentials); an admin can allow it by adding {bucket} to {SETTING} (now: "
        f"{listed}; * allows any bucket), or copy the media into an allowed bucket"
    )


def _own_key_allowed(prefix: str, key: str) -> bool:
    root = f"{prefix}/" if prefix else ""
    if not key.startswith(root):
        return True
    try:
        check_key(key[len(root) :])
    except Invalid:
        return False
    return key[len(root) :].startswith(MEDIA)


def _own_refusal(bucket: str, prefix: str) -> str:
    root = f"s3://{bucket}/{prefix}/" if prefix else f"s3://{bucket}/"
    return (
        f"it is inside Accord's own storage ({root}), which holds every project's files; "
        f"only its {MEDIA} area may be referenced"
    )


RowMediaCheck = Callable[[Mapping[str, Any]], tuple[str, str] | None]


def bucket_row_check(settings: Settings) -> RowMediaCheck | None:
    """A check of an import row's bucket references (the values a read would sign: top-level
    strings, strings in top-level lists, the ``src`` of top-level objects), giving the field
    and why for the first that may not be used; None when every bucket is allowed and
    Accord's storage is not a bucket (nothing to check)."""
    if settings.media_bucket_names is None and storage_location(settings)[0] != "s3":
        return None

    def refusal(url: str) -> str | None:
        where = split_s3(url)
        if where is None:
            return None
        reason = bucket_refusal(settings, *where)
        return None if reason is None else f"{url}: {reason}"

    def check(row: Mapping[str, Any]) -> tuple[str, str] | None:
        for name, value in row.items():
            if type(value) is dict:
                value = value.get(SRC)
            if type(value) is str:
                if value.startswith(S3) and (reason := refusal(value)):
                    return name, reason
            elif type(value) is list:
                for item in value:
                    if type(item) is str and item.startswith(S3) and (reason := refusal(item)):
                        return name, reason
        return None

    return check


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


def media_reference(settings: Settings, key: str) -> str:
    """The URL a task holds for ``key`` of Accord's own storage (``s3://bucket/prefix/key``,
    or ``file:///root/key``), signed on read like any other (``key`` under ``media/``)."""
    scheme, where, prefix = storage_location(settings)
    check_key(key)
    if scheme == "s3":
        return f"s3://{where}/{prefix}/{key}" if prefix else f"s3://{where}/{key}"
    return (Path(where) / key).as_uri()


def thumb_key(project_id: int, src: str) -> str:
    """Where the thumbnail of the image at ``src`` (a media URL) is kept for the project."""
    digest = source_digest(src)
    return f"{THUMBS}{project_id}/{digest}.webp"


def is_link(value: Any) -> bool:
    return isinstance(value, str) and value.startswith((S3, FILE))


def is_media_object(value: Any) -> bool:
    """An image field's object form whose ``src`` is a media URL."""
    return isinstance(value, dict) and is_link(value.get(SRC))


def has_clips(item: Any) -> bool:
    """Whether ``item`` (in a list: a chat turn) holds an ``audio`` or ``video`` clip that is
    a media URL, or an object whose ``src`` is one (`accord.kinds.fields.chat`)."""
    return isinstance(item, dict) and any(
        is_link(item.get(key)) or is_media_object(item.get(key)) for key in CLIPS
    )


def needs_signing(data: dict[str, Any]) -> bool:
    """Whether any top-level string (or string in a list) of ``data``, or the ``src`` of a
    top-level object, or a clip of a chat turn, is a media URL."""
    for value in data.values():
        if is_link(value) or is_media_object(value):
            return True
        if isinstance(value, list) and any(is_link(i) or has_clips(i) for i in value):
            return True
    return False


class _KnownThumbs:
    """Thumbnails seen to exist (they are never changed once made): each is looked up in the
    storage once per process, not on every read."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._keys: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, item: tuple[str, str]) -> bool:
        with self._lock:
            if item in self._keys:
                self._keys.move_to_end(item)
                return True
            return False

    def add(self, item: tuple[str, str]) -> None:
        with self._lock:
            self._keys[item] = None
            while len(self._keys) > self._size:
                self._keys.popitem(last=False)


_known = _KnownThumbs(KNOWN_THUMBS)


def existing_thumbs(storage: Storage, keys: Iterable[str]) -> set[str]:
    """Those of ``keys`` that are in ``storage`` (looked up side by side on a bucket)."""
    where = storage.description
    unique = list(dict.fromkeys(keys))
    wanted = [key for key in unique if (where, key) not in _known]
    found = set(unique).difference(wanted)
    if len(wanted) > 1 and not isinstance(storage, LocalStorage):
        with ThreadPoolExecutor(min(LOOKUP_THREADS, len(wanted))) as pool:
            answers = list(pool.map(storage.exists, wanted))
    else:
        answers = [storage.exists(key) for key in wanted]
    for key, exists in zip(wanted, answers, strict=True):
        if exists:
            _known.add((where, key))
            found.add(key)
    return found


class _Signer:
    def __init__(
        self,
        settings: Settings,
        seconds: int,
        secret: bytes | None,
        project_id: int | None = None,
        thumbs: set[str] | None = None,
    ) -> None:
        self.settings = settings
        self.seconds = seconds
        self.secret = secret
        self.project_id = project_id
        self.thumbs = thumbs or set()  # keys of the thumbnails that exist

    def sign(self, value: Any) -> Any:
        if is_media_object(value):
            return self._object(value)
        if not isinstance(value, str):
            return value
        if value.startswith(S3):
            return self._bucket(value)
        if value.startswith(FILE) and self.secret is not None:
            return self._local(value, self.secret)
        return value

    def refusal(self, url: str) -> str | None:
        """Why a bucket URL is not signed (None: it is, or it is not a bucket URL)."""
        where = split_s3(url)
        return None if where is None else bucket_refusal(self.settings, *where)

    def _bucket(self, url: str) -> str:
        where = split_s3(url)
        if where is None or self.refusal(url) is not None:
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

    def _object(self, value: dict[str, Any]) -> dict[str, Any]:
        """The object with its ``src`` signed, and ``thumb`` when its thumbnail exists (a
        ``thumb`` the task itself holds is never passed on: it could point anywhere)."""
        src = value[SRC]
        signed = {k: v for k, v in value.items() if k not in (THUMB, ERROR)}
        signed[SRC] = self.sign(src)
        if signed[SRC] == src and (reason := self.refusal(src)):
            signed[ERROR] = f"not shown: {src}: {reason}"
            return signed
        if self.project_id is not None and signed[SRC] != src:
            key = thumb_key(self.project_id, src)
            if key in self.thumbs:
                storage = open_storage(self.settings)
                signed[THUMB] = file_url(storage, self.secret or b"", key, self.seconds)
        return signed


def _thumb_keys(datas: Iterable[dict[str, Any]], project_id: int) -> list[str]:
    return [
        thumb_key(project_id, value[SRC])
        for data in datas
        for value in data.values()
        if is_media_object(value)
    ]


def sign_task_data(
    data: dict[str, Any],
    storage_settings: Settings,
    seconds: int,
    *,
    secret: bytes | None = None,
    project_id: int | None = None,
    frames_project: int | None = None,
) -> dict[str, Any]:
    """A copy of ``data`` whose media URLs (top-level strings, strings in top-level lists,
    and the ``src`` of top-level objects) are signed links valid for ``seconds``; everything
    else as it was. ``secret`` (the instance's, `accord.actions.secrets`) is needed for local
    ``file://`` media only. With ``project_id``, objects get ``thumb`` when their thumbnail
    exists (one storage lookup per image the first time). With ``project_id`` or
    ``frames_project``, videos get their frames' state and links (`add_video_frames`), and
    recordings their waveform data's (`add_audio_waveforms`)."""
    return sign_many(
        [data],
        storage_settings,
        seconds,
        secret=secret,
        project_id=project_id,
        frames_project=frames_project,
    )[0]


def sign_many(
    datas: list[dict[str, Any]],
    storage_settings: Settings,
    seconds: int,
    *,
    secret: bytes | None = None,
    project_id: int | None = None,
    frames_project: int | None = None,
) -> list[dict[str, Any]]:
    """`sign_task_data` for several tasks (a page of a listing): their thumbnails are looked
    up together."""
    thumbs: set[str] = set()
    if project_id is not None:
        keys = _thumb_keys(datas, project_id)
        try:
            thumbs = existing_thumbs(open_storage(storage_settings), keys) if keys else set()
        except AccordError as exc:  # the storage is away: the tasks still read, unthumbed
            log.warning("thumbnails not looked up: %s", exc.message)
    signer = _Signer(storage_settings, seconds, secret, project_id, thumbs)
    signed = [_signed(data, signer) for data in datas]
    videos = frames_project if frames_project is not None else project_id
    if videos is not None:
        signed = add_video_frames(datas, signed, storage_settings, seconds, secret, videos)
        signed = add_audio_waveforms(datas, signed, storage_settings, seconds, secret, videos)
    return signed


def add_video_frames(
    datas: list[dict[str, Any]],
    signed: list[dict[str, Any]],
    settings: Settings,
    seconds: int,
    secret: bytes | None,
    project_id: int,
) -> list[dict[str, Any]]:
    """``signed`` (the signed copies of ``datas``) with each top-level video value made an
    object carrying its frames' state and signed links (`accord.media.video_links`)."""
    from accord.media.audio_links import WAVEFORM
    from accord.media.video_links import FRAMES

    def video(value: Any) -> bool:  # an audio object has a duration too
        return FRAMES.names(value) and not WAVEFORM.names(value)

    return _add_derived(datas, signed, settings, seconds, secret, project_id, FRAMES, video)


def add_audio_waveforms(
    datas: list[dict[str, Any]],
    signed: list[dict[str, Any]],
    settings: Settings,
    seconds: int,
    secret: bytes | None,
    project_id: int,
) -> list[dict[str, Any]]:
    """``signed`` with each top-level recording made an object carrying its waveform data's
    state and signed links (`accord.media.audio_links`)."""
    from accord.media.audio_links import WAVEFORM

    return _add_derived(
        datas, signed, settings, seconds, secret, project_id, WAVEFORM, WAVEFORM.names
    )


def _add_derived(
    datas: list[dict[str, Any]],
    signed: list[dict[str, Any]],
    settings: Settings,
    seconds: int,
    secret: bytes | None,
    project_id: int,
    derived: Derived,
    takes: Callable[[Any], bool],
) -> list[dict[str, Any]]:
    from accord.media.video_links import signer_for

    if not any(takes(value) for data in datas for value in data.values()):
        return signed
    storage = open_storage(settings)
    sign = signer_for(storage, secret, seconds)
    for data, out in zip(datas, signed, strict=True):
        for name, value in data.items():
            if takes(value):
                out[name] = derived.read_form(value, out[name], storage, project_id, sign)
    return signed


def _signed(data: dict[str, Any], signer: _Signer) -> dict[str, Any]:
    if not needs_signing(data):
        return dict(data)
    signed: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, list):
            signed[name] = [
                {k: signer.sign(v) if k in CLIPS else v for k, v in item.items()}
                if has_clips(item)
                else signer.sign(item)
                for item in value
            ]
        else:
            signed[name] = signer.sign(value)
    return signed
