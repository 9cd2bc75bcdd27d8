"""Importing answers as annotations by a named source (``source=NAME``): a COCO dataset (in the
background and not), a JSONL file whose rows carry predictions; the source's account, which
never signs in; overlap, completion, export, review sampling; importing again; refusals."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from accord.actions.source_answers import CHUNK, adopt_predictions, source_email
from accord.db import Database
from accord.models import Annotation, AuditEvent, Membership, Prediction, Review, Task, User
from accord.settings import Settings
from tests.api.conftest import Api
from tests.api.test_image_imports import IMAGES, Lead, coco_document, stored
from tests.api.test_media import wait
from tests.factories import make_project, make_user

QUESTIONS = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {"name": "label", "kind": "choice", "options": ["pos", "neg"], "required": True},
        {"name": "note", "kind": "text"},
    ],
}


@pytest.fixture
def lead(db: Database, api: Api) -> Lead:
    return Lead(db, api)


def annotations(db: Database, project_id: int) -> dict[str, dict[str, Any]]:
    """Each annotated task by external id: the author's email, name and flag, and the answer."""
    with db.read() as session:
        rows = session.execute(
            select(Task.external_id, User.email, User.name, User.is_source, Annotation.result)
            .join(Annotation, Annotation.task_id == Task.id)
            .join(User, User.id == Annotation.user_id)
            .where(Task.project_id == project_id)
        ).all()
    return {
        external: {"email": email, "name": name, "source": flag, "result": orjson.loads(result)}
        for external, email, name, flag, result in rows
    }


def count(db: Database, model: Any, *where: Any) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_coco_in_the_background_as_a_sources_annotations(
    lead: Lead, db: Database, api: Api
) -> None:
    lead.upload(IMAGES)
    answer = lead.import_(
        orjson.dumps(coco_document()), "coco", background=True, source="legacy-2024"
    )
    assert answer.status_code == 202, answer.text
    job = wait(lead.api, answer.json()["id"])
    assert job["state"] == "succeeded", job
    result = job["result"]
    assert (result["created"], result["annotations"], result["source"]) == (2, 2, "legacy-2024")
    assert result["left_as_predictions"] == 0 and result["left_tasks"] == []
    # The shapes are the source's submitted annotations; no prediction is left to pre-fill.
    made = annotations(db, lead.id)
    assert set(made) == set(IMAGES)
    assert all(a["name"] == "legacy-2024" and a["source"] for a in made.values())
    assert made["a.png"]["result"]["boxes"]["objects"][0]["label"] == "cat"
    assert all(task["predictions"] == [] for task in stored(db, lead.id).values())
    # Overlap 1: each task is complete, and closed to the queue.
    with db.read() as session:
        tasks = session.execute(
            select(Task.n_submitted, Task.n_claimed, Task.is_open).where(Task.project_id == lead.id)
        ).all()
    assert tasks == [(1, 1, False), (1, 1, False)]
    progress = lead.api.get(f"/projects/{lead.id}").json()
    assert progress["progress"]["complete"] == 2, progress
    # The source is an annotator member, marked, and it cannot sign in nor get a token.
    members = {m["name"]: m for m in lead.api.get(f"/projects/{lead.id}/members").json()}
    source = members["legacy-2024"]
    assert source["is_source"] and source["role"] == "annotator"
    assert source["email"] == source_email("legacy-2024")
    assert source["email"].endswith("@source.invalid")
    signed = api.client.post(
        "/api/v1/session", json={"email": source["email"], "password": "anything at all 123"}
    )
    assert signed.status_code == 401
    # The export shows the source as the annotator.
    export = lead.api.get(f"/projects/{lead.id}/export", params={"format": "jsonl"})
    rows = [orjson.loads(line) for line in export.text.splitlines() if line.strip()]
    assert {a["annotator"] for row in rows for a in row["annotations"]} == {source["email"]}
    # Importing the same dataset again adds nothing and answers nothing twice.
    again = wait(
        lead.api,
        lead.import_(
            orjson.dumps(coco_document()), "coco", background=True, source="Legacy-2024"
        ).json()["id"],
    )
    assert again["state"] == "succeeded", again
    assert (again["result"]["created"], again["result"]["annotations"]) == (0, 0)
    assert count(db, Annotation) == 2
    assert count(db, User, User.is_source) == 1  # the same source, whatever the case


