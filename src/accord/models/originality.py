"""The originality index of written answers (`accord.quality.originality`).

Per project and text question with ``originality`` set: each submitted text and each text of
an uploaded reference corpus, with its MinHash signature (`OriginalityText`), and its LSH band
keys in an indexed table (`OriginalityBand`), so that checking a submission is one indexed
lookup of its band keys and the verification of a bounded number of candidates. A submission's
outcome (its similarity, the passages, and how much of its text was pasted) is kept in
`OriginalityCheck`, for reviewers and audit sampling.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import BigId, JSONText, UTCDateTime, utcnow


class CorpusState(enum.StrEnum):
    indexing = "indexing"  # its texts are being written: not used by checks yet
    ready = "ready"  # published: checks use it
    failed = "failed"  # the job failed; its texts were removed
    deleting = "deleting"  # a manager deleted it: not used; its texts are being removed


class OriginalityCorpus(Base):
    """A reference corpus a manager uploaded for one text question of a project."""

    __tablename__ = "originality_corpora"
    __table_args__ = (
        Index("ix_originality_corpora_project_id", "project_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16), default=CorpusState.indexing.value)
    texts: Mapped[int] = mapped_column(Integer, default=0)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    error: Mapped[str | None] = mapped_column(Text)


class OriginalityText(Base):
    """One indexed text: a submission's answer to a question, or a line of a corpus."""

    __tablename__ = "originality_texts"
    __table_args__ = (
        Index("ix_originality_texts_project_id_question", "project_id", "question"),
        Index("ix_originality_texts_annotation_id", "annotation_id"),
        Index("ix_originality_texts_corpus_id", "corpus_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(16))  # "submission" or "reference"
    annotation_id: Mapped[int | None] = mapped_column(
        ForeignKey("annotations.id", ondelete="CASCADE")
    )
    corpus_id: Mapped[int | None] = mapped_column(
        ForeignKey("originality_corpora.id", ondelete="CASCADE")
    )
    line: Mapped[int | None] = mapped_column(Integer)  # a corpus text's line in its file
    text: Mapped[str] = mapped_column(Text)
    signature: Mapped[bytes] = mapped_column(LargeBinary)  # NUM_PERM little-endian uint32


class OriginalityBand(Base):
    """An LSH band key of an indexed text (scope, band and values hashed to 64 bits)."""

    __tablename__ = "originality_bands"
    __table_args__ = (Index("ix_originality_bands_text_id", "text_id"),)

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    text_id: Mapped[int] = mapped_column(
        ForeignKey("originality_texts.id", ondelete="CASCADE"), primary_key=True
    )


class OriginalityCheck(Base):
    """What the check found about one submission, and how its text was written."""

    __tablename__ = "originality_checks"
    __table_args__ = (Index("ix_originality_checks_project_id", "project_id"),)

    annotation_id: Mapped[int] = mapped_column(
        ForeignKey("annotations.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    # The highest similarity over the checked questions; None: no question was checked.
    similarity: Mapped[float | None] = mapped_column(Float)
    verdict: Mapped[str] = mapped_column(String(16))  # "original", "warn"
    # {question: {"similarity", "source", "text_id", "passages": [...]}}
    details: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    # {question: {"typed": characters typed, "pasted": characters pasted}}
    typing: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
