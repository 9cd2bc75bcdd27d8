"""Originality at submit: warn accepted with a warning, block refused with the passages, no
identity revealed, reference corpora (bad encodings refused whole), paste counts stored."""

from __future__ import annotations

import time
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from accord.db import Database
from accord.models import OriginalityBand, OriginalityText
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user, texts

WRITING: dict[str, Any] = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {
            "name": "why",
            "kind": "text",
            "originality": {"warn_above": 0.5, "block_above": 0.8},
        }
    ],
}
ORIGINAL = (
    "The committee reviewed the harbour expansion plan in detail and found that the dredging "
    "schedule conflicts with the spawning season of local fish populations every spring"
)
# Seven of the 28 words changed: about 0.55 similar to ORIGINAL.
REWORDED = (
    "The committee reviewed the harbour expansion plan in detail and decided that the dredging "
    "timetable clashes with the spawning season of local fish populations every spring"
)
OTHER = (
    "Volunteers repainted the library mural over three weekends using donated paint and the "
    "children of the neighbourhood chose its colours and its birds and its trees"
)


@pytest.fixture
def team(db: Database, api: Api) -> dict[str, Any]:
    owner, owner_token = make_user(db, "owner@example.com")
    (a, a_token), (b, b_token) = make_user(db, "ann@example.com"), make_user(db, "bob@example.com")
    reviewer, reviewer_token = make_user(db, "rev@example.com")
    project = make_project(
        db, owner, WRITING, members={a: "annotator", b: "annotator", reviewer: "reviewer"}
    )
    add_tasks(db, owner, project, texts(6))
    return {
        "project": project.id,
        "owner": api.as_(owner_token),
        "a": api.as_(a_token),
        "b": api.as_(b_token),
        "reviewer": api.as_(reviewer_token),
    }


def submit(me: Api, project_id: int, text: str, **extra: Any) -> Any:
    task = me.post(f"/projects/{project_id}/next").json()["task"]
    body = {"result": {"why": {"text": text}}, **extra}
    return me.post(f"/tasks/{task['id']}/annotations", json=body)


def test_an_original_answer_passes_quietly(team: dict[str, Any]) -> None:
    first = submit(team["a"], team["project"], ORIGINAL)
    assert first.status_code == 201, first.text
    second = submit(team["b"], team["project"], OTHER)
    assert second.status_code == 201
    assert second.json()["originality"] == [] and second.json()["warnings"] == []


def test_a_near_copy_is_refused_with_the_passages(db: Database, team: dict[str, Any]) -> None:
    assert submit(team["a"], team["project"], ORIGINAL).status_code == 201
    copy = "Honestly, " + ORIGINAL.replace("spring", "spring.")
    refused = submit(team["b"], team["project"], copy)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "not_original"
    assert "result.why.text" in error["message"]
    details = error["details"]
    assert details["question"] == "why" and details["similarity"] > 0.8
    assert details["source"] == "submission"
    [passage] = details["passages"]
    start, end = passage["yours"]
    assert copy[start:end] == ORIGINAL
    assert passage["text"] == ORIGINAL and passage["source"] == "submission"
    # Nothing of whose it was, or which task.
    flat = str(error)
    assert "ann@example.com" not in flat and "task_id" not in flat and "annotation_id" not in flat
    with db.read() as session:  # nothing indexed for the refused answer
        assert session.scalar(select(func.count()).select_from(OriginalityText)) == 1


def test_a_warned_answer_is_accepted_and_sent_to_review(team: dict[str, Any]) -> None:
    assert submit(team["a"], team["project"], ORIGINAL).status_code == 201
    warned = submit(
        team["b"], team["project"], REWORDED, typing={"why": {"typed": 20, "pasted": 150}}
    )
    assert warned.status_code == 201, warned.text
    body = warned.json()
    [finding] = body["originality"]
    assert finding["verdict"] == "warn" and 0.5 < finding["similarity"] <= 0.8
    assert finding["passages"] and "annotation_id" not in str(finding)
    assert body["warnings"][0]["check"] == "originality"
    assert body["warnings"][0]["path"] == "result.why.text"
    annotation = body["annotation"]
    assert annotation["review_state"] == "pending"
    review = team["reviewer"].get(f"/annotations/{annotation['id']}/reviews").json()
    assert "not_original" in str(review)
    # Reviewers see the score, the other text and the paste counts.
    seen = team["reviewer"].get(f"/annotations/{annotation['id']}/originality").json()
    assert seen["verdict"] == "warn" and seen["similarity"] == finding["similarity"]
    assert seen["typing"] == {"why": {"typed": 20, "pasted": 150}}
    assert seen["details"]["why"]["theirs"] == ORIGINAL
    assert seen["details"]["why"]["annotation_id"] is not None
    # The author sees their own check, without the other annotation's id.
    mine = team["b"].get(f"/annotations/{annotation['id']}/originality").json()
    assert "annotation_id" not in mine["details"]["why"]
    # Another annotator does not see it at all.
    assert team["a"].get(f"/annotations/{annotation['id']}/originality").status_code == 404


