"""Originality and declared checks on every write path besides the submit: an edit answers its
warnings; a reviewer's fix and an adjudicated answer are checked (declared block-level checks
refuse, originality only warns) and indexed; exports carry each annotation's originality
record; reference corpora are deleted in the background, out of use at once."""

from __future__ import annotations

import time
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from accord.actions.jobs import do_start_job
from accord.actions.originality import do_start_corpus
from accord.db import Database
from accord.models import OriginalityBand, OriginalityCorpus, OriginalityText, Project, User
from accord.queries.projects import interface_of
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user, texts

ORIGINAL = (
    "The committee reviewed the harbour expansion plan in detail and found that the dredging "
    "schedule conflicts with the spawning season of local fish populations every spring"
)
# Seven of the 28 words changed: about 0.55 similar to ORIGINAL (warn, not block).
REWORDED = (
    "The committee reviewed the harbour expansion plan in detail and decided that the dredging "
    "timetable clashes with the spawning season of local fish populations every spring"
)
OTHER = (
    "Volunteers repainted the library mural over three weekends using donated paint and the "
    "children of the neighbourhood chose its colours and its birds and its trees"
)
THIRD = (
    "Engineers measured the old bridge cables with ultrasound during the night closures and "
    "replaced the two that had rusted through near the northern anchor block last winter"
)
WHY: dict[str, Any] = {
    "name": "why",
    "kind": "text",
    "originality": {"warn_above": 0.5, "block_above": 0.8},
    "checks": [
        {"kind": "words", "min": 40, "level": "warn"},
        {"kind": "phrases", "forbidden": ["lorem"]},
    ],
}
WRITING: dict[str, Any] = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {"name": "label", "kind": "choice", "options": ["pos", "neg"], "required": True},
        WHY,
    ],
}


def answer(text: str, label: str = "pos") -> dict[str, Any]:
    return {"label": {"choice": label}, "why": {"text": text}}


def people(db: Database, api: Api, names: dict[str, str], **settings: Any) -> dict[str, Any]:
    owner, owner_token = make_user(db, "owner@example.com")
    members, out = {}, {}
    for name, role in names.items():
        user, token = make_user(db, f"{name}@example.com")
        members[user] = role
        out[name] = api.as_(token)
    project = make_project(db, owner, WRITING, members=members, **settings)
    add_tasks(db, owner, project, texts(6))
    return {"project": project.id, "owner": api.as_(owner_token), **out}


@pytest.fixture
def team(db: Database, api: Api) -> dict[str, Any]:
    cast = {"ann": "annotator", "bob": "annotator", "rev": "reviewer"}
    return people(db, api, cast, review_share=1)


def submit(me: Api, project_id: int, result: dict[str, Any], **extra: Any) -> Any:
    task = me.post(f"/projects/{project_id}/next").json()["task"]
    assert task is not None, "no task served"
    return me.post(f"/tasks/{task['id']}/annotations", json={"result": result, **extra})


def indexed(db: Database, **where: Any) -> list[str]:
    with db.read() as session:
        query = select(OriginalityText.text).order_by(OriginalityText.id)
        for column, value in where.items():
            query = query.where(getattr(OriginalityText, column) == value)
        return list(session.scalars(query))


# 1. Editing one's own annotation


def test_an_edit_answers_the_same_warnings_as_a_submit(team: dict[str, Any]) -> None:
    project = team["project"]
    assert submit(team["ann"], project, answer(ORIGINAL)).status_code == 201
    mine = submit(team["bob"], project, answer(OTHER))
    assert mine.status_code == 201, mine.text
    path = f"/annotations/{mine.json()['annotation']['id']}"

    edited = team["bob"].put(path, json={"result": answer(REWORDED)})
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert body["result"]["why"]["text"] == REWORDED and body["version"] == 2
    [finding] = body["originality"]
    assert finding["verdict"] == "warn" and 0.5 < finding["similarity"] <= 0.8
    assert finding["passages"] and "annotation_id" not in str(finding)
    checks = {w["check"]: w for w in body["warnings"]}
    assert set(checks) == {"originality", "words"}
    assert checks["originality"]["path"] == "result.why.text"
    assert checks["originality"]["message"].endswith("similar to an earlier answer")
    assert "40" in checks["words"]["message"]

    # A block-level declared check refuses the edit (nothing written), naming the question.
    refused = team["bob"].put(path, json={"result": answer(OTHER + " lorem")})
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "invalid_result"
    assert error["details"][0]["path"].startswith("result.why")
    assert team["bob"].get(path).json()["result"]["why"]["text"] == REWORDED

    # An original edit answers no originality warning (only the words check's).
    quiet = team["bob"].put(path, json={"result": answer(THIRD)}).json()
    assert quiet["originality"] == [] and [w["check"] for w in quiet["warnings"]] == ["words"]


