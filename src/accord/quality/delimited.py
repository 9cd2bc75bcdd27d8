"""Categorical annotations encoded straight from the bytes of a simple CSV file, in NumPy.

A CSV of ``item,annotator,value`` rows whose ids are short (codes, numbers, short names) is read
and encoded here without a CSV parser: the separators are found with one vectorised comparison,
and each field's bytes become one or two 64-bit integers (big-endian, zero-padded on the
right), whose numeric order is the bytes' order, which for UTF-8 is the code point order
``np.unique`` gives Python strings. Encoding is then integer work: ``np.bincount`` when a
column's keys are dense enough, else ``np.unique``.

`encode_delimited` takes only what it reads exactly as a CSV parser would: no quote character,
no NUL byte, line ends ``\\n`` or ``\\r\\n`` throughout, every line with the header's number of
fields, valid UTF-8, ids of at most `MAX_WIDTH` bytes, no empty id, some value present. On
anything else it returns None and the caller uses a full CSV reader (which also says where a
problem is). The result equals ``as_categorical`` of the parsed columns, with missing (empty)
values dropped.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from accord.quality import parallel
from accord.quality.data import AnyArray, Categorical, IntArray

__all__ = ["MAX_WIDTH", "drop_unused", "encode_delimited"]

MAX_WIDTH = 16  # bytes: the longest field the fast encoder takes (two 64-bit words)
_COMMA, _NEWLINE = 44, 10


def encode_delimited(data: bytes, n_columns: int) -> Categorical | None:
    """The first three columns of ``data`` (a whole CSV file, header line first) encoded, or
    None when the file is not one `encode_delimited` reads exactly (see the module)."""
    begin = data.find(b"\n") + 1
    if begin == 0 or begin == len(data) or n_columns < 3 or not _plain(data, begin):
        return None
    crlf = data.find(b"\r", begin) >= 0
    if crlf and not data.count(b"\r", begin) == data.count(b"\r\n", begin) == data.count(
        b"\n", begin
    ):
        return None  # a lone carriage return, or line ends of both kinds
    tail = b"" if data.endswith(b"\n") else b"\r\n" if crlf else b"\n"
    # The body, its missing line end, and 16 zero bytes so that 8 bytes can be read as one
    # 64-bit word at any field start and 8 bytes past it.
    buf = np.frombuffer(data[begin:] + tail + bytes(16), dtype=np.uint8)
    size = buf.shape[0] - 16
    fields = _fields(buf[:size], n_columns, crlf)
    if fields is None:
        return None
    lengths = [end - start for start, end in fields]
    if any(int(length.max()) > MAX_WIDTH for length in lengths):
        return None  # long ids: Arrow's reader sorts them faster
    if int(lengths[0].min()) == 0 or int(lengths[1].min()) == 0:
        return None  # an empty id: pandas says where
    words = np.ndarray(shape=(size + 8,), dtype=np.uint64, buffer=buf, strides=(1,))
    columns: list[Any] = [None] * 3

    def encode(piece: int) -> None:
        index = (1, 0, 2)[piece]  # the items, the longest to encode, on the second thread
        columns[index] = _encode_column(words, buf, *fields[index])

    parallel.each(encode, 3, fields[0][0].shape[0])
    return categorical_from_codes(*columns)


def categorical_from_codes(
    items: tuple[Any, Any], annotators: tuple[Any, Any], labels: tuple[Any, Any]
) -> Categorical | None:
    """The answers from three encoded columns, each ``(sorted distinct values, codes)``.

    An empty label value is a missing annotation: its rows are dropped, and with them any item
    or annotator left without answers. None when no row has a label.
    """
    (item_ids, item), (annotator_ids, annotator), (classes, label) = items, annotators, labels
    if classes[0] == "":
        keep = label != 0
        if not keep.any():
            return None
        item, annotator, label = item[keep], annotator[keep], label[keep] - 1
        classes = classes[1:]
        item_ids, item = drop_unused(item_ids, item)
        annotator_ids, annotator = drop_unused(annotator_ids, annotator)
    return Categorical(item, annotator, item_ids, annotator_ids, label, np.asarray(classes))


def _plain(data: bytes, begin: int) -> bool:
    """No quotes or NUL bytes after the header, and valid UTF-8."""
    if data.find(b'"', begin) >= 0 or data.find(b"\0", begin) >= 0:
        return False
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _fields(
    body: np.ndarray[Any, Any], n_columns: int, crlf: bool
) -> list[tuple[IntArray, IntArray]] | None:
    """Start and end offsets of the first three fields of every line, or None if a line has
    another number of fields than ``n_columns`` (or is empty)."""
    line_ends = body == _NEWLINE
    lines = int(np.count_nonzero(line_ends))
    seps = np.flatnonzero(line_ends | (body == _COMMA))
    if seps.shape[0] != lines * n_columns:
        return None
    table = seps.reshape(lines, n_columns)
    # Every n_columns-th separator a line end, and as many of them as lines: no line has a
    # line end where a comma should be.
    if not line_ends[table[:, -1]].all():
        return None
    starts = np.empty(table.shape[0], dtype=np.intp)
    starts[0] = 0
    starts[1:] = table[:-1, -1] + 1
    ends = [table[:, 0], table[:, 1], table[:, 2]]
    if crlf and n_columns == 3:
        ends[2] = ends[2] - 1  # the value ends before "\r\n"
    return [(starts, ends[0]), (ends[0] + 1, ends[1]), (ends[1] + 1, ends[2])]


def _encode_column(
    words: np.ndarray[Any, Any], buf: np.ndarray[Any, Any], start: IntArray, end: IntArray
) -> tuple[AnyArray, IntArray]:
    """A column's distinct values (sorted, as Python strings) and each row's code; its fields
    at most `MAX_WIDTH` bytes long."""
    length = end - start
    width = int(length.max())
    keys = [
        _word(words, start + offset, length - offset, min(8, width - offset))
        for offset in range(0, width, 8)
    ]
    if not keys:  # every field is empty
        keys = [np.zeros(start.shape[0], dtype=np.uint64)]
    first, codes = _factorize(keys[0])
    if len(keys) == 1:
        aligned = first << np.uint64(8 * (8 - max(width, 1)))
        values = list(map(bytes.decode, aligned.astype(">u8").view("S8").tolist()))
    else:  # longer fields: refine the codes word by word, in order
        for more in keys[1:]:
            _, extra = _factorize(more)
            _, codes = _factorize(codes.astype(np.uint64) * np.uint64(extra.max() + 1) + extra)
        rows = _first_rows(codes)
        values = [
            bytes(buf[s:e]).decode("utf-8") for s, e in zip(start[rows], end[rows], strict=True)
        ]
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out, codes


# _MASKS[n]: the first n bytes of a big-endian 64-bit word kept, the others zeroed.
_MASKS = np.array([((1 << 8 * n) - 1) << 8 * (8 - n) for n in range(9)], dtype=np.uint64)


def _word(
    words: np.ndarray[Any, Any], start: IntArray, left: IntArray, size: int
) -> np.ndarray[Any, Any]:
    """The ``size`` bytes at each ``start`` as an integer (big-endian), the bytes past the
    field's end (``left`` bytes from ``start``) zeroed: the same order as the bytes."""
    raw = words[start]  # indexing, not take: 10x faster on this unaligned view
    if sys.byteorder == "little":
        raw = raw.byteswap()
    raw &= _MASKS.take(np.clip(left, 0, 8))
    if size < 8:
        raw >>= np.uint64(8 * (8 - size))
    return raw


