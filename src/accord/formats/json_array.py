"""A JSON array of objects, parsed incrementally (ijson) so a large file never sits in memory.

Rows are numbered by their position in the array ("item 1" is the first).
"""

from __future__ import annotations

from typing import IO

import ijson

from accord.formats.rows import FatalFormatError, Rows


def read_json_array(source: IO[bytes]) -> Rows:
    index = 0
    try:
        head = source.read(1)
        while head and head.isspace():
            head = source.read(1)
        if head != b"[":
            raise FatalFormatError(1, "a JSON import must be an array of objects: [{...}, ...]")
        for item in ijson.items(_Prefixed(head, source), "item", use_float=True):
            index += 1
            yield index, item
    except ijson.JSONError as exc:
        message = f"the JSON array breaks after item {index}: {exc}"
        raise FatalFormatError(index + 1, message) from None
    except UnicodeDecodeError as exc:
        message = f"bytes that are not UTF-8 after item {index}: {exc}"
        raise FatalFormatError(index + 1, message) from None


class _Prefixed:
    """``source`` with the bytes already consumed put back in front."""

    def __init__(self, head: bytes, source: IO[bytes]) -> None:
        self._head = head
        self._source = source

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""
        if self._head:
            head, self._head = self._head, b""
            return head + self._source.read(max(size - len(head), 0) if size > 0 else -1)
        return self._source.read(size)
