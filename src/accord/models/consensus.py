"""Consensus per task and question, and the adjudication of tasks whose answers disagree.

When a task has all the annotations it needs, each question gets an agreement score (the
kind's distance between the answers) and a consensus answer with its confidence
(`TaskConsensus`). A task whose agreement is below the project's threshold (after dynamic
overlap, if any) gets an `Adjudication`: a reviewer sees every answer side by side and picks or
writes the final one.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import BigId, UTCDateTime, utcnow


class TaskConsensus(Base):
    __tablename__ = "task_consensus"
    __table_args__ = (Index("ix_task_consensus_project_id_task_id", "project_id", "task_id"),)

    # Deliberately not foreign keys (as `Task.import_id`): checking two per row tripled the time
    # the project-wide run takes to store a million rows on PostgreSQL. The rows go with their
    # tasks in `do_delete_tasks` and with their project in the purge.
    task_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    question: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[int] = mapped_column(BigId)
    method: Mapped[str] = mapped_column(String(20))
    answer: Mapped[str | None] = mapped_column(Text)  # JSON text of the value; None: no answer
    confidence: Mapped[float | None] = mapped_column(Float)
    agreement: Mapped[float | None] = mapped_column(Float)  # None: fewer than two answers
    n: Mapped[int] = mapped_column(Integer, default=0)  # answers considered
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Adjudication(Base):
    __tablename__ = "adjudications"
    __table_args__ = (
        Index("uq_adjudications_task_id", "task_id", unique=True),
        Index("ix_adjudications_project_id_state_id", "project_id", "state", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default="open")  # open or decided
    reason: Mapped[str] = mapped_column(Text, default="")  # which questions disagreed
    # Who holds it (until expires_at) while open; who decided once decided.
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str | None] = mapped_column(Text)  # the final answer, JSON text
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ConsensusRun(Base):
    """The last project-wide truth inference (Dawid-Skene) of one question: when it ran, over
    how much, and the annotators' skills it estimated (used by the per-task consensus)."""

    __tablename__ = "consensus_runs"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    question: Mapped[str] = mapped_column(String(64), primary_key=True)
    method: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(16), default="running")  # running, done, failed
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    tasks: Mapped[int] = mapped_column(Integer, default=0)
    annotations: Mapped[int] = mapped_column(Integer, default=0)
    # JSON: {"classes": [...], "priors": [...], "annotators": {user id: confusion rows}}
    skills: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str] = mapped_column(Text, default="")
