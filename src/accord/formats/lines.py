"""Splitting a byte stream into lines in linear time, with a cap on a line's length.

A line that spans blocks is kept as a list of pieces and joined once, when its end arrives, so
every byte is copied a bounded number of times however long the line (joining the rest of a
line to each new block instead is quadratic: 2 s for one 64 MiB line). A line longer than the
cap is not held: its pieces are dropped as soon as it passes the cap, the reader only counts
its bytes up to the next newline, and the line comes out as `Oversize`. Memory stays below
the cap plus one block, whatever the file.
"""

from __future__ import annotations

from collections.abc import Iterator

from accord.formats.rows import Source

BLOCK = 1 << 20


class Oversize:
    """A line longer than the cap, dropped: only its size in bytes (without the newline)."""

    __slots__ = ("size",)

    def __init__(self, size: int) -> None:
        self.size = size


Line = bytes | Oversize


def split_lines(source: Source, limit: int, block: int = BLOCK) -> Iterator[tuple[int, list[Line]]]:
    """The lines of ``source`` without their ``\\n``, a block's worth at a time:
    ``(number of the first line, lines)``, numbered from 1 and consecutive."""
    number = 1
    parts: list[bytes] = []  # the pieces of a line that spans blocks
    held = 0  # their length
    skipped = -1  # when >= 0: the length so far of an over-long line being skipped
    while chunk := source.read(block):
        pieces: list[Line] = list(chunk.split(b"\n"))
        tail = pieces.pop()  # after the block's last newline: the start of a line
        if pieces:
            first = pieces[0]
            assert isinstance(first, bytes)
            if skipped >= 0:
                pieces[0] = Oversize(skipped + len(first))
                skipped = -1
            elif parts:
                parts.append(first)
                held += len(first)
                pieces[0] = Oversize(held) if held > limit else b"".join(parts)
                parts, held = [], 0
            if len(chunk) > limit:  # else no line inside the block can be over the cap
                for i, piece in enumerate(pieces):
                    if isinstance(piece, bytes) and len(piece) > limit:
                        pieces[i] = Oversize(len(piece))
            yield number, pieces
            number += len(pieces)
        assert isinstance(tail, bytes)
        if skipped >= 0:
            skipped += len(tail)
        elif tail:
            held += len(tail)
            if held > limit:
                skipped, parts, held = held, [], 0
            else:
                parts.append(tail)
    if skipped >= 0:
        yield number, [Oversize(skipped)]
    elif parts:
        yield number, [b"".join(parts)]


def too_long(size: int, limit: int, what: str = "line") -> str:
    """What to tell a person about a row over the cap."""
    return (
        f"the {what} is {size:,} bytes long, more than the limit of {limit:,} bytes for one "
        "row; shorten or split it, or ask an admin to raise ACCORD_MAX_ROW_BYTES"
    )
