"""Consensus of complete tasks, dynamic overlap and the adjudication queue: who may use it,
what a reviewer sees, picking or writing the final answer, and races between reviewers."""

from __future__ import annotations

import threading
from typing import Any

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import select

from accord.db import Database
from accord.models import Adjudication, AuditEvent, Task, TaskConsensus, User
from accord.sdk import Client
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user, texts

INTERFACE = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {"name": "label", "kind": "choice", "options": ["pos", "neg"], "required": True},
        {"name": "stars", "kind": "rating", "min": 1, "max": 5},
    ],
}
POS = {"label": {"choice": "pos"}, "stars": {"rating": 4}}
NEG = {"label": {"choice": "neg"}, "stars": {"rating": 5}}


def setup(db: Database, api: Api, *, tasks: int = 1, **settings: Any) -> tuple[int, dict[str, Api]]:
    owner, owner_token = make_user(db, "owner@example.com")
    people, members = {}, {}
    cast = {"ann": "annotator", "bo": "annotator", "cy": "annotator", "rev": "reviewer"}
    cast |= {"rita": "reviewer"}
    for name, role in cast.items():
        user, token = make_user(db, f"{name}@example.com")
        with db.write() as session:
            named = session.get(User, user.id)
            assert named is not None
            named.name = name.title()
        people[name], members[user] = api.as_(token), role
    settings.setdefault("overlap", 2)
    project = make_project(db, owner, INTERFACE, members=members, **settings)
    add_tasks(db, owner, project, texts(tasks))
    return project.id, {"owner": api.as_(owner_token), **people}


def submit(me: Api, project_id: int, answer: dict[str, Any]) -> int:
    task = me.post(f"/projects/{project_id}/next").json()["task"]
    assert task is not None, "no task served"
    done = me.post(f"/tasks/{task['id']}/annotations", json={"result": answer})
    assert done.status_code == 201, done.text
    return int(task["id"])


def rows(db: Database, task_id: int) -> dict[str, TaskConsensus]:
    with db.read() as session:
        found = session.scalars(select(TaskConsensus).where(TaskConsensus.task_id == task_id))
        return {row.question: row for row in found}


def test_a_complete_task_gets_consensus_and_agreement(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api, overlap=3, agreement_threshold=0.2)
    task_id = submit(as_["ann"], project_id, POS)
    submit(as_["bo"], project_id, {**POS, "stars": {"rating": 2}})
    assert rows(db, task_id) == {}, "not complete yet"
    submit(as_["cy"], project_id, NEG)
    found = rows(db, task_id)
    assert orjson.loads(found["label"].answer or "") == {"choice": "pos"}
    assert found["label"].confidence is not None and round(found["label"].confidence, 3) == 0.667
    assert round(found["label"].agreement or 0, 3) == 0.333  # 1 pair of 3 agrees
    assert orjson.loads(found["stars"].answer or "") == {"rating": 4}
    assert found["stars"].n == 3 and found["label"].method == "majority"
    with db.read() as session:
        assert session.scalar(select(Adjudication)) is None, "0.333 is above the threshold"


def test_overlap_one_stores_nothing(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api, overlap=1, agreement_threshold=0.9)
    task_id = submit(as_["ann"], project_id, POS)
    assert rows(db, task_id) == {}


