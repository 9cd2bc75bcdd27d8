"""Bulk insertion of tasks and predictions through the driver: ``executemany`` on SQLite,
``COPY`` on PostgreSQL. Used by imports, the hottest write path (a million rows in seconds).

Runs inside the caller's write transaction. Task ids are chosen here, before insertion, so
that predictions can point at their tasks without reading anything back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from accord.db.types import sqlite_stamp

# (external_id, data JSON text, priority, queue_key, predictions)
TaskRow = tuple[str | None, str, int, int, list[tuple[str, float | None, str]]]

TASK_COLUMNS = (
    "id, project_id, external_id, data, priority, queue_key, import_id, created_at, "
    "is_open, n_claimed, n_submitted"
)
PREDICTION_COLUMNS = "task_id, project_id, model_version, score, result, created_at"


class TaskWriter:
    def __init__(self, session: Session, project_id: int, import_id: int) -> None:
        self.raw: Any = session.connection().connection.driver_connection
        self.project_id = project_id
        self.import_id = import_id
        self.now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        self.tasks = 0
        self.predictions = 0

    def write(self, rows: list[TaskRow]) -> None:
        if rows:
            self._insert(rows, self._reserve(len(rows)))
            self.tasks += len(rows)

    def _reserve(self, count: int) -> Sequence[int]:
        """``count`` new task ids."""
        raise NotImplementedError

    def _insert(self, rows: list[TaskRow], ids: Sequence[int]) -> None:
        raise NotImplementedError

    def _predictions(
        self, rows: list[TaskRow], ids: Sequence[int], stamp: Any
    ) -> list[tuple[Any, ...]]:
        pid = self.project_id
        found = [
            (ids[i], pid, version, score, result, stamp)
            for i, row in enumerate(rows)
            if row[4]
            for version, score, result in row[4]
        ]
        self.predictions += len(found)
        return found


class SQLiteTaskWriter(TaskWriter):
    def __init__(self, session: Session, project_id: int, import_id: int) -> None:
        super().__init__(session, project_id, import_id)
        # Writers are serialised by Database.write, so ids after the largest ever given
        # (AUTOINCREMENT's sqlite_sequence, or max(id) before any) are ours.
        self.next_id = (
            self.raw.execute(
                "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'tasks'), 0), "
                "coalesce((SELECT max(id) FROM tasks), 0))"
            ).fetchone()[0]
            + 1
        )
        self.stamp = sqlite_stamp(self.now)

    def _reserve(self, count: int) -> Sequence[int]:
        first, self.next_id = self.next_id, self.next_id + count
        return range(first, first + count)

    def _insert(self, rows: list[TaskRow], ids: Sequence[int]) -> None:
        pid, imp, stamp = self.project_id, self.import_id, self.stamp
        self.raw.executemany(
            f"INSERT INTO tasks ({TASK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 0, 0)",
            [
                (task_id, pid, ext, data, priority, key, imp, stamp)
                for task_id, (ext, data, priority, key, _) in zip(ids, rows, strict=True)
            ],
        )
        predictions = self._predictions(rows, ids, stamp)
        if predictions:
            self.raw.executemany(
                f"INSERT INTO predictions ({PREDICTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                predictions,
            )


class PostgresTaskWriter(TaskWriter):
    def _reserve(self, count: int) -> Sequence[int]:
        # Concurrent inserts may take ids in between: ask the sequence for each one.
        with self.raw.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('tasks', 'id')) FROM generate_series(1, %s)",
                (count,),
            )
            return [row[0] for row in cursor.fetchall()]

    def _insert(self, rows: list[TaskRow], ids: Sequence[int]) -> None:
        pid, imp, now = self.project_id, self.import_id, self.now
        with self.raw.cursor() as cursor:
            with cursor.copy(f"COPY tasks ({TASK_COLUMNS}) FROM STDIN") as copy:
                for task_id, (ext, data, priority, key, _) in zip(ids, rows, strict=True):
                    copy.write_row((task_id, pid, ext, data, priority, key, imp, now, True, 0, 0))
            predictions = self._predictions(rows, ids, now)
            if predictions:
                with cursor.copy(f"COPY predictions ({PREDICTION_COLUMNS}) FROM STDIN") as copy:
                    for row in predictions:
                        copy.write_row(row)


def task_writer(session: Session, project_id: int, import_id: int) -> TaskWriter:
    if session.get_bind().dialect.name == "sqlite":
        return SQLiteTaskWriter(session, project_id, import_id)
    return PostgresTaskWriter(session, project_id, import_id)
