"""Exports, streamed in constant memory from one consistent snapshot of the database.

JSONL: one line per task with its data, status, annotations (author, timestamps, time spent,
number of versions, review state) and predictions. CSV: one row per annotation, one column per
question. With ``consensus``, each task also carries its stored consensus per question
(`accord.queries.consensus`) and its adjudicated final answer: ``consensus`` and
``adjudicated`` in JSONL; three columns per question and an ``adjudicated`` column in CSV.

The JSONL path is the hot one (a million tasks in seconds): tasks, annotations and predictions
are read by three cursors ordered by task id and merged, and stored JSON text is spliced into
the output without being parsed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, select

from accord.db import Database
from accord.db.types import sqlite_stamp
from accord.kinds import QUESTION_KINDS, Interface
from accord.models import Project, User
from accord.queries.consensus import Consensus, consensus_of
from accord.queries.projects import interface_of

FLUSH_BYTES = 1 << 20
FETCH = 5000
META_COLUMNS = (
    "task_id",
    "external_id",
    "annotation_id",
    "annotator",
    "created_at",
    "updated_at",
    "seconds",
    "versions",
    "review_state",
)


@dataclass(frozen=True)
class ExportFilter:
    status: str | None = None  # new, in_progress or complete
    annotator_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    @property
    def on_annotations(self) -> bool:
        return self.annotator_id is not None or self.since is not None or self.until is not None


class _Sql:
    """The dialect's spelling of parameters, timestamps and streaming cursors."""

    def __init__(self, conn: Connection) -> None:
        self.sqlite = conn.dialect.name == "sqlite"
        self.raw: Any = conn.connection.driver_connection
        self.param = "?" if self.sqlite else "%s"
        self._cursors = 0

    def stamp(self, column: str) -> str:
        if self.sqlite:
            return column  # stored as ISO 8601 in UTC already (accord.db.types)
        return f'to_char({column}, \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\')'

    def quoted(self, column: str) -> str:
        """The column as a JSON value (a quoted string, or null)."""
        if self.sqlite:
            return f"json_quote({column})"
        return f"coalesce(to_json({column})::text, 'null')"

    def value(self, when: dt.datetime) -> Any:
        if self.sqlite:
            return sqlite_stamp(when)
        return when.astimezone(dt.UTC).replace(tzinfo=None)

    def rows(self, query: str, params: list[Any]) -> Iterator[tuple[Any, ...]]:
        for batch in self.batches(query, params):
            yield from batch

    def batches(self, query: str, params: list[Any]) -> Iterator[list[tuple[Any, ...]]]:
        if self.sqlite:
            cursor = self.raw.cursor()
        else:
            self._cursors += 1
            cursor = self.raw.cursor(name=f"accord_export_{self._cursors}")
            cursor.itersize = FETCH
        try:
            cursor.execute(query, params)
            while batch := cursor.fetchmany(FETCH):
                yield batch
        finally:
            cursor.close()


def _status_sql(flt: ExportFilter, overlap: int, p: str) -> tuple[str, list[Any]]:
    if flt.status == "new":
        return " AND t.n_submitted = 0", []
    if flt.status == "in_progress":
        return f" AND t.n_submitted > 0 AND t.n_submitted < {p}", [overlap]
    if flt.status == "complete":
        return f" AND t.n_submitted >= {p}", [overlap]
    return "", []


def _annotation_sql(flt: ExportFilter, sql: _Sql) -> tuple[str, list[Any]]:
    p, where, params = sql.param, "", []
    if flt.annotator_id is not None:
        where += f" AND a.user_id = {p}"
        params.append(flt.annotator_id)
    if flt.since is not None:
        where += f" AND a.updated_at >= {p}"
        params.append(sql.value(flt.since))
    if flt.until is not None:
        where += f" AND a.updated_at < {p}"
        params.append(sql.value(flt.until))
    return where, params


def _emails(conn: Connection) -> dict[int, str]:
    return {
        uid: orjson.dumps(email).decode()
        for uid, email in conn.execute(select(User.id, User.email))
    }


