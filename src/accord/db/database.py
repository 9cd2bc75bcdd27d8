"""The engine, sessions, and the one way to write.

SQLite allows one writer at a time. Rather than letting writers collide and sleep in SQLite's
busy handler (which ruins tail latency), every write transaction goes through `Database.write`,
which queues writers on a lock (a thread lock inside the process and an advisory file lock across
processes) and then opens the transaction with ``BEGIN IMMEDIATE``. Readers never wait: WAL mode
gives each read transaction its own snapshot. On PostgreSQL, `write` is a plain transaction and
the code that needs row locks takes them (``FOR UPDATE SKIP LOCKED`` in the queue).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from accord.db.raw import drop_held, send_held

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=60000",
    "PRAGMA cache_size=-32000",
    "PRAGMA mmap_size=1073741824",
    "PRAGMA temp_store=MEMORY",
)

# Connections each process keeps open, and how many more it may open for a while (they are
# closed when given back). The writer threads (`Database.writers`) are fewer than the kept
# connections, so that with the other blocking work (authentication's lookups, reads on
# anyio's threads) the hot paths seldom need one that is opened for a moment.
POOL_SIZE = 24
POOL_OVERFLOW = 40
WRITERS_PER_CORE = 3
WRITERS_RANGE = (4, 16)


def default_writers(cores: int | None = None) -> int:
    """Write transactions a server process runs at once when ``ACCORD_DB_WRITERS`` is unset."""
    low, high = WRITERS_RANGE
    return max(low, min(high, WRITERS_PER_CORE * (cores or os.cpu_count() or 1)))


# PostgreSQL's answers to two transactions that collided (a serialisation failure, a
# deadlock): nothing was written, and the same work sent again normally succeeds.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


def collided(exc: BaseException) -> bool:
    """Whether ``exc`` (SQLAlchemy's wrapper or the driver's own error, from a raw cursor) says
    the transaction collided with another and may simply be run again."""
    driver_error = getattr(exc, "orig", None) or exc
    return getattr(driver_error, "sqlstate", None) in RETRYABLE_SQLSTATES


class WriteLock:
    """A lock held by one writer at a time, across threads and across processes."""

    def __init__(self, path: Path | None) -> None:
        self._thread_lock = threading.Lock()
        self._path = path
        self._fd: int | None = None

    def acquire(self, blocking: bool = True) -> bool:
        if not self._thread_lock.acquire(blocking):
            return False
        if self._path is None:
            return True
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._thread_lock.release()
            return False
        except BaseException:
            self._thread_lock.release()
            raise
        return True

    def release(self) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def __enter__(self) -> None:
        self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _sqlite_file(url: str) -> Path | None:
    path = url.split("///", 1)[1] if "///" in url else ""
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transactions into our own hands: pysqlite's implicit BEGIN is disabled and
        # the "begin" hook below issues BEGIN or BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


def _send_held_writes(engine: Engine) -> None:
    """What `Raw.later` holds goes to PostgreSQL before any other statement of its connection
    and before the commit; a rollback (or the pool's reset of a connection given back) drops
    it."""

    @event.listens_for(engine, "before_cursor_execute")
    def _before_statement(conn: Connection, *_: Any) -> None:
        send_held(conn.connection)

    @event.listens_for(engine, "commit")
    def _before_commit(conn: Connection) -> None:
        send_held(conn.connection)

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn: Connection) -> None:
        drop_held(conn.connection)

    @event.listens_for(engine, "reset")
    def _on_reset(_dbapi_connection: Any, record: Any, _state: Any) -> None:
        drop_held(record)


class Database:
    """Owns the engine. Sessions come from `read` (snapshot) and `write` (serialised)."""

    def __init__(self, url: str, *, echo: bool = False, writers: int | None = None) -> None:
        self.url = url
        self.writer_threads = writers or default_writers()
        self.is_sqlite = url.startswith("sqlite")
        # What the layers above keep in memory about this database (e.g. projects' settings,
        # `accord.queries.projects.project_info`), reached from a session as
        # ``session.info["database"].memo``: it lives and dies with this object.
        self.memo: dict[Hashable, Any] = {}
        self._lock: WriteLock | None = None
        if self.is_sqlite:
            file = _sqlite_file(url)
            if file is not None:
                file.parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(
                url,
                echo=echo,
                connect_args={"check_same_thread": False, "timeout": 60},
                pool_size=POOL_SIZE,
                max_overflow=POOL_OVERFLOW,
                pool_timeout=60,
            )
            _configure_sqlite(self.engine)
            self._lock = WriteLock(file.with_name(file.name + ".lock") if file else None)
        else:
            self.engine = create_engine(
                url,
                echo=echo,
                pool_size=POOL_SIZE,
                max_overflow=POOL_OVERFLOW,
                pool_timeout=60,
            )
            _send_held_writes(self.engine)
        self._writers: ThreadPoolExecutor | None = None
        self._writers_lock = threading.Lock()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; on SQLite its queries share one snapshot."""
        # Closing (not rolling back) ends the transaction and keeps loaded objects readable.
        with Session(
            self.engine, expire_on_commit=False, autoflush=False, info={"database": self}
        ) as session:
            yield session
            if not self.is_sqlite:
                # On PostgreSQL the read ends with COMMIT (nothing to write: the objects are
                # let go first, as closing does), not with the ROLLBACK the pool would send:
                # psycopg forgets all of a connection's prepared statements at a ROLLBACK,
                # and the statements of the hot paths were planned again and again (a fifth
                # of PostgreSQL's CPU under 32 annotators, whose callers are read every 5 s).
                session.expunge_all()
                session.commit()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose work commits at the end of the block, or not at all."""
        if self._lock is None:
            with (
                Session(self.engine, expire_on_commit=False, info={"database": self}) as session,
                session.begin(),
            ):
                yield session
            return
        with self._lock:
            yield from self._locked_write()

    def try_write(self) -> AbstractContextManager[Session] | None:
        """Like `write`, but only if no one else is writing right now (SQLite); else None.

        Lets a short write run where it is (the event loop) instead of queueing on a thread.
        """
        if self._lock is None or not self._lock.acquire(blocking=False):
            return None
        return self._released_after(self._lock)

    @contextmanager
    def _released_after(self, lock: WriteLock) -> Iterator[Session]:
        try:
            yield from self._locked_write()
        finally:
            lock.release()

    def _locked_write(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False, info={"database": self}) as session:
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            try:
                yield session
            except BaseException:
                session.rollback()
                raise
            session.commit()

    def writers(self) -> ThreadPoolExecutor:
        """The threads that run write transactions handed over by the event loop
        (`accord.api.transactions`): fewer than the connections the pool keeps, so that the
        hot paths seldom open one beyond them. A connection opened for a moment and closed on
        its return costs PostgreSQL a new process, its caches, and the parsing and planning
        of each statement again (psycopg prepares a statement on its fifth run on a
        connection); under 32 annotators those were a quarter of PostgreSQL's CPU."""
        if self._writers is None:
            with self._writers_lock:
                if self._writers is None:
                    self._writers = ThreadPoolExecutor(
                        self.writer_threads, thread_name_prefix="writer"
                    )
        return self._writers

    def dispose(self) -> None:
        if self._writers is not None:
            self._writers.shutdown(wait=False)
            self._writers = None
        self.engine.dispose()
