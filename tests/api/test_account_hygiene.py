"""Account hygiene: changing and resetting passwords ends sessions; tokens expire and record
their use; deactivating an account ends everything it had, for good; removed or deactivated
members give their tasks back at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from accord import AccordError, Client
from accord.api import auth
from accord.db import Database
from accord.models import ApiToken, AuditEvent, BrowserSession, User
from tests.api.conftest import Api
from tests.factories import PASSWORD, add_tasks, make_project, make_user, texts

EMAIL = "person@example.com"
NEW = "a brand new long password"


pytestmark = pytest.mark.usefixtures("cheap_hashing")


@pytest.fixture
def person(db: Database) -> tuple[User, str]:
    return make_user(db, EMAIL, password=PASSWORD)


class Browser:
    """One signed-in browser: its own cookie jar."""

    def __init__(self, client: TestClient, email: str = EMAIL, password: str = PASSWORD) -> None:
        self.client = TestClient(client.app)
        answer = self.client.post("/api/v1/session", json={"email": email, "password": password})
        assert answer.status_code == 200, answer.text
        self.csrf = answer.json()["csrf_token"]

    def get(self, path: str) -> Any:
        return self.client.get("/api/v1" + path)

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.put("/api/v1" + path, json=body, headers={"X-CSRF-Token": self.csrf})


def actions(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


# -- passwords ----------------------------------------------------------------------------------


def test_changing_ones_password_ends_the_other_sessions_only(
    client: TestClient, api: Api, person: tuple[User, str], db: Database
) -> None:
    here, elsewhere = Browser(client), Browser(client)
    token = person[1]
    changed = here.put("/me/password", {"current_password": PASSWORD, "new_password": NEW})
    assert changed.status_code == 204, changed.text
    assert here.get("/me").status_code == 200, "the browser that changed it stays signed in"
    ended = elsewhere.get("/me")
    assert ended.status_code == 401 and ended.json()["error"]["code"] == "session_expired"
    assert api.as_(token).get("/me").status_code == 200, "API tokens stay unless asked"
    with db.read() as session:
        assert len(session.scalars(select(BrowserSession)).all()) == 1
    assert [e.after for e in actions(db, "session.end")] == [{"sessions": 1, "reason": "password"}]


def test_changing_ones_password_may_revoke_the_tokens(
    client: TestClient, api: Api, person: tuple[User, str], db: Database
) -> None:
    here = Browser(client)
    body = {"current_password": PASSWORD, "new_password": NEW, "revoke_tokens": True}
    assert here.put("/me/password", body).status_code == 204
    refused = api.as_(person[1]).get("/me")
    assert refused.status_code == 401 and "revoked" in refused.json()["error"]["message"]
    assert here.get("/me").status_code == 200
    assert [e.object_id for e in actions(db, "token.revoke")] == [
        t["id"] for t in here.get("/tokens").json()
    ]


def test_a_weak_new_password_is_refused_with_advice(
    client: TestClient, person: tuple[User, str]
) -> None:
    here = Browser(client)
    for weak in ("password1", EMAIL, "person", "Person@Example.com"):
        answer = here.put("/me/password", {"current_password": PASSWORD, "new_password": weak})
        assert answer.status_code == 422, weak
        error = answer.json()["error"]
        assert error["code"] == "weak_password" and error["details"] == {"field": "password"}
    common = here.put("/me/password", {"current_password": PASSWORD, "new_password": "password1"})
    assert "common password" in common.json()["error"]["message"]
    assert "Add another word" in common.json()["error"]["message"]
    assert Browser(client).get("/me").status_code == 200, "the password did not change"


def test_an_admin_resets_a_password(
    client: TestClient, admin: Api, api: Api, person: tuple[User, str], db: Database
) -> None:
    user, token = person
    browser = Browser(client)
    with db.write() as session:  # a locked-out account, as after many failed sign-ins
        session.execute(
            update(User)
            .where(User.id == user.id)
            .values(failed_sign_ins=12, locked_until=dt.datetime.now(dt.UTC) + dt.timedelta(1))
        )
    locked = {u["email"]: u for u in admin.get("/users").json()}[EMAIL]["locked_until"]
    assert locked is not None, "the admin's list shows the lock"
    reset = admin.put(f"/users/{user.id}/password", json={"password": NEW})
    assert reset.status_code == 204, reset.text
    assert browser.get("/me").status_code == 401, "every session of the account ends"
    assert api.as_(token).get("/me").status_code == 200, "tokens stay unless asked"
    listed = {u["email"]: u for u in admin.get("/users").json()}
    assert listed[EMAIL]["locked_until"] is None, "a reset lifts the lock"
    assert Browser(client, EMAIL, NEW).get("/me").status_code == 200
    events = actions(db, "user.set_password")
    assert events[-1].object_id == user.id and events[-1].actor_id != user.id
    again = admin.put(f"/users/{user.id}/password", json={"password": NEW, "revoke_tokens": True})
    assert again.status_code == 204
    assert api.as_(token).get("/me").status_code == 401


def test_a_reset_is_checked_and_needs_an_account(admin: Api, person: tuple[User, str]) -> None:
    weak = admin.put(f"/users/{person[0].id}/password", json={"password": "12345678"})
    assert weak.status_code == 422 and weak.json()["error"]["code"] == "weak_password"
    missing = admin.put("/users/424242/password", json={"password": NEW})
    assert missing.status_code == 404 and "424242" in missing.json()["error"]["message"]


# -- tokens -------------------------------------------------------------------------------------


def test_a_token_can_carry_an_expiry(
    api: Api, client: TestClient, person: tuple[User, str], db: Database
) -> None:
    me = api.as_(person[1])
    made = me.post("/tokens", json={"name": "ci", "expires_in_days": 30})
    assert made.status_code == 201, made.text
    new = made.json()
    expires = dt.datetime.fromisoformat(new["expires_at"])
    assert dt.timedelta(days=29) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=30)
    assert api.as_(new["token"]).get("/me").status_code == 200
    listed = {t["id"]: t for t in me.get("/tokens").json()}
    assert listed[new["id"]]["expires_at"] == new["expires_at"]
    assert me.post("/tokens", json={"name": "forever"}).json()["expires_at"] is None
    for days in (0, 3651, -1):
        refused = me.post("/tokens", json={"expires_in_days": days})
        assert refused.status_code == 422, days
    with db.write() as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.id == new["id"])
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    client.app.state.callers.clear()  # type: ignore[attr-defined]  # as after the cache's TTL
    expired = api.as_(new["token"]).get("/me")
    assert expired.status_code == 401
    error = expired.json()["error"]
    assert error["code"] == "token_expired"
    assert "expired" in error["message"] and "create a new one" in error["message"]


def test_an_expired_token_stops_even_when_its_caller_is_cached(
    api: Api, person: tuple[User, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = api.as_(person[1]).post("/tokens", json={"expires_in_days": 1}).json()["token"]
    assert api.as_(secret).get("/me").status_code == 200
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1, seconds=1)
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    answer = api.as_(secret).get("/me")
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "token_expired"


def test_last_used_at_is_recorded_at_most_once_a_minute(
    api: Api, client: TestClient, person: tuple[User, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    me = api.as_(person[1])

    def last_used() -> str | None:
        value: str | None = me.get("/tokens").json()[0]["last_used_at"]
        return value

    first = last_used()
    assert first is not None, "the first use is recorded"
    cache: auth.CallerCache = client.app.state.callers  # type: ignore[attr-defined]
    cache.clear()  # the next request reads the token again
    assert last_used() == first, "within the minute nothing is written again"
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    cache.clear()
    recorded = last_used()
    assert recorded is not None and dt.datetime.fromisoformat(recorded) == later


# -- deactivation -------------------------------------------------------------------------------


def test_reactivating_an_account_revives_none_of_its_sessions_or_tokens(
    client: TestClient, admin: Api, api: Api, person: tuple[User, str], db: Database
) -> None:
    user, token = person
    browser = Browser(client)
    assert admin.patch(f"/users/{user.id}", json={"is_active": False}).status_code == 200
    assert admin.patch(f"/users/{user.id}", json={"is_active": True}).status_code == 200
    assert browser.get("/me").status_code == 401
    refused = api.as_(token).get("/me")
    assert refused.status_code == 401 and "revoked" in refused.json()["error"]["message"]
    with db.read() as session:
        assert session.scalars(select(BrowserSession)).all() == []
        tokens = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
        assert tokens and all(t.revoked_at is not None for t in tokens)
    assert [e.after for e in actions(db, "session.end")] == [
        {"sessions": 1, "reason": "deactivated"}
    ]
    revoked = actions(db, "token.revoke")
    assert revoked
    assert all(e.after == {"user_id": user.id, "reason": "deactivated"} for e in revoked)
    assert Browser(client).get("/me").status_code == 200, "signing in again works"


# -- leases -------------------------------------------------------------------------------------


@pytest.fixture
def queue(db: Database, api: Api) -> dict[str, Any]:
    """A one-task project (overlap 1) and two annotators."""
    lead, lead_token = make_user(db, "lead@example.com")
    first, first_token = make_user(db, "first@example.com")
    second, second_token = make_user(db, "second@example.com")
    project = make_project(db, lead, members={first: "annotator", second: "annotator"})
    add_tasks(db, lead, project, texts(1))
    return {
        "project": project.id,
        "first": first,
        "lead": api.as_(lead_token),
        "first_api": api.as_(first_token),
        "second_api": api.as_(second_token),
    }


def held_by_first_then_free(queue: dict[str, Any]) -> None:
    project = queue["project"]
    assert queue["first_api"].post(f"/projects/{project}/next").json()["task"] is not None
    assert queue["second_api"].post(f"/projects/{project}/next").json()["task"] is None


def test_a_removed_members_tasks_go_back_at_once(queue: dict[str, Any], db: Database) -> None:
    held_by_first_then_free(queue)
    project = queue["project"]
    removed = queue["lead"].delete(f"/projects/{project}/members/{queue['first'].id}")
    assert removed.status_code == 200, removed.text
    got = queue["second_api"].post(f"/projects/{project}/next").json()
    assert got["task"] is not None, "the slot came back without waiting for the lease to expire"
    released = actions(db, "task.lease_release")
    assert [(e.project_id, e.after["count"]) for e in released] == [(project, 1)]


def test_a_deactivated_accounts_tasks_go_back_at_once(queue: dict[str, Any], admin: Api) -> None:
    held_by_first_then_free(queue)
    off = admin.patch(f"/users/{queue['first'].id}", json={"is_active": False})
    assert off.status_code == 200, off.text
    got = queue["second_api"].post(f"/projects/{queue['project']}/next").json()
    assert got["task"] is not None


# -- the SDK ------------------------------------------------------------------------------------


def sdk_for(client: TestClient, token: str) -> Client:
    """The SDK, talking to the in-process app."""
    sdk = Client("http://testserver", token)
    sdk._http = TestClient(
        client.app,
        base_url="http://testserver/api/v1",
        headers={"Authorization": f"Bearer {token}"},
    )
    return sdk


def test_the_sdk_makes_expiring_tokens_and_sets_passwords(
    client: TestClient, db: Database, person: tuple[User, str]
) -> None:
    _, admin_token = make_user(db, "admin@example.com", admin=True)
    mine = sdk_for(client, person[1])
    made = mine.create_token("nightly", expires_in_days=7)
    assert made["token"].startswith("acc_") and made["expires_at"] is not None
    listed = {t["id"]: t for t in mine.tokens()}
    assert listed[made["id"]]["name"] == "nightly"
    mine.revoke_token(made["id"])
    assert {t["id"]: t for t in mine.tokens()}[made["id"]]["revoked_at"] is not None
    mine.change_password(PASSWORD, NEW)
    assert Browser(client, EMAIL, NEW).get("/me").status_code == 200
    with pytest.raises(AccordError) as weak:
        sdk_for(client, admin_token).set_password(person[0].id, "password1")
    assert weak.value.code == "weak_password" and weak.value.status == 422
    sdk_for(client, admin_token).set_password(person[0].id, PASSWORD, revoke_tokens=True)
    with pytest.raises(AccordError) as revoked:
        mine.me()
    assert revoked.value.status == 401
    assert Browser(client).get("/me").status_code == 200
