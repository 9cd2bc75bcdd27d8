"""Imports: every format, errors that name the line and field, atomicity, duplicates."""

from __future__ import annotations

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from accord.api.app import create_app
from accord.db import Database
from accord.models import Prediction, Task
from accord.settings import Settings
from tests.api.conftest import Api
from tests.factories import RICH, make_project, make_user

RICH_ROW = {"text": "Alice", "responses": ["a", "b"]}


def project_of(db: Database, interface: dict | None = None, **settings):
    owner, token = make_user(db, "owner@example.com")
    return make_project(db, owner, interface, **settings), token


def jsonl(*rows: object) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in rows)


def post(api: Api, project_id: int, body: bytes, **params) -> object:
    return api.post(f"/projects/{project_id}/imports", params=params, content=body)


def count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Task)) or 0)


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        ("jsonl", b'{"id": "1", "text": "one"}\n\n{"id": "2", "text": "two"}'),
        ("json", b' [{"id": "1", "text": "one"}, {"id": 2, "text": "two"}]'),
        ("csv", b'id,text\r\n1,one\r\n2,"two"\r\n'),
        ("tsv", b"id\ttext\n1\tone\n2\ttwo\n"),
    ],
)
def test_every_format(db: Database, api: Api, fmt: str, body: bytes) -> None:
    project, token = project_of(db)
    response = post(api.as_(token), project.id, body, format=fmt)
    assert response.status_code == 201, response.text
    assert response.json()["created"] == 2
    tasks = api.as_(token).get(f"/projects/{project.id}/tasks").json()["items"]
    assert [(t["external_id"], t["data"]) for t in tasks] == [
        ("1", {"text": "one"}),
        ("2", {"text": "two"}),
    ]


def test_format_from_file_name(db: Database, api: Api) -> None:
    project, token = project_of(db)
    ok = post(api.as_(token), project.id, b"text\nhello\n", filename="rows.csv")
    assert ok.status_code == 201 and ok.json()["created"] == 1
    unknown = post(api.as_(token), project.id, b"text\nhello\n", filename="rows.xlsx")
    assert unknown.status_code == 422
    assert "format" in unknown.json()["error"]["message"]


def test_structured_fields_and_predictions_in_csv(db: Database, api: Api) -> None:
    project, token = project_of(db, RICH)
    body = (
        b"id,text,responses,predictions\n"
        b'x,Alice,"[""a"",""b""]","[{""model_version"":""m"",""result"":{}}]"\n'
    )
    response = post(api.as_(token), project.id, body, format="csv")
    assert response.status_code == 201, response.text
    assert response.json()["predictions"] == 1


def test_a_bad_row_imports_nothing_and_names_line_and_field(db: Database, api: Api) -> None:
    project, token = project_of(db)
    body = jsonl({"text": "ok"}, {"text": 5}) + b"{broken\n" + jsonl({"text": "x", "extra": 1})
    response = post(api.as_(token), project.id, body, format="jsonl")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_rows"
    assert error["message"].startswith("line 2, field 'text': expected a string, got a number")
    assert "Nothing was imported" in error["message"]
    assert [(e["line"], e["field"]) for e in error["details"]["errors"]] == [
        (2, "text"),
        (3, None),
        (4, "extra"),
    ]
    assert "not valid JSON" in error["details"]["errors"][1]["message"]
    assert "unknown field" in error["details"]["errors"][2]["message"]
    assert count(db) == 0


def test_skip_invalid_imports_the_rest_and_reports(db: Database, api: Api) -> None:
    project, token = project_of(db)
    body = jsonl({"text": "ok"}, {"text": None}, [1, 2], {"text": "fine"})
    response = post(api.as_(token), project.id, body, format="jsonl", skip_invalid="true")
    assert response.status_code == 201
    report = response.json()
    assert report["created"] == 2 and report["skipped"] == 2
    assert [e["line"] for e in report["errors"]] == [2, 3]
    assert report["errors"][0]["message"].startswith("missing")
    assert count(db) == 2


