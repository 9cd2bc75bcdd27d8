"""People: the accounts that sign in, and the sources (a vendor, an earlier tool) whose
annotations were imported under a name: accounts that never sign in."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import BigId, UTCDateTime, utcnow


class User(Base):
    __tablename__ = "users"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Admins grant it; admins can always create projects.
    can_create_projects: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # An imported source of annotations (`accord.actions.source_answers`): no password, no
    # token, no sign-in; it only ever answers through an import.
    is_source: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Consecutive failed sign-ins (reset by a successful one) and the lock they earned.
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
