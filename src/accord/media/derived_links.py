"""What a task read adds to a media value whose file a job decodes once for the browser: the
videos' frames (`accord.media.video_links`) and the recordings' waveforms
(`accord.media.audio_links`) alike.

A `Derived` says which values it takes (an object with one of its ``object_keys``, or a
reference ending in one of its ``extensions``, a query string aside) and how their read form
is made: the signed ``src`` (and the object's other keys), plus ``<state_key>`` (``ready``
once the job made the data, ``failed`` when it could not, ``<error_key>`` saying why, else
``pending``) and, once ready, a signed link per name in ``links``. A web address (http,
https) is never decoded by the server: its state is ``failed``, saying so. The data is looked
up in the storage once per read until ready, then remembered by the process (it never
changes once made). A failure is recorded beside the data, in an ``error.json``
(`record_failure_at`, read back by `failure_at`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson

from accord.errors import AccordError, StorageMissing
from accord.media.storage import Storage

READY, FAILED, PENDING = "ready", "failed", "pending"
_ready: set[tuple[str, str]] = set()  # (storage, manifest key) known to exist

KeyOf = Callable[[int, str], str]  # (project, src) -> a storage key


def reference_of(value: Any) -> str | None:
    """The media reference of a task's value: the string, or an object's ``src``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("src"), str):
        return str(value["src"])
    return None


def source_digest(src: str) -> str:
    """The name what is made from the media at ``src`` is kept under (its frames, waveform,
    thumbnail): the SHA-256 of the reference, so that any reference names a safe key."""
    return hashlib.sha256(src.encode("utf-8", "surrogatepass")).hexdigest()


def record_failure_at(storage: Storage, key: str, message: str) -> None:
    """Record at ``key`` (an ``error.json``) why the job could not make the data."""
    storage.write_bytes(key, orjson.dumps({"error": message}))


def failure_at(storage: Storage, key: str, unknown: str) -> str | None:
    """Why the job could not make the data, as recorded at ``key`` (``unknown`` when the
    record says nothing readable); None when there is no record."""
    if not storage.exists(key):
        return None
    try:
        raw = b"".join(storage.read_range(key, 0, None))
        return str(orjson.loads(raw).get("error") or unknown)
    except (StorageMissing, orjson.JSONDecodeError, AttributeError):
        return unknown


@dataclass(frozen=True)
class Derived:
    object_keys: tuple[str, ...]  # an object with one of them is taken
    extensions: tuple[str, ...]  # a reference ending in one of them is taken
    state_key: str  # "frames_state"
    error_key: str  # "frames_error"
    links: tuple[tuple[str, KeyOf], ...]  # (name in the read form, its storage key)
    manifest_key: KeyOf  # exists once the data is made
    failure_of: Callable[[Storage, int, str], str | None]  # why the job could not make it
    web: str  # the error of a web address
    dropped: tuple[str, ...] = ()  # other keys never passed on from the task's own data

    def names(self, value: Any) -> bool:
        """Whether a task's data value is one this takes (see the module)."""
        src = reference_of(value)
        if src is None:
            return False
        if isinstance(value, dict) and any(key in value for key in self.object_keys):
            return True
        try:
            path = urlsplit(src).path
        except ValueError:
            return False
        return path.lower().endswith(self.extensions)

    def read_form(
        self,
        original: Any,
        signed: Any,
        storage: Storage,
        project_id: int,
        sign: Callable[[str], str],
    ) -> dict[str, Any]:
        """The read form of a value: ``signed`` (its signed value) as an object with the
        data's state and links. ``sign(key)`` gives a signed link to a key of ``storage``."""
        out = dict(signed) if isinstance(signed, dict) else {"src": signed}
        for key in (self.state_key, self.error_key, *(n for n, _ in self.links), *self.dropped):
            out.pop(key, None)  # never passed on from the task's own data
        src = reference_of(original) or ""
        if src.startswith(("http://", "https://")):
            out.update({self.state_key: FAILED, self.error_key: self.web})
            return out
        if "error" in out:  # the src itself may not be signed (accord.media.links)
            out.update({self.state_key: FAILED, self.error_key: out["error"]})
            return out
        try:
            state, error = self._state(storage, project_id, src)
        except AccordError as exc:
            out[self.state_key] = PENDING
            out[self.error_key] = f"the storage is unavailable: {exc.message}"
            return out
        out[self.state_key] = state
        if state == READY:
            for name, key_of in self.links:
                out[name] = sign(key_of(project_id, src))
        elif error is not None:
            out[self.error_key] = error
        return out

    def _state(self, storage: Storage, project_id: int, src: str) -> tuple[str, str | None]:
        key = self.manifest_key(project_id, src)
        where = (storage.description, key)
        if where in _ready:
            return READY, None
        if storage.exists(key):
            _ready.add(where)
            return READY, None
        failure = self.failure_of(storage, project_id, src)
        return (FAILED, failure) if failure is not None else (PENDING, None)