def _factorize(keys: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], IntArray]:
    """Sorted distinct keys and each key's index among them."""
    low = keys.min()
    span = int(keys.max() - low)
    n = keys.shape[0]
    if span < 4 * n + 1024:  # dense enough for a table: O(n)
        offsets = (keys - low).astype(np.intp)
        present = np.bincount(offsets, minlength=span + 1) > 0
        remap = np.cumsum(present) - 1
        return np.flatnonzero(present).astype(np.uint64) + low, remap[offsets]
    change = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    if change.shape[0] * 2 < n:  # long runs of one key (an item's rows together)
        starts = np.concatenate((np.zeros(1, dtype=change.dtype), change))
        distinct, run_codes = np.unique(keys[starts], return_inverse=True)
        lengths = np.diff(np.append(starts, n))
        return distinct, np.repeat(run_codes.reshape(-1), lengths).astype(np.intp)
    distinct, codes = np.unique(keys, return_inverse=True)
    return distinct, codes.reshape(-1).astype(np.intp)


def _first_rows(codes: IntArray) -> IntArray:
    """For each code, one row that has it."""
    rows = np.empty(int(codes.max()) + 1, dtype=np.intp)
    rows[codes] = np.arange(codes.shape[0], dtype=np.intp)  # rows of one code are alike
    return rows


def drop_unused(ids: AnyArray, codes: IntArray) -> tuple[AnyArray, IntArray]:
    """Drop the ids no row uses any more, and renumber the codes."""
    used = np.bincount(codes, minlength=ids.shape[0]) > 0
    if used.all():
        return ids, codes
    remap = np.cumsum(used) - 1
    return ids[used], remap[codes].astype(np.intp)
