"""Bulk insertion of checked task rows (and their predictions) through the driver, inside the
caller's transaction: ``executemany`` on SQLite, arrays (``unnest``) on PostgreSQL.

Used by imports run inside a transaction the caller already holds (`accord.actions.imports.
do_import`) and by the PostgreSQL move of a staged import. A row whose external id the project
already has, or that came earlier in the same import, is not inserted (``ON CONFLICT DO
NOTHING`` on the unique index ``uq_tasks_project_id_external_id``): the database remembers the
ids, so memory stays flat. Task ids are chosen before insertion, so that predictions point at
their tasks and the rows left out are known without reading anything back but ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from accord.db.types import sqlite_stamp

if TYPE_CHECKING:
    from accord.formats.task_rows import TaskRow

TASK_COLUMNS = (
    "id, project_id, external_id, data, priority, queue_key, import_id, created_at, "
    "is_open, n_claimed, n_submitted"
)
PREDICTION_COLUMNS = "task_id, project_id, model_version, score, result, created_at"
# PostgreSQL: the name of the sequence behind tasks.id, looked up once (looking it up for
# each id took most of the time of reserving them)...
TASK_SEQUENCE = "SELECT pg_get_serial_sequence('tasks', 'id')"
# ... then ``count`` new ids from it, one by one: concurrent inserts may take ids in between.
RESERVE_IDS = "SELECT nextval(%s::regclass) FROM generate_series(1, %s)"
# The next task id on SQLite: after the largest ever given (AUTOINCREMENT keeps it in
# sqlite_sequence, so ids of deleted tasks are never given again), or after max(id) before any.
NEXT_SQLITE_ID = (
    "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'tasks'), 0), "
    "coalesce((SELECT max(id) FROM tasks), 0)) + 1"
)


class TaskWriter:
    """Inserts rows of one import; counts what it created."""

    def __init__(self, session: Session, project_id: int, import_id: int) -> None:
        self.session = session
        self.raw: Any = session.connection().connection.driver_connection
        self.id_range = (0, -1)  # the task ids reserved for the last batch
        self.project_id = project_id
        self.import_id = import_id
        self.now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        self.tasks = 0
        self.predictions = 0

    def write(self, rows: Sequence[TaskRow]) -> list[int]:
        """Insert ``rows``; the positions of those left out as duplicates."""
        if not rows:
            return []
        ids = self._reserve(len(rows))
        self.id_range = (min(ids), max(ids))
        inserted = self._insert(rows, ids)
        left_out = [i for i, task_id in enumerate(ids) if task_id not in inserted]
        self.tasks += len(rows) - len(left_out)
        predictions = [
            (ids[i], self.project_id, version, score, result)
            for i, row in enumerate(rows)
            if row[4] and ids[i] in inserted
            for version, score, result in row[4]
        ]
        if predictions:
            self._insert_predictions(predictions)
            self.predictions += len(predictions)
        return left_out

    def _reserve(self, count: int) -> Sequence[int]:
        raise NotImplementedError

    def _insert(self, rows: Sequence[TaskRow], ids: Sequence[int]) -> _Inserted:
        raise NotImplementedError

    def _insert_predictions(self, rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError


class _Inserted:
    """Which of the ids reserved for a batch were inserted."""

    def __init__(self, every: bool, ids: set[int] | None = None) -> None:
        self._every = every
        self._ids = ids or set()

    def __contains__(self, task_id: int) -> bool:
        return self._every or task_id in self._ids


class SQLiteTaskWriter(TaskWriter):
    def __init__(self, session: Session, project_id: int, import_id: int) -> None:
        super().__init__(session, project_id, import_id)
        self.stamp = sqlite_stamp(self.now)

    def _reserve(self, count: int) -> Sequence[int]:
        # Writers are serialised by Database.write, so the ids after the largest are ours.
        first: int = self.raw.execute(NEXT_SQLITE_ID).fetchone()[0]
        return range(first, first + count)

    def _insert(self, rows: Sequence[TaskRow], ids: Sequence[int]) -> _Inserted:
        pid, imp, stamp = self.project_id, self.import_id, self.stamp
        cursor = self.raw.executemany(
            f"INSERT INTO tasks ({TASK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 0, 0) "
            "ON CONFLICT DO NOTHING",
            [
                (task_id, pid, ext, data, priority, key, imp, stamp)
                for task_id, (ext, data, priority, key, _) in zip(ids, rows, strict=True)
            ],
        )
        if cursor.rowcount == len(rows):
            return _Inserted(every=True)
        found = self.raw.execute(
            "SELECT id FROM tasks WHERE id BETWEEN ? AND ?", (ids[0], ids[-1])
        ).fetchall()
        return _Inserted(every=False, ids={row[0] for row in found})

    def _insert_predictions(self, rows: list[tuple[Any, ...]]) -> None:
        self.raw.executemany(
            f"INSERT INTO predictions ({PREDICTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
            [(*row, self.stamp) for row in rows],
        )


class PostgresTaskWriter(TaskWriter):
    def __init__(self, session: Session, project_id: int, import_id: int) -> None:
        super().__init__(session, project_id, import_id)
        with self.raw.cursor() as cursor:
            cursor.execute(TASK_SEQUENCE)
            self.sequence = cursor.fetchone()[0]

    def _reserve(self, count: int) -> Sequence[int]:
        with self.raw.cursor() as cursor:
            cursor.execute(RESERVE_IDS, (self.sequence, count))
            return [row[0] for row in cursor.fetchall()]

    def _insert(self, rows: Sequence[TaskRow], ids: Sequence[int]) -> _Inserted:
        # One statement per batch, the rows sent as arrays; WITH ORDINALITY keeps the file's
        # order, so of two rows with the same id the first one is inserted.
        with self.raw.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO tasks ({TASK_COLUMNS}) "
                "SELECT u.id, %s, u.ext, u.data, u.priority, u.key, %s, %s, true, 0, 0 "
                "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::integer[], %s::bigint[]) "
                "WITH ORDINALITY AS u(id, ext, data, priority, key, n) ORDER BY u.n "
                "ON CONFLICT DO NOTHING RETURNING id",
                (
                    self.project_id,
                    self.import_id,
                    self.now,
                    list(ids),
                    [row[0] for row in rows],
                    [row[1] for row in rows],
                    [row[2] for row in rows],
                    [row[3] for row in rows],
                ),
            )
            found = cursor.fetchall()
        if len(found) == len(rows):
            return _Inserted(every=True)
        return _Inserted(every=False, ids={row[0] for row in found})

    def _insert_predictions(self, rows: list[tuple[Any, ...]]) -> None:
        with (
            self.raw.cursor() as cursor,
            cursor.copy(f"COPY predictions ({PREDICTION_COLUMNS}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row((*row, self.now))


def task_writer(session: Session, project_id: int, import_id: int) -> TaskWriter:
    if session.get_bind().dialect.name == "sqlite":
        return SQLiteTaskWriter(session, project_id, import_id)
    return PostgresTaskWriter(session, project_id, import_id)
