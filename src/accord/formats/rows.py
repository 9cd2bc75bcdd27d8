"""Choosing a reader for an import: by the name given, the content type, or the file name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from accord.errors import Invalid

FORMATS = ("jsonl", "json", "csv", "tsv")
MAX_ROW_BYTES = 16 * 1024 * 1024  # the default of ACCORD_MAX_ROW_BYTES


class BadRow:
    """A row that could not be read; the import reports ``message`` at its line."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


class FatalFormatError(Exception):
    """The file cannot be read past this point (broken JSON array, undecodable bytes)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


Rows = Iterator[tuple[int, Any]]


class Source(Protocol):
    """Where a reader reads from: a file opened in binary mode, or anything with its `read`."""

    def read(self, size: int = -1, /) -> bytes: ...


_TYPES = {
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/x-jsonlines": "jsonl",
    "application/json": "json",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}


def detect_format(fmt: str | None, content_type: str | None, filename: str | None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise Invalid(
                f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}",
                details={"field": "format"},
            )
        return fmt
    name = (filename or "").lower()
    for ext in (".jsonl", ".ndjson"):
        if name.endswith(ext):
            return "jsonl"
    for ext in FORMATS:
        if name.endswith("." + ext):
            return ext
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime in _TYPES:
        return _TYPES[mime]
    raise Invalid(
        "cannot tell the file's format: pass format (jsonl, json, csv or tsv), or a file name "
        "ending in .jsonl, .json, .csv or .tsv",
        details={"field": "format"},
    )


def read_rows(
    fmt: str, source: Source, structured: frozenset[str], max_row_bytes: int = MAX_ROW_BYTES
) -> Rows:
    """Rows of ``source``; ``structured`` names the CSV columns whose cells hold JSON.
    A row longer than ``max_row_bytes`` is never held: it is a `BadRow` (JSONL) or, where
    the format cannot resume after it, a `FatalFormatError` (CSV, JSON array)."""
    if fmt == "jsonl":
        from accord.formats.jsonl import read_jsonl

        return read_jsonl(source, max_row_bytes)
    if fmt == "json":
        from accord.formats.json_array import read_json_array

        return read_json_array(source, max_row_bytes)
    from accord.formats.csv import read_csv

    return read_csv(source, "\t" if fmt == "tsv" else ",", structured, max_row_bytes)
