"""Webhooks: URLs a project's managers register to hear about events, and the log (an outbox)
of every delivery to them.

An action that makes an event (`accord.actions.webhooks.emit`) writes one `WebhookDelivery` per
enabled webhook subscribed to it, in the transaction of the event: nothing is sent inside a
request. The process that runs background jobs sends the due ones
(`accord.jobs.webhooks.deliver_due`) and records each attempt's outcome on the row.

A delivery is ``pending`` (waiting for ``next_attempt_at``), ``sending`` (claimed by a sender
until ``next_attempt_at``: a sender that dies leaves it due again), ``delivered`` or
``failed``. ``next_attempt_at`` is set exactly while the delivery is pending or sending, so the
index on it holds the due ones first and nothing else is scanned.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import BigId, JSONText, UTCDateTime, utcnow


class DeliveryState(enum.StrEnum):
    pending = "pending"
    sending = "sending"
    delivered = "delivered"
    failed = "failed"


class Webhook(Base):
    __tablename__ = "webhooks"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list[str]] = mapped_column(JSONText, default=list)  # names, sorted
    # Kept as it is (not hashed): the server signs every delivery with it.
    secret: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when a manager deletes it (it is gone for them at once, and disabled); its deliveries
    # are removed a batch at a time afterwards, then the row itself (accord.jobs.webhooks).
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # The due deliveries, soonest first (finished ones have no next attempt).
        Index("ix_webhook_deliveries_next_attempt_at", "next_attempt_at"),
        # A webhook's delivery log, newest first; its deletion a batch at a time.
        Index("ix_webhook_deliveries_webhook_id_id", "webhook_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    # Not a foreign key: the rows go with their webhook (indexed above), and with the project in
    # the purge, so deleting a project never scans this table for them.
    project_id: Mapped[int] = mapped_column(BigId)
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # JSON text of the event's data
    state: Mapped[str] = mapped_column(String(16), default=DeliveryState.pending.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The last attempt: the receiver's HTTP status (None: no answer), how long it took, the
    # first KiB of its answer, or what went wrong.
    response_status: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[float | None] = mapped_column(Float)
    response_body: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A manager's redelivery copies a finished delivery: the one it copies.
    redelivery_of: Mapped[int | None] = mapped_column(BigId)
