"""Ambiguity flags: an annotator (or reviewer) says a task is unclear under the guidelines and
asks a question, optionally about one guideline section (its anchor). The project's managers
and reviewers see the open flags grouped by section; a manager answers (the asker is notified,
`accord.models.notifications`), may publish the answer to the project's FAQ, and may promote
it, with the task as a worked example, into a new guideline version (``amended_version``).

The flag stays linked to its task; the asker's annotation of that task, if they submitted one,
is found by (task, asker) when the flag is read. Only managers see who asked.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import BigId, UTCDateTime, utcnow


class FlagState(enum.StrEnum):
    open = "open"
    answered = "answered"


class Flag(Base):
    __tablename__ = "flags"
    __table_args__ = (
        # The queue (open flags of a project) and the FAQ (published ones).
        Index("ix_flags_project_id_state_id", "project_id", "state", "id"),
        # A task's flags (and the task's deletion).
        Index("ix_flags_task_id", "task_id"),
        # The asker's own flags.
        Index("ix_flags_user_id_project_id", "user_id", "project_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The guideline section asked about (its anchor); "" for the guidelines as a whole.
    section: Mapped[str] = mapped_column(String(200), default="")
    question: Mapped[str] = mapped_column(Text)
    # The guidelines version in force when the flag was raised.
    guidelines_version: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(16), default=FlagState.open.value)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # In the project's FAQ (never with the asker's name), under ``faq_question`` when the
    # manager reworded the question for it.
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    faq_question: Mapped[str] = mapped_column(Text, default="")
    # The guideline version this flag's answer became (promotion), if it did.
    amended_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
