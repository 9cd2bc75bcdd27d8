"""Column types shared by the models: portable ids, UTC timestamps, JSON kept as text."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from sqlalchemy import BigInteger, DateTime, Dialect, Integer, Text, TypeDecorator
from sqlalchemy.dialects import sqlite

# INTEGER PRIMARY KEY is the rowid alias on SQLite; BIGINT elsewhere.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# SQLite has no timestamp type: timestamps are text, written so that they sort in time order
# and read as ISO 8601 in UTC as they are (exports copy them out without reformatting).
SQLITE_STAMP = (
    "%(year)04d-%(month)02d-%(day)02dT%(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06dZ"
)
SQLITE_STAMP_PATTERN = r"(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)\.(\d+)Z"


def sqlite_stamp(when: dt.datetime) -> str:
    """``when`` as SQLite stores it: ``2026-11-21T22:33:48.123456Z``."""
    naive = when.astimezone(dt.UTC).replace(tzinfo=None) if when.tzinfo else when
    return naive.isoformat(timespec="microseconds") + "Z"


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stored as naive UTC; always read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(
                sqlite.DATETIME(  # type: ignore[no-untyped-call]
                    storage_format=SQLITE_STAMP, regexp=SQLITE_STAMP_PATTERN
                )
            )
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        when: dt.datetime = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


class JSONText(TypeDecorator[Any]):
    """JSON stored as text in every database, serialised with orjson.

    Hot paths (import, export, the queue) read and write the text directly and splice it into
    their output without parsing it again.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return orjson.dumps(value).decode()

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return orjson.loads(value)
