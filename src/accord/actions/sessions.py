"""Browser sign-in and sign-out, the throttling of failed sign-ins, and ending sessions.

A sign-in is three short steps, so that the password check (argon2, slow on purpose) never runs
inside a write transaction:
1. `do_begin_sign_in` (a write): refuses a locked account or a throttled address, records the
   attempt in ``sign_in_attempts`` and counts it as a failure of the account in advance
   (locking the account when that failure would earn a lock);
2. the caller checks the password, outside any transaction;
3. `do_finish_sign_in` (a write) removes the attempt and resets the account's failures, then
   opens the session; or `do_sign_in_failed` audits the failure (the attempt stays counted).
Counting before checking is what keeps parallel guesses within the allowance: every attempt is
counted, in the database, before any password is checked, in whichever server process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.db.notices import Topic, announce
from accord.db.types import utcnow
from accord.errors import RateLimited, Unauthorized
from accord.models import BrowserSession, SignInAttempt, User
from accord.security import new_token, token_hash
from accord.settings import Settings

WINDOW = dt.timedelta(minutes=1)
ADDRESS_FACTOR = 5  # one address may fail this many times the allowance of one address + email
MAX_LOCK_SECONDS = 3600
# Attempts older than this are deleted (counting only looks one WINDOW back; the margin keeps
# the pruning away from the rows of sign-ins still being checked).
KEEP_ATTEMPTS = dt.timedelta(minutes=5)
KEY_LENGTH = 400  # the column's size
_PRUNE_LOCK = 0x6163636F72640001  # PostgreSQL advisory lock: one pruner at a time
WRONG = "wrong email or password"


class AccountLocked(RateLimited):
    code = "locked"


@dataclass(frozen=True)
class SignInLimits:
    per_minute: int  # attempts per address and email; the address alone gets ADDRESS_FACTOR×
    lockout_after: int  # consecutive failures that lock the account
    lockout_seconds: int  # the first lock; each further failure doubles it, up to an hour

    @classmethod
    def of(cls, settings: Settings) -> SignInLimits:
        return cls(
            settings.login_attempts_per_minute, settings.lockout_after, settings.lockout_seconds
        )


@dataclass(frozen=True)
class Attempt:
    """A sign-in counted and not yet decided: what checking the password needs."""

    email: str
    address: str
    attempt_ids: tuple[int, ...]
    user_id: int | None
    password_hash: str | None


def throttle_keys(address: str, email: str, limits: SignInLimits) -> list[tuple[str, int]]:
    return [
        (f"address:{address}"[:KEY_LENGTH], limits.per_minute * ADDRESS_FACTOR),
        (f"pair:{address}|{email}"[:KEY_LENGTH], limits.per_minute),
    ]


def lock_seconds(failures: int, limits: SignInLimits) -> int:
    """How long ``failures`` consecutive failures lock an account (0: not locked)."""
    if failures < limits.lockout_after:
        return 0
    doublings = min(failures - limits.lockout_after, 20)
    return min(limits.lockout_seconds << doublings, MAX_LOCK_SECONDS)


def do_begin_sign_in(session: Session, email: str, address: str, limits: SignInLimits) -> Attempt:
    """Count a sign-in attempt, or refuse it (429) when the account is locked or the address
    (with this email, or alone) has used its allowance for the last minute."""
    now = utcnow()
    keys = throttle_keys(address, email, limits)
    _serialise(session, [key for key, _ in keys])
    user = session.scalar(select(User).where(User.email == email).with_for_update())
    if user is not None and user.locked_until is not None and user.locked_until > now:
        wait = _seconds_until(user.locked_until, now)
        raise AccountLocked(
            f"this account is locked after {user.failed_sign_ins} failed sign-ins in a row; "
            f"wait {wait} seconds and try again, or ask an admin to set a new password",
            retry_after=wait,
        )
    for key, limit in keys:
        _refuse_over_limit(session, key, limit, now)
    rows = [SignInAttempt(key=key, at=now) for key, _ in keys]
    session.add_all(rows)
    if user is not None:
        user.failed_sign_ins += 1
        seconds = lock_seconds(user.failed_sign_ins, limits)
        if seconds:
            user.locked_until = now + dt.timedelta(seconds=seconds)
    session.flush()
    _prune(session, now)
    return Attempt(
        email=email,
        address=address,
        attempt_ids=tuple(row.id for row in rows),
        user_id=user.id if user is not None else None,
        password_hash=user.password_hash if user is not None else None,
    )


def _serialise(session: Session, keys: list[str]) -> None:
    """On PostgreSQL, make counting and recording race-free per key: take each key's advisory
    lock (in one order, so two sign-ins never wait on each other crosswise) until commit. On
    SQLite `Database.write` already lets one writer in at a time, across processes."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for lock in sorted(_lock_id(key) for key in keys):
        session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": lock})


