"""Imports: every format, errors that name the line and field, atomicity, duplicates."""

from __future__ import annotations

import threading
import tracemalloc
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

import accord.actions.import_moves as moves
import accord.actions.imports as imports
from accord.actions.imports import ImportOptions, run_import
from accord.api.app import create_app
from accord.db import Database
from accord.models import Import, Prediction, Task
from accord.settings import Settings
from tests.api.conftest import Api
from tests.factories import (
    RICH,
    add_tasks,
    assert_counts_match,
    make_project,
    make_user,
    texts,
)

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


def tasks_in(db: Database, project_id: int) -> int:
    with db.read() as session:
        query = select(func.count()).select_from(Task).where(Task.project_id == project_id)
        return int(session.scalar(query) or 0)


def other_project_with_annotator(db: Database) -> tuple[int, str]:
    lead, _ = make_user(db, "lead@example.com")
    annotator, token = make_user(db, "ann@example.com")
    project = make_project(db, lead, members={annotator: "annotator"})
    add_tasks(db, lead, project, texts(5))
    return project.id, token


def annotate_once(api: Api, project_id: int) -> None:
    """One next → submit cycle of an annotator; both must answer."""
    task = api.post(f"/projects/{project_id}/next").json()["task"]
    assert task is not None
    done = api.post(
        f"/tasks/{task['id']}/annotations", json={"result": {"label": {"choice": "pos"}}}
    )
    assert done.status_code == 201, done.text


