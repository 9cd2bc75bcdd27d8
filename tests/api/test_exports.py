"""Exports: JSONL and CSV, streamed, filtered by status, annotator and date."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import orjson
import pytest

from accord.db import Database
from accord.jobs import exports
from tests.api.conftest import Api
from tests.factories import RICH, add_tasks, make_project, make_user

ROWS = [
    {
        "id": "a",
        "text": "Alice met Bob",
        "responses": ["hi", "hello"],
        "predictions": [
            {"model_version": "m1", "score": 0.5, "result": {"label": {"choice": "pos"}}}
        ],
    },
    {"id": "b", "text": "Carol", "responses": ["x", "y"]},
    {"id": "c", "text": "Dave", "responses": ["1", "2"]},
]
ANSWER = {
    "label": {"choice": "neg"},
    "entities": {"spans": [{"start": 0, "end": 5, "label": "PER"}]},
    "better": {"choice": "B", "strength": 2},
    "why": {"text": 'B is warmer, "quoted", and\nmultiline'},
}


def setup(db: Database, api: Api):
    owner, owner_token = make_user(db, "owner@example.com")
    ann1, t1 = make_user(db, "ann1@example.com")
    ann2, t2 = make_user(db, "ann2@example.com")
    project = make_project(
        db, owner, RICH, overlap=2, members={ann1: "annotator", ann2: "annotator"}
    )
    add_tasks(db, owner, project, ROWS)
    for token in (t1, t2):
        task = api.as_(token).post(f"/projects/{project.id}/next").json()["task"]
        done = api.as_(token).post(
            f"/tasks/{task['id']}/annotations", json={"result": ANSWER, "seconds": 7}
        )
        assert done.status_code == 201, done.text
    return project, owner_token


def lines(response) -> list[dict]:
    return [orjson.loads(line) for line in response.content.splitlines() if line]


def test_jsonl_holds_data_annotations_and_predictions(db: Database, api: Api) -> None:
    project, token = setup(db, api)
    response = api.as_(token).get(f"/projects/{project.id}/export")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    rows = lines(response)
    assert [r["external_id"] for r in rows] == ["a", "b", "c"]
    first = rows[0]
    assert first["status"] == "complete"
    assert first["data"] == {"text": "Alice met Bob", "responses": ["hi", "hello"]}
    assert {a["annotator"] for a in first["annotations"]} == {
        "ann1@example.com",
        "ann2@example.com",
    }
    annotation = first["annotations"][0]
    assert annotation["result"] == ANSWER
    assert annotation["seconds"] == 7.0 and annotation["versions"] == 1
    assert annotation["created_at"].endswith("Z")
    dt.datetime.fromisoformat(annotation["created_at"].replace("Z", "+00:00"))
    assert first["predictions"] == [
        {"model_version": "m1", "score": 0.5, "result": {"label": {"choice": "pos"}}}
    ]
    assert rows[1]["annotations"] == [] and rows[1]["status"] == "new"


def test_filters(db: Database, api: Api) -> None:
    project, token = setup(db, api)
    me = api.as_(token)
    complete = lines(me.get(f"/projects/{project.id}/export?status=complete"))
    assert [r["external_id"] for r in complete] == ["a"]
    new = lines(me.get(f"/projects/{project.id}/export?status=new"))
    assert [r["external_id"] for r in new] == ["b", "c"]
    mine = lines(me.get(f"/projects/{project.id}/export", params={"annotator": "ann1@example.com"}))
    assert len(mine) == 1 and [a["annotator"] for a in mine[0]["annotations"]] == [
        "ann1@example.com"
    ]
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    assert lines(me.get(f"/projects/{project.id}/export", params={"since": future})) == []
    unknown = me.get(f"/projects/{project.id}/export", params={"annotator": "nobody@x.org"})
    assert unknown.status_code == 422


def test_csv_has_one_row_per_annotation_and_a_column_per_question(db: Database, api: Api) -> None:
    project, token = setup(db, api)
    response = api.as_(token).get(f"/projects/{project.id}/export?format=csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 2
    row = rows[0]
    assert row["external_id"] == "a" and row["label"] == "neg" and row["better"] == "B:2"
    assert row["why"] == ANSWER["why"]["text"]
    assert orjson.loads(row["entities"]) == ANSWER["entities"]
    assert row["data.text"] == "Alice met Bob"
    assert orjson.loads(row["data.responses"]) == ["hi", "hello"]
    assert row["seconds"] == "7.0"


def test_only_managers_export(db: Database, api: Api) -> None:
    project, _ = setup(db, api)
    _, stranger = make_user(db, "stranger@example.com")
    assert api.as_(stranger).get(f"/projects/{project.id}/export").status_code == 404


FORMULAS = {
    "=HYPERLINK(\"http://evil.example\", \"x\")": "'=HYPERLINK(\"http://evil.example\", \"x\")",
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "-2+3": "'-2+3",
    "@SUM(A1)": "'@SUM(A1)",
    "\tlead": "'\tlead",
    "\rlead": "'\rlead",
    "-3": "-3",  # a plain number is not a formula
    "+1.5e3": "+1.5e3",
    "plain text": "plain text",
}


def formula_project(db: Database, api: Api) -> tuple[int, str]:
    owner, owner_token = make_user(db, "owner@example.com")
    ann, token = make_user(db, "ann@example.com")
    interface = {
        "fields": [{"name": "text", "kind": "text"}],
        "questions": [{"name": "why", "kind": "text"}],
    }
    project = make_project(db, owner, interface, members={ann: "annotator"})
    add_tasks(db, owner, project, [{"id": f"f{i}", "text": v} for i, v in enumerate(FORMULAS)])
    for value in FORMULAS:
        task = api.as_(token).post(f"/projects/{project.id}/next").json()["task"]
        done = api.as_(token).post(
            f"/tasks/{task['id']}/annotations", json={"result": {"why": {"text": value}}}
        )
        assert done.status_code == 201, done.text
    return project.id, owner_token


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(db: Database, api: Api) -> None:
    project_id, token = formula_project(db, api)
    response = api.as_(token).get(f"/projects/{project_id}/export?format=csv")
    rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert len(rows) == len(FORMULAS)
    for row in rows:
        original = next(v for v in FORMULAS if FORMULAS[v] == row["why"])
        assert row["data.text"] == FORMULAS[original]


def test_csv_for_programs_keeps_cells_as_stored(db: Database, api: Api) -> None:
    project_id, token = formula_project(db, api)
    response = api.as_(token).get(
        f"/projects/{project_id}/export", params={"format": "csv", "spreadsheet_safe": "false"}
    )
    rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert {row["why"] for row in rows} == set(FORMULAS)
    assert all(row["why"] == row["data.text"] for row in rows)


def test_an_export_is_one_snapshot_while_writes_race_it(
    db: Database, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the moment the export reads its tasks and the moment it reads their
    annotations, another annotator submits and a manager imports: the export shows neither
    (on PostgreSQL its cursors used to run at READ COMMITTED, each seeing its own moment)."""
    project, token = setup(db, api)
    owner = api.as_(token)
    _, ann3 = make_user(db, "ann3@example.com")
    owner.post(f"/projects/{project.id}/members", json={"email": "ann3@example.com",
                                                          "role": "annotator"})
    batches = exports._Sql.batches
    raced: list[int] = []

    def racing(self: Any, query: str, params: list[Any]) -> Any:
        if not raced:  # before the first of the export's cursors starts
            raced.append(1)
        elif len(raced) == 1:  # between two of them: write, committed, from elsewhere
            raced.append(2)
            task = api.as_(ann3).post(f"/projects/{project.id}/next").json()["task"]
            done = api.as_(ann3).post(
                f"/tasks/{task['id']}/annotations", json={"result": ANSWER}
            )
            assert done.status_code == 201, done.text
            late = owner.post(
                f"/projects/{project.id}/imports?format=jsonl",
                content=b'{"id": "late", "text": "late", "responses": ["p", "q"]}\n',
            )
            assert late.status_code == 201, late.text
        return batches(self, query, params)

    monkeypatch.setattr(exports._Sql, "batches", racing)
    exported = lines(owner.get(f"/projects/{project.id}/export"))
    assert raced == [1, 2], "the race did not happen"
    assert [row["external_id"] for row in exported] == ["a", "b", "c"], "no task from later"
    by_id = {row["external_id"]: row for row in exported}
    assert len(by_id["a"]["annotations"]) == 2 and by_id["a"]["status"] == "complete"
    assert by_id["b"]["annotations"] == [] and by_id["b"]["status"] == "new"
    assert by_id["c"]["annotations"] == [] and by_id["c"]["status"] == "new"
    after = lines(owner.get(f"/projects/{project.id}/export"))
    assert len(after) == 4 and len(after[1]["annotations"]) == 1, "the writes did land"