def test_coco_at_once_with_a_source(lead: Lead, db: Database) -> None:
    lead.upload(IMAGES)
    answer = lead.import_(orjson.dumps(coco_document()), "coco", source="vendor A")
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert (report["created"], report["annotations"], report["source"]) == (2, 2, "vendor A")
    assert report["dataset"]["images"] == 2
    assert count(db, Prediction) == 0
    assert {a["name"] for a in annotations(db, lead.id).values()} == {"vendor A"}
    with db.read() as session:
        events = session.scalars(
            select(AuditEvent.action).where(AuditEvent.project_id == lead.id)
        ).all()
    assert events.count("annotation.submit") == 2 and "tasks.import_source" in events


def rows_with_predictions(n: int, *, labels: list[str | None]) -> bytes:
    rows = []
    for i in range(n):
        label = labels[i % len(labels)]
        result: dict[str, Any] = {"note": {"text": f"note {i}"}}
        if label is not None:
            result["label"] = {"choice": label}
        rows.append(
            {
                "id": f"t{i}",
                "text": f"text {i}",
                "predictions": [{"model_version": "old", "result": result}],
            }
        )
    return b"".join(orjson.dumps(row) + b"\n" for row in rows)


def post_jsonl(api: Api, project_id: int, body: bytes, **params: Any) -> Any:
    return api.post(
        f"/projects/{project_id}/imports", params={"format": "jsonl", **params}, content=body
    )


def test_jsonl_predictions_with_a_source_fill_the_overlap(db: Database, api: Api) -> None:
    owner, token = make_user(db, "lead@example.com")
    annotator, annotator_token = make_user(db, "ann@example.com")
    project = make_project(
        db, owner, QUESTIONS, overlap=2, review_share=1.0, members={annotator: "annotator"}
    )
    lead = api.as_(token)
    # Row 3 leaves the required question unanswered: it stays a prediction, named.
    body = rows_with_predictions(4, labels=["pos", "neg", None, "pos"])
    answer = post_jsonl(lead, project.id, body, source="rater-1")
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert (report["created"], report["annotations"], report["left_as_predictions"]) == (4, 3, 1)
    left = report["left_tasks"][0]
    assert left["id"] == "t2" and "label" in left["reason"] and "required" in left["reason"]
    made = annotations(db, project.id)
    assert set(made) == {"t0", "t1", "t3"}
    assert made["t1"]["result"]["label"] == {"choice": "neg"}
    assert count(db, Prediction) == 1  # t2's
    # Overlap 2: each answered task needs one more person, and the person never gets the
    # source's answer pre-filled; every source answer was sampled for review (share 1).
    with db.read() as session:
        counts = dict(
            session.execute(
                select(Task.external_id, Task.n_submitted).where(Task.project_id == project.id)
            ).all()
        )
    assert counts == {"t0": 1, "t1": 1, "t2": 0, "t3": 1}
    assert count(db, Review) == 3
    person = api.as_(annotator_token)
    served = []
    while True:
        got = person.post(f"/projects/{project.id}/next")
        assert got.status_code == 200, got.text
        following = got.json()
        if following["task"] is None:
            break
        task = following["task"]
        served.append(task["external_id"])
        if task["external_id"] != "t2":
            assert following["predictions"] == []
        submitted = person.post(
            f"/tasks/{task['id']}/annotations", json={"result": {"label": {"choice": "pos"}}}
        )
        assert submitted.status_code == 201, submitted.text
    assert sorted(served) == ["t0", "t1", "t2", "t3"]
    assert count(db, Task, Task.project_id == project.id, Task.n_submitted >= 2) == 3
    # Running the step again (a retried job) changes nothing.
    with db.read() as session:
        import_id = session.scalar(select(Task.import_id).where(Task.external_id == "t0"))
    assert import_id is not None
    again = adopt_predictions(db, owner, project.id, import_id, "RATER-1")
    assert (again.annotations, again.left_as_predictions) == (0, 1)
    assert count(db, Annotation, Annotation.project_id == project.id) == 3 + 4


