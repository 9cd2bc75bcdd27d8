"""Where an import's checked rows wait until the import is committed: one SQLite file per
import (``<data dir>/imports/<import id>.sqlite``), apart from the main database.

Writing it takes no lock on the main database, so annotators never wait while a large file
is read and checked. The file has no journal and is not synced while it fills (a crash before
the commit point discards it anyway); `StagingFile.seal` syncs it to disk before the commit
point, after which recovery may need it to finish the import.

Liveness: the importing process holds an advisory lock (``flock``) on ``<import id>.lock``
from before the import's row is committed until it is done; the kernel drops the lock when the
process dies, so a staging file whose lock can be taken belongs to an abandoned import.

On SQLite the rows move into ``tasks`` in chunks, one short write transaction each, by
``INSERT … SELECT`` from the attached file (`attached`, `move_chunk`): the copy runs inside
SQLite, without Python, in a few tens of milliseconds per chunk.

On PostgreSQL the rows are staged in the import's own transaction instead (`PostgresMove`:
a temporary table), which commits the import with them; only the lock file is used there.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from accord.db.bulk import (
    NEXT_SQLITE_ID,
    PREDICTION_COLUMNS,
    RESERVE_IDS,
    TASK_COLUMNS,
    TASK_SEQUENCE,
)

if TYPE_CHECKING:
    from accord.formats.task_rows import TaskRow

SCHEMA = (
    "CREATE TABLE rows (seq INTEGER PRIMARY KEY, external_id TEXT, data TEXT NOT NULL, "
    "priority INTEGER NOT NULL, queue_key INTEGER NOT NULL)",
    "CREATE TABLE predictions (seq INTEGER NOT NULL, model_version TEXT NOT NULL, score REAL, "
    "result TEXT NOT NULL)",
    "CREATE INDEX predictions_seq ON predictions (seq)",
)


class StagingFile:
    """One import's staged rows, numbered 1, 2, … (``seq``) in the order of the file."""

    def __init__(self, directory: Path, import_id: int, lock_fd: int, *, local: bool) -> None:
        self.path = directory / f"{import_id}.sqlite"
        self._lock_path = directory / f"{import_id}.lock"
        self._lock_fd: int | None = lock_fd
        self._conn: sqlite3.Connection | None = None
        self.count = 0
        # Whether the import ran on this machine (its lock file was here before it was
        # claimed): if so, a free lock means its process is gone.
        self.local = local

    @classmethod
    def create(cls, directory: Path, import_id: int, *, rows: bool = True) -> StagingFile:
        """A new, empty staging file, locked by this process; with ``rows=False`` only the
        lock (the rows go elsewhere: `PostgresMove`)."""
        directory.mkdir(parents=True, exist_ok=True)
        fd = _lock(directory / f"{import_id}.lock")
        if fd is None:
            raise RuntimeError(f"the staging file of import {import_id} is in use")
        staging = cls(directory, import_id, fd, local=True)
        staging.path.unlink(missing_ok=True)
        if not rows:
            return staging
        conn = sqlite3.connect(staging.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        for statement in SCHEMA:
            conn.execute(statement)
        conn.execute("BEGIN")
        staging._conn = conn
        return staging

    @classmethod
    def claim(cls, directory: Path, import_id: int) -> StagingFile | None:
        """The staging file of an import no live process works on (locked now by this one),
        or None while one does. The file itself may not exist."""
        directory.mkdir(parents=True, exist_ok=True)
        local = (directory / f"{import_id}.lock").exists()
        fd = _lock(directory / f"{import_id}.lock")
        return None if fd is None else cls(directory, import_id, fd, local=local)

    @property
    def exists(self) -> bool:
        return self.path.exists()

    def add(self, rows: list[TaskRow]) -> None:
        if not rows:
            return
        assert self._conn is not None, "the staging file is sealed"
        first = self.count + 1
        self._conn.executemany(
            "INSERT INTO rows VALUES (?, ?, ?, ?, ?)",
            [(first + i, row[0], row[1], row[2], row[3]) for i, row in enumerate(rows)],
        )
        predictions = [
            (first + i, *prediction)
            for i, row in enumerate(rows)
            if row[4]
            for prediction in row[4]
        ]
        if predictions:
            self._conn.executemany("INSERT INTO predictions VALUES (?, ?, ?, ?)", predictions)
        self.count += len(rows)

    def seal(self) -> None:
        """Finish writing and make the rows durable: from the commit point on, recovery may
        need them."""
        if not self.path.exists():
            return
        if self._conn is not None:
            self._conn.execute("COMMIT")
            self._conn.close()
            self._conn = None
        fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def discard(self) -> None:
        """Remove the file and the lock (the import is over)."""
        self._close()
        self.path.unlink(missing_ok=True)
        self._lock_path.unlink(missing_ok=True)
        self.release()

    def release(self) -> None:
        """Let go of the file, keeping it (recovery finishes the import)."""
        self._close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # drops the flock
            self._lock_fd = None

    def _close(self) -> None:
        if self._conn is not None:
            with suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None


def staged_imports(directory: Path) -> list[int]:
    """Ids of the imports that have a staging file or lock in ``directory``."""
    if not directory.is_dir():
        return []
    found = set()
    for path in directory.iterdir():
        if path.suffix in (".sqlite", ".lock") and path.stem.isdigit():
            found.add(int(path.stem))
    return sorted(found)


def _lock(path: Path) -> int | None:
    """An open descriptor holding the exclusive flock on ``path``; None if another holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


@contextmanager
def attached(session: Session, path: Path) -> Iterator[Any]:
    """The driver connection of ``session`` (a SQLite write transaction) with ``path``
    attached as ``staging``.

    SQLite attaches inside a transaction but cannot detach until it ends, and the connection
    goes back to the pool when the session closes. So this ends the transaction itself (COMMIT
    at the end of the block, ROLLBACK on error), still inside the caller's write lock, then
    detaches; the session's own commit finds no transaction left and does nothing. ORM
    changes are flushed first so that they commit with the rest.

    The commit makes no automatic checkpoint: SQLite runs it inside the committing call, so
    inside the write lock, and after a chunk of thousands of rows it doubled the time others
    waited. `Checkpointer` copies the pages back instead, outside the lock.
    """
    session.flush()
    raw: Any = session.connection().connection.driver_connection
    every = int(raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
    raw.execute("ATTACH DATABASE ? AS staging", (str(path),))
    try:
        yield raw
        session.flush()
        raw.execute("PRAGMA wal_autocheckpoint=0")
        raw.execute("COMMIT")
    except BaseException:
        if raw.in_transaction:
            raw.execute("ROLLBACK")
        raise
    finally:
        raw.execute("DETACH DATABASE staging")
        raw.execute(f"PRAGMA wal_autocheckpoint={every}")


@dataclass
class Moved:
    """What one chunk did: tasks created, rows left out as duplicates (and the first of their
    ids, up to the number asked for), predictions created."""

    created: int
    duplicates: int
    duplicate_ids: list[str]
    predictions: int
    id_range: tuple[int, int] = (0, -1)  # the task ids the chunk could have used


# Rows first..last of the staging file, in the file's order, as tasks with ids
# (seq + offset) after every id ever given; ON CONFLICT DO NOTHING leaves out a row whose
# external id the project already has, from an earlier import or an earlier row of this one.
_MOVE_TASKS = (
    f"INSERT INTO main.tasks ({TASK_COLUMNS}) "
    "SELECT seq + ?, ?, external_id, data, priority, queue_key, ?, ?, 1, 0, 0 "
    "FROM staging.rows WHERE seq BETWEEN ? AND ? ORDER BY seq ON CONFLICT DO NOTHING"
)
# The rows of the chunk that were left out: their task id was not used.
_LEFT_OUT = (
    "SELECT external_id FROM staging.rows r WHERE r.seq BETWEEN ? AND ? AND NOT EXISTS "
    "(SELECT 1 FROM main.tasks t WHERE t.id = r.seq + ?) ORDER BY r.seq LIMIT ?"
)
# Predictions of the rows that became tasks.
_MOVE_PREDICTIONS = (
    f"INSERT INTO main.predictions ({PREDICTION_COLUMNS}) "
    "SELECT p.seq + ?, ?, p.model_version, p.score, p.result, ? FROM staging.predictions p "
    "WHERE p.seq BETWEEN ? AND ? AND EXISTS (SELECT 1 FROM main.tasks t WHERE t.id = p.seq + ?) "
    "ORDER BY p.rowid"
)


def move_chunk(
    raw: Any, project_id: int, import_id: int, stamp: str, first: int, last: int, listed: int
) -> Moved:
    """Move staged rows ``first``..``last`` into ``tasks`` and ``predictions`` (SQLite, inside
    the caller's write transaction, staging attached); list up to ``listed`` duplicate ids."""
    offset = raw.execute(NEXT_SQLITE_ID).fetchone()[0] - first
    cursor = raw.execute(_MOVE_TASKS, (offset, project_id, import_id, stamp, first, last))
    created = cursor.rowcount
    duplicates = last - first + 1 - created
    duplicate_ids: list[str] = []
    if duplicates and listed > 0:
        rows = raw.execute(_LEFT_OUT, (first, last, offset, min(listed, duplicates)))
        duplicate_ids = [row[0] for row in rows]
    cursor = raw.execute(_MOVE_PREDICTIONS, (offset, project_id, stamp, first, last, offset))
    return Moved(
        created, duplicates, duplicate_ids, max(cursor.rowcount, 0), (first + offset, last + offset)
    )


class Checkpointer:
    """Copies the write-ahead log back into the SQLite database file from a thread of its own
    while a large write runs in chunks, without taking the app's write lock (a PASSIVE
    checkpoint never waits for readers or writers): the log stays short, and the annotators'
    own automatic checkpoints find little left to do."""

    def __init__(self, engine: Engine, every: float = 0.25) -> None:
        self._engine = engine
        self._every = every
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="accord-checkpoint", daemon=True)

    def poke(self) -> None:
        """A chunk was written."""
        self._wake.set()

    def __enter__(self) -> Checkpointer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        connection = self._engine.raw_connection()
        try:
            raw: Any = connection.driver_connection
            while not self._stop.is_set():
                self._wake.wait(self._every)
                self._wake.clear()
                raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            connection.close()


class PostgresMove:
    """An import on PostgreSQL, inside one transaction held from the start of the check: the
    checked rows are copied (``COPY``) into temporary tables as they come (dropped at commit;
    PostgreSQL rolls them back if the server dies), then go into ``tasks`` and ``predictions``
    with one statement each at the end. The copy runs in the database's process while the
    next rows are checked, and the one ``INSERT … SELECT`` beats inserting batch by batch."""

    def __init__(self, session: Session) -> None:
        raw: Any = session.connection().connection.driver_connection
        self.session = session
        self.count = 0
        self._raw = raw
        with raw.cursor() as cursor:
            cursor.execute(TASK_SEQUENCE)
            self._sequence = cursor.fetchone()[0]
            cursor.execute(
                "CREATE TEMPORARY TABLE import_rows (seq bigint, id bigint, external_id text, "
                "data text, priority integer, queue_key bigint) ON COMMIT DROP"
            )
            cursor.execute(
                "CREATE TEMPORARY TABLE import_predictions (seq bigint, model_version text, "
                "score double precision, result text) ON COMMIT DROP"
            )

    def add(self, rows: list[TaskRow]) -> None:
        """The next checked rows of the file, each with a new task id."""
        if not rows:
            return
        first = self.count + 1
        with self._raw.cursor() as cursor:
            cursor.execute(RESERVE_IDS, (self._sequence, len(rows)))
            ids = [row[0] for row in cursor.fetchall()]
            with cursor.copy("COPY import_rows FROM STDIN") as copy:
                for i, (task_id, row) in enumerate(zip(ids, rows, strict=True)):
                    copy.write_row((first + i, task_id, row[0], row[1], row[2], row[3]))
            if any(row[4] for row in rows):
                with cursor.copy("COPY import_predictions FROM STDIN") as copy:
                    for i, row in enumerate(rows):
                        for prediction in row[4] or ():
                            copy.write_row((first + i, *prediction))
        self.count += len(rows)

    def insert(self, project_id: int, import_id: int, now: Any, listed: int) -> Moved:
        """Insert every loaded row; list up to ``listed`` ids left out as duplicates."""
        with self._raw.cursor() as cursor:
            # In the file's order, so that of two rows with the same id the first is kept; ON
            # CONFLICT DO NOTHING leaves out ids the project already has.
            cursor.execute(
                f"INSERT INTO tasks ({TASK_COLUMNS}) SELECT id, %s, external_id, data, "
                "priority, queue_key, %s, %s, true, 0, 0 FROM import_rows ORDER BY seq "
                "ON CONFLICT DO NOTHING",
                (project_id, import_id, now),
            )
            created = cursor.rowcount
            cursor.execute("SELECT count(*) FROM import_rows")
            duplicates = cursor.fetchone()[0] - created
            duplicate_ids: list[str] = []
            if duplicates and listed > 0:
                # A row left out: its task id was not used.
                cursor.execute(
                    "SELECT external_id FROM import_rows r WHERE NOT EXISTS "
                    "(SELECT 1 FROM tasks t WHERE t.id = r.id) ORDER BY seq LIMIT %s",
                    (min(listed, duplicates),),
                )
                duplicate_ids = [row[0] for row in cursor.fetchall()]
            # Predictions of the rows that became tasks.
            cursor.execute(
                f"INSERT INTO predictions ({PREDICTION_COLUMNS}) SELECT r.id, %s, "
                "p.model_version, p.score, p.result, %s FROM import_predictions p "
                "JOIN import_rows r ON r.seq = p.seq "
                "WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.id = r.id)",
                (project_id, now),
            )
            predictions = cursor.rowcount
            cursor.execute("SELECT coalesce(min(id), 0), coalesce(max(id), -1) FROM import_rows")
            low, high = cursor.fetchone()
        return Moved(created, duplicates, duplicate_ids, predictions, (int(low), int(high)))