def test_consensus_per_task_and_question(db: Database, api: Api) -> None:
    """`consensus=true`: each task's consensus per question (stored when it got its last
    annotation), its confidence, its agreement (mean pairwise similarity) and the number of
    answers; JSONL and CSV."""
    owner, owner_token = make_user(db, "owner@example.com")
    people = [make_user(db, f"a{i}@example.com") for i in range(3)]
    project = make_project(
        db, owner, RICH, overlap=3, members={user: "annotator" for user, _ in people}
    )
    add_tasks(
        db,
        owner,
        project,
        [{"id": x, "text": "Alice met Bob", "responses": ["hi", "hello"]} for x in "abcd"],
    )
    votes = {"a": ["pos", "pos", "neg"], "b": ["neg", "neg", "neg"], "c": ["pos", "pos", "pos"]}
    for index, (_, token) in enumerate(people):
        me = api.as_(token)
        for _ in range(3):
            task = me.post(f"/projects/{project.id}/next").json()["task"]
            answer = {**ANSWER, "label": {"choice": votes[task["external_id"]][index]}}
            done = me.post(f"/tasks/{task['id']}/annotations", json={"result": answer})
            assert done.status_code == 201, done.text
    manager = api.as_(owner_token)
    plain = lines(manager.get(f"/projects/{project.id}/export"))
    assert all("consensus" not in row for row in plain)
    rows = {r["external_id"]: r for r in lines(
        manager.get(f"/projects/{project.id}/export", params={"consensus": True}))}
    a = rows["a"]["consensus"]
    assert set(a) == {"label", "entities", "better", "why"}, "every question"
    assert a["better"] == {"value": ANSWER["better"], "confidence": 1.0, "agreement": 1.0, "n": 3}
    assert a["label"]["value"] == {"choice": "pos"} and a["label"]["n"] == 3
    assert a["label"]["agreement"] == pytest.approx(1 / 3, abs=1e-4), "1 pair of 3 agrees"
    assert a["label"]["confidence"] == pytest.approx(2 / 3, abs=1e-4), "the majority's share"
    assert rows["a"]["adjudicated"] is None
    assert rows["b"]["consensus"]["label"]["value"] == {"choice": "neg"}
    assert rows["b"]["consensus"]["label"]["agreement"] == 1
    assert rows["d"]["consensus"] == {}, "no answers, no consensus"
    table = list(csv.DictReader(io.StringIO(manager.get(
        f"/projects/{project.id}/export", params={"format": "csv", "consensus": True}).text)))
    assert len(table) == 9
    first = next(row for row in table if row["external_id"] == "a")
    assert first["label.consensus"] == "pos" and float(first["label.agreement"]) == pytest.approx(
        1 / 3, abs=1e-4
    )
    assert first["better.consensus"] == "B:2" and first["adjudicated"] == ""
