"""Accounts (admins manage them) and ``/me``."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import select

from accord.actions.users import do_create_user, do_set_password, do_update_user
from accord.api.auth import CurrentCaller, Db, forget_callers, require_admin
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


class UserChange(In):
    name: str | None = Field(default=None, max_length=200)
    is_admin: bool | None = None
    is_active: bool | None = None


class PasswordChange(In):
    current_password: str = Field(max_length=1000)
    new_password: str = Field(max_length=1000)


@router.get("/me", summary="The caller's account")
def me(caller: CurrentCaller) -> UserOut:
    return UserOut.of(caller.user)


@router.put("/me/password", summary="Change one's own password", status_code=204)
def change_password(body: PasswordChange, caller: CurrentCaller, db: Db) -> None:
    with db.write() as session:
        user = session.get(User, caller.user.id)
        assert user is not None
        if not verify_password(user.password_hash, body.current_password):
            raise Unauthorized("the current password is wrong", code="bad_credentials")
        do_set_password(session, user, user, body.new_password)


@router.get("/users", summary="List accounts (admin)")
def list_users(
    caller: CurrentCaller,
    db: Db,
    q: str | None = Query(default=None, max_length=320, description="Part of email or name"),
) -> list[UserOut]:
    require_admin(caller)
    with db.read() as session:
        query = select(User).order_by(User.email)
        if q:
            pattern = f"%{q.lower()}%"
            query = query.where(User.email.like(pattern) | User.name.ilike(pattern))
        return [UserOut.of(u) for u in session.scalars(query.limit(1000))]


@router.post("/users", summary="Create an account (admin)", status_code=201)
def create_user(body: UserCreate, caller: CurrentCaller, db: Db) -> UserOut:
    require_admin(caller)
    with db.write() as session:
        user = do_create_user(
            session,
            caller.user,
            body.email,
            body.password,
            name=body.name,
            is_admin=body.is_admin,
        )
        return UserOut.of(user)


@router.patch("/users/{user_id}", summary="Change an account (admin)")
def update_user(
    user_id: int, body: UserChange, caller: CurrentCaller, db: Db, request: Request
) -> UserOut:
    require_admin(caller)
    with db.write() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user {user_id}; GET /api/v1/users lists the accounts")
        do_update_user(
            session,
            caller.user,
            user,
            name=body.name,
            is_admin=body.is_admin,
            is_active=body.is_active,
        )
        out = UserOut.of(user)
    # After the commit: a request served in between would cache the account as it was.
    forget_callers(request)
    return out
