"""Exports, streamed in constant memory from one consistent snapshot of the database.

JSONL: one line per task with its data, status, annotations (author, timestamps, time spent,
number of versions, review state) and predictions (`accord.jobs.export_lines`, the hot path).
CSV: one row per annotation, one column per question. With ``consensus``, each task also
carries its stored consensus per question (`accord.queries.consensus`) and its adjudicated
final answer: ``consensus`` and ``adjudicated`` in JSONL; three columns per question and an
``adjudicated`` column in CSV.

An export job of many tasks may be produced by several processes, each from its own range of
tasks, all reading the same snapshot (`accord.jobs.export_parts`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import orjson
from sqlalchemy import Connection

from accord.db import Database
from accord.jobs.export_lines import (
    ExportFilter,
    _Sql,
    annotation_sql,
    close_readers,
    jsonl_lines,
    status_sql,
    tracked,
)
from accord.jobs.export_lines import emails as email_texts
from accord.kinds import QUESTION_KINDS, Interface
from accord.models import Project
from accord.queries.consensus import Consensus, consensus_of
from accord.queries.projects import interface_of

__all__ = ["ExportFilter", "_Sql", "export_csv", "export_jsonl", "neutralised"]

FLUSH_BYTES = 1 << 20
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
    "guidelines_version",
)


def snapshot(db: Database) -> Connection:
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
    conn = snapshot(db)
    try:
        table = consensus_of(conn, project.id, interface_of(project)) if consensus else None
        if table is not None:
            tracked(conn, table)
        yield from jsonl_lines(_Sql.of(conn), project.id, project.overlap, flt, table)
    finally:
        close_readers(conn)


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
    conn = snapshot(db)
    try:
        table = consensus_of(conn, project.id, interface) if consensus else None
        if table is not None:
            tracked(conn, table)
        yield from _csv(conn, project, interface, flt, spreadsheet_safe, table)
    finally:
        close_readers(conn)


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
    sql = _Sql.of(conn)
    p = sql.param
    emails = {uid: orjson.loads(email) for uid, email in email_texts(sql).items()}
    status_where, status_params = status_sql(flt, project.overlap, p)
    ann_where, ann_params = annotation_sql(flt, sql)
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
        f"{sql.stamp('a.updated_at')}, a.seconds, a.version, a.review_state, "
        "a.guidelines_version, a.result, t.data "
        f"FROM annotations a JOIN tasks t ON t.id = a.task_id "
        f"WHERE a.project_id = {p}{ann_where}{status_where} ORDER BY a.task_id, a.id",
        [project.id, *ann_params, *status_params],
    )
    kinds = [(q, QUESTION_KINDS[q.kind]) for q in questions]
    for row in rows:
        task_id, ext, aid, uid, created, updated, seconds, version, review, rules = row[:10]
        result, data = row[10:]
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
            rules,
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