def _lock_id(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


def _refuse_over_limit(session: Session, key: str, limit: int, now: dt.datetime) -> None:
    count, oldest = session.execute(
        select(func.count(), func.min(SignInAttempt.at)).where(
            SignInAttempt.key == key, SignInAttempt.at > now - WINDOW
        )
    ).one()
    if int(count) < limit:
        return
    wait = _seconds_until(_aware(oldest) + WINDOW, now)
    whom = "this address" if key.startswith("address:") else "this address and email"
    raise RateLimited(
        f"too many failed sign-ins from {whom} in the last minute; wait {wait} seconds and "
        "try again",
        retry_after=wait,
    )


def _prune(session: Session, now: dt.datetime) -> None:
    if session.get_bind().dialect.name == "postgresql":
        got = session.scalar(text("SELECT pg_try_advisory_xact_lock(:lock)"), {"lock": _PRUNE_LOCK})
        if not got:
            return  # another sign-in is pruning right now
    session.execute(delete(SignInAttempt).where(SignInAttempt.at < now - KEEP_ATTEMPTS))


def _aware(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _seconds_until(when: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((when - now).total_seconds()))


def do_finish_sign_in(
    session: Session, attempt: Attempt, hours: float
) -> tuple[User, str, BrowserSession]:
    """The password was right: forget the attempt and the account's failures, and open a
    session (the account, the session's token and row). A deactivated account, or a password
    changed while it was being checked, is refused, and the attempt stays counted."""
    assert attempt.user_id is not None
    user = session.scalar(select(User).where(User.id == attempt.user_id).with_for_update())
    if user is None or user.password_hash != attempt.password_hash:
        raise Unauthorized(WRONG, code="bad_credentials")
    if not user.is_active:
        raise Unauthorized("this account is deactivated; ask an admin", code="deactivated")
    if user.is_source:  # it has no password; this refuses it even if one was set by hand
        raise Unauthorized(WRONG, code="bad_credentials")
    session.execute(delete(SignInAttempt).where(SignInAttempt.id.in_(attempt.attempt_ids)))
    user.failed_sign_ins = 0
    user.locked_until = None
    token, browser = do_sign_in(session, user, hours)
    return user, token, browser


def do_sign_in_failed(session: Session, attempt: Attempt) -> None:
    """Audit a failed sign-in: the email tried and the address (never the password)."""
    record(
        session,
        None,
        "session.sign_in_failed",
        ("user", attempt.user_id),
        after={"email": attempt.email, "address": attempt.address},
    )


def do_sign_in(session: Session, user: User, hours: float) -> tuple[str, BrowserSession]:
    """Open a browser session for ``user`` (whose password was checked) and return its token.
    An imported source's account never signs in."""
    if user.is_source:
        raise Unauthorized(WRONG, code="bad_credentials")
    now = utcnow()
    token = new_token("")
    row = BrowserSession(
        user_id=user.id,
        token_hash=token_hash(token),
        csrf_token=secrets.token_urlsafe(24),
        created_at=now,
        expires_at=now + dt.timedelta(hours=hours),
    )
    session.add(row)
    user.last_login_at = now
    session.execute(delete(BrowserSession).where(BrowserSession.expires_at < now))
    session.flush()
    record(session, user, "session.sign_in", ("user", user.id))
    return token, row


def do_sign_out(session: Session, user: User, browser_session: BrowserSession) -> None:
    session.execute(delete(BrowserSession).where(BrowserSession.id == browser_session.id))
    announce(session, Topic.callers)
    record(session, user, "session.sign_out", ("user", user.id))


def end_sessions(
    session: Session, actor: User | None, user: User, *, reason: str, keep: int | None = None
) -> int:
    """End ``user``'s browser sessions (but ``keep``, the one asking); how many ended."""
    query = delete(BrowserSession).where(BrowserSession.user_id == user.id)
    if keep is not None:
        query = query.where(BrowserSession.id != keep)
    ended = int(session.execute(query).rowcount or 0)  # type: ignore[attr-defined]
    if ended:
        announce(session, Topic.callers)
        after = {"sessions": ended, "reason": reason}
        record(session, actor, "session.end", ("user", user.id), after=after)
    return ended
