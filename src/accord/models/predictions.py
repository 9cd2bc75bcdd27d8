"""Model pre-annotations, imported with the tasks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import BigId, UTCDateTime, utcnow


class Prediction(Base):
    __tablename__ = "predictions"
    __table_args__ = (
        Index("ix_predictions_project_id_task_id", "project_id", "task_id"),
        # Deleting a task cascades to its predictions: without this, each delete read them all.
        Index("ix_predictions_task_id", "task_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    model_version: Mapped[str] = mapped_column(String(200))
    score: Mapped[float | None] = mapped_column(Float)
    result: Mapped[str] = mapped_column(Text)
    # The model's class probabilities, when its server gives them (JSON, by question:
    # {"question": {"label": p}}): the margin and entropy measures of active learning.
    probabilities: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
