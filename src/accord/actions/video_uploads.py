"""Video files in a media upload (`accord.actions.media` hands them here): each is told by
its first bytes, checked by `accord.media.videos.probe` (against the ``ACCORD_VIDEO_MAX_*``
limits, within a deadline), then stored like an image; the answer carries its metadata, and
the upload starts the ``frames`` job of the videos (`accord.jobs.frames`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from accord.media.videos import VideoInfo, VideoLimits, demuxer_of, probe_path


def is_video(path: Path) -> bool:
    """Whether the file's first bytes are those of a container Accord reads videos from."""
    with path.open("rb") as file:
        return demuxer_of(file.read(16)) is not None


def check_video(path: Path, name: str, limits: VideoLimits | None) -> VideoInfo:
    """The video's metadata; `accord.media.videos.BadVideo` if Accord cannot take it."""
    return probe_path(path, name, limits)


def video_answer(info: VideoInfo) -> dict[str, Any]:
    """What the upload's answer says of a video besides its name, src and size."""
    return {
        "format": info.container,
        "video": {
            "codec": info.codec,
            "frames": info.frames,
            "fps": info.fps,
            "variable_rate": info.variable_rate,
            "duration": info.duration,
            "rotation": info.rotation,
        },
    }
