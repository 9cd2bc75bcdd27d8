"""Accounts, API tokens, project members, and the audit log of all their changes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from accord.db import Database
from accord.models import AuditEvent, Membership, User
from tests.api.conftest import Api
from tests.factories import PASSWORD, make_project, make_user

pytestmark = pytest.mark.usefixtures("cheap_hashing")


def count(db: Database, model: Any) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def events(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


# -- users --------------------------------------------------------------------------------------


def test_admin_creates_lists_and_updates_users(admin: Api, api: Api) -> None:
    made = admin.post(
        "/users", json={"email": " Ann@Example.com ", "password": PASSWORD, "name": " Ann "}
    )
    assert made.status_code == 201, made.text
    ann = made.json()
    assert (ann["email"], ann["name"], ann["is_admin"], ann["is_active"]) == (
        "ann@example.com", "Ann", False, True
    )
    listed = admin.get("/users").json()
    assert [u["email"] for u in listed] == ["admin@example.com", "ann@example.com"]
    assert all("password" not in key for user in listed for key in user)
    assert [u["email"] for u in admin.get("/users", params={"q": "ANN"}).json()] == [
        "ann@example.com"
    ]
    changed = admin.patch(f"/users/{ann['id']}", json={"name": "Ann B", "is_admin": True})
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Ann B" and changed.json()["is_admin"] is True
    signed_in = api.post("/session", json={"email": "ann@example.com", "password": PASSWORD})
    assert signed_in.status_code == 200, "the new account can sign in with its password"


def test_the_last_admin_cannot_be_demoted(admin: Api, db: Database) -> None:
    me = admin.get("/me").json()
    refused = admin.patch(f"/users/{me['id']}", json={"is_admin": False})
    assert refused.status_code == 409
    assert "last admin" in refused.json()["error"]["message"]
    other = admin.post(
        "/users", json={"email": "second@example.com", "password": PASSWORD, "is_admin": True}
    ).json()
    assert admin.patch(f"/users/{me['id']}", json={"is_admin": False}).status_code == 200
    with db.read() as session:
        admins = session.scalars(select(User.email).where(User.is_admin)).all()
    assert admins == ["second@example.com"]
    assert other["is_admin"]


def test_an_inactive_admin_can_be_demoted_while_an_active_one_remains(
    admin: Api, db: Database
) -> None:
    other = admin.post(
        "/users", json={"email": "old@example.com", "password": PASSWORD, "is_admin": True}
    ).json()
    assert admin.patch(f"/users/{other['id']}", json={"is_active": False}).status_code == 200
    demoted = admin.patch(f"/users/{other['id']}", json={"is_admin": False})
    assert demoted.status_code == 200, demoted.text


def test_one_cannot_deactivate_oneself(admin: Api) -> None:
    me = admin.get("/me").json()
    refused = admin.patch(f"/users/{me['id']}", json={"is_active": False})
    assert refused.status_code == 409
    assert "your own account" in refused.json()["error"]["message"]
    assert admin.get("/me").json()["is_active"] is True


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"email": "ADMIN@example.com", "password": PASSWORD}, 409, None),
        ({"email": "not-an-email", "password": PASSWORD}, 422, "email"),
        ({"email": "two@at@example.com", "password": PASSWORD}, 422, "email"),
        ({"email": "a space@example.com", "password": PASSWORD}, 422, "email"),
        ({"email": "bell\x07@example.com", "password": PASSWORD}, 422, "email"),
        ({"email": "short@example.com", "password": "1234567"}, 422, "password"),
        ({"email": "short@example.com", "password": ""}, 422, "password"),
        ({"email": "x@example.com", "password": PASSWORD, "admin": True}, 422, "admin"),
        ({"password": PASSWORD}, 422, "email"),
    ],
)
def test_bad_new_accounts_are_refused_and_nothing_is_written(
    admin: Api, db: Database, body: dict[str, Any], status: int, field: str | None
) -> None:
    before = count(db, User), len(events(db, "user.create"))
    answer = admin.post("/users", json=body)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["message"]
    if field is not None:
        assert field in answer.text
    if status == 409:
        assert "already exists" in error["message"]
    assert (count(db, User), len(events(db, "user.create"))) == before


def test_changing_an_unknown_user_is_a_404(admin: Api) -> None:
    answer = admin.patch("/users/424242", json={"name": "x"})
    assert answer.status_code == 404 and "424242" in answer.json()["error"]["message"]


def test_one_changes_ones_own_password(admin: Api, api: Api) -> None:
    admin.post("/users", json={"email": "p@example.com", "password": PASSWORD})
    me = api.post("/session", json={"email": "p@example.com", "password": PASSWORD})
    csrf = me.json()["csrf_token"]
    wrong = api.client.put(
        "/api/v1/me/password",
        json={"current_password": "nope", "new_password": "a new long password"},
        headers={"X-CSRF-Token": csrf},
    )
    assert wrong.status_code == 401 and "current password" in wrong.json()["error"]["message"]
    short = api.client.put(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "short"},
        headers={"X-CSRF-Token": csrf},
    )
    assert short.status_code == 422
    done = api.client.put(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "a new long password"},
        headers={"X-CSRF-Token": csrf},
    )
    assert done.status_code == 204
    api.client.cookies.clear()
    old = api.post("/session", json={"email": "p@example.com", "password": PASSWORD})
    assert old.status_code == 401
    new = api.post("/session", json={"email": "p@example.com", "password": "a new long password"})
    assert new.status_code == 200


# -- tokens -------------------------------------------------------------------------------------


def test_a_token_is_shown_once_listed_without_it_and_revoked(api: Api, db: Database) -> None:
    _, token = make_user(db, "dev@example.com")
    me = api.as_(token)
    made = me.post("/tokens", json={"name": " laptop "})
    assert made.status_code == 201, made.text
    new = made.json()
    secret = new["token"]
    assert secret.startswith("acc_") and new["prefix"] == secret[:8] and new["name"] == "laptop"
    assert api.as_(secret).get("/me").json()["email"] == "dev@example.com"
    listing = me.get("/tokens")
    assert secret not in listing.text
    assert all("token" not in item for item in listing.json())
    assert [t["name"] for t in listing.json()] == ["test", "laptop"]
    revoked = me.delete(f"/tokens/{new['id']}")
    assert revoked.status_code == 204
    refused = api.as_(secret).get("/me")
    assert refused.status_code == 401 and "revoked" in refused.json()["error"]["message"]
    listed = {t["id"]: t for t in me.get("/tokens").json()}
    assert listed[new["id"]]["revoked_at"] is not None
    again = me.delete(f"/tokens/{new['id']}")
    assert again.status_code == 409 and "already revoked" in again.json()["error"]["message"]
    assert me.get("/me").status_code == 200, "the other token still works"


def test_one_cannot_see_or_revoke_someone_elses_token(api: Api, db: Database) -> None:
    _, mine = make_user(db, "me@example.com")
    _, theirs = make_user(db, "them@example.com")
    their_id = api.as_(theirs).get("/tokens").json()[0]["id"]
    assert [t["id"] for t in api.as_(mine).get("/tokens").json()] != [their_id]
    answer = api.as_(mine).delete(f"/tokens/{their_id}")
    assert answer.status_code == 404
    assert api.as_(theirs).get("/me").status_code == 200


# -- members ------------------------------------------------------------------------------------


@pytest.fixture
def team(db: Database, api: Api) -> dict[str, Any]:
    manager, manager_token = make_user(db, "lead@example.com")
    annotator, annotator_token = make_user(db, "ann@example.com")
    make_user(db, "newcomer@example.com")
    project = make_project(db, manager, members={annotator: "annotator"})
    return {
        "project": project.id,
        "manager": manager,
        "annotator": annotator,
        "lead": api.as_(manager_token),
        "ann": api.as_(annotator_token),
    }


def test_members_are_added_by_email_changed_and_removed(team: dict[str, Any]) -> None:
    lead, project = team["lead"], team["project"]
    added = lead.post(
        f"/projects/{project}/members", json={"email": " NewComer@example.com", "role": "reviewer"}
    )
    assert added.status_code == 200, added.text
    newcomer = added.json()
    assert (newcomer["email"], newcomer["role"]) == ("newcomer@example.com", "reviewer")
    roles = {m["email"]: m["role"] for m in lead.get(f"/projects/{project}/members").json()}
    assert roles == {
        "lead@example.com": "manager", "ann@example.com": "annotator",
        "newcomer@example.com": "reviewer",
    }
    changed = lead.put(
        f"/projects/{project}/members/{newcomer['user_id']}", json={"role": "manager"}
    )
    assert changed.status_code == 200 and changed.json()["role"] == "manager"
    again = lead.post(
        f"/projects/{project}/members", json={"email": "ann@example.com", "role": "reviewer"}
    )
    assert again.status_code == 200 and again.json()["role"] == "reviewer", "POST changes a role"
    removed = lead.delete(f"/projects/{project}/members/{newcomer['user_id']}")
    assert removed.status_code == 200 and removed.json() == {"deleted": True}
    emails = [m["email"] for m in lead.get(f"/projects/{project}/members").json()]
    assert emails == ["ann@example.com", "lead@example.com"]


def test_an_unknown_email_says_what_to_do(team: dict[str, Any], db: Database) -> None:
    before = count(db, Membership)
    answer = team["lead"].post(
        f"/projects/{team['project']}/members",
        json={"email": "Stranger@example.com", "role": "annotator"},
    )
    assert answer.status_code == 404
    error = answer.json()["error"]
    assert "stranger@example.com" in error["message"]
    assert "accord users create" in error["message"]
    assert error["details"] == {"field": "email"}
    assert count(db, Membership) == before


def test_the_last_manager_cannot_be_removed_or_demoted(
    team: dict[str, Any], db: Database
) -> None:
    lead, project, manager = team["lead"], team["project"], team["manager"]
    before = len(events(db, "member.set")) + len(events(db, "member.remove"))
    for answer in (
        lead.delete(f"/projects/{project}/members/{manager.id}"),
        lead.put(f"/projects/{project}/members/{manager.id}", json={"role": "annotator"}),
        lead.post(
            f"/projects/{project}/members", json={"email": manager.email, "role": "reviewer"}
        ),
    ):
        assert answer.status_code == 409, answer.text
        assert "at least one active manager" in answer.json()["error"]["message"]
    assert len(events(db, "member.set")) + len(events(db, "member.remove")) == before
    promoted = lead.put(
        f"/projects/{project}/members/{team['annotator'].id}", json={"role": "manager"}
    )
    assert promoted.status_code == 200
    stepped_down = lead.put(
        f"/projects/{project}/members/{manager.id}", json={"role": "annotator"}
    )
    assert stepped_down.status_code == 200, "with a second manager, the first may step down"
    assert lead.patch(f"/projects/{project}", json={"name": "x"}).status_code == 403


def test_a_deactivated_manager_does_not_count_as_the_one_left(
    team: dict[str, Any], admin: Api, db: Database
) -> None:
    lead, project, manager = team["lead"], team["project"], team["manager"]
    other = team["annotator"]
    promoted = lead.put(f"/projects/{project}/members/{other.id}", json={"role": "manager"})
    assert promoted.status_code == 200
    assert admin.patch(f"/users/{other.id}", json={"is_active": False}).status_code == 200
    refused = lead.put(f"/projects/{project}/members/{manager.id}", json={"role": "reviewer"})
    assert refused.status_code == 409, "the only active manager cannot step down"
    assert lead.delete(f"/projects/{project}/members/{manager.id}").status_code == 409
    removed = lead.delete(f"/projects/{project}/members/{other.id}")
    assert removed.status_code == 200, "the deactivated manager can be removed"


def test_member_changes_that_cannot_apply_are_refused(
    team: dict[str, Any], admin: Api, db: Database
) -> None:
    lead, project = team["lead"], team["project"]
    stranger, _ = make_user(db, "stranger@example.com")
    for answer in (
        lead.put(f"/projects/{project}/members/{stranger.id}", json={"role": "annotator"}),
        lead.delete(f"/projects/{project}/members/{stranger.id}"),
        lead.delete(f"/projects/{project}/members/987654"),
    ):
        assert answer.status_code == 404, answer.text
        assert "not a member" in answer.json()["error"]["message"]
    bad_role = lead.post(
        f"/projects/{project}/members", json={"email": stranger.email, "role": "owner"}
    )
    assert bad_role.status_code == 422 and "role" in bad_role.json()["error"]["message"]
    admin.patch(f"/users/{stranger.id}", json={"is_active": False})
    inactive = lead.post(
        f"/projects/{project}/members", json={"email": stranger.email, "role": "annotator"}
    )
    assert inactive.status_code == 409 and "deactivated" in inactive.json()["error"]["message"]


# -- the audit log ------------------------------------------------------------------------------


def by_action(page: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for item in page["items"]:
        found.setdefault(item["action"], []).append(item)
    return found


def test_every_change_is_in_the_audit_log(team: dict[str, Any], admin: Api) -> None:
    lead, project = team["lead"], team["project"]
    user = admin.post("/users", json={"email": "new@example.com", "password": PASSWORD}).json()
    admin.patch(f"/users/{user['id']}", json={"name": "New", "is_admin": True})
    token = admin.post("/tokens", json={"name": "audit"}).json()
    admin.delete(f"/tokens/{token['id']}")
    lead.post(f"/projects/{project}/members", json={"email": user["email"], "role": "reviewer"})
    lead.put(f"/projects/{project}/members/{user['id']}", json={"role": "annotator"})
    lead.delete(f"/projects/{project}/members/{user['id']}")

    log = admin.get("/audit").json()
    ids = [item["id"] for item in log["items"]]
    assert ids == sorted(ids, reverse=True), "newest first"
    found = by_action(log)
    created = next(e for e in found["user.create"] if e["object_id"] == user["id"])
    assert (created["actor"], created["object_type"], created["object_id"]) == (
        "admin@example.com", "user", user["id"]
    )
    assert created["after"]["email"] == "new@example.com"
    assert "password" not in str(created), "no password or hash in the log"
    updated = found["user.update"][0]
    assert updated["before"]["is_admin"] is False and updated["after"]["is_admin"] is True
    assert updated["before"]["name"] == "" and updated["after"]["name"] == "New"
    made = [e for e in found["token.create"] if e["object_id"] == token["id"]]
    assert made and made[0]["actor"] == "admin@example.com"
    revoked = found["token.revoke"][0]
    assert revoked["object_id"] == token["id"] and revoked["after"]["user_id"] is not None
    sets = [e for e in found["member.set"] if e["object_id"] == user["id"]]
    assert [(e["before"], e["after"]) for e in sets] == [
        ({"role": "reviewer"}, {"role": "annotator"}),
        (None, {"role": "reviewer"}),
    ]
    assert all(e["actor"] == "lead@example.com" and e["project_id"] == project for e in sets)
    removed = found["member.remove"][0]
    assert removed["object_id"] == user["id"] and removed["before"] == {"role": "annotator"}
    assert all(item["at"] for item in log["items"])


def test_who_reads_which_log(team: dict[str, Any], admin: Api, api: Api, db: Database) -> None:
    lead, project = team["lead"], team["project"]
    lead.post(f"/projects/{project}/members", json={"email": "newcomer@example.com",
                                                    "role": "reviewer"})
    theirs = lead.get(f"/projects/{project}/audit")
    assert theirs.status_code == 200
    actions = {item["action"] for item in theirs.json()["items"]}
    assert {"project.create", "member.set"} <= actions
    assert all(item["project_id"] == project for item in theirs.json()["items"])
    assert lead.get("/audit").status_code == 403, "managers read their projects' logs only"
    assert team["ann"].get(f"/projects/{project}/audit").status_code == 403
    assert team["ann"].get("/audit").status_code == 403
    _, reviewer_token = make_user(db, "rev@example.com")
    lead.post(f"/projects/{project}/members", json={"email": "rev@example.com", "role": "reviewer"})
    assert api.as_(reviewer_token).get(f"/projects/{project}/audit").status_code == 403
    _, outsider_token = make_user(db, "out@example.com")
    assert api.as_(outsider_token).get(f"/projects/{project}/audit").status_code == 404
    assert admin.get(f"/projects/{project}/audit").status_code == 200
    filtered = admin.get("/audit", params={"project_id": project}).json()["items"]
    assert filtered and all(item["project_id"] == project for item in filtered)


def test_the_log_pages_backwards(team: dict[str, Any], admin: Api) -> None:
    everything = admin.get("/audit").json()
    assert everything["next_before"] is None
    ids = [item["id"] for item in everything["items"]]
    assert len(ids) >= 4
    first = admin.get("/audit", params={"limit": 2}).json()
    assert [i["id"] for i in first["items"]] == ids[:2] and first["next_before"] == ids[1]
    second = admin.get("/audit", params={"limit": 2, "before": first["next_before"]}).json()
    assert [i["id"] for i in second["items"]] == ids[2:4]
    for bad in ({"limit": 0}, {"limit": 1001}, {"before": 0}, {"before": "x"}):
        answer = admin.get("/audit", params=bad)
        assert answer.status_code == 422, bad
        assert answer.json()["error"]["details"][0]["where"] == "query"
