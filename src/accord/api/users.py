"""Accounts (admins manage them) and ``/me``.

Passwords are checked and hashed (argon2, slow) before the write transaction opens.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import select

from accord.actions.users import (
    do_create_user,
    do_set_password,
    do_update_user,
    normalize_email,
    prepare_password,
    valid_email,
)
from accord.api.auth import CurrentCaller, Db, forget_callers, require_admin
from accord.api.errors import errors
from accord.api.schemas import In, UserOut
from accord.errors import NotFound, Unauthorized
from accord.models import User
from accord.security import verify_password

router = APIRouter(tags=["users"])


class UserCreate(In):
    email: str = Field(max_length=320)
    password: str = Field(min_length=1, max_length=1000)
    name: str = Field(default="", max_length=200)
    is_admin: bool = False
    can_create_projects: bool = Field(
        default=False, description="May create projects (admins always may)"
    )


class UserChange(In):
    name: str | None = Field(default=None, max_length=200)
    is_admin: bool | None = None
    is_active: bool | None = Field(
        default=None,
        description="false ends the account's sessions, revokes its API tokens and gives back "
        "the tasks it holds; reactivating it revives none of them",
    )
    can_create_projects: bool | None = None


class PasswordChange(In):
    current_password: str = Field(max_length=1000)
    new_password: str = Field(max_length=1000)
    revoke_tokens: bool = Field(
        default=False, description="Also revoke every API token of the account"
    )


class PasswordReset(In):
    password: str = Field(max_length=1000)
    revoke_tokens: bool = Field(
        default=False, description="Also revoke every API token of the account"
    )


def _existing(session_user: User | None, user_id: int) -> User:
    if session_user is None:
        raise NotFound(f"no user {user_id}; GET /api/v1/users lists the accounts")
    return session_user


@router.get("/me", summary="The caller's account", responses=errors(401))
def me(caller: CurrentCaller) -> UserOut:
    return UserOut.of(caller.user)


@router.put(
    "/me/password",
    summary="Change one's own password",
    description="Ends the account's other browser sessions (this one stays signed in); API "
    "tokens stay unless `revoke_tokens` is true.",
    status_code=204,
    responses=errors(401, 413, 422),
)
def change_password(body: PasswordChange, caller: CurrentCaller, db: Db, request: Request) -> None:
    with db.read() as session:
        current = _existing(session.get(User, caller.user.id), caller.user.id)
    # Both argon2 steps run before the write transaction: they are slow on purpose.
    if not verify_password(current.password_hash, body.current_password):
        raise Unauthorized("the current password is wrong", code="bad_credentials")
    hashed = prepare_password(body.new_password, current.email)
    with db.write() as session:
        user = _existing(session.get(User, caller.user.id), caller.user.id)
        if user.password_hash != current.password_hash:
            raise Unauthorized(
                "the password changed meanwhile; sign in again and retry", code="bad_credentials"
            )
        do_set_password(
            session,
            user,
            user,
            hashed,
            keep_session=caller.session.id if caller.session is not None else None,
            revoke_tokens=body.revoke_tokens,
        )
    forget_callers(request)


@router.put(
    "/users/{user_id}/password",
    summary="Set an account's password (admin)",
    description="Ends every browser session of the account, and its API tokens too when "
    "`revoke_tokens` is true; lifts a sign-in lock.",
    status_code=204,
    responses=errors(401, 403, 404, 413, 422),
)
def reset_password(
    user_id: int, body: PasswordReset, caller: CurrentCaller, db: Db, request: Request
) -> None:
    require_admin(caller)
    with db.read() as session:
        email = _existing(session.get(User, user_id), user_id).email
    hashed = prepare_password(body.password, email)
    with db.write() as session:
        user = _existing(session.get(User, user_id), user_id)
        own = caller.session is not None and caller.user.id == user.id
        do_set_password(
            session,
            caller.user,
            user,
            hashed,
            keep_session=caller.session.id if own and caller.session else None,
            revoke_tokens=body.revoke_tokens,
        )
    forget_callers(request)


@router.get("/users", summary="List accounts (admin)", responses=errors(401, 403, 422))
def list_users(
    caller: CurrentCaller,
    db: Db,
    q: str | None = Query(default=None, max_length=320, description="Part of email or name"),
) -> list[UserOut]:
    require_admin(caller)
    with db.read() as session:
        query = select(User).order_by(User.email)
        if q:
            pattern = f"%{normalize_email(q)}%"
            query = query.where(User.email.like(pattern) | User.name.ilike(f"%{q.strip()}%"))
        return [UserOut.of(u) for u in session.scalars(query.limit(1000))]


@router.post(
    "/users",
    summary="Create an account (admin)",
    status_code=201,
    responses=errors(401, 403, 409, 413, 422),
)
def create_user(body: UserCreate, caller: CurrentCaller, db: Db) -> UserOut:
    require_admin(caller)
    email = valid_email(body.email)
    hashed = prepare_password(body.password, email)
    with db.write() as session:
        user = do_create_user(
            session,
            caller.user,
            email,
            hashed,
            name=body.name,
            is_admin=body.is_admin,
            can_create_projects=body.can_create_projects,
        )
        return UserOut.of(user)


@router.patch(
    "/users/{user_id}",
    summary="Change an account (admin)",
    responses=errors(401, 403, 404, 409, 413, 422),
)
def update_user(
    user_id: int, body: UserChange, caller: CurrentCaller, db: Db, request: Request
) -> UserOut:
    require_admin(caller)
    with db.write() as session:
        user = _existing(session.get(User, user_id), user_id)
        do_update_user(
            session,
            caller.user,
            user,
            name=body.name,
            is_admin=body.is_admin,
            is_active=body.is_active,
            can_create_projects=body.can_create_projects,
        )
        out = UserOut.of(user)
    # After the commit: a request served in between would cache the account as it was.
    forget_callers(request)
    return out
