"""Gold, qualification and training: import, secrecy, scoring, feedback, pausing."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from accord.actions.projects import do_update_project
from accord.db import Database
from accord.models import GoldAnswer, GoldScore, Prediction, Project, Task
from accord.sdk import AccordError
from tests.api.conftest import Api
from tests.api.test_reviews import sdk_for
from tests.factories import SIMPLE, add_tasks, assert_counts_match, make_project, make_user

POS = {"label": {"choice": "pos"}}
NEG = {"label": {"choice": "neg"}}


def world(db: Database, api: Api, **settings: Any) -> tuple[Project, Api, Api]:
    manager, manager_token = make_user(db, "lead@example.com")
    annotator, token = make_user(db, "ann@example.com")
    project = make_project(db, manager, SIMPLE, members={annotator: "annotator"}, **settings)
    return project, api.as_(manager_token), api.as_(token)


def jsonl(*rows: object) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in rows)


def upload(manager: Api, project: Project, body: bytes, fmt: str = "jsonl") -> Any:
    return manager.post(f"/projects/{project.id}/imports", params={"format": fmt}, content=body)


def regular(n: int, prefix: str = "r") -> list[dict[str, Any]]:
    return [{"id": f"{prefix}{i}", "text": f"regular task {i}"} for i in range(n)]


def gold_rows(n: int, purpose: str = "gold", answer: dict[str, Any] = POS) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{purpose}{i}",
            "text": f"a {purpose} task {i}",
            "gold": answer,
            "gold_purpose": purpose,
            "gold_explanation": "Section 2: praise is positive.",
        }
        for i in range(n)
    ]


def settings(db: Database, project: Project, **changes: Any) -> None:
    with db.write() as session:
        fresh = session.get(Project, project.id)
        assert fresh is not None
        do_update_project(session, None, fresh, changes)  # type: ignore[arg-type]


def test_import_keeps_gold_apart_and_out_of_progress(db: Database, api: Api) -> None:
    project, manager, _ = world(db, api)
    body = jsonl(*regular(3), *gold_rows(2), *gold_rows(1, "qualification"))
    report = upload(manager, project, body).json()
    assert (report["created"], report["gold"], report["predictions"]) == (6, 3, 0), report
    with db.read() as session:
        purposes = dict(
            session.execute(select(Task.external_id, Task.purpose).order_by(Task.id)).all()
        )
        assert purposes == {
            "r0": None,
            "r1": None,
            "r2": None,
            "gold0": "gold",
            "gold1": "gold",
            "qualification0": "qualification",
        }
        assert session.scalar(select(func.count()).select_from(Prediction)) == 0
        assert session.scalar(select(func.count()).select_from(GoldAnswer)) == 3
        assert not session.scalar(
            select(func.count()).where(Task.purpose.is_not(None), Task.is_open)
        )
    shown = manager.get(f"/projects/{project.id}").json()["progress"]
    assert shown["tasks"] == 3, "tasks with a known answer are not part of the dataset"
    assert_counts_match(db, project.id)
    listed = manager.get(f"/projects/{project.id}/gold").json()["items"]
    assert [k["purpose"] for k in listed] == ["gold", "gold", "qualification"]
    assert listed[0]["answer"] == POS and listed[0]["explanation"].startswith("Section 2")


def test_in_transaction_import_settles_gold_too(db: Database, api: Api) -> None:
    project, _, _ = world(db, api)
    owner = make_user(db, "other@example.com")[0]
    add_tasks(db, owner, project, [*regular(2), *gold_rows(2)])
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(GoldAnswer)) == 2
        assert session.scalar(select(func.count()).select_from(Prediction)) == 0
    assert_counts_match(db, project.id)


def test_a_gold_row_that_does_not_fit_is_refused_like_a_bad_row(db: Database, api: Api) -> None:
    project, manager, _ = world(db, api)
    bad = [
        {"text": "x", "gold": {"label": {"choice": "maybe"}}},
        {"text": "y", "gold": {"nope": 1}},
        {"text": "z", "gold": POS, "gold_purpose": "exam"},
        {"text": "w", "gold_explanation": "no answer"},
    ]
    answer = upload(manager, project, jsonl(*bad))
    assert answer.status_code == 422, answer.text
    details = answer.json()["error"]["details"]["errors"]
    assert [(e["line"], e["field"]) for e in details] == [
        (1, "gold.label.choice"),
        (2, "gold.nope"),
        (3, "gold_purpose"),
        (4, "gold"),
    ]
    assert "maybe" in details[0]["message"] or "one of" in details[0]["message"]
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Task)) == 0


def test_csv_rows_without_gold_leave_empty_cells(db: Database, api: Api) -> None:
    project, manager, _ = world(db, api)
    body = (
        b"id,text,gold,gold_explanation\r\n"
        b"a,plain,,\r\n"
        b'b,known,"{""label"": {""choice"": ""neg""}}",because\r\n'
    )
    answer = upload(manager, project, body, "csv")
    assert answer.status_code == 201, answer.text
    assert answer.json()["gold"] == 1


def _leases(annotator: Api, project: Project, count: int) -> list[dict[str, Any]]:
    out = []
    for _ in range(count):
        got = annotator.post(f"/projects/{project.id}/next")
        assert got.status_code == 200, got.text
        if got.json()["task"] is None:
            break
        out.append(got.json())
        task_id = got.json()["task"]["id"]
        done = annotator.post(f"/tasks/{task_id}/annotations", json={"result": NEG})
        assert done.status_code == 201, done.text
        out[-1]["submitted"] = done.json()
        out[-1]["headers"] = dict(got.headers)
    return out


def _shape(value: Any) -> Any:
    """The structure of a JSON value: keys and types, not contents."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in sorted(value.items()) if k not in ("data",)}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return type(value).__name__


