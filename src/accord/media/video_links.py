"""The frames of a task's videos, added when the task is read (`accord.media.links` calls it).

A value is taken for a video when its reference (a string, or an object's ``src``) ends in a
video extension (.mp4, .m4v, .mov, .webm, .mkv; a query string aside) or when it is an object
with ``frames``, ``fps`` or ``duration`` (the `accord.kinds.fields.video` object form). Its
read form is an object: the signed ``src`` (and the object's other keys), plus

- ``frames_state``: ``ready`` once `accord.jobs.frames` decoded it, ``failed`` when it could
  not (``frames_error`` says why), else ``pending``;
- once ready, ``manifest`` and ``frames_data``: signed links to its ``manifest.json`` and
  ``frames.bin`` (`accord.media.frames`), which the browser's player reads (the frames by
  range requests).

A web address (http, https) is never decoded by the server: its state is ``failed``, saying so.
Frames are looked up in the storage once per read until ready, then remembered by the
process (they never change once made).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from accord.errors import AccordError
from accord.media.files import file_url
from accord.media.frames import FAILED, PENDING, READY, data_key, failure_of, manifest_key
from accord.media.storage import Storage
from accord.media.videos import EXTENSIONS

OBJECT_KEYS = ("frames", "fps", "duration")
WEB = "a web address is not decoded by the server; upload the video, or put it in a bucket"
_ready: set[tuple[str, str]] = set()  # (storage, manifest key) known to exist


def reference_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("src"), str):
        return str(value["src"])
    return None


def is_video_value(value: Any) -> bool:
    """Whether a task's data value names a video (see the module)."""
    src = reference_of(value)
    if src is None:
        return False
    if isinstance(value, dict) and any(key in value for key in OBJECT_KEYS):
        return True
    try:
        path = urlsplit(src).path
    except ValueError:
        return False
    return path.lower().endswith(EXTENSIONS)


def _state(storage: Storage, project_id: int, src: str) -> tuple[str, str | None]:
    key = manifest_key(project_id, src)
    where = (storage.description, key)
    if where in _ready:
        return READY, None
    if storage.exists(key):
        _ready.add(where)
        return READY, None
    failure = failure_of(storage, project_id, src)
    return (FAILED, failure) if failure is not None else (PENDING, None)


def with_frames(
    original: Any,
    signed: Any,
    storage: Storage,
    project_id: int,
    sign: Callable[[str], str],
) -> dict[str, Any]:
    """The read form of a video value: ``signed`` (its signed value) as an object with the
    frames' state and links. ``sign(key)`` gives a signed link to a key of ``storage``."""
    out = dict(signed) if isinstance(signed, dict) else {"src": signed}
    for key in ("frames_state", "frames_error", "manifest", "frames_data"):
        out.pop(key, None)  # never passed on from the task's own data
    src = reference_of(original) or ""
    if src.startswith(("http://", "https://")):
        out.update(frames_state=FAILED, frames_error=WEB)
        return out
    if "error" in out:  # the src itself may not be signed (accord.media.links)
        out.update(frames_state=FAILED, frames_error=out["error"])
        return out
    try:
        state, error = _state(storage, project_id, src)
    except AccordError as exc:
        out.update(frames_state=PENDING, frames_error=f"the storage is unavailable: {exc.message}")
        return out
    out["frames_state"] = state
    if state == READY:
        out["manifest"] = sign(manifest_key(project_id, src))
        out["frames_data"] = sign(data_key(project_id, src))
    elif error is not None:
        out["frames_error"] = error
    return out


def signer_for(storage: Storage, secret: bytes | None, seconds: int) -> Callable[[str], str]:
    return lambda key: file_url(storage, secret or b"", key, seconds)