def test_ids_make_reimport_idempotent(db: Database, api: Api) -> None:
    project, token = project_of(db)
    body = jsonl({"id": "a", "text": "1"}, {"id": "b", "text": "2"}, {"id": "a", "text": "3"})
    first = post(api.as_(token), project.id, body, format="jsonl").json()
    assert (first["created"], first["duplicates"], first["duplicate_ids"]) == (2, 1, ["a"])
    again = post(api.as_(token), project.id, body, format="jsonl").json()
    assert (again["created"], again["duplicates"]) == (0, 3)
    assert count(db) == 2


def test_predictions_are_checked_like_answers(db: Database, api: Api) -> None:
    project, token = project_of(db, RICH)
    good = {
        **RICH_ROW,
        "predictions": [
            {
                "model_version": "v1",
                "score": 0.9,
                "result": {"entities": {"spans": [{"start": 0, "end": 5, "label": "PER"}]}},
            }
        ],
    }
    bad = {
        **RICH_ROW,
        "predictions": [
            {
                "model_version": "v1",
                "result": {"entities": {"spans": [{"start": 0, "end": 50, "label": "PER"}]}},
            }
        ],
    }
    response = post(api.as_(token), project.id, jsonl(good, bad), format="jsonl")
    assert response.status_code == 422
    error = response.json()["error"]["details"]["errors"][0]
    assert error["line"] == 2
    assert error["field"] == "predictions[0].result.entities.spans[0].end"
    ok = post(api.as_(token), project.id, jsonl(good), format="jsonl")
    assert ok.json()["predictions"] == 1
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Prediction)) == 1


def test_reserved_keys_are_checked(db: Database, api: Api) -> None:
    project, token = project_of(db)
    body = jsonl(
        {"id": "", "text": "a"},
        {"id": 1.5, "text": "a"},
        {"priority": "hi", "text": "a"},
        {"predictions": {"x": 1}, "text": "a"},
    )
    errors = post(api.as_(token), project.id, body, format="jsonl").json()["error"]["details"]
    assert [e["field"] for e in errors["errors"]] == ["id", "id", "priority", "predictions"]


def test_broken_files(db: Database, api: Api) -> None:
    project, token = project_of(db)
    me = api.as_(token)
    array = post(me, project.id, b'[{"text": "a"}, {"text": ', format="json")
    assert array.status_code == 422 and "breaks after item 1" in array.json()["error"]["message"]
    not_array = post(me, project.id, b'{"text": "a"}', format="json")
    assert "must be an array" in not_array.json()["error"]["message"]
    latin = post(me, project.id, "text\ncafé\n".encode("latin-1"), format="csv")
    assert latin.status_code == 422 and "UTF-8" in latin.json()["error"]["message"]
    ragged = post(me, project.id, b"text,other\na\n", format="csv")
    assert "1 cells, but the header has 2 columns" in ragged.json()["error"]["message"]
    empty = post(me, project.id, b"", format="jsonl")
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "empty_import"
    assert count(db) == 0


def test_priority_order(db: Database, api: Api) -> None:
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner, order="priority")
    body = jsonl(
        {"id": "low", "text": "a", "priority": 1}, {"id": "high", "text": "b", "priority": 9}
    )
    post(api.as_(token), project.id, body, format="jsonl")
    first = api.as_(token).post(f"/projects/{project.id}/next").json()["task"]
    assert first["external_id"] == "high"


def test_upload_limit(settings: Settings, db: Database) -> None:
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner)
    small = settings.model_copy(update={"max_import_bytes": 100})
    with TestClient(create_app(small, db)) as client:
        response = client.post(
            f"/api/v1/projects/{project.id}/imports?format=jsonl",
            content=jsonl(*[{"text": "x" * 20}] * 10),
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 413
    assert "limit of 100 bytes" in response.json()["error"]["message"]
    assert count(db) == 0


def test_only_managers_import(db: Database, api: Api) -> None:
    owner, _ = make_user(db, "owner@example.com")
    annotator, token = make_user(db, "ann@example.com")
    project = make_project(db, owner, members={annotator: "annotator"})
    response = post(api.as_(token), project.id, jsonl({"text": "a"}), format="jsonl")
    assert response.status_code == 403
