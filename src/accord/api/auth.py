"""Who is calling: an API token (``Authorization: Bearer acc_…``) or a browser session cookie.

Browser writes must carry the session's CSRF token in the ``X-CSRF-Token`` header (the token is
returned at sign-in and by ``GET /api/v1/session``); token-authenticated calls need none.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import or_, select, update
from starlette.concurrency import run_in_threadpool

from accord.db import Database
from accord.db.notices import Notices
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


# A token's last_used_at is written at most this often, and only when its caller is not cached.
TOKEN_USE_PRECISION = dt.timedelta(minutes=1)


@dataclass
class Caller:
    user: User
    session: BrowserSession | None = None  # None when authenticated by API token
    token_expires_at: dt.datetime | None = None  # the API token's expiry, if it has one

    def expired(self, now: dt.datetime) -> bool:
        """The session or token ended since this caller was cached."""
        if self.session is not None:
            return self.session.expires_at < now
        return self.token_expires_at is not None and self.token_expires_at <= now


class CallerCache:
    """Who a token or session cookie belongs to, remembered for a few seconds.

    Every request is authenticated; looking the token up each time costs a database round
    trip on the hottest paths (next task, submit). The actions that revoke a token, end a
    session or change an account announce it (`accord.db.notices`), and server processes
    clear their caches:

    - the process that made the change, at its commit;
    - the other processes when the notice reaches them, through Redis (``ACCORD_REDIS_URL``) or
      PostgreSQL's ``NOTIFY``; the request that made the change answers only once every process
      that heard it has cleared its cache (`forget_callers`, waiting at most
      `accord.db.notices.ACK_WAIT`), so no server accepts a revoked token after that answer;
    - whatever happens, within `TTL` seconds: an entry is never renewed by use (a busy token
      is read again every `TTL` seconds). That is the whole bound on SQLite without Redis, and
      for a process that lost its channel (it clears everything again when it is back).

    A lookup that began before a `clear` is not stored (`generation`).
    """

    TTL = 5.0
    SIZE = 10_000

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Caller]] = {}
        self._lock = threading.Lock()  # clears come from other threads (commits, notices)
        self.generation = 0

    def get(self, key: str) -> Caller | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: str, caller: Caller, generation: int) -> None:
        """Remember ``caller``, read from the database while the cache was at ``generation``."""
        with self._lock:
            if generation != self.generation:
                return  # tokens, sessions or accounts changed while it was being read
            if len(self._entries) >= self.SIZE:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + self.TTL, caller)

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()


async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def forget_callers(request: Request) -> None:
    """Call after a change to tokens, sessions or accounts has committed, before answering:
    returns once every server process has dropped the callers it cached (the action that made
    the change announced it; `accord.db.notices`), so that no server accepts a revoked token
    or an ended session after the answer."""
    cache: CallerCache = request.app.state.callers
    cache.clear()
    notices: Notices = request.app.state.notices
    notices.settle()


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    session_token: Annotated[str | None, Depends(cookie)],
) -> Caller:
    db: Database = request.app.state.db
    cache: CallerCache = request.app.state.callers
    if request.headers.get("authorization"):
        if credentials is None:
            raise Unauthorized("send the API token as 'Authorization: Bearer <token>'")
        key = "token:" + token_hash(credentials.credentials)
        caller = cache.get(key)
        if caller is None or caller.expired(utcnow()):
            generation = cache.generation
            caller = await run_in_threadpool(_by_token, db, credentials.credentials)
            cache.put(key, caller, generation)
        return caller
    if session_token:
        key = "session:" + token_hash(session_token)
        caller = cache.get(key)
        if caller is None or caller.expired(utcnow()):
            generation = cache.generation
            caller = await run_in_threadpool(_by_session, db, session_token)
            cache.put(key, caller, generation)
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
            select(User, ApiToken)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == token_hash(token))
        ).first()
    if row is None:
        raise Unauthorized("this API token is unknown or revoked; create a new one")
    user: User = row[0]
    found: ApiToken = row[1]
    if not user.is_active:  # said first: deactivating an account also revokes its tokens
        raise Unauthorized("this account is deactivated; ask an admin")
    if found.revoked_at is not None:
        raise Unauthorized("this API token is unknown or revoked; create a new one")
    now = utcnow()
    if found.expires_at is not None and found.expires_at <= now:
        raise Unauthorized(
            f"this API token expired at {found.expires_at.isoformat(timespec='seconds')}; "
            "create a new one (accord tokens create EMAIL, or POST /api/v1/tokens)",
            code="token_expired",
        )
    if found.last_used_at is None or found.last_used_at < now - TOKEN_USE_PRECISION:
        _note_use(db, found.id, now)
    return Caller(user=user, token_expires_at=found.expires_at)


def _note_use(db: Database, token_id: int, now: dt.datetime) -> None:
    """Record that a token was used, at most once a `TOKEN_USE_PRECISION` (whichever server
    process notices first). On SQLite it is skipped while someone else is writing: the token's
    next lookup (a few seconds on, when its cache entry lapses) tries again."""
    stale = now - TOKEN_USE_PRECISION
    statement = (
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < stale),
        )
        .values(last_used_at=now)
    )
    if db.is_sqlite:
        writer = db.try_write()
        if writer is None:
            return
        with writer as session:
            session.execute(statement)
        return
    with db.write() as session:
        session.execute(statement)


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


async def optional_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    session_token: Annotated[str | None, Depends(cookie)],
) -> Caller | None:
    """The caller, or None for someone not signed in (or whose session has ended)."""
    try:
        return await authenticate(request, credentials, session_token)
    except Unauthorized:
        return None


CurrentCaller = Annotated[Caller, Depends(authenticate)]
Db = Annotated[Database, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_settings)]


def require_admin(caller: Caller) -> None:
    if not caller.user.is_admin:
        raise Forbidden("only an admin can do this")


def require_project_creator(caller: Caller) -> None:
    """Admins, and accounts an admin allowed to, may create projects."""
    if not (caller.user.is_admin or caller.user.can_create_projects):
        raise Forbidden(
            "your account may not create projects; ask an admin to allow it "
            "(accord users grant EMAIL --can-create-projects, or the admin's Accounts screen)",
            code="cannot_create_projects",
        )
