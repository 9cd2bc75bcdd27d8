"""A record of each import: who, what file, and what came of it."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import BigId, UTCDateTime, utcnow


class ImportState(enum.StrEnum):
    staging = "staging"  # rows being read and checked into the import's staging area
    moving = "moving"  # every row checked; being moved into tasks (committed: rolls forward)
    done = "done"
    failed = "failed"  # refused or abandoned; its staged rows are removed


class Import(Base):
    __tablename__ = "imports"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    format: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(300), default="")
    created: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    predictions: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(
        String(16), default=ImportState.done.value, server_default=ImportState.done.value
    )
    staged: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    moved: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Refreshed while the import works; an unfinished import whose heartbeat is old was
    # abandoned (its process died) and is rolled back or forward.
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
