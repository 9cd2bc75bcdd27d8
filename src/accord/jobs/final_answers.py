"""The "gold standard" export (``final``): one row per complete task with only its final answer.

The final answer of a task of the dataset (``purpose`` unset) that has all the annotations it
needs is, in order: the answer a reviewer wrote or picked when adjudicating it
(``source: adjudicated``); else the consensus stored per question when it was complete
(``consensus``, with each question's confidence and agreement); else, with overlap 1, its one
annotation (``annotation``). A task whose adjudication is still open has no final answer yet
and is left out, as are incomplete tasks.

Streamed in constant memory from one snapshot, like every export (`accord.jobs.exports`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import orjson
from sqlalchemy import Connection

from accord.db import Database
from accord.jobs.export_lines import close_readers
from accord.jobs.exports import FLUSH_BYTES, _Sql, neutralised, snapshot
from accord.kinds import QUESTION_KINDS, Interface
from accord.models import Project

ADJUDICATED = "adjudicated"
CONSENSUS = "consensus"
ANNOTATION = "annotation"


def final_rows(conn: Connection, project: Project) -> Iterator[tuple[Any, ...]]:
    """Per complete task, in id order: (id, external id, data text, source, result,
    confidence by question, agreement by question)."""
    sql = _Sql.of(conn)
    p = sql.param
    tasks = sql.rows(
        "SELECT t.id, t.external_id, t.data, j.state, j.result FROM tasks t "
        "LEFT JOIN adjudications j ON j.task_id = t.id "
        f"WHERE t.project_id = {p} AND t.purpose IS NULL "
        f"AND t.n_submitted >= {p} + t.extra_overlap ORDER BY t.id",
        [project.id, project.overlap],
    )
    stored = sql.rows(
        "SELECT task_id, question, answer, confidence, agreement FROM task_consensus "
        f"WHERE project_id = {p} ORDER BY task_id, question",
        [project.id],
    )
    single = (
        sql.rows(
            f"SELECT task_id, result FROM annotations WHERE project_id = {p} ORDER BY task_id, id",
            [project.id],
        )
        if project.overlap == 1
        else iter(())
    )
    row = next(stored, None)
    one = next(single, None)
    for task_id, external_id, data, state, final in tasks:
        answers: dict[str, Any] = {}
        confidence: dict[str, float | None] = {}
        agreement: dict[str, float | None] = {}
        while row is not None and row[0] < task_id:
            row = next(stored, None)
        while row is not None and row[0] == task_id:
            if row[2] is not None:
                answers[row[1]] = orjson.loads(row[2])
            confidence[row[1]], agreement[row[1]] = row[3], row[4]
            row = next(stored, None)
        while one is not None and one[0] < task_id:
            one = next(single, None)
        if state == "decided":
            yield task_id, external_id, data, ADJUDICATED, orjson.loads(final), None, None
        elif state == "open":
            continue  # disputed: no final answer until a reviewer adjudicates it
        elif confidence:
            yield task_id, external_id, data, CONSENSUS, answers, confidence, agreement
        elif one is not None and one[0] == task_id:
            yield task_id, external_id, data, ANNOTATION, orjson.loads(one[1]), None, None


def export_final_jsonl(db: Database, project: Project) -> Iterator[bytes]:
    """``{"id", "external_id", "data", "source", "result", "confidence", "agreement"}`` lines."""
    conn = snapshot(db)
    try:
        parts: list[bytes] = []
        size = 0
        for task_id, external_id, data, source, result, confidence, agreement in final_rows(
            conn, project
        ):
            line = orjson.dumps(
                {
                    "id": task_id,
                    "external_id": external_id,
                    "data": orjson.Fragment(data),
                    "source": source,
                    "result": result,
                    "confidence": _rounded(confidence),
                    "agreement": _rounded(agreement),
                }
            )
            parts.append(line + b"\n")
            size += len(line) + 1
            if size >= FLUSH_BYTES:
                yield b"".join(parts)
                parts, size = [], 0
        yield b"".join(parts)
    finally:
        close_readers(conn)


def export_final_csv(
    db: Database, project: Project, interface: Interface, *, spreadsheet_safe: bool = True
) -> Iterator[bytes]:
    """One row per complete task: its source, the final answer per question (as the question's
    CSV cell) and, for a consensus, each question's confidence; then the task's fields."""
    questions = [(q, QUESTION_KINDS[q.kind]) for q in interface.questions]
    header = ["task_id", "external_id", "source"]
    header += [q.name for q, _ in questions] + [f"{q.name}.confidence" for q, _ in questions]
    header += [f"data.{f.name}" for f in interface.fields]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    conn = snapshot(db)
    try:
        for task_id, external_id, data, source, result, confidence, _ in final_rows(conn, project):
            cells: list[Any] = [task_id, external_id or "", source]
            for question, kind in questions:
                value = result.get(question.name)
                cells.append("" if kind.is_empty(value) else kind.csv_cell(question, value))
            for question, _ in questions:
                level = (confidence or {}).get(question.name)
                cells.append("" if level is None else round(float(level), 4))
            values = orjson.loads(data)
            for field in interface.fields:
                value = values.get(field.name)
                cells.append(
                    value
                    if isinstance(value, str)
                    else ("" if value is None else orjson.dumps(value).decode())
                )
            if spreadsheet_safe:
                cells = [neutralised(c) if isinstance(c, str) else c for c in cells]
            writer.writerow(cells)
            if buffer.tell() >= FLUSH_BYTES:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()
    finally:
        close_readers(conn)


def _rounded(values: dict[str, float | None] | None) -> dict[str, float | None] | None:
    if values is None:
        return None
    return {k: None if v is None else round(float(v), 4) for k, v in values.items()}
