"""Tasks: one item of data to annotate, with the counters the queue runs on.

`n_claimed` counts live leases plus submissions; `is_open` is true while
``n_claimed < project.overlap``. The queue index covers only open tasks, so a project that is
nearly done costs nothing to search.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import BigId, UTCDateTime, utcnow


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        Index("uq_tasks_project_id_external_id", "project_id", "external_id", unique=True),
        Index("ix_tasks_project_id_id", "project_id", "id"),
        Index(
            "ix_tasks_queue",
            "project_id",
            "queue_key",
            "id",
            sqlite_where=text("is_open = 1"),
            postgresql_where=text("is_open"),
        ),
        Index("ix_tasks_project_id_n_submitted", "project_id", "n_submitted"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[str] = mapped_column(Text)  # JSON text, validated against the fields
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    queue_key: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    is_open: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    n_claimed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    n_submitted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Which import brought the task. Deliberately not a foreign key: checking one per row
    # doubled the time of a million-row import on PostgreSQL, and imports are only ever
    # deleted with their project, which takes its tasks along.
    import_id: Mapped[int | None] = mapped_column(BigInteger)
    # None for a task of the dataset; ``gold``, ``qualification`` or ``training`` for a task
    # with a known answer (`accord.models.gold`). Such tasks are never open in the queue index:
    # they are served by their own rules (accord.actions.gold).
    purpose: Mapped[str | None] = mapped_column(String(16))
    # Dynamic overlap: annotations asked beyond the project's overlap because the first ones
    # disagree (accord.actions.consensus). The task is open while n_claimed < overlap + this.
    extra_overlap: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Sensitive content (accord.actions.sensitive): served only to annotators who opted in,
    # shown blurred until revealed. `data_deleted_at`: the data was replaced by a tombstone
    # under the project's retention policy (accord.actions.retention).
    sensitive: Mapped[bool] = mapped_column(
        Boolean(create_constraint=False), default=False, server_default=false()
    )
    data_deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
