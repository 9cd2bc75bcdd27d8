"""JSON Lines: one JSON object per line, read in 1 MiB blocks."""

from __future__ import annotations

from typing import IO

import orjson

from accord.formats.rows import BadRow, Rows

BLOCK = 1 << 20


def read_jsonl(source: IO[bytes]) -> Rows:
    loads = orjson.loads
    line = 0
    rest = b""
    while True:
        block = source.read(BLOCK)
        if not block:
            break
        lines = (rest + block).split(b"\n") if rest else block.split(b"\n")
        rest = lines.pop()
        for raw in lines:
            line += 1
            if not raw or raw.isspace():
                continue
            try:
                yield line, loads(raw)
            except orjson.JSONDecodeError as exc:
                yield line, BadRow(f"not valid JSON: {exc}")
    if rest and not rest.isspace():
        line += 1
        try:
            yield line, loads(rest)
        except orjson.JSONDecodeError as exc:
            yield line, BadRow(f"not valid JSON: {exc}")
