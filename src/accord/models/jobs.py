"""Background jobs: long work (imports, exports, consensus, metrics, bucket syncs) a person
can watch, cancel and collect the result of.

The row is the truth about a job; the queue library (`accord.jobs.runner`) only carries its
id to a worker. A worker claims the row (``queued`` → ``running``) before doing anything, so a
message delivered twice runs the job once; it beats (``heartbeat_at``) while it works, and a
job whose worker stopped beating is retried or failed by the sweep.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import BigId, JSONText, UTCDateTime, utcnow


class JobState(enum.StrEnum):
    queued = "queued"  # waiting for a worker
    running = "running"  # a worker claimed it and beats
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"


FINISHED = (JobState.succeeded.value, JobState.failed.value, JobState.cancelled.value)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_project_id_id", "project_id", "id"),
        Index("ix_jobs_state", "state"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default=JobState.queued.value)
    params: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the job was last handed to the queue (a sweep hands a job again that no worker
    # took: the queue's message may have been lost with a restarted Redis).
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When a finished export's file was deleted (`ACCORD_EXPORT_KEEP_HOURS`); None: still kept.
    expired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(120))  # host:pid of the running worker
    phase: Mapped[str] = mapped_column(String(120), default="")  # what it is doing now
    done: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int | None] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(16), default="rows")
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    # What went wrong along the way, oldest first: [{"at": ISO time, "message": text}].
    log: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, default=list)
    error: Mapped[str | None] = mapped_column(Text)  # why it failed, for a person