def test_the_preview_of_an_edit_passes_over_its_own_text(team: dict[str, Any]) -> None:
    project = team["project"]
    assert submit(team["ann"], project, answer(ORIGINAL)).status_code == 201
    mine = submit(team["bob"], project, answer(OTHER)).json()["annotation"]
    path = f"/tasks/{mine['task_id']}/originality"
    again = {"result": answer(OTHER + " again")}
    # As a new submission its own earlier text counts; as an edit of it, not.
    assert team["bob"].post(path, json=again).json()["findings"][0]["verdict"] == "block"
    editing = team["bob"].post(path, json={**again, "annotation_id": mine["id"]})
    assert editing.status_code == 200 and editing.json()["findings"] == []
    close = team["bob"].post(path, json={"result": answer(REWORDED), "annotation_id": mine["id"]})
    assert close.json()["findings"][0]["verdict"] == "warn"
    # Only one's own annotation of that task.
    other = team["ann"].post(path, json={**again, "annotation_id": mine["id"]})
    assert other.status_code in (403, 404)


def test_the_sdk_edit_returns_the_warnings(team: dict[str, Any]) -> None:
    from fastapi.testclient import TestClient

    from accord.sdk import Client

    bob = team["bob"]
    assert submit(team["ann"], team["project"], answer(ORIGINAL)).status_code == 201
    mine = submit(bob, team["project"], answer(OTHER)).json()["annotation"]
    sdk = Client("http://testserver", "x")
    sdk._http = TestClient(bob.client.app, base_url="http://testserver/api/v1", headers=bob.headers)
    edited = sdk.edit(mine["id"], answer(REWORDED))
    assert edited.version == 2
    assert {w["check"] for w in edited.warnings} == {"originality", "words"}


# 2. Reviewers' fixes and adjudications


def review_of(me: Api, annotation_id: int) -> dict[str, Any]:
    [review] = me.get(f"/annotations/{annotation_id}/reviews").json()
    return dict(review)


