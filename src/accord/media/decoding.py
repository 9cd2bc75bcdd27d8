"""What the media decoders share (`accord.media.images`, `.videos`, `.audio`): the reason a
library gives for a failure, put for a person, and the time budget of one decoding.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

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
