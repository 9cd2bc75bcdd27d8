"""Column types shared by the models: portable ids, UTC timestamps, JSON kept as text."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from sqlalchemy import BigInteger, DateTime, Dialect, Integer, Text, TypeDecorator

# INTEGER PRIMARY KEY is the rowid alias on SQLite; BIGINT elsewhere.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stored as naive UTC; always read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

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
