"""The import readers: linear in the length of a line, a cap on a row's size, bounded memory."""

from __future__ import annotations

import io
import tracemalloc
from typing import Any

import pytest

from accord.formats import BadRow, FatalFormatError, read_rows
from accord.formats.jsonl import read_jsonl
from accord.formats.lines import Oversize, split_lines

BLOCK = 64 * 1024
MiB = 1024 * 1024


class Repeated:
    """A file of one very long line (``size`` bytes of a JSON string, no newline inside),
    then ``tail``: made as it is read, so only the reader's own buffers are in memory."""

    def __init__(self, size: int, tail: bytes = b"") -> None:
        self._parts = [b'{"text": "', b"x" * BLOCK, b'"}\n' + tail]
        self._left = size

    def read(self, size: int = -1, /) -> bytes:
        if self._parts[0]:
            head, self._parts[0] = self._parts[0], b""
            return head
        if self._left > 0:
            self._left -= BLOCK
            return self._parts[1]
        tail, self._parts[2] = self._parts[2], b""
        return tail


def rows(fmt: str, body: bytes, limit: int = 100) -> list[tuple[int, Any]]:
    return [
        (line, f"bad: {value.message}" if isinstance(value, BadRow) else value)
        for line, value in read_rows(fmt, io.BytesIO(body), frozenset(), limit)
    ]


def test_split_lines_numbers_lines_across_blocks() -> None:
    body = b"a\n\nbb\n" + b"c" * 10 + b"\nd"
    for block in (1, 2, 3, 7, 100):
        lines: list[Any] = []
        numbers = []
        for first, found in split_lines(io.BytesIO(body), 100, block):
            numbers += range(first, first + len(found))
            lines += found
        assert lines == [b"a", b"", b"bb", b"c" * 10, b"d"], block
        assert numbers == [1, 2, 3, 4, 5]


def test_split_lines_drops_a_line_over_the_cap_and_goes_on() -> None:
    body = b"short\n" + b"x" * 50 + b"\nafter\n" + b"y" * 30
    for block in (4, 16, 1000):
        found = [x for _, lines in split_lines(io.BytesIO(body), 20, block) for x in lines]
        assert found[0] == b"short" and found[2] == b"after"
        assert isinstance(found[1], Oversize) and found[1].size == 50, block
        assert isinstance(found[3], Oversize) and found[3].size == 30, block


def test_jsonl_long_line_is_a_bad_row_with_its_size_and_the_limit() -> None:
    body = b'{"a": 1}\n\n{"b": 2}\n{"c": "' + b"x" * 300 + b'"}\n{"d": 4}'
    found = rows("jsonl", body)
    assert found[:2] == [(1, {"a": 1}), (3, {"b": 2})]
    line, message = found[2]
    assert line == 4
    assert message == (
        "bad: the line is 309 bytes long, more than the limit of 100 bytes for one row; "
        "shorten or split it, or ask an admin to raise ACCORD_MAX_ROW_BYTES"
    )
    assert found[3] == (5, {"d": 4})


def test_a_64_mib_line_is_never_held() -> None:
    """Reading a file with one 64 MiB line in 64 KiB blocks, with a 1 MiB cap: memory peaks
    near the cap and a block, not the line, and reading goes on after it."""
    tracemalloc.start()
    try:
        found = list(read_jsonl(Repeated(64 * MiB, b'{"after": true}\n'), MiB, BLOCK))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [line for line, _ in found] == [1, 2]
    assert isinstance(found[0][1], BadRow) and "67,108,8" in found[0][1].message
    assert found[1][1] == {"after": True}
    assert peak < MiB + 4 * BLOCK, peak


def test_a_long_line_under_the_cap_is_joined_once() -> None:
    """A 16 MiB line in 64 KiB blocks: the pieces are kept and joined when the line ends
    (about two copies of the line at the peak), never re-joined block after block."""
    tracemalloc.start()
    try:
        lines = [x for _, found in split_lines(Repeated(16 * MiB), 32 * MiB, BLOCK) for x in found]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(lines) == 1 and isinstance(lines[0], bytes) and len(lines[0]) > 16 * MiB
    assert peak < 2.5 * 16 * MiB, peak


def test_csv_records_spanning_lines_and_the_record_cap() -> None:
    assert rows("csv", b'\xef\xbb\xbfid,text\r\n1,"a\nb"\r\n2,two\r\n') == [
        (3, {"id": "1", "text": "a\nb"}),
        (4, {"id": "2", "text": "two"}),
    ]
    with pytest.raises(FatalFormatError) as caught:
        rows("csv", b'id,text\n1,"' + b"x\n" * 100 + b'"\n2,b\n')
    assert caught.value.line == 2
    assert caught.value.message.startswith(
        "the record from line 2 is longer than the limit of 100 bytes for one row (101 bytes "
        "by line 50); nothing past it can be read"
    )


def test_json_array_item_cap() -> None:
    assert rows("json", b'[{"a": 1}, {"b": "' + b"x" * 300 + b'"}]', limit=1000) == [
        (1, {"a": 1}),
        (2, {"b": "x" * 300}),
    ]
    with pytest.raises(FatalFormatError) as caught:
        rows("json", b'[{"a": 1}, {"b": "' + b"x" * 400_000 + b'"}]', limit=1000)
    assert caught.value.line == 2
    assert "item 2 is longer than the limit of 1,000 bytes" in caught.value.message
