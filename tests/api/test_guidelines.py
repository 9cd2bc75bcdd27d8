"""Versioned guidelines: versions, conflicts, diff and restore, sections and links, images,
the acknowledgement gate of the queue, and the version recorded on reviews and exports."""

from __future__ import annotations

import io
import threading
from typing import Any

import orjson
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from accord.actions.guidelines import do_save_guidelines
from accord.db import Database
from accord.errors import Conflict
from accord.models import AuditEvent, GuidelineVersion, Project, Review, User
from accord.sdk import AccordError, Client
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user, texts

INTERFACE = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {
            "name": "label",
            "kind": "choice",
            "options": ["pos", "neg"],
            "required": True,
            "guideline": "labels",
        },
        {"name": "why", "kind": "text", "guideline": "no-such-section"},
    ],
}
V1 = "# Intro\nBe kind.\n\n## Labels\npos: good\nneg: bad\n"
V2 = "# Intro\nBe kind.\n\n## Labels\npos: good or fine\nneg: bad\n\n## Labels\nagain\n"


def setup(db: Database, api: Api, **settings: Any) -> tuple[int, dict[str, Api], dict[str, User]]:
    owner, owner_token = make_user(db, "owner@example.com")
    people: dict[str, Api] = {}
    users: dict[str, User] = {"owner": owner}
    members: dict[User, str] = {}
    for name, role in {"ann": "annotator", "rev": "reviewer"}.items():
        user, token = make_user(db, f"{name}@example.com")
        people[name], members[user], users[name] = api.as_(token), role, user
    project = make_project(db, owner, INTERFACE, members=members, guidelines=V1, **settings)
    add_tasks(db, owner, project, texts(4))
    return project.id, {"owner": api.as_(owner_token), **people}, users


def save(me: Api, project_id: int, text: str, base: int, **body: Any) -> Any:
    return me.post(
        f"/projects/{project_id}/guidelines",
        json={"text": text, "base_version": base, "note": body.pop("note", "edit"), **body},
    )


