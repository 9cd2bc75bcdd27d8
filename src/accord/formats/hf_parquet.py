"""Answers as Parquet with typed columns, for Hugging Face ``datasets`` (docs/training_exports.md,
"hf-parquet").

One row per answer: the meta columns (`META`), then one column per field and one per question
(a field or question whose name is a meta column's gets ``data.`` or ``answer.`` before it),
each typed from its kind (`field_type`, `question_type`): strings, whole numbers, floats,
booleans, lists and structs, so ``datasets`` reads them as typed features. Kinds with no typed
form here (shapes, masks, events, tracks, segments, transcripts) are JSON text.

Written through ``pyarrow.parquet.ParquetWriter`` one row group of `ROW_GROUP` rows at a time
into a sink whose bytes are handed on after each group: memory holds one group.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from accord.formats.training import Item, Report
from accord.kinds import Interface

ROW_GROUP = 5000
META = (
    ("task_id", pa.int64()),
    ("external_id", pa.string()),
    ("annotation_id", pa.int64()),
    ("annotator", pa.string()),
    ("review_state", pa.string()),
    ("source", pa.string()),
)
SPAN = pa.struct(
    [("start", pa.int64()), ("end", pa.int64()), ("label", pa.string()), ("text", pa.string())]
)
MEDIA_KEYS: dict[str, list[tuple[str, pa.DataType]]] = {
    "image": [("width", pa.int64()), ("height", pa.int64())],
    "video": [
        ("frames", pa.int64()),
        ("fps", pa.float64()),
        ("width", pa.int64()),
        ("height", pa.int64()),
        ("duration", pa.float64()),
    ],
    "audio": [("duration", pa.float64()), ("sample_rate", pa.int64()), ("channels", pa.int64())],
}

Convert = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _json(value: Any) -> Any:
    return None if value is None else orjson.dumps(value).decode()


def field_type(config: Any) -> tuple[pa.DataType, Convert]:
    kind = config.kind
    if kind in ("text", "markdown"):
        return pa.string(), _same
    if kind == "text_list":
        return pa.list_(pa.string()), _same
    if kind == "chat":
        turn = pa.struct([("role", pa.string()), ("content", pa.string()), ("name", pa.string())])
        return pa.list_(turn), _same
    if kind in MEDIA_KEYS:
        keys = [("src", pa.string()), *MEDIA_KEYS[kind]]

        def media(value: Any) -> Any:
            if value is None:
                return None
            found = value if isinstance(value, dict) else {"src": value}
            return {k: found.get(k) for k, _ in keys}

        return pa.struct(keys), media
    return pa.string(), _json


def question_type(config: Any) -> tuple[pa.DataType, Convert]:
    kind = config.kind
    if kind in ("choice", "image_class"):
        if config.multiple:
            return pa.list_(pa.string()), lambda v: v.get("choices")
        return pa.string(), lambda v: v.get("choice")
    if kind == "rating":
        whole = float(config.step).is_integer()
        return (pa.int64() if whole else pa.float64()), lambda v: v.get("rating")
    if kind == "text":
        return pa.string(), lambda v: v.get("text")
    if kind == "spans":
        return pa.list_(SPAN), lambda v: v.get("spans")
    if kind == "pairwise":
        return pa.struct([("choice", pa.string()), ("strength", pa.int64())]), _same
    if kind == "ranking":
        if config.ties:
            return pa.list_(pa.list_(pa.int64())), lambda v: [
                g if isinstance(g, list) else [g] for g in v.get("order") or []
            ]
        return pa.list_(pa.int64()), lambda v: v.get("order")
    if kind == "rubric":
        criteria = pa.struct(
            [(c.name, pa.bool_() if c.type == "pass_fail" else pa.int64()) for c in config.criteria]
        )
        return pa.struct([("criteria", criteria), ("comment", pa.string())]), _same
    if kind == "turns":
        turn = pa.struct(
            [("index", pa.int64()), ("rating", pa.int64()), ("labels", pa.list_(pa.string()))]
        )
        return pa.list_(turn), lambda v: v.get("turns")
    return pa.string(), _json


class Columns:
    """The schema of a project's rows and how each row is made from an `Item`."""

    def __init__(self, interface: Interface) -> None:
        from accord.kinds import QUESTION_KINDS

        meta = {name for name, _ in META}
        columns: list[tuple[str, pa.DataType]] = list(META)
        self._fields: list[tuple[str, str, Convert]] = []
        self._questions: list[tuple[str, str, Convert, Any]] = []
        for f in interface.fields:
            kind, convert = field_type(f)
            column = f"data.{f.name}" if f.name in meta else f.name
            columns.append((column, kind))
            self._fields.append((column, f.name, convert))
        for q in interface.questions:
            kind, convert = question_type(q)
            column = f"answer.{q.name}" if q.name in meta else q.name
            columns.append((column, kind))
            self._questions.append((column, q.name, convert, QUESTION_KINDS[q.kind]))
        self.schema = pa.schema(columns)

    def row(self, item: Item) -> dict[str, Any]:
        row: dict[str, Any] = {
            "task_id": item.task_id,
            "external_id": item.external_id,
            "annotation_id": item.annotation_id,
            "annotator": item.annotator,
            "review_state": item.review_state,
            "source": item.source,
        }
        for column, name, convert in self._fields:
            row[column] = convert(item.data.get(name))
        for column, name, convert, kind in self._questions:
            value = item.result.get(name)
            row[column] = None if kind.is_empty(value) else convert(value)
        return row


class _Sink:
    """A write-only file that keeps what is written until `take`, counting its position."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._position = 0
        self.closed = False

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        return None

    def close(self) -> None:
        self.closed = True

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts = []
        return data


def parquet_chunks(
    items: Iterator[Item], interface: Interface, report: Report, row_group: int = ROW_GROUP
) -> Iterator[bytes]:
    """The Parquet file of ``items``, a chunk per row group."""
    columns = Columns(interface)
    sink = _Sink()
    writer = pq.ParquetWriter(pa.PythonFile(sink, mode="w"), columns.schema)
    try:
        rows: list[dict[str, Any]] = []
        for item in items:
            report.answers += 1
            rows.append(columns.row(item))
            report.records += 1
            if len(rows) >= row_group:
                writer.write_table(pa.Table.from_pylist(rows, schema=columns.schema))
                rows = []
                yield sink.take()
        if rows:
            writer.write_table(pa.Table.from_pylist(rows, schema=columns.schema))
    finally:
        writer.close()
    yield sink.take()
