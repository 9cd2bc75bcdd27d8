"""Projects: what is shown, what is asked, and how the queue hands out work."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import BigId, JSONText, UTCDateTime, utcnow


class QueueOrder(enum.StrEnum):
    sequential = "sequential"
    random = "random"
    priority = "priority"
    # Active learning (accord.actions.active_learning): the tasks the model is least sure of
    # first; the tasks where the model and the first annotators disagree first.
    uncertainty = "uncertainty"
    disagreement = "disagreement"


class UncertaintyMeasure(enum.StrEnum):
    """How sure a prediction is (accord.quality.uncertainty)."""

    least_confident = "least_confident"
    margin = "margin"
    entropy = "entropy"


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    interface: Mapped[dict[str, Any]] = mapped_column(JSONText)
    overlap: Mapped[int] = mapped_column(Integer, default=1)
    lease_seconds: Mapped[int] = mapped_column(Integer, default=3600)
    order: Mapped[str] = mapped_column(String(20), default=QueueOrder.sequential.value)
    # For the active learning orders: how a prediction's uncertainty is measured, and whether
    # the queue takes turns between the classes the model predicts (diversity).
    uncertainty_measure: Mapped[str] = mapped_column(
        String(20),
        default=UncertaintyMeasure.least_confident.value,
        server_default=UncertaintyMeasure.least_confident.value,
    )
    diversity: Mapped[bool] = mapped_column(
        Boolean(create_constraint=False), default=False, server_default=false()
    )
    # The review policy: each annotator's first `review_first` submissions are reviewed, then
    # a `review_share` of the rest, drawn at random (1: all of them; 0: none).
    review_share: Mapped[float] = mapped_column(Float, default=0.0)
    review_first: Mapped[int] = mapped_column(Integer, default=0)
    # Risk-based review: a submission on a task whose best prediction scores below this (0:
    # off), or one that disagrees with the task's earlier answers, goes to review too.
    review_below_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    review_disagreements: Mapped[bool] = mapped_column(Boolean, default=False)
    # ... and the submissions of an annotator whose gold score is below `review_below_gold`
    # (0: off), and those made in less than `review_faster_than` times the project's median
    # active time (0: off).
    review_below_gold: Mapped[float] = mapped_column(Float, default=0.0)
    review_faster_than: Mapped[float] = mapped_column(Float, default=0.0)
    # What reviewers check: [{"id", "text", "severity"}] (accord.actions.checklists).
    checklist: Mapped[list[Any]] = mapped_column(JSONText, default=list)
    # Gold: the share of served tasks that are gold (0: none); whether the expected answer is
    # shown after a gold task is submitted; the gold score below which (after
    # `gold_pause_min` scored gold tasks) an annotator is paused (0: never).
    gold_rate: Mapped[float] = mapped_column(Float, default=0.0)
    gold_feedback: Mapped[bool] = mapped_column(Boolean, default=False)
    gold_pause_below: Mapped[float] = mapped_column(Float, default=0.0)
    gold_pause_min: Mapped[int] = mapped_column(Integer, default=10)
    # Qualification: the score to pass (0: no qualification) and the attempts allowed.
    qualification_pass: Mapped[float] = mapped_column(Float, default=0.0)
    qualification_attempts: Mapped[int] = mapped_column(Integer, default=2)
    # Consensus: the method (majority, dawid_skene), the agreement below which a complete
    # task goes to adjudication (0: never), and the most annotations dynamic overlap may ask
    # for (0 or at most `overlap`: no dynamic overlap).
    consensus_method: Mapped[str] = mapped_column(String(20), default="majority")
    agreement_threshold: Mapped[float] = mapped_column(Float, default=0.0)
    max_overlap: Mapped[int] = mapped_column(Integer, default=0)
    guidelines: Mapped[str] = mapped_column(Text, default="")
    guidelines_version: Mapped[int] = mapped_column(Integer, default=1)
    # The number of the latest material guideline version (0: none): annotators must have
    # acknowledged it before their next task (accord.actions.guidelines).
    guidelines_material: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when a manager deletes the project: it is gone for everyone at once, and its rows
    # are removed in short batches afterwards (accord.actions.projects).
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # After an overlap or order change, the tasks from this id on still need their queue
    # fields (is_open, queue_key) recomputed; they are, in short batches
    # (accord.actions.projects.settle_queue). None: the queue agrees with the settings.
    queue_pending_from: Mapped[int | None] = mapped_column(BigInteger)
    # Sensitive work and data handling (accord.actions.sensitive, accord.actions.confidentiality):
    # sensitive tasks per annotator per UTC day (0: no limit); the "take a break" prompt after
    # N sensitive tasks or M minutes of them without a break (0: never); exports by admins
    # only; the viewer's identity watermarked over the task; copying from the task's fields
    # blocked; task views recorded in the audit log, kept for N days (0: kept); a task's
    # data deleted N days after an export that carried it (0: kept).
    sensitive_daily_limit: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sensitive_break_after: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sensitive_break_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    export_admins_only: Mapped[bool] = mapped_column(
        Boolean(create_constraint=False), default=False, server_default=false()
    )
    watermark: Mapped[bool] = mapped_column(
        Boolean(create_constraint=False), default=False, server_default=false()
    )
    block_copy: Mapped[bool] = mapped_column(
        Boolean(create_constraint=False), default=False, server_default=false()
    )
    access_log: Mapped[bool] = mapped_column(
        Boolean(create_constraint=False), default=False, server_default=false()
    )
    access_log_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    retention_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
