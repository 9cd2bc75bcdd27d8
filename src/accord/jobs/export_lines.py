"""The JSONL export's lines, read with the database driver's own cursors.

One line per task with its data, status, annotations (author, timestamps, time spent, number
of versions, review state) and predictions: tasks, annotations and predictions are read by
three cursors ordered by task id and merged, and stored JSON text is spliced into the output
without being parsed (the hot path: a million tasks in seconds).

This module imports nothing heavier than the driver and orjson, so that a helper process
(`accord.jobs.export_parts`) starts in a fraction of a second; `accord.jobs.exports` builds
the exports people ask for on top of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from itertools import chain
from typing import Any, Protocol

import orjson

FETCH = 5000  # rows per fetch from each cursor


@dataclass(frozen=True)
class ExportFilter:
    status: str | None = None  # new, in_progress or complete
    annotator_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    @property
    def on_annotations(self) -> bool:
        return self.annotator_id is not None or self.since is not None or self.until is not None


@dataclass(frozen=True)
class TaskRange:
    """Tasks with ``low <= id < high`` (None: no bound on that side)."""

    low: int | None = None
    high: int | None = None

    def sql(self, column: str, p: str) -> tuple[str, list[Any]]:
        where, params = "", []
        if self.low is not None:
            where += f" AND {column} >= {p}"
            params.append(self.low)
        if self.high is not None:
            where += f" AND {column} < {p}"
            params.append(self.high)
        return where, params


EVERY_TASK = TaskRange()


READERS = "accord_export_readers"  # the `_Sql`s made on a connection (its info dictionary)


def tracked(conn: Any, reader: _Closable) -> None:
    """Have `close_readers` close ``reader`` (anything with ``close()``) with ``conn``."""
    conn.info.setdefault(READERS, []).append(reader)


def close_readers(conn: Any) -> None:
    """Close the cursors the export's readers on ``conn`` left open, then the connection."""
    for reader in conn.info.pop(READERS, []):
        with suppress(Exception):  # a broken connection: nothing left to close
            reader.close()
    conn.close()


class _Closable(Protocol):
    def close(self) -> None: ...


class _Sql:
    """The dialect's spelling of parameters, timestamps and streaming cursors, on the
    driver's connection (sqlite3 or psycopg) of a transaction opened by the caller."""

    def __init__(self, raw: Any, sqlite: bool) -> None:
        self.sqlite = sqlite
        self.raw: Any = raw
        self.param = "?" if sqlite else "%s"
        self._cursors = 0
        self._open: set[Any] = set()  # cursors of readers not finished yet

    @classmethod
    def of(cls, conn: Any) -> _Sql:
        """On a SQLAlchemy connection (`close_readers` closes what it left open)."""
        sql = cls(conn.connection.driver_connection, conn.dialect.name == "sqlite")
        tracked(conn, sql)
        return sql

    def close(self) -> None:
        """Close the cursors of readers stopped early (a client gone, a failed write) now,
        before their connection: PostgreSQL's named cursors must not be left to the
        collector, which may reach them after the connection is gone."""
        while self._open:
            cursor = self._open.pop()
            with suppress(Exception):  # the connection may be broken: nothing left to close
                cursor.close()

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
            from accord.db.types import sqlite_stamp

            return sqlite_stamp(when)
        return when.astimezone(dt.UTC).replace(tzinfo=None)

    def rows(self, query: str, params: list[Any]) -> Iterator[tuple[Any, ...]]:
        return chain.from_iterable(self.batches(query, params))

    def batches(self, query: str, params: list[Any]) -> Iterator[list[tuple[Any, ...]]]:
        if self.sqlite:
            cursor = self.raw.cursor()
        else:
            self._cursors += 1
            cursor = self.raw.cursor(name=f"accord_export_{self._cursors}")
            cursor.itersize = FETCH
        self._open.add(cursor)
        try:
            cursor.execute(query, params)
            while batch := cursor.fetchmany(FETCH):
                yield batch
        finally:
            self._open.discard(cursor)
            cursor.close()

    def first(self, query: str, params: list[Any]) -> tuple[Any, ...] | None:
        """The first row of a short query."""
        cursor = self.raw.cursor()
        try:
            cursor.execute(query, params)
            row: tuple[Any, ...] | None = cursor.fetchone()
            return row
        finally:
            cursor.close()


def status_sql(flt: ExportFilter, overlap: int, p: str) -> tuple[str, list[Any]]:
    if flt.status == "new":
        return " AND t.n_submitted = 0", []
    if flt.status == "in_progress":
        return f" AND t.n_submitted > 0 AND t.n_submitted < {p}", [overlap]
    if flt.status == "complete":
        return f" AND t.n_submitted >= {p}", [overlap]
    return "", []


