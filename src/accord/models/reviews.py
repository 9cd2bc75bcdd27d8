"""Reviews: a reviewer's decision on one round of an annotation.

An annotation chosen for review (the project's review policy, at submission) gets a review
row in state ``open``; a reviewer leases it (``reviewer_id``, ``expires_at``) and decides:
accept, fix and accept (the fix is a new version of the annotation, by the reviewer), or
reject with a reason and comments. A rejected annotation goes back to its author; once they
edit it, a new round opens. The annotation's ``review_state`` says where it stands:
``pending`` (a round is open), ``accepted``, ``fixed`` or ``rejected``.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import BigId, JSONText, UTCDateTime, utcnow


class ReviewState(enum.StrEnum):
    """Where an annotation stands in review (`Annotation.review_state`; None: not sampled)."""

    pending = "pending"
    accepted = "accepted"
    fixed = "fixed"
    rejected = "rejected"


class Decision(enum.StrEnum):
    accept = "accept"
    fix = "fix"
    reject = "reject"


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        Index("uq_reviews_annotation_id_round", "annotation_id", "round", unique=True),
        Index("ix_reviews_project_id_state_id", "project_id", "state", "id"),
        # The review a reviewer holds (asked on every "next review"), and users' deletion.
        Index("ix_reviews_reviewer_id_state_project_id", "reviewer_id", "state", "project_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    annotation_id: Mapped[int] = mapped_column(ForeignKey("annotations.id", ondelete="CASCADE"))
    # The annotation's author, kept here so the queue can pass over a reviewer's own work.
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer, default=1)
    # Why it is reviewed: all, share (drawn at random), first (an annotator's first N), or
    # resubmitted (after a rejection).
    reason: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="open")  # open or decided
    # Who holds it (until expires_at) while open; who decided once decided.
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision: Mapped[str | None] = mapped_column(String(16))
    version: Mapped[int | None] = mapped_column(Integer)  # the annotation's version decided on
    fix_version: Mapped[int | None] = mapped_column(Integer)  # the reviewer's fix, if any
    # The project's guideline version in force when the review was decided.
    guidelines_version: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    # Comments anchored to a question (and, for spans, to a span): [{question, text, span?}].
    comments: Mapped[list[Any]] = mapped_column(JSONText, default=list)
    # The checklist items that failed (a fix or a rejection), as they read when decided.
    failed: Mapped[list[Any]] = mapped_column(JSONText, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
