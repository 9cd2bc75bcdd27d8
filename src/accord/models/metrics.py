"""Metrics: per (project, annotator, day) counters kept as work happens, and per project a
stored snapshot of the figures too heavy to compute in a request.

`WorkCount` rows are moved in the transaction of the action that changes them
(`accord.actions.work_counts`): a submission, a skip, a review decision, a deleted
annotation. ``day`` is the UTC date (``YYYY-MM-DD``) the event happened; review outcomes count
for the annotation's author on the day of the decision. Any figure per annotator, day or week
is then a sum over at most (annotators × days) rows, never a scan of the annotations.

`MetricsSnapshot` holds, as JSON, the figures `accord.jobs.metrics` recomputes in the
background (agreement, Dawid-Skene skills, confusion matrices, label distribution), with when
they were computed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import UTCDateTime


class WorkCount(Base):
    __tablename__ = "work_counts"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # UTC date, ISO
    # Who wrote the row apart (`accord.actions.work_counts`): readers sum over the shards.
    shard: Mapped[int] = mapped_column(Integer, primary_key=True, default=0, server_default="0")
    submitted: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)  # by a manager, that day
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)  # active time of submissions
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    fixed: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)  # checklist items failed


class MetricsSnapshot(Base):
    __tablename__ = "metrics_snapshots"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[str] = mapped_column(Text)  # JSON text (accord.jobs.metrics)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)  # how long computing took
