"""Assignments: who holds, skipped or submitted which task.

One row per (task, annotator), so a task can never be handed to the same person twice. A lease
that expires is deleted (its draft stays), which frees the slot for someone else.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import BigId, UTCDateTime, utcnow


class AssignmentState(enum.StrEnum):
    leased = "leased"
    skipped = "skipped"
    submitted = "submitted"


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (
        Index("uq_assignments_task_id_user_id", "task_id", "user_id", unique=True),
        Index("ix_assignments_project_id_user_id_state", "project_id", "user_id", "state"),
        Index(
            "ix_assignments_expiry",
            "project_id",
            "expires_at",
            sqlite_where=text("state = 'leased'"),
            postgresql_where=text("state = 'leased'"),
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16))
    skip_reason: Mapped[str | None] = mapped_column(Text)
    leased_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