def annotation_sql(flt: ExportFilter, sql: _Sql) -> tuple[str, list[Any]]:
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


def emails(sql: _Sql) -> dict[int, str]:
    """Every account's email as JSON text, by id."""
    return {
        uid: orjson.dumps(email).decode()
        for uid, email in sql.rows("SELECT id, email FROM users", [])
    }


class Extras(Protocol):
    """What a JSONL line may carry after its predictions (`accord.queries.consensus`)."""

    def json_for(self, task_id: int) -> str: ...

    def final_json_for(self, task_id: int) -> str: ...


TASK_JSON = '{"id":%d,"external_id":%s,"status":"%s","data":%s,"annotations":['
ANNOTATION_JSON = (
    '{"id":%d,"annotator":%s,"result":%s,"seconds":%r,"created_at":"%s","updated_at":"%s",'
    '"versions":%d,"review_state":%s,"guidelines_version":%d,"originality":%s}'
)
PREDICTION_JSON = '{"model_version":%s,"score":%s,"result":%s}'


def jsonl_lines(
    sql: _Sql,
    project_id: int,
    overlap: int,
    flt: ExportFilter,
    consensus: Extras | None = None,
    tasks_in: TaskRange = EVERY_TASK,
) -> Iterator[bytes]:
    """The lines of the project's tasks in ``tasks_in``, a chunk per `FETCH` tasks."""
    p = sql.param
    status_where, status_params = status_sql(flt, overlap, p)
    ann_where, ann_params = annotation_sql(flt, sql)
    task_range, task_range_params = tasks_in.sql("t.id", p)
    ann_range, ann_range_params = tasks_in.sql("a.task_id", p)
    email_of = emails(sql)
    tasks = sql.batches(
        f"SELECT t.id, {sql.quoted('t.external_id')}, t.data, t.n_submitted FROM tasks t "
        f"WHERE t.project_id = {p}{task_range}{status_where} ORDER BY t.id",
        [project_id, *task_range_params, *status_params],
    )
    annotations = sql.rows(
        f"SELECT a.task_id, a.id, a.user_id, a.result, a.seconds, {sql.stamp('a.created_at')}, "
        f"{sql.stamp('a.updated_at')}, a.version, {sql.quoted('a.review_state')}, "
        "a.guidelines_version, oc.details, oc.typing "
        "FROM annotations a LEFT JOIN originality_checks oc ON oc.annotation_id = a.id "
        f"WHERE a.project_id = {p}{ann_range}{ann_where} "
        "ORDER BY a.task_id, a.id",
        [project_id, *ann_range_params, *ann_params],
    )
    predictions = _predictions(sql, project_id, tasks_in)
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
                add(
                    ANNOTATION_JSON
                    % (
                        ann[1],
                        email_of.get(ann[2], "null"),
                        *ann[3:10],
                        originality_json(ann[10], ann[11]),
                    )
                )
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


def originality_json(details: str | None, typing: str | None) -> str:
    """An annotation's originality record as exported (docs/originality.md), by text question:
    the similarity to the closest indexed text and its source, the characters typed and
    pasted and the pasted share; ``null`` without a record (the JSON text of
    ``originality_checks``' two columns, parsed only where a record exists)."""
    if details is None and typing is None:
        return "null"
    found: dict[str, Any] = orjson.loads(details) if details else {}
    counts: dict[str, Any] = orjson.loads(typing) if typing else {}
    out: dict[str, dict[str, Any]] = {}
    for question in sorted(found.keys() | counts.keys()):
        match = found.get(question) or {}
        count = counts.get(question) or {}
        typed, pasted = count.get("typed"), count.get("pasted")
        written = (typed or 0) + (pasted or 0)
        out[question] = {
            "similarity": match.get("similarity"),
            "source": match.get("source"),
            "typed": typed,
            "pasted": pasted,
            "pasted_share": round((pasted or 0) / written, 4) if written else None,
        }
    return orjson.dumps(out).decode()


def _predictions(sql: _Sql, project_id: int, tasks_in: TaskRange) -> Iterator[tuple[Any, ...]]:
    """The project's predictions ordered by task, or nothing at all if it has none."""
    p = sql.param
    score = f"coalesce({'CAST(score AS TEXT)' if sql.sqlite else 'score::text'}, 'null')"
    any_row = sql.first(f"SELECT 1 FROM predictions WHERE project_id = {p} LIMIT 1", [project_id])
    if any_row is None:
        return iter(())
    in_range, range_params = tasks_in.sql("task_id", p)
    return sql.rows(
        f"SELECT task_id, {sql.quoted('model_version')}, {score}, result FROM predictions "
        f"WHERE project_id = {p}{in_range} ORDER BY task_id, id",
        [project_id, *range_params],
    )
