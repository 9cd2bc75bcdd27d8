"""CSV and TSV with a header row. Cells of structured fields (lists, chats) and of
``predictions`` hold JSON; an empty cell is a missing value."""

from __future__ import annotations

import csv
import io
from typing import IO, Any

import orjson

from accord.formats.rows import BadRow, FatalFormatError, Rows

csv.field_size_limit(64 * 1024 * 1024)


def read_csv(source: IO[bytes], delimiter: str, structured: frozenset[str]) -> Rows:
    text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return
        _check_header(header)
        width = len(header)
        json_columns = [i for i, name in enumerate(header) if name in structured]
        for cells in reader:
            line = reader.line_num
            if not cells or (len(cells) == 1 and not cells[0]):
                continue
            if len(cells) != width:
                yield line, BadRow(f"{len(cells)} cells, but the header has {width} columns")
                continue
            yield line, _row(header, cells, json_columns)
    except csv.Error as exc:
        raise FatalFormatError(reader.line_num, f"broken CSV: {exc}") from None
    except UnicodeDecodeError as exc:
        raise FatalFormatError(reader.line_num + 1, f"bytes that are not UTF-8: {exc}") from None
    finally:
        text.detach()


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
