"""A zip archive written as a stream of bytes (no seeking), for the exports made of many files.

`zipfile` writes to an output it cannot seek by putting each entry's sizes and checksum after
its data (a data descriptor), which every unzip tool reads. The bytes are handed on as they
are made, so memory holds one entry at most.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterator
from typing import IO

# Images are compressed already: storing them as they are saves time and nothing else.
STORED_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp", ".avif")


class _Sink:
    """A write-only file that keeps what is written until `take` (zipfile's output)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts = []
        return data


class ZipStream:
    """``add(name, data)`` entries, ``take()`` the bytes made so far, ``close()`` the end."""

    def __init__(self) -> None:
        self._sink = _Sink()
        self._zip = zipfile.ZipFile(self._sink, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._stamp = time.localtime(time.time())[:6]

    def add(self, name: str, data: bytes) -> None:
        info = zipfile.ZipInfo(name, date_time=self._stamp)
        stored = name.lower().endswith(STORED_SUFFIXES)
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        with self._zip.open(info, "w", force_zip64=len(data) > (1 << 30)) as entry:
            entry.write(data)

    def add_file(self, name: str, file: IO[bytes], chunk: int = 1 << 20) -> Iterator[bytes]:
        """An entry copied from ``file`` a chunk at a time (the bytes made, as they come)."""
        info = zipfile.ZipInfo(name, date_time=self._stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        with self._zip.open(info, "w", force_zip64=True) as entry:
            while data := file.read(chunk):
                entry.write(data)
                yield self._sink.take()

    def take(self) -> bytes:
        return self._sink.take()

    def close(self) -> bytes:
        self._zip.close()
        return self._sink.take()


def zip_chunks(entries: Iterator[tuple[str, bytes]], flush_bytes: int = 1 << 20) -> Iterator[bytes]:
    """A zip of ``(name, data)`` entries, as chunks of about ``flush_bytes``."""
    stream = ZipStream()
    pending = 0
    for name, data in entries:
        stream.add(name, data)
        pending += len(data)
        if pending >= flush_bytes:
            pending = 0
            yield stream.take()
    yield stream.close()
