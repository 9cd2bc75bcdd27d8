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
process (it never changes once made): `accord.media.derived_links`, as for videos.
"""

from __future__ import annotations

from accord.media.audio import EXTENSIONS
from accord.media.derived_links import Derived
from accord.media.waveform import failure_of, manifest_key, peaks_key, spectrogram_key

WAVEFORM = Derived(
    object_keys=("sample_rate", "channels"),
    extensions=EXTENSIONS,
    state_key="waveform_state",
    error_key="waveform_error",
    links=(("manifest", manifest_key), ("peaks", peaks_key), ("spectrogram", spectrogram_key)),
    manifest_key=manifest_key,
    failure_of=failure_of,
    web="a web address is not decoded by the server; upload the recording, or put it in a bucket",
    dropped=("frames_state", "frames_error", "frames_data", "frames_packets"),  # never a video's
)
is_audio_value = WAVEFORM.names
with_waveform = WAVEFORM.read_form
