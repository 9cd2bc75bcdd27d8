"""Hand-written SQL on the driver's own cursor, for the hottest paths only (the queue,
submissions, access checks): a prepared SQLAlchemy statement costs ~40 µs of Python per run,
the driver ~5 µs, and an annotator's next → submit cycle runs about twenty statements.

Statements are written once in SQLite's ``?`` style and translated for psycopg; timestamps
are stored exactly as SQLAlchemy's `UTCDateTime` stores them, so both paths read each other's
rows.

Writes whose result no one waits for (the work counters, the audit trail) can be sent
`later`: on PostgreSQL they are held and go out with the transaction's next statement in one
pipeline (psycopg's pipeline mode: one round trip for all of them instead of one each), or
just before any other statement of the connection runs or the transaction commits
(`accord.db.database` hooks `send_held` on the engine), so the order the database sees is the
order of the code; a rollback drops them. On SQLite (no network) they run at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from accord.db.types import sqlite_stamp

Params = Sequence[Any] | Mapping[str, Any]


class Sql:
    """One statement, in the spelling of each driver."""

    __slots__ = ("postgres", "sqlite")

    def __init__(self, sqlite: str, postgres: str | None = None) -> None:
        self.sqlite = sqlite
        self.postgres = postgres if postgres is not None else sqlite.replace("?", "%s")

    @classmethod
    def postgres_only(cls, postgres: str) -> Sql:
        """A statement only PostgreSQL can run (data-modifying CTEs, row locks), with named
        ``%(name)s`` parameters; the code that runs it has another way for SQLite."""
        return cls(_NOT_ON_SQLITE, postgres)


# What a PostgreSQL-only statement is on SQLite: an error that names the mistake.
_NOT_ON_SQLITE = "SELECT raise(ABORT, 'a PostgreSQL-only statement was run on SQLite')"


# Where a pooled connection keeps the statements sent `later` (in the pool record's ``info``,
# which the engine's hooks see too).
_HELD = "accord.db.raw.held"
Held = list[tuple[str, Params]]


class Raw:
    """A cursor on the session's own connection, inside its transaction."""

    def __init__(self, session: Session) -> None:
        connection = session.connection()
        self.sqlite = connection.dialect.name == "sqlite"
        driver: Any = connection.connection.driver_connection
        self._driver = driver
        self._cursor: Any = driver.cursor()
        self._held: Held = connection.connection.info.setdefault(_HELD, [])

    def run(self, sql: Sql, params: Params = ()) -> int:
        """Execute; the number of rows changed."""
        self._execute(sql, params)
        return int(self._cursor.rowcount)

    def one(self, sql: Sql, params: Params = ()) -> tuple[Any, ...] | None:
        self._execute(sql, params)
        row: tuple[Any, ...] | None = self._cursor.fetchone()
        return row

    def all(self, sql: Sql, params: Params = ()) -> list[tuple[Any, ...]]:
        self._execute(sql, params)
        return list(self._cursor.fetchall())

    def later(self, sql: Sql, params: Params = ()) -> None:
        """A write whose outcome nobody reads in this transaction: on PostgreSQL sent with the
        next statement (see the module's doc), on SQLite now. Its error, if any, is raised by
        that next statement or the commit, and the transaction is rolled back as a whole."""
        if self.sqlite:
            self._cursor.execute(sql.sqlite, params)
        else:
            self._held.append((sql.postgres, params))

    def _execute(self, sql: Sql, params: Params) -> None:
        if self.sqlite:
            self._cursor.execute(sql.sqlite, params)
        elif not self._held:
            self._cursor.execute(sql.postgres, params)
        else:
            with self._driver.pipeline():
                _send(self._cursor, self._held)
                self._cursor.execute(sql.postgres, params)

    def stamp(self, when: dt.datetime) -> Any:
        """A timestamp as a parameter, stored as `UTCDateTime` stores it."""
        if self.sqlite:
            return sqlite_stamp(when)
        return when.astimezone(dt.UTC).replace(tzinfo=None)

    @staticmethod
    def when(value: Any) -> dt.datetime:
        """A timestamp read back, as an aware UTC datetime."""
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value

    @classmethod
    def of(cls, session: Session) -> Raw:
        """The `Raw` shared by everything that runs in the session's current transaction: one
        driver cursor for a request's statements instead of one per function (creating a
        psycopg cursor costs about as much as running a short statement)."""
        connection = session.connection()
        kept = session.info.get(_SHARED)
        if kept is not None and kept[0] is connection:
            shared: Raw = kept[1]
            return shared
        raw = cls(session)
        session.info[_SHARED] = (connection, raw)
        return raw


def _send(cursor: Any, held: Held) -> None:
    statements = held[:]
    held.clear()
    for statement, params in statements:
        cursor.execute(statement, params)


def send_held(pooled: Any) -> None:
    """Send what `Raw.later` holds for the pooled connection (an SQLAlchemy
    ``PoolProxiedConnection``), in one pipeline; nothing when nothing is held."""
    held: Held | None = pooled.info.get(_HELD)
    if held:
        driver: Any = pooled.driver_connection
        with driver.pipeline(), driver.cursor() as cursor:
            _send(cursor, held)


def drop_held(pooled: Any) -> None:
    """Forget what `Raw.later` holds for the pooled connection (its transaction ended
    without a commit)."""
    held: Held | None = pooled.info.get(_HELD)
    if held:
        held.clear()


# Where `Raw.of` keeps a session's shared cursor, with the connection it belongs to.
_SHARED = "accord.db.raw.shared"
