"""Browser sign-in and sign-out."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import delete
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.db.types import utcnow
from accord.models import BrowserSession, User
from accord.security import new_token, token_hash


def do_sign_in(session: Session, user: User, hours: float) -> tuple[str, BrowserSession]:
    """Open a browser session for ``user`` (whose password was checked) and return its token."""
    now = utcnow()
    token = new_token("")
    row = BrowserSession(
        user_id=user.id,
        token_hash=token_hash(token),
        csrf_token=secrets.token_urlsafe(24),
        created_at=now,
        expires_at=now + dt.timedelta(hours=hours),
    )
    session.add(row)
    user.last_login_at = now
    session.execute(delete(BrowserSession).where(BrowserSession.expires_at < now))
    session.flush()
    record(session, user, "session.sign_in", ("user", user.id))
    return token, row


def do_sign_out(session: Session, user: User, browser_session: BrowserSession) -> None:
    session.execute(delete(BrowserSession).where(BrowserSession.id == browser_session.id))
    record(session, user, "session.sign_out", ("user", user.id))