def test_nothing_an_annotator_sees_tells_gold_apart(db: Database, api: Api) -> None:
    """Mixes gold in at a high rate, then compares everything the annotator gets for gold and
    for regular tasks: responses' shape, headers, counts, task details, their own lists."""
    project, manager, annotator = world(db, api, overlap=2, gold_rate=0.5)
    upload(manager, project, jsonl(*regular(30), *gold_rows(10)))
    seen = _leases(annotator, project, 60)
    with db.read() as session:
        gold_ids = set(session.scalars(select(GoldAnswer.task_id)))
    gold = [s for s in seen if s["task"]["id"] in gold_ids]
    plain = [s for s in seen if s["task"]["id"] not in gold_ids]
    assert gold and plain, "the rate should have mixed some gold in"
    assert len(plain) == 30, "every regular task is served"
    # Served only while regular work remains: the last task served is never gold.
    assert seen[-1]["task"]["id"] not in gold_ids
    shapes = {orjson.dumps(_shape({**s, "headers": sorted(s["headers"])})) for s in seen}
    assert len(shapes) == 1, "gold and regular responses differ in shape"
    for s in seen:
        # (The task's own id and text are the manager's: this checks what Accord adds.)
        task = {k: v for k, v in s["task"].items() if k not in ("external_id", "data")}
        rest = {k: v for k, v in s.items() if k not in ("headers", "task")}
        text = orjson.dumps([task, rest]).decode().lower()
        assert "gold" not in text and "explanation" not in text
        assert s["task"]["annotations"] == 0 and s["task"]["status"] == "new"
        assert s["submitted"]["feedback"] is None and s["submitted"]["practice"] is None
        assert s["submitted"]["annotation"]["review_state"] is None
        assert s["predictions"] == [] and s["practice"] is None
        detail = annotator.get(f"/tasks/{s['task']['id']}").json()
        assert detail["task"]["annotations"] == 1 and detail["task"]["status"] == "complete"
        assert detail["predictions"] == []
    mine = annotator.get(f"/projects/{project.id}/annotations/mine").json()
    assert len(mine["items"]) == len(seen)
    assert {tuple(sorted(item)) for item in mine["items"]} == {tuple(sorted(mine["items"][0]))}
    # The annotator cannot reach gold endpoints, nor a gold task they were never served.
    assert annotator.get(f"/projects/{project.id}/gold").status_code == 403
    assert annotator.get(f"/projects/{project.id}/gold/annotators").status_code == 403
    unseen = gold_ids - {s["task"]["id"] for s in gold}
    for task_id in unseen:
        assert annotator.get(f"/tasks/{task_id}").status_code == 404
    assert manager.get(f"/projects/{project.id}").json()["progress"]["annotations"] == 30


