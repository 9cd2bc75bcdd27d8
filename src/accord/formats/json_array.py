"""A JSON array of objects, parsed incrementally (ijson) so a large file never sits in memory.

Rows are numbered by their position in the array ("item 1" is the first). An item longer than
the row limit stops the import with a clear error as soon as the reader has read that many bytes
of it (the parser cannot skip to the next item without parsing this one).
"""

from __future__ import annotations

import ijson

from accord.formats.rows import FatalFormatError, Rows, Source

BUFFER = 64 * 1024


def read_json_array(source: Source, limit: int) -> Rows:
    index = 0
    counted = _Counted(source, limit)
    try:
        head = source.read(1)
        while head and head.isspace():
            head = source.read(1)
        if head != b"[":
            raise FatalFormatError(1, "a JSON import must be an array of objects: [{...}, ...]")
        counted.head = head
        for item in ijson.items(counted, "item", use_float=True, buf_size=BUFFER):
            index += 1
            counted.since_item = 0
            yield index, item
    except _TooLong as exc:
        message = (
            f"item {index + 1} is longer than the limit of {limit:,} bytes for one row (more "
            f"than {exc.size:,} bytes read); nothing past it can be read: shorten or split it, "
            "or ask an admin to raise ACCORD_MAX_ROW_BYTES"
        )
        raise FatalFormatError(index + 1, message) from None
    except ijson.JSONError as exc:
        message = f"the JSON array breaks after item {index}: {exc}"
        raise FatalFormatError(index + 1, message) from None
    except UnicodeDecodeError as exc:
        message = f"bytes that are not UTF-8 after item {index}: {exc}"
        raise FatalFormatError(index + 1, message) from None


class _TooLong(Exception):
    def __init__(self, size: int) -> None:
        self.size = size


class _Counted:
    """``source`` with the bytes already consumed put back in front, counting the bytes read
    since the last item came out: more than the limit (plus the parser's read-ahead) means
    the item being parsed is too long."""

    def __init__(self, source: Source, limit: int) -> None:
        self.head = b""
        self.since_item = 0
        self._source = source
        self._limit = limit + 2 * BUFFER

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""
        if self.head:
            head, self.head = self.head, b""
            data = head + self._source.read(max(size - len(head), 0) if size > 0 else -1)
        else:
            data = self._source.read(size)
        self.since_item += len(data)
        if self.since_item > self._limit:
            raise _TooLong(self.since_item)
        return data
