"""Identity: who may create projects, password strength, one form for emails, and who sees
whose email."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from accord.actions.users import normalize_email
from accord.db import Database
from accord.models import User
from tests.api.conftest import Api
from tests.factories import PASSWORD, SIMPLE, add_tasks, make_project, make_user, texts

pytestmark = pytest.mark.usefixtures("cheap_hashing")


def users(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


# -- who may create projects --------------------------------------------------------------------


def test_creating_projects_needs_the_grant(admin: Api, api: Api, db: Database) -> None:
    made = admin.post("/users", json={"email": "ann@example.com", "password": PASSWORD})
    assert made.status_code == 201 and made.json()["can_create_projects"] is False
    _, token = make_user(db, "lead@example.com")
    lead = api.as_(token)
    body = {"name": "Mine", "interface": SIMPLE}
    refused = lead.post("/projects", json=body)
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "cannot_create_projects" and "ask an admin" in error["message"]
    assert lead.get("/projects").json() == []
    me = lead.get("/me").json()
    granted = admin.patch(f"/users/{me['id']}", json={"can_create_projects": True})
    assert granted.status_code == 200 and granted.json()["can_create_projects"] is True
    assert lead.get("/me").json()["can_create_projects"] is True
    assert lead.post("/projects", json=body).status_code == 201
    taken = admin.patch(f"/users/{me['id']}", json={"can_create_projects": False})
    assert taken.status_code == 200
    assert lead.post("/projects", json=body).status_code == 403
    assert admin.post("/projects", json=body).status_code == 201, "admins always may"


def test_an_account_can_be_created_with_the_grant(admin: Api, api: Api) -> None:
    made = admin.post(
        "/users",
        json={"email": "lead@example.com", "password": PASSWORD, "can_create_projects": True},
    )
    assert made.status_code == 201, made.text
    out = made.json()
    assert out["can_create_projects"] is True
    assert out["locked_until"] is None and out["last_login_at"] is None
    signed_in = api.post("/session", json={"email": "lead@example.com", "password": PASSWORD})
    assert signed_in.json()["user"]["last_login_at"] is not None
    assert signed_in.json()["user"]["can_create_projects"] is True


# -- passwords ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "said"),
    [
        ("12345678", "top-10 common password"),
        ("password1", "very common password"),
        ("aaaaaaaaaaaa", 'Repeats like "aaa"'),
        ("new@example.com", "the account's email"),
        ("NEW", "too short"),
        ("newnewnew", "too easy to guess"),
    ],
)
def test_weak_passwords_are_refused_with_advice(
    admin: Api, db: Database, password: str, said: str
) -> None:
    before = users(db)
    answer = admin.post("/users", json={"email": "new@example.com", "password": password})
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "weak_password" and error["details"] == {"field": "password"}
    assert said in error["message"]
    assert users(db) == before


def test_a_long_passphrase_is_accepted(admin: Api) -> None:
    phrase = "the quiet lighthouse keeper counts herons at dawn " * 20  # beyond zxcvbn's 72
    answer = admin.post("/users", json={"email": "new@example.com", "password": phrase})
    assert answer.status_code == 201, answer.text


# -- emails -------------------------------------------------------------------------------------


def test_the_normal_form_is_the_migrations() -> None:
    from importlib import import_module

    migration = import_module("accord.db.migrations.versions.0002_hardening")
    for email in ("ＡＮＮ@Example.com", "ann\u200b@example.com", " Ann\u2028@x.com ", "é@x.y"):
        assert normalize_email(email) == migration.normalized_email(email), email


@pytest.mark.parametrize(
    "look_alike",
    [
        "ANN@EXAMPLE.COM",
        "ａｎｎ@example.com",  # full-width letters
        "an\u200bn@example.com",  # a zero-width space
        "\u2060ann@example.com",  # a word joiner
        "ann@example.com\u200e",  # a left-to-right mark
    ],
)
def test_look_alike_emails_are_the_same_account(
    admin: Api, api: Api, db: Database, look_alike: str
) -> None:
    made = admin.post("/users", json={"email": "ann@example.com", "password": PASSWORD})
    assert made.status_code == 201
    again = admin.post("/users", json={"email": look_alike, "password": PASSWORD})
    assert again.status_code == 409, again.text
    assert "already exists" in again.json()["error"]["message"]
    signed_in = api.post("/session", json={"email": look_alike, "password": PASSWORD})
    assert signed_in.status_code == 200 and signed_in.json()["user"]["email"] == "ann@example.com"
    owner, token = make_user(db, "lead@example.com")
    project = make_project(db, owner)
    added = api.as_(token).post(
        f"/projects/{project.id}/members", json={"email": look_alike, "role": "annotator"}
    )
    assert added.status_code == 200 and added.json()["email"] == "ann@example.com"


def test_a_new_account_gets_the_normal_form(admin: Api) -> None:
    made = admin.post("/users", json={"email": "Ｂob\u200b@Example.COM", "password": PASSWORD})
    assert made.status_code == 201 and made.json()["email"] == "bob@example.com"


# -- who sees whose email -----------------------------------------------------------------------


@pytest.fixture
def team(db: Database, api: Api) -> dict[str, Any]:
    lead, lead_token = make_user(db, "lead@example.com")
    people = {}
    for role in ("annotator", "peer", "reviewer", "manager2"):
        people[role] = make_user(db, f"{role}@example.com")
    with db.write() as session:
        for role, (user, _) in people.items():
            row = session.get(User, user.id)
            assert row is not None
            row.name = role.capitalize()
    members = {
        people["annotator"][0]: "annotator",
        people["peer"][0]: "annotator",
        people["reviewer"][0]: "reviewer",
        people["manager2"][0]: "manager",
    }
    project = make_project(db, lead, members=members)
    add_tasks(db, lead, project, texts(1))
    ann = api.as_(people["annotator"][1])
    task = ann.post(f"/projects/{project.id}/next").json()["task"]["id"]
    answer = {"result": {"label": {"choice": "pos"}}}
    submitted = ann.post(f"/tasks/{task}/annotations", json=answer)
    assert submitted.status_code == 201, submitted.text
    _, admin_token = make_user(db, "admin@example.com", admin=True)
    callers = {role: api.as_(token) for role, (_, token) in people.items()}
    callers["lead"], callers["admin"] = api.as_(lead_token), api.as_(admin_token)
    return {
        "project": project.id,
        "task": task,
        "annotation": submitted.json()["annotation"],
        "api": callers,
    }


def test_members_see_names_and_only_managers_see_emails(team: dict[str, Any]) -> None:
    project = team["project"]
    for role in ("annotator", "peer", "reviewer"):
        listed = team["api"][role].get(f"/projects/{project}/members").json()
        emails = {m["name"]: m["email"] for m in listed}
        assert emails[role.capitalize()] == f"{role}@example.com", "one's own email shows"
        others = [email for name, email in emails.items() if name != role.capitalize()]
        assert others and all(email is None for email in others), role
    for role in ("lead", "manager2", "admin"):
        listed = team["api"][role].get(f"/projects/{project}/members").json()
        assert all(m["email"] for m in listed), role


def test_annotations_show_the_authors_name_and_email_only_to_managers(
    team: dict[str, Any],
) -> None:
    own = team["annotation"]
    assert (own["annotator"], own["annotator_name"]) == ("annotator@example.com", "Annotator")
    mine = team["api"]["annotator"].get(f"/projects/{team['project']}/annotations/mine").json()
    assert mine["items"][0]["annotator"] == "annotator@example.com"
    for role, email in (
        ("reviewer", None),
        ("lead", "annotator@example.com"),
        ("manager2", "annotator@example.com"),
        ("admin", "annotator@example.com"),
    ):
        one = team["api"][role].get(f"/annotations/{own['id']}").json()
        assert (one["annotator"], one["annotator_name"]) == (email, "Annotator"), role
        detail = team["api"][role].get(f"/tasks/{team['task']}").json()
        shown = [(a["annotator"], a["annotator_name"]) for a in detail["annotations"]]
        assert shown == [(email, "Annotator")], role