def test_gold_is_scored_with_an_interval_and_feedback_when_asked(db: Database, api: Api) -> None:
    project, manager, annotator = world(db, api, gold_rate=1.0, gold_feedback=True)
    upload(manager, project, jsonl(*regular(5), *gold_rows(2)))
    first = annotator.post(f"/projects/{project.id}/next").json()
    right = annotator.post(f"/tasks/{first['task']['id']}/annotations", json={"result": POS})
    feedback = right.json()["feedback"]
    assert feedback == {
        "purpose": "gold",
        "score": 1.0,
        "questions": {"label": 1.0},
        "expected": POS,
        "explanation": "Section 2: praise is positive.",
    }
    second = annotator.post(f"/projects/{project.id}/next").json()
    wrong = annotator.post(f"/tasks/{second['task']['id']}/annotations", json={"result": NEG})
    assert wrong.json()["feedback"]["score"] == 0.0
    third = annotator.post(f"/projects/{project.id}/next").json()
    assert third["task"]["external_id"].startswith("r"), "no gold left for this annotator"
    summary = manager.get(f"/projects/{project.id}/gold/annotators").json()
    ann = next(a for a in summary["annotators"] if a["email"] == "ann@example.com")
    assert ann["gold_tasks"] == 2 and ann["score"] == 0.5
    assert 0.05 < ann["low"] < 0.5 < ann["high"] < 0.95  # Wilson, 1 of 2
    assert summary["computed_at"]


def test_without_feedback_a_gold_submission_looks_like_any_other(db: Database, api: Api) -> None:
    project, manager, annotator = world(db, api, gold_rate=1.0)
    upload(manager, project, jsonl(*regular(2), *gold_rows(1)))
    got = annotator.post(f"/projects/{project.id}/next").json()
    done = annotator.post(f"/tasks/{got['task']['id']}/annotations", json={"result": POS})
    assert done.json()["feedback"] is None
    with db.read() as session:
        assert session.scalar(select(GoldScore.score)) == 1.0


def test_a_low_gold_score_pauses_until_a_manager_resumes(db: Database, api: Api) -> None:
    project, manager, annotator = world(
        db, api, gold_rate=1.0, gold_pause_below=0.8, gold_pause_min=2
    )
    upload(manager, project, jsonl(*regular(5), *gold_rows(4)))
    for _ in range(2):
        got = annotator.post(f"/projects/{project.id}/next").json()
        assert got["task"]["external_id"].startswith("gold")
        annotator.post(f"/tasks/{got['task']['id']}/annotations", json={"result": NEG})
    refused = annotator.post(f"/projects/{project.id}/next")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "paused"
    assert "below" in refused.json()["error"]["message"]
    members = manager.get(f"/projects/{project.id}/members").json()
    paused = next(m for m in members if m["email"] == "ann@example.com")
    assert paused["paused_at"] and "gold score 0%" in paused["pause_reason"]
    user_id = paused["user_id"]
    resumed = manager.post(f"/projects/{project.id}/members/{user_id}/resume")
    assert resumed.status_code == 200 and resumed.json()["paused_at"] is None
    again = annotator.post(f"/projects/{project.id}/next")
    assert again.status_code == 200, "the score that pauses counts from the resume"
    assert manager.post(f"/projects/{project.id}/members/{user_id}/resume").status_code == 409
    held = manager.post(f"/projects/{project.id}/members/{user_id}/pause", json={"reason": "x"})
    assert held.status_code == 200 and held.json()["pause_reason"] == "x"
    assert annotator.post(f"/projects/{project.id}/next").json()["error"]["code"] == "paused"