def test_paste_counts_are_stored_for_an_original_answer(team: dict[str, Any]) -> None:
    done = submit(team["a"], team["project"], ORIGINAL, typing={"why": {"typed": 5, "pasted": 0}})
    assert done.status_code == 201
    seen = team["owner"].get(f"/annotations/{done.json()['annotation']['id']}/originality")
    assert seen.json()["typing"] == {"why": {"typed": 5, "pasted": 0}}
    bad = submit(team["b"], team["project"], OTHER, typing={"why": {"typed": -1, "pasted": 0}})
    assert bad.status_code == 422


def test_thresholds_are_validated(db: Database) -> None:
    owner, _ = make_user(db, "o@example.com")
    bad = {**WRITING, "questions": [{**WRITING["questions"][0]}]}
    bad["questions"][0]["originality"] = {"warn_above": 0.9, "block_above": 0.5}
    with pytest.raises(Exception, match="warn_above"):
        make_project(db, owner, bad)


def wait(me: Api, job_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        job = me.get(f"/jobs/{job_id}").json()
        if job["state"] in ("succeeded", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline
        time.sleep(0.05)


def upload(me: Api, project_id: int, body: bytes, fmt: str = "lines") -> Any:
    return me.post(
        f"/projects/{project_id}/originality/corpora",
        params={"question": "why", "format": fmt, "name": "web"},
        content=body,
        headers={"Content-Type": "application/octet-stream"},
    )


def test_a_reference_corpus_is_indexed_and_used(team: dict[str, Any]) -> None:
    lines = "\n".join([OTHER, "", "short line", ORIGINAL]).encode()
    started = upload(team["owner"], team["project"], lines)
    assert started.status_code == 202, started.text
    job = wait(team["owner"], started.json()["job"]["id"])
    assert job["state"] == "succeeded", job
    assert job["result"]["texts"] == 3 and job["result"]["lines"] == 4
    [corpus] = team["owner"].get(f"/projects/{team['project']}/originality/corpora").json()
    assert corpus["state"] == "ready" and corpus["texts"] == 3
    refused = submit(team["a"], team["project"], ORIGINAL)
    assert refused.status_code == 422
    assert refused.json()["error"]["details"]["source"] == "reference"


def test_a_corpus_with_a_bad_line_is_refused_whole(db: Database, team: dict[str, Any]) -> None:
    body = (ORIGINAL + "\n" + OTHER + "\n").encode() * 3000 + b"caf\xe9 au lait\n"
    started = upload(team["owner"], team["project"], body)
    assert started.status_code == 202
    job = wait(team["owner"], started.json()["job"]["id"])
    assert job["state"] == "failed"
    assert "line 6001" in job["error"] and "UTF-8" in job["error"]
    [corpus] = team["owner"].get(f"/projects/{team['project']}/originality/corpora").json()
    assert corpus["state"] == "failed" and corpus["texts"] == 0
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(OriginalityText)) == 0
        assert session.scalar(select(func.count()).select_from(OriginalityBand)) == 0
    assert submit(team["a"], team["project"], ORIGINAL).status_code == 201


def test_a_jsonl_corpus_names_a_bad_row(team: dict[str, Any]) -> None:
    body = b'{"text": "fine words here"}\n{"txt": "wrong key"}\n'
    job = wait(
        team["owner"], upload(team["owner"], team["project"], body, "jsonl").json()["job"]["id"]
    )
    assert job["state"] == "failed" and "line 2" in job["error"]


def test_only_managers_upload_corpora(team: dict[str, Any]) -> None:
    assert upload(team["a"], team["project"], b"x\n").status_code == 403
    assert upload(team["reviewer"], team["project"], b"x\n").status_code == 403
    wrong = team["owner"].post(
        f"/projects/{team['project']}/originality/corpora",
        params={"question": "nope"},
        content=b"x\n",
    )
    assert wrong.status_code == 422


def test_the_preview_writes_nothing(db: Database, team: dict[str, Any]) -> None:
    assert submit(team["a"], team["project"], ORIGINAL).status_code == 201
    task = team["b"].post(f"/projects/{team['project']}/next").json()["task"]
    seen = team["b"].post(
        f"/tasks/{task['id']}/originality", json={"result": {"why": {"text": REWORDED}}}
    )
    assert seen.status_code == 200
    [finding] = seen.json()["findings"]
    assert finding["verdict"] == "warn" and finding["passages"]
    blocked = (
        team["b"]
        .post(f"/tasks/{task['id']}/originality", json={"result": {"why": {"text": ORIGINAL}}})
        .json()["findings"]
    )
    assert blocked[0]["verdict"] == "block" and blocked[0]["similarity"] == 1.0
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(OriginalityText)) == 1
    # A reviewer does not annotate: refused.
    assert (
        team["reviewer"].post(f"/tasks/{task['id']}/originality", json={"result": {}}).status_code
        == 403
    )


