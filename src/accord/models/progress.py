"""Project progress, counted as it changes: how many tasks have each number of submissions.

One row per (project, shard, submitted): ``tasks`` is how many of the project's tasks have
exactly ``submitted`` annotations, summed over shards. Every change of a task's
``n_submitted`` (a submission, a deletion) and every task added or removed moves counts
between rows in the same transaction (`accord.actions.progress`), so the progress of any
project at any overlap is a sum over at most a few hundred rows, never a count over its tasks.
A shard is chosen by who makes the change, so that concurrent submissions on PostgreSQL update
different rows instead of queueing on one; a shard's count alone may be negative.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base


class ProgressCount(Base):
    __tablename__ = "progress_counts"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    shard: Mapped[int] = mapped_column(Integer, primary_key=True)
    submitted: Mapped[int] = mapped_column(Integer, primary_key=True)
    tasks: Mapped[int] = mapped_column(BigInteger, default=0)
