"""Accounts: create, change (grant, deactivate), and set a password.

Emails are stored and looked up in one normal form (`normalize_email`), so that addresses that
differ only in case, width or invisible characters are one account. Passwords are checked for
strength and hashed (argon2id, slow on purpose) with `prepare_password` *before* a write
transaction opens; the actions take the prepared hash.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.actions.queue import release_leases_of
from accord.actions.sessions import end_sessions
from accord.actions.tokens import revoke_tokens_of
from accord.db.notices import Topic, announce
from accord.errors import Conflict, Invalid
from accord.models import User
from accord.security import hash_password, password_weakness

EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+$")
MAX_EMAIL = 320
# Unicode categories removed from emails: format characters (zero-width spaces and joiners,
# direction marks), controls, and line and paragraph separators.
INVISIBLE = frozenset({"Cf", "Cc", "Zl", "Zp"})


def normalize_email(email: str) -> str:
    """The form emails are stored and looked up in: Unicode NFKC, invisible characters removed,
    spaces around trimmed, lower case. The same as migration 0002's ``normalized_email``, which
    brought existing accounts to it."""
    text = unicodedata.normalize("NFKC", email)
    text = "".join(c for c in text if unicodedata.category(c) not in INVISIBLE)
    return text.strip().lower()


def valid_email(email: str) -> str:
    """``email`` in normal form, for a new account; Invalid when it is not an address."""
    controls = sorted({c for c in email.strip() if unicodedata.category(c) == "Cc"})
    if controls:
        shown = ", ".join(f"U+{ord(c):04X}" for c in controls)
        raise Invalid(
            f"the email contains a control character ({shown}); type the address again",
            details={"field": "email"},
        )
    clean = normalize_email(email)
    if not EMAIL.match(clean) or len(clean) > MAX_EMAIL:
        raise Invalid(
            f"{clean!r} is not an email address (name@example.com, at most {MAX_EMAIL} "
            "characters, no spaces)",
            details={"field": "email"},
        )
    return clean


def check_password(password: str, email: str) -> None:
    """Refuse a password that is short, easy to guess, or the account's email (422)."""
    weakness = password_weakness(password, normalize_email(email))
    if weakness is not None:
        raise Invalid(weakness, details={"field": "password"}, code="weak_password")


@dataclass(frozen=True)
class HashedPassword:
    """A password that passed `check_password`, hashed: made outside any write transaction."""

    hash: str


def prepare_password(password: str, email: str) -> HashedPassword:
    check_password(password, email)
    return HashedPassword(hash_password(password))


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def do_create_user(
    session: Session,
    actor: User | None,
    email: str,
    password: str | HashedPassword | None,
    *,
    name: str = "",
    is_admin: bool = False,
    can_create_projects: bool = False,
) -> User:
    """Create an account. ``password`` is best prepared beforehand (`prepare_password`); a
    plain one is checked and hashed here, inside the caller's transaction."""
    given, email = email, valid_email(email)
    if isinstance(password, str):
        password = prepare_password(password, email)
    if find_user(session, email) is not None:
        alike = given.strip().lower() != email
        raise Conflict(
            f"a user with the email {email} already exists"
            + (" (the one given differs only in width or invisible characters)" if alike else ""),
            details={"email": email},
        )
    user = User(
        email=email,
        name=name.strip(),
        password_hash=password.hash if password is not None else None,
        is_admin=is_admin,
        can_create_projects=can_create_projects,
    )
    session.add(user)
    session.flush()
    record(session, actor, "user.create", ("user", user.id), after=_public(user))
    return user


def do_update_user(
    session: Session,
    actor: User | None,
    user: User,
    *,
    name: str | None = None,
    is_admin: bool | None = None,
    is_active: bool | None = None,
    can_create_projects: bool | None = None,
) -> User:
    """Change an account. Deactivating it also ends its sessions, revokes its API tokens and
    gives back the tasks it holds, so that reactivating it later revives none of them."""
    before = _public(user)
    if user.is_source and (is_admin or can_create_projects):
        raise Conflict(
            f"{user.name or user.email} is an imported source of annotations, not a person: "
            "it cannot be an admin or create projects",
            code="source_account",
        )
    if name is not None:
        user.name = name.strip()
    if is_active is not None:
        if not is_active and actor is not None and user.id == actor.id:
            raise Conflict("you cannot deactivate your own account")
        user.is_active = is_active
    if is_admin is not None:
        user.is_admin = is_admin
    if can_create_projects is not None:
        user.can_create_projects = can_create_projects
    session.flush()
    if before["is_admin"] and before["is_active"] and _admin_count(session) == 0:
        raise Conflict("this is the last admin; make someone else admin first")
    record(session, actor, "user.update", ("user", user.id), before=before, after=_public(user))
    announce(session, Topic.callers)  # requests carry the account as it was when cached
    if before["is_active"] and not user.is_active:
        end_sessions(session, actor, user, reason="deactivated")
        revoke_tokens_of(session, actor, user, reason="deactivated")
        release_leases_of(session, actor, user.id)
    return user


def do_set_password(
    session: Session,
    actor: User | None,
    user: User,
    password: str | HashedPassword,
    *,
    keep_session: int | None = None,
    revoke_tokens: bool = False,
) -> None:
    """Set ``user``'s password: their browser sessions end (but ``keep_session``, the one
    that asked), their API tokens too when ``revoke_tokens``, and any sign-in lock is lifted.
    An imported source's account has none."""
    if user.is_source:
        raise Conflict(
            f"{user.name or user.email} is an imported source of annotations, not a person: "
            "it never signs in, so it has no password",
            code="source_account",
        )
    if isinstance(password, str):
        password = prepare_password(password, user.email)
    user.password_hash = password.hash
    user.failed_sign_ins = 0
    user.locked_until = None
    session.flush()
    record(
        session,
        actor,
        "user.set_password",
        ("user", user.id),
        after={"revoke_tokens": revoke_tokens},
    )
    end_sessions(session, actor, user, reason="password", keep=keep_session)
    if revoke_tokens:
        revoke_tokens_of(session, actor, user, reason="password")


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
        "can_create_projects": user.can_create_projects,
    }