def _snapshot(db: Database) -> Connection:
    """A connection inside one read transaction that every query of the export shares.

    SQLite: the transaction's first read fixes its snapshot (WAL mode), for every cursor on
    the connection. PostgreSQL: at its default READ COMMITTED each statement would see the data
    as of its own start, and the export's cursors start at different moments; REPEATABLE READ
    gives the whole transaction the snapshot of its first statement.
    """
    conn = db.engine.connect()
    if not db.is_sqlite:
        conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    conn.begin()
    return conn


def export_jsonl(
    db: Database, project: Project, flt: ExportFilter, *, consensus: bool = False
) -> Iterator[bytes]:
    conn = _snapshot(db)
    try:
        table = consensus_of(conn, project.id, interface_of(project)) if consensus else None
        yield from _jsonl(conn, project, flt, table)
    finally:
        conn.close()


TASK_JSON = '{"id":%d,"external_id":%s,"status":"%s","data":%s,"annotations":['
ANNOTATION_JSON = (
    '{"id":%d,"annotator":%s,"result":%s,"seconds":%r,"created_at":"%s","updated_at":"%s",'
    '"versions":%d,"review_state":%s}'
)
PREDICTION_JSON = '{"model_version":%s,"score":%s,"result":%s}'


def _jsonl(
    conn: Connection, project: Project, flt: ExportFilter, consensus: Consensus | None
) -> Iterator[bytes]:
    sql = _Sql(conn)
    p, overlap = sql.param, project.overlap
    emails = _emails(conn)
    status_where, status_params = _status_sql(flt, overlap, p)
    ann_where, ann_params = _annotation_sql(flt, sql)
    tasks = sql.batches(
        f"SELECT t.id, {sql.quoted('t.external_id')}, t.data, t.n_submitted FROM tasks t "
        f"WHERE t.project_id = {p}{status_where} ORDER BY t.id",
        [project.id, *status_params],
    )
    annotations = sql.rows(
        f"SELECT a.task_id, a.id, a.user_id, a.result, a.seconds, {sql.stamp('a.created_at')}, "
        f"{sql.stamp('a.updated_at')}, a.version, {sql.quoted('a.review_state')} "
        f"FROM annotations a WHERE a.project_id = {p}{ann_where} ORDER BY a.task_id, a.id",
        [project.id, *ann_params],
    )
    predictions = _predictions(sql, project)
    only_annotated = flt.on_annotations
    ann = next(annotations, None)
    pred = next(predictions, None)
    for batch in tasks:
        parts: list[str] = []
        add = parts.append
        for task_id, external_id, data, submitted in batch:
            if only_annotated and (ann is None or ann[0] != task_id):
                while ann is not None and ann[0] < task_id:
                    ann = next(annotations, None)
                if ann is None or ann[0] != task_id:
                    continue
            status = (
                "new" if submitted == 0 else ("complete" if submitted >= overlap else "in_progress")
            )
            add(TASK_JSON % (task_id, external_id, status, data))
            while ann is not None and ann[0] < task_id:  # of tasks filtered out by status
                ann = next(annotations, None)
            separator = ""
            while ann is not None and ann[0] == task_id:
                add(separator)
                add(ANNOTATION_JSON % (ann[1], emails.get(ann[2], "null"), *ann[3:]))
                separator = ","
                ann = next(annotations, None)
            add('],"predictions":[')
            while pred is not None and pred[0] < task_id:
                pred = next(predictions, None)
            separator = ""
            while pred is not None and pred[0] == task_id:
                add(separator)
                add(PREDICTION_JSON % pred[1:])
                separator = ","
                pred = next(predictions, None)
            if consensus is not None:
                add('],"consensus":')
                add(consensus.json_for(task_id))
                add(',"adjudicated":')
                add(consensus.final_json_for(task_id))
                add("}\n")
            else:
                add("]}\n")
        yield "".join(parts).encode()


def _predictions(sql: _Sql, project: Project) -> Iterator[tuple[Any, ...]]:
    """The project's predictions ordered by task, or nothing at all if it has none."""
    p = sql.param
    score = (
        "coalesce(CAST(score AS TEXT), 'null')" if sql.sqlite else ("coalesce(score::text, 'null')")
    )
    if not _has_rows(sql, "predictions", project):
        return iter(())
    return sql.rows(
        f"SELECT task_id, {sql.quoted('model_version')}, {score}, result FROM predictions "
        f"WHERE project_id = {p} ORDER BY task_id, id",
        [project.id],
    )