def test_a_fix_is_checked_warned_never_blocked_and_indexed(
    db: Database, team: dict[str, Any]
) -> None:
    project, rev = team["project"], team["rev"]
    first = submit(team["ann"], project, answer(ORIGINAL)).json()["annotation"]
    second = submit(team["bob"], project, answer(OTHER)).json()["annotation"]

    # A block-level declared check refuses the fix with the submit's 422, naming the question.
    review = review_of(rev, first["id"])
    bad = answer(ORIGINAL + " lorem")
    refused = rev.post(
        f"/reviews/{review['id']}/decision", json={"decision": "fix", "version": 1, "result": bad}
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "invalid_result"
    assert refused.json()["error"]["details"][0]["path"].startswith("result.why")

    # A near-copy of another answer (above block_above): accepted, with the warning.
    copy = answer("So: " + ORIGINAL + ".")
    review = review_of(rev, second["id"])
    fixed = rev.post(
        f"/reviews/{review['id']}/decision", json={"decision": "fix", "version": 1, "result": copy}
    )
    assert fixed.status_code == 200, fixed.text
    body = fixed.json()
    assert body["decision"] == "fix" and body["fix_version"] == 2
    [finding] = body["originality"]
    assert finding["verdict"] == "warn" and finding["similarity"] > 0.8
    checks = {w["check"] for w in body["warnings"]}
    assert checks == {"originality", "words"}
    # The fix's text replaced the author's in the index, and the record says what it found.
    assert indexed(db, annotation_id=second["id"]) == ["So: " + ORIGINAL + "."]
    seen = rev.get(f"/annotations/{second['id']}/originality").json()
    assert seen["verdict"] == "warn" and seen["similarity"] > 0.8
    # The author's earlier text no longer counts against anyone: submitting it again passes.
    again = submit(team["bob"], project, answer(OTHER))
    assert again.status_code == 201, again.text


def test_an_accept_or_reject_checks_nothing(team: dict[str, Any]) -> None:
    project, rev = team["project"], team["rev"]
    submit(team["ann"], project, answer(ORIGINAL))
    done = submit(team["bob"], project, answer(REWORDED)).json()["annotation"]
    review = review_of(rev, done["id"])
    accepted = rev.post(
        f"/reviews/{review['id']}/decision", json={"decision": "accept", "version": 1}
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["warnings"] == [] and accepted.json()["originality"] == []


@pytest.fixture
def panel(db: Database, api: Api) -> dict[str, Any]:
    cast = {"ann": "annotator", "bob": "annotator", "rev": "reviewer"}
    return people(db, api, cast, overlap=2, agreement_threshold=0.9)


def open_adjudication(panel: dict[str, Any]) -> dict[str, Any]:
    project = panel["project"]
    assert submit(panel["ann"], project, answer(ORIGINAL, "pos")).status_code == 201
    assert submit(panel["bob"], project, answer(OTHER, "neg")).status_code == 201
    view = panel["rev"].post(f"/projects/{project}/adjudications/next").json()["adjudication"]
    assert view is not None, "the labels disagree: an adjudication opens"
    return dict(view["adjudication"])


def test_a_written_adjudication_is_checked_warned_and_indexed(
    db: Database, panel: dict[str, Any]
) -> None:
    rev, project = panel["rev"], panel["project"]
    item = open_adjudication(panel)
    path = f"/adjudications/{item['id']}/decision"
    refused = rev.post(path, json={"result": answer(THIRD + " lorem")})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "invalid_result"
    assert refused.json()["error"]["details"][0]["path"].startswith("result.why")

    decided = rev.post(path, json={"result": answer("Indeed " + ORIGINAL, "pos")})
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["state"] == "decided"
    [finding] = body["originality"]
    assert finding["verdict"] == "warn" and finding["similarity"] > 0.8  # never refused
    assert {w["check"] for w in body["warnings"]} == {"originality", "words"}
    assert indexed(db, source="adjudication") == ["Indeed " + ORIGINAL]
    # Later answers are compared with the adjudicated text.
    copied = submit(panel["ann"], project, answer("Indeed " + ORIGINAL))
    assert copied.status_code == 422 and copied.json()["error"]["code"] == "not_original"
    assert "an earlier answer" in copied.json()["error"]["message"]


def test_a_picked_adjudication_indexes_nothing_again(db: Database, panel: dict[str, Any]) -> None:
    rev = panel["rev"]
    item = open_adjudication(panel)
    view = rev.get(f"/adjudications/{item['id']}").json()
    picked = view["answers"][0]["annotation_id"]
    done = rev.post(f"/adjudications/{item['id']}/decision", json={"annotation_id": picked})
    assert done.status_code == 200, done.text
    assert done.json()["warnings"] == [] and done.json()["originality"] == []
    assert indexed(db, source="adjudication") == []


# 3. Exports


def test_the_jsonl_export_carries_each_annotations_originality(team: dict[str, Any]) -> None:
    project = team["project"]
    first = submit(team["ann"], project, answer(ORIGINAL)).json()["annotation"]
    typing = {"why": {"typed": 30, "pasted": 90}}
    second = submit(team["bob"], project, answer(REWORDED), typing=typing).json()["annotation"]
    exported = team["owner"].get(f"/projects/{project}/export")
    assert exported.status_code == 200
    annotations = {
        a["id"]: a
        for line in exported.content.splitlines()
        for a in orjson.loads(line)["annotations"]
    }
    assert annotations[first["id"]]["originality"] is None  # nothing close, no paste counts
    record = annotations[second["id"]]["originality"]
    assert set(record) == {"why"}
    why = record["why"]
    assert why["source"] == "submission" and 0.5 < why["similarity"] <= 0.8
    assert (why["typed"], why["pasted"], why["pasted_share"]) == (30, 90, 0.75)


# 4. Deleting reference corpora


def wait(me: Api, job_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        job = me.get(f"/jobs/{job_id}").json()
        if job["state"] in ("succeeded", "failed", "cancelled"):
            return dict(job)
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def corpus_of(me: Api, project_id: int, lines: list[str]) -> dict[str, Any]:
    started = me.post(
        f"/projects/{project_id}/originality/corpora",
        params={"question": "why", "name": "web"},
        content="\n".join(lines).encode(),
    )
    assert started.status_code == 202, started.text
    assert wait(me, started.json()["job"]["id"])["state"] == "succeeded"
    return dict(started.json()["corpus"])


def test_a_deleted_corpus_is_out_of_use_and_removed(db: Database, team: dict[str, Any]) -> None:
    owner, project = team["owner"], team["project"]
    corpus = corpus_of(owner, project, [ORIGINAL, OTHER, *(f"{THIRD} {i}" for i in range(5))])
    refused = submit(team["ann"], project, answer(ORIGINAL))
    assert refused.status_code == 422, "the corpus is in use"

    path = f"/projects/{project}/originality/corpora/{corpus['id']}"
    assert team["ann"].delete(path).status_code == 403
    assert team["rev"].delete(path).status_code == 403
    gone = owner.delete(path)
    assert gone.status_code == 202, gone.text
    assert gone.json()["corpus"]["state"] == "deleting"
    job = wait(owner, gone.json()["job"]["id"])
    assert job["state"] == "succeeded" and job["result"]["texts"] == 7
    assert owner.get(f"/projects/{project}/originality/corpora").json() == []
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(OriginalityText)) == 0
        assert session.scalar(select(func.count()).select_from(OriginalityBand)) == 0
    assert submit(team["ann"], project, answer(ORIGINAL)).status_code == 201
    missing = owner.delete(path)
    assert missing.status_code == 404 and "corpora" in missing.json()["error"]["message"]


def test_a_corpus_being_indexed_cannot_be_deleted(db: Database, team: dict[str, Any]) -> None:
    project = team["project"]
    with db.write() as session:
        owner = session.scalar(select(User).where(User.email == "owner@example.com"))
        assert owner is not None
        interface = interface_of(session.get(Project, project))  # type: ignore[arg-type]
        corpus = do_start_corpus(session, owner, project, interface, "why", "big")
        job = do_start_job(session, owner, project, "originality_corpus", {}, unit="lines")
        corpus.job_id = job.id  # queued, never sent: still indexing
        corpus_id, job_id = corpus.id, job.id
    refused = team["owner"].delete(f"/projects/{project}/originality/corpora/{corpus_id}")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "corpus_indexing" and f"job {job_id}" in error["message"]
    with db.read() as session:
        kept = session.get(OriginalityCorpus, corpus_id)
        assert kept is not None and kept.state == "indexing"