def test_several_predictions_in_a_row_stay_predictions(db: Database, api: Api) -> None:
    owner, token = make_user(db, "lead@example.com")
    project = make_project(db, owner, QUESTIONS)
    row = {
        "id": "x",
        "text": "t",
        "predictions": [
            {"model_version": "a", "result": {"label": {"choice": "pos"}}},
            {"model_version": "b", "result": {"label": {"choice": "neg"}}},
        ],
    }
    answer = post_jsonl(api.as_(token), project.id, orjson.dumps(row), source="s")
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert (report["annotations"], report["left_as_predictions"]) == (0, 1)
    assert "2 predictions" in report["left_tasks"][0]["reason"]
    assert count(db, Prediction) == 2


def test_many_tasks_go_in_chunks(db: Database, api: Api, settings: Settings) -> None:
    owner, token = make_user(db, "lead@example.com")
    project = make_project(db, owner, QUESTIONS)
    n = CHUNK * 2 + 7
    started = post_jsonl(
        api.as_(token),
        project.id,
        rows_with_predictions(n, labels=["pos", "neg"]),
        background=True,
        source="bulk",
    )
    assert started.status_code == 202, started.text
    job = wait(api.as_(token), started.json()["id"])
    assert job["state"] == "succeeded", job
    assert (job["result"]["created"], job["result"]["annotations"]) == (n, n)
    assert job["unit"] == "tasks" and job["done"] == n
    assert count(db, Annotation) == n and count(db, Prediction) == 0


def test_who_may_and_what_is_refused(db: Database, api: Api) -> None:
    owner, token = make_user(db, "lead@example.com")
    annotator, annotator_token = make_user(db, "ann@example.com")
    project = make_project(db, owner, QUESTIONS, members={annotator: "annotator"})
    body = rows_with_predictions(2, labels=["pos"])
    # Not a manager: refused, nothing written (no source account either).
    refused = post_jsonl(api.as_(annotator_token), project.id, body, source="s")
    assert refused.status_code == 403, refused.text
    for bad in ("", "   ", "a\x01b", "x" * 101):
        answer = post_jsonl(api.as_(token), project.id, body, source=bad)
        assert answer.status_code == 422, (bad, answer.text)
    # A name whose email a person's account has is refused too, before anything is written.
    make_user(db, source_email("taken"))
    taken = post_jsonl(api.as_(token), project.id, body, source="taken")
    assert taken.status_code == 422 and "person's account" in taken.json()["error"]["message"]
    assert count(db, Task) == 0 and count(db, User, User.is_source) == 0
    # Without source nothing changes: predictions stay predictions.
    plain = post_jsonl(api.as_(token), project.id, body).json()
    assert (plain["predictions"], plain["annotations"], plain["source"]) == (2, 0, None)


def test_the_source_gets_no_token_password_or_rights(db: Database, api: Api, admin: Api) -> None:
    owner, token = make_user(db, "lead@example.com")
    project = make_project(db, owner, QUESTIONS)
    post_jsonl(api.as_(token), project.id, rows_with_predictions(1, labels=["pos"]), source="s")
    with db.read() as session:
        source = session.scalar(select(User).where(User.is_source))
        assert source is not None and source.password_hash is None
        member = session.get(Membership, (project.id, source.id))
        assert member is not None and member.role == "annotator"
    listed = {u["email"]: u for u in admin.get("/users").json()}
    assert listed[source.email]["is_source"]
    password = admin.put(
        f"/users/{source.id}/password", json={"password": "a long and fine password 42"}
    )
    assert password.status_code == 409 and password.json()["error"]["code"] == "source_account"
    grant = admin.patch(f"/users/{source.id}", json={"is_admin": True})
    assert grant.status_code == 409, grant.text

    from accord.actions.tokens import do_create_token
    from accord.errors import Conflict

    with db.write() as session:
        again = session.get(User, source.id)
        assert again is not None
        with pytest.raises(Conflict, match="never signs in"):
            do_create_token(session, None, again, "x")
