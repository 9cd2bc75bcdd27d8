"""CSV and TSV with a header row. Cells of structured fields (lists, chats) and of
``predictions`` hold JSON; an empty cell is a missing value.

Lines come from `accord.formats.lines` (linear, capped), decoded one at a time. A record longer
than the row limit stops the import with a clear error: inside a quoted cell a newline does
not end the record, so the reader cannot tell where the record ends without holding it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

import orjson

from accord.formats.lines import BLOCK, Oversize, split_lines
from accord.formats.rows import BadRow, FatalFormatError, Rows, Source

BOM = "\ufeff"


class _Record:
    """How many bytes of the current record the reader has taken so far, from which line."""

    __slots__ = ("size", "start")

    def __init__(self) -> None:
        self.size = 0
        self.start = 1


def read_csv(
    source: Source, delimiter: str, structured: frozenset[str], limit: int, block: int = BLOCK
) -> Rows:
    # Cells are bounded by the record limit below; the csv module's own cell limit must not
    # be the smaller one (it is process-wide, so it is raised, never lowered).
    if csv.field_size_limit() <= limit:
        csv.field_size_limit(limit + 1)
    record = _Record()
    reader = csv.reader(_lines(source, limit, block, record), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return
        _check_header(header)
        width = len(header)
        json_columns = [i for i, name in enumerate(header) if name in structured]
        record.size = 0
        for cells in reader:
            line = reader.line_num
            record.size = 0
            if not cells or (len(cells) == 1 and not cells[0]):
                continue
            if len(cells) != width:
                yield line, BadRow(f"{len(cells)} cells, but the header has {width} columns")
                continue
            yield line, _row(header, cells, json_columns)
    except csv.Error as exc:
        raise FatalFormatError(reader.line_num, f"broken CSV: {exc}") from None


def _lines(source: Source, limit: int, block: int, record: _Record) -> Iterator[str]:
    """The file's lines as text, each with its newline; the current record kept under
    ``limit`` bytes."""
    first = True
    for number, lines in split_lines(source, limit, block):
        for raw in lines:
            if record.size == 0:
                record.start = number
            record.size += (raw.size if isinstance(raw, Oversize) else len(raw)) + 1
            if isinstance(raw, Oversize) or record.size > limit:
                raise FatalFormatError(
                    record.start,
                    f"the record from line {record.start} is longer than the limit of "
                    f"{limit:,} bytes for one row ({record.size:,} bytes by line {number}); "
                    "nothing past it can be read: shorten or split it, or ask an admin to "
                    "raise ACCORD_MAX_ROW_BYTES",
                )
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise FatalFormatError(number, f"bytes that are not UTF-8: {exc}") from None
            if first:
                first = False
                if text.startswith(BOM):
                    text = text[1:]
            yield text + "\n"
            number += 1


def _check_header(header: list[str]) -> None:
    seen: set[str] = set()
    for i, name in enumerate(header):
        if not name.strip():
            raise FatalFormatError(1, f"column {i + 1} of the header has no name")
        if name in seen:
            raise FatalFormatError(1, f"the header names the column {name!r} twice")
        seen.add(name)


def _row(header: list[str], cells: list[str], json_columns: list[int]) -> Any:
    row: dict[str, Any] = {name: cell for name, cell in zip(header, cells, strict=True) if cell}
    for i in json_columns:
        cell = cells[i]
        if not cell:
            continue
        try:
            row[header[i]] = orjson.loads(cell)
        except orjson.JSONDecodeError as exc:
            return BadRow(f"column {header[i]!r}: the cell must hold JSON ({exc})")
    return row