def test_qualification_comes_first_with_attempts(db: Database, api: Api) -> None:
    project, manager, annotator = world(db, api, qualification_pass=0.75, qualification_attempts=2)
    upload(manager, project, jsonl(*regular(3), *gold_rows(2, "qualification")))
    standing = annotator.get(f"/projects/{project.id}/qualification").json()
    assert standing["qualification"]["state"] == "in_progress"
    assert standing["qualification"]["total"] == 2
    for attempt in (1, 2):
        for position in (1, 2):
            got = annotator.post(f"/projects/{project.id}/next").json()
            assert got["practice"]["purpose"] == "qualification"
            assert (got["practice"]["position"], got["practice"]["attempt"]) == (position, attempt)
            assert annotator.post(f"/tasks/{got['task']['id']}/skip", json={}).status_code == 409
            answer = POS if position == 1 else NEG
            done = annotator.post(
                f"/tasks/{got['task']['id']}/annotations", json={"result": answer}
            )
            assert done.status_code == 201, done.text
            assert done.json()["annotation"] is None and done.json()["feedback"] is None
        assert done.json()["practice"]["state"] == "failed"
        assert done.json()["practice"]["score"] == 0.5
    refused = annotator.post(f"/projects/{project.id}/next")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "qualification_failed"
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(GoldScore)) == 4
    # Practice answers never become annotations.
    assert manager.get(f"/projects/{project.id}").json()["progress"]["annotations"] == 0


def test_passing_the_qualification_opens_the_real_work(db: Database, api: Api) -> None:
    project, manager, annotator = world(db, api, qualification_pass=0.5)
    upload(manager, project, jsonl(*regular(2), *gold_rows(2, "qualification")))
    for _ in range(2):
        got = annotator.post(f"/projects/{project.id}/next").json()
        last = annotator.post(f"/tasks/{got['task']['id']}/annotations", json={"result": POS})
    assert last.json()["practice"]["state"] == "passed"
    real = annotator.post(f"/projects/{project.id}/next").json()
    assert real["practice"] is None and real["task"]["external_id"] == "r0"
    # Managers are not made to qualify.
    got = manager.post(f"/projects/{project.id}/next").json()
    assert got["practice"] is None


def test_training_shows_the_answer_after_each_task(db: Database, api: Api) -> None:
    project, manager, annotator = world(db, api)
    upload(manager, project, jsonl(*regular(1), *gold_rows(2, "training")))
    assert annotator.get(f"/projects/{project.id}/qualification").json() == {
        "qualification": None,
        "training_left": 2,
    }
    got = annotator.post(f"/projects/{project.id}/next", params={"mode": "training"}).json()
    assert got["practice"]["purpose"] == "training" and got["practice"]["position"] == 1
    done = annotator.post(
        f"/tasks/{got['task']['id']}/annotations", params={"next": "true"}, json={"result": NEG}
    ).json()
    assert done["feedback"]["expected"] == POS and done["feedback"]["score"] == 0.0
    assert done["next"]["practice"]["position"] == 2
    last = annotator.post(
        f"/tasks/{done['next']['task']['id']}/annotations", json={"result": POS}
    ).json()
    assert last["practice"]["state"] == "done" and last["practice"]["score"] == 0.5
    assert (
        annotator.post(f"/projects/{project.id}/next", params={"mode": "training"}).json()["task"]
        is None
    )
    # Training never enters the regular queue.
    assert annotator.post(f"/projects/{project.id}/next").json()["task"]["external_id"] == "r0"


