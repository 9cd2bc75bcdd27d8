"""RTTM (NIST's Rich Transcription Time Marked), the speaker diarization format, both ways.

One line per speaker turn, fields separated by spaces::

    SPEAKER <file-id> 1 <start> <duration> <NA> <NA> <speaker> <NA> <NA>

``start`` and ``duration`` in seconds. Writing: three decimals (whole milliseconds, as the
answers' times are), one line per segment in time order (ties in the answer's order), the
segment's ``speaker`` else its label as the name. Names and file ids cannot hold spaces in
RTTM: each run of white space in one is written as ``_``.

Reading: lines of another type than ``SPEAKER`` (``SPKR-INFO``, ``LEXEME``, ...), empty
lines and ``;;`` comments are passed over; a ``SPEAKER`` line needs at least the eight
fields up to the name (the two trailing ``<NA>`` may be missing). Times are rounded to the
millisecond. A start that is no number or is negative, and a duration that is no number or
not above zero (the turn would end before it starts), are errors naming the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from accord.formats.audio_tracks import Span, milliseconds, read_text, seconds_text, where
from accord.formats.shapes import DatasetError

SPACES = re.compile(r"\s+")


def token(text: str) -> str:
    """``text`` as one RTTM field: white space runs as ``_`` (an empty one as ``<NA>``)."""
    return SPACES.sub("_", text.strip()) or "<NA>"


def rttm_line(file_id: str, span: Span) -> str:
    duration = span.end - span.start
    return (
        f"SPEAKER {token(file_id)} 1 {seconds_text(span.start)} {seconds_text(duration)} "
        f"<NA> <NA> {token(span.speaker or '')} <NA> <NA>\n"
    )


def rttm_chunks(
    files: Iterable[tuple[str, list[Span]]], flush_bytes: int = 1 << 20
) -> Iterator[bytes]:
    """The RTTM text of ``(file id, spans)`` pairs, as chunks of about ``flush_bytes``."""
    chunk: list[str] = []
    size = 0
    for file_id, spans in files:
        for span in spans:
            line = rttm_line(file_id, span)
            chunk.append(line)
            size += len(line)
        if size >= flush_bytes:
            yield "".join(chunk).encode()
            chunk, size = [], 0
    yield "".join(chunk).encode()


def parse_rttm(text: str, name: str) -> dict[str, list[Span]]:
    """The turns of an RTTM text by file id, in the file's order (see the module); ``name``
    (the file's) starts every message."""
    files: dict[str, list[Span]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(";;"):
            continue
        parts = line.split()
        if parts[0] != "SPEAKER":
            continue
        if len(parts) < 8:
            raise DatasetError(
                f"{where(name, number)}: a SPEAKER line has 10 fields (SPEAKER <file-id> 1 "
                f"<start> <duration> <NA> <NA> <speaker> <NA> <NA>), this one {len(parts)}"
            )
        start = milliseconds(parts[3], name, number, "start")
        duration = milliseconds(parts[4], name, number, "duration")
        if start < 0:
            raise DatasetError(f"{where(name, number)}: the start {parts[3]} is below 0 s")
        if duration <= 0:
            raise DatasetError(
                f"{where(name, number)}: the duration {parts[4]} is not above 0 s (rounded to "
                "the millisecond), so the turn would end before it starts; give the turn's "
                "length in seconds"
            )
        files.setdefault(parts[1], []).append(
            Span(start=start, end=start + duration, speaker=parts[7], line=number)
        )
    return files


def read_rttm(path: Path) -> dict[str, list[Span]]:
    """`parse_rttm` of the file at ``path`` (UTF-8)."""
    return parse_rttm(read_text(path), str(path))
