"""Who belongs to a project, and in which role."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import UTCDateTime, utcnow


class Role(enum.StrEnum):
    manager = "manager"
    reviewer = "reviewer"
    annotator = "annotator"


class Membership(Base):
    __tablename__ = "memberships"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the member may not take work for now (gold accuracy below the project's
    # threshold, or a manager's decision); a manager resumes them (accord.actions.gold).
    paused_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    pause_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # When a manager last resumed the member: the gold score that pauses counts from here.
    resumed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Sensitive work (accord.actions.sensitive): the member's own opt-in, and a manager's
    # daily limit for them (None: the project's `sensitive_daily_limit`).
    sensitive_opt_in: Mapped[bool] = mapped_column(
        Boolean(create_constraint=False), default=False, server_default=false()
    )
    sensitive_limit: Mapped[int | None] = mapped_column(Integer)
