"""The account commands: `accord users create|grant|set-password`, `accord tokens create
--expires-in-days`, run as a person runs them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from accord.actions.sessions import do_sign_in
from accord.db import Database
from accord.models import ApiToken, AuditEvent, BrowserSession, User
from accord.security import verify_password
from accord.settings import Settings
from tests.test_cli import accord, ok


def account(db: Database, email: str) -> User:
    with db.read() as session:
        return session.scalars(select(User).where(User.email == email)).one()


def test_create_and_grant(settings: Settings, db: Database) -> None:
    out = ok(accord(settings, "users", "create", "lead@example.com", "--can-create-projects"))
    assert "created lead@example.com who can create projects" in out and "password: " in out
    assert account(db, "lead@example.com").can_create_projects is True
    ok(accord(settings, "users", "create", "ann@example.com"))
    assert account(db, "ann@example.com").can_create_projects is False
    granted = ok(accord(settings, "users", "grant", "ANN@example.com", "--can-create-projects"))
    assert granted.strip() == "ann@example.com may create projects"
    assert account(db, "ann@example.com").can_create_projects is True
    taken = ok(accord(settings, "users", "grant", "ann@example.com", "--no-can-create-projects"))
    assert taken.strip() == "ann@example.com may no longer create projects"
    assert account(db, "ann@example.com").can_create_projects is False
    nothing = accord(settings, "users", "grant", "ann@example.com")
    assert nothing.returncode == 1
    assert "--can-create-projects or --no-can-create-projects" in nothing.stderr
    unknown = accord(settings, "users", "grant", "who@example.com", "--can-create-projects")
    assert unknown.returncode == 1 and "no account with the email who@example.com" in unknown.stderr
    with db.read() as session:
        changes = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.update"))
        assert [e.after["can_create_projects"] for e in changes if e.after] == [True, False]


def test_set_password(settings: Settings, db: Database) -> None:
    ok(accord(settings, "users", "create", "ann@example.com"))
    user = account(db, "ann@example.com")
    with db.write() as session:
        fresh = session.get(User, user.id)
        assert fresh is not None
        do_sign_in(session, fresh, 1)
        fresh.failed_sign_ins, fresh.locked_until = 20, dt.datetime.now(dt.UTC)
    token = ok(accord(settings, "tokens", "create", "ann@example.com")).strip()
    done = accord(
        settings,
        "users",
        "set-password",
        "Ann@example.com",
        "--password-stdin",
        stdin="a fresh long password\n",
    )
    assert done.returncode == 0, done.stderr
    assert "password set for ann@example.com" in done.stdout and "password: " not in done.stdout
    changed = account(db, "ann@example.com")
    assert verify_password(changed.password_hash, "a fresh long password")
    assert (changed.failed_sign_ins, changed.locked_until) == (0, None)
    with db.read() as session:
        assert session.scalars(select(BrowserSession)).all() == [], "sessions ended"
        live = session.scalars(select(ApiToken).where(ApiToken.revoked_at.is_(None))).all()
    assert len(live) == 1 and token.startswith(live[0].prefix), "tokens stay unless asked"
    weak = accord(
        settings, "users", "set-password", "ann@example.com", "--password-stdin", stdin="qwerty12\n"
    )
    assert weak.returncode == 1 and weak.stderr.startswith("error: the password is too easy")
    revoked = accord(settings, "users", "set-password", "ann@example.com", "--revoke-tokens")
    assert revoked.returncode == 0 and "password: " in revoked.stdout
    with db.read() as session:
        assert session.scalars(select(ApiToken).where(ApiToken.revoked_at.is_(None))).all() == []


def test_a_token_with_an_expiry(settings: Settings, db: Database) -> None:
    ok(accord(settings, "users", "create", "ann@example.com"))
    ok(accord(settings, "tokens", "create", "ann@example.com", "--expires-in-days", "7"))
    with db.read() as session:
        token = session.scalars(select(ApiToken)).one()
    assert token.expires_at is not None
    left = token.expires_at - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=6) < left <= dt.timedelta(days=7)
    bad = accord(settings, "tokens", "create", "ann@example.com", "--expires-in-days", "0")
    assert bad.returncode != 0
