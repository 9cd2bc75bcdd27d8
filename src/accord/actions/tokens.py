"""Personal API tokens: created (shown once, optionally with an expiry), revoked."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.db.notices import Topic, announce
from accord.db.types import utcnow
from accord.errors import Conflict, Invalid
from accord.models import ApiToken, User
from accord.security import new_token, token_hash

TOKEN_PREFIX = "acc_"
MAX_EXPIRY_DAYS = 3650


def do_create_token(
    session: Session,
    actor: User | None,
    user: User,
    name: str = "",
    *,
    expires_in_days: int | None = None,
) -> tuple[str, ApiToken]:
    """Create a token for ``user``, valid for ``expires_in_days`` (None: until revoked);
    returns the token (only its hash is kept) and its row. A source's account gets none."""
    if user.is_source:
        raise Conflict(
            f"{user.name or user.email} is an imported source of annotations, not a person: "
            "it never signs in and gets no API token; create the token for a person's account",
            code="source_account",
        )
    expires_at = None
    if expires_in_days is not None:
        if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
            raise Invalid(
                f"expires_in_days must be a whole number of days from 1 to {MAX_EXPIRY_DAYS}, "
                f"not {expires_in_days}; leave it out for a token that lasts until revoked",
                details={"field": "expires_in_days"},
            )
        expires_at = utcnow() + dt.timedelta(days=expires_in_days)
    token = new_token(TOKEN_PREFIX)
    row = ApiToken(
        user_id=user.id,
        name=name.strip()[:200],
        token_hash=token_hash(token),
        prefix=token[: len(TOKEN_PREFIX) + 4],
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    after: dict[str, object] = {"user_id": user.id}
    if expires_at is not None:
        after["expires_at"] = expires_at.isoformat()
    record(session, actor, "token.create", ("token", row.id), after=after)
    return token, row


def do_revoke_token(session: Session, actor: User, token: ApiToken) -> None:
    if token.revoked_at is not None:
        raise Conflict("this token is already revoked")
    token.revoked_at = utcnow()
    session.flush()
    announce(session, Topic.callers)
    record(session, actor, "token.revoke", ("token", token.id), after={"user_id": token.user_id})


def revoke_tokens_of(session: Session, actor: User | None, user: User, *, reason: str) -> int:
    """Revoke every live token of ``user`` (each audited); how many."""
    now = utcnow()
    live = session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id)
    ).all()
    for token in live:
        token.revoked_at = now
        record(
            session,
            actor,
            "token.revoke",
            ("token", token.id),
            after={"user_id": user.id, "reason": reason},
        )
    session.flush()
    if live:
        announce(session, Topic.callers)
    return len(live)
