"""Browser sign-in: the cookie, CSRF, throttling and lockout, sign-out, expiry; secrets at
rest. (Throttling across real server processes: tests/test_sign_in_processes.py.)"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from accord import security
from accord.actions import sessions as sessions_actions
from accord.actions.sessions import SignInLimits, lock_seconds
from accord.api import auth
from accord.api import sessions as sessions_api
from accord.api.app import create_app
from accord.db import Database
from accord.db.base import Base
from accord.models import ApiToken, AuditEvent, BrowserSession, SignInAttempt, User
from accord.settings import Settings
from tests.api.conftest import Api
from tests.factories import PASSWORD, make_user

EMAIL = "person@example.com"


@pytest.fixture(autouse=True)
def cheap_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at its lowest cost, except where the real hashing is what is tested."""
    if "argon2id" not in request.node.name:
        cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        monkeypatch.setattr(security, "_hasher", cheap)


@pytest.fixture
def person(db: Database) -> tuple[User, str]:
    return make_user(db, EMAIL, password=PASSWORD)


def sign_in(client: TestClient, email: str = EMAIL, password: str = PASSWORD) -> Any:
    return client.post("/api/v1/session", json={"email": email, "password": password})


def test_sign_in_sets_an_httponly_samesite_cookie(client: TestClient, person: object) -> None:
    answer = sign_in(client)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["user"]["email"] == EMAIL and body["csrf_token"]
    cookie = answer.headers["set-cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert cookie.startswith("accord_session=")
    assert {"httponly", "samesite", "path", "max-age"} <= attributes
    assert "samesite=strict" in cookie.lower()
    assert "secure" not in attributes, "Secure only when ACCORD_COOKIE_SECURE is set"


def test_the_session_cookie_signs_requests_in(client: TestClient, person: object) -> None:
    csrf = sign_in(client).json()["csrf_token"]
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["email"] == EMAIL
    session = client.get("/api/v1/session").json()
    assert session["csrf_token"] == csrf and session["user"]["email"] == EMAIL


def test_a_cookie_write_needs_the_csrf_header(
    client: TestClient, person: object, db: Database
) -> None:
    csrf = sign_in(client).json()["csrf_token"]
    for headers in ({}, {"X-CSRF-Token": "not-the-token"}, {"X-CSRF-Token": ""}):
        refused = client.post("/api/v1/tokens", json={"name": "x"}, headers=headers)
        assert refused.status_code == 403, headers
        error = refused.json()["error"]
        assert error["code"] == "csrf" and "X-CSRF-Token" in error["message"]
    with db.read() as session:
        assert session.scalars(select(ApiToken).where(ApiToken.name == "x")).all() == []
    made = client.post("/api/v1/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201, made.text
    # Reads need no header.
    assert client.get("/api/v1/tokens").status_code == 200


def test_token_writes_need_no_csrf_even_with_a_cookie(
    client: TestClient, person: tuple[User, str]
) -> None:
    _, token = person
    sign_in(client)  # the client now also carries a session cookie
    made = client.post(
        "/api/v1/tokens", json={"name": "prog"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert made.status_code == 201, made.text


def test_wrong_password_or_unknown_email_is_a_clear_401(
    client: TestClient, person: object
) -> None:
    for email, password in ((EMAIL, "not the password"), ("nobody@example.com", PASSWORD)):
        answer = sign_in(client, email, password)
        assert answer.status_code == 401
        error = answer.json()["error"]
        assert error["code"] == "bad_credentials"
        assert error["message"] == "wrong email or password"
        assert "set-cookie" not in answer.headers


def test_email_is_matched_whatever_its_case_and_spaces(client: TestClient, person: object) -> None:
    assert sign_in(client, "  Person@Example.COM ").status_code == 200


@pytest.fixture
def strict_client(settings: Settings, db: Database) -> Iterator[TestClient]:
    """The app with only 3 failed sign-ins allowed per minute."""
    app = create_app(settings.model_copy(update={"login_attempts_per_minute": 3}), db)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_too_many_failed_sign_ins_get_429_with_retry_after(
    strict_client: TestClient, db: Database
) -> None:
    make_user(db, EMAIL, password=PASSWORD)
    make_user(db, "other@example.com", password=PASSWORD)
    for _ in range(3):
        assert sign_in(strict_client, password="guess").status_code == 401
    limited = sign_in(strict_client, password="guess")
    assert limited.status_code == 429
    error = limited.json()["error"]
    assert error["code"] == "rate_limited" and "wait" in error["message"]
    wait = int(limited.headers["Retry-After"])
    assert 1 <= wait <= 61 and error["details"]["retry_after"] == wait
    # Even the right password waits: otherwise the limit would not stop guessing.
    assert sign_in(strict_client).status_code == 429
    # Another account from the same address is not locked out by this one's failures.
    assert sign_in(strict_client, "other@example.com").status_code == 200


def test_successful_sign_ins_are_not_limited(strict_client: TestClient, db: Database) -> None:
    make_user(db, EMAIL, password=PASSWORD)
    for _ in range(5):
        assert sign_in(strict_client).status_code == 200


def test_the_allowance_is_shared_by_every_server_process(
    settings: Settings, db: Database
) -> None:
    """Two apps on one database, as two `accord serve` workers: together they allow what one
    allows (each used to keep its own count in memory)."""
    make_user(db, EMAIL, password=PASSWORD)
    strict = settings.model_copy(update={"login_attempts_per_minute": 3})
    with (
        TestClient(create_app(strict, db), raise_server_exceptions=False) as one,
        TestClient(create_app(strict, db), raise_server_exceptions=False) as two,
    ):
        answers = [sign_in(client, password="guess").status_code for client in (one, two) * 3]
    assert answers == [401, 401, 401, 429, 429, 429]


def test_a_forwarded_for_header_does_not_change_the_address(strict_client: TestClient) -> None:
    """The app trusts no header for the address (uvicorn resolves it, and only from trusted
    proxies): rotating X-Forwarded-For does not buy more guesses."""
    answers = [
        strict_client.post(
            "/api/v1/session",
            json={"email": EMAIL, "password": "guess"},
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
        ).status_code
        for n in range(5)
    ]
    assert answers == [401, 401, 401, 429, 429]


def test_each_attempt_is_counted_before_its_password_is_checked(
    client: TestClient, person: tuple[User, str], db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, int, bool]] = []

    def check(password_hash: str | None, password: str) -> bool:
        with db.read() as session:
            attempts = len(session.scalars(select(SignInAttempt)).all())
            user = session.scalars(select(User).where(User.email == EMAIL)).one()
        # The slow hash runs outside any write transaction: the write lock is free.
        lock = db._lock
        free = lock is None or lock.acquire(blocking=False)
        if lock is not None and free:
            lock.release()
        seen.append((attempts, user.failed_sign_ins, free))
        return security.verify_password(password_hash, password)

    monkeypatch.setattr(sessions_api, "verify_password", check)
    assert sign_in(client, password="guess").status_code == 401
    assert sign_in(client).status_code == 200
    assert seen == [(2, 1, True), (4, 2, True)], "address and address+email rows, counted first"
    with db.read() as session:
        assert len(session.scalars(select(SignInAttempt)).all()) == 2, "success forgets its own"
        user = session.scalars(select(User).where(User.email == EMAIL)).one()
    assert (user.failed_sign_ins, user.locked_until) == (0, None), "success resets"


class Now:
    """A clock for the sign-in actions."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def wait(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Now:
    now = Now()
    monkeypatch.setattr(sessions_actions, "utcnow", now)
    return now


@pytest.fixture
def lockout_client(settings: Settings, db: Database) -> Iterator[TestClient]:
    """Accounts lock after 3 failures in a row, for 60 s at first; the address limit is high."""
    changes = {"lockout_after": 3, "lockout_seconds": 60, "login_attempts_per_minute": 1000}
    app = create_app(settings.model_copy(update=changes), db)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def locked_for(answer: Any) -> int:
    assert answer.status_code == 429, answer.text
    error = answer.json()["error"]
    assert error["code"] == "locked" and "wait" in error["message"]
    wait = int(answer.headers["Retry-After"])
    assert error["details"]["retry_after"] == wait
    return wait


def test_an_account_locks_after_failures_in_a_row_and_the_lock_doubles(
    lockout_client: TestClient, person: object, clock: Now, db: Database
) -> None:
    for _ in range(3):
        assert sign_in(lockout_client, password="guess").status_code == 401
    assert locked_for(sign_in(lockout_client)) == 60, "even the right password waits"
    other = sign_in(lockout_client, "nobody@example.com", "guess")
    assert other.status_code == 401, "the lock is the account's, not the address's"
    clock.wait(30)
    assert locked_for(sign_in(lockout_client)) == 30
    for expected in (120, 240, 480):
        clock.wait(3600)
        assert sign_in(lockout_client, password="guess").status_code == 401
        assert locked_for(sign_in(lockout_client, password="guess")) == expected
    clock.wait(480)
    assert sign_in(lockout_client).status_code == 200, "success after the lock"
    with db.read() as session:
        user = session.scalars(select(User).where(User.email == EMAIL)).one()
    assert (user.failed_sign_ins, user.locked_until) == (0, None)
    for _ in range(2):
        assert sign_in(lockout_client, password="guess").status_code == 401
    assert sign_in(lockout_client).status_code == 200, "the count started again from zero"


def test_the_lock_grows_to_an_hour_at_most() -> None:
    limits = SignInLimits(per_minute=10, lockout_after=10, lockout_seconds=60)
    assert [lock_seconds(n, limits) for n in (1, 9, 10, 11, 12, 15, 16, 40, 10**6)] == [
        0, 0, 60, 120, 240, 1920, 3600, 3600, 3600
    ]


def test_the_allowance_comes_back_as_the_minute_moves_on(
    strict_client: TestClient, person: object, clock: Now, db: Database
) -> None:
    for wait in (20, 20, 19):  # failures at 0, 20 and 40 seconds; now it is 59
        assert sign_in(strict_client, password="guess").status_code == 401
        clock.wait(wait)
    limited = sign_in(strict_client, password="guess")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) == 1
    clock.wait(1)
    assert sign_in(strict_client, password="guess").status_code == 401, "the first one aged out"
    assert sign_in(strict_client, password="guess").status_code == 429
    clock.wait(600)
    assert sign_in(strict_client).status_code == 200
    with db.read() as session:
        left = session.scalars(select(SignInAttempt)).all()
    assert left == [], "attempts older than a few minutes are pruned"


def test_failed_sign_ins_are_audited_without_the_password(
    client: TestClient, person: tuple[User, str], db: Database
) -> None:
    sign_in(client, password="a wrong guess")
    sign_in(client, "Nobody@example.com", "another wrong guess")
    with db.read() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "session.sign_in_failed")
        ).all()
    assert [(e.actor_id, e.object_id, e.after) for e in events] == [
        (None, person[0].id, {"email": EMAIL, "address": "testclient"}),
        (None, None, {"email": "nobody@example.com", "address": "testclient"}),
    ]
    everything = dump_database(db)
    assert "wrong guess" not in everything


def test_sign_out_ends_the_session(client: TestClient, person: object, db: Database) -> None:
    csrf = sign_in(client).json()["csrf_token"]
    cookie = client.cookies["accord_session"]
    assert client.delete("/api/v1/session").status_code == 403, "sign-out needs the CSRF header"
    out = client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    assert 'accord_session=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers[
        "set-cookie"
    ]
    with db.read() as session:
        assert session.scalars(select(BrowserSession)).all() == []
    client.cookies.set("accord_session", cookie)  # a copy of the old cookie is worthless now
    again = client.get("/api/v1/me")
    assert again.status_code == 401 and again.json()["error"]["code"] == "session_expired"


def test_an_expired_session_answers_session_expired(
    client: TestClient, person: object, db: Database
) -> None:
    sign_in(client)
    with db.write() as session:
        session.execute(
            update(BrowserSession).values(
                expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            )
        )
    answer = client.get("/api/v1/me")
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["code"] == "session_expired" and "sign in again" in error["message"]


def test_a_session_ends_on_time_even_when_its_caller_is_cached(
    client: TestClient, person: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client)
    assert client.get("/api/v1/me").status_code == 200
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=15)  # past the 14-day default
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    answer = client.get("/api/v1/me")
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "session_expired"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_a_busy_token_is_read_again_within_seconds(
    api: Api, db: Database, person: tuple[User, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another server process revokes the token: this one notices within the cache's TTL,
    however often the token is used meanwhile."""
    notices = api.client.app.state.notices  # type: ignore[attr-defined]
    if not db.is_sqlite:  # LISTEN: its first connection clears the cache (as after an outage)
        deadline = time.monotonic() + 15
        while not notices.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        assert notices.connected, "the server never started listening to PostgreSQL"
    clock = Clock()
    monkeypatch.setattr(auth, "time", clock)
    me = api.as_(person[1])
    assert me.get("/me").status_code == 200
    with db.write() as session:  # as another process would: this one's cache is not cleared
        session.execute(update(ApiToken).values(revoked_at=dt.datetime.now(dt.UTC)))
    for _ in range(int(auth.CallerCache.TTL)):
        clock.now += 0.9
        assert me.get("/me").status_code == 200, "within the TTL the cached caller answers"
    clock.now += auth.CallerCache.TTL - 0.1  # under a TTL since the last use, over since the read
    assert me.get("/me").status_code == 401


def test_a_lookup_that_began_before_a_change_is_not_cached(person: tuple[User, str]) -> None:
    cache = auth.CallerCache()
    started = cache.generation
    cache.clear()  # a token, session or account changed meanwhile
    cache.put("token:x", auth.Caller(user=person[0]), started)
    assert cache.get("token:x") is None
    cache.put("token:x", auth.Caller(user=person[0]), cache.generation)
    assert cache.get("token:x") is not None


def test_an_unknown_cookie_is_refused(client: TestClient) -> None:
    client.cookies.set("accord_session", "forged")
    answer = client.get("/api/v1/me")
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "session_expired"


def test_deactivated_users_are_refused(
    client: TestClient, person: tuple[User, str], db: Database
) -> None:
    user, token = person
    sign_in(client)
    with db.write() as session:
        session.execute(update(User).where(User.id == user.id).values(is_active=False))
    assert client.get("/api/v1/me").status_code == 401, "the open session ends"
    client.cookies.clear()
    answer = sign_in(client)
    assert answer.status_code == 401
    assert "deactivated" in answer.json()["error"]["message"]
    assert "set-cookie" not in answer.headers
    by_token = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert by_token.status_code == 401 and "deactivated" in by_token.json()["error"]["message"]


def test_a_malformed_authorization_header_is_a_401(client: TestClient) -> None:
    for value in ("Basic dXNlcjpwYXNz", "Bearer", "acc_nothing", "Bearer acc_unknown"):
        answer = client.get("/api/v1/me", headers={"Authorization": value})
        assert answer.status_code == 401, value
        assert answer.json()["error"]["message"]


def test_sign_in_and_out_are_audited(
    client: TestClient, person: tuple[User, str], db: Database
) -> None:
    csrf = sign_in(client).json()["csrf_token"]
    client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})
    with db.read() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    actions = [(e.action, e.actor_id, e.object_id) for e in events]
    user_id = person[0].id
    assert ("session.sign_in", user_id, user_id) in actions
    assert ("session.sign_out", user_id, user_id) in actions


def test_passwords_are_argon2id_and_tokens_only_sha256(
    client: TestClient, api: Api, db: Database
) -> None:
    _, admin_token = make_user(db, "admin@example.com", admin=True)
    password = "a password nobody guesses"
    created = api.as_(admin_token).post(
        "/users", json={"email": EMAIL, "password": password}
    )
    assert created.status_code == 201, created.text
    answer = sign_in(client, EMAIL, password)
    assert answer.status_code == 200
    session_token = client.cookies["accord_session"]
    csrf = answer.json()["csrf_token"]
    api_token = client.post(
        "/api/v1/tokens", json={"name": "p"}, headers={"X-CSRF-Token": csrf}
    ).json()["token"]
    with db.read() as session:
        user = session.scalars(select(User).where(User.email == EMAIL)).one()
        stored = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
        browser = session.scalars(select(BrowserSession)).one()
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert stored.token_hash == hashlib.sha256(api_token.encode()).hexdigest()
    assert browser.token_hash == hashlib.sha256(session_token.encode()).hexdigest()
    everything = dump_database(db)
    for secret in (password, api_token, session_token, admin_token):
        assert secret not in everything, "a secret is stored in plain text"


def dump_database(db: Database) -> str:
    """Every value of every table, as one string."""
    parts = []
    with db.read() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(text(f"SELECT * FROM {table.name}")):
                parts.append(repr(tuple(row)))
    return "\n".join(parts)


def test_who_is_signed_in_when_no_one_is(api: Api) -> None:
    """The browser asks at every visit; a signed-out visitor is an answer, not an error."""
    response = api.get("/session")
    assert response.status_code == 200
    assert response.json() == {"user": None, "csrf_token": ""}
    api.client.cookies.set("accord_session", "not-a-session")
    assert api.get("/session").json()["user"] is None
