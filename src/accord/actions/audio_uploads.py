"""Audio files in a media upload (`accord.actions.media` hands them here): each is told by
its first bytes (an M4A or WebM file by having sound and no picture), checked by
`accord.media.audio.probe` (against the ``ACCORD_AUDIO_MAX_*`` limits, within a deadline),
then stored like an image; the answer carries ``duration``, ``sample_rate`` and ``channels``,
and the upload starts the ``waveform`` job of the recordings (`accord.jobs.waveform`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from accord.media.audio import (
    AudioInfo,
    AudioLimits,
    demuxer_of,
    has_audio_only,
    looks_like_audio,
    probe_path,
)

VIDEO_NAMES = (".mp4", ".m4v", ".mov", ".mkv")  # sound without a picture there: a bad video


def is_audio(path: Path, name: str) -> bool:
    """Whether the file is taken for audio: its bytes say so (an MP4 or Matroska file with
    sound and no picture, unless its name says it is meant as a video: .mp4, .m4v, .mov,
    .mkv), or (bytes Accord does not know) its name ends in an audio extension (it is then
    refused with the reason)."""
    if has_audio_only(path):
        with path.open("rb") as file:
            pure = demuxer_of(file.read(16)) not in ("mov", "matroska")
        return pure or not name.lower().endswith(VIDEO_NAMES)
    with path.open("rb") as file:
        known = demuxer_of(file.read(16)) is not None
    return not known and looks_like_audio(name)


def check_audio(path: Path, name: str, limits: AudioLimits | None) -> AudioInfo:
    """The recording's metadata; `accord.media.audio.BadAudio` if Accord cannot take it."""
    return probe_path(path, name, limits)


def audio_answer(info: AudioInfo) -> dict[str, Any]:
    """What the upload's answer says of a recording besides its name, src and size."""
    return {
        "format": info.container,
        "duration": info.duration,
        "sample_rate": info.sample_rate,
        "channels": info.channels,
        "audio": {"codec": info.codec},
    }
