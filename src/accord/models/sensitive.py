"""Sensitive work: how many sensitive tasks each annotator was served per project and day.

One row per (project, annotator, UTC day), written only when a sensitive task is leased, so
the queue's usual case (a task that is not sensitive) writes nothing here. ``streak`` counts the
sensitive tasks served since the annotator's last break (`accord.actions.sensitive`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import UTCDateTime, utcnow


class SensitiveExposure(Base):
    __tablename__ = "sensitive_exposures"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD, UTC
    served: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    streak: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    streak_started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
