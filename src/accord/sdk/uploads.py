"""Request bodies the SDK streams: a file, or rows as JSONL, in chunks of `CHUNK` bytes,
with an optional progress callback (bytes sent so far, per chunk)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

CHUNK = 1 << 20
Progress = Callable[[int], None]


def file_chunks(path: Path, progress: Progress | None) -> Iterator[bytes]:
    with open(path, "rb") as source:
        while block := source.read(CHUNK):
            if progress:
                progress(len(block))
            yield block


def jsonl_chunks(rows: Iterable[dict[str, Any]], progress: Progress | None) -> Iterator[bytes]:
    buffer = io.BytesIO()
    for row in rows:
        buffer.write(orjson.dumps(row))
        buffer.write(b"\n")
        if buffer.tell() >= CHUNK:
            block = buffer.getvalue()
            if progress:
                progress(len(block))
            yield block
            buffer = io.BytesIO()
    if buffer.tell():
        yield buffer.getvalue()