def test_a_short_answer_is_neither_checked_nor_indexed(db: Database, team: dict[str, Any]) -> None:
    assert submit(team["a"], team["project"], "Too short to judge").status_code == 201
    assert submit(team["b"], team["project"], "Too short to judge").status_code == 201
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(OriginalityText)) == 0


def test_the_sdk_uploads_a_corpus(team: dict[str, Any], tmp_path: Any) -> None:
    from fastapi.testclient import TestClient

    from accord.sdk import Client

    owner = team["owner"]
    sdk = Client("http://testserver", "x")
    sdk._http = TestClient(
        owner.client.app, base_url="http://testserver/api/v1", headers=owner.headers
    )
    path = tmp_path / "corpus.jsonl"
    path.write_bytes(orjson.dumps({"text": ORIGINAL}) + b"\n")
    started = sdk.upload_corpus(team["project"], "why", path, format="jsonl")
    assert started["corpus"]["name"] == "corpus.jsonl"
    assert sdk.wait_job(started["job"]["id"])["state"] == "succeeded"
    done = submit(team["a"], team["project"], REWORDED)
    assert sdk.originality(done.json()["annotation"]["id"])["verdict"] == "warn"


def test_a_deleted_project_takes_its_index_along(
    db: Database, team: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import accord.jobs.purge as purge_job
    from accord.actions.purge import do_purge_step

    lines = "\n".join(f"{OTHER} {i}" for i in range(7)).encode()
    job = wait(team["owner"], upload(team["owner"], team["project"], lines).json()["job"]["id"])
    assert job["state"] == "succeeded"
    assert submit(team["a"], team["project"], ORIGINAL).status_code == 201
    monkeypatch.setattr(purge_job.Purger, "wake", lambda self: None)
    assert team["owner"].delete(f"/projects/{team['project']}").status_code == 200
    more = True
    while more:
        with db.write() as session:
            more = do_purge_step(session, team["project"], batch=3)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(OriginalityText)) == 0
        assert session.scalar(select(func.count()).select_from(OriginalityBand)) == 0


def test_an_edit_is_checked_and_indexed_again(db: Database, team: dict[str, Any]) -> None:
    """Editing one's answer into a near-copy is refused as submitting it is; one's own earlier
    text never counts against the edit; the edit replaces what was indexed."""
    assert submit(team["a"], team["project"], ORIGINAL).status_code == 201
    mine = submit(team["b"], team["project"], OTHER, typing={"why": {"typed": 150, "pasted": 0}})
    assert mine.status_code == 201, mine.text
    annotation_id = mine.json()["annotation"]["id"]
    path = f"/annotations/{annotation_id}"

    copy = {"result": {"why": {"text": "So: " + ORIGINAL}}}
    refused = team["b"].put(path, json=copy)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "not_original"
    assert team["b"].get(path).json()["result"]["why"]["text"] == OTHER  # nothing written

    revised = {"result": {"why": {"text": OTHER + " again"}}}
    kept = team["b"].put(path, json=revised)
    assert kept.status_code == 200, kept.text  # its own earlier text is not a source
    with db.read() as session:
        texts_of = session.scalars(
            select(OriginalityText.text).where(OriginalityText.annotation_id == annotation_id)
        ).all()
    assert texts_of == [OTHER + " again"]
    found = team["owner"].get(f"{path}/originality").json()
    assert found["typing"] == {"why": {"typed": 150, "pasted": 0}}  # kept: the edit sent none
