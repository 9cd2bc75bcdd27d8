"""Known answers and the scores people earn against them.

A task with a `GoldAnswer` is one of three things (``purpose``):
- ``gold``: a honeypot, mixed into annotators' queues at the project's ``gold_rate`` and
  indistinguishable from other tasks until submitted; the submission is a real annotation,
  scored into a `GoldScore`;
- ``qualification``: part of the test an annotator must pass before real work is served;
- ``training``: practice, with the expected answer shown after each task.
Qualification and training answers are kept in `GoldScore` (``result``) only: they never become
annotations, so they never reach the dataset, its exports or its agreement figures.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import BigId, JSONText, UTCDateTime, utcnow


class GoldPurpose(enum.StrEnum):
    gold = "gold"
    qualification = "qualification"
    training = "training"


class GoldAnswer(Base):
    __tablename__ = "gold_answers"
    __table_args__ = (
        Index("ix_gold_answers_project_id_purpose_task_id", "project_id", "purpose", "task_id"),
    )

    task_id: Mapped[int] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(16), default=GoldPurpose.gold.value)
    result: Mapped[str] = mapped_column(Text)  # JSON text, checked like an answer
    explanation: Mapped[str] = mapped_column(Text, default="")  # shown with the answer
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GoldScore(Base):
    """One scored answer on a task with a known answer."""

    __tablename__ = "gold_scores"
    __table_args__ = (
        Index(
            "uq_gold_scores_task_id_user_id_attempt", "task_id", "user_id", "attempt", unique=True
        ),
        Index("ix_gold_scores_project_id_user_id_purpose", "project_id", "user_id", "purpose"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(16))
    # The annotation scored (gold); None for qualification and training answers.
    annotation_id: Mapped[int | None] = mapped_column(
        ForeignKey("annotations.id", ondelete="CASCADE")
    )
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    result: Mapped[str] = mapped_column(Text)  # the answer given, JSON text
    score: Mapped[float] = mapped_column(Float)  # 0..1, the mean over the scored questions
    # Per question: {question: score} (accord.actions.gold explains each kind's score).
    detail: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Qualification(Base):
    """Where one annotator stands in a project's qualification."""

    __tablename__ = "qualifications"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(16), default="in_progress")  # passed, failed
    score: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
