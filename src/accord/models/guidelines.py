"""Versioned guidelines: every save of a project's guidelines is a version, with its author, a
change note, and whether the change is material (annotators must acknowledge it before their
next task). `Project.guidelines` and `Project.guidelines_version` stay the current version's
text and number (accord.actions.guidelines)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import BigId, UTCDateTime, utcnow


class GuidelineVersion(Base):
    __tablename__ = "guideline_versions"
    __table_args__ = (
        Index("uq_guideline_versions_project_id_number", "project_id", "number", unique=True),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(2000), default="")
    material: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when this version restores an older one's text: that version's number.
    restored_from: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuidelineAcknowledgement(Base):
    """An annotator read version ``number`` (and so every version before it). The queue asks
    one probe of the index: has the caller acknowledged a version at or above the project's
    latest material one (`Project.guidelines_material`)?"""

    __tablename__ = "guideline_acknowledgements"
    __table_args__ = (
        Index(
            "uq_guideline_acknowledgements_project_id_user_id_number",
            "project_id",
            "user_id",
            "number",
            unique=True,
        ),
        Index("ix_guideline_acknowledgements_user_id", "user_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
