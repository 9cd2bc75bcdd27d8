"""Hand-written SQL on the driver's own cursor, for the hottest paths only (the queue,
submissions, access checks): a prepared SQLAlchemy statement costs ~40 µs of Python per run,
the driver ~5 µs, and an annotator's next → submit cycle runs about twenty statements.

Statements are written once in SQLite's ``?`` style and translated for psycopg; timestamps
are stored exactly as SQLAlchemy's `UTCDateTime` stores them, so both paths read each other's
rows.
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


class Raw:
    """A cursor on the session's own connection, inside its transaction."""

    def __init__(self, session: Session) -> None:
        connection = session.connection()
        self.sqlite = connection.dialect.name == "sqlite"
        driver: Any = connection.connection.driver_connection
        self._cursor: Any = driver.cursor()

    def run(self, sql: Sql, params: Params = ()) -> int:
        """Execute; the number of rows changed."""
        self._cursor.execute(sql.sqlite if self.sqlite else sql.postgres, params)
        return int(self._cursor.rowcount)

    def one(self, sql: Sql, params: Params = ()) -> tuple[Any, ...] | None:
        self._cursor.execute(sql.sqlite if self.sqlite else sql.postgres, params)
        row: tuple[Any, ...] | None = self._cursor.fetchone()
        return row

    def all(self, sql: Sql, params: Params = ()) -> list[tuple[Any, ...]]:
        self._cursor.execute(sql.sqlite if self.sqlite else sql.postgres, params)
        return list(self._cursor.fetchall())

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


# Where `Raw.of` keeps a session's shared cursor, with the connection it belongs to.
_SHARED = "accord.db.raw.shared"