def test_changing_a_known_answer_never_rescores(db: Database, api: Api) -> None:
    project, manager, annotator = world(db, api, gold_rate=1.0)
    upload(manager, project, jsonl(*regular(2), *gold_rows(1)))
    got = annotator.post(f"/projects/{project.id}/next").json()
    annotator.post(f"/tasks/{got['task']['id']}/annotations", json={"result": POS})
    changed = manager.put(
        f"/tasks/{got['task']['id']}/gold", json={"answer": NEG, "explanation": "revised"}
    )
    assert changed.status_code == 200, changed.text
    with db.read() as session:
        assert session.scalar(select(GoldScore.score)) == 1.0
    bad = manager.put(f"/tasks/{got['task']['id']}/gold", json={"answer": {"label": {"choice": 1}}})
    assert (
        bad.status_code == 422
        and bad.json()["error"]["details"][0]["path"] == "answer.label.choice"
    )
    # A task of the dataset with work on it cannot become gold.
    plain = annotator.post(f"/projects/{project.id}/next").json()["task"]["id"]
    annotator.post(f"/tasks/{plain}/annotations", json={"result": POS})
    refused = manager.put(f"/tasks/{plain}/gold", json={"answer": POS})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "task_has_work"
    assert_counts_match(db, project.id)


def test_the_sdk_qualifies_trains_and_manages_gold(
    db: Database, api: Api, client: TestClient
) -> None:
    project, manager, annotator = world(db, api, qualification_pass=0.5)
    upload(
        manager,
        project,
        jsonl(*regular(1), *gold_rows(1, "qualification"), *gold_rows(1, "training")),
    )
    lead, me = sdk_for(manager, client), sdk_for(annotator, client)
    assert me.qualification(project.id)["qualification"]["state"] == "in_progress"
    task = me.next_task(project.id)
    assert task is not None and task.raw["practice"]["purpose"] == "qualification"
    with pytest.raises(AccordError, match="answer\\(\\)"):
        me.submit(task.id, POS)  # scored all the same: the qualification is passed
    assert me.qualification(project.id)["qualification"]["state"] == "passed"
    practice = me.next_task(project.id, mode="training")
    assert practice is not None
    done = me.answer(practice.id, NEG)
    assert done["feedback"]["expected"] == POS and done["practice"]["state"] == "done"
    real = me.next_task(project.id)
    assert real is not None and real.external_id == "r0"
    assert [k["purpose"] for k in lead.gold(project.id)] == ["qualification", "training"]
    assert [k["purpose"] for k in lead.gold(project.id, purpose="training")] == ["training"]
    changed = lead.set_gold(real.id, NEG, purpose="gold", explanation="now gold")
    assert changed["purpose"] == "gold"
    scores = lead.gold_scores(project.id)["annotators"]
    mine = next(a for a in scores if a["email"] == "ann@example.com")
    assert mine["qualification"] == "passed"
    paused = lead.pause_member(project.id, mine["user_id"], "checking")
    assert paused["pause_reason"] == "checking"
    with pytest.raises(AccordError) as refused:
        me.next_task(project.id)
    assert refused.value.code == "paused"
    assert lead.resume_member(project.id, mine["user_id"])["paused_at"] is None


def test_review_samples_low_gold_scores_and_hasty_work(db: Database, api: Api) -> None:
    project, manager, annotator = world(db, api, gold_rate=1.0, review_below_gold=0.5)
    upload(manager, project, jsonl(*regular(25), *gold_rows(1)))
    gold_task = annotator.post(f"/projects/{project.id}/next").json()["task"]
    first = annotator.post(f"/tasks/{gold_task['id']}/annotations", json={"result": NEG}).json()
    assert first["annotation"]["review_state"] is None, "gold is never reviewed"
    task = annotator.post(f"/projects/{project.id}/next").json()["task"]
    done = annotator.post(f"/tasks/{task['id']}/annotations", json={"result": POS}).json()
    assert done["annotation"]["review_state"] == "pending"
    settings(db, project, review_below_gold=0.0, review_faster_than=0.25)
    states = []
    for seconds in [10.0] * 20 + [2.0]:
        task = annotator.post(f"/projects/{project.id}/next").json()["task"]
        sent = annotator.post(
            f"/tasks/{task['id']}/annotations", json={"result": POS, "seconds": seconds}
        )
        states.append(sent.json()["annotation"]["review_state"])
    assert states == [None] * 20 + ["pending"]
    reasons = {r["reason"] for r in manager.get(f"/projects/{project.id}/reviews").json()["items"]}
    assert reasons == {"low_gold", "fast"}
