"""JSON Lines: one JSON object per line, read in 1 MiB blocks in linear time.

A line longer than the row limit is reported as a bad row (its number, its size, the limit) and
reading goes on at the next line; the long line is never held in memory (`accord.formats.lines`).
"""

from __future__ import annotations

import orjson

from accord.formats.lines import BLOCK, Oversize, split_lines, too_long
from accord.formats.rows import BadRow, Rows, Source


def read_jsonl(source: Source, limit: int, block: int = BLOCK) -> Rows:
    loads = orjson.loads
    for number, lines in split_lines(source, limit, block):
        for raw in lines:
            if isinstance(raw, Oversize):
                yield number, BadRow(too_long(raw.size, limit))
            elif raw and not raw.isspace():
                try:
                    yield number, loads(raw)
                except orjson.JSONDecodeError as exc:
                    yield number, BadRow(f"not valid JSON: {exc}")
            number += 1
