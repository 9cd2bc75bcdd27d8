"""Video events, one row per event, as CSV or as a JSON array (docs/video.md, "Events").

Each row says which task, annotation and question the event belongs to, its label, its frames
(both included) and its times in seconds: ``start_s`` when frame ``start`` is shown, ``end_s``
when the frame after ``end`` would be (the event's end; for the last frame, the video's end).
Streaming writers: constant memory whatever the number of rows.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from typing import Any

import orjson

FLUSH_BYTES = 1 << 20
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class EventRow:
    task_id: int
    external_id: str
    annotation_id: int
    annotator: str
    question: str
    event_id: str
    label: str
    start_frame: int
    end_frame: int
    start_s: float | None  # None: the video's times are unknown (no frames job, no fps)
    end_s: float | None
    seconds_from: str  # "manifest" (the frames job's times), "fps" (frame / fps) or ""
    attributes: dict[str, Any]


COLUMNS = tuple(f.name for f in fields(EventRow))


def _cell(value: Any, safe: bool) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict):
        value = orjson.dumps(value).decode()
    formula = isinstance(value, str) and value.startswith(FORMULA_START)
    if safe and formula and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value  # a spreadsheet shows it instead of running it (CSV injection)
    return value


def events_csv(rows: Iterable[EventRow], *, spreadsheet_safe: bool = True) -> Iterator[bytes]:
    """A header, then one CSV row per event (RFC 4180 line ends); ``attributes`` as JSON."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(getattr(row, name), spreadsheet_safe) for name in COLUMNS])
        if buffer.tell() >= FLUSH_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def events_json(rows: Iterable[EventRow]) -> Iterator[bytes]:
    """A JSON array of one object per event (the CSV's columns as keys)."""
    chunk = bytearray(b"[")
    first = True
    for row in rows:
        if not first:
            chunk += b",\n"
        first = False
        chunk += orjson.dumps(asdict(row))
        if len(chunk) >= FLUSH_BYTES:
            yield bytes(chunk)
            chunk.clear()
    chunk += b"]\n"
    yield bytes(chunk)