def test_disagreement_opens_an_adjudication_a_reviewer_decides(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api, agreement_threshold=0.9)
    task_id = submit(as_["ann"], project_id, POS)
    submit(as_["bo"], project_id, NEG)
    assert as_["ann"].post(f"/projects/{project_id}/adjudications/next").status_code == 403
    listed = as_["rev"].get(f"/projects/{project_id}/adjudications", params={"state": "open"})
    assert listed.status_code == 200 and len(listed.json()["items"]) == 1
    item = listed.json()["items"][0]
    assert item["task_id"] == task_id and "label 0.00" in item["reason"]
    assert as_["ann"].get(f"/adjudications/{item['id']}").status_code == 403
    view = as_["rev"].post(f"/projects/{project_id}/adjudications/next").json()["adjudication"]
    assert view["adjudication"]["reviewer_name"] == "Rev"
    assert [a["author_name"] for a in view["answers"]] == ["Ann", "Bo"]
    assert [a["result"] for a in view["answers"]] == [POS, NEG]
    assert {c["question"]: c["agreement"] for c in view["consensus"]} == {
        "label": 0.0,
        "stars": 0.75,
    }
    bad = as_["rev"].post(
        f"/adjudications/{item['id']}/decision", json={"result": {"label": {"choice": "meh"}}}
    )
    assert bad.status_code == 422 and "result.label.choice" in bad.text
    held = as_["rita"].post(f"/adjudications/{item['id']}/decision", json={"result": POS})
    assert held.status_code == 409 and held.json()["error"]["code"] == "adjudication_held"
    picked = view["answers"][1]["annotation_id"]
    done = as_["rev"].post(f"/adjudications/{item['id']}/decision", json={"annotation_id": picked})
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "decided" and done.json()["result"] == NEG
    again = as_["rev"].post(f"/adjudications/{item['id']}/decision", json={"result": POS})
    assert again.status_code == 409 and again.json()["error"]["code"] == "adjudication_decided"
    assert as_["rev"].post(f"/projects/{project_id}/adjudications/next").json() == {
        "adjudication": None
    }
    with db.read() as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"adjudication.open", "adjudication.lease", "adjudication.decide"} <= actions


