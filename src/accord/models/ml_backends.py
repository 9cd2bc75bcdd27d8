"""Model servers a project connects (docs/ml_backends.md): Label Studio ML backends or servers
speaking Accord's native protocol. They pre-label tasks (a job), answer the annotate screen's
"Suggest", and are asked to retrain every ``train_every`` new annotations.

The row keeps what the last health check found (``health``: unknown, up or down, with
``health_error``) and the model version the server last reported. ``trained_through`` is the
id of the newest annotation already sent to the server for training: the annotations after it
are the new ones that count toward the next retraining.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import BigId, UTCDateTime, utcnow


class MLProtocol(enum.StrEnum):
    labelstudio = "labelstudio"
    accord = "accord"


class MLHealth(enum.StrEnum):
    unknown = "unknown"
    up = "up"
    down = "down"


class MLBackend(Base):
    __tablename__ = "ml_backends"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    protocol: Mapped[str] = mapped_column(String(16), default=MLProtocol.labelstudio.value)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Offered in the annotate screen's "Suggest" (one call per press, with the person's context).
    interactive: Mapped[bool] = mapped_column(Boolean, default=False)
    # Seconds one call to the server may take (connect, send, answer), at most 120.
    timeout_seconds: Mapped[float] = mapped_column(Float, default=30.0)
    # Ask the server to retrain every this many new annotations (0: never).
    train_every: Mapped[int] = mapped_column(Integer, default=0)
    trained_through: Mapped[int] = mapped_column(BigInteger, default=0)
    last_trained_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    model_version: Mapped[str] = mapped_column(String(200), default="")
    health: Mapped[str] = mapped_column(String(16), default=MLHealth.unknown.value)
    health_error: Mapped[str] = mapped_column(Text, default="")
    health_checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
