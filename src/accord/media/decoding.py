"""What the media decoders share (`accord.media.images`, `.videos`, `.audio`): the reason a
library gives for a failure, put for a person, the time budget of one decoding, and how a
video or audio file is opened with FFmpeg.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

# FFmpeg's errors read "[Errno 1094995529] Invalid data found when processing input: '/path'":
# the number and the server's own path say nothing to the person who sent the file.
_ERRNO = re.compile(r"^\[Errno -?\d+\]\s*")
_PATH = re.compile(r""":\s*'[^']*'$""")


def reason(exc: BaseException) -> str:
    """``exc``'s message for a person: at most 200 characters, without FFmpeg's error number
    or the server's path of the file (the exception's type when it says nothing)."""
    text = _PATH.sub("", _ERRNO.sub("", str(exc).strip()))
    return (text or type(exc).__name__)[:200]


class Deadline:
    """Stops a decoding that has run longer than allowed: `check` raises ``late(seconds)``
    once ``seconds`` have passed since it was made."""

    def __init__(self, seconds: float, late: Callable[[float], Exception]) -> None:
        self.seconds = seconds
        self.late = late
        self.end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise self.late(self.seconds)


@dataclass(frozen=True)
class MediaFiles:
    """What files of one kind (video, audio) are opened as, and said of when they are not."""

    stream: str  # the stream taken: "video" or "audio"
    like: str  # "a video", "audio": "the file starts like …"
    formats: str  # the formats read, e.g. "an MP4, MOV, MKV or WebM video"
    convert: str  # what to do with a file of another format
    no_stream: tuple[str, str]  # why and what to do when the file holds no such stream
    demuxer_of: Callable[[bytes], str | None]  # from the file's first 16 bytes
    bad: Callable[[str, str, str], Exception]  # (file name, why, what to do)


def open_stream(file: IO[bytes], name: str, kind: MediaFiles) -> tuple[Any, Any, str]:
    """``file`` opened by FFmpeg with the one demuxer its first bytes name (not FFmpeg's own
    guess among all it has): its container, its first stream of ``kind``, the demuxer.
    Raises ``kind.bad`` saying what is wrong (empty, another format, truncated or damaged,
    no such stream)."""
    import av  # the FFmpeg libraries load only when media is read

    head = file.read(16)
    file.seek(0)
    if not head:
        raise kind.bad(name, "the file is empty (0 bytes)", "send the file itself")
    demuxer = kind.demuxer_of(head)
    if demuxer is None:
        raise kind.bad(
            name,
            f"this is not {kind.formats} (its first bytes are those of none of them, "
            "whatever its name says)",
            kind.convert,
        )
    try:
        container = av.open(file, mode="r", format=demuxer)
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise kind.bad(
            name,
            f"the file starts like {kind.like} but cannot be read ({reason(exc)}): it is "
            "truncated or damaged",
            "export or copy it again from its source",
        ) from None
    streams = getattr(container.streams, kind.stream)
    if not streams:
        container.close()
        raise kind.bad(name, *kind.no_stream)
    return container, streams[0], demuxer