def _has_rows(sql: _Sql, table: str, project: Project) -> bool:
    cursor = sql.raw.cursor()
    try:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE project_id = {sql.param} LIMIT 1", [project.id]
        )
        return cursor.fetchone() is not None
    finally:
        cursor.close()


def export_csv(
    db: Database,
    project: Project,
    interface: Interface,
    flt: ExportFilter,
    *,
    spreadsheet_safe: bool = True,
    consensus: bool = False,
) -> Iterator[bytes]:
    """One row per annotation. ``spreadsheet_safe``: text cells that a spreadsheet would run
    as a formula are neutralised (`neutralised`)."""
    conn = _snapshot(db)
    try:
        table = consensus_of(conn, project.id, interface) if consensus else None
        yield from _csv(conn, project, interface, flt, spreadsheet_safe, table)
    finally:
        conn.close()


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): a
# task's text or an answer such as =HYPERLINK("http://evil", "click") would run on the
# manager's machine. Such cells get a leading apostrophe, which spreadsheets show as text;
# plain numbers ("-3", "+1.5") are left alone since no spreadsheet reads them as formulas.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralised(cell: str) -> str:
    """``cell`` as a spreadsheet will show it, never run it."""
    if cell.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def _csv(
    conn: Connection,
    project: Project,
    interface: Interface,
    flt: ExportFilter,
    spreadsheet_safe: bool,
    consensus: Consensus | None,
) -> Iterator[bytes]:
    sql = _Sql(conn)
    p = sql.param
    emails = {uid: orjson.loads(email) for uid, email in _emails(conn).items()}
    status_where, status_params = _status_sql(flt, project.overlap, p)
    ann_where, ann_params = _annotation_sql(flt, sql)
    questions = interface.questions
    fields = interface.fields
    header = [*META_COLUMNS]
    header += [f"answer.{q.name}" if q.name in META_COLUMNS else q.name for q in questions]
    header += [f"data.{f.name}" for f in fields]
    for name in consensus.names if consensus else []:
        header += [f"{name}.consensus", f"{name}.confidence", f"{name}.agreement"]
    if consensus is not None:
        header.append("adjudicated")
    buffer = io.StringIO()
    # RFC 4180 line ends: a cell holding a carriage return is then quoted like one holding a
    # newline (with a bare newline as line end, Python's writer left it unquoted and the row
    # broke in two).
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    rows = sql.rows(
        f"SELECT a.task_id, t.external_id, a.id, a.user_id, {sql.stamp('a.created_at')}, "
        f"{sql.stamp('a.updated_at')}, a.seconds, a.version, a.review_state, a.result, t.data "
        f"FROM annotations a JOIN tasks t ON t.id = a.task_id "
        f"WHERE a.project_id = {p}{ann_where}{status_where} ORDER BY a.task_id, a.id",
        [project.id, *ann_params, *status_params],
    )
    kinds = [(q, QUESTION_KINDS[q.kind]) for q in questions]
    for task_id, ext, aid, uid, created, updated, seconds, version, review, result, data in rows:
        answers = orjson.loads(result)
        values = orjson.loads(data)
        cells: list[Any] = [
            task_id,
            ext or "",
            aid,
            emails.get(uid, ""),
            created,
            updated,
            seconds,
            version,
            review or "",
        ]
        for question, kind in kinds:
            value = answers.get(question.name)
            cells.append("" if kind.is_empty(value) else kind.csv_cell(question, value))
        for field in fields:
            value = values.get(field.name)
            cells.append(
                value
                if isinstance(value, str)
                else ("" if value is None else orjson.dumps(value).decode())
            )
        if consensus is not None:
            cells += consensus.cells_for(task_id)
        if spreadsheet_safe:
            cells = [neutralised(c) if isinstance(c, str) else c for c in cells]
        writer.writerow(cells)
        if buffer.tell() >= FLUSH_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
