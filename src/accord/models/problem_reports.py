"""Tool problem reports: what a signed-in person says went wrong in the app ("Report a
problem"), with the context the browser gathered and an optional screenshot, and the admins'
triage of it (status, duplicate-of, notes). See docs/problem_reports.md.

The screenshot is kept in the storage backend under ``screenshot_key`` (never in the
database); the API serves it only to admins and the reporter. ``project_id`` and ``task_id``
are copied out of the context for filtering and are not foreign keys: a report outlives the
project it was made in.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import BigId, JSONText, UTCDateTime, utcnow


class ReportStatus(enum.StrEnum):
    new = "new"
    triaged = "triaged"
    in_progress = "in_progress"
    fixed = "fixed"
    wont_fix = "wont_fix"
    duplicate = "duplicate"


class ProblemReport(Base):
    __tablename__ = "problem_reports"
    __table_args__ = (
        # The admins' list by status, newest first; a reporter's own reports, newest first.
        Index("ix_problem_reports_status_id", "status", "id"),
        Index("ix_problem_reports_reporter_id_id", "reporter_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    # What the browser gathered (page, project, task, browser, app version, recent errors and
    # failed requests; the task's content only when the reporter allowed it), bounded.
    context: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    project_id: Mapped[int | None] = mapped_column(BigId)
    task_id: Mapped[int | None] = mapped_column(BigId)
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.new.value)
    duplicate_of: Mapped[int | None] = mapped_column(
        ForeignKey("problem_reports.id", ondelete="SET NULL")
    )
    notes: Mapped[str] = mapped_column(Text, default="")  # the admins' triage notes
    screenshot_key: Mapped[str | None] = mapped_column(String(200))
    screenshot_type: Mapped[str | None] = mapped_column(String(40))  # image/png, image/jpeg
    screenshot_bytes: Mapped[int | None] = mapped_column(Integer)
