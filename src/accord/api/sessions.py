"""Browser sign-in: ``POST /session`` sets an HttpOnly cookie; ``DELETE /session`` signs out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from accord.actions.sessions import (
    WRONG,
    SignInLimits,
    do_begin_sign_in,
    do_finish_sign_in,
    do_sign_in_failed,
    do_sign_out,
)
from accord.actions.users import normalize_email
from accord.api.auth import (
    SESSION_COOKIE,
    AppSettings,
    Caller,
    CurrentCaller,
    Db,
    forget_callers,
    optional_caller,
)
from accord.api.errors import errors
from accord.api.schemas import In, UserOut
from accord.errors import Unauthorized
from accord.security import verify_password

router = APIRouter(tags=["session"])


class SignIn(In):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1000)


class SessionOut(BaseModel):
    user: UserOut | None = Field(description="null when no one is signed in")
    csrf_token: str


@router.post(
    "/session",
    summary="Sign in (browser)",
    description=(
        "Failed sign-ins are limited per minute for one address and email "
        "(ACCORD_LOGIN_ATTEMPTS_PER_MINUTE) and for one address (five times as many), across "
        "every server process: beyond that the answer is 429 `rate_limited`. After "
        "ACCORD_LOCKOUT_AFTER failed sign-ins in a row the account is locked for "
        "ACCORD_LOCKOUT_SECONDS, twice as long after each further failure, up to an hour: "
        "429 `locked`. Both carry `Retry-After` and `details.retry_after` (seconds)."
    ),
    responses=errors(401, 413, 422, 429),
)
def sign_in(
    body: SignIn, request: Request, response: Response, db: Db, settings: AppSettings
) -> SessionOut:
    # The peer's address: uvicorn puts X-Forwarded-For's client here only when the peer is
    # one of ACCORD_TRUSTED_PROXIES (see `accord serve`), so the header cannot be forged.
    address = request.client.host if request.client else "unknown"
    email = normalize_email(body.email)
    with db.write() as session:
        attempt = do_begin_sign_in(session, email, address, SignInLimits.of(settings))
    # Argon2 is slow on purpose: it runs outside any write transaction.
    if not verify_password(attempt.password_hash, body.password):
        with db.write() as session:
            do_sign_in_failed(session, attempt)
        raise Unauthorized(WRONG, code="bad_credentials")
    with db.write() as session:
        user, token, browser = do_finish_sign_in(session, attempt, settings.session_hours)
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


@router.delete("/session", summary="Sign out (browser)", status_code=204, responses=errors(401))
def sign_out(caller: CurrentCaller, db: Db, request: Request) -> Response:
    if caller.session is not None:
        with db.write() as session:
            do_sign_out(session, caller.user, caller.session)
        forget_callers(request)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