def test_two_reviewers_racing_exactly_one_decision_wins(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api, agreement_threshold=0.9)
    submit(as_["ann"], project_id, POS)
    submit(as_["bo"], project_id, NEG)
    view = as_["rev"].post(f"/projects/{project_id}/adjudications/next").json()["adjudication"]
    adjudication_id = view["adjudication"]["id"]
    released = as_["rev"].post(f"/adjudications/{adjudication_id}/release")
    assert released.status_code == 200 and released.json()["reviewer_name"] is None
    answers: list[Any] = []
    start = threading.Barrier(2)

    def race(me: Api, result: dict[str, Any]) -> None:
        start.wait()
        answers.append(
            me.post(f"/adjudications/{adjudication_id}/decision", json={"result": result})
        )

    threads = [
        threading.Thread(target=race, args=(as_["rev"], POS)),
        threading.Thread(target=race, args=(as_["rita"], NEG)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    winner = next(a for a in answers if a.status_code == 200).json()["result"]
    with db.read() as session:
        stored = session.scalars(select(Adjudication)).one()
    assert stored.state == "decided" and orjson.loads(stored.result or "") == winner


def test_dynamic_overlap_asks_for_more_then_adjudicates_at_the_maximum(
    db: Database, api: Api
) -> None:
    project_id, as_ = setup(db, api, agreement_threshold=0.9, max_overlap=3)
    task_id = submit(as_["ann"], project_id, POS)
    submit(as_["bo"], project_id, NEG)
    with db.read() as session:
        task = session.get(Task, task_id)
        assert task is not None and task.extra_overlap == 1 and task.is_open
        assert session.scalar(select(Adjudication)) is None
    assert submit(as_["cy"], project_id, NEG) == task_id, "the reopened task is served"
    assert round(rows(db, task_id)["label"].agreement or 0, 3) == 0.333
    with db.read() as session:
        task = session.get(Task, task_id)
        assert task is not None and task.extra_overlap == 1 and not task.is_open
        adjudication = session.scalars(select(Adjudication)).one()
    assert adjudication.task_id == task_id and adjudication.state == "open"


def test_agreeing_answers_close_the_task_without_adjudication(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api, agreement_threshold=0.9, max_overlap=3)
    task_id = submit(as_["ann"], project_id, POS)
    submit(as_["bo"], project_id, POS)
    with db.read() as session:
        task = session.get(Task, task_id)
        assert task is not None and task.extra_overlap == 0 and not task.is_open
        assert session.scalar(select(Adjudication)) is None
    assert rows(db, task_id)["label"].agreement == 1.0


def test_the_sdk_adjudicates(db: Database, api: Api, client: TestClient) -> None:
    project_id, as_ = setup(db, api, agreement_threshold=0.9)
    submit(as_["ann"], project_id, POS)
    submit(as_["bo"], project_id, NEG)
    token = as_["rev"].headers["Authorization"].removeprefix("Bearer ")
    sdk = Client("http://testserver", token)
    sdk._http = TestClient(
        client.app,
        base_url="http://testserver/api/v1",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert [a["state"] for a in sdk.adjudications(project_id)] == ["open"]
    view = sdk.next_adjudication(project_id)
    assert view is not None and len(view["answers"]) == 2
    same = sdk.adjudication(view["adjudication"]["id"])
    assert same["answers"] == view["answers"]
    merged = {"label": {"choice": "pos"}, "stars": {"rating": 5}}
    decided = sdk.adjudicate(view["adjudication"]["id"], merged)
    assert decided["result"] == merged
    assert sdk.next_adjudication(project_id) is None
    assert list(sdk.adjudications(project_id, state="open")) == []


def test_the_final_export_holds_only_final_answers(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api, tasks=3, agreement_threshold=0.9)
    first = submit(as_["ann"], project_id, POS)
    second = submit(as_["ann"], project_id, POS)
    submit(as_["bo"], project_id, POS)  # the first task: they agree
    submit(as_["bo"], project_id, NEG)  # the second: they do not
    export = f"/projects/{project_id}/export"

    def final(**params: Any) -> Any:
        answer = as_["owner"].get(export, params={"final": True, **params})
        assert answer.status_code == 200, answer.text
        return answer

    rows = [orjson.loads(line) for line in final().text.splitlines()]
    assert [(r["id"], r["source"]) for r in rows] == [(first, "consensus")], "disputed: left out"
    assert rows[0]["result"] == POS and rows[0]["confidence"] == {"label": 1.0, "stars": 1.0}
    assert rows[0]["data"] == {"text": "task number 0"}
    view = as_["rev"].post(f"/projects/{project_id}/adjudications/next").json()["adjudication"]
    merged = {"label": {"choice": "neg"}, "stars": {"rating": 3}}
    decided = as_["rev"].post(
        f"/adjudications/{view['adjudication']['id']}/decision", json={"result": merged}
    )
    assert decided.status_code == 200, decided.text
    rows = [orjson.loads(line) for line in final().text.splitlines()]
    assert [(r["id"], r["source"], r["result"]) for r in rows] == [
        (first, "consensus", POS),
        (second, "adjudicated", merged),
    ]
    table = final(format="csv").text.splitlines()
    assert (
        table[0]
        == "task_id,external_id,source,label,stars,label.confidence,stars.confidence,data.text"
    )
    assert table[2].startswith(f"{second},t1,adjudicated,neg,3,,,")
    both = as_["owner"].get(export, params={"final": True, "consensus": True})
    assert both.status_code == 422 and "final" in both.text
    with_consensus = as_["owner"].get(export, params={"consensus": True})
    by_id = {r["id"]: r for r in map(orjson.loads, with_consensus.text.splitlines())}
    assert by_id[second]["adjudicated"] == merged
    assert by_id[second]["consensus"]["label"]["agreement"] == 0.0


def test_consensus_rows_go_with_their_tasks_and_project(db: Database, api: Api) -> None:
    from accord.jobs.purge import purge_all

    project_id, as_ = setup(db, api, tasks=2)
    first = submit(as_["ann"], project_id, POS)
    second = submit(as_["ann"], project_id, POS)
    submit(as_["bo"], project_id, NEG)
    submit(as_["bo"], project_id, POS)
    assert set(rows(db, first)) == set(rows(db, second)) == {"label", "stars"}
    gone = as_["owner"].post(f"/projects/{project_id}/tasks/delete", json={"ids": [first]})
    assert gone.status_code == 200, gone.text
    assert rows(db, first) == {} and set(rows(db, second)) == {"label", "stars"}
    assert as_["owner"].delete(f"/projects/{project_id}").status_code == 200
    purge_all(db)
    with db.read() as session:
        assert session.scalars(select(TaskConsensus)).all() == []