class Gate:
    """Holds an import at one point until the test lets it go."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.open = threading.Event()

    def wait_here(self) -> None:
        self.reached.set()
        assert self.open.wait(60), "the test never let the import go on"


def import_in_background(api: Api, project_id: int, body: bytes) -> tuple[threading.Thread, list]:
    out: list[Any] = []
    worker = threading.Thread(
        target=lambda: out.append(post(api, project_id, body, format="jsonl")), daemon=True
    )
    worker.start()
    return worker, out


def test_annotators_work_while_an_import_is_checked(
    db: Database, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is read and checked outside the write lock: another project's annotator gets
    tasks and submits meanwhile, and none of the import's rows is visible before its end."""
    project, token = project_of(db)
    other, annotator = other_project_with_annotator(db)
    gate = Gate()
    real_rows = imports.checked_rows

    def held_rows(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for i, row in enumerate(real_rows(*args, **kwargs)):
            if i == 50:
                gate.wait_here()
            yield row

    monkeypatch.setattr(imports, "checked_rows", held_rows)
    worker, out = import_in_background(api.as_(token), project.id, jsonl(*texts(100)))
    try:
        assert gate.reached.wait(60)
        annotate_once(api.as_(annotator), other)
        annotate_once(api.as_(annotator), other)
        assert tasks_in(db, project.id) == 0
        listed = api.as_(token).get(f"/projects/{project.id}/tasks").json()["items"]
        assert listed == []
    finally:
        gate.open.set()
        worker.join(60)
    assert out[0].status_code == 201, out[0].text
    assert out[0].json()["created"] == 100
    assert tasks_in(db, project.id) == 100
    assert_counts_match(db, project.id)
    assert_counts_match(db, other)


def test_annotators_work_while_an_import_is_written(
    db: Database, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the commit point rows are written in short transactions (SQLite) or one that
    blocks no one (PostgreSQL): others' writes go through between them."""
    project, token = project_of(db)
    other, annotator = other_project_with_annotator(db)
    gate = Gate()
    monkeypatch.setattr(moves, "MOVE_CHUNK", 10)
    if db.is_sqlite:
        real_move = moves._move_one

        def held_move(job: Any, first: int, last: int, stamp: str) -> float:
            if first == 31:  # between the third chunk and the fourth
                gate.wait_here()
            return real_move(job, first, last, stamp)

        monkeypatch.setattr(moves, "_move_one", held_move)
    else:
        real_insert = moves.PostgresMove.insert

        def held_insert(self: Any, *args: Any) -> Any:
            moved = real_insert(self, *args)  # every row in, not yet committed
            gate.wait_here()
            return moved

        monkeypatch.setattr(moves.PostgresMove, "insert", held_insert)
    worker, out = import_in_background(api.as_(token), project.id, jsonl(*texts(100)))
    try:
        assert gate.reached.wait(60)
        annotate_once(api.as_(annotator), other)
        # SQLite shows the chunks moved so far; PostgreSQL shows the import all at once
        assert tasks_in(db, project.id) == (30 if db.is_sqlite else 0)
        assert_counts_match(db, project.id)
    finally:
        gate.open.set()
        worker.join(60)
    assert out[0].status_code == 201, out[0].text
    assert tasks_in(db, project.id) == 100
    assert_counts_match(db, project.id)


def test_a_row_longer_than_the_limit_is_reported_and_the_rest_imported(
    settings: Settings, db: Database
) -> None:
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner)
    small = settings.model_copy(update={"max_row_bytes": 100})
    body = jsonl({"text": "short"}, {"text": "x" * 500}) + b'{"text": "' + b"y" * 300
    body += b'"}\n' + jsonl({"text": "also short"})
    with TestClient(create_app(small, db)) as client:
        url = f"/api/v1/projects/{project.id}/imports?format=jsonl"
        headers = {"Authorization": f"Bearer {token}"}
        refused = client.post(url, content=body, headers=headers)
        assert refused.status_code == 422
        error = refused.json()["error"]
        assert error["message"].startswith(
            "line 2: the line is 511 bytes long, more than the limit of 100 bytes for one row"
        )
        assert "ACCORD_MAX_ROW_BYTES" in error["message"]
        assert [e["line"] for e in error["details"]["errors"]] == [2, 3]
        assert tasks_in(db, project.id) == 0
        skipped = client.post(url + "&skip_invalid=true", content=body, headers=headers)
    assert skipped.status_code == 201, skipped.text
    assert (skipped.json()["created"], skipped.json()["skipped"]) == (2, 2)
    assert tasks_in(db, project.id) == 2
    assert_counts_match(db, project.id)


def test_duplicates_at_any_distance(
    db: Database, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A repeated id is found however far apart the two rows are (batches and chunks apart),
    and against the project's earlier imports."""
    monkeypatch.setattr(imports, "BATCH", 3)
    monkeypatch.setattr(moves, "MOVE_CHUNK", 4)
    project, token = project_of(db)
    me = api.as_(token)
    first = post(me, project.id, jsonl({"id": "old", "text": "from before"}), format="jsonl")
    assert first.json()["created"] == 1
    rows = [{"id": f"r{i}", "text": str(i)} for i in range(20)]
    rows[17] = {"id": "r1", "text": "far repeat"}
    rows[19] = {"id": "old", "text": "repeat of an earlier import"}
    rows.append({"text": "no id, never a duplicate"})
    report = post(me, project.id, jsonl(*rows), format="jsonl").json()
    assert (report["created"], report["duplicates"]) == (19, 2)
    assert report["duplicate_ids"] == ["r1", "old"]
    with db.read() as session:
        kept = session.scalar(select(Task.data).where(Task.external_id == "r1"))
    assert orjson.loads(kept or "") == {"text": "1"}, "the first row with an id is kept"
    assert_counts_match(db, project.id)


def test_counters_equal_a_recount_after_every_kind_of_import(db: Database, api: Api) -> None:
    project, token = project_of(db)
    me = api.as_(token)
    post(me, project.id, jsonl(*texts(10)), format="jsonl")
    assert_counts_match(db, project.id)
    refused = post(me, project.id, jsonl(*texts(5, "n"), {"text": 1}), format="jsonl")
    assert refused.status_code == 422
    assert_counts_match(db, project.id)
    skipping = post(
        me, project.id, jsonl(*texts(15), {"text": 1}), format="jsonl", skip_invalid=True
    )
    assert skipping.json()["created"] == 5 and skipping.json()["duplicates"] == 10
    assert_counts_match(db, project.id)
    assert tasks_in(db, project.id) == 15


def test_a_refused_import_is_recorded_as_failed(db: Database, api: Api) -> None:
    project, token = project_of(db)
    refused = post(api.as_(token), project.id, jsonl({"text": 1}), format="jsonl")
    assert refused.status_code == 422
    with db.read() as session:
        entry = session.scalars(select(Import)).one()
    assert entry.state == "failed" and entry.error and "line 1" in entry.error
    assert entry.skipped == 1


class Generated:
    """A JSONL file of ``count`` rows with distinct ids, made as it is read (not in memory)."""

    def __init__(self, count: int) -> None:
        text = b"words " * 60
        self._rows = (b'{"id": "row-%d", "text": "%s"}\n' % (i, text) for i in range(count))
        self._rest = b""

    def read(self, size: int = -1, /) -> bytes:
        out = [self._rest]
        have = len(self._rest)
        for row in self._rows:
            out.append(row)
            have += len(row)
            if have >= size:
                break
        data = b"".join(out)
        self._rest, data = data[size:], data[:size]
        return data


def test_memory_stays_flat_however_many_ids(db: Database, settings: Settings) -> None:
    """External ids are checked by the database, not kept in memory: an import of six times
    as many rows (both many blocks of the reader long) peaks at about the same memory."""
    owner, _ = make_user(db, "owner@example.com")
    options = ImportOptions(staging_dir=settings.data_dir / "imports")

    def peak(count: int) -> int:
        project = make_project(db, owner)
        tracemalloc.start()
        try:
            report = run_import(db, owner, project.id, Generated(count), "jsonl", options)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            assert report.created == count

    small, large = peak(10_000), peak(60_000)
    assert large < small * 1.5, (small, large)
