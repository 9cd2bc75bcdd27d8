"""Browser sign-in: ``POST /session`` sets an HttpOnly cookie; ``DELETE /session`` signs out."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from pydantic import BaseModel, Field

from accord.actions.sessions import do_sign_in, do_sign_out
from accord.actions.users import find_user
from accord.api.auth import (
    SESSION_COOKIE,
    AppSettings,
    Caller,
    CurrentCaller,
    Db,
    forget_callers,
    optional_caller,
)
from accord.api.schemas import In, UserOut
from accord.errors import RateLimited, Unauthorized
from accord.security import verify_password

router = APIRouter(tags=["session"])


class SignIn(In):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1000)


class SessionOut(BaseModel):
    user: UserOut | None = Field(description="null when no one is signed in")
    csrf_token: str


class LoginLimiter:
    """Failed sign-ins per minute, per address and email, and per address alone."""

    def __init__(self, per_minute: int) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._pair = RateLimitItemPerMinute(per_minute)
        self._address = RateLimitItemPerMinute(per_minute * 5)

    def check(self, address: str, email: str) -> None:
        for item, key in ((self._pair, f"{address}|{email}"), (self._address, address)):
            if not self._limiter.test(item, "login", key):
                reset = self._limiter.get_window_stats(item, "login", key).reset_time
                wait = max(1, int(reset - time.time()) + 1)
                raise RateLimited(
                    f"too many failed sign-ins; wait {wait} seconds and try again",
                    retry_after=wait,
                )

    def failed(self, address: str, email: str) -> None:
        self._limiter.hit(self._pair, "login", f"{address}|{email}")
        self._limiter.hit(self._address, "login", address)


@router.post("/session", summary="Sign in (browser)")
def sign_in(
    body: SignIn, request: Request, response: Response, db: Db, settings: AppSettings
) -> SessionOut:
    limiter: LoginLimiter = request.app.state.login_limiter
    address = request.client.host if request.client else "unknown"
    email = body.email.strip().lower()
    limiter.check(address, email)
    with db.write() as session:
        user = find_user(session, email)
        if user is None or not verify_password(user.password_hash, body.password):
            limiter.failed(address, email)
            raise Unauthorized("wrong email or password", code="bad_credentials")
        if not user.is_active:
            raise Unauthorized("this account is deactivated; ask an admin", code="deactivated")
        token, browser = do_sign_in(session, user, settings.session_hours)
        out = SessionOut(user=UserOut.of(user), csrf_token=browser.csrf_token)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
        path="/",
    )
    return out


@router.get("/session", summary="Who is signed in (user null when no one is)")
def current_session(
    caller: Annotated[Caller | None, Depends(optional_caller)],
) -> SessionOut:
    if caller is None:
        return SessionOut(user=None, csrf_token="")
    csrf = caller.session.csrf_token if caller.session else ""
    return SessionOut(user=UserOut.of(caller.user), csrf_token=csrf)


@router.delete("/session", summary="Sign out (browser)", status_code=204)
def sign_out(caller: CurrentCaller, db: Db, request: Request) -> Response:
    if caller.session is not None:
        with db.write() as session:
            do_sign_out(session, caller.user, caller.session)
        forget_callers(request)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
