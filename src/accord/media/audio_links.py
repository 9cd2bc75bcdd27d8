"""The waveform data of a task's recordings, added when the task is read (`accord.media.links`
calls it), as `accord.media.video_links` does for videos' frames.

A value is taken for a recording when it is an object with ``sample_rate`` or ``channels``
(the `accord.kinds.fields.audio` object form, what an upload answers), or when its reference
(a string, or an object's ``src``) ends in an audio extension (.wav, .mp3, .flac, .ogg, .oga,
.opus, .m4a, .aac, .weba; a query string aside). A WebM recording given as a bare string is
taken for a video: give it as an object (what the upload answers). Its read form is an object:
the signed ``src`` (and the object's other keys), plus

- ``waveform_state``: ``ready`` once `accord.jobs.waveform` made its data, ``failed`` when it
  could not (``waveform_error`` says why), else ``pending``;
- once ready, ``manifest``, ``peaks`` and ``spectrogram``: signed links to its
  ``manifest.json``, ``peaks.bin`` and ``spectrogram.bin`` (`accord.media.waveform`); the
  browser reads the spectrogram's columns by range requests.

A web address (http, https) is never decoded by the server: its state is ``failed``, saying
so. The data is looked up in the storage once per read until ready, then remembered by the
process (it never changes once made).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from accord.errors import AccordError
from accord.media.audio import EXTENSIONS
from accord.media.storage import Storage
from accord.media.video_links import reference_of
from accord.media.waveform import (
    FAILED,
    PENDING,
    READY,
    failure_of,
    manifest_key,
    peaks_key,
    spectrogram_key,
)

OBJECT_KEYS = ("sample_rate", "channels")
ADDED = ("waveform_state", "waveform_error", "manifest", "peaks", "spectrogram")
VIDEO_ADDED = ("frames_state", "frames_error", "frames_data")
WEB = "a web address is not decoded by the server; upload the recording, or put it in a bucket"
_ready: set[tuple[str, str]] = set()  # (storage, manifest key) known to exist


def is_audio_value(value: Any) -> bool:
    """Whether a task's data value names a recording (see the module)."""
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


def with_waveform(
    original: Any,
    signed: Any,
    storage: Storage,
    project_id: int,
    sign: Callable[[str], str],
) -> dict[str, Any]:
    """The read form of a recording: ``signed`` (its signed value) as an object with the
    waveform data's state and links. ``sign(key)`` gives a signed link to a key of
    ``storage``."""
    out = dict(signed) if isinstance(signed, dict) else {"src": signed}
    for key in (*ADDED, *VIDEO_ADDED):
        out.pop(key, None)  # never passed on from the task's own data
    src = reference_of(original) or ""
    if src.startswith(("http://", "https://")):
        out.update(waveform_state=FAILED, waveform_error=WEB)
        return out
    if "error" in out:  # the src itself may not be signed (accord.media.links)
        out.update(waveform_state=FAILED, waveform_error=out["error"])
        return out
    try:
        state, error = _state(storage, project_id, src)
    except AccordError as exc:
        out.update(
            waveform_state=PENDING, waveform_error=f"the storage is unavailable: {exc.message}"
        )
        return out
    out["waveform_state"] = state
    if state == READY:
        out["manifest"] = sign(manifest_key(project_id, src))
        out["peaks"] = sign(peaks_key(project_id, src))
        out["spectrogram"] = sign(spectrogram_key(project_id, src))
    elif error is not None:
        out["waveform_error"] = error
    return out
