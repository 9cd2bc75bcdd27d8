"""Accounts: create, change, and set a password."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.errors import Conflict, Invalid
from accord.models import User
from accord.security import MIN_PASSWORD_LENGTH, hash_password

EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+$")


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email) or len(email) > 320:
        raise Invalid(f"{email!r} is not an email address", details={"field": "email"})
    return email


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters",
            details={"field": "password"},
        )


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def do_create_user(
    session: Session,
    actor: User | None,
    email: str,
    password: str | None,
    *,
    name: str = "",
    is_admin: bool = False,
) -> User:
    email = normalize_email(email)
    if password is not None:
        check_password(password)
    if find_user(session, email) is not None:
        raise Conflict(f"a user with the email {email} already exists", details={"email": email})
    user = User(
        email=email,
        name=name.strip(),
        password_hash=hash_password(password) if password is not None else None,
        is_admin=is_admin,
    )
    session.add(user)
    session.flush()
    record(session, actor, "user.create", ("user", user.id), after=_public(user))
    return user


def do_update_user(
    session: Session,
    actor: User,
    user: User,
    *,
    name: str | None = None,
    is_admin: bool | None = None,
    is_active: bool | None = None,
) -> User:
    before = _public(user)
    if name is not None:
        user.name = name.strip()
    if is_active is not None:
        if not is_active and user.id == actor.id:
            raise Conflict("you cannot deactivate your own account")
        user.is_active = is_active
    if is_admin is not None:
        user.is_admin = is_admin
    session.flush()
    if before["is_admin"] and before["is_active"] and _admin_count(session) == 0:
        raise Conflict("this is the last admin; make someone else admin first")
    record(session, actor, "user.update", ("user", user.id), before=before, after=_public(user))
    return user


def do_set_password(session: Session, actor: User | None, user: User, password: str) -> None:
    check_password(password)
    user.password_hash = hash_password(password)
    session.flush()
    record(session, actor, "user.set_password", ("user", user.id))


def _admin_count(session: Session) -> int:
    count = session.scalar(
        select(func.count()).select_from(User).where(User.is_admin, User.is_active)
    )
    return int(count or 0)


def _public(user: User) -> dict[str, object]:
    return {
        "email": user.email,
        "name": user.name,
        "is_admin": user.is_admin,
        "is_active": user.is_active,
    }
