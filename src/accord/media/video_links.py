"""The frames of a task's videos, added when the task is read (`accord.media.links` calls it).

A value is taken for a video when its reference (a string, or an object's ``src``) ends in a
video extension (.mp4, .m4v, .mov, .webm, .mkv; a query string aside) or when it is an object
with ``frames``, ``fps`` or ``duration`` (the `accord.kinds.fields.video` object form). Its
read form is an object: the signed ``src`` (and the object's other keys), plus

- ``frames_state``: ``ready`` once `accord.jobs.frames` decoded it, ``failed`` when it could
  not (``frames_error`` says why), else ``pending``;
- once ready, ``manifest``, ``frames_data`` and ``frames_packets``: signed links to its
  ``manifest.json``, ``frames.bin`` and ``packets.bin`` (`accord.media.frames`), which the
  browser's player reads (the data by range requests). The manifest names the one to read
  (``"data"``: ``frames.bin`` for version 1, JPEGs; ``packets.bin`` for version 2, packets
  the browser decodes); with ``ACCORD_VIDEO_FRAMES=auto`` both exist once the JPEG frames
  are made after the packets. Both are signed because which one to read is known only from
  the manifest, and the job may be run again with another ``ACCORD_VIDEO_FRAMES`` (a link is
  made without asking the storage).

A web address (http, https) is never decoded by the server: its state is ``failed``, saying so.
Frames are looked up in the storage once per read until ready, then remembered by the
process (they never change once made): `accord.media.derived_links`, which the recordings'
waveforms share.
"""

from __future__ import annotations

from collections.abc import Callable

from accord.media.derived_links import Derived, reference_of
from accord.media.files import file_url
from accord.media.frames import data_key, failure_of, manifest_key, packets_key
from accord.media.storage import Storage
from accord.media.videos import EXTENSIONS

FRAMES = Derived(
    object_keys=("frames", "fps", "duration"),
    extensions=EXTENSIONS,
    state_key="frames_state",
    error_key="frames_error",
    links=(
        ("manifest", manifest_key),
        ("frames_data", data_key),
        ("frames_packets", packets_key),
    ),
    manifest_key=manifest_key,
    failure_of=failure_of,
    web="a web address is not decoded by the server; upload the video, or put it in a bucket",
)
is_video_value = FRAMES.names
with_frames = FRAMES.read_form
__all__ = ["FRAMES", "is_video_value", "reference_of", "signer_for", "with_frames"]


def signer_for(storage: Storage, secret: bytes | None, seconds: int) -> Callable[[str], str]:
    return lambda key: file_url(storage, secret or b"", key, seconds)
