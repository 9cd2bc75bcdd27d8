"""Secrets of this Accord instance, shared by every server process and machine.

A secret is made once, on first use (`accord.actions.secrets.instance_secret`), and kept here so
that what one process signs another can check: the links to stored files
(`accord.media.files`) are signed with ``file_links``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import UTCDateTime, utcnow


class InstanceSecret(Base):
    __tablename__ = "instance_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))  # hex of 32 random bytes
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