def png(size: tuple[int, int] = (4, 3)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


def test_every_save_is_a_version_with_author_and_note(db: Database, api: Api) -> None:
    project_id, as_, _ = setup(db, api)
    listed = as_["ann"].get(f"/projects/{project_id}/guidelines").json()
    assert listed["current_version"] == 1 and len(listed["versions"]) == 1
    saved = save(as_["owner"], project_id, V2, 1, note="pos widened")
    assert saved.status_code == 201, saved.text
    version = saved.json()["version"]
    assert version["number"] == 2 and version["note"] == "pos widened"
    assert version["author"] == "owner"
    warnings = saved.json()["warnings"]
    assert [w["path"] for w in warnings] == ["questions[1].guideline"], "warned, not refused"
    project = as_["ann"].get(f"/projects/{project_id}").json()
    assert project["guidelines"] == V2 and project["guidelines_version"] == 2
    # The project PATCH goes through the same action: a version too.
    patched = as_["owner"].patch(f"/projects/{project_id}", json={"guidelines": V1})
    assert patched.status_code == 200 and patched.json()["guidelines_version"] == 3
    numbers = [
        v["number"] for v in as_["ann"].get(f"/projects/{project_id}/guidelines").json()["versions"]
    ]
    assert numbers == [3, 2, 1]
    one = as_["ann"].get(f"/projects/{project_id}/guidelines/versions/2").json()
    assert one["text"] == V2
    assert [s["anchor"] for s in one["sections"]] == ["intro", "labels", "labels-2"]
    # Annotators read; only managers write.
    assert save(as_["ann"], project_id, "x", 3).status_code == 403
    assert as_["ann"].get(f"/projects/{project_id}/guidelines/versions/9").status_code == 404


def test_non_members_get_404(db: Database, api: Api) -> None:
    project_id, _, _ = setup(db, api)
    _, token = make_user(db, "stranger@example.com")
    stranger = api.as_(token)
    for path in ("", "/versions/1", "/diff?old=0", "/changes", "/sections", "/metrics"):
        assert stranger.get(f"/projects/{project_id}/guidelines{path}").status_code == 404, path
    assert save(stranger, project_id, "x", 1).status_code == 404
    assert (
        stranger.post(f"/projects/{project_id}/guidelines/images", content=png()).status_code == 404
    )


def test_a_stale_base_is_a_conflict_with_the_diff(db: Database, api: Api) -> None:
    project_id, as_, _ = setup(db, api)
    assert save(as_["owner"], project_id, V2, 1).status_code == 201
    late = save(as_["owner"], project_id, V1 + "\nmine\n", 1)
    assert late.status_code == 409
    error = late.json()["error"]
    assert error["code"] == "guidelines_conflict"
    assert error["details"]["current_version"] == 2 and error["details"]["base_version"] == 1
    assert any(
        line["text"] == "pos: good or fine"
        for h in error["details"]["diff"]["hunks"]
        for line in h["lines"]
    )
    assert next(s["title"] for s in error["details"]["diff"]["sections"]) == "Labels"
    # Reapplied on the current version, it wins.
    assert save(as_["owner"], project_id, V2 + "\nmine\n", 2).status_code == 201


def test_a_conflict_carries_the_merge_and_saving_it_is_a_new_save(db: Database, api: Api) -> None:
    project_id, as_, _ = setup(db, api)
    assert save(as_["owner"], project_id, V2, 1).status_code == 201
    mine = V1.replace("Be kind.", "Be kind and brief.")
    late = save(as_["owner"], project_id, mine, 1).json()["error"]
    merged = late["details"]["merge"]
    assert merged["clean"] and merged["text"] == V2.replace("Be kind.", "Be kind and brief.")
    # Nothing was saved: the merge is saved by a new save from the current version, once.
    assert as_["owner"].get(f"/projects/{project_id}").json()["guidelines"] == V2
    assert save(as_["owner"], project_id, merged["text"], 2).status_code == 201
    assert save(as_["owner"], project_id, merged["text"], 2).status_code == 409
    # Overlapping edits: the conflicting lines, side by side, with their section.
    clash = save(as_["owner"], project_id, V1.replace("pos: good", "pos: glowing"), 1).json()
    details = clash["error"]["details"]
    assert details["current_version"] == 3 and not details["merge"]["clean"]
    conflict = next(c for c in details["merge"]["chunks"] if c["kind"] == "conflict")
    assert conflict["title"] == "Labels" and conflict["mine"] == ["pos: glowing"]
    assert conflict["theirs"] == ["pos: good or fine"]
    # A restore has no edit to merge.
    restore = as_["owner"].post(
        f"/projects/{project_id}/guidelines/restore", json={"number": 1, "base_version": 1}
    )
    assert restore.status_code == 409 and restore.json()["error"]["details"]["merge"] is None


def test_racing_saves_one_wins(db: Database, client: TestClient) -> None:
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner, INTERFACE, guidelines=V1)
    results: list[int] = []
    barrier = threading.Barrier(4)

    def edit(i: int) -> None:
        barrier.wait()
        answer = client.post(
            f"/api/v1/projects/{project.id}/guidelines",
            headers={"Authorization": f"Bearer {token}"},
            json={"text": f"{V1}\nedit {i}\n", "base_version": 1, "note": str(i)},
        )
        results.append(answer.status_code)

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [201, 409, 409, 409]
    with db.read() as session:
        numbers = session.scalars(
            select(GuidelineVersion.number).where(GuidelineVersion.project_id == project.id)
        ).all()
    assert sorted(numbers) == [1, 2]


def test_the_action_is_the_contract_for_amendments(db: Database) -> None:
    owner, _ = make_user(db, "owner@example.com")
    project = make_project(db, owner, INTERFACE, guidelines=V1)
    with db.write() as session:
        fresh = session.get(Project, project.id)
        actor = session.get(User, owner.id)
        assert fresh is not None and actor is not None
        made = do_save_guidelines(
            session, fresh, actor, text=V2, note="from flag 3", material=True, base_version=1
        )
        assert made.number == 2 and fresh.guidelines_material == 2
    with db.write() as session:
        fresh = session.get(Project, project.id)
        actor = session.get(User, owner.id)
        assert fresh is not None and actor is not None
        try:
            do_save_guidelines(
                session, fresh, actor, text="x", note="", material=False, base_version=1
            )
        except Conflict as exc:
            assert exc.code == "guidelines_conflict" and exc.details["current_version"] == 2
        else:
            raise AssertionError("a stale base must conflict")


def test_diff_and_restore(db: Database, api: Api) -> None:
    project_id, as_, _ = setup(db, api)
    save(as_["owner"], project_id, V2, 1)
    got = as_["ann"].get(f"/projects/{project_id}/guidelines/diff", params={"old": 1, "new": 2})
    assert got.status_code == 200
    body = got.json()
    assert "-pos: good" in body["text"] and "+pos: good or fine" in body["text"]
    assert {s["anchor"] for s in body["sections"]} >= {"labels"}
    restored = as_["owner"].post(
        f"/projects/{project_id}/guidelines/restore", json={"number": 1, "base_version": 2}
    )
    assert restored.status_code == 201, restored.text
    assert restored.json()["version"]["restored_from"] == 1
    assert restored.json()["version"]["note"] == "restored version 1"
    assert as_["ann"].get(f"/projects/{project_id}").json()["guidelines"] == V1
    missing = as_["owner"].post(
        f"/projects/{project_id}/guidelines/restore", json={"number": 42, "base_version": 3}
    )
    assert missing.status_code == 404
    bad = as_["owner"].get(f"/projects/{project_id}/guidelines/diff", params={"old": "x"})
    assert bad.status_code == 422


