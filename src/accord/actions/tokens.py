"""Personal API tokens: created (shown once), revoked."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.db.types import utcnow
from accord.errors import Conflict
from accord.models import ApiToken, User
from accord.security import new_token, token_hash

TOKEN_PREFIX = "acc_"


def do_create_token(
    session: Session, actor: User | None, user: User, name: str = ""
) -> tuple[str, ApiToken]:
    """Create a token for ``user``; returns the token (only its hash is kept) and its row."""
    token = new_token(TOKEN_PREFIX)
    row = ApiToken(
        user_id=user.id,
        name=name.strip()[:200],
        token_hash=token_hash(token),
        prefix=token[: len(TOKEN_PREFIX) + 4],
    )
    session.add(row)
    session.flush()
    record(session, actor, "token.create", ("token", row.id), after={"user_id": user.id})
    return token, row


def do_revoke_token(session: Session, actor: User, token: ApiToken) -> None:
    if token.revoked_at is not None:
        raise Conflict("this token is already revoked")
    token.revoked_at = utcnow()
    session.flush()
    record(session, actor, "token.revoke", ("token", token.id), after={"user_id": token.user_id})
