"""Who is calling: an API token (``Authorization: Bearer acc_…``) or a browser session cookie.

Browser writes must carry the session's CSRF token in the ``X-CSRF-Token`` header (the token is
returned at sign-in and by ``GET /api/v1/session``); token-authenticated calls need none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from accord.db import Database
from accord.db.types import utcnow
from accord.errors import Forbidden, Unauthorized
from accord.models import ApiToken, BrowserSession, User
from accord.security import same, token_hash
from accord.settings import Settings

SESSION_COOKIE = "accord_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer = HTTPBearer(auto_error=False, description="A personal API token: `accord tokens create`")
cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="Browser session")


@dataclass
class Caller:
    user: User
    session: BrowserSession | None = None  # None when authenticated by API token


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    session_token: Annotated[str | None, Depends(cookie)],
) -> Caller:
    db = get_db(request)
    if request.headers.get("authorization"):
        if credentials is None:
            raise Unauthorized("send the API token as 'Authorization: Bearer <token>'")
        return _by_token(db, credentials.credentials)
    if session_token:
        caller = _by_session(db, session_token)
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not caller.session or not same(sent, caller.session.csrf_token):
                raise Forbidden(
                    f"missing or wrong {CSRF_HEADER} header; reload the page and try again",
                    code="csrf",
                )
        return caller
    raise Unauthorized("sign in first, or send an API token as 'Authorization: Bearer <token>'")


def _by_token(db: Database, token: str) -> Caller:
    with db.read() as session:
        row = session.execute(
            select(User, ApiToken.revoked_at)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == token_hash(token))
        ).first()
    if row is None or row[1] is not None:
        raise Unauthorized("this API token is unknown or revoked; create a new one")
    user: User = row[0]
    if not user.is_active:
        raise Unauthorized("this account is deactivated; ask an admin")
    return Caller(user=user)


def _by_session(db: Database, token: str) -> Caller:
    with db.read() as session:
        row = session.execute(
            select(User, BrowserSession)
            .join(BrowserSession, BrowserSession.user_id == User.id)
            .where(BrowserSession.token_hash == token_hash(token))
        ).first()
    if row is None or row[1].expires_at < utcnow():
        raise Unauthorized("your session has ended; sign in again", code="session_expired")
    if not row[0].is_active:
        raise Unauthorized("this account is deactivated; ask an admin")
    return Caller(user=row[0], session=row[1])


CurrentCaller = Annotated[Caller, Depends(authenticate)]
Db = Annotated[Database, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_settings)]


def require_admin(caller: Caller) -> None:
    if not caller.user.is_admin:
        raise Forbidden("only an admin can do this")