def test_material_change_gates_the_next_task_until_acknowledged(db: Database, api: Api) -> None:
    project_id, as_, _ = setup(db, api)
    first = as_["ann"].post(f"/projects/{project_id}/next")
    assert first.status_code == 200 and first.json()["task"] is not None
    # A non-material change does not block.
    assert save(as_["owner"], project_id, V1 + "typo\n", 1).status_code == 201
    assert as_["ann"].post(f"/projects/{project_id}/next").status_code == 200
    assert (
        save(as_["owner"], project_id, V2, 2, material=True, note="pos widened").status_code == 201
    )
    blocked = as_["ann"].post(f"/projects/{project_id}/next")
    assert blocked.status_code == 409
    error = blocked.json()["error"]
    assert error["code"] == "guidelines_unacknowledged"
    assert error["details"]["version"] == 3
    assert error["details"]["changes"][-1] == {
        "version": 3,
        "note": "pos widened",
        "material": True,
    }
    assert "pos widened" in error["message"]
    changes = as_["ann"].get(f"/projects/{project_id}/guidelines/changes").json()
    assert changes["must_acknowledge"] is True and "+pos: good or fine" in changes["diff"]["text"]
    # The author acknowledged by saving.
    assert as_["owner"].post(f"/projects/{project_id}/next").status_code == 200
    stale = as_["ann"].post(f"/projects/{project_id}/guidelines/acknowledge", json={"version": 2})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "guidelines_changed"
    ack = as_["ann"].post(f"/projects/{project_id}/guidelines/acknowledge", json={"version": 3})
    assert ack.status_code == 200
    again = as_["ann"].post(f"/projects/{project_id}/guidelines/acknowledge", json={"version": 3})
    assert again.status_code == 200
    assert as_["ann"].post(f"/projects/{project_id}/next").status_code == 200
    listed = as_["ann"].get(f"/projects/{project_id}/guidelines").json()
    assert listed["acknowledged"] == 3 and listed["must_acknowledge"] is False
    # A later non-material version does not block again.
    assert save(as_["owner"], project_id, V2 + "more\n", 3).status_code == 201
    assert as_["ann"].post(f"/projects/{project_id}/next").status_code == 200
    with db.read() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.project_id == project_id)
        ).all()
    assert "guidelines.acknowledge" in actions and "guidelines.save" in actions


def test_sections_and_link_warnings(db: Database, api: Api) -> None:
    project_id, as_, _ = setup(db, api)
    got = as_["ann"].get(f"/projects/{project_id}/guidelines/sections").json()
    assert [s["anchor"] for s in got["sections"]] == ["intro", "labels"]
    assert got["warnings"][0]["anchor"] == "no-such-section"
    checklist = [
        {"text": "labels right", "guideline": "labels"},
        {"text": "x", "guideline": "nope"},
    ]
    changed = as_["owner"].patch(f"/projects/{project_id}", json={"checklist": checklist})
    assert changed.status_code == 200, changed.text
    assert changed.json()["checklist"][0]["guideline"] == "labels"
    warned = as_["ann"].get(f"/projects/{project_id}/guidelines/sections").json()["warnings"]
    assert [w["path"] for w in warned] == ["questions[1].guideline", "checklist[1].guideline"]


def test_images_upload_and_serve(db: Database, api: Api) -> None:
    project_id, as_, _ = setup(db, api)
    url = f"/projects/{project_id}/guidelines/images"
    made = as_["owner"].post(url, params={"filename": "tone.png"}, content=png())
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["markdown"].startswith("![tone](/api/v1/projects/")
    shown = as_["ann"].get(f"{url}/{body['name']}", follow_redirects=False)
    assert shown.status_code == 307
    fetched = as_["ann"].get(shown.headers["location"].removeprefix("/api/v1"))
    assert fetched.status_code == 200 and fetched.content == png()
    assert as_["ann"].post(url, content=png()).status_code == 403
    assert as_["ann"].get(f"{url}/{'0' * 32}.png").status_code == 404
    assert as_["ann"].get(f"{url}/..%2fx.png").status_code in (404, 422)


def test_bad_images_are_refused_and_nothing_is_stored(
    db: Database, api: Api, settings: Any
) -> None:
    project_id, as_, _ = setup(db, api)
    url = f"/projects/{project_id}/guidelines/images"
    text = as_["owner"].post(url, params={"filename": "notes.png"}, content=b"hello, not an image")
    assert text.status_code == 422
    assert (
        text.json()["error"]["code"] == "bad_image"
        and "notes.png" in text.json()["error"]["message"]
    )
    truncated = as_["owner"].post(url, params={"filename": "cut.png"}, content=png((50, 50))[:60])
    assert truncated.status_code == 422
    svg = as_["owner"].post(
        url, params={"filename": "x.svg"}, content=b"<svg xmlns='http://www.w3.org/2000/svg'/>"
    )
    assert svg.status_code == 422
    big = as_["owner"].post(
        url, params={"filename": "big.png"}, content=png() + b"\0" * settings.guideline_image_bytes
    )
    assert big.status_code == 422 and big.json()["error"]["code"] == "image_too_large"
    folder = settings.resolved_data_dir() if hasattr(settings, "resolved_data_dir") else None
    with db.read() as session:
        events = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "guidelines.image")
        ).all()
    assert events == []
    del folder


def test_reviews_and_exports_record_the_version(db: Database, api: Api) -> None:
    project_id, as_, _ = setup(db, api, review_share=1)
    task = as_["ann"].post(f"/projects/{project_id}/next").json()["task"]
    done = as_["ann"].post(
        f"/tasks/{task['id']}/annotations", json={"result": {"label": {"choice": "pos"}}}
    )
    assert done.status_code == 201, done.text
    save(as_["owner"], project_id, V2, 1)
    review = as_["rev"].post(f"/projects/{project_id}/reviews/next").json()["review"]
    decided = as_["rev"].post(
        f"/reviews/{review['id']}/decision", json={"version": 1, "decision": "accept"}
    )
    assert decided.status_code == 200, decided.text
    with db.read() as session:
        assert session.scalars(select(Review.guidelines_version)).all() == [2]
    lines = as_["owner"].get(f"/projects/{project_id}/export?format=jsonl").text.splitlines()
    annotated = [orjson.loads(line) for line in lines if orjson.loads(line)["annotations"]]
    assert annotated[0]["annotations"][0]["guidelines_version"] == 1
    table = as_["owner"].get(f"/projects/{project_id}/export?format=csv").text
    assert "guidelines_version" in table.splitlines()[0]
    figures = as_["owner"].get(f"/projects/{project_id}/guidelines/metrics").json()
    assert figures[0]["guidelines_version"] == 1 and figures[0]["annotations"] == 1
    assert figures[0]["accepted"] == 1
    assert figures[1] == {**figures[1], "guidelines_version": 2, "reviews_decided": 1}
    assert as_["ann"].get(f"/projects/{project_id}/guidelines/metrics").status_code == 403


def test_sdk(db: Database, client: TestClient) -> None:
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner, INTERFACE, guidelines=V1)
    sdk = Client("http://testserver", token)
    sdk._http = TestClient(
        client.app,
        base_url="http://testserver/api/v1",
        headers={"Authorization": f"Bearer {token}"},
    )
    made = sdk.save_guidelines(project.id, V2, note="widened", material=True, base_version=1)
    assert made["version"]["number"] == 2
    listed = sdk.guidelines(project.id)
    assert [(v["number"], v["note"]) for v in listed][:1] == [(2, "widened")]
    assert "+pos: good or fine" in sdk.guidelines_diff(project.id, 1, 2)["text"]
    try:
        sdk.save_guidelines(project.id, "x", base_version=1)
    except AccordError as exc:
        assert exc.code == "guidelines_conflict"
    else:
        raise AssertionError("expected a conflict")


def test_a_submission_stands_when_the_next_task_waits_for_acknowledgement(
    db: Database, api: Api
) -> None:
    project_id, as_, _ = setup(db, api)
    task = as_["ann"].post(f"/projects/{project_id}/next").json()["task"]
    assert save(as_["owner"], project_id, V2, 1, material=True).status_code == 201
    done = as_["ann"].post(
        f"/tasks/{task['id']}/annotations",
        params={"next": True},
        json={"result": {"label": {"choice": "pos"}}},
    )
    assert done.status_code == 201, done.text
    assert done.json()["next"] is None
    assert as_["ann"].post(f"/projects/{project_id}/next").status_code == 409
    changes = as_["ann"].get(f"/projects/{project_id}/guidelines/changes").json()
    assert changes["since"] == 1, "submitted under v2 unread: the diff starts before it"
    assert "+pos: good or fine" in changes["diff"]["text"]
